"""torch.optim.Optimizer: parameter groups, per-parameter state, state_dict, hooks, and the
compiled update every built-in optimizer shares.

Note [compiled update]
----------------------
A built-in optimizer is a thin shell around a pure update rule on jax arrays::

    _update(hp, params, grads, states) -> (new_params, new_states)

``step()`` gathers, for each parameter group, the parameters that have a gradient, their
gradients and their state (the tensors in ``self.state[p]``, under torch's key names: "step",
"exp_avg", ...), and runs the rule as one jitted call over all of them (lists of arrays, one
pytree). The group's hyperparameters travel in two halves (``_split_hyper``): numbers (lr,
betas, eps, a tensor lr) are traced arguments, so a scheduler changing ``lr`` reuses the
compiled program; flags (maximize, amsgrad, nesterov, foreach, ...), strings, ``None``, the
class's ``_static_keys`` and the set of hyperparameters that are nonzero (the class's
``_nonzero_keys``: torch skips a weight decay of 0 rather than adding ``0 * param``, which
differs for an inf parameter) are static, part of the jit key. A nonzero-key hyperparameter
that is a Python 0 is static too: the rule does not read it (it checks "nonzero" first), and
the program, specialised on its being zero already, takes one input fewer; so is a number
that the rule reads only where a nonzero key is nonzero (``_read_if_nonzero``: SGD's dampening
without momentum). ``_init_state``
fills a new parameter's state before its first update (in torch's key order, so state_dicts
list keys as torch does); a rule may also add keys itself (SGD's momentum buffer is the first
gradient).
Results are written back into the same parameter and state tensors, in place with their
version counters bumped, so references a user holds stay live, as in torch. Complex parameters
are updated as real pairs (torch's ``view_as_real``), so per-element statistics such as Adam's
second moment are taken per real and imaginary part, as torch does.
"""

import functools
import operator
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

import jax
import jax.numpy as jnp
import numpy as np

from .. import _device, _dtype, _lazy, _tracing
from .._functions import typename
from ..autograd.grad_mode import no_grad
from ..nn.modules._hooks import RemovableHandle
from ..tensor import Tensor


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """A hook every optimizer runs before ``step()``: ``hook(optimizer, args, kwargs)``."""
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook):
    """A hook every optimizer runs after ``step()``: ``hook(optimizer, args, kwargs)``."""
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


def _with_step_hooks(step):
    """``step`` wrapped to run the global and the optimizer's own pre and post step hooks."""

    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        self = args[0]  # as torch's, the hooks see ``args`` with the optimizer first
        if _global_optimizer_pre_hooks or self._optimizer_step_pre_hooks:
            args, kwargs = _run_pre_hooks(step, self, args, kwargs)
        out = step(*args, **kwargs)
        if self._optimizer_step_post_hooks or _global_optimizer_post_hooks:
            for post_hook in chain(
                self._optimizer_step_post_hooks.values(), _global_optimizer_post_hooks.values()
            ):
                post_hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


def _run_pre_hooks(step, self, args, kwargs):
    """The pre step hooks, in torch's order; each may return new ``(args, kwargs)``."""
    for pre_hook in chain(
        _global_optimizer_pre_hooks.values(), self._optimizer_step_pre_hooks.values()
    ):
        result = pre_hook(self, args, kwargs)
        if result is not None:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise RuntimeError(
                    f"{step} must return None or a tuple of (new_args, new_kwargs), but got {result}."
                )
            args, kwargs = result
    return args, kwargs


