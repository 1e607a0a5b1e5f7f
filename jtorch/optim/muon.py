"""torch.optim.Muon: momentum orthogonalised by a Newton-Schulz iteration, for 2-D parameters."""

import math

import jax
import jax.numpy as jnp

from ..tensor import Tensor
from .optimizer import Optimizer, lerp, scalar_of, zeros_state


def _bfloat16(x):
    """``x`` (float32) rounded to bfloat16 precision and kept as float32: torch runs the
    iteration on bfloat16 tensors whose CPU kernels compute in float32 and round each result
    once, which float32 arithmetic followed by this rounding reproduces."""
    return jax.lax.reduce_precision(x, exponent_bits=8, mantissa_bits=7)


def _mm(a, b):
    return jnp.matmul(a, b, precision=jax.lax.Precision.HIGHEST)


def _orthogonalize(g, coefficients, steps, eps):
    """torch's ``_zeropower_via_newtonschulz``: ``steps`` quintic Newton-Schulz iterations on
    ``g`` normalised to unit Frobenius norm, in bfloat16, on the wide orientation of ``g``."""
    a, b, c = coefficients
    tall = g.shape[0] > g.shape[1]
    x = _bfloat16(g.astype(jnp.float32))
    if tall:
        x = x.T
    norm = _bfloat16(jnp.sqrt(jnp.sum(x * x)))
    x = _bfloat16(x / jnp.maximum(norm, _bfloat16(jnp.asarray(eps, jnp.float32))))
    for _ in range(steps):
        gram = _bfloat16(_mm(x, x.T))
        poly = _bfloat16(b * gram + c * _mm(gram, gram))
        x = _bfloat16(a * x + _mm(poly, x))
    return x.T if tall else x


def _lr_ratio(adjust_lr_fn, shape):
    """torch's ``_adjust_lr`` factor for a parameter of ``shape``."""
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return math.sqrt(max(1, rows / cols))
    if adjust_lr_fn == "match_rms_adamw":
        return 0.2 * math.sqrt(max(rows, cols))
    return 1.0


class Muon(Optimizer):
    """Muon (torch.optim.Muon), for the 2-D parameters of hidden layers.

    Each step keeps a momentum buffer ``B = lerp(B, grad, 1 - momentum)``, takes
    ``grad.lerp(B, momentum)`` (Nesterov) or ``B``, orthogonalises it with ``ns_steps``
    Newton-Schulz iterations (coefficients ``ns_coefficients``, in bfloat16 as torch does), and
    moves the parameter by ``-lr * ratio * update`` after a decoupled weight decay
    ``param *= 1 - lr * weight_decay``; ``ratio`` is ``sqrt(max(1, rows / cols))`` ("original",
    the default) or ``0.2 * sqrt(max(rows, cols))`` ("match_rms_adamw").

    Args:
        params: parameters or parameter groups to optimize (2-D, real).
        lr (float or Tensor): learning rate (default 1e-3).
        weight_decay (float): decoupled weight decay (default 0.1).
        momentum (float): momentum factor (default 0.95).
        nesterov (bool): Nesterov momentum (default True).
        ns_coefficients (tuple): the iteration's quintic coefficients ``(a, b, c)`` (default
            (3.4445, -4.775, 2.0315)).
        eps (float): floor of the norm the update is divided by (default 1e-7).
        ns_steps (int): number of Newton-Schulz iterations (default 5, under 100).
        adjust_lr_fn (str or None): None or "original", or "match_rms_adamw".

    Example:
        >>> opt = torch.optim.Muon([p for p in model.parameters() if p.ndim == 2], lr=0.02)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    _static_keys = ("ns_steps",)

    def __init__(
        self,
        params,
        lr=1e-3,
        weight_decay=0.1,
        momentum=0.95,
        nesterov=True,
        ns_coefficients=(3.4445, -4.775, 2.0315),
        eps=1e-7,
        ns_steps=5,
        adjust_lr_fn=None,
    ):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ["original", "match_rms_adamw"]:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {
            "lr": lr,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "nesterov": nesterov,
            "ns_coefficients": ns_coefficients,
            "eps": eps,
            "ns_steps": ns_steps,
            "adjust_lr_fn": adjust_lr_fn,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(
                        f"Muon only supports 2D parameters whereas we found a parameter with size: {p.size()}"
                    )

    def _check_group(self, group, params):
        for p in params:
            if p.is_complex():
                raise RuntimeError("Muon does not support complex parameters")
        # torch checks these in the update, once per parameter; none depends on values
        if group["ns_steps"] >= 100:
            raise ValueError("Number of steps must be less than 100 for computational efficiency")
        if len(group["ns_coefficients"]) != 3:
            raise ValueError("Coefficients must be a tuple of exactly 3 values")

    def _init_state(self, group, p):
        return {"momentum_buffer": zeros_state(p)}

    @staticmethod
    def _update(hp, params, grads, states):
        new_params, new_states = [], []
        for p, g, s in zip(params, grads, states):
            buf = lerp(s["momentum_buffer"], g, 1 - hp["momentum"])
            update = lerp(g, buf, hp["momentum"]) if hp["nesterov"] else buf
            update = _orthogonalize(update, hp["ns_coefficients"], hp["ns_steps"], hp["eps"])
            lr = hp["lr"] * _lr_ratio(hp["adjust_lr_fn"], p.shape)
            p = p * scalar_of(1 - hp["lr"] * hp["weight_decay"], p)
            new_params.append(p + scalar_of(-lr, p) * update.astype(p.dtype))
            new_states.append({"momentum_buffer": buf})
        return new_params, new_states
