"""Pointwise ops: arithmetic, extrema and clamping, math functions, logical and bitwise ops,
where and fills. Comparisons (comparison.py) and special functions (special.py) are built with
the helpers defined here.

Note [pointwise dtypes]: the registry promotes the operands (Note [type promotion] in _dtype.py);
each op then checks the computation dtype's category against what torch's kernel supports
(``_reject``, torch's NotImplementedError), so a check runs once per traced signature and costs
nothing afterwards. Value checks (integer division by zero, integer to a negative power) need
the operands' values and run in ``pre`` hooks, before jax would wrap or return garbage.
"""

import builtins
import functools

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._errors import check
from .._functions import result_type
from ._registry import (
    HALF,
    INT_TO_FLOAT,
    NONE,
    SAME,
    TN,
    TT,
    D,
    T,
    dispatch_inplace,
    dtype_title,
    method,
    op,
)

# ---- helpers -------------------------------------------------------------------------------------


def _kind(x):
    """The dtype category of jax array ``x``: "b"ool, "i"nteger, "f"loat or "c"omplex."""
    if x.dtype == jnp.bool_:
        return "b"
    if jnp.issubdtype(x.dtype, jnp.integer):
        return "i"
    return "c" if jnp.issubdtype(x.dtype, jnp.complexfloating) else "f"


def _title(x):
    return dtype_title(_dtype.from_numpy_dtype(x.dtype))


def _reject(x, kinds, kernel):
    """torch's NotImplementedError when ``x``'s dtype category is one of ``kinds``."""
    check(
        _kind(x) not in kinds,
        NotImplementedError,
        lambda: f"\"{kernel}\" not implemented for '{_title(x)}'",
    )


def _is_tensor(x):
    from ..tensor import Tensor

    return isinstance(x, Tensor)


def _backward(base, both=0, scalar_input=None, scalar_other=None):
    """A grad_name for binary ops whose torch node depends on which operand is a Python scalar."""

    def name(input, other, *rest):
        if not _is_tensor(input):
            return f"{base}Backward{scalar_input}"
        return f"{base}Backward{both if _is_tensor(other) else scalar_other}"

    return name


def _no_derivative(name, f):
    """``f`` with torch's backward error, for ops torch defines no derivative for."""

    @jax.custom_vjp
    def g(*args):
        return f(*args)

    def fwd(*args):
        return f(*args), None

    def bwd(_, ct):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")

    g.defvjp(fwd, bwd)
    return g


def _with_jvp(f, *partials):
    """``f`` differentiated with torch's formulas: ``partials[i](*args, out)`` is the derivative
    of the output in the i-th argument. For ops whose torch derivative differs from jax's at
    kinks, ties, zeros or infinities; the arguments must already be broadcast together."""
    g = jax.custom_jvp(f)

    def jvp(primals, tangents):
        out = g(*primals)
        terms = [t * d(*primals, out) for t, d in zip(tangents, partials)]
        return out, functools.reduce(jnp.add, terms)

    g.defjvp(jvp)
    return g


def _cast(scalar, x):
    """A traced D scalar in ``x``'s dtype."""
    return scalar.astype(x.dtype)


# Note [opmath]: torch computes its CPU kernels on float16 and bfloat16 in float32 ("opmath")
# and rounds once, at the end; jax rounds after every jnp function. So a formula of several
# steps (add's ``input + alpha * other``, lerp, addcmul, hypot) is computed here in float32 and
# rounded once. A Python scalar operand is rounded to the tensor's dtype first, as torch's
# argument becomes a tensor of that dtype, except where torch's kernel reads it in opmath
# (mul, div, floor_divide, lerp's weight: registered with ``opmath_scalars``, so the registry
# passes it in float32; addcmul's and addcdiv's ``value``). Whole ops computed this way
# (activations, norms) are registered with ``opmath`` instead.


def _opmath(f, *xs):
    """``f(*xs)`` with float16/bfloat16 operands computed in float32 and the result rounded
    back to their dtype (Note [opmath])."""
    half = next((x.dtype for x in xs if x.dtype in HALF), None)
    if half is None:
        return f(*xs)
    out = f(*[x.astype(jnp.float32) if x.dtype in HALF else x for x in xs])
    return out.astype(half) if out.dtype == jnp.float32 else out


def _call(f, *xs):
    return f(*xs)


