"""Reductions: sum, mean, std/var, prod, max/min, arg-reductions, all/any, norms, scans."""

import jax
import jax.numpy as jnp

from .. import _dtype
from .._errors import check, wrap_dim
from ._registry import NONE, T, method, op

# ---- dim handling -----------------------------------------------------------------------------


def axes(dim, ndim):
    """torch's ``dim`` argument (None, int, or a sequence) as a tuple of wrapped axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        out = tuple(wrap_dim(d, ndim) for d in dim)
        for d in set(out):
            check(out.count(d) == 1, RuntimeError, lambda: f"dim {d} appears multiple times in the list of dims")
        return out if out else tuple(range(ndim))
    return (wrap_dim(dim, ndim),)


def _reduce_name(base):
    return lambda input, dim=None, *a, **k: f"{base}Backward{0 if dim is None else 1}"


def _accumulate_dtype(x, dtype):
    """torch's sum/prod dtype: integral and bool inputs accumulate in int64."""
    if dtype is not None:
        return dtype._np
    if jnp.issubdtype(x.dtype, jnp.integer) or x.dtype == jnp.bool_:
        return jnp.int64
    return x.dtype


@op(promote=NONE, grad_name=_reduce_name("Sum"), linear=True)
def sum(input: T, dim=None, keepdim=False, *, dtype=None):
    return jnp.sum(input, axis=axes(dim, input.ndim), keepdims=keepdim, dtype=_accumulate_dtype(input, dtype))


@op(promote=NONE, grad_name=_reduce_name("Nansum"))
def nansum(input: T, dim=None, keepdim=False, *, dtype=None):
    return jnp.nansum(input, axis=axes(dim, input.ndim), keepdims=keepdim, dtype=_accumulate_dtype(input, dtype))


def _float_input(name, x, dtype):
    if dtype is not None:
        return x.astype(dtype._np)
    check(
        jnp.issubdtype(x.dtype, jnp.floating) or jnp.issubdtype(x.dtype, jnp.complexfloating),
        RuntimeError,
        lambda: f"{name}(): could not infer output dtype. Input dtype must be either a floating point or "
        f"complex dtype. Got: {_title(x.dtype)}",
    )
    return x


def _title(jdt):
    from ._registry import dtype_title

    return dtype_title(_dtype.from_numpy_dtype(jdt))


@op(promote=NONE, grad_name=_reduce_name("Mean"), linear=True)
def mean(input: T, dim=None, keepdim=False, *, dtype=None):
    x = _float_input("mean", input, dtype)
    return jnp.mean(x, axis=axes(dim, x.ndim), keepdims=keepdim)


@op(promote=NONE, grad_name=_reduce_name("Nanmean"))
def nanmean(input: T, dim=None, keepdim=False, *, dtype=None):
    x = _float_input("nanmean", input, dtype)
    return jnp.nanmean(x, axis=axes(dim, x.ndim), keepdims=keepdim)


@op(promote=NONE, grad_name=_reduce_name("Prod"))
def prod(input: T, dim=None, keepdim=False, *, dtype=None):
    check(not isinstance(dim, (list, tuple)), TypeError, "prod(): argument 'dim' must be int, not tuple")
    return jnp.prod(input, axis=axes(dim, input.ndim), keepdims=keepdim, dtype=_accumulate_dtype(input, dtype))


