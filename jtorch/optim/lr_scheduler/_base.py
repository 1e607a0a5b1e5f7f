"""torch.optim.lr_scheduler's base class, LRScheduler: the step protocol, the
``optimizer.step()`` wrapping behind its call-order warnings, and the helpers every
scheduler shares.

Note [scheduler state]
----------------------
As in torch, a scheduler's state is its ``__dict__`` less the optimizer, so ``state_dict()`` has
torch's keys only because every scheduler sets torch's attributes, under torch's names and in
torch's order; that is also what lets a state_dict saved by torch load here. Functions and
lambdas a scheduler holds are not saved (``None``); callable objects save their ``__dict__``.
Learning rates are computed with torch's expressions, operand for operand, so a schedule agrees
with torch's to the last bit, chainable forms (which scale the current ``group["lr"]``) and
closed forms alike. A tensor ``group["lr"]`` is updated in place (``fill_``), never replaced,
and lists of learning rates handed out (``base_lrs``, ``get_last_lr()``) hold clones of it.
"""

import contextlib
import functools
import types
import warnings
import weakref

from ...tensor import Tensor
from ..optimizer import Optimizer

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available. "
    "Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
)

_SEE_DOCS = (
    "See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)

_OVERRIDDEN_WARNING = (
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
    "initialization. Please, make sure to call `optimizer.step()` before "
    "`lr_scheduler.step()`. " + _SEE_DOCS
)

_ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
    "In PyTorch 1.1.0 and later, you should call them in the opposite order: "
    "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this "
    "will result in PyTorch skipping the first value of the learning rate schedule. " + _SEE_DOCS
)


# ---- parameter-group values ---------------------------------------------------------------


def _copy(value):
    return value.clone() if isinstance(value, Tensor) else value


def _group_values(optimizer, key):
    """``group[key]`` of every parameter group, tensors cloned so the list never aliases them."""
    return [_copy(group[key]) for group in optimizer.param_groups]


def _set_group_value(group, key, value):
    """``group[key] = value``, written in place when ``group[key]`` is a tensor."""
    if isinstance(group[key], Tensor):
        if isinstance(value, Tensor) and value.dim() != 0:
            value = value.squeeze()
        group[key].fill_(value)
    else:
        group[key] = value


# ---- the base class -----------------------------------------------------------------------


def _check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


@contextlib.contextmanager
def _flag(obj, name):
    """``obj.<name>`` is True inside the block (torch's ``_enable_get_lr_call`` and
    ``_initial_mode``)."""
    setattr(obj, name, True)
    try:
        yield
    finally:
        setattr(obj, name, False)


def _warn_get_lr_called_within_step(scheduler):
    if not scheduler._get_lr_called_within_step:
        warnings.warn(
            "To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
            UserWarning,
            stacklevel=2,
        )


def _track_step_calls(optimizer):
    """Wrap the optimizer instance's ``step`` to record that it ran (``_opt_called``), for the
    call-order warnings of ``LRScheduler.step`` (torch's check for pytorch#20124). The class's
    step, hooks included (Note [compiled update]), runs unchanged inside."""
    if hasattr(optimizer.step, "_wrapped_by_lr_sched"):
        return
    opt_ref = weakref.ref(optimizer)
    func = optimizer.step.__func__

    @functools.wraps(func)
    def step(*args, **kwargs):
        opt = opt_ref()
        opt._opt_called = True
        return func.__get__(opt, type(opt))(*args, **kwargs)

    step._wrapped_by_lr_sched = True
    optimizer.step = step


def _callable_state(fn):
    """What a state_dict keeps of a user function: nothing for a function or lambda, the
    ``__dict__`` of a callable object."""
    return None if isinstance(fn, types.FunctionType) else fn.__dict__.copy()


def _state_with(scheduler, key, value):
    state = {k: v for k, v in scheduler.__dict__.items() if k not in ("optimizer", key)}
    state[key] = value
    return state


def _load_state_without(scheduler, state_dict, key):
    """Load ``state_dict`` less ``key``, whose saved value is returned; the caller's dict is
    left with its keys (pytorch#32756)."""
    saved = state_dict.pop(key)
    scheduler.__dict__.update(state_dict)
    state_dict[key] = saved
    return saved


class LRScheduler:
    """Base class of the learning-rate schedulers (torch.optim.lr_scheduler.LRScheduler).

    A subclass defines ``get_lr()``, the learning rates of the epoch ``last_epoch``; ``step()``
    advances ``last_epoch`` and writes them into the optimizer's parameter groups. Constructing
    a scheduler sets each group's ``initial_lr`` (when ``last_epoch == -1``) and takes the first
    step. See Note [scheduler state].

    Args:
        optimizer (Optimizer): the optimizer whose learning rates are scheduled.
        last_epoch (int): index of the last epoch; -1 (default) starts the schedule, another
            value resumes it (the groups must then hold ``initial_lr``).

    Example:
        >>> scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30)
        >>> for epoch in range(100):
        ...     train(...); optimizer.step(); scheduler.step()
    """

    _get_lr_called_within_step = False
    _is_initial = False

    def __init__(self, optimizer, last_epoch=-1):
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", _copy(group["lr"]))
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                        "scheduler with last_epoch >= 0.\n"
                        "This typically happens when:\n"
                        "1. You're trying to resume training from a checkpoint but haven't "
                        "properly loaded the optimizer state\n"
                        "2. You're using last_epoch >= 0 for a fresh training run (not recommended)"
                    )
        self.base_lrs = _group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        _track_step_calls(optimizer)
        self._initial_step()

    def _initial_step(self):
        """Reset the step count and take the constructor's step."""
        self._step_count = 0
        with _flag(self, "_is_initial"):
            self.step()

    def state_dict(self):
        """The scheduler's state: every attribute but the optimizer."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Load a state from ``state_dict()`` (jtorch's or torch's)."""
        self.__dict__.update(state_dict)

    def get_last_lr(self):
        """The learning rates the last ``step()`` set, one per parameter group."""
        return self._last_lr

    def get_lr(self):
        """The learning rates of epoch ``last_epoch``, one per parameter group (called by
        ``step()``; to read the current ones use ``get_last_lr()``)."""
        raise NotImplementedError

    def step(self, epoch=None):
        """Advance the schedule one epoch and set the groups' learning rates. Call it after
        ``optimizer.step()``. ``epoch`` (deprecated) jumps to that epoch, using the closed form
        where the scheduler has one."""
        if self._step_count == 1:
            if not hasattr(self.optimizer.step, "_wrapped_by_lr_sched"):
                warnings.warn(_OVERRIDDEN_WARNING, UserWarning, stacklevel=2)
            elif not getattr(self.optimizer, "_opt_called", False):
                warnings.warn(_ORDER_WARNING, UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        with _flag(self, "_get_lr_called_within_step"):
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed_form = getattr(self, "_get_closed_form_lr", None)
                values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            _set_group_value(group, "lr", lr)
        self._last_lr = _group_values(self.optimizer, "lr")

    def _current_lrs(self):
        return _group_values(self.optimizer, "lr")

    def _scaled_lrs(self, factor):
        return [group["lr"] * factor for group in self.optimizer.param_groups]


class _LRScheduler(LRScheduler):
    """The old name of LRScheduler, kept as a subclass so its ``__name__`` is its own."""
