"""torch.optim.lr_scheduler: schedules that rewrite the learning rates (and, for the cyclic ones,
the momentum or ``betas[0]``) in an optimizer's parameter groups, one ``step()`` at a time.
See Note [scheduler state] in _base.py."""

from ._base import (
    EPOCH_DEPRECATION_WARNING,  # noqa: F401  (public in torch, not in __all__)
    LRScheduler,
    _LRScheduler,
)
from ._composite import ChainedScheduler, SequentialLR
from ._cyclic import CyclicLR, OneCycleLR
from ._plateau import ReduceLROnPlateau
from ._schedules import (
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]

# The family modules are private: the classes name this module as their home, as torch's do,
# so reprs, help() and pickles of them read jtorch.optim.lr_scheduler.
for _cls in (*(globals()[_name] for _name in __all__), _LRScheduler):
    _cls.__module__ = __name__
del _cls
