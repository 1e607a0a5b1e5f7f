"""Complex numbers (jtorch/_ops/complex.py, torch.complex/polar, the complex gradient
convention of autograd/graph.py) against real torch.

op_db runs only real dtypes, so it never sees a complex leaf. Here: gradients of complex
functions of complex leaves under complex cotangents (torch's conjugate convention, Note
[complex gradients]), including abs/sgn/angle at 0; complex outputs of real inputs;
writes through the complex views (real, imag, view_as_real, view_as_complex, conj), also
under autograd; strides and the conj bit; torch's errors; and printing.
"""

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import same, same_outcome

Z = np.array([[1 + 2j, -0.5 + 0.3j, 0j], [2.5 - 1j, -1.5 - 2j, 0.7j]])  # 0: abs/sgn/angle kinks
CT = np.array([[0.3 - 0.7j, 1.1 + 0.2j, -0.4 + 0.9j], [0.5 + 0.5j, -1.2 + 0.1j, 0.8 - 0.3j]])
CDTYPES = ["complex64", "complex128"]

# Known divergences from torch, by row id (each xfail(strict=True): it must still fail).
KNOWN_FAILURES = {
    "is_neg": "jtorch has no negative bit: x.conj().imag.is_neg() is False (torch: True)",
}


def params(table):
    return [
        pytest.param(*row, id=row[0], marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[row[0]])])
        if row[0] in KNOWN_FAILURES
        else pytest.param(*row, id=row[0])
        for row in table
    ]


def _ct(lib, y):
    """A complex (or real) cotangent shaped like ``y``."""
    ct = np.resize(CT.reshape(-1), tuple(y.shape))
    return lib.tensor(np.ascontiguousarray(ct if y.is_complex() else ct.real)).to(y.dtype)


def _grads(f):
    """fn(lib, *inputs) for ``same``: the input gradients of ``f`` for a complex cotangent."""

    def run(lib, *xs):
        leaves = [x.requires_grad_() for x in xs]
        y = f(lib, *leaves)
        gs = lib.autograd.grad(y, leaves, _ct(lib, y), allow_unused=True)
        return tuple(g.resolve_conj() for g in gs)

    return run


# ---- gradients of complex leaves --------------------------------------------------------------

HOLO_AND_NOT = [
    ("mul_self", lambda L, x: x * x),
    ("abs_sq", lambda L, x: (x * x.conj()).real),
    ("abs_of_square", lambda L, x: (x * x).abs()),
    ("abs", lambda L, x: x.abs()),
    ("sgn", lambda L, x: x.sgn()),
    ("angle", lambda L, x: x.angle()),
    ("sin", lambda L, x: L.sin(x)),
    ("exp_div", lambda L, x: L.exp(x) / (x + 3)),
    ("pow", lambda L, x: (x + 1) ** 2.5),
    ("conj", lambda L, x: x.conj() * (1 + 1j)),
    ("conj_physical", lambda L, x: L.conj_physical(x) * (2 - 1j)),
    ("real", lambda L, x: x.real * 3),
    ("imag", lambda L, x: L.imag(x) * 3),
    ("view_as_real", lambda L, x: L.view_as_real(x) * 2),
    ("mixed", lambda L, x: x * x.conj() * x + x.real),
    ("sum", lambda L, x: (x * (1 + 1j)).sum()),
    ("matmul", lambda L, x: x @ x.mT),
    ("to_real", lambda L, x: x.to(L.float64) * x.abs()),
]


# complex64 everywhere; complex128 where the kernels differ by precision (kinks at 0, mixed).
BOTH = {"abs", "sgn", "angle", "mixed"}


@pytest.mark.parametrize("name, f", params(HOLO_AND_NOT))
def test_complex_leaf_gradient(name, f):
    for dtype in CDTYPES if name in BOTH else CDTYPES[:1]:
        same(_grads(f), Z.astype(dtype), grad=False, rtol=1e-5, atol=1e-6)


