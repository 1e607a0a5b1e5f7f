"""The standard imports of a PyTorch program, each one used once.

From the learner's notes (seed 001).
"""

import torch
from torch import nn  # ✅ 神经网络模块
from torch.nn import functional as F  # ✅ 函数式接口
import torch.optim as optim  # ✅ 优化器
from torch.utils.data import DataLoader, Dataset  # ✅ 数据加载


class Squares(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return torch.tensor([float(i)]), torch.tensor([float(i * i)])


x = torch.tensor([-1.0, 0.0, 2.0])
print("F.relu:", F.relu(x))
layer = nn.Linear(1, 1)
print("nn:", layer)
optimizer = optim.SGD(layer.parameters(), lr=0.01)
print("optim:", type(optimizer).__name__, optimizer.defaults["lr"])
for inputs, targets in DataLoader(Squares(), batch_size=2):
    print("batch:", inputs.tolist(), targets.tolist())
