"""Special functions at torch's top level: the error and gamma families, Bessel i0, the
incomplete gamma functions, xlogy and logit (``torch.special`` repeats them under other names).

Each is a pointwise op built with pointwise.py's helpers (Note [pointwise dtypes] there). Their
derivatives follow torch's where torch and jax differ: at poles (digamma(0) = -inf, where jax
gives nan), outside the domain (logit's gradient is nan outside [0, 1]) and at zeros (xlogy).
"""

import functools
import inspect
import math

import jax
import jax.numpy as jnp

from .._errors import check
from . import _cephes
from ._registry import INT_TO_FLOAT, SAME, TT, T, op
from .pointwise import (
    _backward,
    _binary,
    _clamp,
    _needs_tensor,
    _reject,
    _unary,
    _with_jvp,
)

# ---- error and gamma functions -------------------------------------------------------------------

# torch's values at the pole x == 0 (jax: nan): digamma(±0) = ∓inf, polygamma(n, 0) = ±inf; so
# the derivatives of lgamma, digamma and polygamma are infinite there too.
_digamma = _with_jvp(
    lambda x: jnp.where(x == 0, jnp.copysign(jnp.inf, -x), jax.lax.digamma(x)),
    lambda x, out: _polygamma_fn(1)(x),
)


def _trigamma(x):
    """torch's trigamma: reflection below 1/2, six recurrence steps, then the asymptotic series."""
    reflect = x < 0.5
    sin_pi_x = jnp.sin(math.pi * x)
    result = jnp.where(reflect, -(math.pi**2) / (sin_pi_x * sin_pi_x), 0)
    x = jnp.where(reflect, 1 - x, x)
    for _ in range(6):
        result = result + 1 / (x * x)
        x = x + 1
    ixx = 1 / (x * x)
    result = result + (1 + 1 / (2 * x) + ixx * (1 / 6 - ixx * (1 / 30 - ixx * (1 / 42)))) / x
    return jnp.where(reflect, -result, result)


def _polygamma_at(n, x):
    if n == 1:
        return _trigamma(x)
    # torch: (-1)^(n+1) n! zeta(n + 1, x), with its Hurwitz zeta (defined for negative x too).
    sign = 1.0 if n % 2 else -1.0
    return sign * math.exp(math.lgamma(n + 1.0)) * _hurwitz_zeta(jnp.full_like(x, n + 1.0), x)


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
    pre=_needs_tensor("xlogy"),
    grad_name=_backward("Xlogy", scalar_input=1, scalar_other=2),
)
def xlogy(input: T, other: T):
    _reject(input, "c", "xlogy_cpu")
    return _xlogy(*jnp.broadcast_arrays(input, other))


# ---- torch.special -------------------------------------------------------------------------------


def _special(name, f, operands=("input",), kernel=None):
    """Register ``torch.special.<name>``: elementwise ``f`` on the operands promoted together
    (integers to the default float), real only; no Tensor method and no in-place variant."""

    def fn(**kwargs):
        args = [kwargs[p] for p in operands]
        _reject(args[0], "c", kernel or f"special_{name}_cpu")
        return f(*jnp.broadcast_arrays(*args))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.special.{name}, elementwise."
    kind, binary = inspect.Parameter.POSITIONAL_OR_KEYWORD, len(operands) > 1
    params = [inspect.Parameter(p, kind, annotation=T if binary else TT) for p in operands]
    fn.__signature__ = inspect.Signature(params)
    pre = _needs_tensor(f"special_{name}") if binary else None
    return op(f"special.{name}", promote=INT_TO_FLOAT, method=False, broadcast=binary, pre=pre)(fn)


# ---- error function and normal distribution

_SQRT_2PI = math.sqrt(2 * math.pi)

# torch's entr backward is -(1 + log x): infinite at 0 and nan below (jax's where gives 0 there).
_entr = _with_jvp(jax.scipy.special.entr, lambda x, out: -(1 + jnp.log(x)))
_erfcx = _with_jvp(
    jax.scipy.special.erfcx, lambda x, out: 2 * x * out - 2 / math.sqrt(math.pi)
)
_ndtr = _with_jvp(jax.scipy.special.ndtr, lambda x, out: jnp.exp(-0.5 * x * x) / _SQRT_2PI)
_ndtri = _with_jvp(
    jax.scipy.special.ndtri, lambda x, out: _SQRT_2PI * jnp.exp(0.5 * out * out)
)
_log_ndtr = _with_jvp(
    lambda x: jax.scipy.special.log_ndtr(x),
    lambda x, out: jnp.exp(-(out + 0.5 * x * x)) / _SQRT_2PI,
)

