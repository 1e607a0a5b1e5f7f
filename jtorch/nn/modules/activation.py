"""torch.nn: activation modules (ReLU ... LogSoftmax, Softmax2d).

Each module holds its options and calls one ``torch.nn.functional`` op in ``forward``, so the
tape records one node per call. (MultiheadAttention lives in attention.py.)
"""

import warnings
from typing import ClassVar

from ... import empty
from ..._ops.pointwise import sigmoid, tanh
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = [
    "CELU",
    "ELU",
    "GELU",
    "GLU",
    "SELU",
    "Hardshrink",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "LeakyReLU",
    "LogSigmoid",
    "LogSoftmax",
    "Mish",
    "PReLU",
    "RReLU",
    "ReLU",
    "ReLU6",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softmax2d",
    "Softmin",
    "Softplus",
    "Softshrink",
    "Softsign",
    "Tanh",
    "Tanhshrink",
    "Threshold",
]


class _Inplace(Module):
    """Base of the activations whose option set includes torch's ``inplace`` flag."""

    __constants__: ClassVar[list] = ["inplace"]
    inplace: bool

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def _inplace_suffix(self):
        return ", inplace=True" if self.inplace else ""

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


# ---- piecewise-linear ------------------------------------------------------------------------


class Threshold(_Inplace):
    """``y = x if x > threshold else value``.

    Args: threshold (float), value (float), inplace (bool, default False).
    Shape: any; output has the input's shape.
    """

    __constants__: ClassVar[list] = ["threshold", "value", "inplace"]

    def __init__(self, threshold, value, inplace=False):
        super().__init__(inplace)
        self.threshold = threshold
        self.value = value

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}{self._inplace_suffix()}"


class ReLU(_Inplace):
    """``max(0, x)`` elementwise. Args: inplace (bool, default False)."""

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)


class RReLU(_Inplace):
    """Randomized leaky ReLU: negative slope drawn from U(lower, upper) per element while
    training, ``(lower + upper) / 2`` in eval mode.

    Args: lower (float, 1/8), upper (float, 1/3), inplace (bool, False).
    """

    __constants__: ClassVar[list] = ["lower", "upper", "inplace"]

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__(inplace)
        self.lower = lower
        self.upper = upper

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}{self._inplace_suffix()}"


class Hardtanh(_Inplace):
    """``clamp(x, min_val, max_val)``.

    Args: min_val (float, -1), max_val (float, 1), inplace (bool, False); ``min_value`` and
    ``max_value`` are torch's deprecated spellings (FutureWarning).
    """

    __constants__: ClassVar[list] = ["min_val", "max_val", "inplace"]

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None):
        super().__init__(inplace)
        if min_value is not None:
            warnings.warn(
                "keyword argument `min_value` is deprecated and renamed to `min_val`",
                FutureWarning,
                stacklevel=2,
            )
            min_val = min_value
        if max_value is not None:
            warnings.warn(
                "keyword argument `max_value` is deprecated and renamed to `max_val`",
                FutureWarning,
                stacklevel=2,
            )
            max_val = max_value
        self.min_val = min_val
        self.max_val = max_val
        if max_val <= min_val:
            raise AssertionError(f"max_val ({max_val}) must be greater than min_val ({min_val})")

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}{self._inplace_suffix()}"


