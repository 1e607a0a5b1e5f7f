"""Indexing: ``x[...]`` get and set (basic, advanced, boolean), index_put and copy_.
(Selection by index tensors, gather/scatter/index_*/masked/take/put/nonzero, is in
selection.py.)

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

from .. import _dtype, _tracing
from .._errors import broadcast_shapes, check
from ._registry import NONE, TL, TN, D, T, check_inplace, dtype_title, method, op

_TENSOR = []


def _tensor_cls():
    if not _TENSOR:  # imported on first use: tensor.py imports this module
        from ..tensor import Tensor

        _TENSOR.append(Tensor)
    return _TENSOR[0]


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
    value = index._value()
    if _tracing.traced(value):
        return _tracing.deferred(
            (value < -size) | (value >= size),
            value,
            exc,
            lambda v: f"{prefix}index {v} is out of bounds for dimension {dim} with size {size}",
        )
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
    if type(index) is int and ndim:  # x[i], the commonest index (a Dataset's __getitem__)
        return (("i",),), (_int_index(index, shape[0], 0),), (), []
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
    if pending and not _is_empty(spec, shape, dims, arrays):  # torch reads no index of an empty result
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
    return scatter_at(target, idx, v, "add") if accumulate else target.at[idx].set(v)


def scatter_at(target, idx, v, how):
    """``target.at[idx].<how>(v)`` for how in add/multiply/max/min; jax has no bool scatters,
    so bool goes through uint8 (add is or, multiply is and, as torch computes them)."""
    if target.dtype != jnp.bool_:
        return getattr(target.at[idx], how)(v)
    how = {"add": "max", "multiply": "min"}.get(how, how)
    out = getattr(target.astype(jnp.uint8).at[idx], how)(v.astype(jnp.uint8))
    return out.astype(jnp.bool_)


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
