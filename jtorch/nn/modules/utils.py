"""torch.nn.modules.utils: the argument normalizers the layers share (``_pair(3) == (3, 3)``)."""

import collections.abc
from itertools import repeat


def _ntuple(n, name="parse"):
    """A parser that keeps an iterable as a tuple and repeats a single value ``n`` times."""

    def parse(x):
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t, n):
    """``t`` reversed with each element repeated ``n`` times: F.pad's order from conv padding."""
    return tuple(x for x in reversed(t) for _ in range(n))