class ReLU6(Hardtanh):
    """``min(max(0, x), 6)``. Args: inplace (bool, default False)."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    extra_repr = _Inplace.extra_repr


class LeakyReLU(_Inplace):
    """``x if x >= 0 else negative_slope * x``.

    Args: negative_slope (float, 0.01), inplace (bool, False).
    """

    __constants__: ClassVar[list] = ["inplace", "negative_slope"]

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__(inplace)
        self.negative_slope = negative_slope

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}{self._inplace_suffix()}"


class PReLU(Module):
    """``x if x >= 0 else a * x`` with a learnable slope ``a`` (one, or one per channel: dim 1
    of the input).

    Args: num_parameters (int, 1), init (float, 0.25: the initial slope), device, dtype.
    Attributes: weight, shape ``(num_parameters,)``.
    """

    __constants__: ClassVar[list] = ["num_parameters"]
    num_parameters: int

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class _Shrink(Module):
    __constants__: ClassVar[list] = ["lambd"]

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def extra_repr(self):
        return f"{self.lambd}"


class Hardshrink(_Shrink):
    """``x if |x| > lambd else 0``. Args: lambd (float, 0.5)."""

    def forward(self, input):
        return F.hardshrink(input, self.lambd)


class Softshrink(_Shrink):
    """``x - lambd if x > lambd, x + lambd if x < -lambd, else 0``. Args: lambd (float, 0.5)."""

    def forward(self, input):
        return F.softshrink(input, self.lambd)


# ---- smooth ----------------------------------------------------------------------------------


class Sigmoid(Module):
    """``1 / (1 + exp(-x))`` elementwise."""

    def forward(self, input):
        return sigmoid(input)


class Tanh(Module):
    """``tanh(x)`` elementwise."""

    def forward(self, input):
        return tanh(input)


class Hardsigmoid(_Inplace):
    """``clamp(x / 6 + 1 / 2, 0, 1)``. Args: inplace (bool, False; not shown by repr)."""

    extra_repr = Module.extra_repr

    def forward(self, input):
        return F.hardsigmoid(input, self.inplace)


class Hardswish(_Inplace):
    """``x * hardsigmoid(x)``. Args: inplace (bool, False; not shown by repr)."""

    extra_repr = Module.extra_repr

    def forward(self, input):
        return F.hardswish(input, self.inplace)


class SiLU(_Inplace):
    """``x * sigmoid(x)`` (swish). Args: inplace (bool, False)."""

    def forward(self, input):
        return F.silu(input, inplace=self.inplace)


class Mish(_Inplace):
    """``x * tanh(softplus(x))``. Args: inplace (bool, False)."""

    def forward(self, input):
        return F.mish(input, inplace=self.inplace)


class _Alpha(_Inplace):
    __constants__: ClassVar[list] = ["alpha", "inplace"]

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(inplace)
        self.alpha = alpha

    def extra_repr(self):
        return f"alpha={self.alpha}{self._inplace_suffix()}"


class ELU(_Alpha):
    """``x if x > 0 else alpha * (exp(x) - 1)``. Args: alpha (float, 1), inplace (bool, False)."""

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)


class CELU(_Alpha):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    Args: alpha (float, 1), inplace (bool, False).
    """

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)


class SELU(_Inplace):
    """``scale * elu(x, alpha)`` with the self-normalizing constants. Args: inplace (bool)."""

    def forward(self, input):
        return F.selu(input, self.inplace)


class GLU(Module):
    """Gated linear unit: splits ``dim`` in halves ``a, b`` and returns ``a * sigmoid(b)``.

    Args: dim (int, -1). Shape: ``(*, N, *)`` -> ``(*, N / 2, *)``.
    """

    __constants__: ClassVar[list] = ["dim"]

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class GELU(Module):
    """Gaussian error linear unit, exact (``'none'``) or its ``'tanh'`` approximation.

    Args: approximate (str, 'none').
    """

    __constants__: ClassVar[list] = ["approximate"]

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class LogSigmoid(Module):
    """``log(sigmoid(x))`` elementwise."""

    def forward(self, input):
        return F.logsigmoid(input)


class Softplus(Module):
    """``log(1 + exp(beta * x)) / beta``, linear where ``beta * x > threshold``.

    Args: beta (float, 1), threshold (float, 20).
    """

    __constants__: ClassVar[list] = ["beta", "threshold"]

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    """``x / (1 + |x|)`` elementwise."""

    def forward(self, input):
        return F.softsign(input)


class Tanhshrink(Module):
    """``x - tanh(x)`` elementwise."""

    def forward(self, input):
        return F.tanhshrink(input)


# ---- softmax family --------------------------------------------------------------------------


class _Dim(Module):
    """Base of the softmaxes: ``dim=None`` picks torch's deprecated implicit dim (with its
    warning)."""

    __constants__: ClassVar[list] = ["dim"]

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(_Dim):
    """Softmax along ``dim``. Args: dim (int or None)."""

    def forward(self, input):
        return F.softmax(input, self.dim, _stacklevel=5)


class Softmin(_Dim):
    """``softmax(-x)`` along ``dim``. Args: dim (int or None)."""

    def forward(self, input):
        return F.softmin(input, self.dim, _stacklevel=5)


class LogSoftmax(_Dim):
    """``log(softmax(x))`` along ``dim``. Args: dim (int or None)."""

    def forward(self, input):
        return F.log_softmax(input, self.dim, _stacklevel=5)


class Softmax2d(Module):
    """Softmax over the channels at each spatial location. Shape: ``(N, C, H, W)`` or
    ``(C, H, W)``."""

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(
                f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead"
            )
        return F.softmax(input, -3, _stacklevel=5)
