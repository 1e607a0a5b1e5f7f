"""Lookups of torch.nn.functional: one_hot, embedding (and torch.embedding_renorm_ for
``max_norm``), embedding_bag."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype, _tracing
from .._errors import check
from ..autograd import grad_mode
from . import _registry
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
    h = indices._value()
    if _tracing.traced(h):
        bad = (h < 0) | (h >= weight.shape[0])
        return _tracing.deferred(bad, h, IndexError, lambda v: "index out of range in self")
    h = np.asarray(h)
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



# ---- embedding_bag ----------------------------------------------------------------------------
#
# Bags are segments of the flat ``input``: element i belongs to bag ``b`` when
# ``offsets[b] <= i < offsets[b + 1]`` (the last bag runs to the end, or to ``offsets[-1]`` with
# ``include_last_offset``); elements equal to ``padding_idx`` belong to no bag. Segment ids send
# out-of-range elements to a dropped segment, so one traced function serves every offsets value.

_BAG_MODES = {"sum": 0, "mean": 1, "max": 2}


def _embedding_bag_pre(
    weight,
    input,
    offsets,
    scale_grad_by_freq,
    mode,
    per_sample_weights,
    include_last_offset,
    padding_idx,
):
    _check_indices(input, "embedding_bag")
    _check_indices(offsets, "embedding_bag")
    num = weight.shape[0]
    check(
        padding_idx is None or -num <= padding_idx < num,
        RuntimeError,
        lambda: (
            f"padding_idx must be within the number of embeddings, {-num} through {num - 1}, but got {padding_idx}"
        ),
    )
    if per_sample_weights is not None:
        check(
            per_sample_weights.dtype == weight.dtype,
            RuntimeError,
            lambda: (
                f"Expected tensor for argument #1 'weight' to have the same type as tensor for argument #1 "
                f"'per_sample_weights'; but type {weight.type()} does not equal {per_sample_weights.type()} "
                "(while checking arguments for embedding_bag)"
            ),
        )
    idx, off = np.asarray(input._value()), np.asarray(offsets._value())
    if off.size:
        check(
            off[0] == 0,
            RuntimeError,
            lambda: (
                "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. "
                f"However, got {off[0]}\n[ {offsets.type()}{{}} ]"
            ),
        )
        check(
            off[-1] <= idx.size,
            RuntimeError,
            lambda: (
                f"offsets[-1] can not be greater than input's length {idx.size} but got offsets[-1] of {off[-1]}"
            ),
        )
        check(
            not include_last_offset or off[-1] == idx.size,
            NotImplementedError,
            "embedding_bag(include_last_offset=True) with offsets[-1] short of the input's length: torch's "
            "result differs by mode and path there; not supported by jtorch",
        )
        check(
            bool((np.diff(off) >= 0).all()),
            RuntimeError,
            "Expected i < index_size to be true, but got false.  (Could this error message be improved?  If so, "
            "please report an enhancement request to PyTorch.)",
        )
    bad = np.flatnonzero((idx < 0) | (idx >= num))
    check(
        bad.size == 0,
        RuntimeError,
        lambda: (
            f"Index {bad[0]} of input takes value {idx[bad[0]]} which is not in the valid range [0, {num})"
        ),
    )


@op(
    method=False, promote=NONE, out=False, pre=_embedding_bag_pre, grad_name="EmbeddingBagBackward0"
)
def _embedding_bag(
    weight: TT,
    input: TN,
    offsets: TN,
    scale_grad_by_freq=False,
    mode=1,
    per_sample_weights: TN = None,
    include_last_offset=False,
    padding_idx=None,
):
    """torch.embedding_bag's output: the sum, mean or max of each bag of rows of ``weight``
    (an empty bag gives zeros)."""
    bags = offsets.shape[0] - 1 if include_last_offset else offsets.shape[0]
    seg = jnp.searchsorted(offsets, jnp.arange(input.shape[0]), side="right") - 1
    if padding_idx is not None:
        seg = jnp.where(input == padding_idx % weight.shape[0], bags, seg)
    rows = weight[input]
    if scale_grad_by_freq:
        rows = _scale_grad(
            rows, _bag_freq_scale(input, weight.shape[0]).astype(rows.dtype)[:, None]
        )
    if mode == 2:
        return _bag_max(rows, seg, bags)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights[:, None]
    out = jax.ops.segment_sum(rows, seg, bags)
    if mode == 1:
        size = jax.ops.segment_sum(jnp.ones_like(seg), seg, bags)
        out = out / jnp.maximum(size, 1)[:, None].astype(out.dtype)
    return out


def _bag_freq_scale(input, num):
    """The gradient scale of each element under ``scale_grad_by_freq``. torch's CPU kernel
    divides the gradient of the i-th distinct index by the count of ``sort(input)[i]``, not by
    that index's own count (they agree when the distinct indices have equal counts); jtorch
    follows it so that gradients match."""
    counts = jnp.zeros(num, jnp.int64).at[input].add(1)
    rank = jnp.cumsum(counts > 0) - 1  # of each present index among the distinct ones
    return 1 / counts[jnp.sort(input)[rank[input]]]


def _bag_max(rows, seg, bags):
    """Each bag's maximum per column, taken from its first maximal row (where torch's backward
    sends the gradient)."""
    top = jax.ops.segment_max(rows, seg, bags)
    n = rows.shape[0]
    at_top = rows == top[jnp.clip(seg, 0, max(bags - 1, 0))]
    order = jnp.where(at_top, jnp.arange(n)[:, None], n)
    first = jax.ops.segment_min(order, seg, bags)
    padded = jnp.concatenate([rows, jnp.zeros((1, rows.shape[1]), rows.dtype)])
    return jnp.take_along_axis(padded, jnp.minimum(first, n), axis=0)


def _type_str(value):
    return "<class 'torch.Tensor'>" if isinstance(value, _registry._Tensor) else str(type(value))


def _bag_inputs(input, offsets, per_sample_weights, include_last_offset):
    """torch's F.embedding_bag checks; a 2-D input becomes fixed-length bags."""
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length "
                f"sequences. However, found offsets of type {_type_str(offsets)}"
            )
        from .ranges import arange

        offsets = arange(0, input.numel(), input.size(1), dtype=input.dtype, device=input.device)
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
        return input, offsets, per_sample_weights, False
    if input.dim() != 1:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}"
        )
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    if offsets.dim() != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    return input, offsets, per_sample_weights, include_last_offset


