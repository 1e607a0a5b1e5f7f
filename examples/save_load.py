"""Saving and loading a model: the whole network, or only its parameters (state_dict).

From the learner's notes (seed 003): `torch.save(net)`, `torch.save(net.state_dict())`,
`torch.load('net.pkl')`, and the load_state_dict they lead to (seed 000). Since torch 2.6,
`torch.load` only reads weights unless told `weights_only=False`, which loading a whole
pickled network needs.
"""

import torch
from torch import nn

net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]])
expected = net(x)

# 保存整个网络模型 / 只保存参数
torch.save(net, "net.pkl")
torch.save(net.state_dict(), "net_params.pkl")

# 调用
whole = torch.load("net.pkl", weights_only=False)
print(whole)
print("whole network gives the same output:", torch.equal(whole(x), expected))

params = torch.load("net_params.pkl")
print("saved parameters:", [(name, tuple(t.shape)) for name, t in params.items()])
fresh = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
print(fresh.load_state_dict(params))
print("loaded parameters give the same output:", torch.equal(fresh(x), expected))

try:
    torch.load("net.pkl")
except Exception as error:
    print("whole network with the default weights_only=True:", type(error).__name__)