entr = _special("entr", _entr)
erfcx = _special("erfcx", _erfcx)
ndtr = _special("ndtr", _ndtr)
ndtri = _special("ndtri", _ndtri)
log_ndtr = _special("log_ndtr", _log_ndtr)

# ---- modified Bessel functions of the first kind -------------------------------------------------

# torch's derivatives, finite at 0 (d i1 / dx = 1/2 there, where i1(x) / x is 0/0).
_i0e = _with_jvp(
    jax.scipy.special.i0e,
    lambda x, out: jax.scipy.special.i1e(x) - jnp.sign(x) * out,
)


def _over_x(y, x):
    return jnp.where(x == 0, 0.5, y / jnp.where(x == 0, 1, x))


_i1 = _with_jvp(
    jax.scipy.special.i1, lambda x, out: jax.scipy.special.i0(x) - _over_x(out, x)
)
_i1e = _with_jvp(
    jax.scipy.special.i1e,
    lambda x, out: jax.scipy.special.i0e(x) - jnp.sign(x) * out - _over_x(out, x),
)

i0e = _special("i0e", _i0e)
i1 = _special("i1", _i1)
i1e = _special("i1e", _i1e)
modified_bessel_i0 = _special("modified_bessel_i0", jax.scipy.special.i0)
modified_bessel_i1 = _special("modified_bessel_i1", jax.scipy.special.i1)


def _spherical_j0(x):
    # torch: a Taylor polynomial below |x| = 0.5, 0 at infinity.
    x2 = x * x
    series = 1 + x2 * (-1 / 6 + x2 * (1 / 120 + x2 * (-1 / 5040 + x2 * (
        1 / 362880 + x2 * (-1 / 39916800 + x2 * (1 / 6227020800))))))
    safe = jnp.where(jnp.abs(x) < 0.5, 1, x)
    out = jnp.where(jnp.abs(x) < 0.5, series, jnp.sin(safe) / safe)
    return jnp.where(jnp.isinf(x), 0, out)


spherical_bessel_j0 = _special("spherical_bessel_j0", _spherical_j0)

# ---- two arguments -------------------------------------------------------------------------------


def _xlog1py_value(x, y):
    return jnp.where((x == 0) & ~jnp.isnan(y), 0, x * jnp.log1p(y))


# torch's xlog1py backward: d/dx = log1p(y), but 0 where x == 0 and y <= -1; d/dy = x / (1 + y).
_xlog1py = _with_jvp(
    _xlog1py_value,
    lambda x, y, out: jnp.where((x == 0) & (y <= -1), 0, jnp.log1p(y)),
    lambda x, y, out: x / (1 + y),
)

xlog1py = _special("xlog1py", _xlog1py, ("input", "other"))


# ---- Hurwitz zeta --------------------------------------------------------------------------------

# Note [torch's zeta]: torch's Hurwitz zeta (Cephes) sums (q + k)^-x directly until the terms fall
# below machine epsilon or q + k passes 9 after at least 9 terms, then adds the Euler-Maclaurin
# tail. It is defined for q < 0 when x is an integer (jax's is nan there), and it is what
# polygamma(n >= 2) is built on. It runs in double precision for float32 input, as torch's.
_MACHEP = 1.11022302462515654042e-16
_ZETA_A = (
    12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
    -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
    1.8152105401943546773e17, -7.1661652561756670113e18,
)


def _power(a, e, odd):
    """C's pow(a, e) for an integral exponent ``e`` (odd: whether it is odd), a of any sign."""
    magnitude = jnp.abs(a) ** e
    return jnp.where((a < 0) & odd, -magnitude, magnitude)