def embedding_bag(
    input,
    weight,
    offsets=None,
    max_norm=None,
    norm_type=2,
    scale_grad_by_freq=False,
    mode="mean",
    sparse=False,
    per_sample_weights=None,
    include_last_offset=False,
    padding_idx=None,
):
    """torch.nn.functional.embedding_bag: the sum, mean or max of bags of rows of ``weight``,
    without the intermediate lookups. ``input`` is 2-D (fixed-size bags) or 1-D with
    ``offsets`` (where each bag starts); ``per_sample_weights`` scale rows (``mode='sum'``).

    Differences from torch: ``sparse=True`` raises NotImplementedError."""
    if weight.dtype is _dtype.int64 and input.is_floating_point():
        warnings.warn(
            "Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, input, ...)` "
            "is deprecated, and should now be `embedding_bag(input, weight, ...)`.",
            stacklevel=2,
        )
        weight, input = input, weight
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it must have the "
            f"same shape as the input ({input.shape})"
        )
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}"
        )
    input, offsets, per_sample_weights, include_last_offset = _bag_inputs(
        input, offsets, per_sample_weights, include_last_offset
    )
    if mode not in _BAG_MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:
        embedding_renorm_(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' "
            f"(got mode='{mode}'). Please open a feature request on GitHub."
        )
    check(
        not sparse,
        NotImplementedError,
        "embedding_bag(sparse=True): sparse gradients are not supported by jtorch",
    )
    return _embedding_bag(
        weight,
        input,
        offsets,
        scale_grad_by_freq,
        _BAG_MODES[mode],
        per_sample_weights,
        include_last_offset,
        padding_idx,
    )
