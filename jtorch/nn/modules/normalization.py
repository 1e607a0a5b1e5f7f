"""torch.nn: LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm, CrossMapLRN2d."""

import numbers

from ... import empty
from ..._ops.nn_norm import cross_map_lrn2d
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["CrossMapLRN2d", "GroupNorm", "LayerNorm", "LocalResponseNorm", "RMSNorm"]


class LocalResponseNorm(Module):
    """torch.nn.LocalResponseNorm: each element divided by ``(k + alpha / size * sum of squares
    over size neighbouring channels) ** beta``.

    Args: size, alpha=1e-4, beta=0.75, k=1.0.
    Shape: ``(N, C, *)`` in and out.
    Example: ``nn.LocalResponseNorm(2)(torch.randn(32, 5, 24, 24))``.
    """

    __constants__ = ["size", "alpha", "beta", "k"]

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)


class CrossMapLRN2d(Module):
    """torch.nn.CrossMapLRN2d: the legacy (Lua torch) local response norm over the channels of
    a 4-D input, with that implementation's own forward window and backward.

    Args: size, alpha=1e-4, beta=0.75, k=1.
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return cross_map_lrn2d(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)


def _affine_parameters(module, enabled, bias, shape, device, dtype):
    """Register the ``weight`` and ``bias`` of ``shape`` (None when not ``enabled``; no bias
    when not ``bias``): the layout torch's norm layers share."""

    def make(wanted):
        return Parameter(empty(shape, device=device, dtype=dtype)) if wanted else None

    module.register_parameter("weight", make(enabled))
    module.register_parameter("bias", make(enabled and bias))


def _reset_affine(module):
    """torch's norm initialisation: weight ones, bias zeros."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


def _shape_tuple(normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        return (normalized_shape,)
    return tuple(normalized_shape)


class LayerNorm(Module):
    """torch.nn.LayerNorm: normalizes over the trailing ``normalized_shape`` dims, then scales
    and shifts elementwise.

    Args: normalized_shape (int or shape), eps=1e-5, elementwise_affine=True, bias=True, device,
    dtype.
    Shape: ``(*, *normalized_shape)`` in and out.
    Example: ``nn.LayerNorm(10)(torch.randn(20, 5, 10))``.
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(
        self,
        normalized_shape,
        eps=1e-5,
        elementwise_affine=True,
        bias=True,
        device=None,
        dtype=None,
    ):
        super().__init__()
        self.normalized_shape = _shape_tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, elementwise_affine, bias, self.normalized_shape, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        s = "{normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine}, "
        return (s + "bias={use_bias}").format(**self.__dict__, use_bias=self.bias is not None)


class GroupNorm(Module):
    """torch.nn.GroupNorm: normalizes each sample's channels in ``num_groups`` groups, then
    scales and shifts per channel.

    Args: num_groups, num_channels (divisible by num_groups), eps=1e-5, affine=True, device,
    dtype, bias=True (keyword only).
    Shape: ``(N, C, *)`` in and out.
    Example: ``nn.GroupNorm(3, 6)(torch.randn(20, 6, 10, 10))``.
    """

    __constants__ = ["num_groups", "num_channels", "eps", "affine"]

    def __init__(
        self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True
    ):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(
                f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"
            )
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, affine, bias, (num_channels,), device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return "{num_groups}, {num_channels}, eps={eps}, affine={affine}, bias={use_bias}".format(
            **self.__dict__, use_bias=self.bias is not None
        )


class RMSNorm(Module):
    """torch.nn.RMSNorm: ``x / sqrt(mean(x**2) + eps) * weight`` over the trailing
    ``normalized_shape`` dims (eps None: the dtype's machine epsilon).

    Args: normalized_shape, eps=None, elementwise_affine=True, device, dtype.
    Shape: ``(*, *normalized_shape)`` in and out.
    Example: ``nn.RMSNorm([5, 10])(torch.randn(20, 5, 10))``.
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(
        self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None
    ):
        super().__init__()
        self.normalized_shape = _shape_tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return "{normalized_shape}, eps={eps}, elementwise_affine={elementwise_affine}".format(
            **self.__dict__
        )
