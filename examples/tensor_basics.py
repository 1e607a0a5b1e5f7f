"""Creating tensors and doing arithmetic with broadcasting.

From the learner's notes (seed 002), which name these calls in running text:
torch.tensor([1, 2, 3]), torch.zeros(), torch.ones(), torch.add(), torch.mul(), torch.matmul().
"""

import torch

x = torch.tensor([1, 2, 3])
print(x, x.dtype)
zeros = torch.zeros(2, 3)
ones = torch.ones(2, 3)
print(zeros)
print(ones)

# 这些运算可以自动处理广播机制
print(torch.add(ones, x))
print(torch.mul(ones, 2.5))
print(torch.matmul(ones, torch.tensor([1.0, 2.0, 3.0])))
print(torch.matmul(torch.ones(4, 2, 3), torch.ones(3, 5)).shape)
print(x / 2, x // 2, x.float().mean())
