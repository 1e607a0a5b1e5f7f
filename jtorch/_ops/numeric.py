"""Numerical analysis and statistics: cov/corrcoef, quantile/nanquantile, trapezoid rules,
gradient, logcumsumexp, renorm, and the integer/float decompositions gcd, lcm and frexp.
"""

import functools

import jax
import jax.numpy as jnp

from .. import _dtype
from .._errors import check, wrap_dim
from ._registry import INT_TO_FLOAT, NONE, SAME, TL, TN, TT, T, dtype_title, op


def _title(jdt):
    return dtype_title(_dtype.from_numpy_dtype(jdt))


def _float(x):
    return x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype(_dtype.get_default_dtype()._np)


# ---- covariance -------------------------------------------------------------------------------


def _cov_checks(x, fweights, aweights):
    check(
        x.ndim <= 2,
        RuntimeError,
        lambda: f"cov(): expected input to have two or fewer dimensions but got an input with {x.ndim} dimensions",
    )
    n = x.shape[1] if x.ndim == 2 else x.size
    for name, w, integral in (("fweights", fweights, True), ("aweights", aweights, False)):
        if w is None:
            continue
        check(w.ndim <= 1, RuntimeError, lambda: f"cov(): expected {name} to have one or fewer dimensions but got {name} with {w.ndim} dimensions")
        check(
            (w.size if w.ndim else 1) == n,
            RuntimeError,
            lambda: f"cov(): expected {name} to have the same numel as there are observations in the input but got {w.size} != {n}",
        )
        kind_ok = jnp.issubdtype(w.dtype, jnp.integer) if integral else jnp.issubdtype(w.dtype, jnp.floating)
        check(
            kind_ok,
            RuntimeError,
            lambda: f"cov(): expected {name} to have {'integral' if integral else 'floating point'} dtype but got {name} with {_title(w.dtype)} dtype",
        )


def _cov_pre(input, correction=1, fweights=None, aweights=None):
    for name, w in (("fweights", fweights), ("aweights", aweights)):
        if w is not None and w.numel():
            check(bool((w >= 0).all()), RuntimeError, f"cov(): {name} cannot be negative")


@op(promote=NONE, pre=_cov_pre)
def cov(input: T, *, correction=1, fweights: TN = None, aweights: TN = None):
    _cov_checks(input, fweights, aweights)
    x = _float(input)
    x = x if x.ndim == 2 else x.reshape(1, -1)
    w = None if fweights is None else fweights.reshape(-1).astype(x.dtype)
    if aweights is not None:
        a = aweights.reshape(-1).astype(x.dtype)
        w = a if w is None else w * a
    n = x.shape[1]
    if w is None:
        w_sum = jnp.asarray(n, x.dtype)
        avg = jnp.mean(x, axis=1) if n else jnp.full(x.shape[0], jnp.nan, x.dtype)
        norm = w_sum - correction
    else:
        w_sum = jnp.sum(w)
        avg = jnp.sum(x * w, axis=1) / w_sum
        norm = w_sum - (correction * jnp.sum(w * a) / w_sum if aweights is not None and correction else correction)
    norm = jnp.maximum(norm, 0)
    xc = x - avg[:, None]
    c = jnp.matmul(xc, (xc if w is None else xc * w).T.conj(), precision=jax.lax.Precision.HIGHEST)
    return jnp.squeeze(c / norm)


@op(promote=NONE)
def corrcoef(input: T):
    c = cov.fn(input)
    if c.ndim == 0:
        return c / c
    s = jnp.sqrt(jnp.diagonal(c))
    c = c / s[:, None] / s[None, :]
    return jnp.clip(c, -1, 1)


# ---- quantiles --------------------------------------------------------------------------------

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_pre(input, q, dim=None, keepdim=False, interpolation="linear"):
    from ..tensor import Tensor

    name = "quantile()"
    if isinstance(q, Tensor):
        check(q.dim() <= 1, RuntimeError, f"{name} q must be a scalar or 1D tensor")
        check(
            q._dtype == input._dtype,
            RuntimeError,
            f"{name} q tensor must be same dtype as the input tensor",
        )
        ok = q.numel() == 0 or bool(((q >= 0) & (q <= 1)).all())
        check(ok, RuntimeError, f"{name} q values must be in the range [0, 1]")
    else:
        check(0 <= q <= 1, RuntimeError, lambda: f"{name} q must be in the range [0, 1] but got {q}")