def _hurwitz_zeta(x, q):
    dtype = x.dtype
    x, q = x.astype(jnp.float64), q.astype(jnp.float64)
    pole = (q <= 0) & (q == jnp.floor(q))
    undefined = (q <= 0) & (x != jnp.floor(x))
    special = (x <= 1) | pole | undefined
    q = jnp.where(special, 1.0, q)
    odd = jnp.fmod(x, 2) == 1

    def direct_cond(state):
        return ~jnp.all(state[4])

    def direct_step(state):
        i, a, b, s, done, early = state
        a2 = a + 1
        b2 = _power(a2, -x, odd)
        s2 = s + b2
        converged = (-_MACHEP * s2 < b2) & (b2 < _MACHEP * s2)
        live = ~done
        i = i + 1
        a, b, s = (jnp.where(live, new, old) for new, old in ((a2, a), (b2, b), (s2, s)))
        early = early | (live & converged)
        done = done | converged | ~((i < 9) | (a <= 9))
        return i, a, b, s, done, early

    falses = jnp.zeros(q.shape, bool)
    state = (0, q, jnp.zeros_like(q), _power(q, -x, odd), falses, falses)
    _, a, b, s, _, early = jax.lax.while_loop(direct_cond, direct_step, state)
    w = a
    tail = s + b * w / (x - 1) - 0.5 * b
    a, k, stopped = jnp.ones_like(q), 0.0, falses
    for coef in _ZETA_A:
        a = a * (x + k)
        b = b / w
        t = a * b / coef
        tail = jnp.where(stopped, tail, tail + t)
        stopped = stopped | (jnp.abs(t / tail) < _MACHEP)
        k += 1
        a = a * (x + k)
        b = b / w
        k += 1
    out = jnp.where(early, s, tail)
    out = jnp.where(pole, jnp.inf, jnp.where(undefined, jnp.nan, out))
    out = jnp.where(x == 1, jnp.inf, jnp.where(x < 1, jnp.nan, out))
    return out.astype(dtype)


zeta = _special("zeta", _hurwitz_zeta, ("input", "other"))


# ---- orthogonal polynomials ----------------------------------------------------------------------

# Note [polynomial recurrences]: torch evaluates P_n(x) elementwise for a tensor of degrees n
# (truncated to integers; a nan or infinite degree counts as negative, giving 0) by the
# three-term recurrence from P_0 = 1 and P_1, n - 1 steps, stopping early once a value is nan
# for most families, with closed forms at x = ±1 and, for large n inside (-1, 1), the
# trigonometric ones. Here every element steps in one while_loop up to the largest degree and
# keeps its value once its own degree is reached; the special cases are selected afterwards,
# lowest priority first.


def _degree(n):
    return jnp.where(jnp.isfinite(n), jnp.trunc(n), -1)


def _recurrence(n, first, step, nan_stops=True):
    """P_n for n >= 1 from P_0 = 1, P_1 = ``first`` and P_{k+1} = step(k, P_k, P_{k-1})."""

    def cond(state):
        return state[0] < jnp.max(n, initial=0)

    def body(state):
        k, p, q = state
        live = k < n
        if nan_stops:
            live = live & ~jnp.isnan(q)
        r = step(k, q, p)
        return k + 1, jnp.where(live, q, p), jnp.where(live, r, q)

    one = jnp.ones_like(first)
    _, _, q = jax.lax.while_loop(cond, body, (jnp.ones((), first.dtype), one, first))
    return q


def _odd(n):
    return jnp.fmod(n, 2) != 0


def _signed(n, value):
    """``value`` for even n, ``-value`` for odd n."""
    return jnp.where(_odd(n), -value, value)


