"""Activations and softmaxes of torch.nn.functional (relu6, elu, gelu, softplus, ...; softmax,
log_softmax, softmin).

Each activation is one op; ``functional(op)`` adds torch's ``inplace=`` argument, running the
same op in place (Note [inplace activations]). ``relu`` is pointwise.relu, not a second op.
Gradients follow torch's conventions at the kinks (relu'(0) = 0, hardtanh's boundaries get 0,
leaky_relu'(0) is the negative slope, hardswish'(-3) = -0.5).
"""

import inspect
import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from .. import _random
from .._errors import check, wrap_dim
from ._registry import INT_TO_FLOAT, NONE, TN, TT, D, dispatch_inplace, op
from .pointwise import _kind, _reject, _title, _with_jvp, relu

# ---- Note [inplace activations] --------------------------------------------------------------
# torch.nn.functional's activations take ``inplace=False``; with True they write the result into
# ``input`` and return ``input`` itself. The op stays one pure function: ``functional`` gives it
# torch's Python signature and routes ``inplace=True`` through the registry's in-place dispatch
# (version bump, views, leaf checks), with no Tensor.X_ method torch does not have.


def functional(top, name=None):
    """``torch.nn.functional.<name>``: op ``top`` with torch's trailing ``inplace=False``."""
    sig = top.__signature__
    params = [p for p in sig.parameters.values() if p.name != "out"]
    params.append(inspect.Parameter("inplace", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=False))
    n = len(params) - 1

    def f(*args, **kwargs):
        inplace = kwargs.pop("inplace", False)
        if len(args) > n:
            args, inplace = args[:n], args[n]
        if inplace:
            return dispatch_inplace(top, args[0], args[1:], kwargs)
        return top(*args, **kwargs)

    f.__name__ = f.__qualname__ = name or top.__name__
    f.__doc__ = top.__doc__
    f.__signature__ = sig.replace(parameters=params)
    f.op = top
    return f


def _float_only(x, kernel):
    _reject(x, "bic", kernel)


def _zero(x):
    return jnp.zeros((), x.dtype)


# ---- softmax family --------------------------------------------------------------------------


def _softmax_input(input, dim, dtype, kernel):
    x = input if dtype is None else input.astype(dtype._np)
    d = wrap_dim(dim, x.ndim) if x.ndim else None
    kernel += "_lastdim_kernel_impl" if d is None or d == x.ndim - 1 else "_kernel_impl"
    check(
        jnp.issubdtype(x.dtype, jnp.inexact),
        NotImplementedError,
        lambda: f'"{kernel}" not implemented for \'{_title(x)}\'',
    )
    return x, d


@op(promote=NONE, grad_name="SoftmaxBackward0", opmath=True)
def softmax(input: TT, dim, dtype=None):
    """torch.softmax along ``dim`` (``dtype``: cast the input first)."""
    x, d = _softmax_input(input, dim, dtype, "softmax")
    return jnp.ones_like(x) if d is None else jax.nn.softmax(x, axis=d)


@op(promote=NONE, grad_name="LogSoftmaxBackward0", opmath=True)
def log_softmax(input: TT, dim, dtype=None):
    """torch.log_softmax along ``dim`` (``dtype``: cast the input first)."""
    x, d = _softmax_input(input, dim, dtype, "log_softmax")
    return jnp.zeros_like(x) if d is None else jax.nn.log_softmax(x, axis=d)


@op("nn.functional.softmin", promote=NONE, method=False, grad_name="SoftmaxBackward0", opmath=True)
def _softmin(input: TT, dim, dtype=None):
    return softmax.fn(-input, dim, dtype)


def _implicit_dim(name, dim, ndim, stacklevel):
    if dim is not None:
        return dim
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_functional(top, name):
    def f(input, dim=None, _stacklevel=3, dtype=None):
        return top(input, _implicit_dim(name, dim, input.dim(), _stacklevel), dtype)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"torch.nn.functional.{name}: torch.{top.__name__} with torch's implicit dim."
    return f


# ---- piecewise-linear activations ------------------------------------------------------------


def _hardtanh(x, lo, hi):
    """clamp(x, lo, hi) with torch's gradient: 1 strictly inside, 0 at and beyond the bounds."""
    lo, hi = jnp.asarray(lo, x.dtype), jnp.asarray(hi, x.dtype)
    inside = (x > lo) & (x < hi)
    return jnp.where(inside, x, jax.lax.stop_gradient(jnp.clip(x, lo, hi)))


@op("nn.functional.hardtanh", method=False, grad_name="HardtanhBackward0")
def hardtanh(input: TT, min_val=-1.0, max_val=1.0):
    check(min_val <= max_val, ValueError, "min_val cannot be greater than max_val")
    check(_kind(input) != "b", RuntimeError, "Bool inputs not supported for hardtanh")
    _reject(input, "c", "hardtanh_cpu")
    if _kind(input) == "i":
        return jnp.clip(input, math.ceil(min_val), math.floor(max_val))
    return _hardtanh(input, min_val, max_val)


