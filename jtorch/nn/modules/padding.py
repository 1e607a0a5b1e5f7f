"""torch.nn: ConstantPad, ZeroPad, ReflectionPad, ReplicationPad and CircularPad, 1d to 3d.

Each module stores ``padding`` as F.pad's flat tuple, last dim first: ``(left, right)`` for 1d,
``(left, right, top, bottom)`` for 2d, ``(left, right, top, bottom, front, back)`` for 3d; an
int pads every side by that amount. The work, and torch's checks of the input, are F.pad's.
"""

from .. import functional as F
from .module import Module
from .utils import _ntuple

_SIDES = {1: _ntuple(2), 2: _ntuple(4), 3: _ntuple(6)}


class _PadNd(Module):
    """The shared shell: ``_mode`` and ``_n`` (spatial dims) come from the subclass."""

    __constants__ = ["padding"]
    _mode = None
    _n = None

    def __init__(self, padding):
        super().__init__()
        self.padding = _SIDES[self._n](padding)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input):
        if input.dim() not in (self._n + 1, self._n + 2):
            raise ValueError(
                f"expected {self._n + 1}D or {self._n + 2}D input (got {input.dim()}D input)"
            )
        return super().forward(input)


class CircularPad1d(_CircularPadNd):
    """torch.nn.CircularPad1d: pads ``(C, W)`` or ``(N, C, W)`` by wrapping around."""

    _n = 1


class CircularPad2d(_CircularPadNd):
    """torch.nn.CircularPad2d: pads ``(C, H, W)`` or ``(N, C, H, W)`` by wrapping around."""

    _n = 2


class CircularPad3d(_CircularPadNd):
    """torch.nn.CircularPad3d: pads ``(C, D, H, W)`` or ``(N, C, D, H, W)`` by wrapping around."""

    _n = 3


class _ConstantPadNd(_PadNd):
    __constants__ = ["padding", "value"]
    _mode = "constant"

    def __init__(self, padding, value):
        Module.__init__(self)
        self.value = value  # before padding, as torch (the order shows in ``vars(module)``)
        self.padding = _SIDES[self._n](padding)

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """torch.nn.ConstantPad1d(padding, value): pads the last dim with ``value``."""

    _n = 1


class ConstantPad2d(_ConstantPadNd):
    """torch.nn.ConstantPad2d(padding, value): pads the last 2 dims with ``value``."""

    _n = 2


class ConstantPad3d(_ConstantPadNd):
    """torch.nn.ConstantPad3d(padding, value): pads the last 3 dims with ``value``."""

    _n = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd, ConstantPad1d):
    """torch.nn.ZeroPad1d: pads the last dim with zeros."""


class ZeroPad2d(_ZeroPadNd, ConstantPad2d):
    """torch.nn.ZeroPad2d: pads the last 2 dims with zeros.

    Examples::

        >>> nn.ZeroPad2d((1, 1, 2, 0))(torch.randn(1, 1, 3, 3)).size()
        torch.Size([1, 1, 5, 5])
    """


class ZeroPad3d(_ZeroPadNd, ConstantPad3d):
    """torch.nn.ZeroPad3d: pads the last 3 dims with zeros."""


class _ReflectionPadNd(_PadNd):
    _mode = "reflect"


class ReflectionPad1d(_ReflectionPadNd):
    """torch.nn.ReflectionPad1d: pads the last dim with its reflection (not repeating the edge)."""

    _n = 1


class ReflectionPad2d(_ReflectionPadNd):
    """torch.nn.ReflectionPad2d: pads the last 2 dims with their reflection."""

    _n = 2


class ReflectionPad3d(_ReflectionPadNd):
    """torch.nn.ReflectionPad3d: pads the last 3 dims with their reflection."""

    _n = 3


class _ReplicationPadNd(_PadNd):
    _mode = "replicate"


class ReplicationPad1d(_ReplicationPadNd):
    """torch.nn.ReplicationPad1d: pads the last dim by repeating its edge values."""

    _n = 1


class ReplicationPad2d(_ReplicationPadNd):
    """torch.nn.ReplicationPad2d: pads the last 2 dims by repeating their edges."""

    _n = 2


class ReplicationPad3d(_ReplicationPadNd):
    """torch.nn.ReplicationPad3d: pads the last 3 dims by repeating their edges."""

    _n = 3