def _scalar_opmath(f, input, other):
    """``f(input, other)`` for a formula that torch's kernel computes in opmath when ``other``
    is a Python scalar (passed in float32 next to a half ``input``, ``opmath_scalars``) and
    step by step in the operands' dtype when it is a tensor (floor and trunc division)."""
    if other.dtype == jnp.float32 and input.dtype in HALF:
        return _opmath(f, input, other)
    return f(input, other)


# Note [exact division]: XLA rewrites a division by a broadcast value (``x / 3``, ``x / y`` with
# ``y`` of shape (n,)) into a multiplication by its reciprocal, which differs from IEEE division
# (torch's) in the last bit for about a quarter of the elements. The divisor is broadcast by
# hand behind an optimization barrier, which the rewrite cannot see through; XLA removes the
# barrier later, so the division still fuses with what surrounds it.
def _divide(a, b):
    """``a / b``, IEEE division also where ``b`` is broadcast (Note [exact division])."""
    shape = jnp.broadcast_shapes(jnp.shape(a), jnp.shape(b))
    if jnp.shape(b) != shape:
        b = jax.lax.optimization_barrier(jnp.broadcast_to(b, shape))
    return jnp.true_divide(a, b)


def _opmath_scalar(scalar, x):
    """A traced D scalar as torch's kernels on ``x`` read it: in float32 for float16/bfloat16."""
    return scalar.astype(jnp.float32 if x.dtype in HALF else x.dtype)


# ---- arithmetic ----------------------------------------------------------------------------------


def _scaled(other, alpha):
    """``alpha * other`` with torch's checks on the type of ``alpha``."""
    check(
        _kind(other) not in "bi" or _kind(alpha) in "bi",
        RuntimeError,
        "For integral input tensors, argument alpha must not be a floating point number.",
    )
    check(
        _kind(alpha) != "b" or _kind(other) == "b",
        RuntimeError,
        "Boolean alpha only supported for Boolean results.",
    )
    if _kind(other) == "b":
        return other & alpha.astype(jnp.bool_)
    return other * _cast(alpha, other)


def _plus(a, b):
    return a | b if _kind(a) == "b" else a + b


def _alpha_form(f, input, other, alpha):
    """``f(input, other, alpha)``: the alpha form of add/sub/rsub, whose alpha torch rounds to
    the operands' dtype and whose formula it computes in opmath (Note [opmath])."""
    if _kind(alpha) != "b" and other.dtype in HALF:
        alpha = alpha.astype(other.dtype)
    return _opmath(f, input, other, alpha)


@op(inplace=True, broadcast=True, linear=True)
def add(input: T, other: T, *, alpha: D = 1):
    return _alpha_form(lambda a, b, alpha: _plus(a, _scaled(b, alpha)), input, other, alpha)


def _is_bool(x):
    return x._dtype is _dtype.bool if _is_tensor(x) else isinstance(x, (builtins.bool, np.bool_))


def _sub_pre(input, other, alpha=1):
    """torch's errors for bool operands of subtraction (checked before promotion)."""
    check(
        not (_is_bool(input) and _is_bool(other)),
        RuntimeError,
        "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
        "`logical_xor()` operator instead.",
    )
    check(
        not (_is_bool(input) or _is_bool(other)),
        RuntimeError,
        "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
        "invert a mask, use the `~` or `logical_not()` operator instead.",
    )


@op(inplace=True, broadcast=True, linear=True, pre=_sub_pre)
def sub(input: T, other: T, *, alpha: D = 1):
    return _alpha_form(lambda a, b, alpha: a - _scaled(b, alpha), input, other, alpha)


@op(
    broadcast=True,
    linear=True,
    method=False,
    pre=_sub_pre,
    grad_name=_backward("Rsub", scalar_other=1),
)
def rsub(input: TT, other: T, *, alpha: D = 1):
    """``other - alpha * input`` (what ``2 - x`` computes)."""
    return _alpha_form(lambda b, a, alpha: a - _scaled(b, alpha), input, other, alpha)


@op(inplace=True, broadcast=True, opmath_scalars=True)
def mul(input: T, other: T):
    return input & other if _kind(input) == "b" else _opmath(jnp.multiply, input, other)


