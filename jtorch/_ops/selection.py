"""Selection and scatter by index tensors: gather/scatter (and scatter_add/scatter_reduce),
index_select/index_add/index_fill/index_copy, masked ops, take/take_along_dim/put, nonzero.

jax clamps or wraps out-of-range indices, so every index value is checked on the host (in a
``pre`` hook) before jax sees it, with the exception type and words torch uses for that op.
"""


import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._errors import broadcast_shapes, check, wrap_dim
from ._registry import NONE, TN, D, T, dtype_title, method, op
from .indexing import _check_in_range, _first_out_of_range, _tensor_cls, _wrap_np, scatter_at


# ---- gather / scatter -------------------------------------------------------------------------------


def _check_index_dtype(name, index, allowed=(_dtype.int64, _dtype.int32), words="int32/int64"):
    check(
        index._dtype in allowed, RuntimeError, lambda: f"{name}(): Expected dtype {words} for index"
    )


def _check_gather_index_dtype(name, index):
    """gather/scatter take int32 or int64 indices; an empty index of any integer dtype passes."""
    if index.numel():
        _check_index_dtype(name, index)


def _gather_pre(input, dim, index, sparse_grad=False):
    if not index.numel():  # torch checks nothing more for an empty index
        return
    _check_gather_index_dtype("gather", index)
    d = wrap_dim(dim, max(input.dim(), 1))
    check(
        max(index.dim(), 1) == max(input.dim(), 1),
        RuntimeError,
        "Index tensor must have the same number of dimensions as input tensor",
    )
    _check_in_range_no_wrap(index, input._shape[d] if input.dim() else 1, d)


def _check_in_range_no_wrap(index, size, dim):
    bad = _first_out_of_range(index, size, negative=False)
    check(
        bad is None,
        RuntimeError,
        lambda: f"index {bad} is out of bounds for dimension {dim} with size {size}",
    )


def _along(index, d):
    """Index grids that address ``index``'s values along ``d`` and its own positions elsewhere."""
    grids = list(jnp.indices(index.shape, sparse=True))
    grids[d] = index
    return tuple(grids)


@op(promote=NONE, pre=_gather_pre)
def gather(input: T, dim, index: TN, *, sparse_grad=False):
    if index.size == 0:
        return jnp.zeros(index.shape, input.dtype)
    if input.ndim == 0:
        return jnp.broadcast_to(input, index.shape)
    d = wrap_dim(dim, input.ndim)
    for k in range(input.ndim):
        check(
            k == d or index.shape[k] <= input.shape[k],
            RuntimeError,
            lambda: (
                f"Size does not match at dimension {k} expected index {list(index.shape)} to be no larger "
                f"than self {list(input.shape)} apart from dimension {d}"
            ),
        )
    return input[_along(index, d)]


def _scatter_pre(
    input, dim, index, src=None, value=None, reduce=None, include_self=True, name="scatter"
):
    _check_gather_index_dtype(name, index)
    d = wrap_dim(dim, max(input.dim(), 1))
    check(
        max(index.dim(), 1) == max(input.dim(), 1),
        RuntimeError,
        "Index tensor must have the same number of dimensions as self tensor",
    )
    if isinstance(src, _tensor_cls()):
        check(
            src._dtype is input._dtype,
            RuntimeError,
            lambda: (
                f"{'scatter' if name != 'scatter_add' else name}(): Expected self.dtype to be equal to src.dtype"
            ),
        )
        check(
            max(index.dim(), 1) == max(src.dim(), 1),
            RuntimeError,
            "Index tensor must have the same number of dimensions as src tensor",
        )
        _check_scatter_sizes(input, d, index, src)
    _check_in_range_no_wrap(index, input._shape[d] if input.dim() else 1, d)


def _check_scatter_sizes(input, d, index, src):
    ok = all(
        index._shape[k] <= src._shape[k] and (k == d or index._shape[k] <= input._shape[k])
        for k in range(index.dim())
    )
    check(
        ok,
        RuntimeError,
        lambda: (
            f"Expected index {list(index._shape)} to be no larger than self {list(input._shape)} apart from "
            f"dimension {d} and to be no larger size than src {list(src._shape)}"
        ),
    )


