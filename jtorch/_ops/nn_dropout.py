"""Dropout of torch.nn.functional: dropout, dropout1d/2d/3d, alpha_dropout,
feature_alpha_dropout.

The noise is drawn on the host through jtorch's RNG (Note [RNG interface] in _random.py) and
enters one registered op, ``input * noise (+ shift)``, as a constant: autograd records torch's
node (``MulBackward0``, or ``AddBackward0`` for alpha dropout) and the gradient is the noise.
Feature dropouts draw one value per (sample, channel) and broadcast it over the rest.
"""

import math
import warnings

import numpy as np

from .._errors import check
from .._random import default_generator
from ._registry import TN, T, dispatch_inplace, op

_SELU_NEG = 1.7580993408473766  # -selu_alpha * selu_scale, torch's alpha dropout constant


@op(
    "_dropout_apply",
    method=False,
    out=False,
    grad_name=lambda input, noise, shift=None: "MulBackward0" if shift is None else "AddBackward0",
)
def _apply(input: T, noise: TN, shift: TN = None):
    out = input * noise.astype(input.dtype)
    return out if shift is None else out + shift.astype(input.dtype)


def _check_p(p):
    check(
        0.0 <= p <= 1.0,
        ValueError,
        lambda: f"dropout probability has to be between 0 and 1, but got {p}",
    )


def _noise_shape(input, feature):
    if not feature:
        return tuple(input.shape)
    check(input.dim() >= 2, RuntimeError, "Feature dropout requires at least 2 dimensions in the input")
    return tuple(input.shape[:2]) + (1,) * (input.dim() - 2)


def _dropout(input, p, training, inplace, feature=False, alpha=False, noise_shape=None):
    """torch's _dropout_impl: input itself when there is nothing to drop."""
    _check_p(p)
    if p == 0 or not training or input.numel() == 0:
        return input
    from .random import _wrap

    dt = input.dtype._np
    shape = noise_shape or _noise_shape(input, feature)
    shift = None
    if p == 1:
        noise = np.zeros((), dt)
    else:
        noise = default_generator.bernoulli(1 - p, shape, dt).astype(dt)
        if alpha:
            a = 1.0 / math.sqrt((_SELU_NEG * _SELU_NEG * p + 1) * (1 - p))
            shift = _wrap((noise - 1) * (_SELU_NEG * a) + _SELU_NEG * a * p, input.device)
            noise = noise * a
        else:
            noise = noise / (1 - p)
    noise = _wrap(noise.astype(dt), input.device)
    if inplace:
        return dispatch_inplace(_apply, input, (noise, shift), {})
    return _apply(input, noise, shift)


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
        lambda: f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. Note that "
        "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
        "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).",
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
        check(ndim >= 1, RuntimeError, "Feature dropout requires at least 2 dimensions in the input")
        shape = (input.shape[0],) + (1,) * (ndim - 1)
    return _dropout(input, p, training, inplace, feature=True, noise_shape=shape)