@op("nn.functional.relu6", method=False, grad_name="HardtanhBackward0")
def relu6(input: TT):
    return hardtanh.fn(input, 0.0, 6.0)


@op("nn.functional.threshold", method=False, grad_name="ThresholdBackward0")
def threshold(input: TT, threshold: D, value: D):
    _reject(input, "bc", "threshold_cpu")
    return jnp.where(input > threshold.astype(input.dtype), input, value.astype(input.dtype))


@op("nn.functional.leaky_relu", method=False, grad_name="LeakyReluBackward0", opmath=True)
def leaky_relu(input: TT, negative_slope: D = 0.01):
    _float_only(input, "leaky_relu_cpu")
    return jnp.where(input > 0, input, input * negative_slope.astype(input.dtype))


def _check_lambd(input, lambd):
    check(
        lambd >= 0,
        RuntimeError,
        lambda: f"lambda must be in range [0, 3.40282e+38] for input dtype {_title(input)}, "
        f"but found {lambd:g}",
    )


@op("nn.functional.hardshrink", grad_name="HardshrinkBackward0")
def hardshrink(input: TT, lambd=0.5):
    _float_only(input, "hardshrink_cpu")
    return jnp.where((input > lambd) | (input < -lambd), input, _zero(input))


@op("nn.functional.softshrink", method=False, grad_name="SoftshrinkBackward0")
def softshrink(input: TT, lambd=0.5):
    _float_only(input, "softshrink_cpu")
    _check_lambd(input, lambd)
    lam = jnp.asarray(lambd, input.dtype)
    return jnp.where(input > lam, input - lam, jnp.where(input < -lam, input + lam, _zero(input)))


def _prelu_weight(input, weight):
    channels = input.shape[1] if input.ndim >= 2 else 1
    check(
        weight.size in (1, channels),
        RuntimeError,
        lambda: f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
        f"{weight.size} and channel size = {channels}.",
    )
    if weight.size == 1 or input.ndim < 2:
        return weight.reshape(())
    return weight.reshape((channels,) + (1,) * (input.ndim - 2))


@op("nn.functional.prelu", promote=NONE, grad_name="PreluKernelBackward0")
def prelu(input: TT, weight: TT):
    check(
        input.dtype == weight.dtype,
        RuntimeError,
        lambda: f"prelu: Type promoting not supported. Got {_title(input)} and {_title(weight)}",
    )
    _float_only(input, "prelu_cpu")
    check(
        weight.ndim <= 1,
        RuntimeError,
        lambda: f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}",
    )
    return jnp.where(input > 0, input, _prelu_weight(input, weight) * input)


@op("nn.functional.rrelu", method=False, grad_name="RreluWithNoiseBackward0")
def _rrelu_noise(input: TT, noise: TN):
    """leaky_relu with a slope per element (``noise``, drawn by ``rrelu``)."""
    return jnp.where(input > 0, input, (input * noise).astype(input.dtype))


def _rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    _check_rrelu_bounds(lower, upper)
    if not training:
        return leaky_relu, (input, (lower + upper) / 2)
    from .random import _wrap

    # torch draws a double uniform in [lower, upper] (bounds in opmath) for each element <= 0,
    # in order, and keeps it in opmath; the others get slope 1
    opmath = np.float64 if input.dtype._np == np.float64 else np.float32
    low, high = (float(opmath(x)) for x in (lower, upper))
    values = np.asarray(input._value()).reshape(-1)
    negative = values <= 0
    stream = _random.device_generator(input.device).stream
    noise = np.ones(values.shape, opmath)
    noise[negative] = stream.uniform(int(negative.sum()), np.dtype(np.float64), low, high)
    return _rrelu_noise, (input, _wrap(noise.reshape(input._shape), input.device))


def _check_rrelu_bounds(lower, upper):
    check(
        lower <= upper,
        RuntimeError,
        "Lower bound should be less than or equal to the upper bound",
    )


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """torch.nn.functional.rrelu: leaky_relu with random negative slopes in [lower, upper]
    when training, slope (lower + upper) / 2 otherwise."""
    top, args = _rrelu(input, lower, upper, training)
    if inplace:
        return dispatch_inplace(top, args[0], args[1:], {})
    return top(*args)


# ---- smooth activations ----------------------------------------------------------------------


def _elu(x, alpha, scale, input_scale):
    _float_only(x, "elu_cpu")
    alpha = jnp.asarray(alpha, x.dtype)
    neg = alpha * jnp.expm1(jnp.where(x > 0, 0, x) * input_scale)  # derivative alpha*scale at 0
    return jnp.where(x > 0, x, neg) * scale


