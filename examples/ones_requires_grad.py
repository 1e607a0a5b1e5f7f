"""Creating a tensor that tracks its computation history.

From the learner's notes (seed 004).
"""

import torch

# 创建一个tensor，并设置requires_grad=True以跟踪计算历史
x = torch.ones(2, 2, requires_grad=True)
print(x)
print("requires_grad:", x.requires_grad, "is_leaf:", x.is_leaf, "grad_fn:", x.grad_fn)
y = x + 2
print(y)
print("y.grad_fn:", type(y.grad_fn).__name__)