def _check_lr(lr):
    """torch's checks on a learning rate (a float or a one-element tensor)."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_range(name, value, low=0.0, high=None, label="value"):
    """``ValueError("Invalid {name} {label}: {value}")`` unless ``low <= value`` (``< high``)."""
    if not low <= value or (high is not None and not value < high):
        raise ValueError(f"Invalid {name} {label}: {value}")


def _check_betas(betas):
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


def _check_tensor_betas(betas, foreach, capturable):
    """Adam's rules for betas given as tensors."""
    b0, b1 = betas
    if isinstance(b0, Tensor) != isinstance(b1, Tensor):
        raise ValueError("betas must be either both floats or both Tensors")
    if isinstance(b0, Tensor):
        if not capturable and foreach:
            raise ValueError(
                "betas[0] as a Tensor is not supported for capturable=False and foreach=True"
            )
        if b0.numel() != 1:
            raise ValueError("Tensor betas[0] must be 1-element")
        if b1.numel() != 1:
            raise ValueError("Tensor betas[1] must be 1-element")


def _check_tensor_lr(lr, foreach, capturable):
    if isinstance(lr, Tensor) and foreach and not capturable:
        raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")


def _check_fused(fused, foreach):
    if fused and foreach:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


# ---- the compiled update: Note [compiled update] ------------------------------------------


def _traced(value):
    if isinstance(value, Tensor):  # a host scalar: it joins the parameters on any device
        return np.asarray(value._value()).reshape(())
    if isinstance(value, (tuple, list)):
        return tuple(_traced(v) for v in value)
    if value is None:
        return None
    # the group's own float while it holds one: lazy mode then sees the same input each step
    return value if type(value) is float else float(value)


def _is_static(key, value, static_keys):
    return key in static_keys or value is None or isinstance(value, (bool, str))


def _plain_hyper(group):
    """A group's hyperparameters that are Python values (tensor ones are traced values)."""
    plain = [
        (k, v)
        for k, v in group.items()
        if type(v) in _PLAIN or (k != "params" and not isinstance(v, Tensor) and _hashable(v))
    ]
    return tuple(plain)


_PLAIN = frozenset([float, int, bool, str, type(None)])  # hashable: no need to try


def _hashable(v):
    try:
        hash(v)
    except TypeError:
        return False
    return True


_splits = {}  # (keys, static keys, nonzero keys, the values' types and values) -> the halves
_ABSENT = object()
MAX_SPLITS = 1024


def _split_hyper(group, keys, static_keys, nonzero_keys, recent, read_if=()):
    """The group's hyperparameters ``keys`` (the optimizer's defaults: a group may also hold a
    user's or a scheduler's own entries, which the rule does not read) in two halves.

    Remembered for groups of plain values (a training loop splits the same group every step);
    a tensor value (read anew each time) or an unhashable one is split each time. ``recent``
    (the optimizer's dict): the last split of each group, reused while the group holds the
    same immutable objects. ``read_if``: the class's ``_read_if_nonzero``."""
    keys = tuple(keys)
    found = [group.get(k, _ABSENT) for k in keys + nonzero_keys]
    last = recent.get(id(group))
    if last is not None and last[0] is group and last[1] == keys and all(map(operator.is_, found, last[2])):
        return last[3]
    # floats by their bits: -0.0 is a different value here (it reaches the update as it is)
    values = tuple([(type(v), v.hex() if type(v) is float else v) for v in found])
    key = (keys, static_keys, nonzero_keys, read_if, values)
    try:
        halves = _splits.get(key)
    except TypeError:  # a list among the values
        return _split(group, keys, static_keys, nonzero_keys, read_if)
    if halves is None:
        halves = _split(group, keys, static_keys, nonzero_keys, read_if)
        if not any(issubclass(t, Tensor) for t, _ in values):
            if len(_splits) >= MAX_SPLITS:
                _splits.clear()
            _splits[key] = halves
    if all(map(_immutable, found)):  # the same objects next time: the same values
        recent[id(group)] = (group, keys, found, halves)
    return halves


def _immutable(v):
    t = type(v)
    return t in _PLAIN or v is _ABSENT or (t is tuple and all(map(_immutable, v)))


