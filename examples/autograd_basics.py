"""The gradient of z = sum(3 x^2) with respect to x, by z.backward().

From the learner's notes (seed 004), unchanged.
"""

import torch

# 创建一个张量，并设置 requires_grad=True 以跟踪计算历史
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

# 定义一个简单的函数 y = 3 * x^2
y = 3 * x ** 2

# 将 y 归约为标量，例如通过求和
z = y.sum()

# 计算 z 对 x 的梯度
z.backward()

# 输出 x 的梯度
print(x.grad)  # 输出: tensor([ 6.0000, 12.0000, 18.0000])