def _correction(dim, unbiased, correction):
    """std/var's overloads: (dim, unbiased, keepdim), (unbiased), and correction=."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return dim, correction


def _moment(name, input, dim, unbiased, keepdim, correction):
    dim, ddof = _correction(dim, unbiased, correction)
    x = _float_input(name, input, None)
    return jnp.var(x, axis=axes(dim, x.ndim), ddof=ddof, keepdims=keepdim)


@op(promote=NONE, grad_name=lambda input, dim=None, *a, **k: "VarBackward0")
def var(input: T, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _moment("var", input, dim, unbiased, keepdim, correction)


@op(promote=NONE, grad_name=lambda input, dim=None, *a, **k: "StdBackward0")
def std(input: T, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return jnp.sqrt(_moment("std", input, dim, unbiased, keepdim, correction))


@op(promote=NONE, returns=("std", "mean"), method=False)
def std_mean(input: T, dim=None, unbiased=None, keepdim=False, *, correction=None):
    m = jnp.mean(input, axis=axes(_correction(dim, unbiased, correction)[0], input.ndim), keepdims=keepdim)
    return jnp.sqrt(_moment("std_mean", input, dim, unbiased, keepdim, correction)), m


@op(promote=NONE, returns=("var", "mean"), method=False)
def var_mean(input: T, dim=None, unbiased=None, keepdim=False, *, correction=None):
    m = jnp.mean(input, axis=axes(_correction(dim, unbiased, correction)[0], input.ndim), keepdims=keepdim)
    return _moment("var_mean", input, dim, unbiased, keepdim, correction), m


def _nonempty(name, x, dim):
    check(
        x.size > 0 or (dim is not None and x.ndim and x.shape[wrap_dim(dim, x.ndim)] > 0),
        IndexError if dim is not None else RuntimeError,
        lambda: f"{name}(): Expected reduction dim {dim} to have non-zero size."
        if dim is not None
        else f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
    )


@op(promote=NONE)
def amax(input: T, dim=(), keepdim=False):
    _nonempty("amax", input, None if dim == () else dim)
    return jnp.max(input, axis=axes(dim if dim != () else None, input.ndim), keepdims=keepdim)


@op(promote=NONE)
def amin(input: T, dim=(), keepdim=False):
    _nonempty("amin", input, None if dim == () else dim)
    return jnp.min(input, axis=axes(dim if dim != () else None, input.ndim), keepdims=keepdim)


def _extreme(name, f, argf, input, dim, keepdim):
    if dim is None:
        _nonempty(name, input, None)
        return f(input)
    _nonempty(name, input, dim)
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return input, jnp.zeros((), jnp.int64)
    values = f(input, axis=d, keepdims=keepdim)
    indices = argf(input, axis=d, keepdims=keepdim).astype(jnp.int64)
    return values, indices


def _nan_arg(argf):
    # torch propagates nan: a nan is the max and the min, at its first position.
    def f(x, axis, keepdims):
        if jnp.issubdtype(x.dtype, jnp.floating):
            isnan = jnp.isnan(x)
            return jnp.where(isnan.any(axis=axis, keepdims=keepdims), jnp.argmax(isnan, axis=axis, keepdims=keepdims), argf(x, axis=axis, keepdims=keepdims))
        return argf(x, axis=axis, keepdims=keepdims)

    return f


@op("max", promote=NONE, returns=("values", "indices"), method=False, grad_name=lambda input, dim=None, *a: "MaxBackward1" if dim is None else "MaxBackward0")
def _max(input: T, dim=None, keepdim=False):
    return _extreme("max", jnp.max, _nan_arg(jnp.argmax), input, dim, keepdim)


@op("min", promote=NONE, returns=("values", "indices"), method=False, grad_name=lambda input, dim=None, *a: "MinBackward1" if dim is None else "MinBackward0")
def _min(input: T, dim=None, keepdim=False):
    return _extreme("min", jnp.min, _nan_arg(jnp.argmin), input, dim, keepdim)


def _overload(reduce, elementwise):
    def fn(input, dim=None, keepdim=False, *, out=None):
        from ..tensor import Tensor

        if isinstance(dim, Tensor):
            return elementwise(input, dim, out=out)
        return reduce(input, dim, keepdim, out=out) if out is not None else reduce(input, dim, keepdim)

    return fn


def _make_overloads():
    from .pointwise import maximum, minimum

    return _overload(_max, maximum), _overload(_min, minimum)


max, min = _make_overloads()
max.__name__, min.__name__ = "max", "min"
method("max")(max)
method("min")(min)


@op(promote=NONE)
def argmax(input: T, dim=None, keepdim=False):
    _nonempty("argmax", input, dim)
    if dim is None:
        r = _nan_arg(jnp.argmax)(input.reshape(-1), axis=0, keepdims=False)
        return (r.reshape((1,) * input.ndim) if keepdim else r).astype(jnp.int64)
    return _nan_arg(jnp.argmax)(input, axis=wrap_dim(dim, input.ndim), keepdims=keepdim).astype(jnp.int64)


@op(promote=NONE)
def argmin(input: T, dim=None, keepdim=False):
    _nonempty("argmin", input, dim)
    if dim is None:
        r = _nan_arg(jnp.argmin)(input.reshape(-1), axis=0, keepdims=False)
        return (r.reshape((1,) * input.ndim) if keepdim else r).astype(jnp.int64)
    return _nan_arg(jnp.argmin)(input, axis=wrap_dim(dim, input.ndim), keepdims=keepdim).astype(jnp.int64)


def _bool_reduce(f, input, dim, keepdim):
    out = f(input, axis=axes(dim, input.ndim), keepdims=keepdim)
    return out.astype(jnp.uint8) if input.dtype == jnp.uint8 else out


@op(promote=NONE)
def all(input: T, dim=None, keepdim=False):
    return _bool_reduce(jnp.all, input, dim, keepdim)


@op(promote=NONE)
def any(input: T, dim=None, keepdim=False):
    return _bool_reduce(jnp.any, input, dim, keepdim)


@op(promote=NONE)
def count_nonzero(input: T, dim=None):
    return jnp.count_nonzero(input, axis=axes(dim, input.ndim)).astype(jnp.int64)


@op(promote=NONE, grad_name="LogsumexpBackward0")
def logsumexp(input: T, dim, keepdim=False):
    x = input if jnp.issubdtype(input.dtype, jnp.inexact) else input.astype(_dtype.get_default_dtype()._np)
    return jax.scipy.special.logsumexp(x, axis=axes(dim, x.ndim), keepdims=keepdim)


def _scan_dtype(x, dtype):
    return _accumulate_dtype(x, dtype)


@op(promote=NONE, inplace=True)
def cumsum(input: T, dim, *, dtype=None):
    x = input.astype(_scan_dtype(input, dtype))
    return jnp.cumsum(x, axis=wrap_dim(dim, x.ndim)) if x.ndim else x


@op(promote=NONE, inplace=True)
def cumprod(input: T, dim, *, dtype=None):
    x = input.astype(_scan_dtype(input, dtype))
    return jnp.cumprod(x, axis=wrap_dim(dim, x.ndim)) if x.ndim else x


@op(promote=NONE, returns=("values", "indices"), grad_name=lambda input, dim=None, *a: "MedianBackward0" if dim is None else "MedianBackward1")
def median(input: T, dim=None, keepdim=False):
    """The lower median (torch's), with its index when ``dim`` is given."""
    if dim is None:
        _nonempty("median", input, None)
        flat = jnp.sort(input.reshape(-1))
        return flat[(flat.size - 1) // 2]
    d = wrap_dim(dim, input.ndim) if input.ndim else 0
    if input.ndim == 0:
        return input, jnp.zeros((), jnp.int64)
    order = jnp.argsort(input, axis=d, stable=True)
    k = (input.shape[d] - 1) // 2
    idx = jnp.take(order, jnp.array([k]), axis=d)
    values = jnp.take_along_axis(input, idx, axis=d)
    if not keepdim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return values, idx.astype(jnp.int64)


def _norm_value(x, p, axis, keepdim):
    if p == "fro" or p == 2:
        return jnp.sqrt(jnp.sum(jnp.abs(x) ** 2, axis=axis, keepdims=keepdim))
    if p == float("inf"):
        return jnp.max(jnp.abs(x), axis=axis, keepdims=keepdim)
    if p == float("-inf"):
        return jnp.min(jnp.abs(x), axis=axis, keepdims=keepdim)
    if p == 0:
        return jnp.sum(x != 0, axis=axis, keepdims=keepdim).astype(x.dtype)
    if p == 1:
        return jnp.sum(jnp.abs(x), axis=axis, keepdims=keepdim)
    return jnp.sum(jnp.abs(x) ** p, axis=axis, keepdims=keepdim) ** (1.0 / p)


@op(promote=NONE, grad_name="NormBackward1")
def norm(input: T, p="fro", dim=None, keepdim=False, dtype=None):
    x = _float_input("linalg.vector_norm", input, dtype)
    return _norm_value(x, 2 if p is None else p, axes(dim, x.ndim), keepdim)