def _needs_tensor(name, pre=None):
    """A ``pre`` hook: torch's TypeError when neither operand is a Tensor (torch has no
    (Number, Number) overload for ``name``), then ``pre``."""

    def check_operands(input, other, *rest):
        check(
            _is_tensor(input) or _is_tensor(other),
            TypeError,
            lambda: f"{name}() received an invalid combination of arguments - got "
            f"({type(input).__name__}, {type(other).__name__}), but expected one of:\n"
            f" * (Tensor input, Tensor other)\n * (Number self, Tensor other)\n"
            f" * (Tensor input, Number other)",
        )
        if pre is not None:
            pre(input, other, *rest)

    return check_operands


def _any_zero(x):
    return not np.asarray(x._value() if _is_tensor(x) else x).all()


def _zero_division_pre(input, other, rounding_mode="floor"):
    """torch's error for integer division by zero (jax would return garbage)."""
    if rounding_mode is not None and _dtype.is_integral(result_type(input, other)):
        check(not _any_zero(other), RuntimeError, "ZeroDivisionError")


def _floor_div(a, b, name):
    _reject(a, "bc", f"{name}_cpu")
    if _kind(a) == "i":
        return jnp.floor_divide(a, b)
    # torch's div_floor_floating: Python's floor division, exact at the signs of zero.
    mod = jnp.fmod(a, b)
    div = _divide(a - mod, b)
    div = jnp.where((mod != 0) & ((b < 0) != (mod < 0)), div - 1, div)
    floor = jnp.floor(div)
    floor = jnp.where(div - floor > 0.5, floor + 1, floor)
    floor = jnp.where(div == 0, jnp.copysign(jnp.zeros_like(div), _divide(a, b)), floor)
    return jnp.where(b == 0, _divide(a, b), floor)


def _trunc_div(a, b):
    _reject(a, "bc", "div_trunc_cpu")
    if _kind(a) == "i":
        return jax.lax.div(*jnp.broadcast_arrays(a, b))
    return jnp.trunc(_divide(a, b))


def _div_promote(input, other, rounding_mode=None):
    return INT_TO_FLOAT if rounding_mode is None else SAME


@op(
    promote=_div_promote,
    inplace=True,
    broadcast=True,
    opmath_scalars=True,
    pre=_zero_division_pre,
    grad_name=lambda input, other, rounding_mode=None: (
        f"DivBackward{0 if rounding_mode is None else 2}"
    ),
)
def div(input: T, other: T, *, rounding_mode=None):
    check(
        rounding_mode in (None, "trunc", "floor"),
        RuntimeError,
        lambda: (
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        ),
    )
    if rounding_mode is None:
        return _opmath(_divide, input, other)
    if rounding_mode == "trunc":
        return _scalar_opmath(_trunc_div, input, other)
    return _scalar_opmath(lambda a, b: _floor_div(a, b, "div_floor"), input, other)


@op(promote=INT_TO_FLOAT, inplace=True, broadcast=True, opmath_scalars=True, grad_name="DivBackward0")
def true_divide(input: T, other: T):
    return _opmath(_divide, input, other)


_floor_divide = _no_derivative("floor_divide", lambda a, b: _floor_div(a, b, "div_floor"))


@op(
    inplace=True,
    broadcast=True,
    opmath_scalars=True,
    pre=_zero_division_pre,
    grad_name="NotImplemented",
)
def floor_divide(input: T, other: T):
    return _scalar_opmath(_floor_divide, input, other)


def _remainder_name(input, other):
    if not _is_tensor(input):
        return "NotImplemented"
    return f"RemainderBackward{1 if _is_tensor(other) else 0}"


@op(
    inplace=True,
    broadcast=True,
    pre=_needs_tensor("remainder", _zero_division_pre),
    grad_name=_remainder_name,
)
def remainder(input: T, other: T):
    _reject(input, "bc", "remainder_cpu")
    return jnp.remainder(input, other)


@op(
    inplace=True,
    broadcast=True,
    pre=_zero_division_pre,
    grad_name=_backward("Fmod", 1, scalar_other=0),
)
def fmod(input: TT, other: T):
    _reject(input, "bc", "fmod_cpu")
    return jnp.fmod(input, other)


