"""Shape ops: views (view, transpose, permute, squeeze, expand, split, ...) and copies (cat,
stack, repeat, flip, roll, tril, ...).

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
from .._errors import broadcast_shapes, check, wrap_dim
from ._registry import NONE, TL, D, T, dtype_title, method, op

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


def _size_arg(shape):
    """``f(2, 3)`` and ``f((2, 3))`` alike: the sizes as a tuple of ints."""
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


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


def _check_view(input, shape):
    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        raise NotImplementedError("Tensor.view(dtype) is not supported by jtorch yet")
    check(
        _viewable(input, shape),
        RuntimeError,
        "view size is not compatible with input tensor's size and stride (at least one dimension spans "
        "across two contiguous subspaces). Use .reshape(...) instead.",
    )


# ---- views ------------------------------------------------------------------------------------


@op(promote=NONE, view=True, varargs=1, pre=_check_view, linear=True, out=False)
def view(input: T, size):
    return input.reshape(infer_shape(_size_arg(size), input.size))


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
    sizes = tuple(sizes)
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
    return jnp.broadcast_to(input, _expand_shape(input, _size_arg((size,))))


def broadcast_tensors(*tensors):
    """torch.broadcast_tensors: views of the tensors expanded to their common shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*(t._shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def _check_select(input, dim, index):
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


def _check_narrow(input, dim, start, length):
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
    sizes = tuple(split_size_or_sections)
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


# ---- joins ------------------------------------------------------------------------------------


def _cat_check(tensors, dim):
    """The wrapped cat dim; torch skips legacy empty (0,) tensors in its shape checks."""
    for i, x in enumerate(tensors):
        check(
            x.ndim > 0,
            RuntimeError,
            lambda: f"zero-dimensional tensor (at position {i}) cannot be concatenated",
        )
    shaped = [(i, x) for i, x in enumerate(tensors) if x.shape != (0,)]
    if not shaped:
        return None
    ref = shaped[0][1]
    d = wrap_dim(dim, ref.ndim)
    for i, x in shaped:
        check(
            x.ndim == ref.ndim,
            RuntimeError,
            lambda: f"Tensors must have same number of dimensions: got {ref.ndim} and {x.ndim}",
        )
        for j in range(ref.ndim):
            check(
                j == d or x.shape[j] == ref.shape[j],
                RuntimeError,
                lambda: (
                    f"Sizes of tensors must match except in dimension {d}. Expected size {ref.shape[j]} "
                    f"but got size {x.shape[j]} for tensor number {i} in the list."
                ),
            )
    return d


def _check_nonempty(name):
    def pre(tensors, dim=0):
        check(len(tensors) > 0, ValueError if name == "cat" else RuntimeError, _EMPTY[name])

    return pre


_EMPTY = {
    "cat": "torch.cat(): expected a non-empty list of Tensors",
    "stack": "stack expects a non-empty TensorList",
}


@op(method=False, linear=True, pre=_check_nonempty("cat"))
def cat(tensors: TL, dim=0):
    d = _cat_check(tensors, dim)
    if d is None:
        return tensors[0]
    return jnp.concatenate([x for x in tensors if x.shape != (0,)], axis=d)


concat = concatenate = cat


@op(method=False, linear=True, pre=_check_nonempty("stack"))
def stack(tensors: TL, dim=0):
    for i, x in enumerate(tensors):
        check(
            x.shape == tensors[0].shape,
            RuntimeError,
            lambda: (
                f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at entry 0 "
                f"and {list(x.shape)} at entry {i}"
            ),
        )
    return jnp.stack(tensors, axis=wrap_dim(dim, tensors[0].ndim + 1))


def _tensors_arg(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(tensors[0]), True
    return tensors, len(tensors) != 1


def _atleast(fn):
    def atleast(*tensors):
        tensors, many = _tensors_arg(tensors)
        out = tuple(fn(x) for x in tensors)
        return out if many else out[0]

    atleast.__name__ = fn.__name__
    atleast.__doc__ = fn.__doc__
    return atleast


@_atleast
def atleast_1d(x):
    """The tensor(s) with at least one dim (views)."""
    return reshape(x, (1,)) if x.dim() == 0 else x


@_atleast
def atleast_2d(x):
    """The tensor(s) with at least two dims (views)."""
    return reshape(x, (1, 1)) if x.dim() == 0 else unsqueeze(x, 0) if x.dim() == 1 else x


@_atleast
def atleast_3d(x):
    """The tensor(s) with at least three dims (views)."""
    nd = x.dim()
    if nd == 0:
        return reshape(x, (1, 1, 1))
    if nd == 1:
        return unsqueeze(unsqueeze(x, 0), -1)
    return unsqueeze(x, -1) if nd == 2 else x


def _stacker(name, prepare, dim):
    def stacker(tensors, *, out=None):
        check(len(tensors) > 0, RuntimeError, f"{name} expects a non-empty TensorList")
        tensors = [prepare(x) for x in tensors]
        return cat(tensors, dim(tensors), out=out)

    stacker.__name__ = name
    stacker.__doc__ = f"torch.{name}: ``cat`` of the tensors made at least {name[0]}-stacked."
    return stacker


def _column(x):
    return reshape(x, (x.numel(), 1)) if x.dim() <= 1 else x


hstack = _stacker("hstack", atleast_1d, lambda ts: 0 if ts[0].dim() == 1 else 1)
vstack = _stacker("vstack", atleast_2d, lambda ts: 0)
row_stack = vstack
dstack = _stacker("dstack", atleast_3d, lambda ts: 2)
column_stack = _stacker("column_stack", _column, lambda ts: 1)


# ---- repeats ----------------------------------------------------------------------------------


def _check_sizes(shape):
    for s in shape:
        check(
            s >= 0,
            RuntimeError,
            lambda: f"Trying to create tensor with negative dimension {s}: {list(shape)}",
        )


@op(promote=NONE, varargs=1, linear=True, out=False)
def repeat(input: T, repeats):
    repeats = _size_arg((repeats,))
    check(
        len(repeats) >= input.ndim,
        RuntimeError,
        "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
    )
    x = input.reshape((1,) * (len(repeats) - input.ndim) + input.shape)
    _check_sizes(tuple(r * s for r, s in zip(repeats, x.shape)))
    return jnp.tile(x, repeats)


@op(promote=NONE, varargs=1, linear=True, out=False, grad_name="RepeatBackward0")
def tile(input: T, dims):
    dims = _size_arg((dims,))
    return repeat.fn(input, (1,) * (input.ndim - len(dims)) + dims)


@op(
    "_repeat_interleave",
    promote=NONE,
    method=False,
    linear=True,
    out=False,
    grad_name="ViewBackward0",
)
def _repeat_interleave(input: T, repeats, dim):
    return jnp.repeat(input, repeats, axis=dim)


@method("repeat_interleave")
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (along ``dim``, or of the flattened input) ``repeats`` times; with
    a tensor of counts the positions are found on the host, as the result's size depends on them.
    ``repeat_interleave(repeats)`` alone gives the indices ``arange(len(repeats))`` repeated."""
    from ..tensor import Tensor
    from .indexing import _wrap_np, index_select

    if repeats is None:
        check(input.dim() == 1, RuntimeError, "repeat_interleave only accept 1D vector as repeat")
        counts = _repeat_counts(input)
        return _sized(_wrap_np(np.repeat(np.arange(len(counts)), counts), input), output_size)
    if dim is None:
        input, dim = reshape(input, (-1,)), 0
    d = wrap_dim(dim, input.dim())
    size = input._shape[d]
    if not isinstance(repeats, Tensor):
        check(repeats >= 0, RuntimeError, "Repeats must be non-negative")
        _check_output_size(output_size, size * repeats)
        return _repeat_interleave(input, int(repeats), d)
    counts = _repeat_counts(repeats)
    check(
        counts.size in (1, size),
        RuntimeError,
        lambda: (
            f"repeats must have the same size as input along dim, but got repeats.size(0) = {counts.size} "
            f"and input.size({d}) = {size}"
        ),
    )
    counts = np.broadcast_to(counts, (size,))
    index = _sized(_wrap_np(np.repeat(np.arange(size), counts), input), output_size)
    return index_select(input, d, index)


def _repeat_counts(repeats):
    """The counts in tensor ``repeats``, on the host."""
    check(repeats.dim() <= 1, RuntimeError, "repeats must be 0-dim or 1-dim tensor")
    check(
        _dtype.is_integral(repeats._dtype),
        NotImplementedError,
        lambda: f"\"repeat_interleave_cpu\" not implemented for '{dtype_title(repeats._dtype)}'",
    )
    counts = repeats._host().reshape(-1).astype(np.int64)
    check(not (counts < 0).any(), RuntimeError, "repeats can not be negative")
    return counts


def _sized(index, output_size):
    check(
        output_size is None or output_size == index.numel(),
        RuntimeError,
        "allocated size does not match required size",
    )
    return index


def _check_output_size(output_size, expected):
    check(
        output_size is None or output_size == expected,
        RuntimeError,
        lambda: (
            f"repeat_interleave: Invalid output_size, expected {expected} but got {output_size}"
        ),
    )


# ---- flips, rolls, diagonals, triangles ---------------------------------------------------------


@op(promote=NONE, varargs=1, linear=True, out=False)
def flip(input: T, dims):
    dims = _dims_arg(dims, input.ndim)
    return jnp.flip(input, dims) if dims and input.ndim else input


@op(promote=NONE, linear=True, out=False, grad_name="FlipBackward0")
def fliplr(input: T):
    check(input.ndim >= 2, RuntimeError, "Input must be >= 2-d.")
    return jnp.flip(input, 1)


@op(promote=NONE, linear=True, out=False, grad_name="FlipBackward0")
def flipud(input: T):
    check(input.ndim >= 1, RuntimeError, "Input must be >= 1-d.")
    return jnp.flip(input, 0)


@op(promote=NONE, linear=True, out=False)
def roll(input: T, shifts, dims=None):
    shifts = tuple(shifts) if isinstance(shifts, (list, tuple)) else (shifts,)
    check(len(shifts) > 0, RuntimeError, "`shifts` required")
    if dims is None or dims == ():
        check(
            len(shifts) == 1,
            RuntimeError,
            lambda: f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0",
        )
        return jnp.roll(input.reshape(-1), shifts[0]).reshape(input.shape)
    dims = tuple(dims) if isinstance(dims, (list, tuple)) else (dims,)
    check(
        len(shifts) == len(dims),
        RuntimeError,
        lambda: f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}",
    )
    return jnp.roll(input, shifts, tuple(wrap_dim(d, input.ndim) for d in dims))


@op(promote=NONE, linear=True)
def diag(input: T, diagonal=0):
    check(
        input.ndim in (1, 2),
        RuntimeError,
        lambda: f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D",
    )
    return jnp.diag(input, diagonal)


@op(promote=NONE, linear=True, out=False)
def diag_embed(input: T, offset=0, dim1=-2, dim2=-1):
    d1, d2 = _diagonal_dims(input.ndim + 1, dim1, dim2)
    m = input.shape[-1] if input.ndim else 1
    n = m + abs(offset)
    rows = jnp.arange(m) + max(-offset, 0)
    cols = jnp.arange(m) + max(offset, 0)
    out = jnp.zeros(input.shape[:-1] + (n, n), input.dtype).at[..., rows, cols].set(input)
    return jnp.moveaxis(out, (-2, -1), (d1, d2))


def _check_matrix(name, x):
    check(x.ndim >= 2, RuntimeError, f"{name}: input tensor must have at least 2 dimensions")


@op(promote=NONE, inplace=True, linear=True)
def tril(input: T, diagonal=0):
    _check_matrix("tril", input)
    return jnp.tril(input, diagonal)


@op(promote=NONE, inplace=True, linear=True)
def triu(input: T, diagonal=0):
    _check_matrix("triu", input)
    return jnp.triu(input, diagonal)


# ---- copies -----------------------------------------------------------------------------------


@op(promote=NONE, linear=True, out=False)
def clone(input: T, *, memory_format=None):
    return jnp.array(input, copy=True)


@method("contiguous")
def contiguous(input, memory_format=None):
    return input if input.is_contiguous() else clone(input)
