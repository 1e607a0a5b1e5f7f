"""Shape ops that are views: view/reshape, transpose, permute, squeeze, expand, select,
narrow, diagonal, split/chunk/unbind. (Shape ops that copy, cat/stack/repeat/flip/roll/tril
and clone, are in rearrange.py.)

View ops are registered with ``view=True``: their outputs share the input's storage through a
view step (Note [views and versions] in _storage.py), so none of them has write-back code; their
in-place forms (``t_``, ``squeeze_``) make the tensor itself that view. Functions here that are
not ops (``reshape``, ``hstack``, ``tensor_split``...) only choose or normalize arguments and
call ops.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._errors import (
    broadcast_shapes,
    check,
    int_arg,
    int_like,
    int_list,
    invalid_combination,
    type_name,
    wrap_dim,
)
from .._storage import bitcast
from ._registry import NONE, D, T, dtype_title, method, op
from .complex import is_conj

# ---- shape arithmetic -------------------------------------------------------------------------


def infer_shape(shape, numel):
    """Resolve one -1 in ``shape`` for ``numel`` elements, with torch's errors."""
    shape = tuple(shape)
    check(shape.count(-1) <= 1, RuntimeError, "only one dimension can be inferred")
    for i, s in enumerate(shape):
        check(
            s >= -1,
            RuntimeError,
            lambda: f"invalid shape dimension {s} at index {i} of shape {list(shape)}",
        )
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        check(
            known != 0,
            RuntimeError,
            lambda: (
                f"cannot reshape tensor of 0 elements into shape {list(shape)} because the unspecified "
                "dimension size -1 can be any value and is ambiguous"
            ),
        )
        check(
            numel % known == 0,
            RuntimeError,
            lambda: f"shape '{list(shape)}' is invalid for input of size {numel}",
        )
        return tuple(numel // known if s == -1 else s for s in shape)
    check(
        known == numel,
        RuntimeError,
        lambda: f"shape '{list(shape)}' is invalid for input of size {numel}",
    )
    return shape


def _size_arg(shape, name="view", arg="size"):
    """``f(2, 3)`` and ``f((2, 3))`` alike: the sizes as a tuple of ints (torch's TypeError for
    anything else)."""
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        return int_list(shape[0], name, arg)
    return int_list(shape, name, arg, spread=True)


def _dims_arg(dims, ndim):
    """Wrapped dims, with torch's error for a dim named twice."""
    dims = tuple(wrap_dim(d, ndim) for d in (dims if isinstance(dims, (list, tuple)) else (dims,)))
    for d in dims:
        check(
            dims.count(d) == 1,
            RuntimeError,
            lambda: f"dim {d} appears multiple times in the list of dims",
        )
    return dims


def can_view(old_shape, old_strides, new_shape):
    """Whether ``new_shape`` can view memory laid out as (old_shape, old_strides) (torch's rule:
    each run of dims that is contiguous in memory must map onto whole new dims)."""
    if math.prod(old_shape) == 0 or not old_shape:
        return True
    view_d = len(new_shape) - 1
    base_stride = old_strides[-1]
    tensor_numel = view_numel = 1
    for d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[d]
        if d == 0 or (old_shape[d - 1] != 1 and old_strides[d - 1] != tensor_numel * base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return False
            if d > 0:
                base_stride = old_strides[d - 1]
                tensor_numel = view_numel = 1
    return view_d == -1


def _viewable(input, shape):
    if input._view is None:
        return True
    new = infer_shape(_size_arg(shape), input.numel())
    return can_view(input._shape, input.stride(), new)


def _bitcast_arg(size):
    """Whether view's ``size`` is ``(dtype,)``: ``Tensor.view(dtype)``."""
    return len(size) == 1 and isinstance(size[0], _dtype.dtype)


def _reads_negated(input):
    """Whether ``input`` reads its storage negated (``x.conj().imag``): torch's negative bit."""
    root = input._storage.array.dtype
    if input._view is None or input._dtype.is_complex or root.kind != "c":
        return False
    return bool(np.signbit(input._view.slot_map(root)).any())


def _check_view_dtype(input, dtype):
    """torch's checks of ``Tensor.view(dtype)``, in its order (``view_dtype``)."""
    check(
        not is_conj(input),
        RuntimeError,
        "torch.Tensor.view is not supported for conjugate view tensors when converting to a "
        "different dtype.",
    )
    check(
        not _reads_negated(input),
        RuntimeError,
        "torch.Tensor.view is not supported for tensors with negative bit set when converting to a "
        "different dtype.",
    )
    old, new = input._dtype.itemsize, dtype.itemsize
    if old == new:
        return
    what = f"to view {dtype_title(input._dtype)} as {dtype_title(dtype)} (different element sizes)"
    check(input._shape, RuntimeError, lambda: f"self.dim() cannot be 0 {what}")
    offset, strides = input._layout_info()
    ratio = new // old
    if new > old:
        size = input._shape[-1]
        check(
            size % ratio == 0,
            RuntimeError,
            lambda: f"self.size(-1) must be divisible by {ratio} {what}, but got {size}",
        )
        check(
            offset % ratio == 0,
            RuntimeError,
            lambda: f"self.storage_offset() must be divisible by {ratio} {what}, but got {offset}",
        )
    check(
        strides[-1] == 1,
        RuntimeError,
        lambda: f"self.stride(-1) must be 1 {what}, but got {strides[-1]}",
    )
    if new > old:
        d = next((d for d, s in enumerate(strides[:-1]) if s % ratio), None)
        check(
            d is None,
            RuntimeError,
            lambda: f"self.stride({d}) must be divisible by {ratio} {what}, but got {strides[d]}",
        )


def _check_view(input, shape):
    if _bitcast_arg(shape):
        return _check_view_dtype(input, shape[0])
    check(
        _viewable(input, shape),
        RuntimeError,
        "view size is not compatible with input tensor's size and stride (at least one dimension spans "
        "across two contiguous subspaces). Use .reshape(...) instead.",
    )


# ---- views ------------------------------------------------------------------------------------


def _bits_apart(result, input, size):
    """torch's ``view(dtype)`` result is no autograd view of its input and no function of it
    (not differentiable): it shares only the storage and the version counter."""
    if _bitcast_arg(size):
        result._base = result._grad_fn = result._multi_view = None
        result._requires_grad = False
    return result


@op(promote=NONE, view=True, varargs=1, pre=_check_view, post=_bits_apart, linear=True, out=False)
def view(input: T, size):
    """``Tensor.view(*shape)``: the same elements in another shape; ``Tensor.view(dtype)``: the
    same bytes read as another dtype (Note [bitcast views] in _storage.py).

    Differences from torch: a byte other than 0 or 1 read as bool is True, and written back
    as 1."""
    if _bitcast_arg(size):
        return bitcast(input, size[0]._np)
    return input.reshape(infer_shape(_size_arg(size), input.size))


view.overloads = ("torch.dtype dtype", "tuple of ints size")


@op(
    "_reshape_copy",
    promote=NONE,
    method=False,
    grad_name="UnsafeViewBackward0",
    linear=True,
    out=False,
)
def _reshape_copy(input: T, shape):
    return input.reshape(infer_shape(shape, input.size))


@method("reshape")
def reshape(input, *shape):
    """A view when the input's layout allows it, a copy otherwise (torch.reshape)."""
    shape = _size_arg(shape, "reshape", "shape")
    if _viewable(input, shape):
        return view(input, shape)
    return _reshape_copy(input, shape)


def view_as(input, other):
    return view(input, other._shape)


def reshape_as(input, other):
    return reshape(input, other._shape)


@method("flatten")
def flatten(input, start_dim=0, end_dim=-1):
    nd = input.dim()
    if nd == 0:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    check(s <= e, RuntimeError, "flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input._shape
    return reshape(input, shape[:s] + (math.prod(shape[s : e + 1]),) + shape[e + 1 :])


@method("unflatten")
def unflatten(input, dim, sizes):
    d = wrap_dim(dim, input.dim())
    sizes = int_list(sizes, "unflatten", "sizes", position=2)
    check(len(sizes) > 0, RuntimeError, "unflatten: sizes must be non-empty")
    size = input._shape[d]
    if -1 not in sizes:
        check(
            math.prod(sizes) == size,
            RuntimeError,
            lambda: (
                f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                f"({size}) in the input tensor"
            ),
        )
    return view(input, input._shape[:d] + infer_shape(sizes, size) + input._shape[d + 1 :])


def _squeeze_name(input, dim=None):
    if dim is None:
        return "SqueezeBackward0"
    return "SqueezeBackward2" if isinstance(dim, (list, tuple)) else "SqueezeBackward1"


@op(promote=NONE, view=True, inplace=True, linear=True, out=False, grad_name=_squeeze_name)
def squeeze(input: T, dim=None):
    if dim is None:
        dims = tuple(i for i, s in enumerate(input.shape) if s == 1)
    else:
        dims = tuple(d for d in _dims_arg(dim, input.ndim) if input.ndim and input.shape[d] == 1)
    return jnp.squeeze(input, dims)


@op(promote=NONE, view=True, inplace=True, linear=True, out=False)
def unsqueeze(input: T, dim):
    return jnp.expand_dims(input, wrap_dim(dim, input.ndim + 1))


@op(promote=NONE, view=True, inplace=True, linear=True, out=False)
def transpose(input: T, dim0, dim1):
    d0, d1 = wrap_dim(dim0, input.ndim), wrap_dim(dim1, input.ndim)
    return jnp.swapaxes(input, d0, d1) if input.ndim else input


@op(promote=NONE, view=True, inplace=True, linear=True, out=False, grad_name="TransposeBackward0")
def swapaxes(input: T, axis0, axis1):
    return transpose.fn(input, axis0, axis1)


@op(promote=NONE, view=True, inplace=True, linear=True, out=False, grad_name="TransposeBackward0")
def swapdims(input: T, dim0, dim1):
    return transpose.fn(input, dim0, dim1)


@op(promote=NONE, view=True, varargs=1, linear=True, out=False)
def permute(input: T, dims):
    dims = _size_arg((dims,))
    check(
        len(dims) == input.ndim,
        RuntimeError,
        lambda: (
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of "
            f"the desired ordering of dimensions i.e. input.dim() = {input.ndim} is not equal to len(dims) = {len(dims)}"
        ),
    )
    dims = tuple(wrap_dim(d, input.ndim) for d in dims)
    check(len(set(dims)) == len(dims), RuntimeError, "permute(): duplicate dims are not allowed.")
    return jnp.transpose(input, dims)


@op(promote=NONE, view=True, inplace=True, linear=True, out=False)
def t(input: T):
    check(
        input.ndim <= 2,
        RuntimeError,
        lambda: f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D",
    )
    return input.T


@op(promote=NONE, view=True, linear=True, out=False, grad_name="PermuteBackward0")
def movedim(input: T, source, destination):
    src = tuple(source) if isinstance(source, (list, tuple)) else (source,)
    dst = tuple(destination) if isinstance(destination, (list, tuple)) else (destination,)
    check(
        len(src) == len(dst),
        RuntimeError,
        lambda: (
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain the "
            f"same number of dims as destination ({list(dst)} dims)"
        ),
    )
    s = [wrap_dim(d, input.ndim) for d in src]
    d = [wrap_dim(d, input.ndim) for d in dst]
    check(
        len(set(s)) == len(s),
        RuntimeError,
        lambda: f"movedim: repeated dim in `source` ({list(src)})",
    )
    check(
        len(set(d)) == len(d),
        RuntimeError,
        lambda: f"movedim: repeated dim in `destination` ({list(dst)})",
    )
    return jnp.moveaxis(input, s, d)


moveaxis = movedim


def _expand_shape(input, sizes):
    in_shape = input.shape
    type_name = dtype_title(_dtype.from_numpy_dtype(input.dtype)) + "Tensor"
    check(
        len(sizes) >= len(in_shape),
        RuntimeError,
        lambda: (
            f"expand(torch.{type_name}{{{list(in_shape)}}}, size={list(sizes)}): the number of "
            f"sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions in the tensor "
            f"({len(in_shape)})"
        ),
    )
    lead = len(sizes) - len(in_shape)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            check(
                s >= 0,
                RuntimeError,
                lambda: (
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, non-existing dimension {i}"
                ),
            )
            out.append(s)
            continue
        cur = in_shape[i - lead]
        target = cur if s == -1 else s
        check(
            cur == target or cur == 1,
            RuntimeError,
            lambda: (
                f"The expanded size of the tensor ({target}) must match the existing size ({cur}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(in_shape)}"
            ),
        )
        out.append(target)
    return tuple(out)


@op(promote=NONE, view="overlapping", varargs=1, linear=True, out=False)
def expand(input: T, size):
    return jnp.broadcast_to(input, _expand_shape(input, _size_arg((size,))))


def expand_as(input, other):
    return expand(input, other._shape)


@op(promote=NONE, view="overlapping", linear=True, out=False, grad_name="ExpandBackward0")
def broadcast_to(input: T, size):
    return jnp.broadcast_to(input, _expand_shape(input, _size_arg((size,), "broadcast_to", "size")))


def broadcast_tensors(*tensors):
    """torch.broadcast_tensors: views of the tensors expanded to their common shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*(t._shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def _check_select(input, dim, index):
    index = int_arg(index, "select", "index", 2)
    check(input.dim() > 0, IndexError, "select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, input.dim())
    size = input._shape[d]
    check(
        -size <= index < size,
        IndexError,
        lambda: (
            f"select(): index {index} out of range for tensor of size {list(input._shape)} at dimension {d}"
        ),
    )


@op(promote=NONE, view=True, pre=_check_select, linear=True, out=False)
def select(input: T, dim, index: D):
    d = wrap_dim(dim, input.ndim)
    index = jnp.where(index < 0, index + input.shape[d], index)
    return jnp.take(input, index, axis=d)


_NARROW = ("int dim, Tensor start, int length", "int dim, int start, int length")


def _check_narrow(input, dim, start, length):
    args = (dim, start, length)
    ok = [int_like(a, True) for a in args]  # a Tensor start has __index__ too
    if False in ok:
        names = [type_name(a) for a in args]
        marked = ", ".join(n if good else f"!{n}!" for n, good in zip(names, ok))
        raise TypeError(invalid_combination("narrow", ", ".join(names), _NARROW, marked))
    check(input.dim() > 0, RuntimeError, "narrow() cannot be applied to a 0-dim tensor.")
    if not isinstance(start, int):
        check(
            start.dim() == 0 and _dtype.is_integral(start._dtype),
            RuntimeError,
            "start must be an 0-dim integral Tensor.",
        )
        start = start.item()
    size = input._shape[wrap_dim(dim, input.dim())]
    check(length >= 0, RuntimeError, "narrow(): length must be non-negative.")
    check(
        -size <= start <= size,
        IndexError,
        lambda: (
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        ),
    )
    s = start % size if size and start < 0 else start
    check(
        s + length <= size,
        RuntimeError,
        lambda: f"start ({start}) + length ({length}) exceeds dimension size ({size}).",
    )


@op(promote=NONE, view=True, pre=_check_narrow, linear=True, out=False, grad_name="SliceBackward0")
def narrow(input: T, dim, start: T, length):
    # ``start`` is traced (a loop over start positions compiles once) and may be a 0-dim tensor.
    d = wrap_dim(dim, input.ndim)
    start = jnp.where(start < 0, start + input.shape[d], start)
    return jax.lax.dynamic_slice_in_dim(input, start, length, axis=d)


def _diagonal_dims(ndim, dim1, dim2):
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    check(d1 != d2, RuntimeError, lambda: f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


@op(promote=NONE, view=True, linear=True, out=False)
def diagonal(input: T, offset=0, dim1=0, dim2=1):
    return jnp.diagonal(input, offset, *_diagonal_dims(input.ndim, dim1, dim2))


# ---- splits -----------------------------------------------------------------------------------


def _pieces(x, bounds, d):
    return tuple(jax.lax.slice_in_dim(x, start, stop, axis=d) for start, stop in bounds)


def _bounds(sizes):
    starts = np.cumsum((0,) + tuple(sizes))
    return tuple((int(a), int(b)) for a, b in zip(starts[:-1], starts[1:]))


def _split_sizes(d, split_size_or_sections, dim_size):
    if isinstance(split_size_or_sections, int):
        n = split_size_or_sections
        check(
            n > 0 or dim_size == 0,
            RuntimeError,
            lambda: (
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {dim_size}"
            ),
        )
        check(
            n >= 0,
            RuntimeError,
            lambda: f"split expects split_size be non-negative, but got split_size={n}",
        )
        if dim_size == 0:
            return (0,)
        return tuple(min(n, dim_size - i) for i in range(0, dim_size, n))
    sections = split_size_or_sections
    spread = not isinstance(sections, (list, tuple))
    sizes = int_list((sections,) if spread else sections, "split_with_sizes", "split_sizes", spread, position=2)
    check(
        sum(sizes) == dim_size and all(s >= 0 for s in sizes),
        RuntimeError,
        lambda: (
            f"split_with_sizes expects split_sizes to sum exactly to {dim_size} (input tensor's size at "
            f"dimension {d}), but got split_sizes={list(sizes)}"
        ),
    )
    return sizes


def _split_name(input, split_size_or_sections, dim=0):
    return (
        "SplitBackward0" if isinstance(split_size_or_sections, int) else "SplitWithSizesBackward0"
    )


@op(promote=NONE, view=True, linear=True, out=False, grad_name=_split_name)
def split(input: T, split_size_or_sections, dim=0):
    check(input.ndim > 0, RuntimeError, "split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, input.ndim)
    return _pieces(input, _bounds(_split_sizes(d, split_size_or_sections, input.shape[d])), d)


@op(promote=NONE, view=True, linear=True, out=False, grad_name="SplitBackward0")
def chunk(input: T, chunks, dim=0):
    chunks = int_arg(chunks, "chunk", "chunks")
    check(input.ndim > 0, RuntimeError, "chunk expects at least a 1-dimensional tensor")
    check(
        chunks > 0,
        RuntimeError,
        lambda: f"chunk expects `chunks` to be greater than 0, got: {chunks}",
    )
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if n == 0:
        return _pieces(input, ((0, 0),) * chunks, d)
    return _pieces(input, _bounds(_split_sizes(d, -(-n // chunks), n)), d)


@method("tensor_split")
def tensor_split(
    input,
    indices_or_sections=None,
    dim=0,
    *,
    sections=None,
    indices=None,
    tensor_indices_or_sections=None,
):
    """Split into ``sections`` near-equal pieces or at ``indices`` along ``dim``: one narrow view
    per piece (so, unlike split's pieces, each may be written in place under autograd)."""
    from ..tensor import Tensor

    arg = next(
        a
        for a in (indices_or_sections, sections, indices, tensor_indices_or_sections)
        if a is not None
    )
    check(
        input.dim() > 0,
        RuntimeError,
        lambda: (
            f"tensor_split expected at least a 1-dimensional tensor, but got a tensor with {input.dim()} dims"
        ),
    )
    if isinstance(arg, Tensor):
        check(
            arg._dtype is _dtype.int64,
            RuntimeError,
            lambda: (
                f"tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                f"{dtype_title(arg._dtype)}"
            ),
        )
        check(
            arg.dim() <= 1,
            RuntimeError,
            lambda: (
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional "
                f"tensor, but got a tensor with {arg.dim()} dims"
            ),
        )
        arg = arg.item() if arg.dim() == 0 else arg.tolist()
    d = wrap_dim(dim, input.dim())
    size = input._shape[d]
    if isinstance(arg, int):
        check(arg > 0, RuntimeError, lambda: f"number of sections must be larger than 0, got {arg}")
        sizes = [size // arg + (i < size % arg) for i in range(arg)]
        bounds = _bounds(sizes)
    else:
        edges = [0, *arg, size]
        bounds = tuple(_clamped(a, b, size) for a, b in zip(edges[:-1], edges[1:]))
    return tuple(narrow(input, d, start, stop - start) for start, stop in bounds)


def _clamped(start, stop, size):
    """(start, stop) of ``x[start:stop]`` along a dim of ``size``, as torch's slice clamps it."""
    start, stop, _ = slice(start, stop).indices(size)
    return start, max(start, stop)


@op(promote=NONE, view=True, linear=True, out=False)
def unbind(input: T, dim=0):
    check(input.ndim > 0, IndexError, "Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, input.ndim)
    return tuple(jnp.take(input, i, axis=d) for i in range(input.shape[d]))


@op(promote=NONE, view=True, linear=True, out=False)
def split_with_sizes(input: T, split_sizes, dim=0):
    check(input.ndim > 0, RuntimeError, "split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, input.ndim)
    return _pieces(input, _bounds(_split_sizes(d, tuple(split_sizes), input.shape[d])), d)


@op(promote=NONE, view=True, linear=True, out=False, grad_name="UnsafeSplitBackward0")
def unsafe_split(input: T, split_size, dim=0):
    return split.fn(input, split_size, dim)


@op(promote=NONE, view=True, linear=True, out=False, grad_name="UnsafeSplitBackward0")
def unsafe_chunk(input: T, chunks, dim=0):
    return chunk.fn(input, chunks, dim)


def _directional_split(name, dim, min_dims):
    def fn(input, indices_or_sections):
        check(
            input.dim() >= min_dims,
            RuntimeError,
            lambda: (
                f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a tensor "
                f"with {input.dim()} dimensions!"
            ),
        )
        d = 0 if input.dim() == 1 else dim
        if isinstance(indices_or_sections, int):
            size = input._shape[d]
            check(
                indices_or_sections != 0 and size % indices_or_sections == 0,
                RuntimeError,
                lambda: (
                    f"torch.{name} attempted to split along dimension {d}, but the size of the dimension "
                    f"{size} is not divisible by the split_size {indices_or_sections}!"
                ),
            )
        return tensor_split(input, indices_or_sections, d)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}: tensor_split along dim {dim}, in equal sections when given an int."
    return method(name)(fn)


hsplit = _directional_split("hsplit", 1, 1)
vsplit = _directional_split("vsplit", 0, 2)
dsplit = _directional_split("dsplit", 2, 3)


@method("ravel")
def ravel(input):
    """A flat view when the input's layout allows it, a copy otherwise (torch.ravel)."""
    return reshape(input, (-1,))


@op(promote=NONE, view=True, method=False, linear=True, out=False)
def alias(input: T):
    return input


def _check_slice(input, dim=0, start=None, end=None, step=1):
    check(input.dim() > 0, IndexError, "slice() cannot be applied to a 0-dim tensor.")
    check(step > 0, RuntimeError, "slice step must be positive")


@op("slice", promote=NONE, view=True, method=False, linear=True, out=False, pre=_check_slice)
def slice_op(input: T, dim=0, start=None, end=None, step=1):
    """aten.slice (``input[..., start:end:step]`` along ``dim``), op_db's ``slice`` entry.

    Differences from torch: torch has no ``torch.slice``; this is its ``torch.ops.aten`` op."""
    d = wrap_dim(dim, input.ndim)
    start, stop, _ = slice(start, end).indices(input.shape[d])
    return jax.lax.slice_in_dim(input, start, max(start, stop), step, axis=d)


def _check_unfold(input, dimension, size, step):
    nd = input.dim()
    d = wrap_dim(dimension, nd)
    n = input._shape[d] if nd else 1
    check(size >= 0, RuntimeError, lambda: f"size is {size} but must be >= 0")
    check(
        size <= n,
        RuntimeError,
        lambda: f"maximum size for tensor at dimension {d} is {n} but size is {size}",
    )
    check(step > 0, RuntimeError, lambda: f"step is {step} but must be > 0")


@op(promote=NONE, view=True, linear=True, out=False, pre=_check_unfold)
def unfold(input: T, dimension, size, step):
    """Tensor.unfold: every window of ``size`` elements, ``step`` apart, along ``dimension``,
    as a new last dim."""
    if input.ndim == 0:
        return input.reshape(1)
    d = wrap_dim(dimension, input.ndim)
    count = (input.shape[d] - size) // step + 1
    windows = np.arange(count)[:, None] * step + np.arange(size)[None, :]
    return jnp.moveaxis(jnp.take(input, windows, axis=d), d + 1, -1)


def _check_as_strided(input, size, stride, storage_offset=None):
    offset = 0 if storage_offset is None else storage_offset
    needed = 0 if 0 in size else offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
    if input._view is not None and (input.storage_offset() != 0 or not input.is_contiguous() or needed > input.numel()):
        raise NotImplementedError(
            "torch.as_strided: jtorch reads only the input's own elements; as_strided of a view with a "
            "storage offset, a non-contiguous layout, or beyond its elements is not supported"
        )
    as_strided_bounds(input, size, stride, storage_offset)


def as_strided_bounds(input, size, stride, storage_offset=None):
    """torch's checks of an as_strided layout over ``input``'s elements."""
    size, stride = tuple(size), tuple(stride)
    offset = 0 if storage_offset is None else storage_offset
    check(len(size) == len(stride), RuntimeError, "mismatch in length of strides and shape")
    check(
        all(s >= 0 for s in stride),
        RuntimeError,
        lambda: f"as_strided: Negative strides are not supported at the moment, got strides: {list(stride)}",
    )
    check(offset >= 0, RuntimeError, lambda: f"Tensor: invalid storage offset {offset}")
    needed = 0 if 0 in size else offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
    have = input.numel()
    item = input.element_size()
    check(
        needed <= have,
        RuntimeError,
        lambda: (
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and itemsize "
            f"{item} requiring a storage size of {needed * item} are out of bounds for storage of size "
            f"{have * item}"
        ),
    )


def strided_index(size, stride, offset):
    """The flat storage index of every element of an (size, stride, offset) layout."""
    idx = np.full(tuple(size), offset or 0, dtype=np.int64)
    for d, (n, s) in enumerate(zip(size, stride)):
        idx = idx + (np.arange(n, dtype=np.int64) * s).reshape((n,) + (1,) * (len(size) - d - 1))
    return idx


@op(promote=NONE, view="overlapping", inplace=True, linear=True, out=False, pre=_check_as_strided)
def as_strided(input: T, size, stride, storage_offset=None):
    """torch.as_strided over the input's elements in memory order.

    Differences from torch: the input must own its storage (or be a contiguous view at offset 0);
    other views raise NotImplementedError."""
    return input.reshape(-1)[strided_index(size, stride, storage_offset)]