A = np.array([1.0, 0.0, 0.5, -1.5])  # polar: torch differentiates abs through sgn(result)
B = np.array([0.3, -1.0, 2.0, 0.0])
REAL_TO_COMPLEX = [
    ("complex", lambda L, a, b: L.complex(a, b)),
    ("polar", lambda L, a, b: L.polar(a, b)),
    ("cdouble", lambda L, a, b: a.cdouble() * b),
    ("cfloat", lambda L, a, b: a.float().cfloat() * (1 + 2j) + b.float()),
    ("view_as_complex", lambda L, a, b: L.view_as_complex(L.stack([a, b], -1))),
]


@pytest.mark.parametrize("name, f", params(REAL_TO_COMPLEX))
def test_complex_output_of_real_inputs(name, f):
    for dtype in ("float32", "float64") if name == "polar" else ("float64",):
        same(_grads(f), A.astype(dtype), B.astype(dtype), grad=False, rtol=1e-5, atol=1e-6)


def test_harness_loss_view_as_real():
    """The loss recommended for op_db's complex outputs: sum(view_as_real(out) * ct)."""

    def f(lib, a, b):
        ct = lib.tensor(np.arange(8.0).reshape(4, 2) - 3)
        loss = (lib.view_as_real(lib.polar(a, b).resolve_conj()) * ct).sum()
        return lib.autograd.grad(loss, [a, b])

    same(f, A, B, grad=False)


def test_create_graph_complex():
    def f(lib, x):
        x.requires_grad_()
        (g,) = lib.autograd.grad((x * x * x.conj()).real.sum(), x, create_graph=True)
        return lib.autograd.grad((g * g.conj()).real.sum(), x)

    same(f, Z[0], grad=False)


# ---- views: write-through, strides, conj bit ------------------------------------------------------


def _write(view, value):
    def run(lib, z):
        z = z.clone()
        v = view(lib, z)
        v[0] = value
        return z, v.resolve_conj().resolve_neg()

    return run


VIEW_WRITES = [
    ("real", _write(lambda L, z: z.real, 9.0)),
    ("imag", _write(lambda L, z: z.imag, -4.0)),
    ("torch_real", _write(lambda L, z: L.real(z)[1:], 7.0)),
    ("view_as_real", _write(lambda L, z: L.view_as_real(z)[:, 1], 5.0)),
    ("conj", _write(lambda L, z: z.conj(), 3 + 4j)),
    ("conj_imag", _write(lambda L, z: z.conj().imag, 6.0)),
    ("conj_of_conj", _write(lambda L, z: z.conj()[1:].conj(), 1 - 1j)),
    ("transpose_real", _write(lambda L, z: z.view(2, 2).t().real, 8.0)),
    ("view_as_complex", _write(lambda L, z: L.view_as_complex(L.view_as_real(z)), 2j)),
]


@pytest.mark.parametrize("name, run", params(VIEW_WRITES))
def test_view_write_through(name, run):
    same(run, np.array([1 + 2j, 3 - 4j, 5j, -1 + 0.5j], dtype=np.complex64), grad=False)


def test_real_imag_setters():
    def run(lib, z):
        z = z.clone()
        z.real = lib.tensor([1.0, 2.0])
        z.imag = 7
        return z

    same(run, np.array([1 + 2j, 3 - 4j]), grad=False)


def test_view_as_complex_of_float_storage():
    def run(lib, f):
        f = f.clone()
        c = lib.view_as_complex(f)
        c[1] = -1 - 1j
        f[0, 0] = 10.0
        r = lib.view_as_real(c)[2:]
        r[0, 1] = -9.0
        return f, c, c.stride(), c.storage_offset(), r.stride(), r.storage_offset()

    same(run, np.arange(8.0, dtype=np.float32).reshape(4, 2), grad=False)


LAYOUTS = [
    ("real", lambda L, z: z.real),
    ("imag", lambda L, z: z.imag),
    ("view_as_real", lambda L, z: L.view_as_real(z)),
    ("imag_of_slice", lambda L, z: z[:, 1:].imag),
    ("conj_t", lambda L, z: z.conj().t()),
    ("view_as_complex_slice", lambda L, z: L.view_as_complex(L.view_as_real(z)[1:])),
]


