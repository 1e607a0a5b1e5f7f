"""A tour of the tensor operations the learner lists: numpy interop, products, reductions,
reshaping, expand/repeat, indexing, cat/stack, gather and broadcasting.

From the learner's notes (seed 003), which name each operation in running text; the calls
below are the ones named there, in the same order, with the notes' remarks as comments.
"""

import numpy as np
import torch

# numpy（数据计算）和 tensor（模型） 转换
a = np.array([1.0, 2.0, 3.0])
shared = torch.from_numpy(a)  # 共用一个内存，改 numpy，tensor 也变
copied = torch.tensor(a)  # tensor 独立
a[0] = 100.0
print("from_numpy:", shared)
print("tensor:", copied)
print("back to numpy:", copied.numpy())

# 加法
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
v = torch.tensor([1.0, -1.0])
print("add:", torch.add(x, 1), x + x)

# 乘法：dot、mv 矩阵 * 向量、mm 矩阵 * 矩阵、@
print("dot:", torch.dot(v, v))
print("mv:", torch.mv(x, v))
print("mm:", torch.mm(x, x))
print("@:", x @ v, (x @ x).shape)

# 求和 sum、求平均 mean、求标准差 std、求最大 max、求最小 min；指定维度
print("sum:", x.sum(), x.sum(dim=0), x.sum(dim=(0, 1)))
print("mean:", x.mean(), x.mean(dim=1, keepdim=True))
print("std:", x.std(), x.std(dim=0))
print("max:", x.max(), x.max(dim=1))
print("min:", x.min(dim=0).values, x.min(dim=0).indices)

# Transpose：维度交换
y = torch.arange(6).reshape(2, 3)
print("transpose:", y.transpose(0, 1), y.T.shape)

# View & Reshape：不确定某一维度时用 -1
print("view:", y.view(3, -1))
print("reshape:", y.reshape(-1))
z = y.view(6)
z[0] = 42  # view 不会进行拷贝
print("after writing through the view:", y)

# Squeeze & Unsqueeze：维度降低、增加
s = torch.zeros(1, 3, 1)
print("squeeze:", s.squeeze().shape, s.squeeze(0).shape)
print("unsqueeze:", v.unsqueeze(0).shape, v.unsqueeze(1).shape)

# Expand & Repeat：数据复制
col = torch.tensor([[1], [2]])
print("expand:", col.expand(2, 3))  # 共享内存
print("repeat:", col.repeat(1, 3))  # 非共享内存

# Indexing：同 numpy
r = torch.arange(10)
print("indexing:", r[5:], r[::3], r[-1], y[:, 1], y[y > 2])

# Cat & Stack：数据拼接
print("cat:", torch.cat([x, x], dim=0).shape, torch.cat([x, x], dim=1))
print("stack:", torch.stack([v, v]).shape, torch.stack([v, v], dim=1))

# Gather：gather(x, dim, index) 在矩阵取元素
index = torch.tensor([[0, 0], [1, 0]])
print("gather:", torch.gather(x, 1, index))

# Broadcasting
print("broadcast:", x * v, torch.ones(2, 1) + torch.arange(3))
