"""Comparison ops (torch's "Comparison Ops"): eq/ne/lt/le/gt/ge and their aliases,
isclose/allclose/equal and the float predicates (maximum/minimum/fmax/fmin are in pointwise.py).

Each is a pointwise op built with pointwise.py's helpers (Note [pointwise dtypes] there);
comparisons compute in the operands' promoted dtype and return bool. allclose and equal
return Python bools, as torch's do.
"""

import builtins

import jax.numpy as jnp

from .. import _dtype
from .._errors import check
from ._registry import BOOL_OUT, NONE, TT, T, method, op
from .pointwise import _binary, _is_tensor, _kind, _title, _unary

# ---- comparisons ---------------------------------------------------------------------------------

eq = _binary("eq", jnp.equal, promote=BOOL_OUT, other=T)
ne = not_equal = _binary("ne", jnp.not_equal, promote=BOOL_OUT, other=T)
lt = less = _binary("lt", jnp.less, promote=BOOL_OUT, reject="c", other=T)
le = less_equal = _binary("le", jnp.less_equal, promote=BOOL_OUT, reject="c", other=T)
gt = greater = _binary("gt", jnp.greater, promote=BOOL_OUT, reject="c", other=T)
ge = greater_equal = _binary("ge", jnp.greater_equal, promote=BOOL_OUT, reject="c", other=T)


def _close(input, other, rtol, atol, equal_nan):
    """torch's isclose on equal-dtype arrays: exact equality, or finite error within tolerance."""
    close = input == other
    if equal_nan and _kind(input) in "fc":
        close = close | (jnp.isnan(input) & jnp.isnan(other))
    if rtol == 0 and atol == 0:
        return close
    if _kind(input) == "b":
        input = input.astype(_dtype.get_default_dtype()._np)
        other = other.astype(input.dtype)
    float_dtype = input.dtype if _kind(input) in "fc" else _dtype.get_default_dtype()._np
    allowed = atol + jnp.abs(rtol * other.astype(float_dtype))
    actual = jnp.abs(input - other)
    return close | (jnp.isfinite(actual) & (actual <= allowed))


@op(promote=NONE, broadcast=True, out=False)
def isclose(input: TT, other: TT, rtol=1e-05, atol=1e-08, equal_nan=False):
    check(
        input.dtype == other.dtype,
        RuntimeError,
        lambda: f"{_title(input)} did not match {_title(other)}",
    )
    check(
        rtol >= 0,
        RuntimeError,
        lambda: f"rtol must be greater than or equal to zero, but got {rtol}",
    )
    check(
        atol >= 0,
        RuntimeError,
        lambda: f"atol must be greater than or equal to zero, but got {atol}",
    )
    return _close(input, other, rtol, atol, equal_nan)


def _require_tensors(name, **operands):
    for pname, v in operands.items():
        if not _is_tensor(v):
            raise TypeError(f"{name}(): argument '{pname}' must be Tensor, not {type(v).__name__}")


@method("allclose")
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element of ``input`` is close to ``other`` (a Python bool)."""
    _require_tensors("allclose", input=input, other=other)
    return builtins.bool(jnp.all(isclose(input, other, rtol, atol, equal_nan)._value()))


@method("equal")
def equal(input, other):
    """True when ``input`` and ``other`` have the same shape and elements (a Python bool)."""
    _require_tensors("equal", input=input, other=other)
    if input.shape != other.shape:
        return False
    return builtins.bool(jnp.all(eq(input, other)._value()))


# ---- predicates ----------------------------------------------------------------------------------

isnan = _unary("isnan", jnp.isnan, promote=NONE, inplace=False)
isinf = _unary("isinf", jnp.isinf, promote=NONE, inplace=False)
isfinite = _unary("isfinite", jnp.isfinite, promote=NONE, inplace=False)
isposinf = _unary("isposinf", jnp.isposinf, promote=NONE, reject="c", inplace=False)
isneginf = _unary("isneginf", jnp.isneginf, promote=NONE, reject="c", inplace=False)
isreal = _unary("isreal", jnp.isreal, promote=NONE, inplace=False)