def _chebyshev(kind, x, n, large):
    """Chebyshev polynomials T, U, V, W of ``x`` by their recurrence (P_1 = 2x + offset), with
    torch's closed forms at |x| = 1 and, for n > ``large`` inside (-1, 1), in acos(x)."""
    offset = {"t": -x, "u": 0, "v": -1, "w": 1}[kind]
    value = _recurrence(n, x + x + offset, lambda k, q, p: (x + x) * q - p)
    value = jnp.where(n == 0, 1, value)
    theta = jnp.arccos(jnp.clip(x, -1, 1))
    inside = (n > large) & (jnp.abs(x) < 1)
    if kind == "t":
        closed = jnp.cos(n * theta)
        at_one = jnp.where(x > 0, 1, _signed(n, 1))
    elif kind == "u":
        sin = jnp.sin(theta)
        closed = jnp.where(
            sin != 0, jnp.sin((n + 1) * theta) / sin, (n + 1) * jnp.cos((n + 1) * theta) / x
        )
        at_one = jnp.where(x > 0, n + 1, _signed(n, n + 1))
    elif kind == "v":
        at_one = jnp.where(x > 0, 1, _signed(n, n + n + 1))
        closed = jnp.where(
            jnp.sin(theta / 2) != 1, jnp.cos((n + 0.5) * theta) / jnp.cos(theta / 2), at_one
        )
    else:
        at_one = jnp.where(x > 0, n + n + 1, _signed(n, 1))
        closed = jnp.where(
            jnp.cos(theta / 2) != 1, jnp.sin((n + 0.5) * theta) / jnp.sin(theta / 2), at_one
        )
    value = jnp.where(inside, closed, value)
    return jnp.where(jnp.abs(x) == 1, at_one, value)


def _chebyshev_op(kind, large):
    def f(x, n):
        n = _degree(n)
        return jnp.where(n < 0, 0, _chebyshev(kind, x, n, large)).astype(x.dtype)

    return _special(f"chebyshev_polynomial_{kind}", f, ("input", "n"))


def _shifted_chebyshev_op(kind, large):
    """torch's shifted polynomials: P*(x) = P(2x - 1), with the ends tested at x = 0 and 1."""

    def f(x, n):
        n = _degree(n)
        value = _chebyshev(kind, x + x - 1, n, large)
        return jnp.where(n < 0, 0, value).astype(x.dtype)

    return _special(f"shifted_chebyshev_polynomial_{kind}", f, ("input", "n"))


chebyshev_polynomial_t = _chebyshev_op("t", 6)
chebyshev_polynomial_u = _chebyshev_op("u", 8)
chebyshev_polynomial_v = _chebyshev_op("v", 8)
chebyshev_polynomial_w = _chebyshev_op("w", 8)
shifted_chebyshev_polynomial_t = _shifted_chebyshev_op("t", 6)
shifted_chebyshev_polynomial_u = _shifted_chebyshev_op("u", 6)
shifted_chebyshev_polynomial_v = _shifted_chebyshev_op("v", 6)
shifted_chebyshev_polynomial_w = _shifted_chebyshev_op("w", 4)


def _hermite(x, n, first, step):
    n = _degree(n)
    limit = 128 if x.dtype == jnp.float32 else 512
    value = _recurrence(n, first, step, nan_stops=False)
    value = jnp.where(n > limit, jnp.nan, value)
    return jnp.where(n < 0, 0, jnp.where(n == 0, 1, value)).astype(x.dtype)


def _laguerre(x, n):
    n = _degree(n)
    value = _recurrence(n, 1 - x, lambda k, q, p: (((k + k) + (1 - x)) * q - k * p) / (k + 1))
    value = jnp.where((n == 0) | (x == 0), 1, value)
    return jnp.where(n < 0, 0, value).astype(x.dtype)


def _legendre(x, n):
    n = _degree(n)
    value = _recurrence(n, x, lambda k, q, p: ((k + k + 1) * x * q - k * p) / (k + 1))
    value = jnp.where(n == 0, 1, value)
    value = jnp.where(jnp.abs(x) == 1, jnp.where(x > 0, 1, _signed(n, 1)), value)
    return jnp.where(n < 0, 0, value).astype(x.dtype)


hermite_polynomial_h = _special(
    "hermite_polynomial_h",
    lambda x, n: _hermite(x, n, x + x, lambda k, q, p: (x + x) * q - (k + k) * p),
    ("input", "n"),
)
hermite_polynomial_he = _special(
    "hermite_polynomial_he",
    lambda x, n: _hermite(x, n, x, lambda k, q, p: x * q - k * p),
    ("input", "n"),
)
laguerre_polynomial_l = _special("laguerre_polynomial_l", _laguerre, ("input", "n"))
legendre_polynomial_p = _special("legendre_polynomial_p", _legendre, ("input", "n"))


# ---- Bessel functions of the first and second kind, Airy Ai --------------------------------------

