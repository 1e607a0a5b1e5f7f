"""Small models built alike in torch and jtorch, for the tests of whole training steps
(test_compile.py, test_lazy.py): ``build(lib)`` makes one in library ``lib``."""

import torch

import jtorch


def pair(build, seed=0):
    """The same model in torch and jtorch (torch's initial weights)."""
    torch.manual_seed(seed)
    t = build(torch)
    j = build(jtorch)
    j.load_state_dict({k: jtorch.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    return t, j


def mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(10, 50), lib.nn.ReLU(), lib.nn.Linear(50, 3))


def convnet(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 3),
    )


def dropout_net(lib):
    return lib.nn.Sequential(lib.nn.Linear(10, 20), lib.nn.Dropout(0.3), lib.nn.Linear(20, 3))
