"""Lookups of torch.nn.functional: one_hot, embedding (and torch.embedding_renorm_ for
``max_norm``), embedding_bag."""

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._errors import check
from ..autograd import grad_mode
from ._registry import NONE, TN, TT, dispatch_inplace, op

# ---- one_hot ----------------------------------------------------------------------------------


def _check_long(tensor):
    check(
        tensor.dtype is _dtype.int64,
        RuntimeError,
        "one_hot is only applicable to index tensor of type LongTensor.",
    )


def _one_hot_pre(tensor, num_classes):
    h = np.asarray(tensor._value())
    check(not (h < 0).any(), RuntimeError, "Class values must be non-negative.")
    check(not (h >= num_classes).any(), RuntimeError, "Class values must be smaller than num_classes.")


@op("_one_hot", method=False, out=False, promote=NONE, pre=_one_hot_pre)
def _one_hot(tensor: TN, num_classes):
    return (tensor[..., None] == jnp.arange(num_classes)).astype(jnp.int64)


def one_hot(tensor, num_classes=-1):
    """torch.nn.functional.one_hot: int64 one-hot rows; ``num_classes=-1`` takes max + 1."""
    _check_long(tensor)
    if num_classes == -1:
        check(tensor.numel() > 0, RuntimeError, "Can not infer total number of classes from empty tensor.")
        num_classes = int(np.asarray(tensor._value()).max()) + 1
    return _one_hot(tensor, num_classes)


# ---- embedding --------------------------------------------------------------------------------


@jax.custom_vjp
def _scale_grad(x, s):
    """``x``, with its gradient multiplied by ``s`` (torch's padding_idx / scale_grad_by_freq)."""
    return x


def _scale_grad_fwd(x, s):
    return x, s


def _scale_grad_bwd(s, g):
    return g * s, jnp.zeros_like(s)


_scale_grad.defvjp(_scale_grad_fwd, _scale_grad_bwd)


def _check_indices(indices, name):
    check(
        indices.dtype in (_dtype.int64, _dtype.int32),
        RuntimeError,
        lambda: f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
        f"Long, Int; but got {indices.type()} instead (while checking arguments for {name})",
    )


def _embedding_pre(weight, indices, *rest):
    _check_indices(indices, "embedding")
    h = np.asarray(indices._value())
    check(bool(((h >= 0) & (h < weight.shape[0])).all()), IndexError, "index out of range in self")


@op(method=False, promote=NONE, pre=_embedding_pre)
def embedding(weight: TT, indices: TN, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """torch.embedding: rows of ``weight``; no gradient to row ``padding_idx``, and gradients
    divided by each index's count with ``scale_grad_by_freq``."""
    check(weight.ndim == 2, RuntimeError, "'weight' must be 2-D")
    check(not sparse, NotImplementedError, "torch.embedding(sparse=True): sparse gradients are not supported by jtorch")
    out = weight[indices]
    if padding_idx < 0 and not scale_grad_by_freq:
        return out
    s = jnp.ones(indices.shape, weight.dtype)
    if scale_grad_by_freq:
        counts = jnp.zeros(weight.shape[0], weight.dtype).at[indices].add(1)
        s = 1 / counts[indices]
    if padding_idx >= 0:
        s = jnp.where(indices == padding_idx, 0, s)
    return _scale_grad(out, s[..., None])


@op(method=False, promote=NONE)
def embedding_renorm(input: TT, indices: TN, max_norm, norm_type):
    """Rows of ``input`` named in ``indices`` rescaled to norm at most ``max_norm``."""
    rows = jnp.zeros(input.shape[0], bool).at[indices.reshape(-1)].set(True)
    norms = jnp.sum(jnp.abs(input) ** norm_type, axis=1) ** (1.0 / norm_type)
    scale = jnp.where(rows & (norms > max_norm), max_norm / (norms + 1e-7), 1)
    return input * scale[:, None].astype(input.dtype)


def _padding_idx(padding_idx, num):
    if padding_idx is None:
        return -1
    if padding_idx >= 0:
        check(padding_idx < num, AssertionError, "Padding_idx must be within num_embeddings")
        return padding_idx
    check(padding_idx >= -num, AssertionError, "Padding_idx must be within num_embeddings")
    return num + padding_idx


def embedding_renorm_(weight, input, max_norm, norm_type):
    """torch.embedding_renorm_: ``embedding_renorm`` written into ``weight``, untracked."""
    with grad_mode.no_grad():
        dispatch_inplace(embedding_renorm, weight, (input, max_norm, float(norm_type)), {})
    return weight


def F_embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    """torch.nn.functional.embedding: ``weight[input]``; ``max_norm`` first renormalizes the
    looked-up rows of ``weight`` in place, as torch does."""
    check(getattr(weight, "ndim", 0) == 2, RuntimeError, "'weight' must be 2-D")
    padding_idx = _padding_idx(padding_idx, weight.shape[0])
    if max_norm is not None:
        embedding_renorm_(weight, input, max_norm, norm_type)
    return embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)
