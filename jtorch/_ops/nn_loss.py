"""Losses of torch.nn.functional: classification (nll_loss, cross_entropy, binary cross
entropies, margin losses), regression (l1, mse, smooth_l1, huber, poisson/gaussian nll) and
embedding losses (cosine, hinge, triplet).

Each loss is one op with torch's full signature, so the legacy ``size_average``/``reduce``
arguments map to ``reduction`` at trace time (``_reduction``, with torch's warning), and a
loss is one jitted call and one autograd node. Value checks (class indices in range,
probabilities in [0, 1], non-negative variances) run in ``pre`` hooks on the host.
"""

import functools
import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype, _tracing
from .._errors import broadcast_shapes, check
from ..autograd import grad_mode
from ._registry import INT_TO_FLOAT, NONE, TN, TT, T, op
from .nn_activation import log_softmax
from .nn_distance import pairwise_distance
from .nn_linear import linear
from .pointwise import _clamp, _title

# ---- reductions ------------------------------------------------------------------------------


def _reduction(size_average=None, reduce=None, reduction="mean"):
    """torch's _Reduction: the legacy ``size_average``/``reduce`` pair wins over ``reduction``."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
            "instead.",
            stacklevel=2,
        )
        return reduction
    check(
        reduction in ("none", "mean", "sum"),
        ValueError,
        lambda: f"{reduction} is not a valid value for reduction",
    )
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return jnp.mean(loss)
    if reduction == "sum":
        return jnp.sum(loss)
    return loss


def _clamp_min0(x):
    """max(x, 0) with torch's clamp_min gradient (1 at x == 0)."""
    return _clamp(x, jnp.zeros((), x.dtype), None)


def _size_warning(input, target):
    if input.shape != target.shape:
        warnings.warn(
            f"Using a target size (torch.Size({list(target.shape)})) that is different to the input "
            f"size (torch.Size({list(input.shape)})). This will likely lead to incorrect results due "
            "to broadcasting. Please ensure they have the same size.",
            stacklevel=2,
        )


def _weighted(loss, input, weight, reduction, mean_by_weight=True):
    """torch's Python path for the ``weight=`` of l1/mse/huber losses."""
    check(
        weight.shape == input.shape,
        ValueError,
        "Weights and input must have the same size.",
    )
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return jnp.sum(loss) / jnp.sum(weight)
    return _reduce(loss, reduction)


def _pointwise_loss(input, target, weight, reduction, f, mean_by_weight=True):
    _size_warning(input, target)
    x, y = jnp.broadcast_arrays(input, target)
    loss = f(x - y)
    if weight is None:
        return _reduce(loss, reduction)
    return _weighted(loss, input, weight, reduction, mean_by_weight)


# ---- regression losses -----------------------------------------------------------------------


@op("nn.functional.l1_loss", method=False, broadcast=True)
def l1_loss(input: T, target: T, size_average=None, reduce=None, reduction="mean", weight: T = None):
    return _pointwise_loss(input, target, weight, _reduction(size_average, reduce, reduction), jnp.abs)


@op("nn.functional.mse_loss", method=False, broadcast=True)
def mse_loss(input: T, target: T, size_average=None, reduce=None, reduction="mean", weight: T = None):
    return _pointwise_loss(input, target, weight, _reduction(size_average, reduce, reduction), jnp.square)


def _smooth_l1(d, beta):
    a = jnp.abs(d)
    return jnp.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)


@op("nn.functional.smooth_l1_loss", method=False, broadcast=True)
def smooth_l1_loss(input: T, target: T, size_average=None, reduce=None, reduction="mean", beta=1.0):
    check(beta >= 0, RuntimeError, "smooth_l1_loss does not support negative values for beta.")
    f = jnp.abs if beta == 0 else (lambda d: _smooth_l1(d, beta))
    return _pointwise_loss(input, target, None, _reduction(size_average, reduce, reduction), f)


@op("nn.functional.huber_loss", method=False)
def huber_loss(input: T, target: T, reduction="mean", delta=1.0, weight: T = None):
    check(delta > 0, RuntimeError, "huber_loss does not support non-positive values for delta.")
    reduction = _reduction(reduction=reduction)
    return _pointwise_loss(
        input, target, weight, reduction, lambda d: _smooth_l1(d, delta) * delta, mean_by_weight=False
    )


@op("nn.functional.poisson_nll_loss", method=False, broadcast=True, promote=INT_TO_FLOAT)
def poisson_nll_loss(
    input: T, target: T, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None, reduction="mean"
):
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = jnp.exp(input) - target * input
    else:
        loss = input - target * jnp.log(input + eps)
    if full:
        big = target > 1
        t = jnp.where(big, target, 2)  # keeps log(0) out of the masked gradient
        stirling = t * jnp.log(t) - t + 0.5 * jnp.log(2 * math.pi * t)
        loss = loss + jnp.where(big, stirling, 0)
    return _reduce(loss, reduction)