# Note [Cephes kernels]: torch evaluates these with the Cephes Math Library's rational and
# Chebyshev approximations (coefficients in _cephes.py), in the input's own precision; jtorch
# evaluates the same formulas, every branch on safe inputs, and selects. Like torch, they have
# no derivatives.


def _polevl(x, coefficients):
    acc = jnp.zeros_like(x)
    for c in coefficients:
        acc = acc * x + c
    return acc


def _chbevl(y, coefficients):
    """Cephes' Chebyshev series sum, as torch's K kernels inline it."""
    p = q = jnp.zeros_like(y)
    a = jnp.full_like(y, coefficients[0])
    for c in coefficients[1:]:
        p, q = q, a
        a = y * q - p + c
    return 0.5 * (a - p)


_SQRT_2_OVER_PI = 0.797884560802865355879892119868763737
_TWO_OVER_PI = 0.636619772367581343075535053490057448


def _bessel_large(x, order, second_kind):
    """The asymptotic form for x > 5 of J (``second_kind`` False) or Y, of order 0 or 1."""
    x = jnp.where(x > 5, x, 5.0)
    if order == 0:
        pp, pq, qp, qq = _cephes.J0_PP, _cephes.J0_PQ, _cephes.J0_QP, _cephes.J0_QQ
        w, phase = 25 / (x * x), math.pi / 4
    else:
        pp, pq, qp, qq = _cephes.J1_PP, _cephes.J1_PQ, _cephes.J1_QP, _cephes.J1_QQ
        w, phase = 5 / x * (5 / x), 3 * math.pi / 4
    p = _polevl(w, pp) / _polevl(w, pq)
    q = _polevl(w, qp) / _polevl(w, qq)
    s, c = jnp.sin(x - phase), jnp.cos(x - phase)
    value = p * s + 5 / x * q * c if second_kind else p * c - 5 / x * q * s
    return value * _SQRT_2_OVER_PI / jnp.sqrt(x)


def _j0(x):
    x = jnp.abs(x)
    x2 = x * x
    small = (x2 - 5.78318596294678452118e00) * (x2 - 3.04712623436620863991e01)
    small = small * _polevl(x2, _cephes.J0_RP) / _polevl(x2, _cephes.J0_RQ)
    small = jnp.where(x < 1e-5, 1 - x2 / 4, small)
    return jnp.where(x <= 5, small, _bessel_large(x, 0, False))


def _j1(x):
    a = jnp.abs(x)
    a2 = a * a
    small = _polevl(a2, _cephes.J1_RP) / _polevl(a2, _cephes.J1_RQ) * a
    small = small * (a2 - 1.46819706421238932572e01) * (a2 - 4.92184563216946036703e01)
    large = _bessel_large(a, 1, False)
    value = jnp.where(a <= 5, small, large)
    return jnp.where(x < 0, -value, value)


def _y0(x):
    safe = jnp.where((x > 0) & (x <= 5), x, 1.0)
    small = _polevl(safe * safe, _cephes.Y0_YP) / _polevl(safe * safe, _cephes.Y0_YQ)
    small = small + _TWO_OVER_PI * jnp.log(safe) * _j0(safe)
    small = jnp.where(x == 0, -jnp.inf, jnp.where(x < 0, jnp.nan, small))
    return jnp.where(x <= 5, small, _bessel_large(x, 0, True))


def _y1(x):
    safe = jnp.where((x > 0) & (x <= 5), x, 1.0)
    small = safe * (_polevl(safe * safe, _cephes.Y1_YP) / _polevl(safe * safe, _cephes.Y1_YQ))
    small = small + _TWO_OVER_PI * (_j1(safe) * jnp.log(safe) - 1 / safe)
    small = jnp.where(x == 0, -jnp.inf, jnp.where(x <= 0, jnp.nan, small))
    large = _bessel_large(x, 1, True)
    return jnp.where(x <= 5, small, large)


