"""torch.nn: Conv*, ConvTranspose*, LazyConv*."""

import math

from ... import empty
from ...autograd import grad_mode
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from .lazy import LazyModuleMixin
from .module import Module
from .utils import _pair, _reverse_repeat_tuple, _single, _triple

__all__ = [
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "LazyConv1d",
    "LazyConv2d",
    "LazyConv3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
]


_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}
_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def _pad_pairs(padding, dilation, kernel_size):
    """``F.pad``'s list (last dim first, (left, right) each) for a module's ``padding``; 'same'
    puts the odd element on the right, as torch does."""
    if not isinstance(padding, str):
        return _reverse_repeat_tuple(padding, 2)
    pairs = []
    for d, k in zip(reversed(dilation), reversed(kernel_size)):
        total = d * (k - 1) if padding == "same" else 0
        pairs += [total // 2, total - total // 2]
    return pairs


class _ConvNd(Module):
    """The state and checks shared by every convolution module."""

    __constants__ = [
        "stride",
        "padding",
        "dilation",
        "groups",
        "padding_mode",
        "output_padding",
        "in_channels",
        "out_channels",
        "kernel_size",
    ]

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride,
        padding,
        dilation,
        transposed,
        output_padding,
        groups,
        bias,
        padding_mode,
        device=None,
        dtype=None,
    ):
        super().__init__()
        _check_conv_args(in_channels, out_channels, stride, padding, groups, padding_mode)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        self._reversed_padding_repeated_twice = _pad_pairs(padding, dilation, kernel_size)
        # a transposed convolution's weight is laid out (in, out / groups, *kernel)
        channels = (
            (in_channels, out_channels // groups)
            if transposed
            else (out_channels, in_channels // groups)
        )
        self.weight = Parameter(empty((*channels, *kernel_size), device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """torch's default: weight ~ kaiming_uniform(a=sqrt(5)), bias ~ U(+-1/sqrt(fan_in))."""
        with grad_mode.no_grad():
            init.kaiming_uniform_(self.weight, a=math.sqrt(5))
            if self.bias is not None:
                fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
                init.uniform_(self.bias, -bound, bound)

    def _conv_forward(self, input, weight, bias):
        # one F.convNd; a padding_mode other than zeros pads with F.pad first
        conv = _CONV[len(self.kernel_size)]
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            zeros = (0,) * len(self.kernel_size)
            return conv(padded, weight, bias, self.stride, zeros, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)

    def extra_repr(self):
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "padding_mode"):
            self.padding_mode = "zeros"


def _check_conv_args(in_channels, out_channels, stride, padding, groups, padding_mode):
    if groups <= 0:
        raise ValueError("groups must be a positive integer")
    if in_channels % groups != 0:
        raise ValueError("in_channels must be divisible by groups")
    if out_channels % groups != 0:
        raise ValueError("out_channels must be divisible by groups")
    if isinstance(padding, str):
        if padding not in {"same", "valid"}:
            raise ValueError(
                f"Invalid padding string {padding!r}, should be one of {{'same', 'valid'}}"
            )
        if padding == "same" and any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
    if padding_mode not in _PADDING_MODES:
        raise ValueError(
            f"padding_mode must be one of {{'zeros', 'reflect', 'replicate', 'circular'}}, but got "
            f"padding_mode='{padding_mode}'"
        )


class _Conv(_ConvNd):
    """The constructor Conv1d/2d/3d share: ints or tuples widened by ``_expand``."""

    _expand = None

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups=1,
        bias=True,
        padding_mode="zeros",
        device=None,
        dtype=None,
    ):
        e = self._expand
        super().__init__(
            in_channels, out_channels, e(kernel_size), e(stride),
            padding if isinstance(padding, str) else e(padding), e(dilation),
            False, e(0), groups, bias, padding_mode, device, dtype,
        )  # fmt: skip


class Conv1d(_Conv):
    """torch.nn.Conv1d: a 1-d convolution over ``(N, C_in, L)`` (or unbatched ``(C_in, L)``).

    Args: in_channels, out_channels, kernel_size, stride=1, padding=0 (int, tuple, 'valid' or
    'same'), dilation=1, groups=1, bias=True, padding_mode='zeros' ('reflect', 'replicate',
    'circular'), device, dtype.
    Shape: ``(N, C_in, L_in) -> (N, C_out, L_out)``.
    Example: ``nn.Conv1d(16, 33, 3, stride=2)(torch.randn(20, 16, 50)).shape == (20, 33, 24)``.
    """

    _expand = staticmethod(_single)


class Conv2d(_Conv):
    """torch.nn.Conv2d: a 2-d convolution over ``(N, C_in, H, W)`` (or unbatched ``(C_in, H, W)``).

    Args: as Conv1d, with int-or-pair ``kernel_size``/``stride``/``padding``/``dilation``.
    Shape: ``(N, C_in, H_in, W_in) -> (N, C_out, H_out, W_out)``.
    Example: ``nn.Conv2d(16, 33, 3, stride=2)(torch.randn(20, 16, 50, 100)).shape ==
    (20, 33, 24, 49)``.
    """

    _expand = staticmethod(_pair)


class Conv3d(_Conv):
    """torch.nn.Conv3d: a 3-d convolution over ``(N, C_in, D, H, W)`` (or unbatched).

    Args: as Conv1d, with int-or-triple ``kernel_size``/``stride``/``padding``/``dilation``.
    Shape: ``(N, C_in, D_in, H_in, W_in) -> (N, C_out, D_out, H_out, W_out)``.
    Example: ``nn.Conv3d(16, 33, 3, stride=2)(torch.randn(20, 16, 10, 50, 100)).shape ==
    (20, 33, 4, 24, 49)``.
    """

    _expand = staticmethod(_triple)


# ---- transposed convolutions --------------------------------------------------------------------


class _ConvTransposeNd(_ConvNd):
    """The shared forward of ConvTranspose1d/2d/3d, with the ``output_size`` argument."""

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride,
        padding,
        dilation,
        transposed,
        output_padding,
        groups,
        bias,
        padding_mode,
        device=None,
        dtype=None,
    ):
        if padding_mode != "zeros":
            raise ValueError(
                f'Only "zeros" padding mode is supported for {self.__class__.__name__}'
            )
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
            output_padding, groups, bias, padding_mode, device, dtype,
        )  # fmt: skip

    def _output_padding(
        self, input, output_size, stride, padding, kernel_size, num_spatial_dims, dilation=None
    ):
        """The output_padding that makes the output ``output_size`` (the module's own when None)."""
        if output_size is None:
            return _single(self.output_padding)
        non_spatial = 2 if input.dim() == num_spatial_dims + 2 else 1
        if len(output_size) == non_spatial + num_spatial_dims:
            output_size = output_size[non_spatial:]
        if len(output_size) != num_spatial_dims:
            raise ValueError(
                f"ConvTranspose{num_spatial_dims}D: for {input.dim()}D input, output_size must "
                f"have {num_spatial_dims} or {non_spatial + num_spatial_dims} elements (got "
                f"{len(output_size)})"
            )
        min_sizes, max_sizes = [], []
        for d in range(num_spatial_dims):
            reach = (dilation[d] if dilation is not None else 1) * (kernel_size[d] - 1)
            low = (input.size(d + non_spatial) - 1) * stride[d] - 2 * padding[d] + reach + 1
            min_sizes.append(low)
            max_sizes.append(low + stride[d] - 1)
        for size, low, high in zip(output_size, min_sizes, max_sizes):
            if size < low or size > high:
                raise ValueError(
                    f"requested an output size of {output_size}, but valid sizes range from "
                    f"{min_sizes} to {max_sizes} (for an input of {input.size()[2:]})"
                )
        return [output_size[d] - min_sizes[d] for d in range(num_spatial_dims)]

    def forward(self, input, output_size=None):
        n = len(self.kernel_size)
        if self.padding_mode != "zeros":
            raise ValueError(f"Only `zeros` padding mode is supported for {type(self).__name__}")
        output_padding = self._output_padding(
            input, output_size, self.stride, self.padding, self.kernel_size, n, self.dilation
        )
        return _CONV_TRANSPOSE[n](
            input, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups,
            self.dilation,
        )  # fmt: skip


