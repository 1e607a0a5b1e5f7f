"""torch.masked: reductions and normalizations that ignore masked-out elements.

Each op follows torch/masked/_ops.py for strided tensors. The mask (bool; other dtypes are
converted to bool) broadcasts to the input but may not have more dims than it. ``_fill``
replaces the masked-out elements by the identity of the reduction that follows (0 for sum,
-inf for amax and softmax, nan for median, ...), and then the plain op runs, so a fully
masked-out slice gives what that op gives over identities only (0 for sum, -inf for amax,
nan for mean, var and softmax). The mask never gets a gradient, and the masked-out input
elements get zero, as through torch's ``where``.
"""

import builtins

import jax
import jax.numpy as jnp

from .. import _dtype
from .._errors import check, wrap_dim
from . import reduction, sorting
from ._registry import NONE, TN, T, op
from .pointwise import maximum
from .reduction import is_inexact, title
from .shape import broadcast_to

# ---- dims, masks and identities ---------------------------------------------------------------


def _canonical_dim(dim, ndim):
    """torch.masked's dim argument as a sorted tuple of dims; ``None`` and ``()`` mean all.
    (Like torch, only a repeat of the same number is caught here; the reduction catches the
    rest with its own message.)"""
    if dim is None or dim == ():
        return tuple(range(ndim))
    dims = []
    for d in (dim,) if isinstance(dim, int) else dim:
        check(
            d not in dims,
            RuntimeError,
            lambda d=d: f"dim={d} appears multiple times in the list of dims",
        )
        dims.append(wrap_dim(d, ndim))
    return tuple(sorted(dims))


def _input_mask(shape, mask):
    """The mask broadcast to the input's ``shape``, as bool (torch.masked._input_mask)."""
    if mask.shape != shape:
        check(
            mask.ndim <= len(shape),
            IndexError,
            "_input_mask expected broadcastable mask "
            "(got mask dimensionality higher than of the input)",
        )
        mask = broadcast_to.fn(mask, shape)
    return mask.astype(jnp.bool_)


def _identity(name, x, ord=None):
    """The value a masked-out element of ``x`` takes before reduction ``name``
    (torch.masked._reduction_identity)."""
    floating = jnp.issubdtype(x.dtype, jnp.floating)
    integral = jnp.issubdtype(x.dtype, jnp.integer)
    if name == "sum":
        return 0
    if name == "prod":
        return 1
    if name == "median":
        return jnp.nan
    if name == "norm":
        if ord == float("-inf"):
            check(
                floating,
                AssertionError,
                lambda: f"input must be floating point, got {_torch_name(x)}",
            )
            return jnp.inf
        return 0
    if name == "logsumexp" and jnp.iscomplexobj(x):
        return complex(-jnp.inf, 0)
    if name in ("amax", "logsumexp") and (floating or integral):
        return -jnp.inf if floating else jnp.iinfo(x.dtype).min
    if name == "amin" and (floating or integral):
        return jnp.inf if floating else jnp.iinfo(x.dtype).max
    raise NotImplementedError(f"identity of {name} on {_torch_name(x)} input")


def _torch_name(x):
    return str(_dtype.from_numpy_dtype(x.dtype))


def _fill(name, input, mask, ord=None):
    """``input`` with its masked-out elements replaced by the identity of reduction ``name``."""
    if mask is None:
        return input
    fill = jnp.asarray(_identity(name, input, ord), input.dtype)
    return jnp.where(_input_mask(input.shape, mask), input, fill)


def _own(dtype, x):
    """torch.masked's default ``dtype``: the input's own."""
    return dtype._np if dtype is not None else x.dtype


def _reduce(reduce, input, dim, keepdim, dtype, mask):
    """Reduction op ``reduce`` (whose name is its identity) over the unmasked elements, cast
    to ``dtype`` (the input's by default)."""
    x = _fill(reduce.__name__, input, mask)
    out = reduce.fn(x, _canonical_dim(dim, input.ndim), bool(keepdim))
    return out.astype(_own(dtype, input))


