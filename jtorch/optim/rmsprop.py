"""torch.optim.RMSprop: gradients scaled by a running root mean square, optionally centered and
with momentum."""

import jax.numpy as jnp

from .optimizer import (
    Optimizer,
    _check_lr,
    _check_range,
    ascent,
    coupled_weight_decay,
    lerp,
    scalar_of,
    step_state,
    zeros_state,
)


class RMSprop(Optimizer):
    """RMSprop (torch.optim.RMSprop).

    Each step keeps ``square_avg = alpha * square_avg + (1 - alpha) * grad**2`` and moves the
    parameter by ``-lr * grad / (sqrt(square_avg) + eps)``. ``centered`` subtracts the square of
    a running mean of the gradient (``grad_avg``) inside the root; ``momentum`` accumulates the
    scaled gradient in ``momentum_buffer`` and steps along it.

    Args:
        params: parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate (default 1e-2).
        alpha (float): smoothing constant of the squared-gradient average (default 0.99).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): L2 penalty (default 0).
        momentum (float): momentum factor (default 0).
        centered (bool): normalize by an estimate of the gradient's variance (default False).
        capturable, foreach: accepted; jtorch always runs one compiled update per group.
        maximize (bool): maximize the objective instead of minimizing it (default False).
        differentiable: only False is supported.

    Example:
        >>> opt = torch.optim.RMSprop(model.parameters(), lr=1e-2, momentum=0.9)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    _nonzero_keys = ("weight_decay", "momentum")
    _group_defaults = (
        ("momentum", 0),
        ("centered", False),
        ("foreach", None),
        ("maximize", False),
        ("differentiable", False),
        ("capturable", False),
    )
    _scalar_state = ("step",)

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0,
        momentum=0,
        centered=False,
        capturable=False,
        foreach=None,
        maximize=False,
        differentiable=False,
    ):
        _check_lr(lr)
        _check_range("epsilon", eps)
        _check_range("momentum", momentum)
        _check_range("weight_decay", weight_decay)
        _check_range("alpha", alpha)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, group, p):
        state = {"step": step_state(p), "square_avg": zeros_state(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_state(p)
        if group["centered"]:
            state["grad_avg"] = zeros_state(p)
        return state

    @staticmethod
    def _update(hp, params, grads, states):
        alpha = hp["alpha"]
        new_params, new_states = [], []
        for p, g, s in zip(params, grads, states):
            g = coupled_weight_decay(hp, p, ascent(hp, g))
            square_avg = s["square_avg"] * scalar_of(alpha, p) + scalar_of(1 - alpha, p) * g * g
            new = {"step": s["step"] + 1, "square_avg": square_avg}
            if hp["centered"]:
                grad_avg = new["grad_avg"] = lerp(s["grad_avg"], g, 1 - alpha)
                avg = jnp.sqrt(square_avg - grad_avg * grad_avg)
            else:
                avg = jnp.sqrt(square_avg)
            avg = avg + scalar_of(hp["eps"], p)
            lr = scalar_of(hp["lr"], p)
            if "momentum" in hp["nonzero"]:
                buf = new["momentum_buffer"] = (
                    s["momentum_buffer"] * scalar_of(hp["momentum"], p) + g / avg
                )
                new_params.append(p - lr * buf)
            else:
                new_params.append(p - lr * (g / avg))
            new_states.append(new)
        return new_params, new_states
