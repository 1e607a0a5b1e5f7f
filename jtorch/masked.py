"""torch.masked: reductions and normalizations that honour a boolean mask (jtorch/_ops/masked.py)."""

from ._ops.masked import (  # noqa: F401
    amax,
    amin,
    argmax,
    argmin,
    cumprod,
    cumsum,
    log_softmax,
    logaddexp,
    logsumexp,
    mean,
    median,
    norm,
    normalize,
    prod,
    softmax,
    softmin,
    std,
    sum,
    var,
)
