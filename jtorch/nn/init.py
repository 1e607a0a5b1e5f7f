"""torch.nn.init: in-place initialisers with torch's formulas, bounds and gains.

Every initialiser writes into the tensor it is given, under ``no_grad`` (so it works on leaf
Parameters that require grad), keeps the tensor's identity, bumps its version and returns it.
Draws go through jtorch's in-place samplers (``Tensor.uniform_``, ``Tensor.normal_``), in the
order torch makes them, so each initialiser consumes its generator the way torch's does.

On the CPU the draws are torch's own (Note [RNG interface] in jtorch/_random.py), so a seed gives
torch's weights bit for bit. Differences from torch: ``orthogonal_`` takes its QR from XLA, so
its result agrees with torch's to about 1e-7, not bit for bit; ``trunc_normal_``'s redraw test
uses XLA's float32 ``log``, so a draw on the very edge of acceptance could be kept by one and
redrawn by the other (never seen in tests).
"""

import math
import warnings

from .. import linalg
from .._ops.creation import eye as _eye
from .._ops.random import randperm as _randperm
from ..autograd.grad_mode import no_grad

__all__ = [
    "calculate_gain",
    "constant",
    "constant_",
    "dirac",
    "dirac_",
    "eye",
    "eye_",
    "kaiming_normal",
    "kaiming_normal_",
    "kaiming_uniform",
    "kaiming_uniform_",
    "normal",
    "normal_",
    "ones_",
    "orthogonal",
    "orthogonal_",
    "sparse",
    "sparse_",
    "trunc_normal_",
    "uniform",
    "uniform_",
    "xavier_normal",
    "xavier_normal_",
    "xavier_uniform",
    "xavier_uniform_",
    "zeros_",
]

_LINEAR = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for ``nonlinearity`` (``param``: leaky_relu's negative slope)."""
    if nonlinearity in _LINEAR:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, float) or (isinstance(param, int) and not isinstance(param, bool)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4  # torch's empirical value (pytorch PR 50664)
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


# ---- fans ---------------------------------------------------------------------------------------


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight laid out (out, in, *kernel), as torch counts them."""
    if tensor.dim() < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.size(1) * receptive_field, tensor.size(0) * receptive_field


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


# ---- plain fills and draws ------------------------------------------------------------------------


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill ``tensor`` with draws from U(a, b)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill ``tensor`` with draws from N(mean, std**2)."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def constant_(tensor, val):
    """Fill ``tensor`` with ``val``."""
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    """Fill ``tensor`` with ones."""
    return constant_(tensor, 1.0)


def zeros_(tensor):
    """Fill ``tensor`` with zeros."""
    with no_grad():
        return tensor.zero_()


def eye_(tensor):
    """Fill the 2-D ``tensor`` with the identity (ones on the main diagonal)."""
    if tensor.ndimension() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with no_grad():
        _eye(*tensor.shape, out=tensor, requires_grad=tensor.requires_grad)
    return tensor


def dirac_(tensor, groups=1):
    """Fill the 3/4/5-D ``tensor`` with the Dirac delta: a convolution with it keeps the first
    ``min(out_channels // groups, in_channels)`` input channels of each group."""
    dims = tensor.ndimension()
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if tensor.size(0) % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = tensor.size(0) // groups
    channels = range(min(out_per_group, tensor.size(1)))
    rows = [g * out_per_group + d for g in range(groups) for d in channels]
    cols = [d for _ in range(groups) for d in channels]
    centres = tuple(s // 2 for s in tensor.shape[2:])
    with no_grad():
        tensor.zero_()
        if rows:
            # one scatter of all the ones, as torch's loop of single-element writes leaves them
            tensor[(tensor.new_tensor(rows).long(), tensor.new_tensor(cols).long()) + centres] = 1
    return tensor


# ---- scaled draws ---------------------------------------------------------------------------------


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot normal: N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    """He's std = gain / sqrt(fan), or None (with torch's warning) for an empty tensor."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He normal: N(0, std**2) with std = gain / sqrt(fan)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return normal_(tensor, 0, std, generator)


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill ``tensor`` with draws from N(mean, std**2) truncated to [a, b].

    As torch: when [a, b] holds more than 30% of the mass, normal draws outside it are redrawn;
    otherwise uniform proposals on [a, b] are accepted by comparing a uniform draw with the
    normal density relative to its peak in [a, b]."""
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )

    def cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    with no_grad():
        if cdf((b - mean) / std) - cdf((a - mean) / std) > 0.3:
            _redraw_outside(tensor, mean, std, a, b, generator)
        else:
            _accept_reject(tensor, mean, std, a, b, generator)
    return tensor


def _redraw_outside(tensor, mean, std, a, b, generator):
    # the bounds as the tensor's dtype holds them, so no draw equal to a rounded bound is redrawn
    lo, hi = tensor.new_tensor(a).item(), tensor.new_tensor(b).item()
    tensor.normal_(mean, std, generator=generator)
    outside = (tensor < lo) | (tensor > hi)
    while outside.any():
        fresh = tensor.new_empty(tensor.shape).normal_(mean, std, generator=generator)
        tensor.copy_(fresh.where(outside, tensor))
        outside = (tensor < lo) | (tensor > hi)


def _accept_reject(tensor, mean, std, a, b, generator):
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2

    def log_ratio(x):  # log of the density at x relative to its peak on [a, b]
        return ((x - mean) / std) ** 2 * -0.5 - log_peak

    def rejected(x):
        return tensor.new_empty(tensor.shape).uniform_(generator=generator).log_() > log_ratio(x)

    tensor.uniform_(a, b, generator=generator)
    pending = rejected(tensor)
    while pending.any():
        proposal = tensor.new_empty(tensor.shape).uniform_(a, b, generator=generator)
        tensor.copy_(proposal.where(pending, tensor))
        pending = rejected(proposal).where(pending, pending)


# ---- structured draws -----------------------------------------------------------------------------


def orthogonal_(tensor, gain=1, generator=None):
    """Fill ``tensor`` (viewed as rows x rest) with a (semi-)orthogonal matrix times ``gain``:
    the Q of a QR factorisation of a normal draw, its signs fixed by R's diagonal."""
    if tensor.ndimension() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    with no_grad():
        flat = tensor.new_empty((rows, cols)).normal_(0, 1, generator=generator)
        wide = rows < cols
        q, r = linalg.qr(flat.t() if wide else flat)
        q = q * r.diagonal().sign()
        if wide:
            q = q.t()
        tensor.view_as(q).copy_(q)
        tensor.mul_(gain)
    return tensor


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fill the 2-D ``tensor`` with N(0, std**2) draws, then zero ``ceil(sparsity * rows)``
    randomly chosen rows in each column.

    As torch, ``generator`` feeds the normal draws only; the rows to zero come from the default
    generator."""
    if tensor.ndimension() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with no_grad():
        tensor.normal_(0, std, generator=generator)
        for col in range(cols):
            tensor[_randperm(rows)[:num_zeros], col] = 0
    return tensor


# ---- deprecated names without the trailing underscore ------------------------------------------------


def _deprecated(fn):
    new_name = fn.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(
            f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
            FutureWarning,
            stacklevel=2,
        )
        return fn(*args, **kwargs)

    deprecated_init.__name__ = deprecated_init.__qualname__ = old_name
    deprecated_init.__doc__ = f"Deprecated alias of :func:`{new_name}`."
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