def _scatter_values(v, index, dtype):
    """The values scattered at ``index``'s positions: the matching corner of ``src`` or a value."""
    if v.ndim:
        v = v[tuple(slice(0, n) for n in index.shape)]
    return jnp.broadcast_to(v.astype(dtype), index.shape)


def _scatter_name(input, dim, index, src=None, value=None, reduce=None):
    return "ScatterBackward0" if isinstance(src, _tensor_cls()) else "ScatterBackward1"


@op(promote=NONE, inplace=True, pre=_scatter_pre, grad_name=_scatter_name)
def scatter(input: T, dim, index: TN, src: TN = None, value: TN = None, *, reduce=None):
    """torch.scatter; a number in ``src``'s place is a ``value`` (as torch's overloads read it)."""
    d = wrap_dim(dim, max(input.ndim, 1))
    v = _scatter_values(src if src is not None else value, index, input.dtype)
    x = input.reshape(input.shape or (1,))
    idx = _along(index.reshape(index.shape or (1,)), d)
    v = v.reshape(index.shape or (1,))
    if reduce is None:
        out = x.at[idx].set(v)
    else:
        check(
            reduce in ("add", "multiply"),
            RuntimeError,
            "reduce argument must be either add or multiply.",
        )
        out = scatter_at(x, idx, v, "add" if reduce == "add" else "multiply")
    return out.reshape(input.shape)


def _scatter_add_pre(input, dim, index, src):
    _scatter_pre(input, dim, index, src, name="scatter_add")


@op(promote=NONE, inplace=True, pre=_scatter_add_pre)
def scatter_add(input: T, dim, index: TN, src: TN):
    return scatter.fn(input, dim, index, src, reduce="add")


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _scatter_reduce_pre(input, dim, index, src, reduce, include_self=True):
    check(
        reduce in _REDUCTIONS,
        RuntimeError,
        lambda: f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}",
    )
    _scatter_pre(input, dim, index, src)


@op(promote=NONE, inplace=True, pre=_scatter_reduce_pre)
def scatter_reduce(input: T, dim, index: TN, src: TN, reduce, *, include_self=True):
    d = wrap_dim(dim, max(input.ndim, 1))
    x = input.reshape(input.shape or (1,))
    idx = _along(index.reshape(index.shape or (1,)), d)
    v = _scatter_values(src, index, input.dtype).reshape(index.shape or (1,))
    if not include_self:
        x = x.at[idx].set(_identity(reduce, x.dtype))
    if reduce == "prod" and x.dtype != jnp.bool_:
        out = _scatter_prod(x, v, idx)
    elif reduce != "mean":
        how = {"sum": "add", "prod": "multiply", "amax": "max", "amin": "min"}[reduce]
        out = scatter_at(x, idx, v, how)
    else:
        count = jnp.zeros(x.shape, x.dtype).at[idx].add(1) + (1 if include_self else 0)
        total = x.at[idx].add(v)
        safe = jnp.maximum(count, 1)  # no 0/0 where nothing lands, not even in the gradient
        mean = total // safe if jnp.issubdtype(x.dtype, jnp.integer) else total / safe
        out = jnp.where(count > 0, mean, x)
    return out.reshape(input.shape)


def _identity(reduce, dtype):
    if reduce in ("sum", "mean"):
        return jnp.zeros((), dtype)
    if reduce == "prod":
        return jnp.ones((), dtype)
    if dtype == jnp.bool_:
        low, high = False, True
    elif jnp.issubdtype(dtype, jnp.inexact):
        low, high = -jnp.inf, jnp.inf
    else:
        low, high = jnp.iinfo(dtype).min, jnp.iinfo(dtype).max
    return jnp.asarray(low if reduce == "amax" else high, dtype)


@jax.custom_vjp
def _scatter_prod(base, src, idx):
    """``base`` times the ``src`` values scattered to ``idx``; jax has no gradient for
    multiplying scatters with repeated indices, so the backward is torch's formula."""
    return base.at[idx].multiply(src)


def _scatter_prod_fwd(base, src, idx):
    out = _scatter_prod(base, src, idx)
    return out, (base, src, idx, out)


