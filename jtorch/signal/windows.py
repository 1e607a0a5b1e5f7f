"""torch.signal.windows: window functions (jtorch/_ops/windows.py)."""

from .._ops.windows import (  # noqa: F401
    bartlett, blackman, cosine, exponential, gaussian, general_cosine, general_hamming, hamming,
    hann, kaiser, nuttall,
)
