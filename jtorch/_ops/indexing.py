"""Indexing: ``x[...]`` get and set (basic, advanced, boolean), gather/scatter, index_* ops,
masked ops, take, nonzero.

Basic indexing (ints, slices, None, Ellipsis) is a view whose integer positions and slice starts
are traced, so ``x[i]`` and ``x[i:i + n]`` in a loop compile once. Advanced indexing copies.
Every index value is bounds-checked on the host before jax sees it, because jax clamps.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._errors import check, wrap_dim
from ._registry import NONE, TL, TN, D, T, method, op

# ---- parsing x[index] ---------------------------------------------------------------------------


def _tensor_cls():
    from ..tensor import Tensor

    return Tensor


def _expand_index(index):
    if not isinstance(index, tuple):
        index = (index,)
    return index


def _is_advanced(item):
    Tensor = _tensor_cls()
    if isinstance(item, Tensor):
        return True
    if isinstance(item, (list, np.ndarray)):
        return True
    return False


def _consumed(item):
    """How many input dims an index item uses."""
    Tensor = _tensor_cls()
    if item is None or item is Ellipsis or isinstance(item, bool):
        return 0
    if isinstance(item, Tensor) and item._dtype in (_dtype.bool, _dtype.uint8):
        return max(item.dim(), 1) if item.dim() else 0
    return 1


def _normalize(index, ndim):
    """Index items with the Ellipsis expanded into full slices."""
    items = list(_expand_index(index))
    n_ell = sum(1 for x in items if x is Ellipsis)
    check(n_ell <= 1, IndexError, "an index can only have a single ellipsis ('...')")
    used = sum(_consumed(x) for x in items)
    check(
        used <= ndim,
        IndexError,
        lambda: f"too many indices for tensor of dimension {ndim}",
    )
    if n_ell:
        i = items.index(Ellipsis)
        items[i : i + 1] = [slice(None)] * (ndim - used)
    return items


def _slice_bounds(s, size):
    check(s.step is None or s.step > 0, ValueError, "step must be greater than zero")
    start, stop, step = slice(s.start, s.stop, s.step or 1).indices(size)
    length = max(0, -(-(stop - start) // step))
    return start, length, step


def _int_index(i, size, dim):
    i = int(i)
    check(
        -size <= i < size,
        IndexError,
        lambda: f"index {i} is out of bounds for dimension {dim} with size {size}",
    )
    return i % size


def _parse_basic(items, shape):
    """Static spec and traced starts for a basic index."""
    spec, starts, d = [], [], 0
    for item in items:
        if item is None:
            spec.append(("n",))
        elif isinstance(item, bool):
            spec.append(("b", item))
        elif isinstance(item, slice):
            start, length, step = _slice_bounds(item, shape[d])
            spec.append(("s", length, step))
            starts.append(start)
            d += 1
        else:
            spec.append(("i",))
            starts.append(_int_index(item, shape[d], d))
            d += 1
    return tuple(spec), tuple(starts)


def _basic_grad_name(input, spec, starts):
    names = {"i": "SelectBackward0", "s": "SliceBackward0", "n": "UnsqueezeBackward0", "b": "UnsqueezeBackward0"}
    d, last = 0, "AliasBackward0"
    shape = input.shape
    for item in spec:
        if item[0] == "s" and item[1] == shape[d] and item[2] == 1:
            d += 1
            continue
        last = names[item[0]]
        d += item[0] in "is"
    return last


@op("__getitem__", promote=NONE, view=True, method=False, linear=True, grad_name=_basic_grad_name, out=False)
def basic_index(input: T, spec, starts: D):
    x, d, k = input, 0, 0
    for item in spec:
        if item[0] == "n":
            x = jnp.expand_dims(x, d)
            d += 1
        elif item[0] == "b":
            x = jnp.expand_dims(x, d)
            if not item[1]:
                x = jax.lax.slice_in_dim(x, 0, 0, axis=d)
            d += 1
        elif item[0] == "i":
            x = jnp.take(jax.lax.dynamic_slice_in_dim(x, starts[k], 1, axis=d), 0, axis=d)
            k += 1
        else:
            _, length, step = item
            span = (length - 1) * step + 1 if length else 0
            start = jnp.minimum(starts[k], x.shape[d] - span)
            x = jax.lax.dynamic_slice_in_dim(x, start, span, axis=d)
            if step > 1:
                x = jax.lax.slice_in_dim(x, 0, span, step, axis=d)
            d += 1
            k += 1
    return x


def _as_index_tensor(item):
    """A Tensor for an advanced index item (lists and arrays become int64/bool tensors)."""
    Tensor = _tensor_cls()
    if isinstance(item, Tensor):
        return item
    from .creation import tensor

    return tensor(item)


def _parse_advanced(items, shape):
    """Static spec and index arrays for an advanced index; bool masks become int indices."""
    spec, arrays, d = [], [], 0
    for item in items:
        if item is None:
            spec.append(("n",))
        elif isinstance(item, slice):
            spec.append(("s", item.start, item.stop, item.step))
            _slice_bounds(item, shape[d])
            d += 1
        elif isinstance(item, bool) or (not _is_advanced(item) and not isinstance(item, slice)):
            if isinstance(item, bool):
                raise NotImplementedError("jtorch does not support bool scalars mixed with advanced indexing")
            spec.append(("a", len(arrays)))
            arrays.append(_as_index_tensor(_int_index(item, shape[d], d)))
            d += 1
        else:
            idx = _as_index_tensor(item)
            if idx._dtype in (_dtype.bool, _dtype.uint8):
                check(
                    idx._shape == tuple(shape[d : d + idx.dim()]),
                    IndexError,
                    lambda: f"The shape of the mask {list(idx._shape)} at index {d} does not match the shape "
                    f"of the indexed tensor {list(shape[d : d + idx.dim()])} at index {d}",
                )
                for k, nz in enumerate(np.nonzero(idx._host())):
                    spec.append(("a", len(arrays)))
                    arrays.append(_wrap_np(nz.astype(np.int64), idx))
                d += idx.dim()
                continue
            check(
                _dtype.is_integral(idx._dtype),
                IndexError,
                "tensors used as indices must be long, int, byte or bool tensors",
            )
            _check_bounds(idx, shape[d], d)
            spec.append(("a", len(arrays)))
            arrays.append(idx)
            d += 1
    return tuple(spec), arrays


def _wrap_np(a, like=None):
    """A tensor of host array ``a`` on the device of tensor ``like`` (CPU by default)."""
    from .._device import CPU, jax_device

    Tensor = _tensor_cls()
    dev = like._device if like is not None else CPU
    return Tensor._wrap(jax.device_put(a, jax_device(dev)), dev)


def _check_bounds(idx, size, dim):
    if idx.numel() == 0:
        return
    h = idx._host()
    lo, hi = int(h.min()), int(h.max())
    bad = lo if lo < -size else hi
    check(
        lo >= -size and hi < size,
        IndexError,
        lambda: f"index {bad} is out of bounds for dimension {dim} with size {size}",
    )


def _jnp_index(spec, arrays):
    out = []
    for item in spec:
        if item[0] == "n":
            out.append(None)
        elif item[0] == "s":
            out.append(slice(*item[1:]))
        else:
            out.append(arrays[item[1]])
    return tuple(out)


@op("_index", promote=NONE, method=False, grad_name="IndexBackward0", out=False)
def advanced_index(input: T, spec, indices: TL):
    return input[_jnp_index(spec, indices)]


@op("index_put", promote=NONE, inplace=False, method=False, grad_name="IndexPutBackward0")
def _index_put(input: T, spec, indices: TL, values: TN, accumulate=False):
    idx = _jnp_index(spec, indices)
    v = values.astype(input.dtype)
    return input.at[idx].add(v) if accumulate else input.at[idx].set(v)


def getitem(self, index):
    items = _normalize(index, self.dim())
    if not any(_is_advanced(x) for x in items):
        spec, starts = _parse_basic(items, self._shape)
        return basic_index(self, spec, starts)
    spec, arrays = _parse_advanced(items, self._shape)
    return advanced_index(self, spec, arrays)


def setitem(self, index, value):
    from .creation import tensor
    from ._registry import check_inplace

    Tensor = _tensor_cls()
    check_inplace(self)
    if not isinstance(value, Tensor):
        value = tensor(value, dtype=self._dtype, device=self._device)
    items = _normalize(index, self.dim())
    if not any(_is_advanced(x) for x in items):
        spec, starts = _parse_basic(items, self._shape)
        target = basic_index(self, spec, starts)
        target.copy_(value)
        return
    spec, arrays = _parse_advanced(items, self._shape)
    self._assign(_index_put(self, spec, arrays, value), "index_put_")


# ---- copy_ ------------------------------------------------------------------------------------------


@op("_copy_from", promote=NONE, method=False, grad_name="CopyBackwards", out=False)
def _copy_from(input: T, src: T):
    from .._errors import broadcast_shapes

    check(
        broadcast_shapes(src.shape, input.shape) == input.shape,
        RuntimeError,
        lambda: f"output with shape {list(input.shape)} doesn't match the broadcast shape "
        f"{list(broadcast_shapes(src.shape, input.shape))}",
    )
    return jnp.broadcast_to(src.astype(input.dtype), input.shape)


@method("copy_")
def copy_(self, src, non_blocking=False):
    from ._registry import check_inplace

    check_inplace(self)
    if src._device != self._device:
        src = src.to(self._device)
    return self._assign(_copy_from(self, src), "copy_")


# ---- gather / scatter / index_* ------------------------------------------------------------------


def _check_index_arg(name, input, dim, index):
    check(
        index._dtype is _dtype.int64 or (name == "index_select" and index._dtype is _dtype.int32),
        RuntimeError,
        lambda: f"{name}(): Expected dtype int64 for index",
    )
    d = wrap_dim(dim, max(input.dim(), 1))
    _check_bounds(index, input._shape[d] if input.dim() else 1, d)


def _gather_pre(input, dim, index, *, sparse_grad=False):
    _check_index_arg("gather", input, dim, index)
    check(
        index.dim() == input.dim() or (index.dim() <= 1 and input.dim() <= 1),
        RuntimeError,
        "Index tensor must have the same number of dimensions as input tensor",
    )


def _along(x, index, d):
    """Full index grids that address ``index``'s positions along ``d`` and its own elsewhere."""
    grids = list(jnp.indices(index.shape, sparse=True))
    grids[d] = index
    return tuple(grids)


