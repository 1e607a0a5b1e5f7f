"""Beginner training loops, torch and jtorch from the same copied weights on the same data:
the loss after every step must agree to 1e-4 (issue "nn": the MLP of the notes' example 004,
a LeNet-style CNN with cross entropy, an LSTM regressor). The update is plain SGD written out
(``p -= lr * p.grad`` under no_grad, ``zero_grad()``), as beginners first write it, or a
torch.optim optimizer with a scheduler (issue "optim"): the loop of the notes, end to end. The
optimizers themselves are tested against optim_db in test_optim.py.
"""

import numpy as np
import pytest
import torch

import jtorch

STEPS = 25


class _Factory:
    """Each model built over ``lib`` (torch or jtorch), the same code for both."""

    @staticmethod
    def mlp(lib):
        nn = lib.nn

        class SimpleModel(nn.Module):  # examples/train_simple_model.py
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(10, 50)
                self.fc2 = nn.Linear(50, 1)

            def forward(self, x):
                return self.fc2(lib.relu(self.fc1(x)))

        return SimpleModel(), nn.MSELoss()

    @staticmethod
    def cnn(lib):
        nn = lib.nn

        class LeNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
                self.pool = nn.MaxPool2d(2, 2)
                self.conv2 = nn.Conv2d(6, 16, 5)
                self.bn = nn.BatchNorm2d(16)
                self.fc1 = nn.Linear(16 * 5 * 5, 120)
                self.fc2 = nn.Linear(120, 84)
                self.fc3 = nn.Linear(84, 10)

            def forward(self, x):
                x = self.pool(lib.relu(self.conv1(x)))
                x = self.pool(lib.relu(self.bn(self.conv2(x))))
                x = lib.flatten(x, 1)
                x = lib.relu(self.fc1(x))
                x = lib.relu(self.fc2(x))
                return self.fc3(x)

        return LeNet(), nn.CrossEntropyLoss()

    @staticmethod
    def lstm(lib):
        nn = lib.nn

        class Regressor(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = nn.LSTM(input_size=3, hidden_size=16, num_layers=2, batch_first=True)
                self.head = nn.Linear(16, 1)

            def forward(self, x):
                out, (h, c) = self.lstm(x)
                return self.head(out[:, -1, :])

        return Regressor(), nn.MSELoss()


def _data(kind, rng):
    if kind == "mlp":
        return rng.standard_normal((32, 10)), rng.standard_normal((32, 1))
    if kind == "cnn":
        return rng.standard_normal((16, 1, 28, 28)), rng.integers(0, 10, 16)
    return rng.standard_normal((8, 12, 3)), rng.standard_normal((8, 1))


def _tensor(lib, a):
    return lib.tensor(a, dtype=lib.float32 if a.dtype.kind == "f" else lib.int64)


def _train(lib, model, loss_fn, x, y, lr, optimizer=None):
    """``optimizer``: None for the hand-written update, else ``(name, kwargs)`` of lib.optim,
    stepped with a StepLR halving the rate every 10 steps."""
    if optimizer is not None:
        name, kwargs = optimizer
        opt = getattr(lib.optim, name)(model.parameters(), lr=lr, **kwargs)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    losses = []
    for _ in range(STEPS):
        loss = loss_fn(model(x), y)
        if optimizer is None:
            model.zero_grad()
            loss.backward()
            with lib.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
        else:
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize(
    "kind, lr, optimizer",
    [
        ("mlp", 0.05, None),
        ("cnn", 0.05, None),
        ("lstm", 0.1, None),
        ("mlp", 0.05, ("SGD", {"momentum": 0.9})),
        ("mlp", 0.01, ("Adam", {})),
        # not Adam on the CNN: conv2's bias feeds a BatchNorm, so its gradient is rounding
        # noise (~1e-9), which Adam normalises into full-size steps of arbitrary sign
        ("cnn", 0.01, ("SGD", {"momentum": 0.9, "nesterov": True, "weight_decay": 1e-4})),
        ("lstm", 0.01, ("AdamW", {"amsgrad": True})),
    ],
)
def test_loss_curve_matches_torch(kind, lr, optimizer):
    torch.manual_seed(0)
    t_model, t_loss = getattr(_Factory, kind)(torch)
    j_model, j_loss = getattr(_Factory, kind)(jtorch)
    state = {k: jtorch.tensor(v.detach().numpy()) for k, v in t_model.state_dict().items()}
    j_model.load_state_dict(state)
    x, y = _data(kind, np.random.default_rng(1))
    expected = _train(torch, t_model, t_loss, _tensor(torch, x), _tensor(torch, y), lr, optimizer)
    actual = _train(jtorch, j_model, j_loss, _tensor(jtorch, x), _tensor(jtorch, y), lr, optimizer)
    assert expected[-1] < expected[0]  # the loop really learns
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-4)
    for key, value in t_model.state_dict().items():
        np.testing.assert_allclose(
            j_model.state_dict()[key].numpy(), value.numpy(), rtol=1e-3, atol=1e-4, err_msg=key
        )
