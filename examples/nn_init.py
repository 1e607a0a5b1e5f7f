"""Initialising a weight in place with torch.nn.init.uniform_ and normal_.

From the learner's notes (seed 004); `tensor` is created so that the calls can run.
"""

import torch
import torch.nn.init as init

torch.manual_seed(0)  # added: the same numbers on every run
tensor = torch.empty(3, 4)

# 初始化权重为均匀分布
init.uniform_(tensor, a=0.0, b=1.0)
print(tensor)
print("in [0, 1]:", bool(((tensor >= 0) & (tensor <= 1)).all()))

# 初始化权重为正态分布
init.normal_(tensor, mean=0.0, std=1.0)
print(tensor)

init.zeros_(tensor)
print(tensor)