@op(promote=NONE, pre=_gather_pre)
def gather(input: T, dim, index: TN, *, sparse_grad=False):
    if input.ndim == 0:
        return input.reshape(index.shape)
    d = wrap_dim(dim, input.ndim)
    for k in range(input.ndim):
        check(
            k == d or index.shape[k] <= input.shape[k],
            RuntimeError,
            lambda: f"Size does not match at dimension {k} expected index {list(index.shape)} to be no larger "
            f"than self {list(input.shape)} apart from dimension {d}",
        )
    return input[_along(input, index, d)]


def _scatter_pre(input, dim, index, src=None, value=None, *, reduce=None):
    _check_index_arg("scatter", input, dim, index)


def _scatter_values(src, value, index, dtype):
    v = src if src is not None else value
    if v.ndim:
        v = v[tuple(slice(0, n) for n in index.shape)]
    return jnp.broadcast_to(v.astype(dtype), index.shape)


@op(promote=NONE, inplace=True, pre=_scatter_pre)
def scatter(input: T, dim, index: TN, src: TN = None, value: TN = None, *, reduce=None):
    d = wrap_dim(dim, max(input.ndim, 1))
    v = _scatter_values(src, value, index, input.dtype)
    at = input.at[_along(input, index, d)]
    if reduce is None:
        return at.set(v)
    check(reduce in ("add", "multiply"), RuntimeError, "reduce argument must be either add or multiply.")
    return at.add(v) if reduce == "add" else at.multiply(v)


