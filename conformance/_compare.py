"""One helper to compare an expression in real torch and in jtorch.

``same(fn, *inputs)`` runs ``fn(lib, *tensors)`` with ``lib`` = torch and with ``lib`` = jtorch
on the same inputs (numpy arrays or Python values, turned into each library's tensors), and
checks: the same exception type if torch raises; otherwise the same structure, shapes, dtypes
and values (torch.testing's default tolerances for the dtype), and, for float inputs that
require grad, the same gradients of ``sum(out * cotangent)``.
"""

import math
import warnings

import numpy as np
import torch

import jtorch

_TOL = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}


def dtype_name(d):
    return str(d).replace("torch.", "")


def to_numpy(t):
    """Values of a torch or jtorch tensor as numpy (bfloat16 widened to float32)."""
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu()
        if t._is_zerotensor():  # torch's symbolic zero gradient (sgn, sign, ...)
            t = torch.zeros_like(t)
        t = t.resolve_conj().resolve_neg()
        if t.dtype == torch.bfloat16:
            t = t.float()
        return t.numpy()
    t = t.detach().cpu()
    if t.dtype == jtorch.bfloat16:
        t = t.float()
    # np.asarray copies; .numpy() would make the tensor numpy-backed as a side effect.
    return np.asarray(t)


def arr(rng, *shape, dtype="float32"):
    """Random numpy test data of ``shape`` with distinct values (so flips and transposes
    show), or random bools."""
    n = int(np.prod(shape))
    if dtype == "bool":
        return np.asarray(rng.random(shape) > 0.5)
    values = rng.permutation(n) - n // 2
    if dtype == "int64":
        return np.asarray(values.reshape(shape), dtype=np.int64)
    return np.asarray((values + rng.random(n)).reshape(shape), dtype=dtype)


def make(lib, value, requires_grad=False, dtype=None):
    """A tensor of ``lib`` from a numpy array or Python data."""
    if isinstance(value, np.ndarray):
        t = lib.tensor(value)
    else:
        t = lib.tensor(value)
    if dtype is not None:
        t = t.to(getattr(lib, dtype_name(dtype)))
    if requires_grad:
        t.requires_grad_(True)
    return t


def assert_close(actual, expected, rtol=None, atol=None, what="value", check_dtype=True):
    """jtorch result ``actual`` equals torch result ``expected`` (tensors, sequences, scalars)."""
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, jtorch.Tensor), f"{what}: expected a Tensor, got {type(actual).__name__}"
        assert tuple(actual.shape) == tuple(expected.shape), f"{what}: shape {tuple(actual.shape)} != {tuple(expected.shape)}"
        if check_dtype:
            assert dtype_name(actual.dtype) == dtype_name(expected.dtype), f"{what}: dtype {actual.dtype} != {expected.dtype}"
        e = to_numpy(expected)
        a = to_numpy(actual)
        name = dtype_name(expected.dtype)
        r, at = _TOL.get(name, (0, 0))
        np.testing.assert_allclose(
            a.astype(e.dtype) if a.dtype != e.dtype else a,
            e,
            rtol=r if rtol is None else rtol,
            atol=at if atol is None else atol,
            equal_nan=True,
            err_msg=what,
        )
        return
    if isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)), f"{what}: expected a sequence, got {type(actual).__name__}"
        assert len(actual) == len(expected), f"{what}: length {len(actual)} != {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_close(a, e, rtol, atol, f"{what}[{i}]", check_dtype)
        return
    if isinstance(expected, torch.Size):
        assert tuple(actual) == tuple(expected), f"{what}: {actual} != {expected}"
        return
    if isinstance(expected, torch.dtype):
        assert dtype_name(actual) == dtype_name(expected), f"{what}: {actual} != {expected}"
        return
    if isinstance(expected, float) and math.isnan(expected):
        assert isinstance(actual, float) and math.isnan(actual), f"{what}: {actual} != nan"
        return
    if isinstance(expected, float):
        assert type(actual) is float, f"{what}: expected float, got {type(actual).__name__}"
        assert math.isclose(actual, expected, rel_tol=1e-6, abs_tol=1e-6), f"{what}: {actual} != {expected}"
        return
    assert type(actual) is type(expected), f"{what}: type {type(actual).__name__} != {type(expected).__name__}"
    assert actual == expected, f"{what}: {actual!r} != {expected!r}"


def _tensors(out):
    if isinstance(out, (torch.Tensor, jtorch.Tensor)):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _tensors(o)]
    return []


def _differentiable(t):
    return t.requires_grad and (t.dtype.is_floating_point or t.dtype.is_complex)


