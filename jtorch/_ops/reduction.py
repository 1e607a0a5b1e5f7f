"""Reductions: sum, mean, std/var, prod, max/min, arg-reductions, all/any, norms, scans.

Order statistics (median, nanmedian, mode, kthvalue) live with sorting in sorting.py.
"""

import builtins
import functools
import math

import jax
import jax.numpy as jnp

from .. import _dtype
from .._errors import check, wrap_dim
from ._registry import NONE, SAME, T, method, op

# ---- dims, dtypes and shared checks -----------------------------------------------------------


def axes(dim, ndim):
    """torch's ``dim`` argument (None, int, or a sequence) as a tuple of wrapped axes.

    An empty sequence means every dim; a zero-dim input accepts dim 0 and -1 and has no axes.
    """
    if dim is None:
        return tuple(range(ndim))
    many = isinstance(dim, (list, tuple))
    out = tuple(wrap_dim(d, ndim) for d in (dim if many else (dim,)))
    for d in set(out):
        check(
            out.count(d) == 1,
            RuntimeError,
            lambda d=d: f"dim {d} appears multiple times in the list of dims",
        )
    if ndim == 0:
        return ()
    return out if out or not many else tuple(range(ndim))


def _reduce_name(base):
    """torch's grad_fn name: ``<base>Backward0`` for a full reduction, ``Backward1`` with dim."""
    return lambda input, dim=None, *a, **k: f"{base}Backward{0 if dim is None else 1}"


def _accumulate_dtype(x, dtype):
    """torch's sum/prod/cumsum dtype: integral and bool inputs accumulate in int64."""
    if dtype is not None:
        return dtype._np
    if jnp.issubdtype(x.dtype, jnp.integer) or x.dtype == jnp.bool_:
        return jnp.int64
    return x.dtype


def is_inexact(jdt):
    return jnp.issubdtype(jdt, jnp.inexact)


def title(jdt):
    """torch's capitalised dtype name ("Long", "Float") of a jax dtype, for messages."""
    from ._registry import dtype_title

    return dtype_title(_dtype.from_numpy_dtype(jdt))


def nonempty(name, x, dim):
    """torch's errors for a reduction without identity (max, argmax, ...) over nothing."""
    if dim is None:
        check(
            x.size > 0,
            IndexError if name.startswith("arg") else RuntimeError,
            lambda: (
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
                + (
                    ""
                    if name.startswith("arg")
                    else " Specify the reduction dim with the 'dim' argument."
                )
            ),
        )
        return
    d = wrap_dim(dim, x.ndim)
    check(
        x.ndim == 0 or x.shape[d] > 0,
        IndexError,
        lambda: f"{name}(): Expected reduction dim {d} to have non-zero size.",
    )


def scalar_selection(x):
    """(values, indices) of a selection along the only "dim" (0 or -1) of a zero-dim tensor."""
    return x, jnp.zeros((), jnp.int64)


def select_along(x, idx, d, keepdim=True):
    """(values, indices): the elements of ``x`` at int64 indices ``idx`` (keepdim shape) along
    ``d``, both squeezed unless ``keepdim``.

    Differentiating this sends each gradient to the selected element only: torch's convention
    for max(dim), median(dim), mode, kthvalue, sort, topk and cummax.
    """
    values = jnp.take_along_axis(x, idx, axis=d)
    return (values, idx) if keepdim else (values.squeeze(d), idx.squeeze(d))


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3))
def _spread(x, value, axis, nan_equal):
    return value


def _spread_fwd(x, value, axis, nan_equal):
    return value, (x, value)


def _spread_bwd(axis, nan_equal, res, g):
    x, value = res
    mask = x == value
    if nan_equal:  # evenly_distribute_backward: NaN counts as equal to NaN
        mask = mask | (jnp.isnan(x) & jnp.isnan(value))
    count = mask.sum(axis=axis, keepdims=True)
    # scale_grad_by_count's (g / count) * mask is NaN everywhere when count == 0 (a NaN
    # result of amax); spelled with where because XLA folds x * 0 to 0.
    grad = jnp.where(mask, g / count, jnp.where(count == 0, jnp.nan, 0))
    return grad.astype(x.dtype), jnp.zeros_like(value)


