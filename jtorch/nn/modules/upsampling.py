"""torch.nn: Upsample, UpsamplingNearest2d, UpsamplingBilinear2d."""

from .. import functional as F
from .module import Module


class Upsample(Module):
    """torch.nn.Upsample: F.interpolate as a module.

    Args:
        size: output spatial size (int or tuple), or
        scale_factor: multiplier of the spatial size (float or tuple), one of the two.
        mode: ``'nearest'`` (default), ``'linear'``, ``'bilinear'``, ``'bicubic'``,
            ``'trilinear'``, ``'area'``, ``'nearest-exact'``.
        align_corners, recompute_scale_factor: as in F.interpolate.

    Shape: input ``(N, C, *spatial_in)``, output ``(N, C, *spatial_out)``.

    Examples::

        >>> nn.Upsample(scale_factor=2, mode="nearest")(torch.randn(1, 1, 2, 2)).size()
        torch.Size([1, 1, 4, 4])
    """

    __constants__ = [
        "size",
        "scale_factor",
        "mode",
        "align_corners",
        "name",
        "recompute_scale_factor",
    ]

    def __init__(
        self,
        size=None,
        scale_factor=None,
        mode="nearest",
        align_corners=None,
        recompute_scale_factor=None,
    ):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(
            input,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )

    def __setstate__(self, state):
        state.setdefault("recompute_scale_factor", True)  # modules pickled before the option
        super().__setstate__(state)

    def extra_repr(self):
        if self.scale_factor is not None:
            info = "scale_factor=" + repr(self.scale_factor)
        else:
            info = "size=" + repr(self.size)
        return info + ", mode=" + repr(self.mode)


class UpsamplingNearest2d(Upsample):
    """torch.nn.UpsamplingNearest2d: Upsample with ``mode='nearest'`` (deprecated in torch in
    favour of Upsample, kept for old scripts)."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """torch.nn.UpsamplingBilinear2d: Upsample with ``mode='bilinear', align_corners=True``."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
