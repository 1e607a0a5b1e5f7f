"""Ops from shape.py (as_strided, unfold, slice, splits), view_variants.py (X_copy, X_scatter),
binning.py, products.py, numeric.py and the reflected operators, against real torch.

op_db covers their values and gradients; this file pins what it reaches only incidentally:
copy variants are copies (not views), as_strided's layout semantics, bucketize/searchsorted's
``right``/``side``/``out_int32``, histc's bins and range errors, keyword defaults, and torch's
errors for the common mistakes.
"""

import numpy as np
import pytest
import torch

import jtorch
from conformance import _compare
from conformance._compare import same

RNG = np.random.default_rng(0)


def arr(*shape, dtype="float32"):
    return _compare.arr(RNG, *shape, dtype=dtype)


# ---- view-copy variants: same values as the view, but fresh storage -----------------------------

COPIES = [
    ("alias_copy", (), None),
    ("as_strided_copy", ((2, 2), (1, 2), 1), None),
    ("diagonal_copy", (1,), None),
    ("expand_copy", ((2, 3, 4),), None),
    ("narrow_copy", (1, 1, 2), None),
    ("permute_copy", ((1, 0),), None),
    ("squeeze_copy", (), None),
    ("t_copy", (), None),
    ("transpose_copy", (0, 1), None),
    ("unbind_copy", (1,), 0),
    ("unfold_copy", (1, 2, 1), None),
    ("unsqueeze_copy", (0,), None),
    ("view_copy", ((4, 3),), None),
    ("split_with_sizes_copy", ([1, 2],), 0),
]


@pytest.mark.parametrize("name,args,part", COPIES, ids=[c[0] for c in COPIES])
def test_copy_variant_is_a_copy(name, args, part):
    same(lambda L, x: getattr(L, name)(x, *args), arr(3, 4))
    x = jtorch.zeros(3, 4)
    out = getattr(jtorch, name)(x, *args)
    piece = out if part is None else out[part]
    piece.add_(1)
    assert float(x.abs().sum()) == 0.0, "writing the copy changed the input"
    assert piece._base is None


def test_copy_variant_out_and_grad_name():
    same(lambda L, x: L.transpose_copy(x, 0, 1, out=L.empty(0)), arr(2, 3), grad=False)
    for lib in (torch, jtorch):
        x = lib.ones(2, 3, requires_grad=True)
        assert lib.transpose_copy(x, 0, 1).grad_fn.name() == "TransposeBackward0_copy"
        assert lib.narrow_copy(x, 0, 0, 1).grad_fn.name() == "NarrowCopyBackward0"


# ---- as_strided -------------------------------------------------------------------------------

STRIDED = [
    ((9,), (2, 2), (1, 2), 0),
    ((9,), (2, 2), (1, 2), 3),
    ((3, 3), (3, 2), (0, 1), None),  # overlapping: gradients accumulate
    ((16,), (2, 1, 1, 2), (1, 7, 7, 1), 0),
    ((4,), (), (), 2),
    ((4,), (0, 3), (5, 1), 0),
]


@pytest.mark.parametrize("shape,size,stride,offset", STRIDED)
def test_as_strided(shape, size, stride, offset):
    same(lambda L, x: L.as_strided(x, size, stride, offset), arr(*shape))
    same(lambda L, x: x.as_strided(size, stride, storage_offset=offset), arr(*shape))


def test_as_strided_is_a_view_and_inplace():
    for lib in (torch, jtorch):
        x = lib.arange(6.0)
        v = x.as_strided((2, 2), (1, 2), 1)
        x[1] = 100.0
        assert float(v[0, 0]) == 100.0
        v[1, 1] = -1.0
        assert float(x[4]) == -1.0
        y = lib.arange(6.0)
        assert y.as_strided_((3, 2), (2, 1)) is y and tuple(y.shape) == (3, 2)


@pytest.mark.parametrize(
    "size,stride,offset",
    [((2, 2), (1,), 0), ((2, 2), (-1, 1), 0), ((20, 2), (1, 1), 0), ((2,), (1,), -1), ((2,), (1,), 20)],
)
def test_as_strided_errors(size, stride, offset):
    same(lambda L, x: L.as_strided(x, size, stride, offset), arr(3, 4))
    same(lambda L, x, s: L.as_strided_scatter(x, s, size, stride, offset), arr(3, 4), arr(2, 2))


def test_as_strided_of_offset_view_not_supported():
    x = jtorch.arange(20.0)[5:15]
    with pytest.raises(NotImplementedError, match="as_strided"):
        jtorch.as_strided(x, (2,), (1,), 0)