# ---- sums and products ------------------------------------------------------------------------


@op("masked.sum", promote=NONE, method=False, out=False, grad_name="SumBackward1")
def sum(input: T, dim=None, *, keepdim=False, dtype=None, mask: TN = None):
    x = _fill("sum", input, mask)
    return reduction.sum.fn(x, _canonical_dim(dim, input.ndim), bool(keepdim), dtype=dtype)


@op("masked.prod", promote=NONE, method=False, out=False, grad_name="ProdBackward1")
def prod(input: T, dim=None, *, keepdim=False, dtype=None, mask: TN = None):
    # Integral inputs accumulate in int64, as in sum; one dim at a time, as torch does.
    x = _fill("prod", input, mask).astype(reduction._accumulate_dtype(input, dtype))
    for d in reversed(_canonical_dim(dim, input.ndim)):
        x = reduction.prod.fn(x, d, bool(keepdim))
    return x


def _scan(scan, identity, input, dim, dtype, mask):
    d = _canonical_dim(dim, input.ndim)[0]
    x = _fill(identity, input, mask)
    return scan.fn(x, d, dtype=dtype or _dtype.from_numpy_dtype(input.dtype))


@op("masked.cumsum", promote=NONE, method=False, out=False, grad_name="CumsumBackward0")
def cumsum(input: T, dim, *, dtype=None, mask: TN = None):
    return _scan(reduction.cumsum, "sum", input, dim, dtype, mask)


@op("masked.cumprod", promote=NONE, method=False, out=False, grad_name="CumprodBackward0")
def cumprod(input: T, dim, *, dtype=None, mask: TN = None):
    return _scan(reduction.cumprod, "prod", input, dim, dtype, mask)


# ---- extrema ----------------------------------------------------------------------------------


@op("masked.amax", promote=NONE, method=False, out=False, grad_name="AmaxBackward0")
def amax(input: T, dim=None, *, keepdim=False, dtype=None, mask: TN = None):
    return _reduce(reduction.amax, input, dim, keepdim, dtype, mask)


@op("masked.amin", promote=NONE, method=False, out=False, grad_name="AminBackward0")
def amin(input: T, dim=None, *, keepdim=False, dtype=None, mask: TN = None):
    return _reduce(reduction.amin, input, dim, keepdim, dtype, mask)


@op("masked.argmax", promote=NONE, method=False, out=False)
def argmax(input: T, dim=None, *, keepdim=False, dtype=None, mask: TN = None):
    """The index of the largest unmasked element, in ``dtype`` (the input's by default, as
    torch.masked returns it)."""
    x = _fill("amax", input, mask)
    return reduction.argmax.fn(x, dim, bool(keepdim)).astype(_own(dtype, input))


@op("masked.argmin", promote=NONE, method=False, out=False)
def argmin(input: T, dim=None, *, keepdim=False, dtype=None, mask: TN = None):
    """The index of the smallest unmasked element, in ``dtype`` (the input's by default)."""
    x = _fill("amin", input, mask)
    return reduction.argmin.fn(x, dim, bool(keepdim)).astype(_own(dtype, input))


def _median_pre(input, dim, keepdim, dtype, mask):
    """torch's ValueError for a fully masked-out slice of an integral input (its nan median
    has no integral value)."""
    if mask is None or input.dtype.is_floating_point or input.dtype.is_complex:
        return
    m = _input_mask(input._shape, mask._value())
    d = _canonical_dim(dim, len(input._shape))[0]
    check(
        bool(jnp.all(jnp.any(m, axis=d))) if m.ndim else bool(m),
        ValueError,
        "masked median expects no fully masked out rows if dtype is not floating point",
    )


