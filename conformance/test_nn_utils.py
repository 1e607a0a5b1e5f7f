"""torch.nn.utils against real torch: speaks about jtorch/nn/utils/clip_grad.py and
convert_parameters.py.

Each test runs one script with ``lib`` = torch and ``lib`` = jtorch on the same data and
compares a plain-Python summary of what it returns: tensor values, dtypes, requires_grad,
identities, warnings, and exception types and texts.
"""

import inspect
import math
import warnings

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import to_numpy

RNG = np.random.default_rng(0)
DATA = {
    "w": RNG.standard_normal((4, 3)).astype(np.float32),
    "b": RNG.standard_normal((3,)).astype(np.float32),
    "v": RNG.standard_normal((2, 5)).astype(np.float32),
}


def summary(x):
    if isinstance(x, (torch.Tensor, jtorch.Tensor)):
        return ("Tensor", str(x.dtype), tuple(x.shape), x.requires_grad, to_numpy(x))
    if isinstance(x, (torch.dtype, jtorch.dtype)):
        return str(x)
    if isinstance(x, (list, tuple)):
        return [summary(v) for v in x]
    return x


def equal(a, b):
    """Summaries agree: arrays to float32 rounding (NaNs and signs of zero included)."""
    if isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and a.shape == b.shape
            and np.allclose(a, b, rtol=2e-6, atol=1e-7, equal_nan=True)
            and (np.signbit(a) == np.signbit(b)).all()
        )
    if isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(equal, a, b))
    if isinstance(b, float) and math.isnan(b):
        return isinstance(a, float) and math.isnan(a)
    return type(a) is type(b) and a == b


def run(script):
    """``script(lib)`` on both libraries: the same summary and warnings, or the same exception
    type and text."""
    results = []
    for lib in (torch, jtorch):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                out = summary(script(lib))
            results.append(("ok", out, [(w.category.__name__, str(w.message)) for w in caught]))
        except Exception as e:  # noqa: BLE001 - the exception itself is compared
            results.append((type(e).__name__, str(e)))
    assert equal(results[1], results[0]), f"\ntorch:  {results[0]}\njtorch: {results[1]}"
    return results[0]


def params(lib, grads=True, scale=1.0, dtypes=("float32",) * 3):
    """Three parameters (w, b, v) with gradients ``scale * data`` (b has none if grads is
    'partial')."""
    out = []
    for (name, value), dtype in zip(DATA.items(), dtypes):
        p = lib.nn.Parameter(lib.tensor(value * 0.5).to(getattr(lib, dtype)))
        if grads is True or (grads == "partial" and name != "b"):
            p.grad = lib.tensor(value * scale).to(getattr(lib, dtype))
        out.append(p)
    return out


# ---- clip_grad_norm_ --------------------------------------------------------------------------------

NORMS = [2.0, 1, 3.5, 0.5, 0, math.inf, "inf", -math.inf]


@pytest.mark.parametrize("norm_type", NORMS, ids=str)
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm(norm_type, max_norm):
    def script(lib):
        ps = params(lib)
        total = lib.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
        return total, [p.grad for p in ps]

    run(script)


@pytest.mark.parametrize("foreach", [None, True, False])
def test_clip_grad_norm_foreach_and_inplace(foreach):
    """Grads are scaled in place (same objects, bumped versions); the params are untouched."""

    def script(lib):
        ps = params(lib)
        before = [(p.grad, p.grad._version) for p in ps]
        total = lib.nn.utils.clip_grad_norm_(ps, 1.0, foreach=foreach)
        same = [p.grad is g and p.grad._version > v for p, (g, v) in zip(ps, before)]
        return total, same, [p.grad for p in ps], [p for p in ps], total.grad_fn is None

    run(script)


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: ps[0],  # a single tensor
        lambda ps: iter(ps),  # an iterator
        lambda ps: (p for p in ps),  # a generator
        lambda ps: (p for p in []),  # an empty generator: a warning
        lambda ps: [],
        lambda ps: tuple(ps),
    ],
    ids=["tensor", "iterator", "generator", "empty-generator", "empty-list", "tuple"],
)
def test_clip_grad_norm_parameter_forms(make):
    def script(lib):
        ps = params(lib)
        total = lib.nn.utils.clip_grad_norm_(make(ps), 0.5)
        return total, [p.grad for p in ps]

    run(script)


def test_clip_grad_norm_skips_missing_grads_and_module_parameters():
    def script(lib):
        ps = params(lib, grads="partial")
        model = lib.nn.Module()
        for i, p in enumerate(ps):
            model.register_parameter(f"p{i}", p)
        total = lib.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        return total, [p.grad for p in ps]

    run(script)


@pytest.mark.parametrize("dtypes", [("float64",) * 3, ("float32", "float64", "float32"),
                                    ("float16", "float16", "float32"), ("bfloat16",) * 3])  # fmt: skip
def test_clip_grad_norm_dtypes(dtypes):
    def script(lib):
        ps = params(lib, dtypes=dtypes)
        total = lib.nn.utils.clip_grad_norm_(ps, 0.5)
        return total.dtype, total.float(), [p.grad.float() for p in ps]

    run(script)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
