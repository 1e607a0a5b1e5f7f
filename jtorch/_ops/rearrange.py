"""Shape ops that copy: cat/stack and their h/v/d/column forms, repeat/tile/repeat_interleave,
flip/roll, diag/diag_embed, tril/triu, clone and contiguous. (Views are in shape.py.)
"""


import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._errors import check, int_list, wrap_dim
from ._registry import NONE, TL, T, dtype_title, method, op
from .shape import _diagonal_dims, _dims_arg, _size_arg, reshape, unsqueeze


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
    from .indexing import _wrap_np
    from .selection import index_select

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
    seq = isinstance(shifts, (list, tuple))
    shifts = int_list(shifts if seq else (shifts,), "roll", "shifts", not seq)
    check(len(shifts) > 0, RuntimeError, "`shifts` required")
    if dims is None or dims == ():
        check(
            len(shifts) == 1,
            RuntimeError,
            lambda: f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0",
        )
        return jnp.roll(input.reshape(-1), shifts[0]).reshape(input.shape)
    seq = isinstance(dims, (list, tuple))
    dims = int_list(dims if seq else (dims,), "roll", "dims", not seq, position=2)
    check(
        input.ndim > 0,
        IndexError,
        lambda: f"Dimension specified as {dims[0]} but tensor has no dimensions",
    )
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
