"""torch.optim.SGD on a small nn.Module: define the optimizer, then step() updates w and b.

From the learner's notes (seed 000). The notes leave the body of Net out (`···`); here it is
the linear model y = x·w + b they describe ("优化参数w，b"), with fixed starting values so
the printed numbers are the same on every run.
"""

import torch
from torch import nn

lr = 0.1


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.tensor([[0.5], [-0.5]]))
        self.b = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return x @ self.w + self.b


x = torch.tensor([[1.0, 2.0], [2.0, 1.0], [3.0, 0.0], [0.0, 1.0]])
y = x @ torch.tensor([[2.0], [-1.0]]) + 0.5

net = Net()
optim = torch.optim.SGD(net.parameters(),lr=lr) # 定义优化器
print(optim)
for step in range(5):
    loss = ((net(x) - y) ** 2).mean()
    optim.zero_grad()
    loss.backward()
    optim.step() # 更新模型参数
    print(f"step {step}: loss {loss.item():.6f}")
print("w:", net.w.data.flatten())
print("b:", net.b)
