"""torch.masked (jtorch/_ops/masked.py) against real torch.

op_db runs every masked op over random masks; these tables add what it does not reach on
purpose: fully masked-out rows (the identity or nan torch gives there, and zero gradients for
the masked-out elements), masks of other dtypes, masks that broadcast, keepdim and dtype=
combinations, integral inputs, torch's errors for a bad mask or dim, and the namespace.
"""

import inspect

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import same
from jtorch._ops._registry import REGISTRY

RNG = np.random.default_rng(0)
INF, NAN = float("inf"), float("nan")


def arr(*shape, dtype="float32"):
    n = int(np.prod(shape))
    if dtype == "int64":
        return RNG.integers(-4, 5, size=shape).astype(dtype)
    values = RNG.permutation(n) - n // 2
    return np.asarray((values + RNG.random(n)).reshape(shape), dtype=dtype)


# Row 1 fully masked out; the middle column masked in row 0.
MASK = np.array([[True, False, True], [False, False, False]])
COL = np.array([True, False, True])  # broadcasts over the rows
M = lambda L: L.masked


def ids(table):
    return [row[0] for row in table]


# ---- values and gradients: (id, fn(lib, x, mask), x) ---------------------------------------------

REDUCTIONS = ["sum", "prod", "amax", "amin", "mean", "logsumexp", "norm", "var", "std"]
CASES = [
    *[
        (f"{n}_row", lambda L, x, m, n=n: getattr(M(L), n)(x, -1, mask=m), arr(2, 3))
        for n in REDUCTIONS
    ],
    *[
        (f"{n}_all", lambda L, x, m, n=n: getattr(M(L), n)(x, mask=m), arr(2, 3))
        for n in REDUCTIONS
    ],
    *[
        (
            f"{n}_col_keepdim",
            lambda L, x, m, n=n: getattr(M(L), n)(x, 0, keepdim=True, mask=m),
            arr(2, 3),
        )
        for n in REDUCTIONS
    ],
    *[
        (f"{n}_dims_nomask", lambda L, x, m, n=n: getattr(M(L), n)(x, (0, 2)), arr(2, 3, 2))
        for n in REDUCTIONS
        if n != "prod"
    ],
    ("sum_dtype", lambda L, x, m: M(L).sum(x, 1, dtype=L.float64, mask=m), arr(2, 3)),
    ("amax_dtype", lambda L, x, m: M(L).amax(x, 1, dtype=L.float64, mask=m), arr(2, 3)),
    ("mean_dtype", lambda L, x, m: M(L).mean(x, 1, dtype=L.float64, mask=m), arr(2, 3)),
    ("var_correction0", lambda L, x, m: M(L).var(x, 1, correction=0, mask=m), arr(2, 3)),
    ("std_biased", lambda L, x, m: M(L).std(x, 1, False, keepdim=True, mask=m), arr(2, 3)),
    ("var_big_correction", lambda L, x, m: M(L).var(x, 1, correction=5, mask=m), arr(2, 3)),
    ("norm_inf", lambda L, x, m: M(L).norm(x, INF, 1, mask=m), arr(2, 3)),
    ("norm_ninf", lambda L, x, m: M(L).norm(x, -INF, 1, mask=m), arr(2, 3)),
    ("norm_1_keepdim", lambda L, x, m: M(L).norm(x, 1, 1, keepdim=True, mask=m), arr(2, 3)),
    ("norm_0", lambda L, x, m: M(L).norm(x, 0, 1, mask=m), arr(2, 3)),
    ("median", lambda L, x, m: M(L).median(x, 1, mask=m), arr(2, 3)),
    ("median_default_dim", lambda L, x, m: M(L).median(x, mask=m), arr(2, 3)),
    ("cumsum", lambda L, x, m: M(L).cumsum(x, 1, mask=m), arr(2, 3)),
    ("cumprod", lambda L, x, m: M(L).cumprod(x, 1, mask=m), arr(2, 3)),
    ("cumsum_dtype", lambda L, x, m: M(L).cumsum(x, 0, dtype=L.float64, mask=m), arr(2, 3)),
    ("softmax", lambda L, x, m: M(L).softmax(x, 1, mask=m), arr(2, 3)),
    ("softmax_dim0", lambda L, x, m: M(L).softmax(x, 0, mask=m), arr(2, 3)),
    ("log_softmax", lambda L, x, m: M(L).log_softmax(x, 1, mask=m), arr(2, 3)),
    ("softmin_dtype", lambda L, x, m: M(L).softmin(x, 1, dtype=L.float64, mask=m), arr(2, 3)),
    ("normalize", lambda L, x, m: M(L).normalize(x, 2.0, 1, mask=m), arr(2, 3)),
    ("normalize_1_eps", lambda L, x, m: M(L).normalize(x, 1, 0, eps=0.5, mask=m), arr(2, 3)),
    (
        "logaddexp",
        lambda L, x, m: M(L).logaddexp(x, x * 2, input_mask=m, other_mask=m[0]),
        arr(2, 3),
    ),
    ("logaddexp_one_mask", lambda L, x, m: M(L).logaddexp(x, x + 1, input_mask=m), arr(2, 3)),
    ("softmax_0d_masked", lambda L, x, m: M(L).softmax(x, 0, mask=m[1, 0]), arr()),
    ("sum_0d_masked", lambda L, x, m: M(L).sum(x, 0, keepdim=True, mask=m[1, 0]), arr()),
    ("amax_empty_row", lambda L, x, m: M(L).amax(x[:, :0], 0, mask=m[:, :0]), arr(2, 3)),
]