@op(promote=NONE, inplace=True, pre=lambda input, dim, index, src: _check_index_arg("scatter_add", input, dim, index))
def scatter_add(input: T, dim, index: TN, src: TN):
    d = wrap_dim(dim, max(input.ndim, 1))
    return input.at[_along(input, index, d)].add(_scatter_values(src, None, index, input.dtype))


def _check_index_vector(name, input, dim, index):
    check(index.dim() <= 1, IndexError, lambda: f"{name}(): Index is supposed to be a vector")
    _check_index_arg(name, input, dim, index)


@op(promote=NONE, pre=lambda input, dim, index: _check_index_vector("index_select", input, dim, index))
def index_select(input: T, dim, index: TN):
    if input.ndim == 0:
        return input.reshape(index.shape)
    return jnp.take(input, index.reshape(-1), axis=wrap_dim(dim, input.ndim))


def _dim_index(input, dim, index):
    d = wrap_dim(dim, max(input.ndim, 1))
    return (slice(None),) * d + (index.reshape(-1),)


@op(promote=NONE, inplace=True, pre=lambda input, dim, index, source, *, alpha=1: _check_index_vector("index_add", input, dim, index))
def index_add(input: T, dim, index: TN, source: TN, *, alpha: T = 1):
    return input.at[_dim_index(input, dim, index)].add((source * alpha).astype(input.dtype))


