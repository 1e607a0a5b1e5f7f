"""torch.optim.SGD: stochastic gradient descent with momentum, dampening, Nesterov momentum
and weight decay."""

from .optimizer import (
    Optimizer,
    _check_fused,
    _check_lr,
    _check_range,
    ascent,
    coupled_weight_decay,
    scalar_of,
)


class SGD(Optimizer):
    """Stochastic gradient descent (torch.optim.SGD).

    Args:
        params: parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate (default 1e-3).
        momentum (float): momentum factor (default 0).
        dampening (float): dampening for momentum (default 0).
        weight_decay (float): L2 penalty (default 0).
        nesterov (bool): Nesterov momentum (default False).
        maximize (bool): maximize the objective instead of minimizing it (default False).
        foreach, fused: accepted; jtorch always runs one compiled update per group.
        differentiable: only False is supported.

    Example:
        >>> opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    _nonzero_keys = ("weight_decay", "momentum")
    _read_if_nonzero = (("dampening", "momentum"),)
    _group_defaults = (
        ("nesterov", False),
        ("maximize", False),
        ("foreach", None),
        ("differentiable", False),
        ("fused", False),
    )

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0,
        dampening=0,
        weight_decay=0,
        nesterov=False,
        *,
        maximize=False,
        foreach=None,
        differentiable=False,
        fused=None,
    ):
        _check_lr(lr)
        _check_range("momentum", momentum)
        _check_range("weight_decay", weight_decay)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused(fused, foreach)

    @staticmethod
    def _update(hp, params, grads, states):
        new_params, new_states = [], []
        for p, g, s in zip(params, grads, states):
            g = coupled_weight_decay(hp, p, ascent(hp, g))
            new = {}
            if "momentum" in hp["nonzero"]:
                buf = s.get("momentum_buffer")
                momentum = scalar_of(hp["momentum"], p)
                if buf is None:
                    buf = g
                else:
                    buf = buf * momentum + scalar_of(1 - hp["dampening"], p) * g
                new["momentum_buffer"] = buf
                g = g + momentum * buf if hp["nesterov"] else buf
            new_params.append(p - scalar_of(hp["lr"], p) * g)
            new_states.append(new)
        return new_params, new_states
