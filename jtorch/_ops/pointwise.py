"""Pointwise ops: arithmetic, math functions, comparisons, logical and bitwise ops."""

import jax
import jax.numpy as jnp

from .._errors import check
from ._registry import BOOL_OUT, INT_TO_FLOAT, NONE, SAME, TN, T, op

# ---- arithmetic -----------------------------------------------------------------------------


@op(inplace=True, broadcast=True, linear=True)
def add(input: T, other: T, *, alpha: T = 1):
    return input + other * alpha if not _is_one(alpha) else input + other


@op(inplace=True, broadcast=True, linear=True)
def sub(input: T, other: T, *, alpha: T = 1):
    check(
        input.dtype != jnp.bool_ or other.dtype != jnp.bool_,
        RuntimeError,
        "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
        "`logical_xor()` operator instead.",
    )
    return input - other * alpha if not _is_one(alpha) else input - other


def _is_one(alpha):
    return isinstance(alpha, int) and alpha == 1


@op(inplace=True, broadcast=True)
def mul(input: T, other: T):
    if input.dtype == jnp.bool_:
        return input & other
    return input * other


def _div_promote(rounding_mode=None, **_):
    return INT_TO_FLOAT if rounding_mode is None else SAME


@op(promote=_div_promote, inplace=True, broadcast=True)
def div(input: T, other: T, *, rounding_mode=None):
    check(
        rounding_mode in (None, "trunc", "floor"),
        RuntimeError,
        lambda: f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'",
    )
    if rounding_mode is None:
        return input / other
    if rounding_mode == "trunc":
        if jnp.issubdtype(input.dtype, jnp.integer):
            return jax.lax.div(*jnp.broadcast_arrays(input, other))
        return jnp.trunc(input / other)
    return jnp.floor_divide(input, other)


@op(promote=INT_TO_FLOAT, inplace=True, broadcast=True, grad_name="DivBackward0")
def true_divide(input: T, other: T):
    return input / other


@op(inplace=True, broadcast=True, grad_name="DivBackward0")
def floor_divide(input: T, other: T):
    return jnp.floor_divide(input, other)


@op(inplace=True, broadcast=True)
def remainder(input: T, other: T):
    return jnp.remainder(input, other)


@op(inplace=True, broadcast=True)
def fmod(input: T, other: T):
    return jnp.fmod(input, other)


def _pow_name(input, exponent):
    from ..tensor import Tensor

    return "PowBackward1" if isinstance(exponent, Tensor) and isinstance(input, Tensor) else "PowBackward0"


@op(inplace=True, broadcast=True, grad_name=_pow_name)
def pow(input: T, exponent: T):
    return jnp.power(input, exponent)


@op(promote=INT_TO_FLOAT, inplace=True, broadcast=True)
def float_power(input: T, exponent: T):
    return jnp.power(input.astype(jnp.float64), exponent.astype(jnp.float64))


@op(inplace=True, linear=True)
def neg(input: T):
    check(
        input.dtype != jnp.bool_,
        RuntimeError,
        "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a "
        "mask, use the `~` or `logical_not()` operator instead.",
    )
    return -input


negative = neg


@op(inplace=True)
def abs(input: T):
    return jnp.abs(input)


absolute = abs


@op(promote=INT_TO_FLOAT, inplace=True)
def reciprocal(input: T):
    return 1 / input


@op(inplace=True, grad_name="PowBackward0")
def square(input: T):
    return input * input


@op(inplace=True)
def sign(input: T):
    return jnp.sign(input)


@op(inplace=True, broadcast=True)
def maximum(input: T, other: T):
    return jnp.maximum(input, other)


@op(inplace=True, broadcast=True)
def minimum(input: T, other: T):
    return jnp.minimum(input, other)


@op(inplace=True, broadcast=True)
def fmax(input: T, other: T):
    return jnp.fmax(input, other)


@op(inplace=True, broadcast=True)
def fmin(input: T, other: T):
    return jnp.fmin(input, other)


