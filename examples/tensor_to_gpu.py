"""Moving a tensor to the GPU when there is one.

From the learner's notes (seed 004).
"""

import torch

print("cuda available:", torch.cuda.is_available())

# 创建一个tensor
x = torch.tensor([1.0, 2.0])

# 移动tensor到GPU上
if torch.cuda.is_available():
    x = x.to('cuda')

print(x.device, x.cpu())
