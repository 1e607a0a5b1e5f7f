"""torch.nn: PixelShuffle, PixelUnshuffle."""

from .. import functional as F
from .module import Module


class PixelShuffle(Module):
    """torch.nn.PixelShuffle: rearranges ``(*, C r^2, H, W)`` into ``(*, C, H r, W r)``.

    Examples::

        >>> nn.PixelShuffle(3)(torch.randn(1, 9, 4, 4)).size()
        torch.Size([1, 1, 12, 12])
    """

    __constants__ = ["upscale_factor"]

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """torch.nn.PixelUnshuffle: the inverse of PixelShuffle, ``(*, C, H r, W r)`` into
    ``(*, C r^2, H, W)``.

    Examples::

        >>> nn.PixelUnshuffle(3)(torch.randn(1, 1, 12, 12)).size()
        torch.Size([1, 9, 4, 4])
    """

    __constants__ = ["downscale_factor"]

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"