def _pow_pre(input, exponent):
    if (
        _is_tensor(input)
        and _is_tensor(exponent)
        and input._dtype is exponent._dtype is _dtype.bool
    ):
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    negative_int = (
        isinstance(exponent, (int, np.integer))
        and not isinstance(exponent, builtins.bool)
        and exponent < 0
    )
    if negative_int and _dtype.is_integral(result_type(input, exponent), include_bool=True):
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def _int_pow(base, exp):
    """torch's integer power: exact modulo 2**bits; b**-n is 0 unless |b| == 1."""
    base, exp = jnp.broadcast_arrays(base, exp)

    def square_and_multiply(_, carry):
        acc, b, e = carry
        return jnp.where(e & 1, acc * b, acc), b * b, e >> 1

    bits = jnp.iinfo(exp.dtype).bits
    acc, _, _ = jax.lax.fori_loop(
        0, bits, square_and_multiply, (jnp.ones_like(base), base, jnp.maximum(exp, 0))
    )
    one = jnp.ones_like(base)
    at_negative = jnp.where(
        base == 1, one, jnp.where(base == -1, jnp.where(exp & 1, -one, one), 0 * one)
    )
    return jnp.where(exp < 0, at_negative, acc)


# torch's pow backward: no nan at a zero base (d/dx is 0 where y == 0, d/dy where x == 0, y >= 0).
_real_pow = _with_jvp(
    jax.lax.pow,
    lambda x, y, out: jnp.where(y == 0, 0, y * _real_pow(x, y - 1)),
    lambda x, y, out: jnp.where((x == 0) & (y >= 0), 0, out * jnp.log(x)),
)


def _power(input, exponent):
    kind = _kind(input)
    if kind == "b":
        return input | ~exponent
    input, exponent = jnp.broadcast_arrays(input, exponent)
    if kind == "i":
        return _int_pow(input, exponent)
    return _real_pow(input, exponent) if kind == "f" else jnp.power(input, exponent)


_pow_name = _backward("Pow", both=1, scalar_input=2, scalar_other=0)


@op(inplace=True, broadcast=True, pre=_needs_tensor("pow", _pow_pre), grad_name=_pow_name)
def pow(input: T, exponent: T):
    return _power(input, exponent)


def _float_power_dtype(input, exponent):
    complex_ = any(
        _is_tensor(v) and v._dtype.is_complex or isinstance(v, complex) for v in (input, exponent)
    )
    return _dtype.complex128 if complex_ else _dtype.float64


@op(
    promote=_float_power_dtype,
    inplace=True,
    broadcast=True,
    pre=_needs_tensor("float_power"),
    grad_name=_pow_name,
)
def float_power(input: T, exponent: T):
    return _power(input, exponent)


@method("float_power_")
def float_power_(input, exponent):
    """In place: torch wants the base to have the result's dtype already (double)."""
    want = _float_power_dtype(input, exponent)
    check(
        input.dtype is want,
        RuntimeError,
        lambda: (
            f"the base given to float_power_ has dtype {dtype_title(input.dtype)} but the "
            f"operation's result requires dtype {dtype_title(want)}"
        ),
    )
    return dispatch_inplace(float_power, input, (exponent,), {})


@op(inplace=True, linear=True)
def neg(input: TT):
    check(
        _kind(input) != "b",
        RuntimeError,
        "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
        "invert a mask, use the `~` or `logical_not()` operator instead.",
    )
    return -input


negative = neg


def positive(input):
    """``input`` itself (torch.positive); bool tensors are rejected as in torch."""
    check(
        _is_tensor(input),
        TypeError,
        lambda: f"positive(): argument 'input' must be Tensor, not {type(input).__name__}",
    )
    check(
        input.dtype is not _dtype.bool,
        RuntimeError,
        "The `+` operator, on a bool tensor is not supported.",
    )
    return input


method("positive")(positive)


_real_abs = _with_jvp(jnp.abs, lambda x, out: jnp.sign(x))  # gradient 0 at 0, as torch


@op(inplace=True)
def abs(input: TT):
    _reject(input, "b", "abs_cpu")
    return _real_abs(input) if _kind(input) == "f" else jnp.abs(input)


absolute = abs


@op(inplace=True, grad_name="PowBackward0")
def square(input: TT):
    if _kind(input) == "b":
        input = input.astype(jnp.int64)
    return input * input


@op(inplace=True)
def sign(input: TT):
    check(
        _kind(input) != "c",
        NotImplementedError,
        "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
        "torch.sgn instead.",
    )
    return input if _kind(input) == "b" else jnp.sign(input)


@op(inplace=True)
def sgn(input: TT):
    if _kind(input) != "c":
        return sign.fn(input)
    magnitude = jnp.abs(input)
    return jnp.where(magnitude == 0, 0, input / jnp.where(magnitude == 0, 1, magnitude))


# ---- extrema and clamping ------------------------------------------------------------------------