_spread.defvjp(_spread_fwd, _spread_bwd)


def spread(x, value, axis, keepdim, nan_equal=False):
    """``value`` (keepdim shape), the result of a reduction of ``x`` over ``axis`` that picks
    elements (max, min, median), with torch's gradient: shared evenly by the elements equal to
    it. Full reductions (``nan_equal``) count NaN as equal to NaN; amax/amin do not, so a NaN
    result gets NaN gradients, as in torch."""
    if jnp.issubdtype(x.dtype, jnp.floating):
        value = _spread(x, jax.lax.stop_gradient(value), axis, nan_equal)
    return (
        value if keepdim else value.reshape([n for i, n in enumerate(value.shape) if i not in axis])
    )


# ---- sums and means ---------------------------------------------------------------------------


@op(promote=NONE, grad_name=_reduce_name("Sum"), linear=True)
def sum(input: T, dim=None, keepdim=False, *, dtype=None):
    return jnp.sum(
        input, axis=axes(dim, input.ndim), keepdims=keepdim, dtype=_accumulate_dtype(input, dtype)
    )


@op(promote=NONE, grad_name="NansumBackward0")
def nansum(input: T, dim=None, keepdim=False, *, dtype=None):
    return jnp.nansum(
        input, axis=axes(dim, input.ndim), keepdims=keepdim, dtype=_accumulate_dtype(input, dtype)
    )


def _mean_input(x, dtype):
    """mean's input in its computation dtype, with torch's errors for integral dtypes."""
    check(
        dtype is None or dtype.is_floating_point or dtype.is_complex,
        RuntimeError,
        lambda: (
            "mean(): could not infer output dtype. Optional dtype must be either a floating point or "
            f"complex dtype. Got: {title(dtype._np)}"
        ),
    )
    check(
        dtype is not None or is_inexact(x.dtype),
        RuntimeError,
        lambda: (
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {title(x.dtype)}"
        ),
    )
    return x if dtype is None else x.astype(dtype._np)


@op(promote=NONE, grad_name=_reduce_name("Mean"), linear=True)
def mean(input: T, dim=None, keepdim=False, *, dtype=None):
    x = _mean_input(input, dtype)
    return jnp.mean(x, axis=axes(dim, x.ndim), keepdims=keepdim)


@op(promote=NONE, grad_name="DivBackward0")
def nanmean(input: T, dim=None, keepdim=False, *, dtype=None):
    check(
        is_inexact(input.dtype),
        RuntimeError,
        lambda: (
            f"nanmean(): expected input to have floating point or complex dtype but got {title(input.dtype)}"
        ),
    )
    x = input if dtype is None else input.astype(dtype._np)
    return jnp.nanmean(x, axis=axes(dim, x.ndim), keepdims=keepdim)


@op(promote=NONE, grad_name=_reduce_name("Prod"))
def prod(input: T, dim=None, keepdim=False, *, dtype=None):
    check(
        not isinstance(dim, (list, tuple)),
        TypeError,
        "prod(): argument 'dim' must be int, not tuple",
    )
    return jnp.prod(
        input, axis=axes(dim, input.ndim), keepdims=keepdim, dtype=_accumulate_dtype(input, dtype)
    )


@op(promote=NONE, grad_name="LogsumexpBackward0")
def logsumexp(input: T, dim, keepdim=False):
    x = input if is_inexact(input.dtype) else input.astype(_dtype.get_default_dtype()._np)
    return jax.scipy.special.logsumexp(x, axis=axes(dim, x.ndim), keepdims=keepdim)


# ---- variance and standard deviation -----------------------------------------------------------