@pytest.mark.parametrize("name,fn,x", CASES, ids=ids(CASES))
def test_values_and_grads(name, fn, x):
    same(fn, x, MASK)


# Ties of amax inside the unmasked part share the gradient; a masked-out equal value gets none.
def test_amax_ties_with_mask():
    x = np.array([[2.0, 2.0, 2.0], [1.0, 1.0, 1.0]], dtype=np.float32)
    same(lambda L, x, m: L.masked.amax(x, 1, mask=m), x, MASK)


# The mask broadcasts like torch's: trailing dims, size-1 dims, and fewer dims than the input.
@pytest.mark.parametrize(
    "mask",
    [
        COL,
        COL[None],
        MASK[:, :1],
        np.array(True),
        np.array([[[True, False, True]], [[False, True, False]]]),
    ],
    ids=["row", "row_1", "col_1", "0d", "3d"],
)
def test_mask_broadcasts(mask):
    x = arr(2, 2, 3)
    same(lambda L, x, m: (L.masked.sum(x, -1, mask=m), L.masked.softmax(x, 1, mask=m)), x, mask)


# torch converts a mask of another dtype with .to(bool).
@pytest.mark.parametrize("dtype", ["float32", "int64", "uint8"])
def test_mask_of_other_dtype(dtype):
    same(
        lambda L, x, m: L.masked.amin(x, 1, mask=m),
        arr(2, 3),
        MASK.astype(dtype),
        requires_grad=[True, False],
    )


