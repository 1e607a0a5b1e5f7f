"""torch.nn: max, average, LP, adaptive and fractional pooling (1d to 3d) and MaxUnpool.

The modules keep torch's attributes as given (``kernel_size`` stays an int where torch keeps
it, and becomes a tuple where torch's constructor normalizes it), because their reprs and
``__dict__`` are part of what users see; the pooling itself is F's.
"""

from .. import functional as F
from .module import Module
from .utils import _pair, _single, _triple

# ---- max pooling ---------------------------------------------------------------------------------


class _MaxPoolNd(Module):
    __constants__ = ["kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"]
    _pool = None

    def __init__(
        self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False
    ):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return type(self)._pool(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )

    def extra_repr(self):
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPoolNd):
    """torch.nn.MaxPool1d: the max over sliding windows of ``(N, C, L)`` or ``(C, L)``.

    Args:
        kernel_size: window size. stride: step (default ``kernel_size``). padding: implicit
            ``-inf`` padding on both sides. dilation: spacing of window elements.
        return_indices: also return the flat index of each maximum (for MaxUnpool1d).
        ceil_mode: round the output size up instead of down.

    Examples::

        >>> nn.MaxPool1d(3, stride=2)(torch.randn(20, 16, 50)).size()
        torch.Size([20, 16, 24])
    """

    _pool = F.max_pool1d


class MaxPool2d(_MaxPoolNd):
    """torch.nn.MaxPool2d: the max over sliding windows of ``(N, C, H, W)`` or ``(C, H, W)``;
    arguments as MaxPool1d, each an int or an ``(h, w)`` pair.

    Examples::

        >>> nn.MaxPool2d((3, 2), stride=(2, 1))(torch.randn(20, 16, 50, 32)).size()
        torch.Size([20, 16, 24, 31])
    """

    _pool = F.max_pool2d


class MaxPool3d(_MaxPoolNd):
    """torch.nn.MaxPool3d: the max over sliding windows of ``(N, C, D, H, W)`` or
    ``(C, D, H, W)``; arguments as MaxPool1d, each an int or a ``(d, h, w)`` triple."""

    _pool = F.max_pool3d


# ---- max unpooling -------------------------------------------------------------------------------


class _MaxUnpoolNd(Module):
    _size = None
    _unpool = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        size = type(self)._size
        self.kernel_size = size(kernel_size)
        self.stride = size(stride if stride is not None else kernel_size)
        self.padding = size(padding)

    def forward(self, input, indices, output_size=None):
        return type(self)._unpool(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """torch.nn.MaxUnpool1d: places each value at the index MaxPool1d returned for it, zeros
    elsewhere; ``output_size`` in forward resolves the ambiguous sizes.

    Examples::

        >>> pool, unpool = nn.MaxPool1d(2, return_indices=True), nn.MaxUnpool1d(2)
        >>> unpool(*pool(torch.tensor([[[1.0, 2, 3, 4, 5, 6, 7, 8]]])))
        tensor([[[0., 2., 0., 4., 0., 6., 0., 8.]]])
    """

    _size = _single
    _unpool = F.max_unpool1d


class MaxUnpool2d(_MaxUnpoolNd):
    """torch.nn.MaxUnpool2d: the partial inverse of MaxPool2d."""

    _size = _pair
    _unpool = F.max_unpool2d


class MaxUnpool3d(_MaxUnpoolNd):
    """torch.nn.MaxUnpool3d: the partial inverse of MaxPool3d."""

    _size = _triple
    _unpool = F.max_unpool3d


# ---- average pooling -----------------------------------------------------------------------------


class _AvgPoolNd(Module):
    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"]

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """torch.nn.AvgPool1d: the mean over sliding windows of ``(N, C, L)`` or ``(C, L)``.

    Args:
        kernel_size, stride (default ``kernel_size``), padding (zeros), ceil_mode as MaxPool1d.
        count_include_pad: count the zero padding in each window's divisor (default True).

    Examples::

        >>> nn.AvgPool1d(3, stride=2)(torch.tensor([[[1.0, 2, 3, 4, 5, 6, 7]]]))
        tensor([[[2., 4., 6.]]])
    """

    def __init__(
        self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True
    ):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
        )


class _AvgPool23d(_AvgPoolNd):
    __constants__ = [
        "kernel_size",
        "stride",
        "padding",
        "ceil_mode",
        "count_include_pad",
        "divisor_override",
    ]
    _pool = None

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode=False,
        count_include_pad=True,
        divisor_override=None,
    ):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return type(self)._pool(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )


class AvgPool2d(_AvgPool23d):
    """torch.nn.AvgPool2d: the mean over sliding windows of ``(N, C, H, W)`` or ``(C, H, W)``;
    arguments as AvgPool1d, plus ``divisor_override`` (a fixed divisor for every window).

    Examples::

        >>> nn.AvgPool2d((3, 2), stride=(2, 1))(torch.randn(20, 16, 50, 32)).size()
        torch.Size([20, 16, 24, 31])
    """

    _pool = F.avg_pool2d


class AvgPool3d(_AvgPool23d):
    """torch.nn.AvgPool3d: the mean over sliding windows of ``(N, C, D, H, W)`` or
    ``(C, D, H, W)``; arguments as AvgPool2d."""

    _pool = F.avg_pool3d

    def __setstate__(self, state):
        super().__setstate__(state)
        self.__dict__.setdefault("padding", 0)  # modules pickled before these options
        self.__dict__.setdefault("ceil_mode", False)
        self.__dict__.setdefault("count_include_pad", True)


