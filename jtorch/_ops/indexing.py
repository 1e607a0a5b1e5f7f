"""Indexing: ``x[...]`` get and set (basic, advanced, boolean), gather/scatter, index_* ops,
masked ops, take/put, nonzero.

``x[index]`` runs in torch's two phases. The basic items (ints, slices, None, Ellipsis) make one
view of ``x`` whose integer positions and slice starts are traced, so ``x[i]`` and
``x[i:i + n]`` in a loop compile once. The advanced items (integer and boolean tensors, lists,
numpy arrays, bool scalars) then index that view with one gather (``IndexBackward0``); as in
torch, an int is a basic item, so advanced indices separated only by ints stay together, while
advanced indices separated by a slice or None move to the front. ``x[index] = v`` writes the
view (``copy_``) or scatters into it (``index_put_``), so writes reach ``x`` through the view
machinery (Note [views and versions] in _storage.py).

jax clamps or wraps out-of-range indices, so every index value is checked on the host before
jax sees it, with the exception type and words torch uses for that op.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._errors import broadcast_shapes, check, wrap_dim
from ._registry import NONE, TL, TN, D, T, check_inplace, dtype_title, method, op


def _tensor_cls():
    from ..tensor import Tensor

    return Tensor


def _wrap_np(a, like=None):
    """A tensor of host array ``a`` on the device of tensor ``like`` (CPU by default)."""
    from .._device import CPU, jax_device

    Tensor = _tensor_cls()
    dev = like._device if like is not None else CPU
    return Tensor._wrap(jax.device_put(a, jax_device(dev)), dev)


def _first_out_of_range(index, size, negative=True):
    """The first value of index tensor ``index`` outside ``[-size, size)`` (``[0, size)``
    unless ``negative``), or None."""
    if index.numel() == 0:
        return None
    h = index._host()
    bad = (h < (-size if negative else 0)) | (h >= size)
    return int(h[bad].reshape(-1)[0]) if bad.any() else None


def _check_in_range(index, size, dim, exc, prefix=""):
    bad = _first_out_of_range(index, size)
    check(
        bad is None,
        exc,
        lambda: f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}",
    )


# ---- parsing x[index] ---------------------------------------------------------------------------
# Each item becomes (kind, value): "none", "ellipsis", "bool" (a Python bool), "int", "slice",
# "adv" (an integer index Tensor) or "mask" (a bool/uint8 index Tensor).


def _items(index):
    Tensor = _tensor_cls()
    if isinstance(index, tuple):
        return index
    # torch (like old numpy) reads a short list holding sequences, tensors, slices, None or
    # Ellipsis as a tuple of indices.
    if isinstance(index, list) and len(index) < 32:
        if any(
            x is None or x is Ellipsis or isinstance(x, (Tensor, list, tuple, slice, np.ndarray))
            for x in index
        ):
            return tuple(index)
    return (index,)


def _classify(item):
    Tensor = _tensor_cls()
    if item is None:
        return "none", None
    if item is Ellipsis:
        return "ellipsis", None
    if isinstance(item, (bool, np.bool_)):
        return "bool", bool(item)
    if isinstance(item, (int, np.integer)):
        return "int", int(item)
    if isinstance(item, slice):
        return "slice", item
    if isinstance(item, (list, np.ndarray)):
        from .creation import tensor

        item = tensor(item, dtype=_dtype.int64 if np.size(item) == 0 else None)
    if isinstance(item, str):
        raise TypeError(f"new(): invalid data type '{type(item).__name__}'")
    check(
        isinstance(item, Tensor),
        IndexError,
        lambda: (
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
            f"indices (got {type(item).__name__})"
        ),
    )
    if item._dtype in (_dtype.bool, _dtype.uint8):
        return ("bool", bool(item.item())) if item.dim() == 0 else ("mask", item)
    check(
        item._dtype in (_dtype.int64, _dtype.int32),
        IndexError,
        "tensors used as indices must be long, int, byte or bool tensors",
    )
    return ("int", item.item()) if item.dim() == 0 else ("adv", item)


def _slice_bounds(s, size):
    check(s.step is None or s.step > 0, ValueError, "step must be greater than zero")
    start, stop, step = s.indices(size)
    return start, max(0, -(-(stop - start) // step)), step


def _int_index(i, size, dim):
    check(
        -size <= i < size,
        IndexError,
        lambda: f"index {i} is out of bounds for dimension {dim} with size {size}",
    )
    return i % size


def _parse(x, index):
    """(spec, starts, dims, arrays) of ``x[index]``: the basic view's static spec and traced
    starts, then the advanced index tensors and the dims of that view they index."""
    shape, ndim = x._shape, x.dim()
    items = [_classify(item) for item in _items(index)]
    used = sum(v.dim() if k == "mask" else k in ("int", "slice", "adv") for k, v in items)
    check(used <= ndim, IndexError, lambda: f"too many indices for tensor of dimension {ndim}")
    spec, starts, dims, arrays, pending = [], [], [], [], []
    src = out = 0  # the next dim of the input, of the basic view
    for kind, v in items:
        if kind == "ellipsis":  # each one skips the dims no item names (a second one: past the end)
            full = range(src, min(src + ndim - used, ndim))
            spec += [("s", shape[d], 1) for d in full]
            starts += [0] * len(full)
            src, out = src + ndim - used, out + len(full)
            continue
        if src > ndim:  # past a second Ellipsis only a full slice (a no-op) is allowed
            check(
                kind == "slice" and v == slice(None),
                IndexError,
                lambda: f"too many indices for tensor of dimension {ndim}",
            )
            continue
        if kind in ("none", "bool"):
            spec.append(("n",))
            if kind == "bool":
                dims.append(out)
                arrays.append(_wrap_np(np.arange(int(v), dtype=np.int64), x))
            out += 1
            continue
        k = v.dim() if kind == "mask" else 1
        check(src + k <= ndim, IndexError, lambda: f"too many indices for tensor of dimension {ndim}")
        if kind == "int":
            spec.append(("i",))
            starts.append(_int_index(v, shape[src], src))
        elif kind == "slice":
            start, length, step = _slice_bounds(v, shape[src])
            spec.append(("s", length, step))
            starts.append(start)
        else:
            pending.append((kind, v, shape[src : src + k], src))
            dims += range(out, out + k)
            arrays += [v.to(x._device)] if kind == "adv" else _mask_positions(v, shape[src : src + k], src)
            spec += [("s", n, 1) for n in shape[src : src + k]]
            starts += [0] * k
        src, out = src + k, out + (kind != "int") * k
    if not _is_empty(spec, shape, dims, arrays):  # torch reads no index of an empty result
        for kind, v, sizes, d in pending:
            if kind == "adv":
                _check_in_range(v, sizes[0], d, IndexError)
    if isinstance(index, slice):
        spec[0] = ("S",) + spec[0][1:]  # torch names a lone slice SliceBackward0 even when full
    return tuple(spec), tuple(starts), tuple(dims), arrays


def _mask_positions(mask, sizes, dim):
    """The integer index tensors of the True elements of ``mask`` (torch's shape check first)."""
    check(
        mask._shape == tuple(sizes),
        IndexError,
        lambda: f"The shape of the mask {list(mask._shape)} at index {dim} does not match the shape "
        f"of the indexed tensor {list(sizes)} at index {dim}",
    )
    return [_wrap_np(i.astype(np.int64), mask) for i in np.nonzero(mask._host())]


def _is_empty(spec, shape, dims, arrays):
    """Whether ``x[index]`` has no elements (then torch checks no index value)."""
    view, d = [], 0
    for item in spec:
        if item[0] != "i":
            view.append(1 if item[0] == "n" else item[1])
        d += item[0] != "n"
    view += shape[d:]
    try:
        picked = broadcast_shapes(*(a._shape for a in arrays))
    except RuntimeError:
        return False
    return math.prod(n for i, n in enumerate(view) if i not in dims) * math.prod(picked) == 0


def _basic_grad_name(input, spec, starts):
    names = {
        "i": "SelectBackward0",
        "s": "SliceBackward0",
        "S": "SliceBackward0",
        "n": "UnsqueezeBackward0",
    }
    d, last = 0, "AliasBackward0"
    for item in spec:
        full = item[0] == "s" and item[1] == input.shape[d] and item[2] == 1
        if not full:
            last = names[item[0]]
        d += item[0] in "isS"
    return last


@op(
    "__getitem__",
    promote=NONE,
    view=True,
    method=False,
    linear=True,
    grad_name=_basic_grad_name,
    out=False,
)
def basic_index(input: T, spec, starts: D):
    x, d, k = input, 0, 0
    for item in spec:
        if item[0] == "n":
            x = jnp.expand_dims(x, d)
            d += 1
        elif item[0] == "i":
            x = jnp.take(jax.lax.dynamic_slice_in_dim(x, starts[k], 1, axis=d), 0, axis=d)
            k += 1
        else:
            _, length, step = item
            span = (length - 1) * step + 1 if length else 0
            x = jax.lax.dynamic_slice_in_dim(
                x, jnp.minimum(starts[k], x.shape[d] - span), span, axis=d
            )
            if step > 1:
                x = jax.lax.slice_in_dim(x, 0, span, step, axis=d)
            d += 1
            k += 1
    return x


def _jnp_index(dims, indices):
    """The jax index putting ``indices`` at ``dims`` (full slices elsewhere), with torch's error
    for index tensors that do not broadcast together."""
    shapes = [a.shape for a in indices]
    try:
        broadcast_shapes(*shapes)
    except RuntimeError:
        raise IndexError(
            "shape mismatch: indexing tensors could not be broadcast together with shapes "
            + ", ".join(str(list(s)) for s in shapes)
        ) from None
    idx = [slice(None)] * (max(dims) + 1)
    for d, a in zip(dims, indices):
        idx[d] = a
    return tuple(idx)


@op("_index", promote=NONE, method=False, grad_name="IndexBackward0", out=False)
def advanced_index(input: T, dims, indices: TL):
    return input[_jnp_index(dims, indices)]


def _put(target, idx, values, accumulate):
    shape = target[idx].shape
    values = _strip_ones(values)
    check(
        broadcast_shapes(values.shape, shape) == shape,
        RuntimeError,
        lambda: (
            f"shape mismatch: value tensor of shape {list(values.shape)} cannot be broadcast to indexing "
            f"result of shape {list(shape)}"
        ),
    )
    v = values.astype(target.dtype)
    return target.at[idx].add(v) if accumulate else target.at[idx].set(v)


def _strip_ones(x):
    """``x`` without leading size-1 dims (torch drops them from values written by indexing)."""
    lead = next((i for i, n in enumerate(x.shape) if n != 1), x.ndim)
    return x.reshape(x.shape[lead:])


@op("_index_put", promote=NONE, method=False, grad_name="IndexPutBackward0", out=False)
def _index_put(input: T, dims, indices: TL, values: TN, accumulate=False):
    return _put(input, _jnp_index(dims, indices), values, accumulate)


def getitem(self, index):
    spec, starts, dims, arrays = _parse(self, index)
    if not dims:
        return basic_index(self, spec, starts)
    return advanced_index(_basic_view(self, spec, starts), dims, arrays)


def _basic_view(self, spec, starts):
    """The basic view before advanced indexing, skipped when it would change nothing."""
    shape = self._shape
    trivial = all(item[0] == "s" and item[2] == 1 and item[1] == n for item, n in zip(spec, shape))
    if trivial and len(spec) <= len(shape):
        return self
    return basic_index(self, spec, starts)


def setitem(self, index, value):
    check_inplace(self)
    value = _value_tensor(self, value)
    if index is False:  # torch writes nothing (and bumps no version) for x[False] = v
        return
    spec, starts, dims, arrays = _parse(self, index)
    if not dims:
        copy_(basic_index(self, spec, starts), value)
        return
    target = _basic_view(self, spec, starts)
    value = value.to(device=self._device, dtype=self._dtype)
    target._assign(_index_put(target, dims, arrays, value), "index_put_")


def _value_tensor(self, value):
    """``value`` of ``x[i] = value`` as a Tensor (a number takes ``x``'s dtype and device)."""
    from .creation import tensor

    Tensor = _tensor_cls()
    if isinstance(value, Tensor):
        return value
    if not isinstance(value, (bool, int, float, complex, np.number, np.bool_)):
        kind = type(value)
        name = (
            kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
        )
        raise TypeError(f"can't assign a {name} to a torch.{dtype_title(self._dtype)}Tensor")
    return tensor(value, dtype=self._dtype, device=self._device)


# ---- index_put and copy_ --------------------------------------------------------------------------


def _put_positions(input, indices):
    """index_put's ``indices`` as integer index tensors for dims 0, 1, ... (masks expanded)."""
    Tensor = _tensor_cls()
    check(
        isinstance(indices, (list, tuple)),
        TypeError,
        "index_put(): argument 'indices' must be tuple of Tensors",
    )
    for i, x in enumerate(indices):
        check(
            isinstance(x, Tensor),
            TypeError,
            lambda: f"expected Tensor as element {i} in argument 0, but got {type(x).__name__}",
        )
    used = sum(x.dim() if x._dtype in (_dtype.bool, _dtype.uint8) else 1 for x in indices)
    check(
        used <= input.dim(),
        IndexError,
        lambda: f"too many indices for tensor of dimension {input.dim()} (got {used})",
    )
    arrays = []
    for x in indices:
        kind = "mask" if x._dtype in (_dtype.bool, _dtype.uint8) else "adv"
        check(
            kind == "mask" or _dtype.is_integral(x._dtype),
            IndexError,
            "tensors used as indices must be long, int, byte or bool tensors",
        )
        k = len(arrays)
        sizes = input._shape[k : k + max(x.dim(), 1)]
        if kind == "adv":
            _check_in_range(x, sizes[0], k, IndexError)
        arrays += [x] if kind == "adv" else _mask_positions(x, sizes, k)
    return tuple(range(len(arrays))), arrays


@method("index_put")
def index_put(input, indices, values, accumulate=False):
    """``input`` with ``values`` written (or added) at the positions ``indices`` select."""
    check(
        values._dtype is input._dtype,
        RuntimeError,
        lambda: (
            f"Index put requires the source and destination dtypes match, got {dtype_title(input._dtype)} for "
            f"the destination and {dtype_title(values._dtype)} for the source."
        ),
    )
    dims, arrays = _put_positions(input, indices)
    if not dims:
        return _index_put(
            input, (0,), [_wrap_np(np.arange(input._shape[0]), input)], values, accumulate
        )
    return _index_put(input, dims, arrays, values, accumulate)


@method("index_put_")
def index_put_(input, indices, values, accumulate=False):
    check_inplace(input)
    return input._assign(index_put(input, indices, values, accumulate), "index_put_")


@op("_copy_from", promote=NONE, method=False, grad_name="CopyBackwards", out=False)
def _copy_from(input: T, src: T):
    src = _strip_ones(src) if src.ndim > input.ndim else src
    check(
        broadcast_shapes(src.shape, input.shape) == input.shape,
        RuntimeError,
        lambda: (
            f"output with shape {list(input.shape)} doesn't match the broadcast shape "
            f"{list(broadcast_shapes(src.shape, input.shape))}"
        ),
    )
    return jnp.broadcast_to(src.astype(input.dtype), input.shape)


@method("copy_")
def copy_(self, src, non_blocking=False):
    check_inplace(self)
    if src._device != self._device:
        src = src.to(self._device)
    return self._assign(_copy_from(self, src), "copy_")


# ---- gather / scatter -------------------------------------------------------------------------------


def _check_index_dtype(name, index, allowed=(_dtype.int64, _dtype.int32), words="int32/int64"):
    check(
        index._dtype in allowed, RuntimeError, lambda: f"{name}(): Expected dtype {words} for index"
    )


def _gather_pre(input, dim, index, sparse_grad=False):
    _check_index_dtype("gather", index)
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
    _check_index_dtype(name, index, (_dtype.int64,), "int64")
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
    at = input.reshape(input.shape or (1,)).at[_along(index.reshape(index.shape or (1,)), d)]
    v = v.reshape(index.shape or (1,))
    if reduce is None:
        out = at.set(v)
    else:
        check(
            reduce in ("add", "multiply"),
            RuntimeError,
            "reduce argument must be either add or multiply.",
        )
        out = at.add(v) if reduce == "add" else at.multiply(v)
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
    if reduce == "sum":
        out = x.at[idx].add(v)
    elif reduce == "prod":
        out = _scatter_prod(x, v, idx)
    elif reduce == "amax":
        out = x.at[idx].max(v)
    elif reduce == "amin":
        out = x.at[idx].min(v)
    else:
        count = jnp.zeros(x.shape, x.dtype).at[idx].add(1) + (1 if include_self else 0)
        total = x.at[idx].add(v)
        safe = jnp.maximum(count, 1)  # no 0/0 where nothing lands, not even in the gradient
        mean = total // safe if jnp.issubdtype(x.dtype, jnp.integer) else total / safe
        out = jnp.where(count > 0, mean, x)
    return out.reshape(input.shape)


def _identity(reduce, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    info = jnp.finfo(dtype) if jnp.issubdtype(dtype, jnp.inexact) else jnp.iinfo(dtype)
    low, high = (-jnp.inf, jnp.inf) if jnp.issubdtype(dtype, jnp.inexact) else (info.min, info.max)
    return low if reduce == "amax" else high


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
    if input.ndim == 0:
        return jnp.broadcast_to(input, index.shape)
    return jnp.take(input, index.reshape(-1), axis=wrap_dim(dim, input.ndim))


def _dim_index(input, dim, index):
    d = wrap_dim(dim, max(input.ndim, 1))
    return (slice(None),) * d + (index.reshape(-1),)


def _check_source(name, input, d, index, source, count_exc):
    n = index.numel()
    if name == "index_add":
        words = f"index_add_(): Number of indices ({n}) should be equal to source.size(dim): ({source.size(d)}), for dim: {d}"
    else:
        words = f"index_copy_(): Number of indices ({n}) should be equal to source.size(dim) ({source.size(d)})"
    check(source.dim() == 0 or n == source._shape[d], count_exc, words)
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
    return input.at[_dim_index(input, dim, index)].add((source * alpha).astype(input.dtype))


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
    return input.at[_dim_index(input, dim, index)].set(value.astype(input.dtype))


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
    return input.at[_dim_index(input, dim, index)].set(source.astype(input.dtype))


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
    _check_in_range_no_wrap(indices, input._shape[d], d)


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
    indices = jnp.broadcast_to(indices, shape)
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
    flat = input.reshape(-1)
    at = flat.at[index.reshape(-1)]
    values = source.reshape(-1).astype(input.dtype)
    return (at.add(values) if accumulate else at.set(values)).reshape(input.shape)


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
