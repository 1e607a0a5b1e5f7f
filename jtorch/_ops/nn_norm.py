"""Normalization: batch_norm (and aten's native_batch_norm family), instance_norm, layer_norm,
group_norm, rms_norm, local_response_norm.

Note [running statistics]: torch's batch/instance norm update ``running_mean``/``running_var``
in place while training. The pure op returns the new statistics as extra outputs; the thin
front-ends here write them into the buffers under ``no_grad`` (one in-place write each, as
torch's kernel does) and hand back torch's outputs. ``momentum`` and ``eps`` are traced (``D``)
so a Module whose momentum is ``None`` (a cumulative average, changing every step) never
recompiles.
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._errors import check
from ..autograd import grad_mode
from ._registry import NONE, D, T, op

# ---- batch norm -----------------------------------------------------------------------------------


def _channel_shape(x):
    return (1, -1) + (1,) * (x.ndim - 2)


def _normalize(x, mean, invstd, weight, bias, shape):
    """``(x - mean) * invstd * weight + bias`` per channel, as torch's kernel computes it: one
    scale and one shift per channel, then ``x * scale + shift``."""
    if x.size == 0:  # no NaN statistics in the weight's and bias's (empty-sum) gradients
        return _affine((x - mean.reshape(shape)) * invstd.reshape(shape), weight, bias, shape)
    scale = invstd if weight is None else invstd * weight
    shift = -mean * scale if bias is None else bias - mean * scale
    return (x * scale.reshape(shape) + shift.reshape(shape)).reshape(x.shape)


def _affine(y, weight, bias, shape):
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


@op("_batch_norm_update", promote=NONE, method=False, out=False, grad_name="NativeBatchNormBackward0", opmath=True)
def _batch_norm_update(
    input: T, weight: T, bias: T, running_mean: T, running_var: T, training, momentum: D, eps: D
):
    """The pure batch norm: (output, save_mean, save_invstd, new running_mean, new running_var)."""
    dt = input.dtype
    shape = _channel_shape(input)
    axes = (0,) + tuple(range(2, input.ndim))
    c = input.shape[1] if input.ndim > 1 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        check(
            t is None or t.size == c,
            RuntimeError,
            lambda name=name, t=t: f"{name} should contain {c} elements not {t.size}",
        )
    if training:
        mean = input.mean(axis=axes)
        var = jnp.mean(jnp.square(input - mean.reshape(shape)), axis=axes)
        invstd = 1 / jnp.sqrt(var + eps.astype(dt))
        n = input.size // max(c, 1)
        m = momentum.astype(dt)
        # an absent statistic comes back empty (an op's outputs are arrays); torch leaves the
        # running statistics alone for an empty batch (rather than averaging in 0 / 0)
        new_mean = jnp.zeros((0,), dt) if running_mean is None else (1 - m) * running_mean + m * mean
        new_var = (
            jnp.zeros((0,), dt) if running_var is None else (1 - m) * running_var + m * var * (n / max(n - 1, 1))
        )
        if input.size == 0:
            new_mean = new_mean if running_mean is None else running_mean
            new_var = new_var if running_var is None else running_var
        return _normalize(input, mean, invstd, weight, bias, shape), mean, invstd, new_mean, new_var
    check(
        running_mean is not None and running_var is not None,
        RuntimeError,
        "running_mean and running_var must be defined in evaluation mode",
    )
    invstd = 1 / jnp.sqrt(running_var + eps.astype(dt))
    empty = jnp.zeros((0,), dt)
    y = _normalize(input, running_mean, invstd, weight, bias, shape)
    return y, empty, empty, running_mean, running_var


def _run_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """Note [running statistics]: run the pure op and write the new statistics in place."""
    out, mean, invstd, new_mean, new_var = _batch_norm_update(
        input, weight, bias, running_mean, running_var, training, momentum, eps
    )
    if training:
        with grad_mode.no_grad():
            for buf, new in ((running_mean, new_mean), (running_var, new_var)):
                if buf is not None:
                    buf._assign(new.detach())
    return out, mean.detach(), invstd.detach()


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """aten native_batch_norm: (output, save_mean, save_invstd); updates the running statistics
    in place when training."""
    return _run_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def _native_batch_norm_legit(input, weight, bias, running_mean, running_var, training, momentum=None, eps=None):
    """aten _native_batch_norm_legit, with or without running statistics (the second overload
    is ``(input, weight, bias, training, momentum, eps)``)."""
    if isinstance(running_mean, bool):  # the no-statistics overload
        training, momentum, eps = running_mean, running_var, training
        running_mean = running_var = None
    return _run_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def _batch_norm_with_update(input, weight, bias, running_mean, running_var, momentum, eps):
    """aten _batch_norm_with_update: training batch norm plus an empty ``reserve`` tensor."""
    from .creation import empty

    out = _run_batch_norm(input, weight, bias, running_mean, running_var, True, momentum, eps)
    return (*out, empty(0, dtype=_dtype.uint8))


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05):
    """torch.nn.functional.batch_norm: normalizes over every dim but the channels (dim 1); in
    training, with batch statistics and a ``momentum`` update of the running ones (unbiased
    variance), as torch."""
    if training:
        size = input.numel() // input.shape[1] if input.dim() > 1 else 0
        check(
            size != 1,
            ValueError,
            lambda: f"Expected more than 1 value per channel when training, got input size {input.size()}",
        )
        check(
            eps > 0.0,
            ValueError,
            lambda: f"batch_norm eps must be positive during training, but got {eps}",
        )
    check(eps >= 0.0, ValueError, lambda: f"batch_norm eps must be non-negative, but got {eps}")
    return _run_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)[0]


def instance_norm(
    input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True, momentum=0.1,
    eps=1e-05,
):
    """torch.nn.functional.instance_norm: batch norm of each sample on its own; running statistics
    (if given) are updated with the mean over the batch."""
    check(
        not use_input_stats or input.numel() // max(input.shape[0] * input.shape[1], 1) != 1,
        ValueError,
        lambda: f"Expected more than 1 spatial element when training, got input size {input.size()}",
    )
    out, new_mean, new_var = _instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )
    if use_input_stats:
        with grad_mode.no_grad():
            for buf, new in ((running_mean, new_mean), (running_var, new_var)):
                if buf is not None:
                    buf._assign(new.detach())
    return out


@op(promote=NONE, method=False, out=False, grad_name="NativeBatchNormBackward0", opmath=True)
def _instance_norm(
    input: T, running_mean: T, running_var: T, weight: T, bias: T, use_input_stats, momentum: D, eps: D
):
    """Instance norm as batch norm over ``(1, N * C, *spatial)``: (output, new statistics)."""
    check(
        use_input_stats or (running_mean is not None and running_var is not None),
        RuntimeError,
        "Expected running_mean and running_var to be defined when use_input_stats is false",
    )
    n, c = input.shape[:2]
    x = input.reshape((1, n * c) + input.shape[2:])
    rm = None if running_mean is None else jnp.tile(running_mean, n)
    rv = None if running_var is None else jnp.tile(running_var, n)
    out, _, _, new_mean, new_var = _batch_norm_update.fn(x, None, None, rm, rv, use_input_stats, momentum, eps)
    out = _affine(out.reshape(input.shape), weight, bias, _channel_shape(input))
    if running_mean is not None:
        new_mean = new_mean.reshape(n, c).mean(axis=0)
    if running_var is not None:
        new_var = new_var.reshape(n, c).mean(axis=0)
    return out, new_mean, new_var


# ---- layer norm, group norm, rms norm ---------------------------------------------------------------


def _normalized_axes(name, input, normalized_shape):
    shape = tuple(normalized_shape) if isinstance(normalized_shape, (list, tuple)) else (normalized_shape,)
    k = len(shape)
    check(
        k >= 1,
        RuntimeError,
        "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but "
        "got normalized_shape = []",
    )
    check(
        input.ndim >= k and tuple(input.shape[input.ndim - k :]) == shape,
        RuntimeError,
        lambda: f"Given normalized_shape={list(shape)}, expected input with shape [*, "
        f"{', '.join(map(str, shape))}], but got input of size{list(input.shape)}",
    )
    return tuple(range(input.ndim - k, input.ndim)), shape


def _check_affine(name, t, shape, what):
    check(
        t is None or tuple(t.shape) == shape,
        RuntimeError,
        lambda: f"Expected {what} to be of same shape as normalized_shape, but got {what} of shape "
        f"{list(t.shape)} and normalized_shape = {list(shape)}",
    )


@op("native_layer_norm", promote=NONE, method=False, out=False, grad_name="NativeLayerNormBackward0", opmath=True)
def _layer_norm(input: T, normalized_shape, weight: T, bias: T, eps: D):
    """The pure layer norm: (output, mean, rstd) with mean/rstd shaped ``(*batch, 1, ..., 1)``."""
    axes, shape = _normalized_axes("layer_norm", input, normalized_shape)
    _check_affine("layer_norm", weight, shape, "weight")
    _check_affine("layer_norm", bias, shape, "bias")
    mean = input.mean(axis=axes, keepdims=True)
    var = jnp.mean(jnp.square(input - mean), axis=axes, keepdims=True)
    rstd = 1 / jnp.sqrt(var + eps.astype(input.dtype))
    y = (input - mean) * rstd
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y, mean, rstd


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """aten native_layer_norm: (output, mean, rstd); mean and rstd carry no gradient, as in torch."""
    out, mean, rstd = _layer_norm(input, normalized_shape, weight, bias, eps)
    return out, mean.detach(), rstd.detach()


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """torch.nn.functional.layer_norm over the trailing ``normalized_shape`` dims."""
    return _layer_norm(input, normalized_shape, weight, bias, eps)[0]


@op("native_group_norm", promote=NONE, method=False, out=False, grad_name="NativeGroupNormBackward0", opmath=True)
def native_group_norm(input: T, weight: T, bias: T, N, C, HxW, group, eps: D):
    """aten native_group_norm: (output, mean, rstd), mean/rstd shaped ``(N, group)``."""
    x = input.reshape(N, group, (C // group) * HxW)
    mean = x.mean(axis=-1)
    var = jnp.mean(jnp.square(x - mean[..., None]), axis=-1)
    rstd = 1 / jnp.sqrt(var + eps.astype(input.dtype))
    y = ((x - mean[..., None]) * rstd[..., None]).reshape(input.shape)
    return _affine(y, weight, bias, _channel_shape(input)), mean, rstd


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """torch.nn.functional.group_norm: normalizes each of ``num_groups`` channel groups per sample."""
    check(
        input.dim() >= 2,
        RuntimeError,
        lambda: f"Expected at least 2 dimensions for input tensor but received {input.dim()}",
    )
    n, c = input.shape[:2]
    check(
        num_groups > 0 and c % num_groups == 0,
        RuntimeError,
        lambda: "Expected number of channels in input to be divisible by num_groups, but got input of shape "
        f"{list(input.shape)} and num_groups={num_groups}",
    )
    for what, t in (("weight", weight), ("bias", bias)):
        check(
            t is None or (t.dim() == 1 and t.numel() == c),
            RuntimeError,
            lambda what=what, t=t: f"Expected {what} to be a vector of size equal to the number of channels in "
            f"input, but got {what} of shape {list(t.shape)} and input of shape {list(input.shape)}",
        )
    hxw = math.prod(input.shape[2:])
    return native_group_norm(input, weight, bias, n, c, hxw, num_groups, eps)[0]


@op("nn.functional.rms_norm", promote=NONE, method=False, out=False, grad_name="MulBackward0", opmath=True)
def rms_norm(input: T, normalized_shape, weight: T = None, eps=None):
    """torch.nn.functional.rms_norm: ``x / sqrt(mean(x**2) + eps)`` over the trailing dims (eps
    defaults to the dtype's machine epsilon)."""
    axes, shape = _normalized_axes("rms_norm", input, normalized_shape)
    _check_affine("rms_norm", weight, shape, "weight")
    e = jnp.finfo(input.dtype).eps if eps is None else eps
    y = input * (1 / jnp.sqrt(jnp.mean(jnp.square(input), axis=axes, keepdims=True) + e))
    return y if weight is None else y * weight


@op("nn.functional.local_response_norm", promote=NONE, method=False, out=False, grad_name="DivBackward0")
def local_response_norm(input: T, size, alpha=0.0001, beta=0.75, k=1.0):
    """torch.nn.functional.local_response_norm: divides by ``(k + alpha * avg of x**2 over
    ``size`` neighbouring channels) ** beta``."""
    check(
        input.ndim >= 3,
        ValueError,
        lambda: f"Expected 3D or higher dimensionality input (got {input.ndim} dimensions)",
    )
    if input.size == 0:
        return input
    x = input
    if not jnp.issubdtype(x.dtype, jnp.floating):  # torch divides by a float tensor
        x = x.astype(_dtype.get_default_dtype()._np)
    sq = jnp.square(input)
    pad = [(0, 0)] * x.ndim
    pad[1] = (size // 2, (size - 1) // 2)
    sq = jnp.pad(sq, pad)
    c = x.shape[1]
    total = sum(sq[:, i : i + c] for i in range(size))
    div = (total / size if jnp.issubdtype(input.dtype, jnp.floating) else total // size).astype(x.dtype)
    div = (div * alpha + k) ** beta
    return x / div


# ---- CrossMapLRN2d (legacy) -----------------------------------------------------------------------


def _cross_map_windows(c, size):
    """0/1 matrices of the channels torch's legacy CrossMapLRN2d sums: ``fwd[c, j]`` for the
    forward scale and ``bwd[c, j]`` for the backward's ratio sums.

    Both are torch's loops as written, quirks included: the forward's running window never
    drops channel 0, and the backward's window is ``[c - pad, c + size - 1 - pad]`` with
    ``pad = size - (size - 1) / 2`` (so its gradient is not exactly the forward's derivative)."""
    pre = int((size - 1) / 2 + 1)
    pad = int(size - (size - 1) / 2)
    fwd = np.zeros((c, c), np.float32)
    bwd = np.zeros((c, c), np.float32)
    for i in range(c):
        fwd[i, 0] = 1
        fwd[i, max(1, i - pre + 1) : min(i + pre - 1, c - 1) + 1] = 1
        bwd[i, max(0, i - pad) : max(0, min(i + size - 1 - pad, c - 1) + 1)] = 1
    return fwd, bwd


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2, 3, 4))
def _cross_map_lrn(x, size, alpha, beta, k):
    return _cross_map_fwd(x, size, alpha, beta, k)[0]


def _cross_map_fwd(x, size, alpha, beta, k):
    fwd, _ = _cross_map_windows(x.shape[1], size)
    scale = k + alpha / size * jnp.einsum("cj,njhw->nchw", fwd.astype(x.dtype), jnp.square(x))
    out = x * scale ** (-beta)
    return out, (x, out, scale)


def _cross_map_bwd(size, alpha, beta, k, saved, g):
    x, out, scale = saved
    _, bwd = _cross_map_windows(x.shape[1], size)
    accum = jnp.einsum("cj,njhw->nchw", bwd.astype(x.dtype), g * out / scale)
    return (scale ** (-beta) * g - (2 * alpha * beta / size) * x * accum,)


_cross_map_lrn.defvjp(_cross_map_fwd, _cross_map_bwd)


@op(promote=NONE, method=False, out=False, grad_name="CrossMapLRN2dBackward")
def cross_map_lrn2d(input: T, size, alpha=1e-4, beta=0.75, k=1):
    """torch.nn.CrossMapLRN2d's function (torch.nn._functions.CrossMapLRN2d): the legacy Lua
    local response norm over channels of a 4-D input, with its own hand-written backward."""
    check(
        input.ndim == 4,
        ValueError,
        lambda: f"CrossMapLRN2d: Expected input to be 4D, got {input.ndim}D instead.",
    )
    return _cross_map_lrn(input, size, alpha, beta, k)


# ---- torch.* forms (aten's argument order) ------------------------------------------------------------


def torch_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    """torch.batch_norm: aten's argument order of ``nn.functional.batch_norm``."""
    return batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def torch_instance_norm(
    input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled
):
    """torch.instance_norm: aten's argument order of ``nn.functional.instance_norm``."""
    return instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def torch_layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    """torch.layer_norm: ``nn.functional.layer_norm`` with aten's ``cudnn_enable`` flag."""
    return layer_norm(input, normalized_shape, weight, bias, eps)


def torch_group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    """torch.group_norm: ``nn.functional.group_norm`` with aten's ``cudnn_enabled`` flag."""
    return group_norm(input, num_groups, weight, bias, eps)


for _f, _name in (
    (torch_batch_norm, "batch_norm"), (torch_instance_norm, "instance_norm"),
    (torch_layer_norm, "layer_norm"), (torch_group_norm, "group_norm"),
):
    _f.__name__ = _f.__qualname__ = _name
