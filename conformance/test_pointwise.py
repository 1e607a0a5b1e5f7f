"""Pointwise ops (jtorch/_ops/pointwise.py, comparison.py, special.py) and Tensor's operators
against real torch.

Each row is an expression ``fn(lib, *inputs)`` run in torch and in jtorch by ``_compare.same``:
values, dtypes, shapes, gradients of float inputs, and exception types for bad input. The
unary and binary tables run each op over the float32/float64/int64/bool operands (and Python
scalars, 0-dim and broadcast operands) its code path needs, so type promotion and torch's
per-dtype kernel support are checked op by op; the kink table puts gradient samples where
torch's convention is a choice (abs/relu/sign at 0, clamp at its bounds, max/min ties, pow with
a zero base, ...). Then: result dtypes, integer division by zero and other bad input, in-place
variants, out=, the operator dunders (reflected, with Python and numpy scalars), where,
equal/allclose, grad_fn names and the public surface.
"""

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import same

NAN, INF = float("nan"), float("inf")


def a32(*rows):
    return np.array(rows, dtype=np.float32)


def cast(values, dtype):
    """Sample ``values`` (a float array) as numpy data of ``dtype`` (ints round, bools are != 0)."""
    if dtype == "bool":
        return values != 0
    if dtype == "int64":
        return np.round(values).astype(np.int64)
    return values.astype(dtype)


DTYPES = ["float32", "float64", "int64", "bool"]

# Known divergences from torch, by row id: each is marked xfail(strict=True), so it must still
# fail; remove the entry once fixed.
KNOWN_FAILURES = {
    "eq_keeps_dtype": "an in-place op whose result has no gradient (x.eq_(y) on a tensor with "
    "history) keeps x's old history in jtorch (Tensor._assign); torch's grad_fn gives zeros",
    "remainder_scalar_input": "torch defines no derivative for remainder(Python scalar, tensor); "
    "jtorch differentiates it (its pure function cannot tell a scalar from a tensor operand)",
}


def params(table):
    """pytest params for the rows of ``table`` (id first), known failures marked strict xfail."""
    return [
        pytest.param(
            *row, id=row[0], marks=[pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[row[0]])]
        )
        if row[0] in KNOWN_FAILURES
        else pytest.param(*row, id=row[0])
        for row in table
    ]


# ---- unary ops: every op over every dtype --------------------------------------------------------

REAL = a32([-2.5, -0.7, 0.0], [0.3, 1.5, 3.2])  # 0.0: abs, relu, sign, sinc... at their kink
POS = a32([0.4, 1.0, 2.5], [3.2, 0.1, 7.0])
UNIT = a32([-0.9, -0.3, 0.0], [0.2, 0.5, 0.95])
GT1 = a32([1.1, 1.5, 2.0], [3.0, 7.5, 10.0])
PROB = a32([0.1, 0.25, 0.5], [0.6, 0.8, 0.95])
GAMMA = a32([-2.5, -0.5, 0.3], [1.0, 2.5, 6.0])

# Dtypes per row: every op runs on float32 (with gradients); ops with their own integer or bool
# handling also run on int64 and bool, and one of each code path on float64. The other
# transcendental functions share _unary's int-to-float path, exercised by the FI/FIB rows.
F, FI, FIB, ALL = ("float32",), ("float32", "int64"), ("float32", "int64", "bool"), tuple(DTYPES)
UNARY = [
    ("neg", REAL, ALL),
    ("abs", REAL, ALL),
    ("reciprocal", POS, FI),
    ("square", REAL, ALL),
    ("sign", REAL, ALL),
    ("sgn", REAL, FIB),
    ("exp", REAL, ALL),
    ("exp2", REAL, F),
    ("expm1", REAL, F),
    ("log", POS, FIB),
    ("log2", POS, F),
    ("log10", POS, F),
    ("log1p", POS, F),
    ("sqrt", POS, FI),
    ("rsqrt", POS, F),
    ("sin", REAL, F),
    ("cos", REAL, F),
    ("tan", UNIT, F),
    ("asin", UNIT, F),
    ("acos", UNIT, F),
    ("atan", REAL, F),
    ("sinh", REAL, F),
    ("cosh", REAL, F),
    ("tanh", REAL, ALL),
    ("asinh", REAL, F),
    ("acosh", GT1, F),
    ("atanh", UNIT, F),
    ("sigmoid", REAL, FI),
    ("erf", REAL, FI),
    ("erfc", REAL, F),
    ("erfinv", UNIT, F),
    ("lgamma", GAMMA, ALL),
    ("digamma", GAMMA, FI),
    ("i0", REAL, F),
    ("sinc", REAL, F),
    ("deg2rad", REAL, F),
    ("rad2deg", REAL, F),
    ("angle", REAL, FI),
    ("floor", REAL, ALL),
    ("ceil", REAL, FIB),
    ("round", REAL, FIB),
    ("trunc", REAL, FIB),
    ("frac", REAL, FIB),
    ("nan_to_num", REAL, FIB),
    ("logit", PROB, FIB),
    ("relu", REAL, FIB),
    ("positive", REAL, FIB),
    ("isnan", REAL, FIB),
    ("isinf", REAL, F),
    ("isfinite", REAL, F),
    ("isposinf", REAL, FIB),
    ("isneginf", REAL, F),
    ("isreal", REAL, FIB),
    ("signbit", REAL, ALL),
    ("logical_not", REAL, FIB),
    ("bitwise_not", REAL, FIB),
    ("arcsin", UNIT, F),
    ("arccosh", GT1, F),
    ("fix", REAL, F),
    ("negative", REAL, F),
    ("absolute", REAL, F),
]
UNARY_CASES = [(name, values, dtype) for name, values, dtypes in UNARY for dtype in dtypes]

# torch's sgn/sign gradient is a ZeroTensor that cannot be read back: multiply by the input
# so the (zero) gradient of sgn flows into a dense one.
_THROUGH_INPUT = {"sgn", "sign"}


@pytest.mark.parametrize(
    "name,values,dtype", UNARY_CASES, ids=[f"{n}-{d}" for n, _, d in UNARY_CASES]
)
def test_unary(name, values, dtype):
    if name in _THROUGH_INPUT:
        same(lambda L, x: getattr(L, name)(x) * x, cast(values, dtype))
    else:
        same(lambda L, x: getattr(L, name)(x), cast(values, dtype))


@pytest.mark.parametrize("name", ["exp", "abs", "floor", "sigmoid", "isnan", "bitwise_not"])
def test_unary_method_and_shapes(name):
    same(
        lambda L, x: getattr(x, name)(), np.float32(0.75) if name != "bitwise_not" else np.int64(5)
    )
    same(
        lambda L, x: getattr(x, name)(),
        np.zeros((0, 3), np.float32 if name != "bitwise_not" else np.int64),
    )


def test_unary_half_keeps_half():
    # three float16 gradients summed into one: allow a few float16 ulps of accumulation order
    same(lambda L, x: (L.exp(x), L.sigmoid(x), x * 2.5), POS.astype(np.float16), rtol=4e-3)
    same(
        lambda L, x: (L.exp(x.bfloat16()), L.tanh(x.bfloat16()), x.bfloat16() / 3), POS, grad=False
    )


