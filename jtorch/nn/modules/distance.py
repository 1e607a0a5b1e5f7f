"""torch.nn: PairwiseDistance, CosineSimilarity."""

from typing import ClassVar

from .. import functional as F
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class PairwiseDistance(Module):
    """The p-norm of ``x1 - x2 + eps`` over the last dimension.

    Args: p (float, 2; kept as ``self.norm``), eps (float, 1e-6), keepdim (bool, False).
    Shape: x1, x2 ``(N, D)`` or ``(D)`` (broadcastable) -> ``(N)`` or ``()``; with keepdim
    ``(N, 1)`` or ``(1)``.
    """

    __constants__: ClassVar[list] = ["norm", "eps", "keepdim"]

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """The cosine similarity of ``x1`` and ``x2`` along ``dim``, norms clamped below by ``eps``.

    Args: dim (int, 1), eps (float, 1e-8).
    Shape: x1, x2 broadcastable ``(*1, D, *2)`` -> ``(*1, *2)``.
    """

    __constants__: ClassVar[list] = ["dim", "eps"]

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)