def _variance(input, dim, unbiased, keepdim, correction):
    """torch's var over the overloads (dim, unbiased, keepdim), (unbiased) and correction=:
    ``sum(|x - mean|^2) / max(0, N - correction)``."""
    check(
        unbiased is None or correction is None,
        TypeError,
        "var(): received both 'unbiased' and 'correction'; pass only one of them",
    )
    if isinstance(dim, bool):  # x.var(False): the (unbiased) overload
        dim, unbiased = None, dim
    if correction is None:
        correction = 0 if unbiased is False else 1
    check(
        is_inexact(input.dtype),
        RuntimeError,
        "std and var only support floating point and complex dtypes",
    )
    ax = axes(dim, input.ndim)
    n = math.prod(input.shape[a] for a in ax)
    mean = jnp.mean(input, axis=ax, keepdims=True)
    dof = builtins.max(0, n - correction)
    # With no degrees of freedom torch's gradient is 2 * g * (x - mean) / 0 = +-inf; the
    # mean's own path (analytically zero) would turn that into inf - inf.
    c = input - (mean if dof else jax.lax.stop_gradient(mean))
    dev = jnp.square(c.real) + jnp.square(c.imag) if jnp.iscomplexobj(c) else jnp.square(c)
    var = jnp.sum(dev, axis=ax, keepdims=keepdim) / dof
    return var, mean if keepdim else mean.reshape(var.shape)


def _sqrt_zero_grad(v):
    """sqrt with torch's std gradient: zero (not inf * 0) where the variance is zero."""
    zero = v == 0
    return jnp.where(zero, 0, jnp.sqrt(jnp.where(zero, 1, v)))