# Result dtypes for integral and bool inputs: sum/prod accumulate in int64, amax/logsumexp and
# argmax keep the input's dtype, var/std go to float32, median computes in float and casts back.
INT_CASES = [
    ("sum_bool", lambda L, x, m: L.masked.sum(x > 0, 1, mask=m)),
    ("sum_int32", lambda L, x, m: L.masked.sum(x.int(), mask=m)),
    ("prod_int", lambda L, x, m: L.masked.prod(x, 1, mask=m)),
    ("cumsum_int32", lambda L, x, m: L.masked.cumsum(x.int(), 1, mask=m)),
    ("amax_int", lambda L, x, m: L.masked.amax(x, 1, mask=m)),
    ("amin_int", lambda L, x, m: L.masked.amin(x, 1, keepdim=True, mask=m)),
    ("argmax_int", lambda L, x, m: L.masked.argmax(x, 1, mask=m)),
    ("argmin_float_dtype", lambda L, x, m: L.masked.argmin(x.double(), 1, dtype=L.int64, mask=m)),
    ("argmax_all", lambda L, x, m: L.masked.argmax(x.float(), mask=m)),
    ("logsumexp_int", lambda L, x, m: L.masked.logsumexp(x, 1, mask=m)),
    ("var_int", lambda L, x, m: L.masked.var(x, 1, mask=m)),
    ("std_int_dtype", lambda L, x, m: L.masked.std(x, 1, dtype=L.float64, mask=m)),
    ("median_int", lambda L, x, m: L.masked.median(x, 1, mask=m[0])),
    ("softmax_int_dtype", lambda L, x, m: L.masked.softmax(x, 1, dtype=L.float32, mask=m)),
]


@pytest.mark.parametrize("name,fn", INT_CASES, ids=ids(INT_CASES))
def test_integral_inputs(name, fn):
    same(fn, arr(2, 3, dtype="int64"), MASK)


# ---- errors -------------------------------------------------------------------------------------

ERRORS = [
    ("mask_shape", lambda L, x, m: L.masked.sum(x, 1, mask=m[:, :2])),
    ("mask_more_dims", lambda L, x, m: L.masked.amax(x, mask=m[None])),
    ("dim_range", lambda L, x, m: L.masked.sum(x, 2, mask=m)),
    ("dim_repeated", lambda L, x, m: L.masked.sum(x, (1, 1), mask=m)),
    ("mean_int", lambda L, x, m: L.masked.mean(x.long(), 1, mask=m)),
    ("mean_int_dtype", lambda L, x, m: L.masked.mean(x, dtype=L.int32)),
    ("median_int_masked_row", lambda L, x, m: L.masked.median(x.long(), 1, mask=m)),
    ("amax_bool", lambda L, x, m: L.masked.amax(x > 0, mask=m)),
    ("var_unbiased_and_correction", lambda L, x, m: L.masked.var(x, 1, True, correction=0)),
    ("norm_ninf_int", lambda L, x, m: L.masked.norm(x.long(), -INF, mask=m)),
    ("softmax_int", lambda L, x, m: L.masked.softmax(x.long(), 1, mask=m)),
    ("log_softmax_int_dim0", lambda L, x, m: L.masked.log_softmax(x.long(), 0, mask=m)),
    ("logaddexp_int", lambda L, x, m: L.masked.logaddexp(x.long(), x.long())),
    ("keepdim_positional", lambda L, x, m: L.masked.sum(x, 1, True)),
]
# Python's own binding message, which the registry words in its own way.
TYPE_ONLY = {"keepdim_positional"}


@pytest.mark.parametrize("name,fn", ERRORS, ids=ids(ERRORS))
def test_errors(name, fn):
    e, je = same(fn, arr(2, 3), MASK)
    assert name in TYPE_ONLY or str(je) == str(e)


# ---- namespace ----------------------------------------------------------------------------------

NAMES = [
    "amax",
    "amin",
    "argmax",
    "argmin",
    "cumprod",
    "cumsum",
    "log_softmax",
    "logaddexp",
    "logsumexp",
    "mean",
    "median",
    "norm",
    "normalize",
    "prod",
    "softmax",
    "softmin",
    "std",
    "sum",
    "var",
]


@pytest.mark.parametrize("name", NAMES)
def test_namespace(name):
    op = getattr(jtorch.masked, name)
    assert op is REGISTRY[f"masked.{name}"]
    assert op.__name__ == name
    assert list(inspect.signature(op).parameters) == list(
        inspect.signature(getattr(torch.masked, name)).parameters
    )
    assert not hasattr(jtorch.Tensor, f"masked_{name}")


def test_masked_ops_are_not_top_level_reductions():
    assert jtorch.masked.sum is not jtorch.sum and jtorch.masked.amax is not jtorch.amax