class _ConvTranspose(_ConvTransposeNd):
    """The constructor ConvTranspose1d/2d/3d share."""

    _expand = None

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        output_padding=0,
        groups=1,
        bias=True,
        dilation=1,
        padding_mode="zeros",
        device=None,
        dtype=None,
    ):
        e = self._expand
        super().__init__(
            in_channels, out_channels, e(kernel_size), e(stride), e(padding), e(dilation), True,
            e(output_padding), groups, bias, padding_mode, device, dtype,
        )  # fmt: skip


class ConvTranspose1d(_ConvTranspose):
    """torch.nn.ConvTranspose1d: the gradient of Conv1d w.r.t. its input (a "deconvolution").

    Args: in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
    groups=1, bias=True, dilation=1, padding_mode='zeros' (the only one allowed), device, dtype.
    ``forward(input, output_size=None)``: ``output_size`` picks among the output sizes a
    strided convolution maps to the input's size.
    Shape: ``(N, C_in, L_in) -> (N, C_out, L_out)`` with
    ``L_out = (L_in - 1) * stride - 2 * padding + dilation * (kernel_size - 1)
    + output_padding + 1``.
    """

    _expand = staticmethod(_single)


class ConvTranspose2d(_ConvTranspose):
    """torch.nn.ConvTranspose2d: the gradient of Conv2d w.r.t. its input.

    Args and ``output_size``: as ConvTranspose1d, with int-or-pair sizes.
    Shape: ``(N, C_in, H_in, W_in) -> (N, C_out, H_out, W_out)``.
    """

    _expand = staticmethod(_pair)