@pytest.mark.parametrize("name, view", params(LAYOUTS))
def test_view_layout(name, view):
    def run(lib, z):
        v = view(lib, z)
        return v.stride(), v.storage_offset(), v.is_contiguous(), v._base is z

    same(run, Z, grad=False)


CONJ_BITS = [
    ("conj", lambda L, z: z.conj().is_conj()),
    ("conj_conj", lambda L, z: z.conj().conj().is_conj()),
    ("conj_t", lambda L, z: L.is_conj(z.conj().t())),
    ("conj_clone", lambda L, z: z.conj().clone().is_conj()),
    ("conj_add", lambda L, z: (z.conj() + 0).is_conj()),
    ("conj_physical", lambda L, z: L.conj_physical(z).is_conj()),
    ("resolved", lambda L, z: z.conj().resolve_conj().is_conj()),
    ("resolved_no_alias", lambda L, z: z.conj().resolve_conj()._base is None),
    ("is_neg", lambda L, z: z.conj().imag.is_neg()),
    ("real_is_neg", lambda L, z: L.is_neg(z.real)),
]


@pytest.mark.parametrize("name, f", params(CONJ_BITS))
def test_conj_bit(name, f):
    same(f, Z, grad=False)


def test_resolve_conj_does_not_alias():
    def run(lib, z):
        r = z.conj().resolve_conj()
        r[0] = 0
        return z

    same(run, Z[0], grad=False)


@pytest.mark.parametrize("name", ["conj", "real", "resolve_conj", "resolve_neg", "conj_physical"])
def test_real_input_returned_as_is(name):
    for lib in (torch, jtorch):
        x = lib.tensor([1.0, -2.0])
        assert getattr(lib, name)(x) is x
        assert (x.real if name == "real" else getattr(x, name)()) is x


def test_write_into_complex_view_under_autograd():
    def run(lib, x, w):
        x.requires_grad_()
        w.requires_grad_()
        y = x * (1 + 1j)
        y.real[0] = w.sum()
        y.imag[1:] = w * 2
        loss = (lib.view_as_real(y) * lib.tensor(np.arange(6.0).reshape(3, 2) - 2)).sum()
        return (y,) + lib.autograd.grad(loss, [x, w])

    same(run, Z[0], np.array([0.5, -1.5]), grad=False)


# ---- errors --------------------------------------------------------------------------------------

ERRORS = [
    ("imag_of_real", lambda L: L.randn(3).imag),
    ("torch_imag_of_real", lambda L: L.imag(L.ones(2))),
    ("view_as_real_of_real", lambda L: L.view_as_real(L.ones(3))),
    ("view_as_real_of_conj", lambda L: L.view_as_real(L.tensor([1 + 1j]).conj())),
    ("view_as_complex_size", lambda L: L.view_as_complex(L.ones(3, 3))),
    ("view_as_complex_0d", lambda L: L.view_as_complex(L.tensor(1.0))),
    ("view_as_complex_int", lambda L: L.view_as_complex(L.ones(3, 2, dtype=L.int64))),
    ("view_as_complex_stride", lambda L: L.view_as_complex(L.ones(2, 3).t())),
    ("view_as_complex_offset", lambda L: L.view_as_complex(L.ones(7)[1:].view(3, 2))),
    ("sign_of_complex", lambda L: L.sign(L.tensor([1j]))),
    ("complex_of_int", lambda L: L.complex(L.ones(2, dtype=L.int64), L.ones(2, dtype=L.int64))),
    ("complex_mixed", lambda L: L.complex(L.ones(2), L.ones(2, dtype=L.float64))),
    ("real_requires_grad_int", lambda L: L.ones(2, dtype=L.int64).real.requires_grad_()),
    ("complex_out_dtype", lambda L: L.complex(L.ones(2), L.ones(2), out=L.empty(2, dtype=L.complex128))),
    ("polar_out_dtype", lambda L: L.polar(L.ones(2), L.ones(2), out=L.empty(2, dtype=L.float32))),
    ("implicit_grad_complex", lambda L: L.ones(1, dtype=L.complex64, requires_grad=True).sum().backward()),
]