# ---- binary ops: every op over dtype pairs, scalars, 0-dim and broadcast operands ----------------

A = a32([0.3, -1.2, 2.5], [1.5, 0.4, -0.7])
B = a32([1.1, 0.4, -2.0], [1.5, 3.0, 0.6])  # ties with A at [0][1]... [1][0]; no zeros
AI = np.array([[3, -7, 1], [5, 2, -1]], np.int64)
BI = np.array([[2, 3, -4], [5, 1, 6]], np.int64)
AB = np.array([[True, False, True], [False, False, True]])
BB = np.array([[True, True, False], [False, True, True]])

OPERANDS = {
    "f32,f32": (A, B),
    "f64,f32": (A.astype(np.float64), B),
    "bcast": (A[:, :1], B[0]),
    "i64,i64": (AI, BI),
    "i64,f32": (AI, B),
    "bool,bool": (AB, BB),
    "bool,i64": (AB, BI),
    "f32,int": (A, 2),
    "i64,float": (AI, 2.5),
    "bool,bool_scalar": (AB, True),
    "int,f32": (2, B),
    "int,i64": (6, BI),
}

# Operand sets per op family: arithmetic takes every kind of operand; float functions promote
# integers and (most) reject Python scalars or integer dtypes; logical and bitwise ops are
# checked on integers and bools, and rejected on floats. Ops sharing a code path share fewer.
ARITH = ["f32,f32", "i64,i64", "i64,f32", "bool,bool", "f32,int", "i64,float", "int,f32"]
SOME = ["f32,f32", "i64,i64", "bool,bool", "i64,float", "int,f32"]
FLOAT = ["f32,f32", "i64,f32", "f32,int"]
INTS = ["i64,i64", "bool,bool", "bool,i64", "bool,bool_scalar", "f32,f32", "int,i64"]

BINARY = [
    ("add", ARITH + ["f64,f32", "bcast", "bool,i64"]),
    ("sub", SOME + ["bool,i64"]),
    ("mul", ARITH + ["bcast"]),
    ("div", ARITH + ["f64,f32"]),
    ("remainder", SOME),
    ("fmod", SOME),
    ("pow", ARITH + ["f64,f32", "bool,bool_scalar"]),
    ("maximum", SOME + ["bcast", "i64,f32"]),
    ("minimum", ["f32,f32", "bool,bool"]),
    ("copysign", SOME),
    ("xlogy", SOME),
    ("eq", ARITH),
    ("ne", ["bool,bool"]),
    ("lt", SOME),
    ("ge", ["i64,float"]),
    ("true_divide", FLOAT),
    ("float_power", FLOAT + ["i64,i64", "int,f32"]),
    ("fmax", FLOAT),
    ("fmin", ["f32,f32"]),
    ("atan2", FLOAT),
    ("hypot", FLOAT + ["i64,i64"]),
    ("logaddexp", FLOAT + ["i64,i64"]),
    ("logaddexp2", ["f32,f32"]),
    ("ldexp", FLOAT + ["i64,i64"]),
    ("nextafter", FLOAT + ["i64,i64"]),
    ("le", ["f32,f32"]),
    ("gt", ["i64,f32"]),
    ("logical_and", INTS + ["i64,f32", "f32,int"]),
    ("logical_or", ["bool,bool"]),
    ("logical_xor", ["i64,i64"]),
    ("bitwise_and", INTS + ["i64,float"]),
    ("bitwise_or", ["i64,i64", "bool,bool", "bool,i64"]),
    ("bitwise_xor", ["i64,i64", "bool,bool", "f32,f32"]),
    ("bitwise_left_shift", ["i64,i64", "bool,bool", "int,i64", "f32,f32"]),
    ("bitwise_right_shift", ["i64,i64", "bool,i64", "int,i64"]),
    ("multiply", ["f32,int"]),
    ("divide", ["i64,i64"]),
    ("subtract", ["f32,f32"]),
    ("greater", ["f32,f32"]),
    ("less_equal", ["i64,f32"]),
    ("not_equal", ["bool,bool"]),
    ("arctan2", ["f32,f32"]),
    ("rsub", ["f32,f32", "f32,int", "i64,float", "int,f32"]),
    ("clamp_min", ["f32,f32", "f32,int", "i64,float", "bool,i64"]),
    ("clamp_max", ["f32,f32", "i64,i64"]),
]
BINARY_CASES = [(name, key) for name, keys in BINARY for key in keys]


@pytest.mark.parametrize("name,key", BINARY_CASES, ids=[f"{n}-{k}" for n, k in BINARY_CASES])
def test_binary(name, key):
    # Gradients on float operand pairs (the formulas); the other sets check promotion and
    # support, and their gradients would only recompile the same formulas.
    same(
        lambda L, x, y: getattr(L, name)(x, y),
        *OPERANDS[key],
        grad=key in ("f32,f32", "f64,f32", "bcast"),
    )


@pytest.mark.parametrize(
    "name,key",
    [("floor_divide", k) for k in ARITH]
    + [("div_floor", k) for k in ("f32,f32", "f64,f32", "bcast")],
)
def test_floor_division(name, key):
    # torch defines no derivative for floor_divide (backward raises: see test_no_derivative).
    if name == "floor_divide":
        same(lambda L, x, y: L.floor_divide(x, y), *OPERANDS[key], grad=False)
    else:
        same(lambda L, x, y: L.div(x, y, rounding_mode="floor"), *OPERANDS[key])


@pytest.mark.parametrize("key", ["f32,f32", "i64,i64", "i64,float", "int,f32", "f32,int"])
def test_div_trunc(key):
    same(lambda L, x, y: L.div(x, y, rounding_mode="trunc"), *OPERANDS[key])


@pytest.mark.parametrize("key", ["f32,f32", "i64,i64", "f32,int", "bool,bool"])
def test_heaviside(key):
    same(lambda L, x, y: L.heaviside(x, y), *OPERANDS[key], grad=False)


@pytest.mark.parametrize("key", ["f32,f32", "i64,i64", "f32,int"])
def test_igamma(key):
    x, y = OPERANDS[key]
    if key == "f32,f32":
        x, y = np.abs(x) + 0.5, np.abs(y)
    # no gradients: jax's take seconds to compile, and torch has none for the first argument
    same(lambda L, a, b: (L.igamma(a, b), L.igammac(a, b)), x, y, grad=False)


