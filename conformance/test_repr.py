"""repr/str of tensors made through the public API equal torch's, character for character.
(The formatter itself is tested exhaustively in test_tensor_str.py; this checks the wiring:
dtypes, devices, requires_grad, grad_fn names, Parameters, print options, torch.Size.)"""

import numpy as np
import pytest
import torch

import jtorch

CASES = {
    "floats": lambda lib: lib.tensor([[1.5, -2.25, 3.0], [4.0, 5.125, -6.0]]),
    "ints": lambda lib: lib.arange(12).reshape(3, 4),
    "bools": lambda lib: lib.tensor([True, False, True]),
    "scalar": lambda lib: lib.tensor(3.5),
    "int_scalar": lambda lib: lib.tensor(7),
    "empty": lambda lib: lib.zeros(0, 3),
    "float64": lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float64),
    "float16": lambda lib: lib.tensor([1.0, 2.5], dtype=lib.float16),
    "int32": lambda lib: lib.tensor([1, 2], dtype=lib.int32),
    "uint8": lambda lib: lib.tensor([1, 255], dtype=lib.uint8),
    "big": lambda lib: lib.arange(2000.0).reshape(40, 50) / 7,
    "sci": lambda lib: lib.tensor([1e-8, 1.0, 1e9]),
    "nan_inf": lambda lib: lib.tensor([float("nan"), float("inf"), -float("inf"), 0.0]),
    "requires_grad": lambda lib: lib.ones(2, 2, requires_grad=True),
    "mul_backward": lambda lib: lib.ones(2, requires_grad=True) * 2,
    "sum_backward": lambda lib: (lib.ones(2, requires_grad=True) * 2).sum(),
    "mean_backward": lambda lib: lib.ones(3, requires_grad=True).mean(),
    "pow_backward": lambda lib: lib.ones(3, requires_grad=True) ** 2,
    "view_backward": lambda lib: lib.ones(4, requires_grad=True).view(2, 2),
    "select_backward": lambda lib: lib.ones(4, 2, requires_grad=True)[1],
    "slice_backward": lambda lib: lib.ones(4, requires_grad=True)[1:3],
    "t_backward": lambda lib: lib.ones(2, 3, requires_grad=True).t(),
    "mm_backward": lambda lib: lib.ones(2, 3, requires_grad=True) @ lib.ones(3, 2),
    "div_backward": lambda lib: lib.ones(2, requires_grad=True) / 3,
    "neg_backward": lambda lib: -lib.ones(2, requires_grad=True),
    "sub_backward": lambda lib: lib.ones(2, requires_grad=True) - 1,
    "rsub_backward": lambda lib: 1 - lib.ones(2, requires_grad=True),
    "exp_backward": lambda lib: lib.ones(2, requires_grad=True).exp(),
    "relu_backward": lambda lib: lib.relu(lib.ones(2, requires_grad=True)),
    "sigmoid_backward": lambda lib: lib.sigmoid(lib.ones(2, requires_grad=True)),
    "tanh_backward": lambda lib: lib.ones(2, requires_grad=True).tanh(),
    "cat_backward": lambda lib: lib.cat([lib.ones(2, requires_grad=True), lib.zeros(2)]),
    "stack_backward": lambda lib: lib.stack([lib.ones(2, requires_grad=True), lib.zeros(2)]),
    "unsqueeze_backward": lambda lib: lib.ones(2, requires_grad=True).unsqueeze(0),
    "squeeze_backward": lambda lib: lib.ones(2, 1, requires_grad=True).squeeze(1),
    "expand_backward": lambda lib: lib.ones(2, 1, requires_grad=True).expand(2, 3),
    "clone_backward": lambda lib: lib.ones(2, requires_grad=True).clone(),
    "to_backward": lambda lib: lib.ones(2, requires_grad=True).double(),
    "max_backward": lambda lib: lib.ones(2, requires_grad=True).max(),
    "detach": lambda lib: (lib.ones(2, requires_grad=True) * 2).detach(),
    "size": lambda lib: lib.ones(2, 3).shape,
    "size_0d": lambda lib: lib.tensor(1.0).size(),
    "dtype": lambda lib: lib.ones(2).dtype,
    "device": lambda lib: lib.ones(2).device,
    "max_dim": lambda lib: lib.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_repr(case):
    make = CASES[case]
    expected, actual = make(torch), make(jtorch)
    assert repr(actual) == repr(expected)
    assert str(actual) == str(expected)


def test_print_options():
    data = np.linspace(-3, 3, 17).astype(np.float32) * 1.2345
    try:
        for opts in ({"precision": 2}, {"threshold": 5, "edgeitems": 2}, {"sci_mode": True}, {"profile": "full"}):
            torch.set_printoptions(**opts)
            jtorch.set_printoptions(**opts)
            assert repr(jtorch.tensor(data)) == repr(torch.tensor(data)), opts
    finally:
        torch.set_printoptions(profile="default")
        jtorch.set_printoptions(profile="default")


def test_default_dtype_float64_suffixes():
    try:
        torch.set_default_dtype(torch.float64)
        jtorch.set_default_dtype(jtorch.float64)
        for make in (lambda lib: lib.tensor([1.5, 2.0]), lambda lib: lib.tensor([1.0], dtype=lib.float32)):
            assert repr(make(jtorch)) == repr(make(torch))
    finally:
        torch.set_default_dtype(torch.float32)
        jtorch.set_default_dtype(jtorch.float32)


def test_format_and_print_of_scalars():
    for fmt in ("{:.4f}", "{:.2e}", "{}"):
        assert fmt.format(jtorch.tensor(3.14159)) == fmt.format(torch.tensor(3.14159))
    assert f"{jtorch.tensor(2).item()}" == f"{torch.tensor(2).item()}"
