"""torch.optim.Rprop: resilient backpropagation."""

import jax.numpy as jnp

from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    _check_lr,
    ascent,
    next_step,
    scalar_of,
    step_state,
    zeros_state,
)


class Rprop(Optimizer):
    """Resilient backpropagation (torch.optim.Rprop).

    Every element has its own step size (``state["step_size"]``, starting at ``lr``). Each step
    compares the gradient's sign with the previous one's: where it kept its sign the step size
    grows by ``etas[1]``, where it flipped it shrinks by ``etas[0]`` and that element skips this
    step (its gradient counts as 0, also as the next step's ``prev``), elsewhere it stays;
    step sizes are clamped to ``step_sizes``. The parameter then moves by
    ``-sign(grad) * step_size``.

    Args:
        params: parameters or parameter groups to optimize.
        lr (float or Tensor): initial step size (default 1e-2).
        etas (tuple): ``(etaminus, etaplus)``, the factors that shrink and grow the step sizes,
            ``0 < etaminus < 1 < etaplus`` (default (0.5, 1.2)).
        step_sizes (tuple): the smallest and largest step size (default (1e-6, 50)).
        foreach, capturable: accepted; jtorch always runs one compiled update per group.
        maximize (bool): maximize the objective instead of minimizing it (default False).
        differentiable: only False is supported.

    Example:
        >>> opt = torch.optim.Rprop(model.parameters(), lr=1e-2)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

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
        lr=1e-2,
        etas=(0.5, 1.2),
        step_sizes=(1e-6, 50),
        *,
        capturable=False,
        foreach=None,
        maximize=False,
        differentiable=False,
    ):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _init_state(self, group, p):
        grad = p._grad._value()
        lr = float(group["lr"])
        # as torch: a complex parameter is two real ones, so both parts start at lr
        fill = complex(lr, lr) if jnp.iscomplexobj(grad) else lr
        return {
            "step": step_state(p),
            "prev": zeros_state(p),
            "step_size": Tensor._wrap(jnp.full_like(grad, fill), p._device),
        }

    @staticmethod
    def _update(hp, params, grads, states):
        etaminus, etaplus = hp["etas"]
        step_size_min, step_size_max = hp["step_sizes"]
        new_params, new_states = [], []
        for p, g, s in zip(params, grads, states):
            step, _ = next_step(s)
            g = ascent(hp, g)
            sign = jnp.sign(g * s["prev"])
            factor = jnp.select(
                [sign > 0, sign < 0, sign == 0],
                [scalar_of(etaplus, p), scalar_of(etaminus, p), jnp.ones((), p.dtype)],
                sign,  # NaN stays NaN, as in torch
            )
            step_size = jnp.clip(
                s["step_size"] * factor, scalar_of(step_size_min, p), scalar_of(step_size_max, p)
            )
            g = jnp.where(sign < 0, jnp.zeros((), g.dtype), g)
            new_params.append(p - jnp.sign(g) * step_size)
            new_states.append({"step": step, "prev": g, "step_size": step_size})
        return new_params, new_states