@op(promote=NONE, grad_name="VarBackward0")
def var(input: T, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _variance(input, dim, unbiased, keepdim, correction)[0]


@op(promote=NONE, grad_name="StdBackward0")
def std(input: T, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _sqrt_zero_grad(_variance(input, dim, unbiased, keepdim, correction)[0])


@op(promote=NONE, method=False, grad_name="VarMeanBackward0")
def var_mean(input: T, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _variance(input, dim, unbiased, keepdim, correction)


@op(promote=NONE, method=False, grad_name="StdMeanBackward0")
def std_mean(input: T, dim=None, unbiased=None, keepdim=False, *, correction=None):
    v, m = _variance(input, dim, unbiased, keepdim, correction)
    return _sqrt_zero_grad(v), m


# ---- max, min and arg-reductions --------------------------------------------------------------


def _nan_first(argf):
    """jnp.argmax/argmin with torch's NaN rule: a NaN wins, at its first position."""

    def f(x, axis, keepdims=False):
        found = argf(x, axis=axis, keepdims=keepdims)
        if not jnp.issubdtype(x.dtype, jnp.floating):
            return found
        isnan = jnp.isnan(x)
        first_nan = jnp.argmax(isnan, axis=axis, keepdims=keepdims)
        return jnp.where(isnan.any(axis=axis, keepdims=keepdims), first_nan, found)

    return f


_argmax, _argmin = _nan_first(jnp.argmax), _nan_first(jnp.argmin)


def _extreme(name, f, argf, input, dim, keepdim):
    """max/min: the full reduction (ties share the gradient), or (values, indices) along dim
    (the gradient goes to the returned index)."""
    check(dim is not None or not keepdim, TypeError, lambda: f"{name}(): keepdim requires a dim")
    nonempty(name, input, dim)
    if dim is None:
        return spread(
            input, f(input, keepdims=True), tuple(range(input.ndim)), False, nan_equal=True
        )
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return scalar_selection(input)
    idx = argf(input, axis=d, keepdims=True).astype(jnp.int64)
    return select_along(input, idx, d, keepdim)


def _extreme_name(base):
    return lambda input, dim=None, *a: f"{base}Backward{1 if dim is None else 0}"


@op(
    "max", promote=NONE, returns=("values", "indices"), method=False, grad_name=_extreme_name("Max")
)
def _max(input: T, dim=None, keepdim=False):
    return _extreme("max", jnp.max, _argmax, input, dim, keepdim)


@op(
    "min", promote=NONE, returns=("values", "indices"), method=False, grad_name=_extreme_name("Min")
)
def _min(input: T, dim=None, keepdim=False):
    return _extreme("min", jnp.min, _argmin, input, dim, keepdim)


def _overload(name, reduce, elementwise):
    """torch.max/min's overloads: (input), (input, dim, keepdim=False) and (input, other)."""
    from ..tensor import Tensor

    def fn(input, *args, **kwargs):
        check(
            isinstance(input, Tensor),
            TypeError,
            lambda: f"{name}() received an invalid combination of arguments - got "
            f"({', '.join(type(a).__name__ for a in (input, *args))}), but expected one of:\n"
            f" * (Tensor input)\n * (Tensor input, Tensor other)\n"
            f" * (Tensor input, int dim, bool keepdim = False)",
        )
        binary = "other" in kwargs or (args and isinstance(args[0], Tensor))
        return (elementwise if binary else reduce)(input, *args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"torch.{name}(input): the {name} of all elements; torch.{name}(input, dim, "
        f"keepdim=False): (values, indices) along dim; torch.{name}(input, other): the "
        f"elementwise {elementwise.__name__}."
    )
    return method(name)(fn)


def _make_overloads():
    from .pointwise import maximum, minimum

    return _overload("max", _max, maximum), _overload("min", _min, minimum)


max, min = _make_overloads()


def _amax(name, f, input, dim, keepdim):
    """amax/amin over one dim or several; ties share the gradient."""
    dims = dim if isinstance(dim, (list, tuple)) else (dim,)
    for d in dims or (None,):
        nonempty(name, input, d)
    ax = axes(dim, input.ndim)
    return spread(input, f(input, axis=ax, keepdims=True), ax, keepdim)


@op(promote=NONE)
def amax(input: T, dim=(), keepdim=False):
    return _amax("amax", jnp.max, input, dim, keepdim)


@op(promote=NONE)
def amin(input: T, dim=(), keepdim=False):
    return _amax("amin", jnp.min, input, dim, keepdim)


@op(promote=NONE, returns=("min", "max"), method=True)
def aminmax(input: T, *, dim=None, keepdim=False):
    if dim is None:
        check(
            input.size > 0,
            RuntimeError,
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.",
        )
    elif input.ndim:
        d = wrap_dim(dim, input.ndim)
        check(
            input.shape[d] > 0,
            IndexError,
            lambda: f"aminmax: Expected reduction dim {d} to have non-zero size.",
        )
    ax = axes(dim, input.ndim)
    lo, hi = jnp.min(input, axis=ax, keepdims=True), jnp.max(input, axis=ax, keepdims=True)
    return spread(input, lo, ax, keepdim), spread(input, hi, ax, keepdim)


def _arg_extreme(name, argf, input, dim, keepdim):
    check(input.dtype != jnp.bool_, RuntimeError, lambda: f"{name}(): does not support bool input")
    nonempty(name, input, dim)
    if dim is None:
        r = argf(input.reshape(-1), axis=0)
        return (r.reshape((1,) * input.ndim) if keepdim else r).astype(jnp.int64)
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return jnp.zeros((), jnp.int64)
    return argf(input, axis=d, keepdims=keepdim).astype(jnp.int64)


@op(promote=NONE)
def argmax(input: T, dim=None, keepdim=False):
    return _arg_extreme("argmax", _argmax, input, dim, keepdim)


@op(promote=NONE)
def argmin(input: T, dim=None, keepdim=False):
    return _arg_extreme("argmin", _argmin, input, dim, keepdim)


# ---- logical reductions -----------------------------------------------------------------------


def _bool_reduce(f, input, dim, keepdim):
    # torch keeps uint8 for uint8 inputs; every other dtype gives bool.
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


# ---- norms ------------------------------------------------------------------------------------


def _pnorm_value(a, p, axis):
    """The p-norm of ``a = |x|`` over ``axis`` (kept)."""
    if p == 0:
        return jnp.sum(a != 0, axis=axis, keepdims=True).astype(a.dtype)
    if p == 1:
        return jnp.sum(a, axis=axis, keepdims=True)
    if p == 2:
        return jnp.sqrt(jnp.sum(a * a, axis=axis, keepdims=True))
    if p == float("inf"):
        return jnp.max(a, axis=axis, keepdims=True)
    if p == float("-inf"):
        return jnp.min(a, axis=axis, keepdims=True)
    return jnp.sum(a**p, axis=axis, keepdims=True) ** (1.0 / p)


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2))
def _pnorm(x, p, axis):
    """The p-norm of real ``x`` over ``axis`` (kept), with torch's gradient at zero."""
    return _pnorm_value(jnp.abs(x), p, axis)


def _pnorm_fwd(x, p, axis):
    norm = _pnorm(x, p, axis)
    return norm, (x, norm)


def _safe_div(num, den):
    """num / den, zero where den == 0 (torch's masked_fill_(norm == 0, 0))."""
    return jnp.where(den == 0, 0, num / jnp.where(den == 0, 1, den))


def _pnorm_bwd(p, axis, res, g):
    # torch's norm_backward (torch/csrc/autograd/FunctionsManual.cpp).
    x, norm = res
    a, sgn = jnp.abs(x), jnp.sign(x)
    if p == 0:
        grad = jnp.zeros_like(x)
    elif p == 1:
        grad = sgn * g
    elif p == 2:
        grad = g * _safe_div(x, norm)
    elif abs(p) == float("inf"):
        mask = (a == norm) | jnp.isnan(a)
        grad = sgn * jnp.where(mask, g / mask.sum(axis=axis, keepdims=True), 0)
    elif p < 1:
        grad = sgn * jnp.where(x == 0, 0, a ** (p - 1)) * g * norm ** (1 - p)
    else:
        grad = sgn * a ** (p - 1) * _safe_div(g, norm ** (p - 1))
    return (grad.astype(x.dtype),)


_pnorm.defvjp(_pnorm_fwd, _pnorm_bwd)


def _nuclear_norm(x, ax, keepdim):
    check(
        len(ax) == 2,
        RuntimeError,
        lambda: f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, ax))}",
    )
    m = jnp.moveaxis(x, ax, (-2, -1))
    out = jnp.linalg.svd(m, compute_uv=False).sum(-1)
    return jnp.expand_dims(out, tuple(sorted(ax))) if keepdim else out


