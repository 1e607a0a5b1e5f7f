"""torch.optim.NAdam: Adam with Nesterov momentum (and NAdamW's decoupled weight decay)."""

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


def _momentum_cache(beta1, momentum_decay, t):
    """NAdam's momentum coefficient ``mu_t = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay))``."""
    return beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))


class NAdam(Optimizer):
    """NAdam (torch.optim.NAdam): Adam whose step looks ahead along the momentum (Nesterov).

    Each step decays the weight (L2, or decoupled as in AdamW), updates the running averages of
    the gradient and of its square as Adam does, multiplies the momentum coefficients
    ``mu_t = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay))`` into ``mu_product``, and moves the
    parameter by ``-lr * ((1 - mu_t) / (1 - prod mu) * grad + mu_{t+1} / (1 - prod mu * mu_{t+1})
    * exp_avg) / (sqrt(exp_avg_sq / (1 - beta2**t)) + eps)``.

    Args:
        params: parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate (default 2e-3).
        betas (tuple): coefficients of the running averages of the gradient and its square
            (default (0.9, 0.999)).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): weight decay (default 0), L2 unless ``decoupled_weight_decay``.
        momentum_decay (float): the momentum decay ``psi`` (default 4e-3).
        decoupled_weight_decay (bool): decay the weight as AdamW does, NAdamW (default False).
        foreach, capturable: accepted; jtorch always runs one compiled update per group.
        maximize (bool): maximize the objective instead of minimizing it (default False).
        differentiable: only False is supported.

    Example:
        >>> opt = torch.optim.NAdam(model.parameters(), lr=2e-3)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    _nonzero_keys = ("weight_decay",)
    _group_defaults = (
        ("maximize", False),
        ("foreach", None),
        ("capturable", False),
        ("differentiable", False),
        ("decoupled_weight_decay", False),
    )
    _scalar_state = ("step", "mu_product")

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        momentum_decay=4e-3,
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
        _check_range("momentum_decay", momentum_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, group, p):
        return {
            "step": step_state(p),
            "mu_product": step_state(p, 1.0),
            "exp_avg": zeros_state(p),
            "exp_avg_sq": zeros_state(p),
        }

    @staticmethod
    def _update(hp, params, grads, states):
        beta1, beta2 = hp["betas"]
        lr = hp["lr"]
        new_params, new_states = [], []
        for p, g, s in zip(params, grads, states):
            step, t = next_step(s)
            p, g = decayed(hp, p, ascent(hp, g))
            mu = _momentum_cache(beta1, hp["momentum_decay"], t)
            mu_next = _momentum_cache(beta1, hp["momentum_decay"], t + 1)
            # torch multiplies the state tensor (its own dtype), then reads it back as a number
            mu_product = s["mu_product"] * mu.astype(s["mu_product"].dtype)
            mu_product_64 = mu_product.astype(jnp.float64)
            mu_product_next = mu_product_64 * mu_next
            exp_avg = lerp(s["exp_avg"], g, 1 - beta1)
            exp_avg_sq = s["exp_avg_sq"] * scalar_of(beta2, p) + scalar_of(1 - beta2, p) * g * g
            denom = jnp.sqrt(exp_avg_sq / scalar_of(1 - beta2**t, p)) + scalar_of(hp["eps"], p)
            # a tensor lr makes torch compute these coefficients in the lr's dtype
            grad_coef = -lr * (1.0 - mu).astype(lr.dtype) / (1.0 - mu_product_64).astype(lr.dtype)
            avg_coef = -lr * mu_next.astype(lr.dtype) / (1.0 - mu_product_next).astype(lr.dtype)
            p = p + scalar_of(grad_coef, p) * g / denom
            new_params.append(p + scalar_of(avg_coef, p) * exp_avg / denom)
            new_states.append(
                {
                    "step": step,
                    "mu_product": mu_product,
                    "exp_avg": exp_avg,
                    "exp_avg_sq": exp_avg_sq,
                }
            )
        return new_params, new_states