# ---- scatters, slice, unfold, splits ------------------------------------------------------------

SCATTERS = [
    ("select", lambda L, x, s: L.select_scatter(x, s, 1, -1), (3, 4), (3,)),
    ("slice", lambda L, x, s: L.slice_scatter(x, s, 1, 1, None, 2), (3, 4), (3, 2)),
    ("slice_default", lambda L, x, s: L.slice_scatter(x, s), (3, 4), (3, 4)),
    ("diagonal", lambda L, x, s: L.diagonal_scatter(x, s, -1), (3, 4), (2,)),
    ("method", lambda L, x, s: x.select_scatter(s, 0, 0), (3, 4), (4,)),
    ("bad_src_shape", lambda L, x, s: L.select_scatter(x, s, 0, 0), (3, 4), (3,)),
    ("bad_index", lambda L, x, s: L.select_scatter(x, s, 0, 3), (3, 4), (4,)),
]


@pytest.mark.parametrize("fn,xs,ss", [c[1:] for c in SCATTERS], ids=[c[0] for c in SCATTERS])
def test_scatter(fn, xs, ss):
    same(fn, arr(*xs), arr(*ss))


KNOWN_FAILURES = {
    "as_strided_scatter_input_grad": (
        "torch's as_strided_scatter backward zeroes the wrong elements of the input's gradient "
        "(a torch bug, e.g. flat 5..8 instead of the scattered 0..3); jtorch returns the exact vjp"
    ),
}


def test_as_strided_scatter():
    fn = lambda L, x, s: L.as_strided_scatter(x[1:], s, (2, 2), (2, 1))
    same(fn, arr(3, 4), arr(2, 2), requires_grad=[False, True])


@pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES["as_strided_scatter_input_grad"])
def test_as_strided_scatter_input_grad():
    same(lambda L, x, s: L.as_strided_scatter(x, s, (2, 2), (1, 2)), arr(3, 3), arr(2, 2))


def test_scatter_casts_src_to_input_dtype():
    same(lambda L, x, s: L.slice_scatter(x, s, 0, 0, 1), arr(3, 2), arr(1, 2, dtype="int64"))


def test_slice_entry():
    x = jtorch.arange(10)
    sl = jtorch._ops._registry.REGISTRY["slice"]
    np.testing.assert_array_equal(sl(x, 0, -4, None, 2).numpy(), np.arange(10)[-4::2])
    with pytest.raises(RuntimeError, match="slice step must be positive"):
        sl(x, 0, None, None, 0)


UNFOLD = [((5,), 0, 2, 2), ((3, 4), 1, 3, 1), ((3, 4), -2, 3, 3), ((), 0, 1, 1), ((3, 4), 0, 4, 1), ((3, 4), 0, 2, 0)]


@pytest.mark.parametrize("shape,dim,size,step", UNFOLD)
def test_unfold(shape, dim, size, step):
    same(lambda L, x: x.unfold(dim, size, step), arr(*shape))


def test_unfold_is_a_view():
    for lib in (torch, jtorch):
        x = lib.arange(6.0)
        w = x.unfold(0, 2, 2)
        w[1, 0] = 50.0
        assert float(x[2]) == 50.0


SPLITS = [
    ("hsplit_int", lambda L, x: L.hsplit(x, 2), (3, 4)),
    ("hsplit_1d", lambda L, x: L.hsplit(x, [1, 3]), (5,)),
    ("vsplit", lambda L, x: x.vsplit([1]), (3, 4)),
    ("dsplit", lambda L, x: L.dsplit(x, 2), (2, 2, 4)),
    ("hsplit_indivisible", lambda L, x: L.hsplit(x, 3), (3, 4)),
    ("vsplit_1d", lambda L, x: L.vsplit(x, 1), (4,)),
    ("split_with_sizes", lambda L, x: x.split_with_sizes([1, 3], 1), (3, 4)),
    ("split_with_sizes_bad", lambda L, x: L.split_with_sizes(x, [1, 2], 1), (3, 4)),
    ("unsafe_split", lambda L, x: L.unsafe_split(x, 2, 1), (3, 4)),
    ("unsafe_chunk", lambda L, x: x.unsafe_chunk(3), (3, 4)),
    ("ravel", lambda L, x: x.t().ravel(), (3, 4)),
]


@pytest.mark.parametrize("fn,shape", [c[1:] for c in SPLITS], ids=[c[0] for c in SPLITS])
def test_splits(fn, shape):
    same(fn, arr(*shape))


# ---- binning ----------------------------------------------------------------------------------

BOUNDS = np.array([1.0, 3.0, 5.0, 7.0], dtype=np.float32)
VALUES = np.array([[0.0, 1.0, 3.0], [4.0, 7.0, 9.0]], dtype=np.float32)


