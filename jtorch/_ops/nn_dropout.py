"""Dropout of torch.nn.functional: dropout, dropout1d/2d/3d, alpha_dropout,
feature_alpha_dropout.

As torch's CPU ``_dropout_impl``: the noise is ``bernoulli_(1 - p)`` drawn on the host through
the input's device generator (Note [RNG interface] in _random.py; on the CPU, torch's own
draws), scaled on the host with torch's roundings, and applied with ordinary tensor ops, so
autograd records torch's nodes (``MulBackward0``, then ``AddBackward0`` for alpha dropout) and
the gradient is the noise. Feature dropouts draw one value per (sample, channel) and broadcast
it over the rest.
"""

import math
import warnings

import numpy as np

from .. import _random
from .._errors import check

_SELU_NEG = 1.7580993408473766  # -selu_alpha * selu_scale, torch's alpha dropout constant


def _check_p(p):
    check(
        0.0 <= p <= 1.0,
        ValueError,
        lambda: f"dropout probability has to be between 0 and 1, but got {p}",
    )


def _noise_shape(input, feature):
    if not feature:
        return tuple(input.shape)
    check(
        input.dim() >= 2,
        RuntimeError,
        "Feature dropout requires at least 2 dimensions in the input",
    )
    return tuple(input.shape[:2]) + (1,) * (input.dim() - 2)


def scalar_op(x, s, fn, dt):
    """``fn(x, s)`` for a host array ``x`` of numpy dtype ``dt`` and a Python number ``s``, as
    torch computes a tensor-scalar op: in float for float32 and the half types, then rounded."""
    opmath = np.float64 if dt == np.float64 else np.float32
    return fn(np.asarray(x).astype(opmath), opmath(s)).astype(dt)


def kept(device, count, p, dt):
    """``count`` draws of ``empty(...).bernoulli_(1 - p)`` (flat, in dtype ``dt``) from the
    default generator of ``device``."""
    return _random.device_generator(device).stream.bernoulli(1 - p, count, dt)


def noise(device, shape, p, dt):
    """torch's dropout noise of ``shape``: ``bernoulli_(1 - p)`` then ``div_(1 - p)`` (a host
    array); zeros, drawing nothing, when ``p`` is 1 (F.dropout multiplies by 0 then)."""
    if p == 1:
        return np.zeros(shape, dt)
    return scalar_op(kept(device, math.prod(shape), p, dt), 1 - p, np.divide, dt).reshape(shape)


def _dropout(input, p, training, inplace, feature=False, alpha=False, noise_shape=None):
    """torch's _dropout_impl: input itself when there is nothing to drop."""
    _check_p(p)
    if p == 0 or not training or input.numel() == 0:
        return input
    from .random import _placed, _wrap

    mul = input.mul_ if inplace else input.mul
    if p == 1:
        return mul(_wrap(np.zeros((), input.dtype._np), input.device))
    dt = input.dtype._np
    shape = noise_shape or _noise_shape(input, feature)
    drawn = kept(input.device, math.prod(shape), p, dt)
    # non-feature noise is empty_like(input): it takes input's layout, so its draw order
    drawn = drawn.reshape(shape) if feature or noise_shape else _placed(drawn, input)
    if not alpha:
        return mul(_wrap(scalar_op(drawn, 1 - p, np.divide, dt), input.device))
    a = 1.0 / math.sqrt((_SELU_NEG * _SELU_NEG * p + 1) * (1 - p))
    shift = scalar_op(
        scalar_op(drawn - 1, _SELU_NEG * a, np.multiply, dt), _SELU_NEG * a * p, np.add, dt
    )
    out = mul(_wrap(scalar_op(drawn, a, np.multiply, dt), input.device))
    shift = _wrap(shift, input.device)
    return out.add_(shift) if inplace else out.add(shift)


def dropout(input, p=0.5, training=True, inplace=False):
    """torch.nn.functional.dropout: zero each element with probability ``p`` and scale the
    rest by ``1 / (1 - p)``, when ``training``."""
    return _dropout(input, p, training, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """torch.nn.functional.alpha_dropout: dropout that keeps SELU's mean and variance."""
    return _dropout(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """torch.nn.functional.feature_alpha_dropout: alpha dropout of whole channels."""
    return _dropout(input, p, training, inplace, feature=True, alpha=True)


def _warn_dims(name, ndim, expected, spatial):
    if ndim not in expected:
        warnings.warn(
            f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will result in "
            "an error in a future release. To retain the behavior and silence this warning, please "
            f"use dropout instead. Note that {name} exists to provide channel-wise dropout on "
            f"inputs with {spatial} spatial dimensions, a channel dimension, and an optional batch "
            f"dimension (i.e. {expected[0]}D or {expected[1]}D inputs).",
            stacklevel=3,
        )


def dropout1d(input, p=0.5, training=True, inplace=False):
    """torch.nn.functional.dropout1d: zero whole channels of (N, C, L) or (C, L) input."""
    _check_p(p)
    ndim = input.dim()
    check(
        ndim in (2, 3),
        RuntimeError,
        lambda: (
            f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
            "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs)."
        ),
    )
    shape = None if ndim == 3 else (input.shape[0], 1)
    return _dropout(input, p, training, inplace, feature=True, noise_shape=shape)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """torch.nn.functional.dropout2d: zero whole channels (of (N, C, H, W) input; a 3-D input is
    taken as (N, C, L), as torch does for now)."""
    _check_p(p)
    _warn_dims("dropout2d", input.dim(), (3, 4), 2)
    if input.dim() == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
            "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
            "dim. This behavior will change in a future release to interpret the input as one "
            "without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
            "dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _dropout(input, p, training, inplace, feature=True)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """torch.nn.functional.dropout3d: zero whole channels of (N, C, D, H, W) or (C, D, H, W)
    input."""
    _check_p(p)
    ndim = input.dim()
    _warn_dims("dropout3d", ndim, (4, 5), 3)
    shape = None
    if ndim != 5:  # torch unsqueezes a batch dim: one draw per element of dim 0
        check(
            ndim >= 1, RuntimeError, "Feature dropout requires at least 2 dimensions in the input"
        )
        shape = (input.shape[0],) + (1,) * (ndim - 1)
    return _dropout(input, p, training, inplace, feature=True, noise_shape=shape)