def _extremum(f, beaten):
    """torch's maximum/minimum gradient: split evenly at ties, and to both operands where one
    is nan (nothing beats nan, nan beats nothing)."""

    def weight(a, b):
        return jnp.where(a == b, 0.5, jnp.where(beaten(a, b), 0.0, 1.0)).astype(a.dtype)

    real = _with_jvp(f, lambda x, y, out: weight(x, y), lambda x, y, out: weight(y, x))
    return lambda x, y: real(*jnp.broadcast_arrays(x, y)) if _kind(x) == "f" else f(x, y)


_maximum = _extremum(jnp.maximum, jnp.less)
_minimum = _extremum(jnp.minimum, jnp.greater)


@op(inplace=True, broadcast=True)
def maximum(input: TT, other: TT):
    _reject(input, "c", "maximum")
    return _maximum(input, other)


@op(inplace=True, broadcast=True)
def minimum(input: TT, other: TT):
    _reject(input, "c", "minimum")
    return _minimum(input, other)


# torch's fmax/fmin: the non-nan operand wins, and the input wins ties (value and gradient).


@op(inplace=True, broadcast=True)
def fmax(input: TT, other: TT):
    _reject(input, "c", "fmax")
    return jnp.where((input >= other) | jnp.isnan(other), input, other)


@op(inplace=True, broadcast=True)
def fmin(input: TT, other: TT):
    _reject(input, "c", "fmin")
    return jnp.where((input <= other) | jnp.isnan(other), input, other)


# torch's clamp backward: to ``x`` inside the bounds (inclusive, not at nan), to ``lo`` where
# x < lo < hi, to ``hi`` where x > hi or hi < lo (then every element is hi).
_real_clamp = _with_jvp(
    lambda x, lo, hi: jnp.minimum(jnp.maximum(x, lo), hi),
    lambda x, lo, hi, out: ((x >= lo) & (x <= hi)).astype(out.dtype),
    lambda x, lo, hi, out: ((x < lo) & (lo < hi)).astype(out.dtype),
    lambda x, lo, hi, out: ((x > hi) | (hi < lo)).astype(out.dtype),
)


def _clamp(x, lo, hi):
    check(_kind(x) != "c", NotImplementedError, "clamp is not supported for complex types")
    if _kind(x) != "f":
        x = x if lo is None else jnp.maximum(x, lo)
        return x if hi is None else jnp.minimum(x, hi)
    lo = jnp.asarray(-jnp.inf, x.dtype) if lo is None else lo
    hi = jnp.asarray(jnp.inf, x.dtype) if hi is None else hi
    return _real_clamp(*jnp.broadcast_arrays(x, lo, hi))


def _clamp_pre(input, min=None, max=None):
    """torch clamps bool tensors by bool tensors, not by bool Numbers (its Number-bound kernels
    reject Bool; an int or float bound promotes the result out of bool)."""
    scalar = [isinstance(b, (builtins.bool, np.bool_)) for b in (min, max)]
    if _is_tensor(input) and input._dtype is _dtype.bool and builtins.any(scalar):
        kernel = "clamp" if builtins.all(scalar) else ("clamp_min" if scalar[0] else "clamp_max")
        raise NotImplementedError(f"\"{kernel}_scalar_cpu\" not implemented for 'Bool'")


def _clamp_name(input, min=None, max=None):
    bounds = [b for b in (min, max) if b is not None]
    return f"ClampBackward{0 if bounds and all(_is_tensor(b) for b in bounds) else 1}"


@op(inplace=True, broadcast=True, pre=_clamp_pre, grad_name=_clamp_name)
def clamp(input: TT, min: T = None, max: T = None):
    check(
        min is not None or max is not None,
        RuntimeError,
        "torch.clamp: At least one of 'min' or 'max' must not be None",
    )
    return _clamp(input, min, max)


clip = clamp


@op(
    inplace=True,
    broadcast=True,
    pre=_clamp_pre,
    grad_name=_backward("ClampMin", scalar_other=0, both=1),
)
def clamp_min(input: TT, min: T):
    return _clamp(input, min, None)


@op(
    inplace=True,
    broadcast=True,
    pre=lambda input, max: _clamp_pre(input, None, max),
    grad_name=_backward("ClampMax", scalar_other=0, both=1),
)
def clamp_max(input: TT, max: T):
    return _clamp(input, None, max)


# ---- ternary arithmetic --------------------------------------------------------------------------


