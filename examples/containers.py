"""The containers Sequential, ModuleList and ModuleDict.

From the learner's notes (seed 004), which give the constructors' signatures.
"""

import torch

# 顺序容器（Sequential）：torch.nn.Sequential(*args)
seq = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
print(seq)
print("output:", seq(torch.ones(3, 4)).shape)
print("parameters:", sum(p.numel() for p in seq.parameters()))

# 模块列表（ModuleList）：torch.nn.ModuleList(modules=None)
layers = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)])
layers.append(torch.nn.Tanh())
print(layers)
print("len:", len(layers), "second:", layers[1])

# 模块字典（ModuleDict）：torch.nn.ModuleDict(modules=None)
blocks = torch.nn.ModuleDict({"encoder": torch.nn.Linear(4, 2), "act": torch.nn.Sigmoid()})
blocks["decoder"] = torch.nn.Linear(2, 4)
print(blocks)
print("keys:", list(blocks.keys()))
print("state_dict:", [(name, tuple(t.shape)) for name, t in blocks.state_dict().items()])