def same(fn, *inputs, grad=True, rtol=None, atol=None, requires_grad=None, seed=0):
    """Compare ``fn(lib, *tensors)`` between torch and jtorch (see the module docstring).

    ``inputs``: numpy arrays (become tensors; float ones require grad unless ``requires_grad``
    says otherwise, a list of bools per input) or other Python values passed as they are.
    """
    def build(lib):
        out = []
        for i, v in enumerate(inputs):
            if isinstance(v, np.ndarray):
                rg = v.dtype.kind == "f" if requires_grad is None else requires_grad[i]
                out.append(make(lib, v, requires_grad=rg and grad))
            else:
                out.append(v)
        return out

    t_in, j_in = build(torch), build(jtorch)
    try:
        expected = fn(torch, *t_in)
    except Exception as e:  # torch raised: jtorch must raise the same type
        try:
            fn(jtorch, *j_in)
        except Exception as je:
            assert isinstance(je, type(e)), f"torch raised {type(e).__name__}: {e}; jtorch raised {type(je).__name__}: {je}"
            return e, je
        raise AssertionError(f"torch raised {type(e).__name__}: {e}; jtorch did not raise")
    actual = fn(jtorch, *j_in)
    assert_close(actual, expected, rtol, atol)
    if grad:
        _compare_grads(t_in, j_in, expected, actual, rtol, atol, seed)
    return expected, actual


def _compare_grads(t_in, j_in, expected, actual, rtol, atol, seed):
    t_outs = [o for o in _tensors(expected) if _differentiable(o)]
    j_outs = [o for o in _tensors(actual) if _differentiable(o)]
    t_leaves = [t for t in t_in if isinstance(t, torch.Tensor) and t.requires_grad]
    if not t_outs or not t_leaves:
        return
    assert len(j_outs) == len(t_outs), "different number of differentiable outputs"
    rng = np.random.default_rng(seed)
    cts = [rng.standard_normal(tuple(to.shape)).astype(to_numpy(to).dtype) for to in t_outs]
    t_cts = [torch.tensor(ct).to(to.dtype) for ct, to in zip(cts, t_outs)]
    j_cts = [jtorch.tensor(ct).to(jo.dtype) for ct, jo in zip(cts, j_outs)]
    j_leaves = [t for t in j_in if isinstance(t, jtorch.Tensor) and t.requires_grad]
    # The gradient of sum(out * ct), asked for as grad_outputs (no extra ops to compile).
    t_grads = torch.autograd.grad(t_outs, t_leaves, t_cts, allow_unused=True)
    j_grads = jtorch.autograd.grad(j_outs, j_leaves, j_cts, allow_unused=True)
    for i, (jg, tg) in enumerate(zip(j_grads, t_grads)):
        if tg is None:
            assert jg is None or not to_numpy(jg).any(), f"grad[{i}]: torch has none, jtorch has {jg}"
            continue
        assert jg is not None, f"grad[{i}]: jtorch has none"
        assert_close(jg, tg, rtol, atol, f"grad[{i}]")


def outcome(fn, lib, with_warnings=False):
    """``fn(lib)``'s repr, or its exception's type and text (package name normalised), and with
    ``with_warnings`` the texts of the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("ok", repr(fn(lib)))
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            result = (type(e).__name__, str(e))
    result = (result[0], result[1].replace("jtorch.", "torch."))
    if with_warnings:
        result += ([f"{w.category.__name__}: {w.message}" for w in caught],)
    return result


def same_outcome(fn, with_warnings=False):
    """``fn(torch)`` and ``fn(jtorch)`` give the same repr or the same exception (and warnings)."""
    expected = outcome(fn, torch, with_warnings)
    actual = outcome(fn, jtorch, with_warnings)
    assert actual == expected, f"\ntorch:  {expected}\njtorch: {actual}"
    return expected


def module_pair(ctor):
    """``ctor(lib.nn)`` in both libraries, jtorch's holding copies of torch's state."""
    t_mod, j_mod = ctor(torch.nn), ctor(jtorch.nn)
    state = {
        k: jtorch.tensor(to_numpy(v)).to(getattr(jtorch, dtype_name(v.dtype)))
        for k, v in t_mod.state_dict().items()
    }
    j_mod.load_state_dict(state)
    return {torch: t_mod, jtorch: j_mod}


def module_same(ctor, *inputs, **kw):
    """``same`` for a module built by ``ctor(lib.nn)`` with torch's state copied into jtorch's."""
    mods = module_pair(ctor)
    return same(lambda lib, *xs: mods[lib](*xs), *inputs, **kw)
