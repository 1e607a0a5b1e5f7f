"""torch.optim.Adam and AdamW (AMSGrad, decoupled weight decay)."""

import jax.numpy as jnp

from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    _check_betas,
    _check_fused,
    _check_lr,
    _check_range,
    _check_tensor_betas,
    _check_tensor_lr,
    ascent,
    divided_lr,
    lerp,
    next_step,
    scalar_of,
    step_state,
    zeros_state,
)


def _check_adam(lr, betas, eps, weight_decay, foreach, capturable):
    _check_tensor_lr(lr, foreach, capturable)
    _check_lr(lr)
    _check_range("epsilon", eps)
    _check_betas(betas)
    _check_range("weight_decay", weight_decay)
    if not all(isinstance(b, float) for b in betas) and not all(
        isinstance(b, Tensor) for b in betas
    ):
        raise ValueError("betas must be either both floats or both Tensors")
    _check_tensor_betas(betas, foreach, capturable)


def decayed(hp, p, g):
    """Weight decay as Adam applies it: decoupled (``param * (1 - lr * weight_decay)``, AdamW)
    or folded into the gradient (L2); returns the new ``(param, grad)``."""
    if "weight_decay" not in hp["nonzero"]:
        return p, g
    if hp["decoupled_weight_decay"]:
        return p * scalar_of(1 - hp["lr"] * hp["weight_decay"], p), g
    return p, g + scalar_of(hp["weight_decay"], p) * p


class Adam(Optimizer):
    """Adam (torch.optim.Adam).

    Args:
        params: parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate (default 1e-3).
        betas (tuple): coefficients of the running averages of the gradient and its square
            (default (0.9, 0.999)).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): weight decay (default 0), L2 unless ``decoupled_weight_decay``.
        amsgrad (bool): use the maximum of past second moments (default False).
        maximize (bool): maximize the objective (default False).
        decoupled_weight_decay (bool): AdamW's decoupled weight decay (default False).
        foreach, fused, capturable: accepted; jtorch always runs one compiled update per group.

    Example:
        >>> opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    """

    _nonzero_keys = ("weight_decay",)
    _group_defaults = (
        ("amsgrad", False),
        ("maximize", False),
        ("foreach", None),
        ("capturable", False),
        ("differentiable", False),
        ("decoupled_weight_decay", False),
        ("fused", None),
    )
    _scalar_state = ("step",)

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
        fused=None,
        decoupled_weight_decay=False,
    ):
        _check_adam(lr, betas, eps, weight_decay, foreach, capturable)
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)
        _check_fused(fused, foreach)

    def _init_state(self, group, p):
        state = {"step": step_state(p), "exp_avg": zeros_state(p), "exp_avg_sq": zeros_state(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_state(p)
        return state

    @staticmethod
    def _update(hp, params, grads, states):
        beta1, beta2 = hp["betas"]
        new_params, new_states = [], []
        for p, g, s in zip(params, grads, states):
            step, t = next_step(s)
            p, g = decayed(hp, p, ascent(hp, g))
            exp_avg = lerp(s["exp_avg"], g, 1 - beta1)
            exp_avg_sq = s["exp_avg_sq"] * scalar_of(beta2, p) + scalar_of(1 - beta2, p) * g * g
            new = {"step": step, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
            if hp["amsgrad"]:
                exp_avg_sq = new["max_exp_avg_sq"] = jnp.maximum(s["max_exp_avg_sq"], exp_avg_sq)
            step_size = divided_lr(hp["lr"], 1 - beta1**t)
            denom = jnp.sqrt(exp_avg_sq) / scalar_of(jnp.sqrt(1 - beta2**t), p) + scalar_of(
                hp["eps"], p
            )
            new_params.append(p - scalar_of(step_size, p) * (exp_avg / denom))
            new_states.append(new)
        return new_params, new_states


class AdamW(Adam):
    """AdamW (torch.optim.AdamW): Adam with decoupled weight decay (default 1e-2).

    Args: as :class:`Adam`, without ``decoupled_weight_decay`` (always True).
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        *,
        maximize=False,
        foreach=None,
        capturable=False,
        differentiable=False,
        fused=None,
    ):
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