def test_float_rounding_division_signs():
    a = np.array([-4.5, -0.0, 3.0, 7.0, -7.0, 1.0, -1.0, 0.0, 5.5])
    b = np.array([2.0, 5.0, -0.5, 0.0, 0.0, INF, INF, 0.0, -2.5])
    for mode in ("floor", "trunc"):
        same(lambda L, x, y, mode=mode: L.div(x, y, rounding_mode=mode), a, b, grad=False)
    same(lambda L, x, y: (L.remainder(x, y), L.fmod(x, y), x // y), a, b, grad=False)


def test_integer_pow_exact():
    base = np.array([4, 1, -1, -1, 0, -3, 2, 3, -2], np.int64)
    exp = np.array([-1, -2, -1, -2, -1, -1, 70, 39, 63], np.int64)
    same(lambda L, x, y: (L.pow(x, y), x**y, L.pow(2, y.clamp(0, 62))), base, exp)
    same(lambda L, x: (x**3, x.pow(0), L.pow(x.to(L.uint8), 2)), base)


def test_ternary():
    c = a32([0.5, 2.0, -1.5], [3.0, -0.25, 1.0])
    same(lambda L, x, y, z: L.addcmul(x, y, z, value=0.5), A, B, c)
    same(lambda L, x, y, z: L.addcdiv(x, y, z, value=-2), A, B, c)
    same(lambda L, x, y, z: L.addcmul(x, y, z), AI, BI, AI)
    same(lambda L, x, y, z: L.addcmul(x, y, z, value=0.5), AI, BI, AI)
    same(lambda L, x, y, z: L.addcdiv(x.double(), y, z), A, B, c)
    same(lambda L, x, y, z: L.lerp(x, y, z), A, B, a32([0.0, 0.5, 1.0], [0.49, -0.5, 1.7]))
    same(lambda L, x, y: L.lerp(x, y, 0.3), A, B)
    same(lambda L, x, y: L.lerp(x, y, L.tensor(0.75, dtype=L.float64)), A, B)
    same(lambda L, x, y: L.lerp(x, y, 2), A[0], B)
    same(lambda L, x, lo, hi: L.clamp(x, lo, hi), A, a32([0.0, 0.0, 0.0]), a32([1.0], [2.0]))
    same(
        lambda L, x: (L.clamp(x, -1, 1), L.clamp(x, min=0.5), x.clamp(max=0), x.clip(-0.5, 0.5)), A
    )
    same(lambda L, x: (L.clamp(x, 1.5), L.clamp(x, max=2), L.clamp(x.bool(), 0)), AI)


# ---- gradients at kinks and ties -----------------------------------------------------------------


def f64(*values):
    return np.array(values, dtype=np.float64)


KINKS = [
    ("abs_at_0", lambda L, x: L.abs(x), [f64(0.0, -1.0, 2.0)]),
    ("relu_at_0", lambda L, x: L.relu(x), [f64(0.0, -1.0, 2.0)]),
    ("sign_at_0", lambda L, x: L.sign(x) * x, [f64(0.0, -1.0, 2.0)]),
    ("sqrt_at_0", lambda L, x: L.sqrt(x), [f64(0.0, 4.0)]),
    ("rsqrt_at_0", lambda L, x: L.rsqrt(x), [f64(0.0, 4.0)]),
    ("reciprocal_at_0", lambda L, x: L.reciprocal(x), [f64(0.0, 4.0)]),
    ("clamp_at_bounds", lambda L, x: L.clamp(x, 1.0, 3.0), [f64(0, 1, 2, 3, 4)]),
    ("clamp_min_gt_max", lambda L, x: L.clamp(x, 3.0, 1.0), [f64(0, 1, 2, 3, 4)]),
    (
        "clamp_tensor_bounds",
        lambda L, x, lo, hi: L.clamp(x, lo, hi),
        [f64(0, 1, 2, 3, 4), f64(1, 1, 1, 1, 1), f64(3, 3, 3, 3, 3)],
    ),
    (
        "clamp_tensor_min_gt_max",
        lambda L, x, lo, hi: L.clamp(x, lo, hi),
        [f64(0, 1, 2), f64(2, 2, 2), f64(1, 1, 1)],
    ),
    ("clamp_min_at_bound", lambda L, x: L.clamp_min(x, 1.0), [f64(0, 1, 4)]),
    ("clamp_max_tensor_tie", lambda L, x, m: L.clamp_max(x, m), [f64(0, 1, 4), f64(1, 1, 1)]),
    ("clamp_nan", lambda L, x: L.clamp(x, 0.0, 1.0), [f64(NAN, 0.5)]),
    ("maximum_ties", lambda L, x, y: L.maximum(x, y), [f64(1, 2, 3), f64(1, 1, 5)]),
    ("minimum_ties", lambda L, x, y: L.minimum(x, y), [f64(1, 2, 3), f64(1, 1, 5)]),
    ("maximum_nan", lambda L, x, y: L.maximum(x, y), [f64(NAN, 1), f64(1, NAN)]),
    ("fmax_ties_nan", lambda L, x, y: L.fmax(x, y), [f64(1, 2, NAN, NAN), f64(1, NAN, 5, NAN)]),
    ("fmin_ties_nan", lambda L, x, y: L.fmin(x, y), [f64(1, 2, NAN, NAN), f64(1, NAN, 5, NAN)]),
    (
        "pow_zero_base",
        lambda L, x, y: L.pow(x, y),
        [f64(0, 0, 0, 0, -2, 2), f64(2, 0, -1, 0.5, 0.5, -1)],
    ),
    ("pow_scalar_exponents", lambda L, x: (x**2, x**0, x**0.5, x**-1, x**1.5), [f64(0, 4, -1)]),
    ("pow_scalar_base", lambda L, x: (L.pow(0.0, x), 2**x, L.pow(-2.0, x)), [f64(0, 4, -1, 0.5)]),
    ("float_power", lambda L, x, y: L.float_power(x, y), [f64(0, 2, 3), f64(2, 0.5, -1)]),
    (
        "xlogy_zeros",
        lambda L, x, y: L.xlogy(x, y),
        [f64(0, 0, 0, 1, 2, 0, 1), f64(2, 0, -1, 0, NAN, NAN, -1)],
    ),
    ("xlogy_scalar", lambda L, x: (L.xlogy(x, 3.0), L.xlogy(2, x)), [f64(0, 1.5)]),
    ("logit_outside", lambda L, x: L.logit(x), [f64(0, -0.5, 0.5, 1.5, 1.0)]),
    ("logit_eps_bounds", lambda L, x: L.logit(x, 0.2), [f64(0.1, 0.2, 0.5, 0.8, 0.9)]),
    ("hypot_zero", lambda L, x, y: L.hypot(x, y), [f64(0, 3), f64(0, 4)]),
    ("atan2_zero", lambda L, x, y: L.atan2(x, y), [f64(0, 1), f64(0, -1)]),
    ("copysign_zero", lambda L, x, y: L.copysign(x, y), [f64(0, 1, -2), f64(1, -0.0, 0)]),
    (
        "logaddexp_inf",
        lambda L, x, y: (L.logaddexp(x, y), L.logaddexp2(x, y)),
        [f64(INF, -INF, 1), f64(INF, -INF, 1)],
    ),
    (
        "nan_to_num",
        lambda L, x: (L.nan_to_num(x), L.nan_to_num(x, nan=1.5, posinf=2.0, neginf=-3.0)),
        [f64(NAN, INF, -INF, 1)],
    ),
    (
        "round_decimals",
        lambda L, x: (L.round(x, decimals=2), L.round(x, decimals=-2)),
        [f64(1234.5678, 2.5, -0.125, 0.005)],
    ),
    (
        "remainder_fmod",
        lambda L, x, y: (L.remainder(x, y), L.fmod(x, y)),
        [f64(5, -5, 5, -5), f64(3, 3, -3, -3)],
    ),
    (
        "lerp_weights",
        lambda L, x, y, w: L.lerp(x, y, w),
        [f64(1, 2, 3, 4), f64(3, 5, 7, 9), f64(0.5, 0.49, -1, 2)],
    ),
    ("where", lambda L, x, y: L.where(x > 1, x, y), [f64(1, 2), f64(3, 5)]),
    (
        "where_scalar_branch",
        lambda L, x: (L.where(x > 1, x, 0.0), L.where(x > 1, 2.0, x)),
        [f64(1, 2)],
    ),
    ("fill_tensor_value", lambda L, x, v: x.clone().fill_(v), [f64(1, 2), np.float64(3.0)]),
    ("fill_function", lambda L, x, v: (L.fill(x, v), L.fill(x, 2)), [f64(1, 2), np.float64(3.0)]),
    ("zero_", lambda L, x: (x * 2).zero_() + x, [f64(1, 2)]),
    ("special_values", lambda L, x: (L.erfinv(x), L.digamma(x), L.lgamma(x)), [f64(1, 0, -1, 0.5)]),
    (
        "i0_polygamma_mvlgamma",
        lambda L, x: (L.i0(x), L.polygamma(1, x), L.mvlgamma(x + 2, 2)),
        [f64(0, 1.5, 3)],
    ),
    ("nextafter", lambda L, x, y: L.nextafter(x, y), [f64(1, 2), f64(2, 1)]),
    ("ldexp", lambda L, x, y: L.ldexp(x, y), [f64(1, 2), f64(2, -1)]),
    (
        "add_alpha",
        lambda L, x, y: (L.add(x, y, alpha=2), L.sub(x, y, alpha=0.5), L.rsub(x, y, alpha=3)),
        [f64(1, 2), f64(3, 5)],
    ),
]


@pytest.mark.parametrize("name,fn,inputs", KINKS, ids=[row[0] for row in KINKS])
def test_kinks(name, fn, inputs):
    same(fn, *inputs)


# ---- result dtypes -------------------------------------------------------------------------------

DTYPE_CASES = [
    ("int_div_int", lambda L, i, j: i / j),
    ("int_plus_float", lambda L, i, j: i + 1.5),
    ("int_times_int", lambda L, i, j: i * 3),
    ("half_times_float", lambda L, i, j: i.half() * 2.5),
    ("bfloat16_plus_half", lambda L, i, j: i.bfloat16() + j.half()),
    ("bool_plus_bool", lambda L, i, j: i.bool() + j.bool()),
    ("bool_times_float", lambda L, i, j: i.bool() * 2.5),
    ("bool_and_int", lambda L, i, j: i.bool() & 1),
    ("uint8_plus_int8", lambda L, i, j: i.to(L.uint8) + j.to(L.int8)),
    ("int32_plus_int", lambda L, i, j: i.int() + 2),
    ("int32_times_0d_int64", lambda L, i, j: i.int() * L.tensor(3)),
    ("int_plus_0d_double", lambda L, i, j: i + L.tensor(1.5, dtype=L.float64)),
    ("float_plus_0d_double", lambda L, i, j: i.float() + L.tensor(1.5, dtype=L.float64)),
    ("half_plus_0d_float", lambda L, i, j: i.half() + L.tensor(1.5)),
    ("0d_plus_0d", lambda L, i, j: L.tensor(2) + L.tensor(1.5, dtype=L.float16)),
    ("int_pow_float", lambda L, i, j: i**2.5),
    ("int_floordiv_float", lambda L, i, j: i // 2.5),
    ("int_mod_int", lambda L, i, j: i % 3),
    ("int_sqrt", lambda L, i, j: L.sqrt(i)),
    ("int_sigmoid", lambda L, i, j: L.sigmoid(j)),
    ("bool_square", lambda L, i, j: L.square(i.bool())),
    ("bool_pow", lambda L, i, j: (L.pow(i.bool(), 2), L.pow(i.bool(), True), L.pow(2, i.bool()))),
    ("float_power_int", lambda L, i, j: L.float_power(i, 2)),
    ("float_power_complex", lambda L, i, j: L.float_power(i.float(), 1j)),
    ("clamp_int_float_bound", lambda L, i, j: L.clamp(i, 0.5)),
    (
        "where_scalars",
        lambda L, i, j: (L.where(i > 1, 2, 3), L.where(i > 1, 2.0, 3), L.where(i > 1, i, 2.5)),
    ),
    ("where_mixed", lambda L, i, j: L.where(i > 1, i.int(), j.double())),
    ("nan_to_num_int", lambda L, i, j: L.nan_to_num(i, nan=1.5)),
    ("comparison_promotes", lambda L, i, j: (i.int() == 2.0, i < 2.5, i.bool() == 1)),
    ("isclose_int_atol", lambda L, i, j: L.isclose(i, j, atol=2)),
    ("isclose_bool", lambda L, i, j: L.isclose(i.bool(), j.bool())),
    (
        "numpy_scalars",
        lambda L, i, j: (
            i * np.float64(2.5),
            np.float32(2) * i,
            np.int64(2) + i,
            i.half() * np.float64(2),
        ),
    ),
]


@pytest.mark.parametrize("name,fn", DTYPE_CASES, ids=[row[0] for row in DTYPE_CASES])
def test_result_dtype(name, fn):
    same(fn, AI, BI)


@pytest.mark.parametrize("lib", [torch, jtorch], ids=["torch", "jtorch"])
def test_default_dtype_float64(lib):
    lib.set_default_dtype(lib.float64)
    try:
        i = lib.tensor([1, 2])
        results = [i / 2, i * 1.5, lib.sqrt(i), lib.tensor([1.0]).half() * 2.5]
    finally:
        lib.set_default_dtype(lib.float32)
    assert [str(r.dtype) for r in results] == [
        "torch.float64",
        "torch.float64",
        "torch.float64",
        "torch.float16",
    ]


# ---- bad input: same exception type as torch -----------------------------------------------------

ERRORS = [
    ("int_floordiv_zero", lambda L, i: i // L.tensor([1, 0, 2])),
    ("int_floordiv_scalar_zero", lambda L, i: i // 0),
    ("int_mod_zero", lambda L, i: i % 0),
    ("int_remainder_tensor_zero", lambda L, i: L.remainder(i, L.tensor([0, 1, 2]))),
    ("int_fmod_zero", lambda L, i: L.fmod(i, 0)),
    ("int_div_floor_zero", lambda L, i: L.div(i, 0, rounding_mode="floor")),
    ("int_div_trunc_zero", lambda L, i: L.div(i, L.zeros(3, dtype=L.int64), rounding_mode="trunc")),
    ("scalar_floordiv_int_zero", lambda L, i: 7 // L.tensor([1, 0])),
    ("inplace_floordiv_zero", lambda L, i: i.floor_divide_(0)),
    ("int_neg_pow", lambda L, i: i**-1),
    ("int_neg_pow_method", lambda L, i: i.pow(-2)),
    ("bool_neg_pow", lambda L, i: L.pow(i.bool(), -1)),
    ("bool_pow_bool", lambda L, i: L.pow(i.bool(), i.bool())),
    ("bool_sub", lambda L, i: i.bool() - i.bool()),
    ("sub_bool_operand", lambda L, i: i - i.bool()),
    ("sub_bool_scalar", lambda L, i: i - True),
    ("rsub_bool", lambda L, i: 1 - i.bool()),
    ("bool_neg", lambda L, i: -i.bool()),
    ("bool_pos", lambda L, i: +i.bool()),
    ("bool_abs", lambda L, i: L.abs(i.bool())),
    ("bool_relu", lambda L, i: L.relu(i.bool())),
    ("bool_floordiv", lambda L, i: i.bool() // i.bool()),
    ("bool_remainder", lambda L, i: i.bool() % i.bool()),
    ("float_bitwise_and", lambda L, i: i.float() & i.float()),
    ("float_bitwise_and_scalar", lambda L, i: i & 1.5),
    ("float_invert", lambda L, i: ~i.float()),
    ("bool_shift", lambda L, i: i.bool() << i.bool()),
    ("int_frac", lambda L, i: L.frac(i)),
    ("int_round_decimals", lambda L, i: L.round(i, decimals=1)),
    ("int_lerp", lambda L, i: L.lerp(i, i, 0.5)),
    ("lerp_end_dtype", lambda L, i: L.lerp(i.float(), i.double(), 0.5)),
    ("lerp_weight_dtype", lambda L, i: L.lerp(i.float(), i.float(), i.double())),
    ("lerp_scalar_end", lambda L, i: L.lerp(i.float(), 2.0, 0.5)),
    ("addcdiv_int", lambda L, i: L.addcdiv(i.float(), i, i)),
    ("addcmul_bool", lambda L, i: L.addcmul(i.bool(), i.bool(), i.bool())),
    ("add_int_float_alpha", lambda L, i: L.add(i, i, alpha=2.5)),
    ("sub_int_float_alpha", lambda L, i: L.sub(i, i, alpha=0.5)),
    ("add_bool_alpha", lambda L, i: L.add(i.float(), i, alpha=True)),
    ("heaviside_dtypes", lambda L, i: L.heaviside(i, i.float())),
    ("where_int_condition", lambda L, i: L.where(i, i, i)),
    ("where_one_branch", lambda L, i: L.where(i > 0, i)),
    ("clamp_no_bounds", lambda L, i: L.clamp(i)),
    ("clamp_bool", lambda L, i: L.clamp(i.bool(), True)),
    ("isclose_dtypes", lambda L, i: L.isclose(i, i.float())),
    ("isclose_negative_rtol", lambda L, i: L.isclose(i, i, rtol=-1)),
    ("allclose_dtypes", lambda L, i: L.allclose(i, i.float())),
    ("isclose_scalar", lambda L, i: L.isclose(i.float(), 2.0)),
    ("equal_scalar", lambda L, i: L.equal(i, 1)),
    ("maximum_scalar", lambda L, i: L.maximum(i, 2)),
    ("maximum_scalar_input", lambda L, i: L.maximum(2, i)),
    ("fmod_scalar_input", lambda L, i: L.fmod(2, i)),
    ("eq_scalar_input", lambda L, i: L.eq(2, i)),
    ("logical_and_scalar", lambda L, i: L.logical_and(i, 1)),
    ("atan2_scalar", lambda L, i: L.atan2(i.float(), 2.0)),
    ("sin_scalar", lambda L, i: L.sin(2.0)),
    ("exp_list", lambda L, i: L.exp([1.0, 2.0])),
    ("fill_1d_value", lambda L, i: L.fill(i, L.tensor([1]))),
    ("div_bad_rounding", lambda L, i: L.div(i, 2, rounding_mode="round")),
    ("polygamma_negative_n", lambda L, i: L.polygamma(-1, i.float())),
    ("sign_complex", lambda L, i: L.sign(i.to(L.complex64))),
    ("broadcast_mismatch", lambda L, i: L.add(i, L.ones(4))),
    ("broadcast_mismatch_where", lambda L, i: L.where(L.ones(2, dtype=L.bool), i, i)),
    ("unknown_keyword", lambda L, i: L.add(i, i, beta=2)),
    ("inplace_result_cast", lambda L, i: i.add_(1.5)),
    ("inplace_div_int", lambda L, i: i.div_(2)),
    ("inplace_sqrt_int", lambda L, i: i.sqrt_()),
    ("inplace_bool_add_int", lambda L, i: i.bool().add_(1)),
    ("inplace_broadcast_grows", lambda L, i: i[:1].add_(L.ones(2, 3, dtype=L.int64))),
    ("float_power_inplace_float32", lambda L, i: i.float().float_power_(2)),
    ("float_power_inplace_complex", lambda L, i: i.double().float_power_(1j)),
]


@pytest.mark.parametrize("name,fn", params(ERRORS))
def test_bad_input(name, fn):
    result = same(fn, np.array([3, -7, 2], np.int64))
    assert isinstance(result[0], Exception), f"torch did not raise for {name}"


def test_error_messages():
    i = jtorch.tensor([3, 4])
    cases = [
        (lambda: i // 0, RuntimeError, "ZeroDivisionError"),
        (lambda: i**-1, RuntimeError, "Integers to negative integer powers are not allowed."),
        (
            lambda: i.add_(1.5),
            RuntimeError,
            "result type Float can't be cast to the desired output type Long",
        ),
        (lambda: jtorch.maximum(i, 2), TypeError, "maximum(): argument 'other'"),
        (lambda: i.float() & 1, NotImplementedError, "not implemented for 'Float'"),
        (
            lambda: jtorch.where(i, i, i),
            RuntimeError,
            "where expected condition to be a boolean tensor",
        ),
    ]
    for fn, exc, text in cases:
        with pytest.raises(exc) as info:
            fn()
        assert text in str(info.value), str(info.value)


# ---- backward errors of ops torch does not differentiate -----------------------------------------


NO_DERIVATIVE = [
    ("floor_divide", lambda L, x: L.floor_divide(x, 2)),
    ("floordiv_dunder", lambda L, x: x // x),
    ("heaviside", lambda L, x: L.heaviside(x, x)),
    ("remainder_scalar_input", lambda L, x: L.remainder(2, x)),
]


@pytest.mark.parametrize("name,fn", params(NO_DERIVATIVE))
def test_no_derivative(name, fn):
    errors = []
    for lib in (torch, jtorch):
        x = lib.tensor([1.5, 2.5], requires_grad=True)
        out = fn(lib, x)
        assert (
            type(out.grad_fn).__name__ == "NotImplemented"
            if lib is torch
            else out.grad_fn.name() == "NotImplemented"
        )
        with pytest.raises(RuntimeError) as info:
            out.sum().backward()
        errors.append(str(info.value))
    assert "not implemented" in errors[1]


# ---- in-place variants and out= ------------------------------------------------------------------

INPLACE = [
    ("add_", lambda L, x, y: x.clone().add_(y)),
    ("add_alpha_", lambda L, x, y: x.clone().add_(y, alpha=-0.5)),
    ("sub_scalar_", lambda L, x, y: x.clone().sub_(2)),
    ("mul_", lambda L, x, y: x.clone().mul_(y)),
    ("div_floor_", lambda L, x, y: x.clone().div_(y, rounding_mode="floor")),
    ("pow_", lambda L, x, y: x.clone().abs_().pow_(y)),
    ("clamp_", lambda L, x, y: x.clone().clamp_(-0.5, 0.5)),
    ("clamp_min_tensor_", lambda L, x, y: x.clone().clamp_min_(y)),
    ("lerp_", lambda L, x, y: x.clone().lerp_(y, 0.3)),
    ("addcmul_", lambda L, x, y: x.clone().addcmul_(y, y, value=2)),
    ("addcdiv_", lambda L, x, y: x.clone().addcdiv_(y, y + 3)),
    ("copysign_", lambda L, x, y: x.clone().copysign_(y)),
    ("exp_", lambda L, x, y: x.clone().exp_()),
    ("sigmoid_", lambda L, x, y: x.clone().sigmoid_()),
    ("atan2_", lambda L, x, y: x.clone().arctan2_(y)),
    ("eq_keeps_dtype", lambda L, x, y: x.clone().eq_(y)),
    ("fill_", lambda L, x, y: x.clone().fill_(2.5)),
    ("zero_", lambda L, x, y: x.clone().zero_()),
    ("nan_to_num_", lambda L, x, y: (x / 0).nan_to_num_(posinf=1.0)),
    ("iadd", lambda L, x, y: _iop(x.clone(), y, "__iadd__")),
    ("isub", lambda L, x, y: _iop(x.clone(), 2, "__isub__")),
    ("imul", lambda L, x, y: _iop(x.clone(), y, "__imul__")),
    ("itruediv", lambda L, x, y: _iop(x.clone(), y, "__itruediv__")),
    ("ipow", lambda L, x, y: _iop(x.clone().abs(), 2, "__ipow__")),
    ("view_writes_base", lambda L, x, y: _through_view(x.clone())),
    ("on_nonleaf", lambda L, x, y: (x * 1).mul_(y).add_(x)),
]


def _iop(x, y, name):
    getattr(x, name)(y)
    return x


def _through_view(x):
    x[0].add_(10)
    x.t()[1].mul_(2)
    x[:, 2].fill_(0.5)
    return x


@pytest.mark.parametrize("name,fn", params(INPLACE))
def test_inplace(name, fn):
    same(fn, A, B)


INT_INPLACE = [
    ("add_", lambda L, i, j: i.clone().add_(j, alpha=2)),
    ("floor_divide_", lambda L, i, j: i.clone().floor_divide_(j)),
    ("remainder_", lambda L, i, j: i.clone().remainder_(j)),
    ("ifloordiv", lambda L, i, j: _iop(i.clone(), 2, "__ifloordiv__")),
    ("imod", lambda L, i, j: _iop(i.clone(), 3, "__imod__")),
    ("iand", lambda L, i, j: _iop(i.clone(), j, "__iand__")),
    ("ior", lambda L, i, j: _iop(i.clone(), 5, "__ior__")),
    ("ixor", lambda L, i, j: _iop(i.clone(), j, "__ixor__")),
    ("ilshift", lambda L, i, j: _iop(i.clone(), 2, "__ilshift__")),
    ("irshift", lambda L, i, j: _iop(i.clone(), 1, "__irshift__")),
    ("bitwise_left_shift_", lambda L, i, j: i.clone().bitwise_left_shift_(j.abs())),
    ("logical_not_", lambda L, i, j: i.clone().logical_not_()),
    ("fill_truncates", lambda L, i, j: i.clone().fill_(2.7)),
    ("clamp_", lambda L, i, j: i.clone().clamp_(0, 4)),
    ("abs_", lambda L, i, j: i.clone().abs_()),
    ("neg_", lambda L, i, j: i.clone().neg_()),
    ("square_", lambda L, i, j: i.clone().square_()),
    ("sign_", lambda L, i, j: i.clone().sign_()),
    ("bool_logical_and_", lambda L, i, j: i.bool().logical_and_(j.bool())),
    ("bool_add_", lambda L, i, j: i.bool().add_(j.bool())),
]


@pytest.mark.parametrize("name,fn", INT_INPLACE, ids=[row[0] for row in INT_INPLACE])
def test_inplace_int(name, fn):
    same(fn, AI, BI)


def test_inplace_returns_self_and_bumps_version():
    for lib in (torch, jtorch):
        x = lib.tensor([1.0, 2.0])
        v = x._version
        assert x.add_(1) is x and x.mul_(2) is x and x.clamp_(0, 5) is x
        assert x._version > v


def test_inplace_on_leaf_requiring_grad():
    same(lambda L, x: x.add_(1), f64(1, 2))


OUT = [
    ("add", lambda L, x, y, o: L.add(x, y, out=o)),
    ("mul_scalar", lambda L, x, y, o: L.mul(x, 3, out=o)),
    ("div_floor", lambda L, x, y, o: L.div(x, y, rounding_mode="floor", out=o)),
    ("pow", lambda L, x, y, o: L.pow(x.abs(), y, out=o)),
    ("exp", lambda L, x, y, o: L.exp(x, out=o)),
    ("clamp", lambda L, x, y, o: L.clamp(x, -1, 1, out=o)),
    ("maximum", lambda L, x, y, o: L.maximum(x, y, out=o)),
    ("where", lambda L, x, y, o: L.where(x > 0, x, y, out=o)),
    ("eq_into_float", lambda L, x, y, o: L.eq(x, y, out=o)),
    ("lerp", lambda L, x, y, o: L.lerp(x, y, 0.25, out=o)),
    ("bitwise_and", lambda L, x, y, o: L.bitwise_and(x.long(), 5, out=o.long())),
]


@pytest.mark.parametrize("out_shape", [(2, 3), (0,)], ids=["same_shape", "resized"])
@pytest.mark.parametrize("name,fn", OUT, ids=[row[0] for row in OUT])
def test_out(name, fn, out_shape):
    def run(L, x, y):
        o = L.zeros(out_shape)
        r = fn(L, x, y, o)
        return r, o if r is o else r

    same(run, A, B, grad=False)


def test_out_errors():
    same(lambda L, x: L.add(x, x, out=L.empty(2, dtype=L.int64)), A, grad=False)  # Float into Long
    same(
        lambda L, x: L.lt(x, x, out=L.empty(2, dtype=L.int64)), A, grad=False
    )  # Bool into Long: fine
    same(lambda L, x: L.add(x, 1.5, out=L.empty(2, dtype=L.bool)), AI, grad=False)
    same(lambda L, x: L.add(x, x, out=L.empty(2)), A)  # out= does not support autograd


# ---- operators -----------------------------------------------------------------------------------

DUNDERS = [
    ("add", lambda L, x, y: x + y),
    ("radd", lambda L, x, y: 2 + x),
    ("sub", lambda L, x, y: x - y),
    ("rsub", lambda L, x, y: 2 - x),
    ("rsub_float", lambda L, x, y: 1.5 - y),
    ("mul", lambda L, x, y: x * y),
    ("rmul", lambda L, x, y: 2.5 * y),
    ("truediv", lambda L, x, y: x / y),
    ("rtruediv", lambda L, x, y: 2 / x),
    ("floordiv", lambda L, x, y: x // 2),
    ("rfloordiv", lambda L, x, y: 2 // y),
    ("mod", lambda L, x, y: x % y),
    ("rmod", lambda L, x, y: 7 % y),
    ("pow", lambda L, x, y: y**2),
    ("rpow", lambda L, x, y: 2**x),
    ("rpow_float", lambda L, x, y: 1.5**y),
    ("neg", lambda L, x, y: -x),
    ("pos", lambda L, x, y: +x),
    ("abs", lambda L, x, y: abs(x)),
    ("eq", lambda L, x, y: x == y),
    ("ne_scalar", lambda L, x, y: x != 1.5),
    ("lt", lambda L, x, y: x < y),
    ("le_reflected", lambda L, x, y: 0.5 <= x),
    ("gt_reflected", lambda L, x, y: 1 > x),
    ("ge", lambda L, x, y: x >= y),
    ("numpy_rmul", lambda L, x, y: np.float64(2.0) * x),
    ("numpy_mul", lambda L, x, y: x * np.float32(3.0)),
    ("numpy_radd_int", lambda L, x, y: np.int64(2) + x),
    ("numpy_rsub", lambda L, x, y: np.float64(1.0) - y),
    ("numpy_rtruediv", lambda L, x, y: np.float32(2.0) / y),
    ("numpy_rpow", lambda L, x, y: np.float64(2.0) ** x),
    ("numpy_lt", lambda L, x, y: x < np.float64(0.5)),
]


# Integer operands where the operator's integer semantics differ (division, modulo, powers).
_INT_TOO = {
    "truediv",
    "rtruediv",
    "floordiv",
    "rfloordiv",
    "mod",
    "rmod",
    "pow",
    "rpow",
    "rsub",
    "numpy_rmul",
    "numpy_radd_int",
    "numpy_rtruediv",
}
DUNDER_CASES = [
    (n, fn, d)
    for n, fn in DUNDERS
    for d in (("float32", "int64") if n in _INT_TOO else ("float32",))
]


@pytest.mark.parametrize(
    "name,fn,dtype", DUNDER_CASES, ids=[f"{n}-{d}" for n, _, d in DUNDER_CASES]
)
def test_dunders(name, fn, dtype):
    # torch defines no derivative for floor division, nor for remainder(scalar, tensor)
    grad = name not in ("floordiv", "rfloordiv", "rmod")
    same(fn, cast(A, dtype), cast(B, dtype) if dtype != "int64" else BI, grad=grad)


INT_DUNDERS = [
    ("and", lambda L, i, j: i & j),
    ("rand", lambda L, i, j: 6 & j),
    ("or", lambda L, i, j: i | 2),
    ("ror", lambda L, i, j: 1 | i),
    ("xor", lambda L, i, j: i ^ j),
    ("rxor", lambda L, i, j: 3 ^ i),
    ("invert", lambda L, i, j: ~i),
    ("invert_bool", lambda L, i, j: ~(i > 0)),
    ("bool_ops", lambda L, i, j: ((i > 0) & (j > 1), (i > 0) | True, (i > 0) ^ (j > 1))),
    ("lshift", lambda L, i, j: i << 2),
    ("rlshift", lambda L, i, j: 2 << j.abs()),
    ("rshift", lambda L, i, j: i >> 1),
    ("rrshift", lambda L, i, j: 64 >> j.abs()),
    ("shift_tensor", lambda L, i, j: (i << j.abs(), i >> j.abs())),
    ("shift_out_of_range", lambda L, i, j: (i << 64, i >> 70, i << -1, i >> -1)),
    ("uint8_shift", lambda L, i, j: (i.to(L.uint8) << 5, i.to(L.uint8) >> 9)),
    ("rpow_int", lambda L, i, j: 2 ** j.abs()),
    ("int_pow_tensor_negative", lambda L, i, j: i ** L.tensor(-1)),
]


@pytest.mark.parametrize("name,fn", INT_DUNDERS, ids=[row[0] for row in INT_DUNDERS])
def test_int_dunders(name, fn):
    same(fn, AI, BI)


def test_unsupported_operand_is_type_error():
    for lib in (torch, jtorch):
        x = lib.tensor([1.0])
        with pytest.raises(TypeError):
            x + "a"
        with pytest.raises(TypeError):
            object() * x
        assert (x == None) is False


# ---- where, equal, allclose, isclose -------------------------------------------------------------


def test_where():
    c = np.array([[True, False, True], [False, True, False]])
    same(lambda L, c, x, y: L.where(c, x, y), c, A, B)
    same(lambda L, c, x, y: L.where(c, x, y), c[0], A[:1], B[:, :1])
    same(lambda L, c, x, y: x.where(c, y), c, A, B)
    same(lambda L, c, x, y: L.where(c.to(L.uint8), x, y), c, A, B)
    same(lambda L, c, x, y: L.where(c, x, y), np.array(True), np.float32(2.0), B)
    same(
        lambda L, c, x, y: L.where(c, x, y), np.zeros((0, 3), bool), np.zeros((0, 3), np.float32), B
    )


@pytest.mark.parametrize(
    "cond",
    [
        np.array([[True, False], [False, True]]),
        np.array([0.0, 1.5, -2.0]),
        np.array(3),
        np.array(0),
        np.zeros((2, 0)),
    ],
    ids=["2d_bool", "1d_float", "0d_nonzero", "0d_zero", "empty"],
)
def test_where_condition_only(cond):
    same(lambda L, c: L.where(c), cond, grad=False)


def test_equal_allclose_isclose():
    x = a32([1.0, NAN, 3.0])
    y = a32([1.0 + 1e-6, NAN, 3.1])
    same(lambda L, x, y: (L.equal(x, x), L.equal(x[::2], x[::2].clone()), L.equal(x, y)), x, y)
    same(
        lambda L, x, y: (x.equal(x.long()), L.equal(x, x[:2]), L.equal(x[:1], x[:1].double())), x, y
    )
    same(
        lambda L, x, y: (
            L.allclose(x, y),
            L.allclose(x, y, equal_nan=True),
            x.allclose(y, atol=0.2, equal_nan=True),
        ),
        x,
        y,
    )
    same(
        lambda L, x, y: (
            L.isclose(x, y),
            L.isclose(x, y, rtol=0, atol=0, equal_nan=True),
            x.isclose(y, atol=0.2),
        ),
        x,
        y,
    )
    same(lambda L, x, y: L.isclose(x, L.tensor([INF, -INF, INF])), a32([INF, INF, 1.0]), y)


# ---- grad_fn names -------------------------------------------------------------------------------

GRAD_NAMES = [
    lambda L, x: x + 2,
    lambda L, x: 2 - x,
    lambda L, x: x - 2,
    lambda L, x: 2 / x,
    lambda L, x: x / x,
    lambda L, x: L.div(x, 2, rounding_mode="trunc"),
    lambda L, x: x**2,
    lambda L, x: x**x,
    lambda L, x: 2**x,
    lambda L, x: L.float_power(x, 2),
    lambda L, x: L.square(x),
    lambda L, x: L.clamp(x, 0, 1),
    lambda L, x: L.clamp(x, x),
    lambda L, x: L.clamp_min(x, 1),
    lambda L, x: L.clamp_max(x, x),
    lambda L, x: L.round(x, decimals=1),
    lambda L, x: L.round(x),
    lambda L, x: L.xlogy(x, 2),
    lambda L, x: L.xlogy(2, x),
    lambda L, x: L.copysign(x, 2),
    lambda L, x: L.remainder(x, 2),
    lambda L, x: L.fmod(x, x),
    lambda L, x: L.lerp(x, x, 0.5),
    lambda L, x: L.lerp(x, x, x),
    lambda L, x: L.where(x > 0, x, 0.0),
    lambda L, x: L.fill(x, 2),
    lambda L, x: L.exp(x),
    lambda L, x: L.logit(x),
    lambda L, x: L.atan2(x, x),
    lambda L, x: L.sgn(x),
    lambda L, x: L.maximum(x, x),
    lambda L, x: L.abs(x),
    lambda L, x: L.polygamma(1, x),
]


@pytest.mark.parametrize("fn", GRAD_NAMES)
def test_grad_fn_name(fn):
    t = fn(torch, torch.tensor(POS, requires_grad=True))
    j = fn(jtorch, jtorch.tensor(POS, requires_grad=True))
    assert j.grad_fn.name() == type(t.grad_fn).__name__


# ---- the public surface --------------------------------------------------------------------------

# Every op in the tables above, and the ones tested outside them.
PUBLIC = sorted(
    {row[0] for row in UNARY}
    | {row[0] for row in BINARY}
    | {"addcdiv", "addcmul", "allclose", "clamp", "clip", "equal", "fill", "floor_divide"}
    | {"heaviside", "igamma", "igammac", "isclose", "lerp", "mvlgamma", "polygamma", "where"}
)


def test_public_names_and_methods():
    missing = [n for n in PUBLIC if not hasattr(jtorch, n)]
    assert not missing, f"torch names missing from jtorch: {missing}"
    methods = [n for n in dir(torch.Tensor) if n in PUBLIC or n.rstrip("_") in PUBLIC]
    missing = [n for n in methods if not hasattr(jtorch.Tensor, n)]
    assert not missing, f"Tensor methods missing from jtorch: {missing}"


# ---- float16 and bfloat16 in float32 opmath (Note [opmath] in jtorch/_ops/pointwise.py) -------

# A Python scalar next to a half tensor: torch's mul, div and floor_divide kernels read it in
# float32, add and sub round it to the tensor's dtype first; formulas of several steps round
# once; a division by a broadcast divisor is IEEE division (Note [exact division]). Compared
# bit for bit, values and gradients, on values spread over many binades.
HALF_CASES = {
    "mul_scalar": lambda L, x, y: x * 0.1234567,
    "rmul_scalar": lambda L, x, y: 0.1234567 * x,
    "mul_int_scalar": lambda L, x, y: x * 1000001,
    "div_scalar": lambda L, x, y: x / 0.3,
    "rdiv_scalar": lambda L, x, y: 0.3 / x,
    "floor_divide_scalar": lambda L, x, y: x // 0.3,
    "div_floor_scalar": lambda L, x, y: L.div(x, 0.3, rounding_mode="floor"),
    "div_trunc_scalar": lambda L, x, y: L.div(x, 0.3, rounding_mode="trunc"),
    "add_scalar": lambda L, x, y: x + 0.1234567,
    "sub_scalar": lambda L, x, y: x - 0.1234567,
    "rsub_scalar": lambda L, x, y: 0.1234567 - x,
    "add_alpha": lambda L, x, y: L.add(x, y, alpha=0.1234567),
    "sub_alpha": lambda L, x, y: L.sub(x, y, alpha=0.1234567),
    "mul_": lambda L, x, y: x.clone().mul_(0.1234567),
    "div_": lambda L, x, y: x.clone().div_(0.3),
    "add_alpha_": lambda L, x, y: x.clone().add_(y, alpha=0.1234567),
    "lerp_scalar": lambda L, x, y: L.lerp(x, y, 0.1234567),
    "lerp_tensor": lambda L, x, y: L.lerp(x, y, y.abs() / (1 + y.abs())),
    "addcmul": lambda L, x, y: L.addcmul(x, x, y, value=0.1234567),
    "addcdiv": lambda L, x, y: L.addcdiv(x, x, y, value=0.1234567),
    "hypot": lambda L, x, y: L.hypot(x, y),
    "atan2": lambda L, x, y: L.atan2(x, y),
    "logaddexp": lambda L, x, y: L.logaddexp(x, y),
    "mul_tensors": lambda L, x, y: x * y,
    "div_tensor_row": lambda L, x, y: x.view(64, 32) / y[:32],
    # a scalar first is rounded, and floor/trunc division of two tensors rounds step by step
    "rfloordiv_scalar": lambda L, x, y: 0.3 // x,
    "floor_divide_tensors": lambda L, x, y: x // y,
    "div_floor_tensors": lambda L, x, y: L.div(x, y, rounding_mode="floor"),
    "div_trunc_tensors": lambda L, x, y: L.div(x, y, rounding_mode="trunc"),
}


# Whose gradients torch computes in one kernel per input (those of the other cases are
# sequences of half-precision ops in torch's backward formulas, rounded at each step).
HALF_GRADS = {"mul_scalar", "rmul_scalar", "div_scalar", "add_alpha", "sub_alpha", "mul_tensors"}


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", sorted(HALF_CASES))
def test_half_precision_opmath(name, dtype):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(2048) * np.exp2(rng.integers(-6, 6, 2048))).astype(np.float32)
    y = (rng.standard_normal(2048) * np.exp2(rng.integers(-6, 6, 2048))).astype(np.float32)
    grad = name in HALF_GRADS

    def run(L):
        xs = [L.tensor(a).to(getattr(L, dtype)).requires_grad_(grad) for a in (x, y)]
        out = HALF_CASES[name](L, *xs)
        grads = L.autograd.grad(out.sum(), xs, allow_unused=True) if grad else ()
        return [t.detach().float().numpy() for t in (out, *grads) if t is not None]

    for expected, actual in zip(run(torch), run(jtorch), strict=True):
        np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize(
    "name, fn",
    [
        ("by_python_scalar", lambda L, x, y: x / 3),
        ("by_zero_dim_tensor", lambda L, x, y: x / L.tensor(0.3)),
        ("by_row", lambda L, x, y: x / y),
        ("by_column", lambda L, x, y: x / y[:5].view(5, 1)),
        ("floor", lambda L, x, y: L.div(x, y, rounding_mode="floor")),
        ("trunc", lambda L, x, y: L.div(x, 0.7, rounding_mode="trunc")),
        ("addcdiv", lambda L, x, y: L.addcdiv(x, x, y, value=0.5)),
        ("float64", lambda L, x, y: x.double() / y.double()),
    ],
)
def test_division_by_broadcast_values_is_exact(name, fn):
    """Note [exact division]: IEEE division, bit for bit as torch, where the divisor is broadcast."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 13)).astype(np.float32)
    y = (rng.standard_normal(13) + 3).astype(np.float32)
    expected = fn(torch, torch.tensor(x), torch.tensor(y)).numpy()
    np.testing.assert_array_equal(fn(jtorch, jtorch.tensor(x), jtorch.tensor(y)).numpy(), expected)
