"""torch.optim.Adagrad: per-element learning rates from the running sum of squared gradients."""

import jax.numpy as jnp

from .. import _dtype
from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    _check_lr,
    _check_range,
    ascent,
    coupled_weight_decay,
    divided_lr,
    next_step,
    scalar_of,
    step_state,
)

# torch 2.13's _get_fused_kernels_supported_devices(), as its fused-check message lists them
_FUSED_DEVICES = ["mps", "cuda", "xpu", "hpu", "cpu", "mtia", "privateuseone"]


class Adagrad(Optimizer):
    """Adagrad (torch.optim.Adagrad).

    Each step adds ``grad**2`` to the state ``sum`` and moves the parameter by
    ``-clr * grad / (sqrt(sum) + eps)``, where ``clr = lr / (1 + (step - 1) * lr_decay)``. As in
    torch, the state (``step`` and ``sum``, filled with ``initial_accumulator_value``) is created
    in the constructor, so ``state_dict()`` lists it before the first step; parameters added
    later with ``add_param_group`` get theirs at their first step, from the constructor's
    ``initial_accumulator_value`` (a group's own value is not used, as in torch).

    Args:
        params: parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate (default 1e-2).
        lr_decay (float): learning-rate decay (default 0).
        weight_decay (float): L2 penalty (default 0).
        initial_accumulator_value (float): starting value of ``sum`` (default 0).
        eps (float): added to the denominator (default 1e-10).
        foreach: accepted; jtorch always runs one compiled update per group.
        maximize (bool): maximize the objective instead of minimizing it (default False).
        differentiable: only False is supported.
        fused (bool): accepted, with torch's checks (floating-point parameters; not with
            ``foreach``) and its float32 ``step``; the update is the same compiled rule.

    Example:
        >>> opt = torch.optim.Adagrad(model.parameters(), lr=1e-2, lr_decay=1e-4)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()

    Differences from torch: sparse gradients do not exist in jtorch, and ``share_memory()``
    raises NotImplementedError.
    """

    _nonzero_keys = ("weight_decay",)
    _group_defaults = (
        ("foreach", None),
        ("maximize", False),
        ("differentiable", False),
        ("fused", None),
    )
    _scalar_state = ("step",)

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0,
        weight_decay=0,
        initial_accumulator_value=0,
        eps=1e-10,
        foreach=None,
        *,
        maximize=False,
        differentiable=False,
        fused=None,
    ):
        _check_lr(lr)
        _check_range("lr_decay", lr_decay)
        _check_range("weight_decay", weight_decay)
        _check_range("initial_accumulator_value", initial_accumulator_value)
        _check_range("epsilon", eps)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
            self._need_device_dtype_check_for_fused = True
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = self._init_state(group, p)

    def _scalar_tensor(self, group, p, value):
        return _step(group, p, value)

    def share_memory(self):
        """torch moves the ``sum`` states to shared memory for multiprocess training."""
        raise NotImplementedError(
            "torch.optim.Adagrad.share_memory is not supported by jtorch: its tensors are jax arrays"
        )

    def _init_state(self, group, p):
        value = self.defaults["initial_accumulator_value"]
        fill = jnp.asarray(complex(value, value) if p.is_complex() else value, p._value().dtype)
        total = Tensor._wrap(jnp.full_like(p._value(), fill), p._device)
        return {"step": _step(group, p), "sum": total}

    def _check_group(self, group, params):
        # as torch: the dtype check runs on the first parameter of the first fused step; the
        # fused kernel then refuses complex parameters
        if not group["fused"]:
            return
        if getattr(self, "_need_device_dtype_check_for_fused", True):
            p = params[0]
            if not p.is_floating_point():
                raise RuntimeError(
                    "`fused=True` requires all the params to be floating point Tensors of "
                    f"supported devices: {_FUSED_DEVICES} but {p.dtype} and {p.device.type}"
                )
            self._need_device_dtype_check_for_fused = False
        if any(p.is_complex() for p in params):
            raise RuntimeError("`fused` does not support sparse grad or complex param")

    @staticmethod
    def _update(hp, params, grads, states):
        new_params, new_states = [], []
        for p, g, s in zip(params, grads, states):
            step, t = next_step(s)
            g = coupled_weight_decay(hp, p, ascent(hp, g))
            clr = divided_lr(hp["lr"], 1 + (t - 1) * hp["lr_decay"])
            total = s["sum"] + g * g
            std = jnp.sqrt(total) + scalar_of(hp["eps"], p)
            new_params.append(p - scalar_of(clr, p) * (g / std))
            new_states.append({"step": step, "sum": total})
        return new_params, new_states


def _step(group, p, value=0.0):
    """Adagrad's ``state["step"]``: float32 under ``fused``, else the default scalar dtype."""
    step = step_state(p, value)
    return step.to(dtype=_dtype.float32) if group["fused"] else step