@pytest.mark.parametrize("right,out_int32", [(False, False), (True, True)])
def test_bucketize_searchsorted(right, out_int32):
    kw = dict(right=right, out_int32=out_int32)
    same(lambda L, v, b: L.bucketize(v, b, **kw), VALUES, BOUNDS)
    same(lambda L, b, v: L.searchsorted(b, v, **kw), BOUNDS, VALUES)
    same(lambda L, b: L.bucketize(3.0, b, **kw), BOUNDS)
    same(lambda L, b: L.searchsorted(b, 5, **kw), BOUNDS)


SEARCH = [
    ("side", lambda L, b, v: L.searchsorted(b, v, side="right"), BOUNDS, VALUES),
    ("batched", lambda L, b, v: L.searchsorted(b, v), np.sort(arr(2, 4), 1), VALUES),
    ("sorter", lambda L, b, v: L.searchsorted(b, v, sorter=L.argsort(b)), BOUNDS[::-1].copy(), VALUES),
    ("int_values", lambda L, b, v: L.searchsorted(b, v), BOUNDS, np.array([2, 9])),
    ("side_right_conflict", lambda L, b, v: L.searchsorted(b, v, side="left", right=True), BOUNDS, VALUES),
    ("bad_batch", lambda L, b, v: L.searchsorted(b, v), np.ones((3, 4), np.float32), VALUES),
    ("bucketize_2d_bounds", lambda L, v, b: L.bucketize(v, b), VALUES, np.ones((2, 2), np.float32)),
]


@pytest.mark.parametrize("fn,a,b", [c[1:] for c in SEARCH], ids=[c[0] for c in SEARCH])
def test_searchsorted_cases(fn, a, b):
    same(fn, a, b)


HISTC = [
    ("default", lambda L, x: L.histc(x), arr(20)),
    ("bins_range", lambda L, x: L.histc(x, bins=4, min=-3, max=3), arr(20)),
    ("constant_input", lambda L, x: x.histc(4), np.full(3, 2.0, np.float32)),
    ("float64", lambda L, x: L.histc(x, 5), arr(7, dtype="float64")),
    ("bins_zero", lambda L, x: L.histc(x, bins=0), arr(5)),
    ("bins_negative", lambda L, x: L.histc(x, bins=-1), arr(5)),
    ("min_above_max", lambda L, x: L.histc(x, min=3, max=1), arr(5)),
    ("int_input", lambda L, x: L.histc(x), arr(5, dtype="int64")),
    ("infinite_range", lambda L, x: L.histc(x), np.array([1.0, np.inf], np.float32)),
]


@pytest.mark.parametrize("fn,x", [c[1:] for c in HISTC], ids=[c[0] for c in HISTC])
def test_histc(fn, x):
    same(fn, x, grad=False)


HISTOGRAM = [
    ("int_bins", lambda L, x: L.histogram(x, 4)),
    ("edges", lambda L, x: L.histogram(x, L.tensor([-5.0, 0.0, 1.0, 5.0]))),
    ("range_density", lambda L, x: x.histogram(3, range=(-2.0, 2.0), density=True)),
    ("weight", lambda L, x: L.histogram(x, 3, weight=L.ones(12))),
    ("dd", lambda L, x: L.histogramdd(x.reshape(6, 2), [2, 3])),
    ("dd_bad_range", lambda L, x: L.histogram(x, 2, range=(2.0, 1.0))),
]


@pytest.mark.parametrize("fn", [c[1] for c in HISTOGRAM], ids=[c[0] for c in HISTOGRAM])
def test_histogram(fn):
    same(fn, arr(12), grad=False)


BINCOUNT = [
    ("plain", lambda L, x: L.bincount(x), np.array([0, 1, 1, 3])),
    ("minlength", lambda L, x: x.bincount(minlength=6), np.array([0, 1, 1, 3])),
    ("weights", lambda L, x: L.bincount(x, L.tensor([0.5, 1.0, 2.0, 1.0])), np.array([0, 1, 1, 3])),
    ("empty", lambda L, x: L.bincount(x), np.zeros(0, np.int64)),
    ("negative", lambda L, x: L.bincount(x), np.array([-1, 1])),
    ("float", lambda L, x: L.bincount(x), np.array([1.0])),
    ("2d", lambda L, x: L.bincount(x), np.array([[1]])),
    ("bad_weights", lambda L, x: L.bincount(x, L.ones(2)), np.array([0, 1, 1])),
]


