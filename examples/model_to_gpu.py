"""Moving a model and its data to the GPU when there is one.

From the learner's notes (seed 004); the prints are added.
"""

import torch

# 创建一个简单的模型
model = torch.nn.Linear(10, 1)

# 创建一些数据
data = torch.randn(100, 10)

# 移动模型和数据到GPU
if torch.cuda.is_available():
    model = model.to('cuda')
    data = data.to('cuda')

print(model)
print("weight on", model.weight.device, "data on", data.device)
output = model(data)
print("output:", output.shape, output.dtype, output.device)
