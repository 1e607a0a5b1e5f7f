"""torch.optim.Adafactor: factored second moments and relative step sizes."""

import jax.numpy as jnp

from ..tensor import Tensor
from .optimizer import Optimizer, ascent, lerp, next_step, scalar_of, step_state


def _norm64(x):
    """``x.norm(2).item()``: the 2-norm in ``x``'s dtype, as a float64 scalar."""
    return jnp.sqrt(jnp.sum(x * x)).astype(jnp.float64)


def _second_moment(p, g, s, beta2, eps1):
    """The new variance state(s) of ``p`` and the estimate of ``grad**2`` they give: factored
    into a row and a column mean for a matrix (over the last two dims), elementwise otherwise."""
    if g.ndim <= 1:
        variance = lerp(s["variance"], g * g, beta2)
        return {"variance": variance}, variance
    row_mean = jnp.square(jnp.sqrt(jnp.sum(g * g, axis=-1, keepdims=True))) / g.shape[-1]
    col_mean = jnp.square(jnp.sqrt(jnp.sum(g * g, axis=-2, keepdims=True))) / g.shape[-2]
    row_var = lerp(s["row_var"], row_mean, beta2)
    col_var = lerp(s["col_var"], col_mean, beta2)
    estimate = row_var * col_var  # torch's row_var @ col_var: an outer product
    estimate = estimate / jnp.maximum(jnp.mean(row_var, axis=-2, keepdims=True), scalar_of(eps1, p))
    return {"row_var": row_var, "col_var": col_var}, estimate


class Adafactor(Optimizer):
    """Adafactor (torch.optim.Adafactor).

    Each step ``t`` moves the parameter by ``-alpha * update / denom``, where ``update`` is the
    gradient divided by the square root of a running estimate of its square (kept as a row
    and a column mean for the last two dims of a matrix, elementwise for a vector or scalar,
    mixed in with weight ``t**beta2_decay``, floored at ``eps[0]**2``), ``alpha`` is
    ``max(eps[1], rms(param)) * min(lr, 1/sqrt(t))`` and ``denom = max(1, rms(update) / d)``.
    Weight decay is decoupled: ``param *= 1 - lr * weight_decay``.

    Args:
        params: parameters or parameter groups to optimize (real).
        lr (float or Tensor): the cap on the relative step size (default 1e-2).
        beta2_decay (float): the exponent of the second moment's mixing weight, <= 0
            (default -0.8).
        eps (tuple): ``(eps1, eps2)``: the floor of the second moment's square root (None: the
            parameter dtype's machine epsilon) and of the parameter's RMS (default (None, 1e-3)).
        d (float): clipping threshold of the update's RMS, >= 1 (default 1.0).
        weight_decay (float): decoupled weight decay (default 0.0).
        foreach: accepted; jtorch always runs one compiled update per group.
        maximize (bool): maximize the objective instead of minimizing it (default False).

    Example:
        >>> opt = torch.optim.Adafactor(model.parameters(), lr=1e-2)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    _nonzero_keys = ("weight_decay",)
    _group_defaults = (("foreach", None),)
    _scalar_state = ("step",)

    def __init__(
        self,
        params,
        lr=1e-2,
        beta2_decay=-0.8,
        eps=(None, 1e-3),
        d=1.0,
        weight_decay=0.0,
        *,
        foreach=None,
        maximize=False,
    ):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {
            "lr": lr,
            "beta2_decay": beta2_decay,
            "eps": eps,
            "d": d,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group, params):
        for p in params:
            if p.is_complex():
                raise RuntimeError("Adafactor does not support complex parameters")

    def _init_state(self, group, p):
        state = {"step": step_state(p)}
        if p.ndim > 1:
            value = p._value()
            state["row_var"] = Tensor._wrap(jnp.zeros_like(value[..., :1]), p._device)
            state["col_var"] = Tensor._wrap(jnp.zeros_like(value[..., :1, :]), p._device)
        else:
            state["variance"] = Tensor._wrap(jnp.zeros_like(p._value()), p._device)
        return state

    @staticmethod
    def _update(hp, params, grads, states):
        eps1, eps2 = hp["eps"]
        if eps1 is None:
            # as torch: the first parameter's dtype sets it for the whole group
            eps1 = float(jnp.finfo(params[0].dtype).eps)
        new_params, new_states = [], []
        for p, g, s in zip(params, grads, states):
            g = ascent(hp, g)
            step, t = next_step(s)
            beta2 = t ** hp["beta2_decay"]
            rho = jnp.minimum(hp["lr"], 1 / jnp.sqrt(t))
            alpha = jnp.maximum(eps2, _norm64(p) / p.size**0.5) * rho
            if "weight_decay" in hp["nonzero"]:
                p = p * scalar_of(1 - hp["lr"] * hp["weight_decay"], p)
            new, estimate = _second_moment(p, g, s, beta2, eps1)
            update = (1 / jnp.sqrt(jnp.maximum(estimate, scalar_of(eps1 * eps1, p)))) * g
            denom = jnp.maximum(1.0, _norm64(update) / (update.size**0.5 * hp["d"]))
            new_params.append(p + scalar_of(-alpha / denom, p) * update)
            new_states.append({"step": step, **new})
        return new_params, new_states