def _lerp_pre(input, end, weight):
    """torch's lerp wants ``end`` (and a ``weight`` with dims) in the input's dtype."""
    for name, v in (("end", end), ("weight", weight)):
        if _is_tensor(v) and v._dtype is not input._dtype and (name == "end" or v.dim()):
            raise RuntimeError(
                f"expected dtype {dtype_title(input._dtype).lower()} for `{name}` but got dtype "
                f"{dtype_title(v._dtype).lower()}"
            )


@op(
    promote=lambda input, end, weight: input.dtype,
    inplace=True,
    broadcast=True,
    opmath_scalars=True,
    pre=_lerp_pre,
    grad_name=lambda input, end, weight: f"LerpBackward{1 if _is_tensor(weight) else 0}",
)
def lerp(input: TT, end: TT, weight: T):
    _reject(input, "bi", "lerp_kernel_scalar")
    return _opmath(_lerp, input, end, weight)


def _lerp(input, end, weight):
    # torch's two-sided formula: exact at weight 0 and weight 1.
    diff = end - input
    return jnp.where(jnp.abs(weight) < 0.5, input + weight * diff, end - diff * (1 - weight))


@op(broadcast=True, inplace=True)
def addcmul(input: TT, tensor1: TT, tensor2: TT, *, value: D = 1):
    _reject(input, "b", "addcmul_cpu_out")
    value = _opmath_scalar(value, input)
    return _opmath(lambda x, a, b: x + value * a * b, input, tensor1, tensor2)


def _addcdiv_pre(input, tensor1, tensor2, value=1):
    integral = [
        _is_tensor(t) and _dtype.is_integral(t._dtype, include_bool=True)
        for t in (tensor1, tensor2)
    ]
    check(
        not builtins.all(integral),
        RuntimeError,
        "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
        "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
        "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
        "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
        "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
        "for all dtypes.",
    )


@op(broadcast=True, inplace=True, pre=_addcdiv_pre)
def addcdiv(input: TT, tensor1: TT, tensor2: TT, *, value: D = 1):
    value = _opmath_scalar(value, input)
    return _opmath(lambda x, a, b: x + value * _divide(a, b), input, tensor1, tensor2)


# ---- unary math ----------------------------------------------------------------------------------


def _unary(name, f, promote=INT_TO_FLOAT, reject="", inplace=True):
    """Register ``torch.<name>(input)`` computing ``f`` on the promoted input."""

    def fn(input):
        _reject(input, reject, f"{name}_cpu")
        return _opmath(f, input) if promote is INT_TO_FLOAT else f(input)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}, elementwise (float16/bfloat16 computed in float32, as torch)."
    fn.__annotations__ = {"input": TT}
    return op(name, promote=promote, inplace=inplace)(fn)


def _integral_identity(f):
    """A rounding function: integers are already round."""
    return lambda x: x if _kind(x) == "i" else f(x)


exp = _unary("exp", jnp.exp)
exp2 = _unary("exp2", jnp.exp2)
expm1 = _unary("expm1", jnp.expm1)
log = _unary("log", jnp.log)
log2 = _unary("log2", jnp.log2)
log10 = _unary("log10", jnp.log10)
log1p = _unary("log1p", jnp.log1p)
sqrt = _unary("sqrt", jnp.sqrt)
rsqrt = _unary("rsqrt", jax.lax.rsqrt)
reciprocal = _unary("reciprocal", jnp.reciprocal)
sin = _unary("sin", jnp.sin)
cos = _unary("cos", jnp.cos)
tan = _unary("tan", jnp.tan)
asin = arcsin = _unary("asin", jnp.arcsin)
acos = arccos = _unary("acos", jnp.arccos)
atan = arctan = _unary("atan", jnp.arctan)
sinh = _unary("sinh", jnp.sinh)
cosh = _unary("cosh", jnp.cosh)
tanh = _unary("tanh", jnp.tanh)
asinh = arcsinh = _unary("asinh", jnp.arcsinh)
acosh = arccosh = _unary("acosh", jnp.arccosh)
atanh = arctanh = _unary("atanh", jnp.arctanh)
sigmoid = _unary("sigmoid", jax.nn.sigmoid)
sinc = _unary("sinc", jnp.sinc)
deg2rad = _unary("deg2rad", jnp.deg2rad, reject="c")
rad2deg = _unary("rad2deg", jnp.rad2deg, reject="c")
angle = _unary(
    "angle",
    # at complex 0 the gradient is 0, as torch's (jax's is nan)
    lambda x: jnp.where(x == 0, jax.lax.stop_gradient(jnp.angle(x)), jnp.angle(jnp.where(x == 0, 1, x)))
    if _kind(x) == "c"
    else jax.lax.stop_gradient(jnp.angle(x)),
    inplace=False,
)
floor = _unary("floor", _integral_identity(jnp.floor), promote=SAME, reject="bc")
ceil = _unary("ceil", _integral_identity(jnp.ceil), promote=SAME, reject="bc")
trunc = fix = _unary("trunc", _integral_identity(jnp.trunc), promote=SAME, reject="bc")
frac = _unary("frac", lambda x: x - jnp.trunc(x), promote=SAME, reject="bic")
bitwise_not = _unary("bitwise_not", jnp.invert, promote=SAME, reject="fc")
logical_not = _unary("logical_not", jnp.logical_not, promote=NONE)
signbit = _unary(
    "signbit",
    lambda x: x < 0 if _kind(x) != "f" else jnp.signbit(x),
    promote=NONE,
    reject="c",
    inplace=False,
)