@op(inplace=True, grad_name=lambda input, min=None, max=None: "ClampBackward1")
def clamp(input: T, min: T = None, max: T = None):
    check(min is not None or max is not None, RuntimeError, "torch.clamp: At least one of 'min' or 'max' must not be None")
    if min is not None:
        input = jnp.maximum(input, min)
    if max is not None:
        input = jnp.minimum(input, max)
    return input


clip = clamp


@op(broadcast=True, inplace=True)
def lerp(input: T, end: T, weight: T):
    return input + weight * (end - input)


@op(broadcast=True, inplace=True)
def addcmul(input: T, tensor1: T, tensor2: T, *, value: T = 1):
    return input + value * tensor1 * tensor2


@op(promote=INT_TO_FLOAT, broadcast=True, inplace=True)
def addcdiv(input: T, tensor1: T, tensor2: T, *, value: T = 1):
    return input + value * tensor1 / tensor2


# ---- unary math: one table, one line each -----------------------------------------------------

_FLOAT_UNARY = {
    "exp": jnp.exp,
    "exp2": jnp.exp2,
    "expm1": jnp.expm1,
    "log": jnp.log,
    "log2": jnp.log2,
    "log10": jnp.log10,
    "log1p": jnp.log1p,
    "sqrt": jnp.sqrt,
    "rsqrt": jax.lax.rsqrt,
    "sin": jnp.sin,
    "cos": jnp.cos,
    "tan": jnp.tan,
    "asin": jnp.arcsin,
    "acos": jnp.arccos,
    "atan": jnp.arctan,
    "sinh": jnp.sinh,
    "cosh": jnp.cosh,
    "tanh": jnp.tanh,
    "asinh": jnp.arcsinh,
    "acosh": jnp.arccosh,
    "atanh": jnp.arctanh,
    "sigmoid": jax.nn.sigmoid,
    "erf": jax.scipy.special.erf,
    "erfc": jax.scipy.special.erfc,
    "erfinv": jax.scipy.special.erfinv,
    "lgamma": jax.scipy.special.gammaln,
    "digamma": jax.scipy.special.digamma,
    "sinc": jnp.sinc,
    "deg2rad": jnp.deg2rad,
    "rad2deg": jnp.rad2deg,
}

_SAME_UNARY = {
    "floor": jnp.floor,
    "ceil": jnp.ceil,
    "trunc": jnp.trunc,
    "frac": lambda x: x - jnp.trunc(x),
    "relu": jax.nn.relu,
}

