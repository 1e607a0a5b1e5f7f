"""Ops derived from view ops: the ``X_copy`` variants and the ``X_scatter`` ops.

``X_copy`` is the view op's own pure function registered as a copying op (a fresh tensor with
``out=``, grad_fn ``<view's>_copy``). ``X_scatter(input, src, *view_args)`` writes ``src`` into
the elements of ``input`` that the view would select: the view function is applied to an iota
of ``input``'s flat indices (as views are written back, Note [views and versions] in
_storage.py), and ``src`` is scattered there. Neither has per-op code.
"""

import inspect

import jax.numpy as jnp

from .._errors import check
from . import shape
from ._registry import NONE, T, op


def _grad_name(view_op, suffix):
    name = view_op.grad_name
    if callable(name):
        return lambda *args, **kwargs: name(*args, **kwargs) + suffix
    return name + suffix


def copy_variant(view_op, grad_name=None, method=False, pre=None):
    """Register ``<view_op>_copy``: the view's values in a new tensor."""
    return op(
        view_op.__name__ + "_copy",
        promote=NONE,
        method=method,
        linear=True,
        varargs=view_op.varargs,
        pre=pre or view_op.pre,
        grad_name=grad_name or _grad_name(view_op, "_copy"),
    )(view_op.fn)


def scatter_variant(view_op, pre=None):
    """Register ``<view_op>_scatter(input, src, *view_args)``: ``input`` with ``src`` written
    into the view's elements (``src`` cast to ``input``'s dtype, as torch does)."""
    view_fn = view_op.fn
    view_params = list(inspect.signature(view_fn).parameters.values())

    def scatter(input, src, **view_args):
        index = view_fn(jnp.arange(input.size).reshape(input.shape), **view_args)
        check(
            src.shape == index.shape,
            RuntimeError,
            lambda: (
                f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                f"slice size = {list(index.shape)}"
            ),
        )
        flat = input.reshape(-1).at[index.reshape(-1)].set(src.astype(input.dtype).reshape(-1))
        return flat.reshape(input.shape)

    src = inspect.Parameter("src", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=T)
    scatter.__signature__ = inspect.Signature([view_params[0], src, *view_params[1:]])
    scatter.__doc__ = f"torch.{view_op.__name__}_scatter: the input with src embedded as its {view_op.__name__} view."
    pre = pre or view_op.pre
    return op(
        view_op.__name__ + "_scatter",
        promote=NONE,
        pre=None if pre is None else (lambda input, src, *args: pre(input, *args)),
    )(scatter)


def _check_narrow_copy(input, dim, start, length):
    # narrow_copy checks a few things before (and in other words than) narrow.
    check(
        input.dim() == 0 or dim < input.dim(),
        RuntimeError,
        "Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, but got false.",
    )
    if input.dim() and isinstance(start, int) and -input.dim() <= dim:
        check(
            length >= 0,
            RuntimeError,
            lambda: f"start ({start}) + length ({length}) exceeds dimension size ({input.size(dim)}).",
        )
    shape.narrow.pre(input, dim, start, length)


alias_copy = copy_variant(shape.alias)
as_strided_copy = copy_variant(shape.as_strided)
diagonal_copy = copy_variant(shape.diagonal)
expand_copy = copy_variant(shape.expand)
narrow_copy = copy_variant(shape.narrow, grad_name="NarrowCopyBackward0", method=True, pre=_check_narrow_copy)
permute_copy = copy_variant(shape.permute)
squeeze_copy = copy_variant(shape.squeeze)
t_copy = copy_variant(shape.t)
transpose_copy = copy_variant(shape.transpose)
unbind_copy = copy_variant(shape.unbind)
unfold_copy = copy_variant(shape.unfold)
unsqueeze_copy = copy_variant(shape.unsqueeze)
view_copy = copy_variant(shape.view)
split_with_sizes_copy = copy_variant(shape.split_with_sizes)

def _check_as_strided_scatter(input, size, stride, storage_offset=None):
    # torch scatters into ``input.clone()``, which keeps a non-contiguous input's strides.
    if not input.is_contiguous():
        raise NotImplementedError("torch.as_strided_scatter: a non-contiguous input is not supported by jtorch")
    shape.as_strided_bounds(input, size, stride, storage_offset)


as_strided_scatter = scatter_variant(shape.as_strided, pre=_check_as_strided_scatter)
diagonal_scatter = scatter_variant(shape.diagonal)
select_scatter = scatter_variant(shape.select)
slice_scatter = scatter_variant(shape.slice_op)