# torch's threshold_backward: gradient 0 where the output is <= 0, so 0 at 0 and passed at nan
_relu = _with_jvp(jax.nn.relu, lambda x, out: jnp.where(out <= 0, 0, 1).astype(out.dtype))


@op(inplace=True)
def relu(input: TT):
    check(_kind(input) != "b", RuntimeError, "Boolean inputs not supported for relu")
    return _relu(input)


@op(inplace=True, grad_name=lambda input, decimals=0: f"RoundBackward{0 if decimals == 0 else 1}")
def round(input: TT, *, decimals=0):
    _reject(input, "bc", "round_cpu")
    if decimals == 0:
        return _integral_identity(jnp.round)(input)
    _reject(input, "i", "round_cpu")
    # torch's formula (half to even): scale up for decimals > 0, down for decimals < 0.
    scale = jnp.asarray(10.0 ** builtins.abs(decimals), input.dtype)
    if decimals > 0:
        return jnp.round(input * scale) / scale
    return jnp.round(input / scale) * scale


@op(inplace=True)
def nan_to_num(input: TT, nan: D = 0.0, posinf: D = None, neginf: D = None):
    if _kind(input) != "f":
        return input
    info = jnp.finfo(input.dtype)
    posinf = info.max if posinf is None else _cast(posinf, input)
    neginf = info.min if neginf is None else _cast(neginf, input)
    x = jnp.where(jnp.isnan(input), _cast(nan, input), input)
    return jnp.where(jnp.isposinf(x), posinf, jnp.where(jnp.isneginf(x), neginf, x))


# ---- binary math ---------------------------------------------------------------------------------


# torch's derivatives of the binary math functions, exact where jax's differ (0/0, inf - inf).
def _zero(*args):
    return jnp.zeros_like(args[-1])


def _atan2_partial(num):
    def partial(x, y, out):
        squares = x * x + y * y
        return num(x, y) * jnp.where(squares == 0, 0, 1 / squares)

    return partial


_atan2 = _with_jvp(jnp.arctan2, _atan2_partial(lambda x, y: y), _atan2_partial(lambda x, y: -x))
_hypot = _with_jvp(jnp.hypot, lambda x, y, out: x / out, lambda x, y, out: y / out)
_logaddexp = _with_jvp(
    jnp.logaddexp,
    lambda x, y, out: 1 / (1 + jnp.exp(y - x)),
    lambda x, y, out: 1 / (1 + jnp.exp(x - y)),
)
_logaddexp2 = _with_jvp(
    jnp.logaddexp2,
    lambda x, y, out: 1 / (1 + jnp.exp2(y - x)),
    lambda x, y, out: 1 / (1 + jnp.exp2(x - y)),
)
_copysign = _with_jvp(jnp.copysign, lambda x, y, out: jnp.where(x == 0, 0, out / x), _zero)
_nextafter = _with_jvp(jnp.nextafter, lambda x, y, out: (x != y).astype(out.dtype), _zero)