_ALIASES = {"arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "fix": "trunc"}


def _unary(name, f, promote):
    def fn(input):
        if promote is SAME and jnp.issubdtype(input.dtype, jnp.integer) and name != "relu":
            return input
        return f(input)

    fn.__name__ = name
    fn.__annotations__ = {"input": T}
    return op(name, promote=promote, inplace=True)(fn)


for _name, _f in _FLOAT_UNARY.items():
    globals()[_name] = _unary(_name, _f, INT_TO_FLOAT)
for _name, _f in _SAME_UNARY.items():
    globals()[_name] = _unary(_name, _f, SAME)
for _alias, _target in _ALIASES.items():
    globals()[_alias] = globals()[_target]


@op(inplace=True)
def round(input: T, *, decimals=0):
    if jnp.issubdtype(input.dtype, jnp.integer):
        return input
    if decimals == 0:
        return jnp.round(input)
    return jnp.round(input, decimals)


@op(broadcast=True, inplace=True, promote=INT_TO_FLOAT)
def atan2(input: T, other: T):
    return jnp.arctan2(input, other)


arctan2 = atan2


@op(promote=INT_TO_FLOAT, inplace=True)
def logit(input: T, eps=None):
    if eps is not None:
        input = jnp.clip(input, eps, 1 - eps)
    return jnp.log(input / (1 - input))


@op(promote=INT_TO_FLOAT, broadcast=True)
def xlogy(input: T, other: T):
    return jax.scipy.special.xlogy(input, other)


@op(promote=INT_TO_FLOAT, inplace=True)
def nan_to_num(input: T, nan=0.0, posinf=None, neginf=None):
    return jnp.nan_to_num(input, nan=nan, posinf=posinf, neginf=neginf)


# ---- comparisons and predicates --------------------------------------------------------------

_COMPARE = {"eq": jnp.equal, "ne": jnp.not_equal, "lt": jnp.less, "le": jnp.less_equal, "gt": jnp.greater, "ge": jnp.greater_equal}


def _compare(name, f):
    def fn(input, other):
        return f(input, other)

    fn.__name__ = name
    fn.__annotations__ = {"input": T, "other": T}
    return op(name, promote=BOOL_OUT, broadcast=True, inplace=True)(fn)


for _name, _f in _COMPARE.items():
    globals()[_name] = _compare(_name, _f)
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne  # noqa: F821


@op(promote=NONE)
def isnan(input: T):
    return jnp.isnan(input)


@op(promote=NONE)
def isinf(input: T):
    return jnp.isinf(input)


@op(promote=NONE)
def isfinite(input: T):
    return jnp.isfinite(input)


@op(promote=NONE)
def isposinf(input: T):
    return jnp.isposinf(input)


@op(promote=NONE)
def isneginf(input: T):
    return jnp.isneginf(input)


@op(promote=NONE)
def signbit(input: T):
    return jnp.signbit(input)


@op(promote=BOOL_OUT, broadcast=True, method=False)
def isclose(input: T, other: T, rtol=1e-05, atol=1e-08, equal_nan=False):
    return jnp.isclose(input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)


# ---- logical and bitwise ---------------------------------------------------------------------


@op(promote=NONE, broadcast=True, inplace=True)
def logical_and(input: T, other: T):
    return jnp.logical_and(input, other)


@op(promote=NONE, broadcast=True, inplace=True)
def logical_or(input: T, other: T):
    return jnp.logical_or(input, other)


@op(promote=NONE, broadcast=True, inplace=True)
def logical_xor(input: T, other: T):
    return jnp.logical_xor(input, other)


@op(promote=NONE, inplace=True)
def logical_not(input: T):
    return jnp.logical_not(input)


def _integral_only(name, x):
    check(
        jnp.issubdtype(x.dtype, jnp.integer) or x.dtype == jnp.bool_,
        RuntimeError,
        lambda: f'"{name}_cpu" not implemented for \'{_title(x.dtype)}\'',
    )


def _title(jdt):
    from .. import _dtype
    from ._registry import dtype_title

    return dtype_title(_dtype.from_numpy_dtype(jdt))


@op(broadcast=True, inplace=True)
def bitwise_and(input: T, other: T):
    _integral_only("bitwise_and", input)
    return input & other


@op(broadcast=True, inplace=True)
def bitwise_or(input: T, other: T):
    _integral_only("bitwise_or", input)
    return input | other


@op(broadcast=True, inplace=True)
def bitwise_xor(input: T, other: T):
    _integral_only("bitwise_xor", input)
    return input ^ other


@op(inplace=True)
def bitwise_not(input: T):
    _integral_only("bitwise_not", input)
    return ~input


@op(promote=SAME, broadcast=True, method=False)
def where(condition: TN, input: T, other: T):
    return jnp.where(condition, input, other)


# ---- fills ---------------------------------------------------------------------------------------


@op(promote=NONE, inplace=True, method=False, grad_name="FillBackward0")
def fill(input: T, value: TN):
    check(
        value.ndim == 0,
        RuntimeError,
        lambda: f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} dimensions.",
    )
    return jnp.full_like(input, value.astype(input.dtype))


@op(promote=NONE, inplace=True, method=False, grad_name="ZeroBackward0", out=False)
def zero(input: T):
    return jnp.zeros_like(input)