def _gaussian_pre(input, target, var, full=False, eps=1e-6, reduction="mean"):
    negative = bool((np.asarray(var._value()) < 0).any()) if hasattr(var, "_value") else var < 0
    check(not negative, ValueError, "var has negative entry/entries")


def _gaussian_var(input, var):
    if var.shape == input.shape:
        return var
    if input.shape[:-1] == var.shape:
        return var[..., None]
    mismatched = [v for n, v in zip(input.shape, var.shape) if n != v]
    check(
        input.ndim == var.ndim and sum(mismatched) == 1,
        ValueError,
        "var is of incorrect size",
    )
    return var


@op("nn.functional.gaussian_nll_loss", method=False, pre=_gaussian_pre)
def gaussian_nll_loss(input: T, target: T, var: T, full=False, eps=1e-6, reduction="mean"):
    broadcast_shapes(input.shape, target.shape)
    var = _gaussian_var(input, jnp.broadcast_to(var, input.shape) if var.ndim == 0 else var)
    check(reduction in ("none", "mean", "sum"), ValueError, lambda: reduction + " is not valid")
    var = var + jax.lax.stop_gradient(jnp.maximum(var, eps) - var)  # clamped under no_grad
    loss = 0.5 * (jnp.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ---- class-index losses ----------------------------------------------------------------------


def _check_target_dtype(target):
    check(
        target.dtype in (jnp.int64, jnp.uint8),
        RuntimeError,
        lambda: f"expected target dtype to be Long or Byte, but got {_title(target)}",
    )


def _check_nll_shapes(input, target):
    """torch's shape checks of nll_loss, in its order (batch sizes, then target ranks; the
    target dtype and a 1-d input's target size are checked after these)."""
    check(input.ndim >= 1, ValueError, lambda: f"Expected 1 or more dimensions (got {input.ndim})")
    batch = target.shape[0] if target.ndim else 0  # torch reports a 0-d target as batch 0
    check(
        input.ndim == 1 or input.shape[0] == batch,
        ValueError,
        lambda: f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({batch}).",
    )
    if input.ndim <= 2:
        check(
            target.ndim <= 1,
            RuntimeError,
            "0D or 1D target tensor expected, multi-target not supported",
        )
        return
    want = (input.shape[0],) + input.shape[2:]
    check(
        target.shape == want,
        RuntimeError,
        lambda: f"Expected target size {list(want)}, got {list(target.shape)}",
    )


def _check_weight(weight, classes):
    check(
        weight is None or weight.size == classes,
        RuntimeError,
        lambda: f"weight tensor should be defined either for all {classes} classes or no classes but "
        f"got weight tensor of shape: {list(weight.shape)}",
    )


def _check_weight_dtype(input, weight):
    check(
        weight is None or weight.dtype == input.dtype,
        RuntimeError,
        lambda: f"expected scalar type {_title(input)} but found {_title(weight)}",
    )


def _class_targets_pre(input, target, weight=None, size_average=None, ignore_index=-100, *rest):
    """torch's IndexError for a class index outside [0, C) that is not ``ignore_index``."""
    if target.dtype.is_floating_point or input.dim() == 0:
        return
    _check_class_values(target, input.shape[0 if input.dim() == 1 else 1], ignore_index)


def _check_class_values(target, classes, ignore_index):
    t = target._value()
    if _tracing.traced(t):
        bad = (t != ignore_index) & ((t < 0) | (t >= classes))
        return _tracing.deferred(bad, t, IndexError, lambda v: f"Target {v} is out of bounds.")
    t = np.asarray(t).astype(np.int64)
    bad = t[(t != ignore_index) & ((t < 0) | (t >= classes))]
    check(bad.size == 0, IndexError, lambda: f"Target {bad.flat[0]} is out of bounds.")


def _nll(logp, target, weight, ignore_index, reduction):
    """nll_loss of log-probabilities ``logp`` (class dim 1, or 0 for one sample)."""
    _check_nll_shapes(logp, target)
    _check_target_dtype(target)
    check(
        logp.ndim != 1 or target.size == 1,
        ValueError,
        lambda: f"For 1D input, 1D target must have size 1, but got target size: {target.size}",
    )
    check(
        jnp.issubdtype(logp.dtype, jnp.floating),
        NotImplementedError,
        lambda: f"\"nll_loss_out_frame\" not implemented for '{_title(logp)}'",
    )
    cdim = 0 if logp.ndim == 1 else 1
    _check_weight(weight, logp.shape[cdim])
    _check_weight_dtype(logp, weight)
    t = target.astype(jnp.int64).reshape(() if logp.ndim == 1 else target.shape)  # (1,) -> ()
    valid = t != ignore_index
    safe = jnp.where(valid, t, 0)
    picked = jnp.take_along_axis(logp, jnp.expand_dims(safe, cdim), axis=cdim).squeeze(cdim)
    w = jnp.ones((), logp.dtype) if weight is None else weight[safe]
    w = jnp.where(valid, w, 0).astype(logp.dtype)
    loss = -picked * w
    if reduction == "mean":
        return _weighted_mean(loss, jnp.sum(w))
    return _reduce(loss, reduction)


def _weighted_mean(loss, total):
    """sum(loss) / total; NaN for a zero total (all targets ignored), with zero gradients."""
    empty = total == 0
    return jnp.where(empty, jnp.nan, jnp.sum(loss) / jnp.where(empty, 1, total)).astype(loss.dtype)


@op("nn.functional.nll_loss", method=False, promote=NONE, pre=_class_targets_pre)
def nll_loss(
    input: TT, target: TN, weight: TN = None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"
):
    return _nll(input, target, weight, ignore_index, _reduction(size_average, reduce, reduction))


def _class_weight(weight, ndim, cdim):
    return weight.reshape((-1,) + (1,) * (ndim - cdim - 1))


def _check_probability_target(input, target, ignore_index):
    """torch's checks, in its order, for a ``target`` of class probabilities (``input``'s
    shape)."""
    check(
        jnp.issubdtype(target.dtype, jnp.floating),
        RuntimeError,
        lambda: f"Expected floating point type for target with class probabilities, got {_title(target)}",
    )
    check(
        ignore_index == -100,
        RuntimeError,
        "ignore_index is not supported for floating point target",
    )
    check(input.ndim >= 1, IndexError, "Dimension specified as 1 but tensor has no dimensions")


def _cross_entropy_probs(logp, target, weight, cdim, reduction, label_smoothing):
    classes = logp.shape[cdim]
    target = target.astype(logp.dtype)
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    if weight is not None:
        _check_weight(weight, classes)
        logp = logp * _class_weight(weight, logp.ndim, cdim)
    loss = -(logp * target)
    if reduction == "mean":
        return jnp.sum(loss) / (logp.size // classes) if logp.size else jnp.sum(loss) / 0
    return jnp.sum(loss) if reduction == "sum" else jnp.sum(loss, axis=cdim)


def _smoothed(logp, target, weight, cdim, ignore_index, reduction):
    """torch's label-smoothing term: minus the (weighted) mean log-probability per sample."""
    terms = logp if weight is None else logp * _class_weight(weight, logp.ndim, cdim)
    valid = target != ignore_index
    loss = jnp.where(valid, -jnp.sum(terms, axis=cdim), 0)
    if reduction == "mean":
        if weight is None:
            return _weighted_mean(loss, jnp.sum(valid))
        return _weighted_mean(loss, jnp.sum(jnp.where(valid, weight[jnp.where(valid, target, 0)], 0)))
    return _reduce(loss, reduction)


@op(
    "nn.functional.cross_entropy",
    method=False,
    promote=NONE,
    pre=_class_targets_pre,
    grad_name=lambda *a, **k: "NllLossBackward0",
)
def cross_entropy(
    input: TT,
    target: TN,
    weight: TN = None,
    size_average=None,
    ignore_index=-100,
    reduce=None,
    reduction="mean",
    label_smoothing=0.0,
):
    """log_softmax over the class dim, then nll_loss (class indices) or the cross entropy with
    class probabilities (a float ``target`` shaped like ``input``); ``label_smoothing`` mixes in
    the uniform distribution."""
    reduction = _reduction(size_average, reduce, reduction)
    check(
        0.0 <= label_smoothing <= 1.0,
        RuntimeError,
        lambda: f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}",
    )
    cdim = 0 if input.ndim == 1 else 1
    if input.shape == target.shape:
        _check_probability_target(input, target, ignore_index)
        logp = log_softmax.fn(input, cdim)
        return _cross_entropy_probs(logp, target, weight, cdim, reduction, label_smoothing)
    check(input.ndim >= 1, ValueError, lambda: f"Expected 1 or more dimensions (got {input.ndim})")
    logp = log_softmax.fn(input, cdim)
    nll = _nll(logp, target, weight, ignore_index, reduction)
    if label_smoothing == 0:
        return nll
    smooth = _smoothed(logp, target.astype(jnp.int64), weight, cdim, ignore_index, reduction)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / logp.shape[cdim])


