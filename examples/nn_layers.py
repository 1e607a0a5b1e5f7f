"""The common torch.nn layers, built with the arguments the notes list and applied once.

From the learner's notes (seed 004), which give the constructors' signatures.
"""

import torch

x = torch.arange(32, dtype=torch.float32).reshape(1, 2, 4, 4) / 10 - 1

# 线性层（全连接层）：torch.nn.Linear(in_features, out_features, bias=True)
linear = torch.nn.Linear(4, 3, bias=True)
print(linear, "->", linear(x).shape)

# 卷积层：torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True)
conv = torch.nn.Conv2d(2, 5, 3, stride=1, padding=0, bias=True)
print(conv, "->", conv(x).shape)
print(torch.nn.Conv2d(2, 5, kernel_size=3, stride=2, padding=1, bias=False), "->",
      torch.nn.Conv2d(2, 5, kernel_size=3, stride=2, padding=1, bias=False)(x).shape)

# 池化层：torch.nn.MaxPool2d(kernel_size, stride=None, padding=0)
pool = torch.nn.MaxPool2d(2, stride=None, padding=0)
print(pool)
print(pool(x))

# 批归一化层：torch.nn.BatchNorm2d(num_features)
bn = torch.nn.BatchNorm2d(2)
print(bn)
y = bn(x)
print("output is normalised per channel:", bool(y.mean(dim=(0, 2, 3)).abs().max() < 1e-5))
print("running_mean:", bn.running_mean)
print("running_var:", bn.running_var)

# 激活函数：torch.nn.ReLU(inplace=False)
relu = torch.nn.ReLU(inplace=False)
print(relu)
print(relu(x[0, 0]))