@pytest.mark.parametrize("name, f", params(ERRORS))
def test_errors(name, f):
    t_err, j_err = same(f, grad=False)
    assert isinstance(t_err, Exception)
    if name.startswith(("view_as", "imag", "torch_imag", "complex_out", "polar_out")):
        assert str(j_err) == str(t_err)


def test_chalf_not_supported():
    """No complex32 in jtorch (jax has none): a clear NotImplementedError, never a wrong dtype."""
    with pytest.raises(NotImplementedError, match="chalf"):
        jtorch.ones(2).chalf()
    with pytest.raises(NotImplementedError, match="complex32"):
        jtorch.view_as_complex(jtorch.ones(2, 2, dtype=jtorch.float16))
    with pytest.raises(NotImplementedError, match="complex32"):
        jtorch.complex(jtorch.ones(2).half(), jtorch.ones(2).half())


def test_complex_out():
    def run(lib, a, b):
        out = lib.empty(0, dtype=lib.complex128)
        return lib.polar(a, b, out=out) is out, out

    same(run, A, B, grad=False)


# ---- printing ------------------------------------------------------------------------------------

REPRS = [
    ("c64", lambda L: L.tensor([1 + 2j, 3.5 - 4j], dtype=L.complex64)),
    ("c128", lambda L: L.tensor([[1 + 2j, 3 - 4j], [0.25j, -1]], dtype=L.complex128)),
    ("sci", lambda L: L.tensor([[1e10 + 1j, 1e-3j]])),
    ("scalar", lambda L: L.tensor(1 - 1j)),
    ("empty", lambda L: L.zeros(0, dtype=L.complex64)),
    ("nan_inf", lambda L: L.tensor([complex("nan+1j"), complex("1+infj"), -2j])),
    ("conj_grad", lambda L: L.tensor([1 + 2j], requires_grad=True).conj()),
    ("real_grad", lambda L: L.tensor([1 + 2j], requires_grad=True).real),
    ("polar_grad", lambda L: L.polar(L.ones(2, requires_grad=True), L.zeros(2))),
    ("view_as_real", lambda L: L.view_as_real(L.tensor([1 + 2j, -3j]))),
    ("ints_as_complex", lambda L: L.arange(4).cfloat()),
]


@pytest.mark.parametrize("name, f", params(REPRS))
def test_repr(name, f):
    assert repr(f(jtorch)) == repr(f(torch))
    assert str(f(jtorch)) == str(f(torch))


def test_public_surface():
    for name in ("conj", "conj_physical", "resolve_conj", "resolve_neg", "real", "imag",
                 "view_as_real", "view_as_complex", "is_conj", "is_neg", "complex", "polar"):
        assert callable(getattr(jtorch, name)), name
    for name in ("conj", "conj_physical", "conj_physical_", "resolve_conj", "resolve_neg",
                 "is_conj", "is_neg", "cfloat", "cdouble", "chalf"):
        assert hasattr(jtorch.Tensor, name), name
    assert isinstance(jtorch.Tensor.real, property) and isinstance(jtorch.Tensor.imag, property)


@pytest.mark.parametrize("view", ["view_as_real", "real", "imag"])
def test_numpy_of_real_views(view):
    # the numpy array of a real view of a complex tensor: its values, sharing the memory
    def run(lib):
        c = lib.tensor([1 + 2j, 3 - 4j, -5.5 + 0.25j], dtype=lib.complex64)
        v = lib.view_as_real(c) if view == "view_as_real" else getattr(c, view)
        a = v.numpy()
        values = a.tolist()
        a[...] = 7  # writes through to the complex tensor, as torch's numpy() shares memory
        return values, c.tolist()

    same_outcome(run)