def _linear_ce_pre(
    input, linear_weight, target, linear_bias=None, weight=None, reduction="mean",
    ignore_index=None, label_smoothing=0.0, options=None,
):  # fmt: skip
    """torch's Python-level checks of linear_cross_entropy, its warning when ``options`` asks
    for the chunked path on a call that path does not take, and the class-index bounds."""
    check(
        1 <= input.dim() <= 2,
        RuntimeError,
        lambda: f"expected input with dimensionality 1 or 2, got {input.dim()}",
    )
    check(
        linear_weight.dim() >= 2,
        RuntimeError,
        lambda: f"expected linear_weight with dimensionality at least 2, got {linear_weight.dim()}",
    )
    batch, features = tuple(input.shape[:-1]), input.shape[-1]
    check(
        features == linear_weight.shape[-1],
        RuntimeError,
        lambda: "expected equal input and linear_weight last dimensions (in_features), got "
        f"{features} and {linear_weight.shape[-1]}, respectively",
    )
    classes, inner = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    check(
        linear_bias is None or tuple(linear_bias.shape) == (classes, *inner),
        RuntimeError,
        lambda: f"expected linear_bias shape {(classes, *inner)}, got {tuple(linear_bias.shape)}",
    )
    check(
        not inner or batch,
        RuntimeError,
        lambda: f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} "
        f"requires batched input, (N, {features}), got unbatched input with shape "
        f"{tuple(input.shape)}",
    )
    probabilities = tuple(target.shape) == (*batch, classes, *inner)
    check(
        not (probabilities and ignore_index is not None),
        RuntimeError,
        "ignore_index cannot be specified when target contains probabilities",
    )
    if options is None:
        pass
    elif _chunkable(target.dtype == _dtype.int64, reduction, label_smoothing, inner):
        _check_chunk_options(options, input, classes)
    else:
        _linear_ce_fallback_warning(target, linear_bias, reduction, label_smoothing, inner)
    if not probabilities and not target.dtype.is_floating_point:
        _check_class_values(target, classes, -100 if ignore_index is None else ignore_index)


