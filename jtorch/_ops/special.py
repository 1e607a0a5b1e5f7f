"""Special functions at torch's top level: the error and gamma families, Bessel i0, the
incomplete gamma functions, xlogy and logit (``torch.special`` repeats them under other names).

Each is a pointwise op built with pointwise.py's helpers (Note [pointwise dtypes] there). Their
derivatives follow torch's where torch and jax differ: at poles (digamma(0) = -inf, where jax
gives nan), outside the domain (logit's gradient is nan outside [0, 1]) and at zeros (xlogy).
"""

import functools

import jax
import jax.numpy as jnp

from .._errors import check
from ._registry import INT_TO_FLOAT, SAME, TT, T, op
from .pointwise import _backward, _binary, _clamp, _reject, _unary, _with_jvp

# ---- error and gamma functions -------------------------------------------------------------------

# torch's values at the pole x == 0 (jax: nan): digamma(±0) = ∓inf, polygamma(n, 0) = ±inf; so
# the derivatives of lgamma, digamma and polygamma are infinite there too.
_digamma = _with_jvp(
    lambda x: jnp.where(x == 0, jnp.copysign(jnp.inf, -x), jax.lax.digamma(x)),
    lambda x, out: _polygamma_fn(1)(x),
)


def _polygamma_at(n, x):
    pole = jnp.asarray((-1.0) ** (n + 1) * jnp.inf, x.dtype)
    return jnp.where(x == 0, pole, jax.scipy.special.polygamma(n, x))


@functools.cache
def _polygamma_fn(n):
    if n == 0:
        return _digamma
    return _with_jvp(lambda x: _polygamma_at(n, x), lambda x, out: _polygamma_at(n + 1, x))


_lgamma = _with_jvp(jax.lax.lgamma, lambda x, out: _digamma(x))
_i0 = _with_jvp(jax.scipy.special.i0, lambda x, out: jax.scipy.special.i1(x))  # jax's is nan at 0


erf = _unary("erf", jax.scipy.special.erf, reject="c")
erfc = _unary("erfc", jax.scipy.special.erfc, reject="c")
erfinv = _unary("erfinv", jax.scipy.special.erfinv, reject="c")
lgamma = _unary("lgamma", _lgamma, reject="c")
digamma = _unary("digamma", _digamma, reject="c")
i0 = _unary("i0", _i0, reject="c")


# torch's logit backward is nan outside [0, 1] (jax's formula stays finite there).
_logit = _with_jvp(
    lambda x: jnp.log(x / (1 - x)),
    lambda x, out: jnp.where((x >= 0) & (x <= 1), 1 / (x * (1 - x)), jnp.nan),
)


@op(promote=INT_TO_FLOAT, inplace=True)
def logit(input: TT, eps=None):
    _reject(input, "c", "logit_cpu")
    if eps is not None:
        input = _clamp(input, eps, 1 - eps)
    return _logit(input)


@op("polygamma", promote=INT_TO_FLOAT, inplace=True)
def _polygamma(input: TT, n):
    check(n >= 0, RuntimeError, "polygamma(n, x) does not support negative n.")
    _reject(input, "c", "polygamma")
    return _polygamma_fn(n)(input)


def polygamma(n, input, *, out=None):
    """torch.polygamma(n, input): the n-th derivative of digamma."""
    return _polygamma(input, n, out=out)


@op(promote=INT_TO_FLOAT, inplace=True)
def mvlgamma(input: TT, p):
    check(p >= 1, RuntimeError, "p has to be greater than or equal to 1")
    _reject(input, "c", "mvlgamma")
    return jax.scipy.special.multigammaln(input, p)


# ---- two arguments -------------------------------------------------------------------------------

igamma = _binary("igamma", jax.scipy.special.gammainc, promote=SAME, reject="bic")
igammac = _binary("igammac", jax.scipy.special.gammaincc, promote=SAME, reject="bic")


def _xlogy_value(x, y):
    safe = jnp.where(x == 0, 1, y)
    return jnp.where(jnp.isnan(y), jnp.nan, jnp.where(x == 0, 0, x * jnp.log(safe)))


# torch's xlogy backward: d/dx = log(y), but 0 where x == 0 and y <= 0; d/dy = x / y.
_xlogy = _with_jvp(
    _xlogy_value,
    lambda x, y, out: jnp.where((x == 0) & (y <= 0), 0, jnp.log(y)),
    lambda x, y, out: x / y,
)


@op(
    promote=INT_TO_FLOAT,
    inplace=True,
    broadcast=True,
    grad_name=_backward("Xlogy", scalar_input=1, scalar_other=2),
)
def xlogy(input: T, other: T):
    _reject(input, "c", "xlogy_cpu")
    return _xlogy(*jnp.broadcast_arrays(input, other))
