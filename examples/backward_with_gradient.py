"""backward() of a non-scalar output takes a weight vector of the output's shape.

From the learner's notes (seed 004). The notes call
`out.backward(torch.tensor([0.1,1.0,1.0]),dtype=float)`, which torch rejects (backward()
has no `dtype` argument); here `dtype=float` moves inside torch.tensor(...), and `x` and
`out` are defined so that the line can run.
"""

import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
out = x * 2
print(out)

# 如果`out`不是一个标量，那么在调用`.backward()`时需要传入一个与`out`同形的权重向量进行相乘。
out.backward(torch.tensor([0.1,1.0,1.0],dtype=float))
print(x.grad)

try:
    (x * 2).backward()
except RuntimeError as error:
    print("without the weights:", type(error).__name__)