def _chunkable(long_target, reduction, label_smoothing, inner):
    """Whether torch takes its chunked path for a call with ``options``."""
    plain = not inner and reduction in ("mean", "sum", "none") and label_smoothing == 0.0
    return plain and long_target


def _accumulates_in_float32(options, dtype):
    """torch's chunked path on a half-precision input accumulates in ``acc_dtype``: float32
    when asked, or by default (``acc_policy='auto'``, ``acc_dtype=None``)."""
    if dtype not in (jnp.float16, jnp.bfloat16):
        return False
    acc = options.acc_dtype
    return str(acc) == "torch.float32" or (acc is None and options.acc_policy == "auto")


def _check_chunk_options(options, input, classes):
    """The errors of torch's chunked path: a ``batch_chunk_size`` that disagrees with an
    explicit ``chunking_method``, an ``acc_dtype`` other than the input's (or float32 for a
    half-precision input)."""
    rows, features = (input.shape[0] if input.dim() == 2 else 1), input.shape[-1]
    method, size = options.chunking_method, options.batch_chunk_size
    if method not in (None, "auto") and size is not None:
        factor = int(method.partition(":")[2] or 1)
        per_chunk = -(-rows // -(-classes // features))  # ceil(rows / ceil(classes / features))
        chosen = min((1 << (per_chunk - 1).bit_length()) // factor, rows)
        check(
            size == chosen,
            ValueError,
            lambda: f"batch_chunk_size (={size}) and chunking_method ('{method}') give different "
            f"chunk sizes ({size} vs {chosen}); pass only one.",
        )
    dtype = str(input.dtype)
    half = dtype in ("torch.float16", "torch.bfloat16")
    acc = options.acc_dtype
    if acc is None:
        acc = "torch.float32" if half and options.acc_policy == "auto" else dtype
    check(
        str(acc) == dtype or (half and str(acc) == "torch.float32"),
        RuntimeError,
        lambda: "linear_cross_entropy supports float32 acc_dtype with float16/bfloat16 inputs, "
        f"but got {acc} acc_dtype and {dtype} inputs.",
    )


def _linear_ce_fallback_warning(target, linear_bias, reduction, label_smoothing, inner):
    if _chunkable(target.dtype == _dtype.int64, reduction, label_smoothing, inner):
        return
    bias = None if linear_bias is None else tuple(linear_bias.shape)
    warnings.warn(
        "linear_cross_entropy: ``options`` ignored; chunked path needs reduction in "
        "{'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, out_features == (). "
        f"Got reduction={reduction!r}, label_smoothing={label_smoothing}, "
        f"target.dtype={target.dtype}, out_features={inner}, tracing=False, "
        f"linear_bias.shape={bias}.",
        stacklevel=5,  # the caller of F.linear_cross_entropy (pre hook, dispatch, TorchOp)
    )


@op(
    "nn.functional.linear_cross_entropy",
    method=False,
    promote=NONE,
    out=False,
    pre=_linear_ce_pre,
    grad_name=lambda *a, **k: "NllLossBackward0",
)
def linear_cross_entropy(
    input: TT,
    linear_weight: TT,
    target: TN,
    *,
    linear_bias: TT = None,
    weight: TN = None,
    reduction="mean",
    ignore_index=None,
    label_smoothing=0.0,
    options=None,
):
    """torch.nn.functional.linear_cross_entropy: ``cross_entropy(linear(input, W, b), target)``
    with ``W`` of shape ``(C, *out_features, in_features)`` (logits ``(N, C, *out_features)``);
    ``ignore_index=None`` means -100 for class indices.

    Differences from torch: ``options`` (LinearCrossEntropyOptions) is checked and warned
    about as in torch, but jtorch computes the whole batch in one compiled call (chunking is
    torch's memory strategy); it keeps the chunked path's float32 accumulation for half
    precision inputs, and allows a second backward where torch's default options refuse it.
    """
    classes, inner = linear_weight.shape[0], linear_weight.shape[1:-1]
    dtype = input.dtype
    long_target = target.dtype == jnp.int64
    chunked = options is not None and _chunkable(long_target, reduction, label_smoothing, inner)
    if chunked and _accumulates_in_float32(options, dtype):
        input, linear_weight = input.astype(jnp.float32), linear_weight.astype(jnp.float32)
        linear_bias = None if linear_bias is None else linear_bias.astype(jnp.float32)
        weight = None if weight is None else weight.astype(jnp.float32)
    w = linear_weight.reshape(-1, linear_weight.shape[-1])
    b = None if linear_bias is None else linear_bias.reshape(-1)
    logits = linear.fn(input, w, b).reshape(input.shape[:-1] + (classes, *inner))
    if chunked and dtype == jnp.float16 and options.acc_policy in ("balanced", "compact"):
        logits = logits.astype(dtype).astype(logits.dtype)  # these policies keep float16 logits
    ignore = -100 if ignore_index is None else ignore_index
    loss = cross_entropy.fn(logits, target, weight, None, ignore, None, reduction, label_smoothing)
    return loss.astype(dtype)


def _margin_pre(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
    """torch's checks in order: Python's (reduction, p, weight), then "target out of range"
    for class indices outside [0, C)."""
    if size_average is None and reduce is None:
        _reduction(reduction=reduction)
    check(p in (1, 2), ValueError, "only p == 1 and p == 2 supported")
    check(weight is None or weight.dim() == 1, ValueError, "weight must be one-dimensional")
    if input.numel() == 0 or target.numel() != input.numel() // max(input.shape[-1] if input.dim() else 1, 1):
        return  # the shape checks report it
    check(not target.dtype.is_floating_point, RuntimeError, lambda: f"expected scalar type Long but found {_dtype.title(target.dtype)}")
    classes = input.shape[-1] if input.dim() else 1
    t = np.asarray(target._value())
    check(bool(((t >= 0) & (t < classes)).all()), RuntimeError, "target out of range")


@op("nn.functional.multi_margin_loss", method=False, promote=NONE, pre=_margin_pre)
def multi_margin_loss(
    input: TT, target: TN, p=1, margin=1.0, weight: TN = None, size_average=None, reduce=None, reduction="mean"
):
    reduction = _reduction(size_average, reduce, reduction)
    check(
        input.size > 0 and input.ndim <= 2,
        RuntimeError,
        lambda: f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
        f"{list(input.shape)}",
    )
    x = input.reshape(-1, input.shape[-1] if input.ndim else 1)
    frames, dim = x.shape
    check(
        target.ndim <= 1 and target.size == frames,
        RuntimeError,
        lambda: f"inconsistent target size, expected {frames} but got {list(target.shape)}",
    )
    check(
        weight is None or weight.size == dim,
        RuntimeError,
        lambda: f"inconsistent weight size, expected {dim} but got {list(weight.shape)}",
    )
    _check_weight_dtype(x, weight)
    t = target.reshape(frames).astype(jnp.int64)
    x_t = jnp.take_along_axis(x, t[:, None], axis=1)
    z = margin - x_t + x
    h = jnp.where(z > 0, z if p == 1 else z * z, 0)
    if weight is not None:
        h = h * weight.astype(x.dtype)[t][:, None]
    h = jnp.where(jnp.arange(dim) == t[:, None], 0, h)
    loss = jnp.sum(h, axis=1) / dim
    return _reduce(loss.reshape(target.shape if input.ndim == 2 else ()), reduction)


@op("nn.functional.multilabel_margin_loss", method=False, promote=NONE)
def multilabel_margin_loss(input: TT, target: TN, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    ndim = input.ndim
    check(
        (ndim <= 2 and input.size > 0) or (ndim == 2 and input.shape[1] > 0),
        RuntimeError,
        lambda: f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
        f"{list(input.shape)}",
    )
    dim = 1 if ndim == 0 else input.shape[-1]
    good = (target.ndim <= 1 and target.size == dim) if ndim <= 1 else target.shape == input.shape
    check(
        good,
        RuntimeError,
        lambda: f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}",
    )
    x = input.reshape(-1, dim)
    t = target.reshape(-1, dim).astype(jnp.int64)
    listed = jnp.cumprod(t != -1, axis=1).astype(bool)  # the targets before the first -1
    safe = jnp.where(listed, t, 0)
    is_target = jnp.any(listed[:, :, None] & (safe[:, :, None] == jnp.arange(dim)), axis=1)
    x_t = jnp.take_along_axis(x, safe, axis=1)
    z = 1 - x_t[:, :, None] + x[:, None, :]
    keep = listed[:, :, None] & ~is_target[:, None, :] & (z > 0)
    loss = jnp.sum(jnp.where(keep, z, 0), axis=(1, 2)) / dim
    return _reduce(loss.reshape(input.shape[:1] if ndim == 2 else ()), reduction)


# ---- binary and soft-margin losses -----------------------------------------------------------


def _no_grad_for(fname, **tensors):
    """torch's error for a tensor argument its kernel cannot differentiate (a class weight)."""
    if not grad_mode._state["enabled"]:
        return
    for name, t in tensors.items():
        check(
            t is None or not t.requires_grad,
            RuntimeError,
            lambda name=name: f"The function '{fname}' is not differentiable with respect to "
            f"argument '{name}'. This input cannot have requires_grad True.",
        )


def _bce_pre(input, target, weight=None, *rest):
    _no_grad_for("binary_cross_entropy", weight=weight)
    for name, v in (("input", input), ("target", target)):
        h = np.asarray(v._value())
        check(
            bool(((h >= 0) & (h <= 1)).all()),
            RuntimeError,
            f"all elements of {name} should be between 0 and 1",
        )


@op("nn.functional.binary_cross_entropy", method=False, pre=_bce_pre)
def binary_cross_entropy(input: T, target: T, weight: T = None, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    check(
        target.shape == input.shape,
        ValueError,
        lambda: f"Using a target size (torch.Size({list(target.shape)})) that is different to the "
        f"input size (torch.Size({list(input.shape)})) is deprecated. Please ensure they have the "
        "same size.",
    )
    loss = (target - 1) * jnp.maximum(jnp.log1p(-input), -100) - target * jnp.maximum(jnp.log(input), -100)
    if weight is not None:
        loss = loss * jnp.broadcast_to(weight, broadcast_shapes(target.shape, weight.shape))
    return _reduce(loss, reduction)


def _bce_logits_pre(input, target, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
    _no_grad_for("binary_cross_entropy_with_logits", weight=weight, pos_weight=pos_weight)


@op("nn.functional.binary_cross_entropy_with_logits", method=False, pre=_bce_logits_pre)
def binary_cross_entropy_with_logits(
    input: T, target: T, weight: T = None, size_average=None, reduce=None, reduction="mean", pos_weight: T = None
):
    reduction = _reduction(size_average, reduce, reduction)
    check(
        target.shape == input.shape,
        ValueError,
        lambda: f"Target size (torch.Size({list(target.shape)})) must be the same as input size "
        f"(torch.Size({list(input.shape)}))",
    )
    log_sig = jax.nn.log_sigmoid(input)
    if pos_weight is not None:
        log_sig = log_sig * ((pos_weight - 1) * target + 1)
    loss = (1 - target) * input - log_sig
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


@op("nn.functional.soft_margin_loss", method=False, broadcast=True)
def soft_margin_loss(input: T, target: T, size_average=None, reduce=None, reduction="mean"):
    return _reduce(jnp.log1p(jnp.exp(-input * target)), _reduction(size_average, reduce, reduction))


@op("nn.functional.multilabel_soft_margin_loss", method=False)
def multilabel_soft_margin_loss(
    input: T, target: T, weight: T = None, size_average=None, reduce=None, reduction="mean"
):
    reduction = _reduction(size_average, reduce, reduction)
    loss = -(target * jax.nn.log_sigmoid(input) + (1 - target) * jax.nn.log_sigmoid(-input))
    if weight is not None:
        loss = loss * weight
    cdim = input.ndim - 1
    loss = jnp.sum(loss, axis=cdim) / input.shape[cdim]
    return _reduce(loss, reduction)


@op("nn.functional.kl_div", method=False)
def kl_div(input: T, target: T, size_average=None, reduce=None, reduction="mean", log_target=False):
    if size_average is None and reduce is None:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support "
                "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
                "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
                "major release.",
                stacklevel=2,
            )
        if reduction == "batchmean":
            loss = _kl(input, target, log_target).sum()
            return loss / input.shape[0] if input.ndim else loss
    return _reduce(_kl(input, target, log_target), _reduction(size_average, reduce, reduction))


def _kl(input, target, log_target):
    if log_target:
        return jnp.exp(target) * (target - input)
    return jax.scipy.special.xlogy(target, target) - target * input


# ---- margin and embedding losses -------------------------------------------------------------


@op("nn.functional.margin_ranking_loss", method=False)
def margin_ranking_loss(
    input1: T, input2: T, target: T, margin=0.0, size_average=None, reduce=None, reduction="mean"
):
    reduction = _reduction(size_average, reduce, reduction)
    check(
        input1.ndim == input2.ndim == target.ndim,
        RuntimeError,
        lambda: f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
        f"input1: torch.Size({list(input1.shape)}), input2: torch.Size({list(input2.shape)}), "
        f"target: torch.Size({list(target.shape)}) ",
    )
    x = -target * (input1 - input2)
    if isinstance(margin, float) and not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(_dtype.get_default_dtype()._np)  # a float margin makes integers float
    return _reduce(_clamp_min0(x + jnp.asarray(margin, x.dtype)), reduction)


@op("nn.functional.hinge_embedding_loss", method=False)
def hinge_embedding_loss(input: T, target: T, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    zero = jnp.zeros((), input.dtype)
    margin_clamp = _clamp_min0(margin - input)
    loss = jnp.where(target != 1, margin_clamp, zero) + jnp.where(target != -1, input, zero)
    return _reduce(loss, reduction)


def _cosine_embedding_shapes(input1, input2, target):
    check(
        target.ndim in (0, 1),
        RuntimeError,
        "0D or 1D target tensor expected, multi-target not supported",
    )
    want = target.ndim + 1
    check(
        input1.ndim == want and input2.ndim == want,
        RuntimeError,
        lambda: f"{target.ndim}D target tensor expects {want}D input tensors, but found inputs "
        f"with sizes {list(input1.shape)} and {list(input2.shape)}.",
    )


@op("nn.functional.cosine_embedding_loss", method=False, promote=INT_TO_FLOAT)
def cosine_embedding_loss(
    input1: T, input2: T, target: T, margin=0.0, size_average=None, reduce=None, reduction="mean"
):
    reduction = _reduction(size_average, reduce, reduction)
    _cosine_embedding_shapes(input1, input2, target)
    eps = 1e-12
    d = input1.ndim - 1
    prod = jnp.sum(input1 * input2, axis=d)
    denom = jnp.sqrt((jnp.sum(input1 * input1, axis=d) + eps) * (jnp.sum(input2 * input2, axis=d) + eps))
    cos = prod / denom
    zero = jnp.zeros((), cos.dtype)
    loss = jnp.where(target == 1, 1 - cos, zero) + jnp.where(target == -1, _clamp_min0(cos - margin), zero)
    return _reduce(loss, reduction)


def _check_triplet_dims(a, p, n):
    check(
        a.ndim == p.ndim == n.ndim,
        RuntimeError,
        lambda: f"The anchor, positive, and negative tensors are expected to have the same number of "
        f"dimensions, but got: anchor {a.ndim}D, positive {p.ndim}D, and negative {n.ndim}D inputs",
    )


@op("nn.functional.triplet_margin_loss", method=False, promote=INT_TO_FLOAT)
def triplet_margin_loss(
    anchor: T,
    positive: T,
    negative: T,
    margin=1.0,
    p=2,
    eps=1e-6,
    swap=False,
    size_average=None,
    reduce=None,
    reduction="mean",
):
    reduction = _reduction(size_average, reduce, reduction)
    check(margin > 0, ValueError, lambda: f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
    _check_triplet_dims(anchor, positive, negative)
    d_pos = pairwise_distance.fn(anchor, positive, p, eps)
    d_neg = pairwise_distance.fn(anchor, negative, p, eps)
    if swap:
        d_neg = jnp.minimum(d_neg, pairwise_distance.fn(positive, negative, p, eps))
    return _reduce(_clamp_min0(margin + d_pos - d_neg), reduction)


def triplet_margin_with_distance_loss(
    anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False, reduction="mean"
):
    """torch.nn.functional.triplet_margin_with_distance_loss. ``distance_function`` is any
    Python callable on Tensors, so this loss composes ops at the Tensor level, as torch does."""
    from .pointwise import clamp_min, minimum
    from .reduction import mean, sum

    check(reduction in ("mean", "sum", "none"), ValueError, lambda: f"{reduction} is not a valid value for reduction")
    check(margin > 0, ValueError, lambda: f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    dist = pairwise_distance if distance_function is None else distance_function
    d_pos, d_neg = dist(anchor, positive), dist(anchor, negative)
    if swap:
        d_neg = minimum(d_neg, dist(positive, negative))
    loss = clamp_min(margin + d_pos - d_neg, 0)
    return sum(loss) if reduction == "sum" else mean(loss) if reduction == "mean" else loss


# ---- ctc_loss --------------------------------------------------------------------------------


def _logsumexp(*xs):
    """log(sum(exp(xs))) elementwise; -inf (with zero gradients, not NaN) where all are -inf."""
    x = jnp.stack(xs)
    m = jnp.max(x, axis=0)
    m = jax.lax.stop_gradient(jnp.where(jnp.isfinite(m), m, 0))
    s = jnp.sum(jnp.exp(x - m), axis=0)
    some = s > 0
    return jnp.where(some, m + jnp.log(jnp.where(some, s, 1)), -jnp.inf)


def _ctc_nll(lp, targets, input_lengths, target_lengths, blank):
    """-log p(target | input) per sample: the CTC forward (alpha) recursion over time on the
    blank-interleaved targets; ``lp`` is (T, N, C), ``targets`` padded (N, S)."""
    steps, n, _ = lp.shape
    width = 2 * targets.shape[1] + 1
    ext = jnp.full((n, width), blank, jnp.int64).at[:, 1::2].set(targets.astype(jnp.int64))
    s = jnp.arange(width)
    live = s[None] < 2 * target_lengths[:, None] + 1
    prev2 = jnp.pad(ext, ((0, 0), (2, 0)), constant_values=blank)[:, :-2]
    skip = (s >= 2) & (ext != blank) & (ext != prev2)
    emit = jnp.take_along_axis(lp, jnp.broadcast_to(ext[None], (steps, n, width)), axis=2)
    neg = jnp.asarray(-jnp.inf, lp.dtype)
    alpha0 = jnp.where(live & (s[None] < 2), emit[0], neg)

    def step(alpha, inputs):
        t, e = inputs
        a1 = jnp.pad(alpha, ((0, 0), (1, 0)), constant_values=-jnp.inf)[:, :-1]
        a2 = jnp.where(skip, jnp.pad(alpha, ((0, 0), (2, 0)), constant_values=-jnp.inf)[:, :-2], neg)
        new = jnp.where(live, _logsumexp(alpha, a1, a2) + e, neg)
        return jnp.where((t < input_lengths)[:, None], new, alpha), None

    alpha, _ = jax.lax.scan(step, alpha0, (jnp.arange(1, steps), emit[1:]))
    end = 2 * target_lengths[:, None]
    last = jnp.take_along_axis(alpha, end, axis=1)[:, 0]
    before = jnp.take_along_axis(alpha, jnp.maximum(end - 1, 0), axis=1)[:, 0]
    return -_logsumexp(last, jnp.where(target_lengths > 0, before, neg))


@functools.partial(jax.custom_vjp, nondiff_argnums=(4, 5))
def _ctc_torch(lp, targets, input_lengths, target_lengths, blank, zero_infinity):
    """The CTC nll per sample with torch's backward: ``exp(lp) - posterior`` (the gradient for
    the logits under a log_softmax, not the exact gradient in ``lp``), zero beyond each input
    length, and NaN (0 with ``zero_infinity``) for an impossible alignment."""
    nll = _ctc_nll(lp, targets, input_lengths, target_lengths, blank)
    return jnp.where(jnp.isinf(nll), 0, nll) if zero_infinity else nll


def _ctc_fwd(lp, targets, input_lengths, target_lengths, blank, zero_infinity):
    nll = _ctc_nll(lp, targets, input_lengths, target_lengths, blank)
    out = jnp.where(jnp.isinf(nll), 0, nll) if zero_infinity else nll
    return out, (lp, targets, input_lengths, target_lengths, nll)


def _ctc_bwd(blank, zero_infinity, res, g):
    lp, targets, il, tl, nll = res
    _, vjp = jax.vjp(lambda x: _ctc_nll(x, targets, il, tl, blank), lp)
    counted = (jnp.arange(lp.shape[0])[:, None] < il[None])[..., None]
    grad = vjp(g)[0] + jnp.where(counted, jnp.exp(lp) * g[None, :, None], 0)
    impossible = jnp.isinf(nll)[None, :, None]
    grad = jnp.where(impossible, 0 if zero_infinity else jnp.where(counted, jnp.nan, 0), grad)
    return grad, None, None, None


_ctc_torch.defvjp(_ctc_fwd, _ctc_bwd)


@op("_ctc_loss", method=False, out=False, promote=NONE, grad_name="CtcLossBackward0")
def _ctc_loss(log_probs: TT, targets: TN, input_lengths: TN, target_lengths: TN, blank=0, reduction="mean", zero_infinity=False):
    reduction = _reduction(reduction=reduction)
    unbatched = log_probs.ndim == 2
    lp = log_probs[:, None] if unbatched else log_probs
    tg = targets[None] if unbatched else targets
    il, tl = input_lengths.reshape(-1), target_lengths.reshape(-1)
    loss = _ctc_torch(lp, tg, il, tl, blank, zero_infinity)
    if reduction == "mean":
        return jnp.mean(loss / jnp.maximum(tl, 1).astype(loss.dtype))
    return jnp.sum(loss) if reduction == "sum" else (loss[0] if unbatched else loss)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """torch.nn.functional.ctc_loss: the connectionist temporal classification loss of
    (T, N, C) (or unbatched (T, C)) log-probabilities; targets padded (N, S) or concatenated."""
    from .random import _wrap

    for name, x in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
        check(
            hasattr(x, "_value") or isinstance(x, (list, tuple)),
            TypeError,
            lambda name=name, x=x: f"ctc_loss(): argument '{name}' must be tuple of ints or Tensor, "
            f"not {type(x).__name__}",
        )
    lengths = [
        np.asarray(x._value() if hasattr(x, "_value") else x, np.int64).reshape(-1)
        for x in (input_lengths, target_lengths)
    ]
    tg = targets
    if targets.dim() == 1 and log_probs.dim() == 3:  # concatenated: pad on the host
        flat, tl = np.asarray(targets._value()), lengths[1]
        padded = np.zeros((len(tl), max(int(tl.max(initial=0)), 1)), np.int64)
        starts = np.concatenate([[0], np.cumsum(tl)[:-1]])
        for i, (a, k) in enumerate(zip(starts, tl)):
            padded[i, :k] = flat[a : a + k]
        tg = _wrap(padded, log_probs.device)
    il, tl = (_wrap(x, log_probs.device) for x in lengths)
    return _ctc_loss(log_probs, tg, il, tl, blank, reduction, zero_infinity)
