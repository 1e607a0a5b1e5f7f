"""torch.optim.RAdam: Adam with the variance of its adaptive learning rate rectified."""

import jax.numpy as jnp

from .adam import decayed
from .optimizer import (
    Optimizer,
    _check_betas,
    _check_lr,
    _check_range,
    ascent,
    lerp,
    next_step,
    scalar_of,
    step_state,
    zeros_state,
)


def _rectification(beta2, t):
    """RAdam's ``rho_t`` (the length of the approximated simple moving average) and the
    rectification ``r_t``, meaningful where ``rho_t > 5``."""
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    ratio = (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
    return rho_t, jnp.sqrt(jnp.where(rho_t > 5.0, ratio, 1.0))


class RAdam(Optimizer):
    """RAdam (torch.optim.RAdam): Adam whose adaptive step is switched on, and rectified, once
    the variance of the second-moment estimate is tractable.

    Each step decays the weight (L2, or decoupled as in AdamW), updates Adam's running averages,
    and computes ``rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)``. While ``rho_t <= 5`` the
    parameter moves by ``-lr * exp_avg / (1 - beta1**t)`` (momentum SGD); after, by that times
    the adaptive rate ``sqrt(1 - beta2**t) / (sqrt(exp_avg_sq) + eps)`` and the rectification
    ``r_t``.

    Args:
        params: parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate (default 1e-3).
        betas (tuple): coefficients of the running averages of the gradient and its square
            (default (0.9, 0.999)).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): weight decay (default 0), L2 unless ``decoupled_weight_decay``.
        decoupled_weight_decay (bool): decay the weight as AdamW does (default False).
        foreach, capturable: accepted; jtorch always runs one compiled update per group.
        maximize (bool): maximize the objective instead of minimizing it (default False).
        differentiable: only False is supported.

    Example:
        >>> opt = torch.optim.RAdam(model.parameters(), lr=1e-3)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    _nonzero_keys = ("weight_decay",)
    _group_defaults = (
        ("foreach", None),
        ("maximize", False),
        ("differentiable", False),
        ("decoupled_weight_decay", False),
        ("capturable", False),
    )
    _scalar_state = ("step",)

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        decoupled_weight_decay=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
    ):
        _check_lr(lr)
        _check_range("epsilon", eps)
        _check_betas(betas)
        _check_range("weight_decay", weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, group, p):
        return {"step": step_state(p), "exp_avg": zeros_state(p), "exp_avg_sq": zeros_state(p)}

    @staticmethod
    def _update(hp, params, grads, states):
        beta1, beta2 = hp["betas"]
        new_params, new_states = [], []
        for p, g, s in zip(params, grads, states):
            step, t = next_step(s)
            p, g = decayed(hp, p, ascent(hp, g))
            exp_avg = lerp(s["exp_avg"], g, 1 - beta1)
            exp_avg_sq = s["exp_avg_sq"] * scalar_of(beta2, p) + scalar_of(1 - beta2, p) * g * g
            momentum = exp_avg / scalar_of(1 - beta1**t, p) * scalar_of(hp["lr"], p)
            rho_t, rect = _rectification(beta2, t)
            adaptive = scalar_of(jnp.sqrt(1 - beta2**t), p) / (
                jnp.sqrt(exp_avg_sq) + scalar_of(hp["eps"], p)
            )
            rectified = momentum * adaptive * scalar_of(rect, p)
            new_params.append(p - jnp.where(rho_t > 5.0, rectified, momentum))
            new_states.append({"step": step, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq})
        return new_params, new_states