def _k(order, x, scaled):
    """K0 or K1 (exp(x) K for ``scaled``): Chebyshev series in x^2 - 2 up to 2, in 8/x - 2 above."""
    a_coef, b_coef = (_cephes.K0_A, _cephes.K0_B) if order == 0 else (_cephes.K1_A, _cephes.K1_B)
    low = jnp.where((x > 0) & (x <= 2), x, 1.0)
    series = _chbevl(low * low - 2, a_coef)
    if order == 0:
        small = series - jnp.log(0.5 * low) * jax.scipy.special.i0(low)
    else:
        small = jnp.log(0.5 * low) * jax.scipy.special.i1(low) + series / low
    high = jnp.where(x > 2, x, 4.0)
    large = _chbevl(8 / high - 2, b_coef) / jnp.sqrt(high)
    small, large = (small * jnp.exp(low), large) if scaled else (small, jnp.exp(-high) * large)
    value = jnp.where(x <= 2, small, large)
    return jnp.where(x == 0, jnp.inf, jnp.where(x < 0, jnp.nan, value))


def _airy_ai(x):
    eps = jnp.finfo(x.dtype).eps
    neg = jnp.where(x < -2.09, x, -4.0)
    zeta = -2 * neg * jnp.sqrt(-neg) / 3
    z = 1 / zeta
    zz = z * z
    f = 1 + zz * _polevl(zz, _cephes.AIRY_AFN) / _polevl(zz, _cephes.AIRY_AFD)
    g = z * _polevl(zz, _cephes.AIRY_AGN) / _polevl(zz, _cephes.AIRY_AGD)
    phase = zeta + 0.25 * math.pi
    oscillating = jnp.sin(phase) * f - jnp.cos(phase) * g
    oscillating = 5.64189583547756286948e-01 / jnp.sqrt(jnp.sqrt(-neg)) * oscillating
    pos = jnp.where(x >= 2.09, x, 4.0)
    zeta = 2 * pos * jnp.sqrt(pos) / 3
    ratio = _polevl(1 / zeta, _cephes.AIRY_AN) / _polevl(1 / zeta, _cephes.AIRY_AD)
    decaying = 5.64189583547756286948e-01 * ratio / (2 * jnp.sqrt(jnp.sqrt(pos)) * jnp.exp(zeta))
    value = jnp.where(x < -2.09, oscillating, jnp.where(x >= 2.09, decaying, _airy_series(x, eps)))
    return jnp.where(jnp.isinf(x), jnp.nan, jnp.where(x > 103.892, 0, value))


def _airy_series(x, eps):
    """Ai's Maclaurin series for |x| < 2.09, summed until the term falls below epsilon."""
    x = jnp.where(jnp.abs(x) <= 2.09, x, 0.0)
    z = x * x * x
    f, g, m, n, k = jnp.ones_like(x), x, jnp.ones_like(x), x, jnp.ones_like(x)
    live = jnp.ones(x.shape, bool)
    for _ in range(40):  # |z| < 9.2: the terms fall below float64 epsilon within about 20 steps
        m2 = m * z / (k + 1) / (k + 2)
        n2 = n * z / (k + 2) / (k + 3)
        f, g = jnp.where(live, f + m2, f), jnp.where(live, g + n2, g)
        m, n, k = jnp.where(live, m2, m), jnp.where(live, n2, n), jnp.where(live, k + 3, k)
        live = live & (jnp.abs(m / f) > eps)
    return 0.355028053887817239260 * f - 0.258819403792806798405 * g


def _cephes_op(name, f):
    """Register a Cephes kernel; nan passes through (the kernels' branches see safe inputs)."""
    return _special(name, lambda x: jnp.where(jnp.isnan(x), x, f(x)))


bessel_j0 = _cephes_op("bessel_j0", _j0)
bessel_j1 = _cephes_op("bessel_j1", _j1)
bessel_y0 = _cephes_op("bessel_y0", _y0)
bessel_y1 = _cephes_op("bessel_y1", _y1)
modified_bessel_k0 = _cephes_op("modified_bessel_k0", lambda x: _k(0, x, False))
modified_bessel_k1 = _cephes_op("modified_bessel_k1", lambda x: _k(1, x, False))
scaled_modified_bessel_k0 = _cephes_op("scaled_modified_bessel_k0", lambda x: _k(0, x, True))
scaled_modified_bessel_k1 = _cephes_op("scaled_modified_bessel_k1", lambda x: _k(1, x, True))
airy_ai = _cephes_op("airy_ai", _airy_ai)