def _split(group, keys, static_keys, nonzero_keys, read_if=()):
    nonzero = frozenset(k for k in nonzero_keys if k in group and bool(group[k] != 0))
    unread_keys = {k for k in nonzero_keys if k not in nonzero}
    unread_keys.update(k for k, other in read_if if other not in nonzero)
    static, traced = [("nonzero", nonzero)], {}
    for key in keys:
        if key not in group:  # "differentiable": torch's __setstate__ adds it to every defaults
            continue
        value = group[key]
        # a nonzero key that is zero, or a key read only where such a key is nonzero: the rule
        # does not read it (a number: static at no cost)
        unread = key in unread_keys and type(value) in (int, float)
        if unread or _is_static(key, value, static_keys):
            static.append((key, tuple(value) if isinstance(value, list) else value))
        else:
            traced[key] = _traced(value)
    return tuple(sorted(static, key=lambda kv: kv[0])), traced


def _as_real(a):
    return jnp.stack([a.real, a.imag], axis=-1) if jnp.iscomplexobj(a) else a


def _as_complex(a, like):
    return jax.lax.complex(a[..., 0], a[..., 1]) if jnp.iscomplexobj(like) else a


@functools.partial(jax.jit, static_argnums=(0, 1))
def _run_update(rule, static, traced, params, grads, states):
    hp = dict(static)
    hp.update(traced)
    real = [_as_real(p) for p in params]
    new_params, new_states = rule(
        hp,
        real,
        [_as_real(g) for g in grads],
        [{k: _as_real(v) for k, v in s.items()} for s in states],
    )
    # back in the inputs' dtypes (a rule's float64 scalar arithmetic must not widen a state),
    # so that step() can write the results straight into the tensors they replace
    new_states = [
        {k: _restored(v, p, r, old.get(k)) for k, v in s.items()}
        for s, p, r, old in zip(new_states, params, real, states)
    ]
    return [_as_complex(n, p).astype(p.dtype) for n, p in zip(new_params, params)], new_states


def _restored(new, param, real, old):
    new = _as_complex(new, param) if new.shape == real.shape else new
    return new if old is None else new.astype(old.dtype)


def scalar_of(x, like):
    """A traced hyperparameter or scalar state ``x`` as a 0-dim array of ``like``'s dtype (so a
    float64 scalar does not promote a float32 update)."""
    return jnp.asarray(x).astype(like.dtype)


def zeros_state(p):
    """A state tensor of zeros shaped and typed like parameter ``p`` (torch's
    ``zeros_like(p, memory_format=torch.preserve_format)``); in lazy mode without computing
    ``p``'s pending value."""
    value = p._lazy_value()
    if type(value) is _lazy.Pending:
        array = jnp.zeros(value.shape, value.dtype, device=_device.jax_device(p._device))
    else:
        array = jnp.zeros_like(value)
    return Tensor._wrap(array, p._device)


def step_state(p, value=0.0):
    """torch's ``state["step"]``: a 0-dim tensor of the default scalar dtype (float32, or float64
    under a float64 default dtype)."""
    dtype = _dtype.get_default_dtype()
    dtype = dtype if dtype in (_dtype.float32, _dtype.float64) else _dtype.float32
    array = jax.device_put(jnp.asarray(value, dtype._np), _device.jax_device(p._device))
    return Tensor._wrap(array, p._device)


def _write_back(t, array):
    """``t`` (a parameter or state tensor) takes the value ``array``, in place."""
    if array.dtype != t._value().dtype:
        array = array.astype(t._value().dtype)
    t._write_value(array)