def _scatter_prod_bwd(res, g):
    base, src, idx, out = res
    masked_base = jnp.where(base == 0, 1, base)
    g_base = g * masked_base.at[idx].multiply(src) / masked_base
    zero = src == 0
    zeros_per_slot = jnp.zeros(base.shape, src.dtype).at[idx].add(zero.astype(src.dtype))[idx]
    single = zero & (zeros_per_slot == 1)
    without_zero = base.at[idx].multiply(jnp.where(single, 1, src))
    g_src = jnp.where(single, (g * without_zero)[idx], (g * out)[idx] / jnp.where(zero, 1, src))
    return g_base, g_src, tuple(None for _ in idx)


_scatter_prod.defvjp(_scatter_prod_fwd, _scatter_prod_bwd)


# ---- index_select / index_add / index_fill / index_copy ----------------------------------------------


def _check_vector(name, input, dim, index, words="int32 or int64"):
    check(index.dim() <= 1, IndexError, lambda: f"{name}(): Index is supposed to be a vector")
    allowed = (_dtype.int64, _dtype.int32) if "int32" in words else (_dtype.int64,)
    _check_index_dtype(name, index, allowed, words)
    d = wrap_dim(dim, max(input.dim(), 1))
    return d, input._shape[d] if input.dim() else 1


def _index_select_pre(input, dim, index):
    d, size = _check_vector("index_select", input, dim, index)
    bad = _first_out_of_range(index, size, negative=False)
    # torch's CPU kernel for dim 1 words (and types) the error its own way
    check(bad is None or (d == 1 and input.dim() > 1), IndexError, "index out of range in self")
    check(
        bad is None,
        RuntimeError,
        lambda: f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}",
    )


@op(promote=NONE, pre=_index_select_pre)
def index_select(input: T, dim, index: TN):
    if input.ndim == 0:  # torch: a 0-d result, whatever the (one-element) index's shape
        return input
    return jnp.take(input, index.reshape(-1), axis=wrap_dim(dim, input.ndim))


def _dim_index(input, dim, index):
    d = wrap_dim(dim, max(input.ndim, 1))
    return (slice(None),) * d + (index.reshape(-1),)


def _index_update(input, dim, index, update, values):
    """``input`` with ``update(ref, values)`` applied at ``index`` along ``dim``; a 0-d input
    is treated as one element along dim 0, as torch does."""
    if input.ndim == 0:
        return update(input.reshape(1).at[index.reshape(-1)], values.reshape(-1)).reshape(())
    return update(input.at[_dim_index(input, dim, index)], values)


def _check_source(name, input, d, index, source, count_exc):
    n = index.numel()
    if source.dim() and d < source.dim():
        size = source._shape[d]
        if name == "index_add":
            words = f"index_add_(): Number of indices ({n}) should be equal to source.size(dim): ({size}), for dim: {d}"
        else:
            words = f"index_copy_(): Number of indices ({n}) should be equal to source.size(dim) ({size})"
        check(n == size, count_exc, words)
    same = all(
        a == b for k, (a, b) in enumerate(zip(input._shape, source._shape)) if k != d
    ) and source.dim() in (input.dim(), 0)
    check(
        same,
        RuntimeError,
        lambda: (
            "source tensor shape must match self tensor shape, excluding the specified dimension. Got "
            f"self.shape = {list(input._shape)} source.shape = {list(source._shape)}"
        ),
    )


def _index_add_pre(input, dim, index, source, alpha=1):
    d, size = _check_vector("index_add", input, dim, index, "int64")
    check(
        source._dtype is input._dtype,
        RuntimeError,
        lambda: (
            f"index_add_(): self ({dtype_title(input._dtype)}) and source ({dtype_title(source._dtype)}) must "
            "have the same scalar type"
        ),
    )
    _check_source("index_add", input, d, index, source, RuntimeError)
    _check_in_range_no_wrap(index, size, d)


@op(promote=NONE, inplace=True, pre=_index_add_pre)
def index_add(input: T, dim, index: TN, source: TN, *, alpha: D = 1):
    if input.dtype == jnp.bool_:  # torch adds bools as "or"
        as_int = index_add.fn(input.astype(jnp.uint8), dim, index, source.astype(jnp.uint8) * alpha)
        return as_int > 0
    return _index_update(input, dim, index, lambda r, v: r.add(v), (source * alpha).astype(input.dtype))


def _index_fill_pre(input, dim, index, value):
    d, size = _check_vector("index_fill", input, dim, index, "int64")
    if isinstance(value, _tensor_cls()):
        check(
            value.dim() == 0,
            RuntimeError,
            lambda: (
                f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with {value.dim()} "
                "dimension(s)."
            ),
        )
    _check_in_range(index, size, d, IndexError)


