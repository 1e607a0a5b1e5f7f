"""torch.autograd.grad(outputs, inputs, grad_outputs, retain_graph, create_graph), called for real.

From the learner's notes (seed 001), which only give the signature.
"""

import torch

# torch.autograd.grad(outputs,
# 					inputs,
# 					grad_outputs=None,
# 					retain_graph=None,
# 					create_graph=False)

# outputs：用于求导的张量，例如 loss
# inputs：需要梯度的张量，即组成 loss 的原始张量
w = torch.tensor([1.0, -2.0], requires_grad=True)
b = torch.tensor(0.5, requires_grad=True)
loss = ((w * 3.0).sum() + b) ** 2
grad_w, grad_b = torch.autograd.grad(loss, [w, b])
print("dloss/dw:", grad_w)
print("dloss/db:", grad_b)
print("w.grad is still", w.grad)

# grad_outputs：多梯度权重 (a weight for each element of a non-scalar output)
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x ** 2
(g,) = torch.autograd.grad(y, x, grad_outputs=torch.tensor([1.0, 0.1, 0.01]))
print("weighted gradient:", g)

# retain_graph：保存计算图，PyTorch采用动态图机制，每次反向传播后计算图都会释放掉
z = (x * x).sum()
print("first call:", torch.autograd.grad(z, x, retain_graph=True)[0])
print("second call:", torch.autograd.grad(z, x)[0])

# create_graph：创建导数计算图，用于高阶求导
t = torch.tensor(2.0, requires_grad=True)
f = t ** 4
(df,) = torch.autograd.grad(f, t, create_graph=True)
(d2f,) = torch.autograd.grad(df, t, create_graph=True)
(d3f,) = torch.autograd.grad(d2f, t)
print("f, f', f'', f''' at t=2:", f.item(), df.item(), d2f.item(), d3f.item())
print(df)