@op("nn.functional.elu", method=False, grad_name="EluBackward0", opmath=True)
def elu(input: TT, alpha=1.0):
    return _elu(input, alpha, 1.0, 1.0)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@op("nn.functional.selu", method=False, grad_name="EluBackward0", opmath=True)
def selu(input: TT):
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0)


@op("nn.functional.celu", method=False, grad_name="EluBackward0", opmath=True)
def celu(input: TT, alpha=1.0):
    return _elu(input, alpha, 1.0, 1.0 / alpha)


@op("nn.functional.gelu", method=False, grad_name="GeluBackward0", opmath=True)
def gelu(input: TT, approximate="none"):
    check(
        approximate in ("none", "tanh"),
        RuntimeError,
        "approximate argument must be either none or tanh.",
    )
    _float_only(input, "GeluKernelImpl")
    return jax.nn.gelu(input, approximate=approximate == "tanh")


@op("nn.functional.glu", method=False, grad_name="GluBackward0", opmath=True)
def glu(input: TT, dim=-1):
    check(input.ndim > 0, RuntimeError, "glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d]
    check(
        n % 2 == 0,
        RuntimeError,
        lambda: f"Halving dimension must be even, but dimension {d} is size {n}",
    )
    a, b = jnp.split(input, 2, axis=d)
    return a * jax.nn.sigmoid(b)


@op("nn.functional.silu", method=False, grad_name="SiluBackward0", opmath=True)
def silu(input: TT):
    _reject(input, "bi", "silu_cpu")
    return input * jax.nn.sigmoid(input)


@op("nn.functional.mish", method=False, grad_name="MishBackward0", opmath=True)
def mish(input: TT):
    _float_only(input, "mish_cpu")
    return input * jnp.tanh(jax.nn.softplus(input))


# torch's hardsigmoid/hardswish derivatives: hardsigmoid' = 1/6 strictly inside (-3, 3);
# hardswish' = x/3 + 1/2 on (-3, 3), 0 at and below -3, 1 from 3 on.
_hardsigmoid = _with_jvp(
    lambda x: jnp.clip(x + 3, 0, 6) / 6,
    lambda x, out: jnp.where((x > -3) & (x < 3), 1 / 6, 0).astype(x.dtype),
)
_hardswish = _with_jvp(
    lambda x: x * jnp.clip(x + 3, 0, 6) / 6,
    lambda x, out: jnp.where(x <= -3, 0, jnp.where(x < 3, x / 3 + 0.5, 1)).astype(x.dtype),
)


@op("nn.functional.hardsigmoid", method=False, grad_name="HardsigmoidBackward0", opmath=True)
def hardsigmoid(input: TT):
    _float_only(input, "hardsigmoid_cpu")
    return _hardsigmoid(input)


@op("nn.functional.hardswish", method=False, grad_name="HardswishBackward0", opmath=True)
def hardswish(input: TT):
    _float_only(input, "hardswish_cpu")
    return _hardswish(input)


@op("nn.functional.logsigmoid", method=False, grad_name="LogSigmoidBackward0", opmath=True)
def logsigmoid(input: TT):
    _float_only(input, "log_sigmoid_cpu")
    return jax.nn.log_sigmoid(input)


@op("nn.functional.softplus", method=False, grad_name="SoftplusBackward0", opmath=True)
def softplus(input: TT, beta=1.0, threshold=20.0):
    _float_only(input, "softplus_cpu")
    z = input * beta
    return jnp.where(z > threshold, input, jnp.log1p(jnp.exp(jnp.minimum(z, threshold))) / beta)


@op("nn.functional.softsign", method=False, promote=INT_TO_FLOAT, grad_name="DivBackward0")
def softsign(input: TT):
    return input / (jnp.abs(input) + 1)


@op("nn.functional.tanhshrink", method=False, promote=INT_TO_FLOAT, grad_name="SubBackward0")
def tanhshrink(input: TT):
    return input - jnp.tanh(input)


# ---- torch.nn.functional's front-ends ----------------------------------------------------------

F_relu = functional(relu, "relu")
F_relu6 = functional(relu6)
F_threshold = functional(threshold)
F_hardtanh = functional(hardtanh)
F_leaky_relu = functional(leaky_relu)
F_elu = functional(elu)
F_selu = functional(selu)
F_celu = functional(celu)
F_silu = functional(silu)
F_mish = functional(mish)
F_hardsigmoid = functional(hardsigmoid)
F_hardswish = functional(hardswish)
F_softmax = _softmax_functional(softmax, "softmax")
F_log_softmax = _softmax_functional(log_softmax, "log_softmax")
F_softmin = _softmax_functional(_softmin, "softmin")
