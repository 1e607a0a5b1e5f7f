"""torch.optim.Adadelta: steps scaled by the ratio of running RMS of updates and gradients."""

import jax.numpy as jnp

from .optimizer import (
    Optimizer,
    _check_lr,
    _check_range,
    ascent,
    coupled_weight_decay,
    scalar_of,
    step_state,
    zeros_state,
)


class Adadelta(Optimizer):
    """Adadelta (torch.optim.Adadelta).

    Each step keeps running averages of the squared gradient (``square_avg``) and of the squared
    update (``acc_delta``), both with coefficient ``rho``, and moves the parameter by
    ``-lr * delta`` with ``delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * grad``.

    Args:
        params: parameters or parameter groups to optimize.
        lr (float or Tensor): coefficient that scales delta before it is applied (default 1.0).
        rho (float): coefficient of the running averages (default 0.9).
        eps (float): added inside the square roots (default 1e-6).
        weight_decay (float): L2 penalty (default 0).
        foreach, capturable: accepted; jtorch always runs one compiled update per group.
        maximize (bool): maximize the objective instead of minimizing it (default False).
        differentiable: only False is supported.

    Example:
        >>> opt = torch.optim.Adadelta(model.parameters())
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
        lr=1.0,
        rho=0.9,
        eps=1e-6,
        weight_decay=0,
        foreach=None,
        *,
        capturable=False,
        maximize=False,
        differentiable=False,
    ):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _check_range("epsilon", eps)
        _check_range("weight_decay", weight_decay)
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, group, p):
        return {"step": step_state(p), "square_avg": zeros_state(p), "acc_delta": zeros_state(p)}

    @staticmethod
    def _update(hp, params, grads, states):
        rho = hp["rho"]
        new_params, new_states = [], []
        for p, g, s in zip(params, grads, states):
            g = coupled_weight_decay(hp, p, ascent(hp, g))
            decay, fresh, eps = scalar_of(rho, p), scalar_of(1 - rho, p), scalar_of(hp["eps"], p)
            square_avg = s["square_avg"] * decay + fresh * g * g
            delta = jnp.sqrt(s["acc_delta"] + eps) / jnp.sqrt(square_avg + eps) * g
            acc_delta = s["acc_delta"] * decay + fresh * delta * delta
            new_params.append(p - scalar_of(hp["lr"], p) * delta)
            new_states.append(
                {"step": s["step"] + 1, "square_avg": square_avg, "acc_delta": acc_delta}
            )
        return new_params, new_states