@op(
    "masked.median",
    promote=NONE,
    method=False,
    out=False,
    grad_name="NanmedianBackward1",
    pre=_median_pre,
)
def median(input: T, dim=-1, *, keepdim=False, dtype=None, mask: TN = None):
    """The lower median of the unmasked elements along ``dim``; nan for a fully masked-out
    slice. Integral inputs are computed in float32 and cast to ``dtype``; floating inputs
    ignore ``dtype``, as in torch."""
    d = _canonical_dim(dim, input.ndim)[0]
    floating = jnp.issubdtype(input.dtype, jnp.floating)
    x = _fill("median", input if floating else input.astype(jnp.float32), mask)
    out = sorting.nanmedian.fn(x, d, bool(keepdim))[0]
    return out if floating else out.astype(_own(dtype, input))


# ---- means, norms and spreads -----------------------------------------------------------------


def _count(input, dims, keepdim, mask):
    """How many elements are unmasked in each slice, as int64."""
    m = jnp.ones(input.shape, jnp.bool_) if mask is None else _input_mask(input.shape, mask)
    return jnp.sum(m, axis=dims if input.ndim else (), keepdims=keepdim, dtype=jnp.int64)


@op("masked.mean", promote=NONE, method=False, out=False, grad_name="DivBackward0")
def mean(input: T, dim=None, *, keepdim=False, dtype=None, mask: TN = None):
    source, dt = (
        ("Input", _dtype.from_numpy_dtype(input.dtype)) if dtype is None else ("Optional", dtype)
    )
    check(
        dt.is_floating_point or dt.is_complex,
        ValueError,
        lambda: (
            f"mean(): Could not infer output dtype. {source} dtype must be either a floating "
            f"point or complex dtype. Got: {dt}"
        ),
    )
    total = sum.fn(input, dim, keepdim=keepdim, dtype=dt, mask=mask)
    count = _count(input, _canonical_dim(dim, input.ndim), bool(keepdim), mask)
    return total / count.astype(total.dtype)


@op("masked.logsumexp", promote=NONE, method=False, out=False, grad_name="LogsumexpBackward0")
def logsumexp(input: T, dim=None, *, keepdim=False, dtype=None, mask: TN = None):
    return _reduce(reduction.logsumexp, input, dim, keepdim, dtype, mask)


@op("masked.norm", promote=NONE, method=False, out=False, grad_name="LinalgVectorNormBackward0")
def norm(input: T, ord=2.0, dim=None, *, keepdim=False, dtype=None, mask: TN = None):
    """The vector ``ord``-norm of the unmasked elements (torch.linalg.vector_norm)."""
    x = _fill("norm", input, mask, ord)
    dtype = dtype or _dtype.from_numpy_dtype(input.dtype)
    return reduction.norm.fn(x, ord, _canonical_dim(dim, input.ndim), bool(keepdim), dtype)


def _std_var(input, dim, unbiased, correction, keepdim, dtype, mask):
    """torch.masked's variance: ``sum(|x - mean|^2) / max(0, count - correction)`` over the
    unmasked elements, computed in ``dtype`` (float32 for an integral input)."""
    check(
        unbiased is None or correction is None,
        AssertionError,
        "Only one of unbiased and correction may be given",
    )
    corr = float(correction) if correction is not None else 0.0 if unbiased is False else 1.0
    if dtype is None:
        dtype = _dtype.from_numpy_dtype(input.dtype)
        if not (dtype.is_floating_point or dtype.is_complex):
            dtype = _dtype.float32
    compute = dtype if dtype.is_floating_point or dtype.is_complex else _dtype.float32
    count = _count(input, _canonical_dim(dim, input.ndim), True, mask)
    x = input - sum.fn(input, dim, keepdim=True, dtype=dtype, mask=mask) / count
    total = sum.fn(x * jnp.conj(x), dim, keepdim=keepdim, dtype=compute, mask=mask)
    count = count.reshape(total.shape)
    if corr != 0:
        count = jnp.maximum(count.astype(jnp.real(total).dtype) - corr, 0)
    return (total / count).astype(dtype._np)


