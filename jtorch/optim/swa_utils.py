"""torch.optim.swa_utils: Stochastic Weight Averaging and exponential moving averages of a
model's weights (AveragedModel and its averaging functions), the SWALR schedule, and update_bn,
which recomputes BatchNorm statistics for averaged weights.

Where torch calls ``torch._foreach_*`` ops, jtorch makes the same per-tensor calls (``lerp_``,
``add_``, ``addcdiv_``) under ``no_grad``: torch's foreach kernels are those per-tensor ops fused,
with the same roundings.
"""

import itertools
import math
from copy import deepcopy

from .. import _dtype
from .._functions import is_complex, is_floating_point
from .._ops.creation import tensor
from ..autograd.grad_mode import no_grad
from ..nn.modules.batchnorm import _BatchNorm
from ..nn.modules.module import Module
from ..tensor import Tensor
from .lr_scheduler._base import LRScheduler, _warn_get_lr_called_within_step
from .lr_scheduler._cyclic import _format_param

__all__ = [
    "SWALR",
    "AveragedModel",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
    "update_bn",
]

# The device types on which torch's default SWA update takes the foreach path (a lerp) rather
# than the per-tensor formula of get_swa_avg_fn; jtorch's devices are CPU and CUDA.
_FOREACH_DEVICE_TYPES = ("cuda",)


# ---- averaging functions ------------------------------------------------------------------


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(
            f"Invalid decay value {decay} provided. Please provide a value in [0,1] range."
        )


def _lerps(tensors):
    """Whether torch's foreach lerp takes a group: float and complex tensors only."""
    return is_floating_point(tensors[0]) or is_complex(tensors[0])


def get_ema_multi_avg_fn(decay=0.999):
    """The in-place exponential moving average of lists of tensors, for AveragedModel's
    ``multi_avg_fn``: ``ema = decay * ema + (1 - decay) * model`` (a lerp for float tensors)."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param_list, current_param_list, _):
        if _lerps(ema_param_list):
            for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                p_ema.lerp_(p_model, 1 - decay)
        else:
            for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn():
    """The in-place running mean of lists of tensors, for AveragedModel's ``multi_avg_fn``:
    ``avg += (model - avg) / (num_averaged + 1)`` (a lerp for float tensors)."""

    @no_grad()
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        pairs = list(zip(averaged_param_list, current_param_list, strict=True))
        if _lerps(averaged_param_list):
            weight = 1 / (num_averaged + 1)
            for p_avg, p_model in pairs:
                p_avg.lerp_(p_model, weight)
            return
        diffs = [p_model - p_avg for p_avg, p_model in pairs]
        for (p_avg, _), diff in zip(pairs, diffs, strict=True):
            if isinstance(num_averaged, Tensor):
                p_avg.addcdiv_(diff, num_averaged + 1)
            else:
                p_avg.add_(diff, alpha=1.0 / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay=0.999):
    """The exponential moving average of one tensor, for AveragedModel's ``avg_fn``:
    ``decay * ema + (1 - decay) * model``."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """The running mean of one tensor, for AveragedModel's ``avg_fn``:
    ``avg + (model - avg) / (num_averaged + 1)``."""

    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


# ---- AveragedModel ------------------------------------------------------------------------


def _group_by_device_and_dtype(averaged, current):
    """``{(device, dtype): (averaged tensors, current tensors)}``, in order of first sight."""
    groups = {}
    for p_avg, p_model in zip(averaged, current, strict=True):
        avg_list, model_list = groups.setdefault((p_avg.device, p_avg.dtype), ([], []))
        avg_list.append(p_avg)
        model_list.append(p_model)
    return groups


class AveragedModel(Module):
    """torch.optim.swa_utils.AveragedModel: a copy of ``model`` whose parameters (and, with
    ``use_buffers``, buffers) hold a running average of ``model``'s, for Stochastic Weight
    Averaging (SWA) or an exponential moving average (EMA). ``update_parameters(model)`` copies
    the weights the first time and averages them in afterwards; ``n_averaged`` (a buffer, in
    the state_dict beside ``module.*``) counts the calls. Calling it calls the copy.

    Args:
        model (Module): the model to average.
        device (device): where to keep the copy (default: where ``model`` is).
        avg_fn (callable): ``avg_fn(averaged, current, num_averaged)`` returns the new average
            of one tensor (default: the equally weighted mean).
        multi_avg_fn (callable): ``multi_avg_fn(averaged_list, current_list, num_averaged)``
            updates lists of tensors in place; at most one of ``avg_fn`` and ``multi_avg_fn``.
        use_buffers (bool): average the buffers too; otherwise they are copied from ``model``
            at each update (default False).

    Example:
        >>> ema_model = torch.optim.swa_utils.AveragedModel(
        ...     model, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(0.9))
        >>> for input, target in loader:
        ...     train_step(model, input, target)
        ...     ema_model.update_parameters(model)
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=_dtype.int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _averaged_tensors(self, model):
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
            return mine, theirs
        return self.parameters(), model.parameters()

    def update_parameters(self, model):
        """Average ``model``'s parameters (and buffers, with ``use_buffers``) into this copy's;
        the first call copies them."""
        averaged, current = [], []
        first = bool(self.n_averaged == 0)
        # not strict: a model with more parameters than the copy is averaged on the common head
        for p_avg, p_model in zip(*self._averaged_tensors(model)):
            p_model = p_model.detach().to(p_avg.device)
            averaged.append(p_avg.detach())
            current.append(p_model)
            if first:
                p_avg.detach().copy_(p_model)
        if self.n_averaged > 0:
            if self.multi_avg_fn is not None or self.avg_fn is None:
                self._average_groups(averaged, current)
            else:
                for p_avg, p_model in zip(averaged, current, strict=True):
                    n_averaged = self.n_averaged.to(p_avg.device)
                    p_avg.copy_(self.avg_fn(p_avg, p_model, n_averaged))
        if not self.use_buffers:
            # buffers are not averaged: keep them in step with the model's
            for b_avg, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                b_avg.detach().copy_(b_model.detach().to(b_avg.device))
        self.n_averaged += 1

    def _average_groups(self, averaged, current):
        """``multi_avg_fn`` (or the default SWA mean) over each device and dtype group."""
        for (device, _), (avg_list, model_list) in _group_by_device_and_dtype(
            averaged, current
        ).items():
            n_averaged = self.n_averaged.to(device)
            if self.multi_avg_fn is not None:
                self.multi_avg_fn(avg_list, model_list, n_averaged)
            elif device.type in _FOREACH_DEVICE_TYPES:
                get_swa_multi_avg_fn()(avg_list, model_list, n_averaged)
            else:
                swa = get_swa_avg_fn()
                for p_avg, p_model in zip(avg_list, model_list, strict=True):
                    p_avg.copy_(swa(p_avg, p_model, n_averaged))


