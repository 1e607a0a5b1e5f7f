"""Creating a tensor directly on the GPU when there is one.

From the learner's notes (seed 004); the `else` branch is added so that `x` exists
on a machine without a GPU.
"""

import torch

# 直接在GPU上创建tensor
if torch.cuda.is_available():
    x = torch.tensor([1.0, 2.0], device='cuda')
else:
    x = torch.tensor([1.0, 2.0])

print(x.device, (x * 2).cpu())