def _quantile(x, q, dim, keepdim, interpolation, ignore_nan):
    name = "nanquantile()" if ignore_nan else "quantile()"
    check(
        x.dtype in (jnp.float32, jnp.float64),
        RuntimeError,
        f"{name} input tensor must be either float or double dtype",
    )
    check(x.size > 0, RuntimeError, f"{name} input tensor must be non-empty")
    check(
        interpolation in _INTERPOLATIONS,
        RuntimeError,
        lambda: f"{name} interpolation must be one of linear, lower, higher, midpoint or nearest, but got {interpolation}",
    )
    q = jnp.asarray(q, x.dtype)
    ndim = x.ndim
    if dim is None:
        s = x.reshape(-1)
    else:
        d = wrap_dim(dim, ndim)
        s = jnp.moveaxis(x, d, -1) if ndim else x.reshape(1)
    s = jnp.sort(s, axis=-1)  # nan last
    n = s.shape[-1]
    nans = jnp.isnan(s)
    count = jnp.sum(~nans, axis=-1) if ignore_nan else jnp.full(s.shape[:-1], n)
    qs = q.reshape(q.shape + (1,) * (s.ndim - 1))
    rank = qs * (count - 1).astype(x.dtype)
    below = jnp.floor(rank)
    if interpolation == "nearest":
        below = jnp.round(rank)
    elif interpolation == "higher":
        below = jnp.ceil(rank)
    above = below if interpolation in ("lower", "higher", "nearest") else jnp.ceil(rank)
    weight = jnp.where(above > below, 0.5 if interpolation == "midpoint" else rank - below, 0)

    def at(r):
        idx = jnp.clip(r, 0, n - 1).astype(jnp.int64)
        full = jnp.broadcast_to(s, q.shape + s.shape)
        return jnp.take_along_axis(full, idx[..., None], axis=-1)[..., 0]

    lo, hi = at(below), at(above)
    out = lo + weight * (hi - lo)
    bad = count == 0 if ignore_nan else jnp.any(nans, axis=-1)
    out = jnp.where(bad, jnp.nan, out)
    if keepdim:
        lead = q.ndim
        if dim is None:
            out = out.reshape(q.shape + (1,) * ndim)
        elif ndim:
            out = jnp.expand_dims(out, lead + wrap_dim(dim, ndim))
    return out


@op(promote=NONE, pre=_quantile_pre)
def quantile(input: T, q: TN, dim=None, keepdim=False, *, interpolation="linear"):
    return _quantile(input, q, dim, keepdim, interpolation, False)


@op(promote=NONE, pre=_quantile_pre)
def nanquantile(input: T, q: TN, dim=None, keepdim=False, *, interpolation="linear"):
    return _quantile(input, q, dim, keepdim, interpolation, True)


# ---- integration and differentiation ----------------------------------------------------------


def _spacing(y, x, dx, d):
    """The sample spacing along ``d``: from coordinates ``x`` (1-d, or broadcasting with y), or dx."""
    if x is None:
        return 1 if dx is None else dx
    if x.ndim == 1:
        check(
            x.shape[0] == y.shape[d],
            RuntimeError,
            "trapezoid: There must be one `x` value for each sample point",
        )
        return jnp.diff(x).reshape((-1,) + (1,) * (y.ndim - d - 1))
    return jnp.diff(x, axis=d - y.ndim + x.ndim if x.ndim < y.ndim else d)


def _trapezoid(y, x, dx, dim, cumulative):
    d = wrap_dim(dim, y.ndim)
    n = y.shape[d]
    if n == 0 and not cumulative:
        return jnp.zeros(y.shape[:d] + y.shape[d + 1 :], y.dtype)
    h = _spacing(y, x, dx, d)
    lo = jax.lax.slice_in_dim(y, 0, max(n - 1, 0), axis=d)
    hi = jax.lax.slice_in_dim(y, min(1, n), n, axis=d)
    areas = h * (lo + hi) / 2
    return jnp.cumsum(areas, axis=d) if cumulative else jnp.sum(areas, axis=d)


