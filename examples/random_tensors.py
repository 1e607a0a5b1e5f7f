"""Creating tensors from probability distributions: normal, randn, randn_like, rand, rand_like.

From the learner's notes (seed 001), which give the signatures; here each one is called.
The notes write `required_grad=`; torch spells it `requires_grad=`. The second `torch.randn`
under "[0,1)均匀分布" is meant to be `torch.rand`, as called here.
"""

import torch

torch.manual_seed(0)  # added: the same numbers on every run

# 从给定参数的离散正态分布中抽取随机数创建张量
# mean或std维度不同时，会使用广播机制扩展成同型张量
a = torch.normal(0.0, 1.0, size=(2, 3))
print("normal(mean, std, size):", a.shape, a.dtype)
print(a)
b = torch.normal(torch.tensor([0.0, 10.0, 100.0]), torch.tensor(0.1))
print("normal(tensor mean, tensor std):", b.shape)
print(b)
out = torch.empty(4)
torch.normal(2.0, 3.0, size=(4,), out=out)
print("normal(..., out=out):", out)

# 从标准正态分布中抽取随机数创建张量，mean=0, std=1
c = torch.randn(2, 3, out=None, dtype=None, layout=torch.strided, device=None, requires_grad=False)
print("randn:", c.shape, c.dtype, c.layout, c.device, c.requires_grad)
print(c)
d = torch.randn_like(c, dtype=torch.float64, layout=None, device=None, requires_grad=True)
print("randn_like:", d.shape, d.dtype, d.requires_grad)
print(d)

# 从[0,1)均匀分布中抽取随机数创建张量
e = torch.rand((3,), out=None, dtype=None, layout=torch.strided, device=None, requires_grad=False)
print("rand:", e)
f = torch.rand_like(c, dtype=None, layout=torch.strided, device=None, requires_grad=False)
print("rand_like:", f.shape)
print(f)
print("all in [0, 1):", bool(((e >= 0) & (e < 1)).all() and ((f >= 0) & (f < 1)).all()))