def _binary(
    name,
    f,
    promote=INT_TO_FLOAT,
    reject="",
    input=TT,
    other=TT,
    inplace=True,
    grad_name=None,
    opmath=True,
):
    """Register ``torch.<name>(input, other)`` computing ``f`` on the promoted operands
    (``input=T``: a Number is allowed in either place, but not in both; ``opmath``: float16
    and bfloat16 in float32, Note [opmath])."""

    def fn(input, other):
        _reject(input, reject, f"{name}_cpu")
        return (_opmath if opmath else _call)(f, *jnp.broadcast_arrays(input, other))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}: elementwise on broadcast operands."
    fn.__annotations__ = {"input": input, "other": other}
    pre = _needs_tensor(name) if input is T else None
    return op(
        name, promote=promote, inplace=inplace, broadcast=True, grad_name=grad_name, pre=pre
    )(fn)


atan2 = arctan2 = _binary("atan2", _atan2)
hypot = _binary("hypot", _hypot, promote=SAME, reject="bic")
logaddexp = _binary("logaddexp", _logaddexp, promote=SAME, reject="bi", inplace=False)
logaddexp2 = _binary("logaddexp2", _logaddexp2, promote=SAME, reject="bi", inplace=False)
nextafter = _binary("nextafter", _nextafter, promote=SAME, reject="bic", opmath=False)
ldexp = _binary("ldexp", lambda x, e: x * jnp.exp2(e))
copysign = _binary("copysign", _copysign, other=T, grad_name=_backward("Copysign", scalar_other=1))


def _heaviside(input, values):
    return jnp.where(input == 0, values, (input > 0).astype(input.dtype))


@op(promote=NONE, inplace=True, broadcast=True, grad_name="NotImplemented")
def heaviside(input: TT, values: TT):
    check(
        input.dtype == values.dtype,
        RuntimeError,
        "heaviside is not yet implemented for tensors with different dtypes.",
    )
    _reject(input, "c", "heaviside_cpu")
    return _no_derivative("heaviside", _heaviside)(input, values)


# ---- logical and bitwise -------------------------------------------------------------------------

logical_and = _binary("logical_and", jnp.logical_and, promote=NONE)
logical_or = _binary("logical_or", jnp.logical_or, promote=NONE)
logical_xor = _binary("logical_xor", jnp.logical_xor, promote=NONE)
bitwise_and = _binary("bitwise_and", jnp.bitwise_and, promote=SAME, reject="fc", input=T, other=T)
bitwise_or = _binary("bitwise_or", jnp.bitwise_or, promote=SAME, reject="fc", input=T, other=T)
bitwise_xor = _binary("bitwise_xor", jnp.bitwise_xor, promote=SAME, reject="fc", input=T, other=T)
bitwise_left_shift = _binary(
    "bitwise_left_shift", jnp.left_shift, promote=SAME, reject="bfc", input=T, other=T
)
bitwise_right_shift = _binary(
    "bitwise_right_shift", jnp.right_shift, promote=SAME, reject="bfc", input=T, other=T
)


# ---- selection and fills -------------------------------------------------------------------------


@op("where", promote=SAME, broadcast=True, method=False)
def _where(condition: TN, input: T, other: T):
    check(
        condition.dtype in (jnp.bool_, jnp.uint8),
        RuntimeError,
        lambda: (
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_title(condition)}"
        ),
    )
    return jnp.where(condition, input, other)


def where(condition, input=None, other=None, *, out=None):
    """torch.where: ``input`` where ``condition`` else ``other``; with the condition alone, the
    indices of its nonzero elements (``nonzero(condition, as_tuple=True)``)."""
    if input is None and other is None:
        from .selection import nonzero

        return nonzero(condition, as_tuple=True)
    check(
        input is not None and other is not None,
        TypeError,
        "where() missing a required argument: expected both 'input' and 'other'",
    )
    return _where(condition, input, other, out=out)


@op(
    promote=NONE,
    inplace=True,
    method=False,
    grad_name=lambda input, value: f"FillBackward{1 if _is_tensor(value) else 0}",
)
def fill(input: TT, value: TN):
    check(
        value.ndim == 0,
        RuntimeError,
        lambda: (
            "fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value.ndim} dimensions."
        ),
    )
    return jnp.full_like(input, value.astype(input.dtype))


@op(promote=NONE, inplace=True, method=False, grad_name="ZeroBackward0", out=False)
def zero(input: TT):
    return jnp.zeros_like(input)


def zero_(input):
    """torch.zero_: fill ``input`` with zeros in place (``Tensor.zero_`` as a function)."""
    return dispatch_inplace(zero, input, (), {})


multiply, divide, subtract = mul, div, sub