@pytest.mark.parametrize("fn,x", [c[1:] for c in BINCOUNT], ids=[c[0] for c in BINCOUNT])
def test_bincount(fn, x):
    same(fn, x, grad=False)


def test_isin():
    same(lambda L, a, b: L.isin(a, b), np.array([1, 2, 3, 4]), np.array([2, 4]))
    same(lambda L, a, b: L.isin(a, b, invert=True), np.array([1.0, 2.0]), np.array([2, 4]))
    same(lambda L, b: L.isin(2, b), np.array([1, 2]))
    same(lambda L, a: L.isin(a, 2), np.array([1, 2]))


# ---- products, constructions, numerics: the common mistakes ---------------------------------------

ERRORS = [
    ("cross_no_dim3", lambda L: L.cross(L.ones(2, 2), L.ones(2, 2))),
    ("cross_dims", lambda L: L.cross(L.ones(3), L.ones(2, 3))),
    ("trace_1d", lambda L: L.trace(L.ones(3))),
    ("tensordot_neg", lambda L: L.tensordot(L.ones(2, 3), L.ones(3, 2), dims=-1)),
    ("tensordot_mismatch", lambda L: L.tensordot(L.ones(2, 3), L.ones(2, 3), dims=([0], [1]))),
    ("cdist_1d", lambda L: L.cdist(L.ones(3), L.ones(3))),
    ("cdist_columns", lambda L: L.cdist(L.ones(2, 3), L.ones(2, 4))),
    ("block_diag_3d", lambda L: L.block_diag(L.ones(2, 2, 2))),
    ("meshgrid_indexing", lambda L: L.meshgrid(L.ones(2), L.ones(3), indexing="foo")),
    ("combinations_2d", lambda L: L.combinations(L.ones(2, 2))),
    ("rot90_same_dims", lambda L: L.rot90(L.ones(2, 2), 1, [0, 0])),
    ("pad_odd", lambda L: L.constant_pad_nd(L.ones(2, 3), [1])),
    ("pad_negative_size", lambda L: L.constant_pad_nd(L.ones(2, 3), [-4, 0])),
    ("tril_indices_float", lambda L: L.tril_indices(3, 3, dtype=L.float32)),
    ("unravel_float", lambda L: L.unravel_index(L.tensor([1.0]), (2,))),
    ("unravel_negative_shape", lambda L: L.unravel_index(L.tensor([1]), (2, -2))),
    ("cov_3d", lambda L: L.cov(L.ones(2, 2, 2))),
    ("cov_float_fweights", lambda L: L.cov(L.ones(2, 3), fweights=L.ones(3))),
    ("cov_negative_fweights", lambda L: L.cov(L.ones(2, 3), fweights=L.tensor([-1, 1, 1]))),
    ("quantile_q_range", lambda L: L.quantile(L.ones(3), 1.5)),
    ("quantile_interp", lambda L: L.quantile(L.ones(3), 0.5, interpolation="foo")),
    ("quantile_int", lambda L: L.quantile(L.tensor([1, 2]), 0.5)),
    ("trapezoid_x_len", lambda L: L.trapezoid(L.ones(2, 3), L.ones(2))),
    ("gradient_small", lambda L: L.gradient(L.ones(2), edge_order=2)),
    ("logcumsumexp_int", lambda L: L.logcumsumexp(L.tensor([1, 2]), 0)),
    ("renorm_1d", lambda L: L.renorm(L.ones(3), 2, 0, 1)),
    ("frexp_int", lambda L: L.frexp(L.tensor([1, 2]))),
    ("gcd_float", lambda L: L.gcd(L.tensor([4.0]), L.tensor([2.0]))),
    ("gcd_scalar", lambda L: L.gcd(L.tensor([4]), 2)),
]