# ---- update_bn ----------------------------------------------------------------------------


@no_grad()
def update_bn(loader, model, device=None):
    """Recompute the running statistics of every BatchNorm layer of ``model`` with one pass over
    ``loader``: the statistics are reset and averaged over all batches (``momentum=None``), and
    the layers' momenta and the model's training mode are restored afterwards.

    Args:
        loader (Iterable): batches, each a tensor or a list/tuple whose first item is the input.
        model (Module): the model whose BatchNorm statistics are updated.
        device (device): where to move each input before calling the model.
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for input in loader:
        if isinstance(input, (list, tuple)):
            input = input[0]
        if device is not None:
            input = input.to(device)
        model(input)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


# ---- SWALR --------------------------------------------------------------------------------


class SWALR(LRScheduler):
    """torch.optim.swa_utils.SWALR: anneal each group's learning rate to its ``swa_lr`` over
    ``anneal_epochs`` epochs, then hold it there. Each step moves the rate from the value the
    schedule would have started from towards ``swa_lr`` by the annealing fraction of the epoch,
    so the schedule follows ``group["lr"]`` if something else changed it.

    Args:
        optimizer (Optimizer): the optimizer whose learning rates are scheduled.
        swa_lr (float or list): the final learning rate, for all groups or one per group
            (stored in each group as ``"swa_lr"``).
        anneal_epochs (int): epochs of annealing, at least 0 (default 10).
        anneal_strategy (str): ``"cos"`` (default) or ``"linear"``.
        last_epoch (int): index of the last epoch (default -1).

    Example:
        >>> swa_scheduler = torch.optim.swa_utils.SWALR(optimizer, swa_lr=0.05)
        >>> for epoch in range(swa_start, epochs):
        ...     train(...); swa_model.update_parameters(model); swa_scheduler.step()
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        """The rate the annealing started from, given the rate ``lr`` it reached at ``alpha``."""
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def _alpha(self, step):
        return self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))

    def get_lr(self):
        """The learning rates of the current epoch: each group's rate moved from where the
        annealing started towards its ``swa_lr`` by this epoch's annealing fraction."""
        _warn_get_lr_called_within_step(self)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self._alpha(step - 1)
        alpha = self._alpha(step)
        groups = self.optimizer.param_groups
        return [
            group["swa_lr"] * alpha
            + self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha) * (1 - alpha)
            for group in groups
        ]

    def state_dict(self):
        """The scheduler's state: every attribute but the optimizer and the anneal function."""
        return {
            key: value
            for key, value in self.__dict__.items()
            if key not in ("optimizer", "anneal_func")
        }

    def load_state_dict(self, state_dict):
        """Load a state from ``state_dict()`` (jtorch's or torch's)."""
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