def _norm_name(input, p="fro", *a, **k):
    return "SumBackward1" if p == "nuc" else "LinalgVectorNormBackward0"


@op(promote=NONE, grad_name=_norm_name)
def norm(input: T, p="fro", dim=None, keepdim=False, dtype=None):
    """torch.norm: the vector p-norm over ``dim`` (all dims by default); 'fro' is the 2-norm
    and 'nuc' the nuclear norm of the matrices over two dims."""
    check(
        is_inexact(input.dtype),
        RuntimeError,
        lambda: (
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {title(input.dtype)}"
        ),
    )
    x = input if dtype is None else input.astype(dtype._np)
    ax = axes(dim, x.ndim)
    if isinstance(p, str):
        check(
            p in ("fro", "nuc"),
            RuntimeError,
            lambda: f"linalg.matrix_norm: Order {p} not supported.",
        )
        check(
            p == "nuc" or len(ax) <= 2 or dim is None,
            RuntimeError,
            lambda: f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, ax))}",
        )
        if p == "nuc":
            return _nuclear_norm(x, ax, keepdim)
    p = 2.0 if p is None or p == "fro" else float(p)
    check(
        x.size > 0 or abs(p) != float("inf"),
        RuntimeError,
        "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation does not "
        "have an identity",
    )
    # Complex inputs take jax's gradient of |x| (no custom rule at zero).
    out = _pnorm_value(jnp.abs(x), p, ax) if jnp.iscomplexobj(x) else _pnorm(x, p, ax)
    return out if keepdim else out.reshape([n for i, n in enumerate(out.shape) if i not in ax])


# ---- scans and differences --------------------------------------------------------------------