@pytest.mark.parametrize("fn", [c[1] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors(fn):
    same(fn)


VALUES_TABLE = [
    ("cross_default_dim", lambda L, a, b: L.cross(a, b), (2, 3), (2, 3)),
    ("cross_broadcast", lambda L, a, b: L.cross(a, b, dim=-1), (1, 3), (4, 3)),
    ("tensordot_int", lambda L, a, b: L.tensordot(a, b, 1), (2, 3), (3, 2)),
    ("kron", lambda L, a, b: L.kron(a, b), (2, 1), (2, 3)),
    ("cdist_p1", lambda L, a, b: L.cdist(a, b, p=1.0), (2, 3), (4, 3)),
    ("cdist_self", lambda L, a, b: L.cdist(a, a), (3, 2), (1,)),
    ("dist_inf", lambda L, a, b: L.dist(a, b, float("inf")), (2, 3), (3,)),
    ("trapz_dx", lambda L, a, b: L.trapz(a, dx=0.5, dim=0), (3, 2), (1,)),
    ("cumulative_trapezoid_x", lambda L, a, b: L.cumulative_trapezoid(a, b), (2, 4), (4,)),
    ("quantile_vector_q", lambda L, a, b: L.quantile(a, L.tensor([0.25, 0.5]), dim=1, keepdim=True), (3, 5), (1,)),
    ("nanquantile_nearest", lambda L, a, b: L.nanquantile(a, 0.4, interpolation="nearest"), (7,), (1,)),
    ("gradient_coords", lambda L, a, b: L.gradient(a, spacing=(b,), dim=0, edge_order=2), (4, 2), (4,)),
    ("cov_weights", lambda L, a, b: L.cov(a, correction=0, aweights=b.abs()), (2, 4), (4,)),
    ("corrcoef", lambda L, a, b: L.corrcoef(a), (3, 5), (1,)),
    ("renorm_inplace", lambda L, a, b: (a * 1).renorm_(1, 0, 2.0), (3, 2), (1,)),
    ("logcumsumexp", lambda L, a, b: L.logcumsumexp(a, 1), (2, 3), (1,)),
]


@pytest.mark.parametrize("fn,sa,sb", [c[1:] for c in VALUES_TABLE], ids=[c[0] for c in VALUES_TABLE])
def test_values(fn, sa, sb):
    same(fn, arr(*sa), arr(*sb))


def test_int_ops():
    same(lambda L, a, b: L.gcd(a, b), np.array([-4, 0, 6]), np.array([6, 0, -9]))
    same(lambda L, a, b: a.lcm_(b), np.array([-4, 0, 6]), np.array([6, 0, -9]))
    same(lambda L, a: L.frexp(a), np.array([0.0, 3.0, -0.5, np.inf], np.float32))
    same(lambda L: L.unravel_index(L.tensor([-1, 4, 5]), (2, 3)))
    same(lambda L: L.triu_indices(3, 4, -1))


def test_meshgrid_and_products():
    same(lambda L, a, b: L.meshgrid(a, b, indexing="xy"), arr(2), arr(3))
    same(lambda L, a, b: L.meshgrid([a, b]), arr(2), arr(3))
    same(lambda L, a, b: L.cartesian_prod(a, b), arr(2), arr(3))
    same(lambda L, a: L.combinations(a, 3, with_replacement=True), arr(3))
    same(lambda L, a, b: L.block_diag(a, b, L.tensor(2.0)), arr(2, 2), arr(3))


# ---- reflected operators ----------------------------------------------------------------------

REFLECTED = ["__radd__", "__rsub__", "__rmul__", "__rdiv__", "__rtruediv__", "__rmod__", "__rpow__"]


@pytest.mark.parametrize("name", REFLECTED)
def test_reflected(name):
    # torch has no derivative of remainder with respect to its divisor
    same(lambda L, x: getattr(x, name)(3), arr(2, 3), grad=name != "__rmod__")
    if name in ("__rsub__", "__rdiv__", "__rpow__"):  # int tensor, float scalar: promotion
        same(lambda L, x: getattr(x, name)(2.5), arr(2, 3, dtype="int64"), grad=False)


@pytest.mark.parametrize("name", ["__rand__", "__ror__", "__rxor__"])
def test_reflected_bitwise(name):
    same(lambda L, x: getattr(x, name)(6), arr(2, 3, dtype="int64"))
    same(lambda L, x: getattr(L.Tensor, name)(2, x), arr(3, dtype="int64"))


def test_rmatmul():
    same(lambda L, x, y: x.__rmatmul__(y), arr(3, 2), arr(4, 3))


# ---- thread counts (jtorch/_threads.py) ---------------------------------------------------------


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "2", np.float64(2.0), None, 3, np.int64(2)])
def test_set_num_threads(value):
    before = torch.get_num_threads()
    try:
        _compare.same_outcome(lambda lib: (lib.set_num_threads(value), lib.get_num_threads())[1])
    finally:
        torch.set_num_threads(before)


def test_interop_threads_are_set_once():
    # torch allows one set_num_interop_threads per process: each library in a fresh one
    import subprocess
    import sys

    def run(lib):
        code = (
            f"import {lib}\n"
            f"{lib}.set_num_interop_threads(2)\n"
            f"print({lib}.get_num_interop_threads())\n"
            f"for v in (0, 1.5, 3):\n"
            f"    try:\n"
            f"        {lib}.set_num_interop_threads(v)\n"
            f"    except RuntimeError as e:\n"
            f"        print(e)\n"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return done.stdout

    assert run("jtorch") == run("torch")
