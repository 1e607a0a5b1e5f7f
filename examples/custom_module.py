"""A custom module: subclass nn.Module, create layers in __init__, use them in forward.

From the learner's notes (seed 004); the lines after the class are added.
"""

import torch
import torch.nn as nn

class MyModel(nn.Module):
    def __init__(self):
        super(MyModel, self).__init__()
        self.layer1 = nn.Linear(10, 20)
        self.layer2 = nn.Linear(20, 10)

    def forward(self, x):
        x = self.layer1(x)
        x = nn.ReLU()(x)
        x = self.layer2(x)
        return x


model = MyModel()
print(model)
out = model(torch.zeros(5, 10))
print(out.shape, out.dtype, out.grad_fn is not None)
for name, p in model.named_parameters():
    print(name, tuple(p.shape), p.requires_grad)