@op("masked.var", promote=NONE, method=False, out=False, grad_name="DivBackward0")
def var(
    input: T,
    dim=None,
    unbiased=None,
    *,
    correction=None,
    keepdim=False,
    dtype=None,
    mask: TN = None,
):
    return _std_var(input, dim, unbiased, correction, keepdim, dtype, mask)


@op("masked.std", promote=NONE, method=False, out=False, grad_name="SqrtBackward0")
def std(
    input: T,
    dim=None,
    unbiased=None,
    *,
    correction=None,
    keepdim=False,
    dtype=None,
    mask: TN = None,
):
    return jnp.sqrt(_std_var(input, dim, unbiased, correction, keepdim, dtype, mask))


# ---- normalizations ---------------------------------------------------------------------------


def _softmax_like(f, kernel, identity, input, dim, dtype, mask):
    """``f`` (jax.nn.softmax or log_softmax, torch's ``kernel``) along ``dim`` of the input
    with its masked-out elements at ``identity`` (-inf for softmax, so they come out as 0),
    in ``dtype``."""
    d = _canonical_dim(dim, input.ndim)[0]
    x = _fill(identity, input, mask).astype(_own(dtype, input))
    check(
        is_inexact(x.dtype),
        NotImplementedError,
        lambda: (
            f'"{kernel}_{"lastdim_" if d == builtins.max(x.ndim - 1, 0) else ""}kernel_impl" not '
            f"implemented for '{title(x.dtype)}'"
        ),
    )
    if x.ndim == 0:
        return f(x[None], axis=0)[0]
    return f(x, axis=d)


@op("masked.softmax", promote=NONE, method=False, out=False, grad_name="SoftmaxBackward0")
def softmax(input: T, dim, *, dtype=None, mask: TN = None):
    return _softmax_like(jax.nn.softmax, "softmax", "amax", input, dim, dtype, mask)


@op("masked.log_softmax", promote=NONE, method=False, out=False, grad_name="LogSoftmaxBackward0")
def log_softmax(input: T, dim, *, dtype=None, mask: TN = None):
    return _softmax_like(jax.nn.log_softmax, "log_softmax", "amax", input, dim, dtype, mask)


@op("masked.softmin", promote=NONE, method=False, out=False, grad_name="SoftmaxBackward0")
def softmin(input: T, dim, *, dtype=None, mask: TN = None):
    return _softmax_like(
        lambda x, axis: jax.nn.softmax(-x, axis=axis), "softmax", "amin", input, dim, dtype, mask
    )


@op("masked.normalize", promote=NONE, method=False, out=False, grad_name="DivBackward0")
def normalize(input: T, ord, dim, *, eps=1e-12, dtype=None, mask: TN = None):
    """The input divided by the ``ord``-norm of its unmasked elements along ``dim`` (at least
    ``eps``); masked-out elements come out as 0."""
    nrm = norm.fn(input, ord, dim, keepdim=True, dtype=dtype, mask=mask)
    denom = maximum.fn(nrm, jnp.asarray(eps, nrm.dtype))
    return _fill("sum", input, mask) / denom


@op("masked.logaddexp", promote=NONE, method=False, out=False, grad_name="LogaddexpBackward0")
def logaddexp(input: T, other: T, *, dtype=None, input_mask: TN = None, other_mask: TN = None):
    """log(exp(input) + exp(other)) with masked-out elements of either at -inf, in ``dtype``
    (the input's by default)."""
    a, b = _fill("amax", input, input_mask), _fill("amax", other, other_mask)
    check(
        is_inexact(a.dtype) or is_inexact(b.dtype),
        NotImplementedError,
        lambda: f"\"logaddexp_cpu\" not implemented for '{title(a.dtype)}'",
    )
    return jnp.logaddexp(a, b).astype(_own(dtype, input))