def _fill_name(name):
    return lambda input, *args: name + ("1" if isinstance(args[-1], _tensor_cls()) else "0")


@op(promote=NONE, inplace=True, pre=_index_fill_pre, grad_name=_fill_name("IndexFillBackward"))
def index_fill(input: T, dim, index: TN, value: TN):
    return _index_update(input, dim, index, lambda r, v: r.set(v[0] if v.ndim else v), value.astype(input.dtype))


def _index_copy_pre(input, dim, index, source):
    d, size = _check_vector("index_copy", input, dim, index, "int64")
    check(
        source._dtype is input._dtype,
        RuntimeError,
        lambda: (
            f"index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{dtype_title(input._dtype)} and (source) {dtype_title(source._dtype)}"
        ),
    )
    _check_source("index_copy", input, d, index, source, IndexError)
    bad = _first_out_of_range(index, size, negative=False)
    check(
        bad is None,
        IndexError,
        lambda: f"index_copy_(): index {bad} is out of bounds for dimension {d} with size {size}",
    )


@op(promote=NONE, inplace=True, pre=_index_copy_pre)
def index_copy(input: T, dim, index: TN, source: TN):
    return _index_update(input, dim, index, lambda r, v: r.set(v), source.astype(input.dtype))


# ---- masked ops -------------------------------------------------------------------------------------


def _check_bool_mask(mask, words):
    check(
        mask._dtype is _dtype.bool,
        RuntimeError,
        lambda: words.format(dtype=_mask_dtype_name(mask._dtype)),
    )


def _mask_dtype_name(dt):
    return {"int64": "long int", "int32": "int", "uint8": "unsigned char"}.get(dt._name, dt._name)


def _masked_fill_pre(input, mask, value):
    _check_bool_mask(
        mask, "masked_fill_ only supports boolean masks, but got mask with dtype {dtype}"
    )
    if isinstance(value, _tensor_cls()):
        check(
            value.dim() == 0,
            RuntimeError,
            lambda: (
                f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {value.dim()} "
                "dimension(s)."
            ),
        )
    from .creation import checked_scalar

    checked_scalar(value, input._dtype)  # torch's overflow error for a value that does not fit


@op(
    promote=NONE,
    inplace=True,
    broadcast=True,
    pre=_masked_fill_pre,
    grad_name=_fill_name("MaskedFillBackward"),
)
def masked_fill(input: T, mask: TN, value: TN):
    return jnp.where(mask, value.astype(input.dtype), input)


@op("_masked_select", promote=NONE, method=False, grad_name="MaskedSelectBackward0")
def _masked_select(input: T, positions: TN):
    return input.reshape(-1)[positions]


@method("masked_select")
def masked_select(input, mask, *, out=None):
    """The elements of ``input`` where ``mask`` (broadcast) is True, flattened (the result's
    size depends on the mask's values, so its positions are found on the host)."""
    from .shape import expand

    check(mask._dtype is _dtype.bool, RuntimeError, "masked_select: expected BoolTensor for mask")
    shape = broadcast_shapes(input._shape, mask._shape)
    flat = np.flatnonzero(np.broadcast_to(mask._host(), shape)).astype(np.int64)
    x = expand(input, shape) if input._shape != shape else input
    return _masked_select(x, _wrap_np(flat, input), out=out)


def _masked_scatter_pre(input, mask, source):
    words = "masked_scatter_ only supports boolean masks, but got mask with dtype {dtype}"
    check(
        mask._dtype is _dtype.bool,
        RuntimeError,
        lambda: words.format(dtype=dtype_title(mask._dtype)),
    )
    check(
        source._dtype is input._dtype,
        RuntimeError,
        lambda: (
            f"masked_scatter: expected self and source to have same dtypes but got"
            f"{dtype_title(input._dtype)} and {dtype_title(source._dtype)}"
        ),
    )
    ones = int(np.broadcast_to(mask._host(), broadcast_shapes(input._shape, mask._shape)).sum())
    check(
        source.numel() >= ones,
        RuntimeError,
        "Number of elements of source < number of ones in mask",
    )