@op(promote=NONE, inplace=True, pre=lambda input, dim, index, value: _check_index_vector("index_fill", input, dim, index))
def index_fill(input: T, dim, index: TN, value: TN):
    return input.at[_dim_index(input, dim, index)].set(jnp.asarray(value).astype(input.dtype))


@op(promote=NONE, inplace=True, pre=lambda input, dim, index, source: _check_index_vector("index_copy", input, dim, index))
def index_copy(input: T, dim, index: TN, source: TN):
    return input.at[_dim_index(input, dim, index)].set(source.astype(input.dtype))


def _mask_pre(input, mask, value=None):
    check(
        mask._dtype is _dtype.bool,
        RuntimeError,
        lambda: f"masked_fill_ only supports boolean masks, but got mask with dtype {mask._dtype}",
    )


@op(promote=NONE, inplace=True, broadcast=True, pre=_mask_pre)
def masked_fill(input: T, mask: TN, value: TN):
    check(value.ndim == 0, RuntimeError, lambda: f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {value.ndim} dimension(s).")
    return jnp.where(mask, value.astype(input.dtype), input)


@op(promote=NONE, method=False, grad_name="MaskedSelectBackward0")
def _masked_select(input: T, indices: TN):
    return input.reshape(-1)[indices]


@method("masked_select")
def masked_select(input, mask, *, out=None):
    """The elements of ``input`` where ``mask`` (broadcast) is True, flattened (the result's
    size depends on the mask's values, so its positions are found on the host)."""
    from .._errors import broadcast_shapes
    from .shape import expand

    _mask_pre(input, mask)
    shape = broadcast_shapes(input._shape, mask._shape)
    flat = np.flatnonzero(np.broadcast_to(mask._host(), shape)).astype(np.int64)
    x = expand(input, shape) if input._shape != shape else input
    return _masked_select(x, _wrap_np(flat, input), out=out)


@op(promote=NONE, pre=lambda input, index: _check_bounds(index, max(input.numel(), 1) if input.numel() else 0, 0))
def take(input: T, index: TN):
    return input.reshape(-1)[index]


@method("nonzero")
def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements (computed on the host: the result's size depends on values)."""
    h = input._host()
    if as_tuple:
        if h.ndim == 0:
            return (_wrap_np(np.nonzero(h.reshape(1))[0].astype(np.int64), input),)
        return tuple(_wrap_np(i.astype(np.int64), input) for i in np.nonzero(h))
    res = np.argwhere(h).astype(np.int64) if h.ndim else np.zeros((int(bool(h)), 0), np.int64)
    return _wrap_np(res, input)


def argwhere(input):
    return nonzero(input)
