"""Shape ops: views (view, transpose, permute, squeeze, expand, split, ...) and copies (cat,
stack, repeat, flip, roll, tril, ...).

View ops are registered with ``view=True``: their outputs share the input's storage through a
view step (Note [views and versions] in _storage.py), so none of them has write-back code.
"""

import math

import jax
import jax.numpy as jnp

from .._errors import check, wrap_dim
from ._registry import NONE, D, T, TL, method, op

# ---- shape arithmetic -------------------------------------------------------------------------


def infer_shape(shape, numel):
    """Resolve one -1 in ``shape`` for ``numel`` elements, with torch's errors."""
    shape = tuple(shape)
    check(shape.count(-1) <= 1, RuntimeError, "only one dimension can be inferred")
    for s in shape:
        check(s >= -1, RuntimeError, lambda: f"invalid shape dimension {s}")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        check(
            known != 0 and numel % known == 0,
            RuntimeError,
            lambda: f"shape '{list(shape)}' is invalid for input of size {numel}",
        )
        return tuple(numel // known if s == -1 else s for s in shape)
    check(known == numel, RuntimeError, lambda: f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _size_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        return tuple(shape[0])
    return tuple(shape)


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


def _check_view(input, shape):
    from .. import _dtype

    if isinstance(shape, _dtype.dtype):
        raise NotImplementedError("Tensor.view(dtype) is not supported by jtorch yet")
    check(
        _viewable(input, shape),
        RuntimeError,
        "view size is not compatible with input tensor's size and stride (at least one dimension spans "
        "across two contiguous subspaces). Use .reshape(...) instead.",
    )


# ---- views ------------------------------------------------------------------------------------


@op(promote=NONE, view=True, varargs=1, pre=_check_view, linear=True, out=False)
def view(input: T, shape):
    return input.reshape(infer_shape(_size_arg(shape), input.size))


@op("_reshape_copy", promote=NONE, method=False, grad_name="UnsafeViewBackward0", linear=True, out=False)
def _reshape_copy(input: T, shape):
    return input.reshape(infer_shape(shape, input.size))


@method("reshape")
def reshape(input, *shape):
    """A view when the input's layout allows it, a copy otherwise (torch.reshape)."""
    shape = _size_arg(shape)
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
    sizes = infer_shape(sizes, input._shape[d])
    return view(input, input._shape[:d] + tuple(sizes) + input._shape[d + 1 :])


def _squeeze_dims(dim, x):
    if dim is None:
        return tuple(i for i, s in enumerate(x.shape) if s == 1)
    dims = dim if isinstance(dim, (list, tuple)) else (dim,)
    return tuple(d for d in (wrap_dim(d, x.ndim) for d in dims) if x.ndim and x.shape[d] == 1)


@op(promote=NONE, view=True, inplace=True, linear=True, out=False)
def squeeze(input: T, dim=None):
    return jnp.squeeze(input, _squeeze_dims(dim, input))


@op(promote=NONE, view=True, inplace=True, linear=True, out=False)
def unsqueeze(input: T, dim):
    return jnp.expand_dims(input, wrap_dim(dim, input.ndim + 1))


@op(promote=NONE, view=True, inplace=True, linear=True, out=False)
def transpose(input: T, dim0, dim1):
    if input.ndim == 0:
        wrap_dim(dim0, 0), wrap_dim(dim1, 0)
        return input
    return jnp.swapaxes(input, wrap_dim(dim0, input.ndim), wrap_dim(dim1, input.ndim))


swapaxes = swapdims = transpose


@op(promote=NONE, view=True, varargs=1, linear=True, out=False)
def permute(input: T, dims):
    dims = tuple(wrap_dim(d, input.ndim) for d in _size_arg(dims))
    check(
        len(dims) == input.ndim,
        RuntimeError,
        lambda: f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of "
        f"the desired ordering of dimensions i.e. input.dim() = {input.ndim} is not equal to len(dims) = {len(dims)}",
    )
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


@op(promote=NONE, view=True, linear=True, out=False)
def movedim(input: T, source, destination):
    src = source if isinstance(source, (list, tuple)) else (source,)
    dst = destination if isinstance(destination, (list, tuple)) else (destination,)
    return jnp.moveaxis(input, [wrap_dim(s, input.ndim) for s in src], [wrap_dim(d, input.ndim) for d in dst])


moveaxis = movedim


def _expand_shape(in_shape, sizes):
    sizes = tuple(sizes)
    check(
        len(sizes) >= len(in_shape),
        RuntimeError,
        lambda: f"expand(torch.FloatTensor{{{list(in_shape)}}}, size={list(sizes)}): the number of sizes "
        f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({len(in_shape)})",
    )
    lead = len(sizes) - len(in_shape)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            check(s >= 0, RuntimeError, lambda: f"The expanded size of the tensor ({s}) isn't allowed in a leading, non-existing dimension {i}")
            out.append(s)
            continue
        cur = in_shape[i - lead]
        target = cur if s == -1 else s
        check(
            cur == target or cur == 1,
            RuntimeError,
            lambda: f"The expanded size of the tensor ({target}) must match the existing size ({cur}) at "
            f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(in_shape)}",
        )
        out.append(target)
    return tuple(out)


@op(promote=NONE, view="overlapping", varargs=1, linear=True, out=False)
def expand(input: T, size):
    return jnp.broadcast_to(input, _expand_shape(input.shape, _size_arg(size)))


def expand_as(input, other):
    return expand(input, other._shape)


@op(promote=NONE, view="overlapping", method=False, linear=True, grad_name="ExpandBackward0")
def broadcast_to(input: T, size):
    return jnp.broadcast_to(input, _expand_shape(input.shape, size))


def _check_index(index, size, dim):
    check(
        -size <= index < size,
        IndexError,
        lambda: f"select(): index {index} out of range for tensor of size {size} at dimension {dim}",
    )


def _check_select(input, dim, index):
    check(input.dim() > 0, IndexError, "select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, input.dim())
    _check_index(index, input._shape[d], d)


@op(promote=NONE, view=True, pre=_check_select, linear=True, out=False)
def select(input: T, dim, index: D):
    d = wrap_dim(dim, input.ndim)
    index = jnp.where(index < 0, index + input.shape[d], index)
    return jnp.take(input, index, axis=d)


def _check_narrow(input, dim, start, length):
    check(input.dim() > 0, RuntimeError, "narrow() cannot be applied to a 0-dim tensor.")
    size = input._shape[wrap_dim(dim, input.dim())]
    check(length >= 0, RuntimeError, "narrow(): length must be non-negative.")
    check(
        -size <= start <= size,
        IndexError,
        lambda: f"start out of range (expected to be in range of [{-size}, {size}], but got {start})",
    )
    s = start % size if size and start < 0 else start
    check(
        s + length <= size,
        RuntimeError,
        lambda: f"start ({start}) + length ({length}) exceeds dimension size ({size}).",
    )


@op(promote=NONE, view=True, pre=_check_narrow, linear=True, out=False, grad_name="SliceBackward0")
def narrow(input: T, dim, start: D, length):
    d = wrap_dim(dim, input.ndim)
    start = jnp.where(start < 0, start + input.shape[d], start)
    return jax.lax.dynamic_slice_in_dim(input, start, length, axis=d)


@op(promote=NONE, view=True, linear=True, out=False)
def diagonal(input: T, offset=0, dim1=0, dim2=1):
    return jnp.diagonal(input, offset, wrap_dim(dim1, input.ndim), wrap_dim(dim2, input.ndim))


def _split_sizes(size, split_size_or_sections, dim_size):
    if isinstance(split_size_or_sections, int):
        n = split_size_or_sections
        check(n > 0 or dim_size == 0, RuntimeError, "split_size can only be 0 if dimension size is 0, but got dimension size of " + str(dim_size))
        if dim_size == 0:
            return (0,)
        return tuple(min(n, dim_size - i) for i in range(0, dim_size, n))
    sizes = tuple(split_size_or_sections)
    check(
        sum(sizes) == dim_size,
        RuntimeError,
        lambda: f"split_with_sizes expects split_sizes to sum exactly to {dim_size} (input tensor's size at "
        f"dimension {size}), but got split_sizes={list(sizes)}",
    )
    return sizes


def _pieces(x, sizes, d):
    out, start = [], 0
    for s in sizes:
        out.append(jax.lax.slice_in_dim(x, start, start + s, axis=d))
        start += s
    return tuple(out)


@op(promote=NONE, view=True, linear=True, out=False, grad_name=lambda input, s, dim=0: "SplitBackward0" if isinstance(s, int) else "SplitWithSizesBackward0")
def split(input: T, split_size_or_sections, dim=0):
    d = wrap_dim(dim, input.ndim)
    return _pieces(input, _split_sizes(d, split_size_or_sections, input.shape[d]), d)


@op(promote=NONE, view=True, linear=True, out=False, grad_name="SplitBackward0")
def chunk(input: T, chunks, dim=0):
    check(chunks > 0, RuntimeError, lambda: f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d]
    step = -(-n // chunks) if n else 1
    return _pieces(input, _split_sizes(d, step, n), d)


@op(promote=NONE, view=True, linear=True, out=False)
def unbind(input: T, dim=0):
    check(input.ndim > 0, IndexError, "Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, input.ndim)
    return tuple(jnp.take(input, i, axis=d) for i in range(input.shape[d]))


# ---- copies -----------------------------------------------------------------------------------


def _cat_check(tensors, dim):
    check(len(tensors) > 0, RuntimeError, "torch.cat(): expected a non-empty list of Tensors")
    ref = next((x for x in tensors if x.shape != (0,)), tensors[0])
    d = wrap_dim(dim, max(ref.ndim, 1))
    for i, x in enumerate(tensors):
        if x.shape == (0,):
            continue
        check(
            x.ndim == ref.ndim,
            RuntimeError,
            lambda: f"Tensors must have same number of dimensions: got {ref.ndim} and {x.ndim}",
        )
        for j in range(ref.ndim):
            check(
                j == d or x.shape[j] == ref.shape[j],
                RuntimeError,
                lambda: f"Sizes of tensors must match except in dimension {d}. Expected size {ref.shape[j]} "
                f"but got size {x.shape[j]} for tensor number {i} in the list.",
            )
    return d


@op(method=False, linear=True)
def cat(tensors: TL, dim=0):
    check(all(x.ndim > 0 for x in tensors), RuntimeError, lambda: "zero-dimensional tensor (at position 0) cannot be concatenated")
    d = _cat_check(tensors, dim)
    return jnp.concatenate([x for x in tensors if x.shape != (0,)] or list(tensors[:1]), axis=d)


concat = concatenate = cat


@op(method=False, linear=True)
def stack(tensors: TL, dim=0):
    check(len(tensors) > 0, RuntimeError, "stack expects a non-empty TensorList")
    for i, x in enumerate(tensors):
        check(
            x.shape == tensors[0].shape,
            RuntimeError,
            lambda: f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at entry 0 "
            f"and {list(x.shape)} at entry {i}",
        )
    return jnp.stack(tensors, axis=wrap_dim(dim, tensors[0].ndim + 1))


def hstack(tensors, *, out=None):
    tensors = [atleast_1d(x) for x in tensors]
    return cat(tensors, 0 if tensors[0].dim() == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    return cat([atleast_2d(x) for x in tensors], 0, out=out)


row_stack = vstack


def atleast_1d(x):
    return reshape(x, (1,)) if x.dim() == 0 else x


def atleast_2d(x):
    return reshape(x, (1, -1)) if x.dim() < 2 else x


@op(promote=NONE, varargs=1, linear=True, out=False)
def repeat(input: T, repeats):
    repeats = _size_arg(repeats)
    check(
        len(repeats) >= input.ndim,
        RuntimeError,
        "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
    )
    x = input.reshape((1,) * (len(repeats) - input.ndim) + input.shape)
    return jnp.tile(x, repeats)


@op(promote=NONE, varargs=1, linear=True, out=False, grad_name="RepeatBackward0")
def tile(input: T, dims):
    dims = _size_arg(dims)
    dims = (1,) * (input.ndim - len(dims)) + tuple(dims)
    return repeat.fn(input, dims)


@op(promote=NONE, linear=True, out=False)
def repeat_interleave(input: T, repeats, dim=None, *, output_size=None):
    from ..tensor import Tensor

    if isinstance(repeats, Tensor):
        raise NotImplementedError("torch.repeat_interleave with a tensor of repeats is not supported by jtorch yet")
    if dim is None:
        return jnp.repeat(input.reshape(-1), repeats)
    return jnp.repeat(input, repeats, axis=wrap_dim(dim, input.ndim))


@op(promote=NONE, varargs=1, linear=True)
def flip(input: T, dims):
    dims = tuple(wrap_dim(d, input.ndim) for d in _size_arg(dims))
    return jnp.flip(input, dims) if dims else input


@op(promote=NONE, linear=True, method=False)
def fliplr(input: T):
    check(input.ndim >= 2, RuntimeError, "Input must be >= 2-d.")
    return jnp.flip(input, 1)


@op(promote=NONE, linear=True, method=False)
def flipud(input: T):
    check(input.ndim >= 1, RuntimeError, "Input must be >= 1-d.")
    return jnp.flip(input, 0)


@op(promote=NONE, linear=True, out=False)
def roll(input: T, shifts, dims=None):
    if dims is None:
        return jnp.roll(input.reshape(-1), shifts).reshape(input.shape)
    dims = dims if isinstance(dims, (list, tuple)) else (dims,)
    return jnp.roll(input, shifts, tuple(wrap_dim(d, input.ndim) for d in dims))


@op(promote=NONE, linear=True)
def diag(input: T, diagonal=0):
    check(input.ndim in (1, 2), RuntimeError, "diag(): Supports 1D or 2D tensors. Got " + str(input.ndim) + "D")
    return jnp.diag(input, diagonal)


@op(promote=NONE, inplace=True, linear=True)
def tril(input: T, diagonal=0):
    check(input.ndim >= 2, RuntimeError, "tril: input tensor must have at least 2 dimensions")
    return jnp.tril(input, diagonal)


@op(promote=NONE, inplace=True, linear=True)
def triu(input: T, diagonal=0):
    check(input.ndim >= 2, RuntimeError, "triu: input tensor must have at least 2 dimensions")
    return jnp.triu(input, diagonal)


@op(promote=NONE, linear=True, out=False)
def clone(input: T, *, memory_format=None):
    return jnp.array(input, copy=True)


@method("contiguous")
def contiguous(input, memory_format=None):
    return input if input.is_contiguous() else clone(input)



def broadcast_tensors(*tensors):
    """torch.broadcast_tensors: views of the tensors expanded to their common shape."""
    from .._errors import broadcast_shapes

    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*(t._shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)