# ---- fractional max pooling ----------------------------------------------------------------------


class _FractionalMaxPoolNd(Module):
    __constants__ = ["kernel_size", "return_indices", "output_size", "output_ratio"]
    _n = None
    _size = None
    _pool = None

    def __init__(
        self,
        kernel_size,
        output_size=None,
        output_ratio=None,
        return_indices=False,
        _random_samples=None,
    ):
        super().__init__()
        name, size = type(self).__name__, type(self)._size
        self.kernel_size = size(kernel_size)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = size(output_size) if output_size is not None else None
        self.output_ratio = size(output_ratio) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(
                f"{name} requires specifying either an output size, or a pooling ratio"
            )
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(
            0 < r < 1 for r in self.output_ratio[: self._n]
        ):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        return type(self)._pool(
            input,
            self.kernel_size,
            self.output_size,
            self.output_ratio,
            self.return_indices,
            _random_samples=self._random_samples,
        )


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """torch.nn.FractionalMaxPool2d (Graham's fractional max-pooling): the max over
    ``kernel_size`` windows at pseudo-random steps chosen so the output has ``output_size``
    (or ``output_ratio`` times the input size).

    Args:
        kernel_size: window size. output_size or output_ratio (in (0, 1)): the target size.
        return_indices: also return the flat index of each maximum.
        _random_samples: fixed ``(N, C, 2)`` samples in [0, 1) (drawn per call otherwise).

    Examples::

        >>> nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.5))(torch.randn(20, 16, 50, 32)).size()
        torch.Size([20, 16, 25, 16])
    """

    _n = 2
    _size = _pair
    _pool = F.fractional_max_pool2d


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """torch.nn.FractionalMaxPool3d: FractionalMaxPool2d over ``(N, C, T, H, W)``; the random
    samples are ``(N, C, 3)``."""

    _n = 3
    _size = _triple
    _pool = F.fractional_max_pool3d

    def __init__(
        self,
        kernel_size,
        output_size=None,
        output_ratio=None,
        return_indices=False,
        _random_samples=None,
    ):
        many = isinstance(kernel_size, (tuple, list))
        if (not many and kernel_size <= 0) or (many and not all(k > 0 for k in kernel_size)):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        super().__init__(kernel_size, output_size, output_ratio, return_indices, _random_samples)


# ---- power-average pooling -----------------------------------------------------------------------


class _LPPoolNd(Module):
    __constants__ = ["norm_type", "kernel_size", "stride", "ceil_mode"]
    _pool = None

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return type(self)._pool(
            input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode
        )

    def extra_repr(self):
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPoolNd):
    """torch.nn.LPPool1d: ``(sum over the window of x^p)^(1/p)`` over ``(N, C, L)`` or
    ``(C, L)``; ``p = inf`` is max pooling of ``|x|``.

    Examples::

        >>> nn.LPPool1d(2, 3, stride=2)(torch.randn(20, 16, 50)).size()
        torch.Size([20, 16, 24])
    """

    _pool = F.lp_pool1d


class LPPool2d(_LPPoolNd):
    """torch.nn.LPPool2d: LPPool1d over ``(N, C, H, W)`` or ``(C, H, W)``."""

    _pool = F.lp_pool2d


class LPPool3d(_LPPoolNd):
    """torch.nn.LPPool3d: LPPool1d over ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""

    _pool = F.lp_pool3d


# ---- adaptive pooling ----------------------------------------------------------------------------


class _AdaptiveMaxPoolNd(Module):
    __constants__ = ["output_size", "return_indices"]
    _pool = None

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return type(self)._pool(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """torch.nn.AdaptiveMaxPool1d: max pooling of ``(N, C, L)`` or ``(C, L)`` to length
    ``output_size`` whatever ``L`` is.

    Examples::

        >>> nn.AdaptiveMaxPool1d(5)(torch.randn(1, 64, 8)).size()
        torch.Size([1, 64, 5])
    """

    _pool = F.adaptive_max_pool1d


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """torch.nn.AdaptiveMaxPool2d: to ``output_size`` ``(h, w)`` (``None`` keeps that size)."""

    _pool = F.adaptive_max_pool2d


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """torch.nn.AdaptiveMaxPool3d: to ``output_size`` ``(d, h, w)`` (``None`` keeps that size)."""

    _pool = F.adaptive_max_pool3d


class _AdaptiveAvgPoolNd(Module):
    __constants__ = ["output_size"]
    _pool = None

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return type(self)._pool(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """torch.nn.AdaptiveAvgPool1d: average pooling of ``(N, C, L)`` or ``(C, L)`` to length
    ``output_size``.

    Examples::

        >>> nn.AdaptiveAvgPool1d(5)(torch.randn(1, 64, 8)).size()
        torch.Size([1, 64, 5])
    """

    _pool = F.adaptive_avg_pool1d


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """torch.nn.AdaptiveAvgPool2d: to ``output_size`` ``(h, w)`` (``None`` keeps that size)."""

    _pool = F.adaptive_avg_pool2d


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """torch.nn.AdaptiveAvgPool3d: to ``output_size`` ``(d, h, w)`` (``None`` keeps that size)."""

    _pool = F.adaptive_avg_pool3d
