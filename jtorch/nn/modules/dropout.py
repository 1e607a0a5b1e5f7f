"""torch.nn: Dropout, Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout.

Each is active only in training mode (``model.train()``); in eval mode it returns its input.
The noise is drawn as torch draws it (see _ops/nn_dropout.py): on the CPU, torch's masks.
"""

from .. import functional as F
from .module import Module


class _DropoutNd(Module):
    __constants__ = ["p", "inplace"]

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """torch.nn.Dropout: zeroes each element with probability ``p`` and scales the rest by
    ``1 / (1 - p)`` while training.

    Examples::

        >>> nn.Dropout(p=0.2)(torch.randn(20, 16)).size()
        torch.Size([20, 16])
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """torch.nn.Dropout1d: zeroes whole channels of ``(N, C, L)`` or ``(C, L)``."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """torch.nn.Dropout2d: zeroes whole channels of ``(N, C, H, W)`` or ``(C, H, W)``."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """torch.nn.Dropout3d: zeroes whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """torch.nn.AlphaDropout: dropout that keeps a SELU network's mean and variance
    (``inplace`` is accepted and ignored, as in torch)."""

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """torch.nn.FeatureAlphaDropout: AlphaDropout of whole channels."""

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