@op(promote=NONE, inplace=True)
def cumsum(input: T, dim, *, dtype=None):
    x = input.astype(_accumulate_dtype(input, dtype))
    return jnp.cumsum(x, axis=wrap_dim(dim, x.ndim)) if x.ndim else x


@op(promote=NONE, inplace=True)
def cumprod(input: T, dim, *, dtype=None):
    x = input.astype(_accumulate_dtype(input, dtype))
    return jnp.cumprod(x, axis=wrap_dim(dim, x.ndim)) if x.ndim else x


def _cum_extreme(name, better, input, dim):
    """cummax/cummin: running extreme and the index of its latest occurrence; a NaN wins and
    stays (torch's rule), ties move the index forward."""
    check(
        input.ndim or dim in (0, -1),
        IndexError,
        lambda: f"{name}(): Expected reduction dim -1 or 0 for scalar but got {dim}",
    )
    if input.ndim == 0:
        return scalar_selection(input)
    d = wrap_dim(dim, input.ndim)
    shape = [1] * input.ndim
    shape[d] = input.shape[d]
    pos = jnp.broadcast_to(jnp.arange(input.shape[d], dtype=jnp.int64).reshape(shape), input.shape)

    def combine(left, right):
        (lv, li), (rv, ri) = left, right
        take = (
            jnp.isnan(rv) | (~jnp.isnan(lv) & better(rv, lv))
            if is_inexact(lv.dtype)
            else better(rv, lv)
        )
        return jnp.where(take, rv, lv), jnp.where(take, ri, li)

    _, idx = jax.lax.associative_scan(combine, (input, pos), axis=d)
    return select_along(input, idx, d)


@op(promote=NONE, returns=("values", "indices"))
def cummax(input: T, dim):
    return _cum_extreme("cummax", jnp.greater_equal, input, dim)


@op(promote=NONE, returns=("values", "indices"))
def cummin(input: T, dim):
    return _cum_extreme("cummin", jnp.less_equal, input, dim)


@op(promote=SAME, grad_name="SubBackward0")
def diff(input: T, n=1, dim=-1, prepend: T = None, append: T = None):
    check(input.ndim > 0, RuntimeError, "diff expects input to be at least one-dimensional")
    check(n >= 0, RuntimeError, lambda: f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input.ndim)
    parts = [t for t in (prepend, input, append) if t is not None]
    for t in parts:
        check(
            t.ndim == input.ndim,
            RuntimeError,
            "diff expects prepend or append to be the same dimension as input",
        )
    x = jnp.concatenate(parts, axis=d) if len(parts) > 1 else input
    for _ in range(builtins.min(n, x.shape[d])):
        hi, lo = jax.lax.slice_in_dim(x, 1, None, axis=d), jax.lax.slice_in_dim(x, 0, -1, axis=d)
        x = hi != lo if x.dtype == jnp.bool_ else hi - lo
    return x


@op("_sum_to_size", promote=NONE, method=False, out=False, grad_name="SumBackward1")
def _sum_to_size(input: T, size):
    lead = input.ndim - len(size)
    summed = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(size) if n == 1 and input.shape[lead + i] != 1
    )
    return sum.fn(input, summed, keepdim=True).reshape(size)


@method("sum_to_size")
def sum_to_size(input, *size):
    """Tensor.sum_to_size: ``input`` summed down to ``size`` (which must expand to its shape);
    ``input`` itself when the shapes are equal, except that ``()`` is always a full sum."""
    from .shape import _size_arg

    check(size, TypeError, 'sum_to_size() missing 1 required positional arguments: "size"')
    size = _size_arg(size)
    lead = input.dim() - len(size)
    check(
        lead >= 0 and builtins.all(n in (1, m) for n, m in zip(size, input.shape[lead:])),
        RuntimeError,
        lambda: f"size {{{list(size)}}} is not expandable to size {{{list(input.shape)}}}.",
    )
    if not size:
        return sum(input)
    return input if size == tuple(input.shape) else _sum_to_size(input, size)
