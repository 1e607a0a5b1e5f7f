"""torch.autograd.backward(tensors, grad_tensors, retain_graph, create_graph), called for real.

From the learner's notes (seed 001), which only give the signature.
"""

import torch

# torch.autograd.backward(tensors,
# 						grad_tensors=None,
# 						retain_graph=None,
# 						create_graph=False)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

# tensors：用于求导的张量，例如 loss
loss = (x ** 2).sum()
torch.autograd.backward(loss)
print("d/dx sum(x^2):", x.grad)

# grade_tensors：多梯度权重，计算多个loss梯度时设置每个loss的权值
x.grad = None
loss1 = (x ** 2).sum()
loss2 = (3 * x).sum()
torch.autograd.backward([loss1, loss2], grad_tensors=[torch.tensor(1.0), torch.tensor(0.5)])
print("1.0 * d loss1 + 0.5 * d loss2:", x.grad)

# retain_graph：保存计算图，PyTorch采用动态图机制，每次反向传播后计算图都会释放掉
x.grad = None
y = (x * x).sum()
torch.autograd.backward(y, retain_graph=True)
torch.autograd.backward(y)  # the graph was kept, so a second pass works and accumulates
print("two passes, grads accumulate:", x.grad)
try:
    torch.autograd.backward(y)
except RuntimeError as error:
    print("third pass without retain_graph:", type(error).__name__)

# create_graph：创建导数计算图，用于高阶求导
x.grad = None
y = (x ** 3).sum()
torch.autograd.backward(y, create_graph=True)
first = x.grad  # 3 x^2, itself part of a graph
print("first derivative:", first.detach(), "requires_grad:", first.requires_grad)
x.grad = None
torch.autograd.backward(first.sum())
print("second derivative:", x.grad)
