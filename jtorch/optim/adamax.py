"""torch.optim.Adamax: Adam with the infinity norm in place of the second moment."""

import jax.numpy as jnp

from .optimizer import (
    Optimizer,
    _check_betas,
    _check_lr,
    _check_range,
    ascent,
    coupled_weight_decay,
    divided_lr,
    lerp,
    next_step,
    scalar_of,
    step_state,
    zeros_state,
)


class Adamax(Optimizer):
    """Adamax (torch.optim.Adamax), the infinity-norm variant of Adam.

    Each step keeps the running mean of the gradient (``exp_avg``, coefficient ``beta1``) and
    the decaying maximum of its magnitude (``exp_inf = max(beta2 * exp_inf, |grad| + eps)``), and
    moves the parameter by ``-lr / (1 - beta1**step) * exp_avg / exp_inf``.

    Args:
        params: parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate (default 2e-3).
        betas (tuple): coefficients of the running mean and of the infinity norm
            (default (0.9, 0.999)).
        eps (float): added to the gradient's magnitude (default 1e-8).
        weight_decay (float): L2 penalty (default 0).
        foreach, capturable: accepted; jtorch always runs one compiled update per group.
        maximize (bool): maximize the objective instead of minimizing it (default False).
        differentiable: only False is supported.

    Example:
        >>> opt = torch.optim.Adamax(model.parameters(), lr=2e-3)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    _nonzero_keys = ("weight_decay",)
    _group_defaults = (
        ("foreach", None),
        ("maximize", False),
        ("differentiable", False),
        ("capturable", False),
    )
    _scalar_state = ("step",)

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        foreach=None,
        *,
        maximize=False,
        differentiable=False,
        capturable=False,
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
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _init_state(self, group, p):
        return {"step": step_state(p), "exp_avg": zeros_state(p), "exp_inf": zeros_state(p)}

    @staticmethod
    def _update(hp, params, grads, states):
        beta1, beta2 = hp["betas"]
        new_params, new_states = [], []
        for p, g, s in zip(params, grads, states):
            step, t = next_step(s)
            g = coupled_weight_decay(hp, p, ascent(hp, g))
            exp_avg = lerp(s["exp_avg"], g, 1 - beta1)
            exp_inf = jnp.maximum(
                s["exp_inf"] * scalar_of(beta2, p), jnp.abs(g) + scalar_of(hp["eps"], p)
            )
            clr = divided_lr(hp["lr"], 1 - beta1**t)
            new_params.append(p - scalar_of(clr, p) * (exp_avg / exp_inf))
            new_states.append({"step": step, "exp_avg": exp_avg, "exp_inf": exp_inf})
        return new_params, new_states
