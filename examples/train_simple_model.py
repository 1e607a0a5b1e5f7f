"""A typical torch.nn training loop: model, MSE loss, SGD, 100 epochs.

From the learner's notes (seed 004); `torch.manual_seed(0)` is added.
"""

import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)  # added: the same numbers on every run

# 定义模型
class SimpleModel(nn.Module):
    def __init__(self):
        super(SimpleModel, self).__init__()
        self.fc1 = nn.Linear(10, 50)
        self.fc2 = nn.Linear(50, 1)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = self.fc2(x)
        return x

# 实例化模型
model = SimpleModel()

# 定义损失函数和优化器
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.01)

# 生成一些示例数据
inputs = torch.randn(32, 10)
targets = torch.randn(32, 1)

# 训练循环
for epoch in range(100):
    # 前向传播
    outputs = model(inputs)
    loss = criterion(outputs, targets)

    # 反向传播和优化
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

    print(f'Epoch [{epoch+1}/100], Loss: {loss.item():.4f}')