class Optimizer:
    """Base class for all optimizers (torch.optim.Optimizer).

    Args:
        params (iterable): an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts
            (parameter groups: ``{"params": [...], "lr": ...}``).
        defaults (dict): the default hyperparameters, used by groups that do not set them.
    """

    _static_keys = ()
    _nonzero_keys = ()
    _read_if_nonzero = ()  # (key, nonzero key): the rule reads key only where the other is nonzero
    # torch's __setstate__ for states pickled by older versions: group keys filled with these
    # defaults, and these per-parameter state entries, saved as Python numbers, made tensors
    _group_defaults = ()
    _scalar_state = ()

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._patch_step_function()
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
                + typename(params)
            )
        if defaults.get("differentiable"):
            raise NotImplementedError(
                f"torch.optim.{type(self).__name__}(differentiable=True) is not supported by jtorch: "
                "its updates are not recorded for autograd"
            )
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def _patch_step_function(self):
        # as torch: the class's step is wrapped once, to run the step hooks
        cls = type(self)
        if not getattr(cls.step, "hooked", False):
            cls.step = _with_step_hooks(cls.step)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in (
            "_optimizer_step_pre_hooks",
            "_optimizer_step_post_hooks",
            "_optimizer_state_dict_pre_hooks",
            "_optimizer_state_dict_post_hooks",
            "_optimizer_load_state_dict_pre_hooks",
            "_optimizer_load_state_dict_post_hooks",
        ):
            self.__dict__.setdefault(name, OrderedDict())
        self._patch_step_function()
        self.defaults.setdefault("differentiable", False)
        for group in self.param_groups:
            for key, value in self._group_defaults:
                group.setdefault(key, value)
            for p in group["params"]:
                p_state = self.state.get(p)
                for key in self._scalar_state if p_state else ():
                    if key in p_state and not isinstance(p_state[key], Tensor):
                        p_state[key] = self._scalar_tensor(group, p, float(p_state[key]))

    def _scalar_tensor(self, group, p, value):
        """A scalar state entry (``step``, ...) as the 0-dim tensor torch keeps it in."""
        return step_state(p, value)

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # ---- parameter groups ------------------------------------------------------------------

    def add_param_group(self, param_group):
        """Add a parameter group (a dict with "params" and optional hyperparameters)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of "
                "tensors in sets will change between runs. Please use a list instead."
            )
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are missing"
                )
            param_group["param_names"] = names
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is " + typename(p)
                )
            if not self.defaults.get("differentiable", None) and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization parameter {name}"
                )
            param_group.setdefault(name, default)
        if len(params) != len(set(params)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this will cause an "
                "error; see github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )
        seen = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors: to None (default) or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if p._grad.grad_fn is not None:
                        p._grad.detach_()
                    else:
                        p._grad.requires_grad_(False)
                    p._grad.zero_()

    # ---- step ------------------------------------------------------------------------------

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        if type(self)._update is Optimizer._update:
            raise NotImplementedError
        loss = None
        if closure is not None:
            from ..autograd.grad_mode import enable_grad

            with enable_grad():
                loss = closure()
        grads = []
        with no_grad():
            for group in self.param_groups:
                self._step_group(group, grads)
        # a training step ends (Note [lazy mode]); the gradients read may stay pending
        # (Note [deferred results] in _lazy.py)
        _lazy.flush(step_end=True, optional={id(g) for g in grads if type(g) is _lazy.Pending})
        return loss

    @staticmethod
    def _update(hp, params, grads, states):
        raise NotImplementedError

    def _init_state(self, group, p):
        """The state of parameter ``p`` before its first update, as a dict of tensors."""
        return {}

    def _check_group(self, group, params):
        """Raise torch's error for parameters this optimizer cannot update (sparse, complex...)."""

    def _step_group(self, group, grads):
        """Update ``group``'s parameters that have gradients, appending the gradients' values
        (arrays or lazy mode's placeholders) to ``grads``."""
        params = [p for p in group["params"] if p._grad is not None]
        if not params:
            return
        self._check_group(group, params)
        states = []
        for p in params:
            state = self.state[p]
            if not state:
                state.update(self._init_state(group, p))
            states.append(state)
        recent = self.__dict__.setdefault("_recent_splits", {})
        static, traced = _split_hyper(
            group, self.defaults, self._static_keys, self._nonzero_keys, recent, self._read_if_nonzero
        )
        _tracing.guard(_plain_hyper, group)  # a compiled step bakes the plain values in
        device = params[0]._device
        arrays = [
            {k: _on(v, device) for k, v in s.items() if isinstance(v, Tensor)} for s in states
        ]
        rule = type(self)._update
        values = [p._grad._lazy_value() for p in params]
        grads.extend(values)
        new_params, new_states = _lazy.call(
            functools.partial(_run_update, rule, static),
            (traced, [p._lazy_value() for p in params], values, arrays),
            key=(_run_update, rule, static),
            pack=True,
        )
        for p, new in zip(params, new_params):
            p._write_value(new)
        for p, state, new in zip(params, states, new_states):
            for key, array in new.items():
                old = state.get(key)
                if isinstance(old, Tensor) and (old._device is device or old._device == device):
                    old._write_value(array)
                else:
                    state[key] = Tensor._wrap(array, p._device)

    # ---- hooks -----------------------------------------------------------------------------

    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs before each ``step()``; it may return new
        ``(args, kwargs)``."""
        return _add(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs after each ``step()``."""
        return _add(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        return _add(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        return _add(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        return _add(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        return _add(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ---- state_dict ------------------------------------------------------------------------

    def state_dict(self):
        """The optimizer's state in torch's format: ``{"state": {index: {...}}, "param_groups":
        [{..., "params": [index, ...]}]}``, parameters numbered in group order."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        result = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            out = hook(self, result)
            if out is not None:
                result = out
        return result

    def load_state_dict(self, state_dict):
        """Load a state from ``state_dict()`` (jtorch's or, with tensors converted, torch's)."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            out = hook(self, state_dict)
            if out is not None:
                state_dict = out
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
            )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        flags = {}
        for g in state_dict["param_groups"]:
            for i in g["params"]:
                flags[i] = g.get("fused", False) or g.get("capturable", False)
        state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = _cast_state(param, value, flags.get(key, False))
            else:
                state[key] = value
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)


def _add(hooks, hook, prepend=False):
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def _on(t, device):
    """``t``'s array on ``device`` (state loaded from another device joins its parameter's)."""
    return t._lazy_value() if t._device is device or t._device == device else t.to(device)._value()


def _cast_state(param, value, step_on_device, key=None):
    """A loaded state ``value`` for ``param``: tensors take ``param``'s device and, when it is
    floating point, its dtype, except "step", which stays as it is (torch's rule, issue 74424)
    unless the group is fused or capturable. As in torch, a tensor already right is not copied."""
    if isinstance(value, Tensor):
        if key == "step":
            return value.to(dtype=_dtype.float32, device=param.device) if step_on_device else value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, step_on_device, key=k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v, step_on_device) for v in value)
    return value


# ---- pieces the update rules share --------------------------------------------------------


def ascent(hp, g):
    """The gradient a rule descends along: ``-grad`` under ``maximize=True``."""
    return -g if hp.get("maximize") else g


def coupled_weight_decay(hp, p, g):
    """L2 weight decay folded into the gradient (``grad + weight_decay * param``), skipped for a
    weight decay of 0 as torch skips it."""
    if "weight_decay" in hp["nonzero"]:
        return g + scalar_of(hp["weight_decay"], p) * p
    return g


def next_step(state):
    """The incremented step counter ``state["step"] + 1`` (kept in its own dtype) and its value
    as float64, in which the bias corrections are computed (torch computes them in Python)."""
    step = state["step"] + 1
    return step, step.astype(jnp.float64)


def lerp(start, end, weight):
    """torch's ``start.lerp(end, weight)`` for a scalar weight, with its two roundings: from
    ``start`` for a weight under 0.5 in magnitude, from ``end`` otherwise."""
    w = scalar_of(weight, start)
    return jnp.where(jnp.abs(w) < 0.5, start + w * (end - start), end - (end - start) * (1 - w))


def divided_lr(lr, divisor):
    """``lr / divisor`` as torch computes it: in float64 for a number lr (Python arithmetic),
    in the tensor's own dtype for a tensor lr."""
    return lr / jnp.asarray(divisor).astype(jnp.result_type(lr))