class ConvTranspose3d(_ConvTranspose):
    """torch.nn.ConvTranspose3d: the gradient of Conv3d w.r.t. its input.

    Args and ``output_size``: as ConvTranspose1d, with int-or-triple sizes.
    Shape: ``(N, C_in, D_in, H_in, W_in) -> (N, C_out, D_out, H_out, W_out)``.
    """

    _expand = staticmethod(_triple)


class _LazyConvXdMixin(LazyModuleMixin):
    """in_channels inferred from the first input; built as the eager class with 0 channels and
    no bias, then given placeholder parameters."""

    def _make_lazy(self, out_channels, bias, device, dtype):
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs):
        if not self.has_uninitialized_params():
            return
        self.in_channels = self._get_in_channels(input)
        if self.in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if self.transposed:
            channels = (self.in_channels, self.out_channels // self.groups)
        else:
            channels = (self.out_channels, self.in_channels // self.groups)
        self.weight.materialize((*channels, *self.kernel_size))
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()

    def _get_in_channels(self, input):
        n = len(self.kernel_size)
        if input.dim() not in (n + 1, n + 2):
            raise RuntimeError(
                f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to "
                f"{self.__class__.__name__}, but got input of size: {input.shape}"
            )
        return input.shape[1] if input.dim() == n + 2 else input.shape[0]

    def _get_num_spatial_dims(self):
        return len(self.kernel_size)


class _LazyConvNd(_LazyConvXdMixin):
    """The constructor the three LazyConv classes share (the eager class comes next in the MRO)."""

    def __init__(
        self,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups=1,
        bias=True,
        padding_mode="zeros",
        device=None,
        dtype=None,
    ):
        super().__init__(
            0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode, device, dtype
        )
        self._make_lazy(out_channels, bias, device, dtype)


class _LazyConvTransposeNd(_LazyConvXdMixin):
    """The constructor the three LazyConvTranspose classes share."""

    def __init__(
        self,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        output_padding=0,
        groups=1,
        bias=True,
        dilation=1,
        padding_mode="zeros",
        device=None,
        dtype=None,
    ):
        super().__init__(
            0, 0, kernel_size, stride, padding, output_padding, groups, False, dilation,
            padding_mode, device, dtype,
        )  # fmt: skip
        self._make_lazy(out_channels, bias, device, dtype)


class LazyConv1d(_LazyConvNd, Conv1d):
    """torch.nn.LazyConv1d: Conv1d with ``in_channels`` taken from the first input."""

    cls_to_become = Conv1d


class LazyConv2d(_LazyConvNd, Conv2d):
    """torch.nn.LazyConv2d: Conv2d with ``in_channels`` taken from the first input."""

    cls_to_become = Conv2d


class LazyConv3d(_LazyConvNd, Conv3d):
    """torch.nn.LazyConv3d: Conv3d with ``in_channels`` taken from the first input."""

    cls_to_become = Conv3d


class LazyConvTranspose1d(_LazyConvTransposeNd, ConvTranspose1d):
    """torch.nn.LazyConvTranspose1d: ConvTranspose1d with ``in_channels`` from the first input."""

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTransposeNd, ConvTranspose2d):
    """torch.nn.LazyConvTranspose2d: ConvTranspose2d with ``in_channels`` from the first input."""

    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTransposeNd, ConvTranspose3d):
    """torch.nn.LazyConvTranspose3d: ConvTranspose3d with ``in_channels`` from the first input."""

    cls_to_become = ConvTranspose3d