@op(promote=NONE, inplace=True, pre=_masked_scatter_pre)
def masked_scatter(input: T, mask: TN, source: TN):
    shape = jnp.broadcast_shapes(input.shape, mask.shape)
    m = jnp.broadcast_to(mask, shape).reshape(-1)
    position = jnp.maximum(jnp.cumsum(m) - 1, 0)
    values = source.reshape(-1)[position] if source.size else jnp.zeros(m.shape, input.dtype)
    return jnp.where(m, values, jnp.broadcast_to(input, shape).reshape(-1)).reshape(shape)


# ---- take / take_along_dim / put ----------------------------------------------------------------------


def _check_flat_index(index, numel):
    bad = _first_out_of_range(index, numel)
    check(
        bad is None,
        IndexError,
        lambda: f"out of range: tried to access index {bad} on a tensor of {numel} elements.",
    )


def _take_pre(input, index):
    check(
        index._dtype is _dtype.int64,
        RuntimeError,
        lambda: f"take(): Expected a long tensor for index, but got {dtype_title(index._dtype)}",
    )
    _check_flat_index(index, input.numel())


@op(promote=NONE, pre=_take_pre)
def take(input: T, index: TN):
    return input.reshape(-1)[index]


def _take_along_dim_pre(input, indices, dim=None):
    check(
        indices._dtype is _dtype.int64,
        RuntimeError,
        lambda: (
            f"torch.take_along_dim(): dtype of indices should be Long but got {dtype_title(indices._dtype)}"
        ),
    )
    if dim is None:
        _check_flat_index(indices, input.numel())
        return
    d = wrap_dim(dim, input.dim())
    check(
        indices.dim() == input.dim(),
        RuntimeError,
        lambda: (
            "torch.take_along_dim(): input and indices should have the same number of dimensions, but got "
            f"{input.dim()} dimensions for input, and {indices.dim()} dimensions for indices"
        ),
    )
    # torch wraps negative indices along ``dim`` (unlike gather); beyond [-size, size) its
    # kernel reads out of bounds, which jtorch refuses with gather's words
    size = input._shape[d]
    bad = _first_out_of_range(indices, size)
    check(bad is None, RuntimeError, lambda: f"index {bad} is out of bounds for dimension {d} with size {size}")


@op(promote=NONE, pre=_take_along_dim_pre)
def take_along_dim(input: T, indices: TN, dim=None):
    if dim is None:
        return input.reshape(-1)[indices.reshape(-1)]
    d = wrap_dim(dim, input.ndim)
    shape = list(
        broadcast_shapes(
            input.shape[:d] + (indices.shape[d],) + input.shape[d + 1 :], indices.shape
        )
    )
    indices = jnp.broadcast_to(jnp.where(indices < 0, indices + input.shape[d], indices), shape)
    shape[d] = input.shape[d]
    return jnp.take_along_axis(jnp.broadcast_to(input, shape), indices, axis=d)


def _put_pre(input, index, source, accumulate=False):
    check(
        source._dtype is input._dtype,
        RuntimeError,
        lambda: (
            f"put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{dtype_title(input._dtype)} and source.dtype = {dtype_title(source._dtype)}"
        ),
    )
    check(
        index.numel() == source.numel(),
        IndexError,
        lambda: (
            "put_(): Expected source and index to have the same number of elements, but got source.numel() = "
            f"{source.numel()}, index.numel() = {index.numel()}"
        ),
    )
    _check_flat_index(index, input.numel())


@op(promote=NONE, inplace=True, pre=_put_pre, out=False)
def put(input: T, index: TN, source: TN, accumulate=False):
    flat, at = input.reshape(-1), index.reshape(-1)
    values = source.reshape(-1).astype(input.dtype)
    out = scatter_at(flat, at, values, "add") if accumulate else flat.at[at].set(values)
    return out.reshape(input.shape)


# ---- nonzero ----------------------------------------------------------------------------------------


@method("nonzero")
def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements (computed on the host: the result's size depends on values)."""
    h = input._host()
    if as_tuple:
        return tuple(
            _wrap_np(i.astype(np.int64), input) for i in np.nonzero(h.reshape(h.shape or (1,)))
        )
    res = np.argwhere(h).astype(np.int64) if h.ndim else np.zeros((int(bool(h)), 0), np.int64)
    result = _wrap_np(res, input)
    if out is not None:
        return out._resize_assign(result)
    return result


@method("argwhere")
def argwhere(input):
    return nonzero(input)