@op(promote=INT_TO_FLOAT, method=False)
def trapezoid(y: T, x: T = None, *, dx=None, dim=-1):
    return _trapezoid(y, x, dx, dim, False)


trapz = op("trapz", promote=INT_TO_FLOAT, method=False)(trapezoid.fn)


@op(promote=INT_TO_FLOAT, method=False)
def cumulative_trapezoid(y: T, x: T = None, *, dx=None, dim=-1):
    return _trapezoid(y, x, dx, dim, True)


def _gradient_1d(f, h, d, edge_order):
    """numpy's second-order central differences along ``d``; ``h``: a step or coordinates."""
    n = f.shape[d]

    def sl(a, b):
        return jax.lax.slice_in_dim(f, a, b, axis=d)

    def shape(v):
        return v.reshape((-1,) + (1,) * (f.ndim - d - 1))

    if jnp.ndim(h) == 0:
        interior = (sl(2, n) - sl(0, n - 2)) / (2 * h)
        if edge_order == 1:
            first, last = (sl(1, 2) - sl(0, 1)) / h, (sl(n - 1, n) - sl(n - 2, n - 1)) / h
        else:
            first = (-1.5 * sl(0, 1) + 2 * sl(1, 2) - 0.5 * sl(2, 3)) / h
            last = (0.5 * sl(n - 3, n - 2) - 2 * sl(n - 2, n - 1) + 1.5 * sl(n - 1, n)) / h
        return jnp.concatenate([first, interior, last], axis=d)
    dx = jnp.diff(h)
    dx1, dx2 = shape(dx[:-1]), shape(dx[1:])
    a = -dx2 / (dx1 * (dx1 + dx2))
    b = (dx2 - dx1) / (dx1 * dx2)
    c = dx1 / (dx2 * (dx1 + dx2))
    interior = a * sl(0, n - 2) + b * sl(1, n - 1) + c * sl(2, n)
    if edge_order == 1:
        first = (sl(1, 2) - sl(0, 1)) / shape(dx[:1])
        last = (sl(n - 1, n) - sl(n - 2, n - 1)) / shape(dx[-1:])
    else:
        d1, d2 = dx[0], dx[1]
        first = (-(2 * d1 + d2) / (d1 * (d1 + d2))) * sl(0, 1) + ((d1 + d2) / (d1 * d2)) * sl(1, 2) - (d1 / (d2 * (d1 + d2))) * sl(2, 3)
        d1, d2 = dx[-2], dx[-1]
        last = (d2 / (d1 * (d1 + d2))) * sl(n - 3, n - 2) - ((d2 + d1) / (d1 * d2)) * sl(n - 2, n - 1) + ((2 * d2 + d1) / (d2 * (d1 + d2))) * sl(n - 1, n)
    return jnp.concatenate([first, interior, last], axis=d)


@op("_gradient", promote=NONE, method=False, out=False, grad_name="GradientBackward0")
def _gradient(input: T, coordinates: TL = None, spacing=1, dim=None, edge_order=1):
    f = _float(input)
    dims = tuple(range(f.ndim)) if dim is None else tuple(wrap_dim(d, f.ndim) for d in dim)
    for d in dims:
        check(dims.count(d) == 1, RuntimeError, lambda: f"dim {d} appears multiple times in the list of dims")
    check(edge_order in (1, 2), RuntimeError, "torch.gradient only supports edge_order=1 and edge_order=2.")
    for d in dims:
        check(
            f.shape[d] >= edge_order + 1,
            RuntimeError,
            "torch.gradient expected each dimension size to be at least edge_order+1",
        )
    if coordinates is not None:
        steps = [c.astype(f.dtype) for c in coordinates]
    else:
        spacing = 1 if spacing is None else spacing
        steps = list(spacing) if isinstance(spacing, (list, tuple)) else [spacing] * len(dims)
    check(
        len(steps) == len(dims),
        RuntimeError,
        lambda: (
            f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim arguments "
            f"to have the same length, but got a spacing argument of length {len(steps)} and a dim argument "
            f"of length {len(dims)}."
        ),
    )
    return tuple(_gradient_1d(f, h, d, edge_order) for h, d in zip(steps, dims))


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """torch.gradient: second-order accurate central differences along each of ``dim`` (one
    output per dim), with one-sided differences of ``edge_order`` at the boundaries."""
    from ..tensor import Tensor

    if isinstance(dim, int):
        dim = (dim,)
    coords = None
    if isinstance(spacing, (list, tuple)) and spacing and isinstance(spacing[0], Tensor):
        coords, spacing = tuple(spacing), 1
    elif isinstance(spacing, (list, tuple)):
        spacing = tuple(float(s) if isinstance(s, float) else s for s in spacing)
    return _gradient(input, coords, spacing, None if dim is None else tuple(dim), edge_order)


