"""torch.optim.ASGD: averaged stochastic gradient descent."""

import jax
import jax.numpy as jnp

from .optimizer import (
    Optimizer,
    _check_lr,
    _check_range,
    ascent,
    coupled_weight_decay,
    next_step,
    scalar_of,
    step_state,
    zeros_state,
)


def _new_eta(lr, lambd, alpha, t):
    """torch's ``lr / (1 + lambd * lr * t)**alpha``. torch computes it in Python floats or, for a
    tensor lr, in the lr's dtype: each operation is taken here in float64 and rounded to that
    dtype's precision, as torch's are (in float32 XLA would fuse the multiply-add into one
    differently rounded FMA, and its float32 pow is less exact than torch's)."""
    info = jnp.finfo(lr.dtype)

    def rounded(x):
        return jax.lax.reduce_precision(x, exponent_bits=info.nexp, mantissa_bits=info.nmant)

    lr64 = lr.astype(jnp.float64)
    base = rounded(1 + rounded(rounded(rounded(jnp.asarray(lambd)) * lr64) * t))
    return rounded(lr64 / rounded(base**alpha))


class ASGD(Optimizer):
    """Averaged stochastic gradient descent (torch.optim.ASGD).

    Each step decays the parameter by ``1 - lambd * eta`` and moves it by ``-eta * grad``, then
    folds it into the running average ``ax`` (``ax += mu * (param - ax)``; ``ax`` simply follows
    the parameter while ``mu`` is 1). Afterwards the rates are set from the new step count ``t``:
    ``eta = lr / (1 + lambd * lr * t)**alpha`` and ``mu = 1 / max(1, t - t0)``, so averaging
    starts after ``t0`` steps.

    Args:
        params: parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate (default 1e-2).
        lambd (float): decay term (default 1e-4).
        alpha (float): power of the ``eta`` update (default 0.75).
        t0 (float): the step from which averaging starts (default 1e6).
        weight_decay (float): L2 penalty (default 0).
        foreach, capturable: accepted; jtorch always runs one compiled update per group.
        maximize (bool): maximize the objective instead of minimizing it (default False).
        differentiable: only False is supported.

    Example:
        >>> opt = torch.optim.ASGD(model.parameters(), lr=1e-2, t0=100)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
        >>> averaged = [opt.state[p]["ax"] for p in model.parameters()]
    """

    _nonzero_keys = ("weight_decay",)
    _group_defaults = (
        ("foreach", None),
        ("maximize", False),
        ("differentiable", False),
        ("capturable", False),
    )
    _scalar_state = ("step", "eta", "mu")

    def __init__(
        self,
        params,
        lr=1e-2,
        lambd=1e-4,
        alpha=0.75,
        t0=1e6,
        weight_decay=0,
        foreach=None,
        maximize=False,
        differentiable=False,
        capturable=False,
    ):
        _check_lr(lr)
        _check_range("weight_decay", weight_decay)
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _init_state(self, group, p):
        return {
            "step": step_state(p),
            "eta": step_state(p, float(group["lr"])),
            "mu": step_state(p, 1.0),
            "ax": zeros_state(p),
        }

    @staticmethod
    def _update(hp, params, grads, states):
        lambd = hp["lambd"]
        new_params, new_states = [], []
        for p, g, s in zip(params, grads, states):
            step, t = next_step(s)
            g = coupled_weight_decay(hp, p, ascent(hp, g))
            # this step uses the rates set by the previous one, read back as numbers
            eta = s["eta"].astype(jnp.float64)
            p = p * scalar_of(1 - lambd * eta, p) - scalar_of(eta, p) * g
            mu = s["mu"]
            ax = jnp.where(mu != 1, s["ax"] + (p - s["ax"]) * scalar_of(mu, p), p)
            new_eta = _new_eta(hp["lr"], lambd, hp["alpha"], t)
            new_mu = 1 / jnp.maximum(1.0, t - hp["t0"])
            new_params.append(p)
            new_states.append(
                {
                    "step": step,
                    "eta": new_eta.astype(s["eta"].dtype),
                    "mu": new_mu.astype(s["mu"].dtype),
                    "ax": ax,
                }
            )
        return new_params, new_states
