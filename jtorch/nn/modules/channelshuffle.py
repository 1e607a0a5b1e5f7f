"""torch.nn: ChannelShuffle."""

from .. import functional as F
from .module import Module


class ChannelShuffle(Module):
    """torch.nn.ChannelShuffle: splits the channels of ``(*, C, H, W)`` into ``groups`` and
    interleaves them.

    Examples::

        >>> nn.ChannelShuffle(2)(torch.arange(4.0).view(1, 4, 1, 1)).flatten()
        tensor([0., 2., 1., 3.])
    """

    __constants__ = ["groups"]

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"