# ---- scans and norms --------------------------------------------------------------------------


def _lcse(x, axis):
    return jax.lax.associative_scan(jnp.logaddexp, x, axis=axis)


@functools.partial(jax.custom_vjp, nondiff_argnums=(1,))
def _logcumsumexp(x, axis):
    return _lcse(x, axis)


def _logcumsumexp_fwd(x, axis):
    out = _lcse(x, axis)
    return out, (x, out)


def _logcumsumexp_bwd(axis, res, g):
    # torch's formula (log-space sums of the positive and negative parts of the cotangent):
    # at -inf inputs and in float32 rounding it differs from the exact vjp, and torch is the spec.
    x, out = res
    lowest = jnp.finfo(g.dtype).min
    log_abs = jnp.log(jnp.abs(g))

    def part(mask):
        rev = jnp.flip(_lcse(jnp.flip(jnp.where(mask, log_abs, lowest) - out, axis), axis), axis)
        return jnp.exp(rev + x)

    return (part(g > 0) - part(g < 0),)


_logcumsumexp.defvjp(_logcumsumexp_fwd, _logcumsumexp_bwd)


@op(promote=NONE)
def logcumsumexp(input: T, dim):
    if not jnp.issubdtype(input.dtype, jnp.inexact):
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{_title(input.dtype)}'")
    if input.ndim == 0:
        wrap_dim(dim, 0)
        return input
    return _logcumsumexp(input, wrap_dim(dim, input.ndim))


@op(promote=NONE, inplace=True)
def renorm(input: T, p, dim, maxnorm):
    check(p > 0, RuntimeError, "renorm: non-positive-norm not supported")
    check(maxnorm >= 0, RuntimeError, lambda: f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    check(
        input.ndim > 1,
        RuntimeError,
        lambda: f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions",
    )
    d = wrap_dim(dim, input.ndim)
    others = tuple(i for i in range(input.ndim) if i != d)
    a = jnp.abs(input)
    norm = jnp.max(a, axis=others, keepdims=True) if p == float("inf") else jnp.sum(a**p, axis=others, keepdims=True) ** (1 / p)
    factor = jnp.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    return (input * factor).astype(input.dtype)


# ---- integer and float decompositions ---------------------------------------------------------


@op(promote=NONE, returns=("mantissa", "exponent"))
def frexp(input: T):
    check(
        jnp.issubdtype(input.dtype, jnp.floating),
        RuntimeError,
        "torch.frexp() only supports floating-point dtypes",
    )
    mantissa, exponent = jnp.frexp(input)
    finite = jnp.isfinite(input)
    return jnp.where(finite, mantissa, input), jnp.where(finite, exponent, 0).astype(jnp.int32)


def _integral(name, x):
    if not jnp.issubdtype(x.dtype, jnp.integer):
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_title(x.dtype)}'")


@op(promote=SAME, inplace=True, broadcast=True)
def gcd(input: TT, other: TT):
    _integral("gcd", input)
    return jnp.gcd(input, other)


@op(promote=SAME, inplace=True, broadcast=True)
def lcm(input: TT, other: TT):
    _integral("lcm", input)
    return jnp.abs(jnp.lcm(input, other))