@pytest.mark.parametrize("error_if_nonfinite", [True, False])
def test_clip_grad_norm_nonfinite(bad, error_if_nonfinite):
    def script(lib):
        ps = params(lib)
        with lib.no_grad():
            ps[1].grad[0] = bad
        total = lib.nn.utils.clip_grad_norm_(ps, 1.0, error_if_nonfinite=error_if_nonfinite)
        return total, [p.grad for p in ps]

    run(script)


def test_clip_grad_norm_deprecated_alias():
    run(lambda lib: lib.nn.utils.clip_grad_norm(params(lib), 1.0, 1))


# ---- get_total_norm, clip_grads_with_norm_ ---------------------------------------------------------------


@pytest.mark.parametrize("norm_type", [2, 1, math.inf, 0.5])
def test_get_total_norm_and_clip_with_norm(norm_type):
    def script(lib):
        ps = params(lib)
        grads = [p.grad for p in ps]
        total = lib.nn.utils.get_total_norm(grads, norm_type)
        single = lib.nn.utils.get_total_norm(grads[0], norm_type)
        empty = lib.nn.utils.get_total_norm([], norm_type)
        out = lib.nn.utils.clip_grads_with_norm_(ps, 0.3, total)
        return total, single, empty, out, grads

    run(script)


def test_get_total_norm_error_if_nonfinite():
    def script(lib):
        return lib.nn.utils.get_total_norm([lib.tensor([1.0, math.inf])], error_if_nonfinite=True)

    run(script)


def test_clip_grads_with_norm_no_grads_and_tensor_max():
    def script(lib):
        ps = params(lib, grads=False)
        lib.nn.utils.clip_grads_with_norm_(ps, 1.0, lib.tensor(5.0))
        qs = params(lib)
        lib.nn.utils.clip_grads_with_norm_(qs[0], lib.tensor(1.0), lib.tensor(4.0))
        return [p.grad for p in ps], qs[0].grad

    run(script)


# ---- clip_grad_value_ -------------------------------------------------------------------------------------


@pytest.mark.parametrize("clip_value", [0.3, 1, 10.0, -0.2])
@pytest.mark.parametrize("foreach", [None, True, False])
def test_clip_grad_value(clip_value, foreach):
    def script(lib):
        ps = params(lib, grads="partial")
        before = [(p.grad, p.grad._version) if p.grad is not None else None for p in ps]
        out = lib.nn.utils.clip_grad_value_(ps, clip_value, foreach=foreach)
        same = [
            b is None or (p.grad is b[0] and p.grad._version > b[1]) for p, b in zip(ps, before)
        ]
        return out, same, [p.grad for p in ps]

    run(script)


def test_clip_grad_value_single_tensor_and_generator():
    def script(lib):
        ps = params(lib)
        lib.nn.utils.clip_grad_value_(ps[0], 0.1)
        lib.nn.utils.clip_grad_value_((p for p in ps[1:]), 0.2)
        return [p.grad for p in ps]

    run(script)


# ---- parameters_to_vector, vector_to_parameters ------------------------------------------------------------


def test_parameters_to_vector_values_and_gradient():
    def script(lib):
        ps = params(lib, grads=False)
        vec = lib.nn.utils.parameters_to_vector(ps)
        (vec * lib.arange(vec.numel(), dtype=vec.dtype)).sum().backward()
        return vec, vec.grad_fn is not None, [p.grad for p in ps]

    run(script)


def test_parameters_to_vector_errors():
    run(lambda lib: lib.nn.utils.parameters_to_vector([]))
    run(lambda lib: lib.nn.utils.parameters_to_vector([lib.zeros(3, 4).t()]))


def test_vector_to_parameters_shares_storage_with_vec():
    def script(lib):
        ps = params(lib, grads=False)
        n = sum(p.numel() for p in ps)
        vec = lib.arange(n, dtype=lib.float32)
        out = lib.nn.utils.vector_to_parameters(vec, ps)
        kinds = [type(p).__name__ for p in ps]
        copied = [p.detach().clone() for p in ps]
        with lib.no_grad():
            vec.mul_(-1)  # the parameters now view vec
        return out, kinds, copied, [p for p in ps], [p.requires_grad for p in ps]

    run(script)


@pytest.mark.parametrize(
    "vec",
    [
        lambda lib: [1.0, 2.0],
        lambda lib: np.zeros(23, dtype=np.float32),
        lambda lib: lib.zeros(5),  # too short
        lambda lib: lib.zeros(40),  # longer is fine
    ],
    ids=["list", "ndarray", "short", "long"],
)
def test_vector_to_parameters_errors(vec):
    def script(lib):
        ps = params(lib, grads=False)
        lib.nn.utils.vector_to_parameters(vec(lib), ps)
        return [p for p in ps]

    run(script)


def test_public_names():
    names = ["clip_grad_norm", "clip_grad_norm_", "clip_grads_with_norm_", "clip_grad_value_",
             "get_total_norm", "parameters_to_vector", "vector_to_parameters"]  # fmt: skip
    for name in names:
        signatures = [
            [(p.name, p.default, p.kind) for p in inspect.signature(fn).parameters.values()]
            for fn in (getattr(torch.nn.utils, name), getattr(jtorch.nn.utils, name))
        ]
        assert signatures[1] == signatures[0], name
    assert set(jtorch.nn.utils.__all__) <= set(torch.nn.utils.__all__)
