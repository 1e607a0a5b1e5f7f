"""Module hooks: handles, the global ``register_module_*`` hooks every module runs before its
own, and the machinery of full and legacy backward hooks (see Module._call_impl)."""

import warnings
import weakref
from collections import OrderedDict

from ...autograd import Function, grad_mode
from ...tensor import Tensor


class RemovableHandle:
    """torch.utils.hooks.RemovableHandle: ``remove()`` takes the hook out of its dicts."""

    _next_id = 0

    def __init__(self, *dicts):
        self._dicts = [weakref.ref(d) for d in dicts]
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        for ref in self._dicts:
            d = ref()
            if d is not None:
                d.pop(self.id, None)

    # a copied or unpickled handle refers to the copied dicts (a lazy module's copy removes
    # its own hooks, not the original's), as torch's does
    def __getstate__(self):
        return [ref() for ref in self._dicts], self.id

    def __setstate__(self, state):
        dicts, self.id = state
        self._dicts = [weakref.ref(d if d is not None else OrderedDict()) for d in dicts]
        RemovableHandle._next_id = max(RemovableHandle._next_id, self.id + 1)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _add_hook(hooks, hook, prepend, kwargs_set=None):
    handle = RemovableHandle(hooks, *([kwargs_set] if kwargs_set is not None else []))
    hooks[handle.id] = hook
    if kwargs_set is not None:
        kwargs_set[handle.id] = True
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


# ---- global hooks (torch.nn.modules.module.register_module_*): every module runs them before its own

_global_buffer_registration_hooks = OrderedDict()
_global_module_registration_hooks = OrderedDict()
_global_parameter_registration_hooks = OrderedDict()
_global_backward_pre_hooks = OrderedDict()
_global_backward_hooks = OrderedDict()
_global_is_full_backward_hook = None
_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()
_global_forward_hooks_always_called = OrderedDict()
_global_forward_hooks_with_kwargs = OrderedDict()


def register_module_buffer_registration_hook(hook):
    return _add_hook(_global_buffer_registration_hooks, hook, False)


def register_module_module_registration_hook(hook):
    return _add_hook(_global_module_registration_hooks, hook, False)


def register_module_parameter_registration_hook(hook):
    return _add_hook(_global_parameter_registration_hooks, hook, False)


def register_module_forward_pre_hook(hook):
    return _add_hook(_global_forward_pre_hooks, hook, False)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    handle = _add_hook(_global_forward_hooks, hook, False,
                       _global_forward_hooks_with_kwargs if with_kwargs else None)
    if always_call:  # recorded like the module-level flag (neither runs hooks after an exception yet)
        _global_forward_hooks_always_called[handle.id] = True
        handle._dicts.append(weakref.ref(_global_forward_hooks_always_called))
    return handle


def _set_global_backward_kind(full):
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is (not full):
        raise RuntimeError(
            "Cannot use both regular backward hooks and full backward hooks as a "
            "global Module hook. Please use only one of them."
        )
    _global_is_full_backward_hook = full


def register_module_backward_hook(hook):
    """Deprecated: hooks on the last autograd node of each module's output (see
    Module.register_backward_hook)."""
    _set_global_backward_kind(False)
    return _add_hook(_global_backward_hooks, hook, False)


def register_module_full_backward_pre_hook(hook):
    return _add_hook(_global_backward_pre_hooks, hook, False)


def register_module_full_backward_hook(hook):
    _set_global_backward_kind(True)
    return _add_hook(_global_backward_hooks, hook, False)


def _registered(hooks, module, name, value):
    """``value`` as the global registration ``hooks`` replace it."""
    for hook in hooks.values():
        out = hook(module, name, value)
        if out is not None:
            value = out
    return value


class _BackwardHookFunction(Function):
    """Identity on tensors whose backward hands the incoming gradients to ``hook``."""

    @staticmethod
    def forward(ctx, hook, *tensors):
        ctx.hook = hook
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return (None, *ctx.hook(grads))


class _BackwardHookState:
    """One forward call's full backward (pre-)hooks, torch's ``BackwardHook``: gradients w.r.t.
    the outputs are seen first (pre-hooks may replace them), then those w.r.t. the inputs."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs = None
        self.input_index = None

    @staticmethod
    def _wrap(values, hook):
        index = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
        if not index or not (grad_mode.is_grad_enabled() and any(values[i]._requires_grad for i in index)):
            return values, None
        new = _BackwardHookFunction.apply(hook, *[values[i] for i in index])
        values = list(values)
        for i, t in zip(index, new):
            values[i] = t
        return tuple(values), index

    def _pack(self, index, grads, n):
        out = [None] * n
        for i, g in zip(index, grads):
            out[i] = g
        return tuple(out)

    def setup_inputs(self, args):
        self.n_inputs = len(args)
        args, self.input_index = self._wrap(args, self._input_hook)
        return args

    def setup_outputs(self, result):
        single = isinstance(result, Tensor)
        outs = (result,) if single else result
        if not isinstance(outs, tuple):
            return result
        self.n_outputs = len(outs)
        outs, self.output_index = self._wrap(outs, self._output_hook)
        return outs[0] if single else outs

    def _output_hook(self, grads):
        self.grad_outputs = self._pack(self.output_index, grads, self.n_outputs)
        for hook in self.pre_hooks:
            new = hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(self.grad_outputs):
                raise RuntimeError(
                    f"Backward pre hook returned an invalid number of grad_output, got {len(new)}, "
                    f"but expected {len(self.grad_outputs)}"
                )
            self.grad_outputs = new
        local = self.grad_outputs
        if self.input_index is None:
            if self.hooks:
                warnings.warn(
                    "Full backward hook is firing when gradients are computed with respect to module outputs since "
                    "no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                    "#torch.nn.Module.register_full_backward_hook for more details.",
                    stacklevel=5,
                )
            for hook in self.hooks:
                res = hook(self.module, (None,) * self.n_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should always "
                        "return None or None for all gradients."
                    )
            self.grad_outputs = None
        return tuple(local[i] for i in self.output_index)

    def _input_hook(self, grads):
        if self.grad_outputs is None:
            return grads
        res = self._pack(self.input_index, grads, self.n_inputs)
        for hook in self.hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError(
                    f"Backward hook returned an invalid number of grad_input, got {len(out)}, but "
                    f"expected {len(res)}"
                )
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_index)


def _attach_non_full_backward_hooks(module, args, result, hooks):
    """The deprecated ``register_backward_hook``: each hook becomes a hook of the autograd node
    that made the module's first output tensor, so it sees that node's gradients only; torch's
    FutureWarning says when that differs from the module's."""
    var = result
    while not isinstance(var, Tensor):
        var = next(v for v in var.values() if isinstance(v, Tensor)) if isinstance(var, dict) else var[0]
    grad_fn = var.grad_fn
    if grad_fn is None:
        return
    for hook in hooks:
        grad_fn.register_hook(lambda grad_input, grad_output, hook=hook: hook(module, grad_input, grad_output))
    problem = _non_full_hook_problem(args, result, grad_fn)
    if problem:
        warnings.warn(problem, FutureWarning, stacklevel=3)


def _tensor_tuple(x):
    x = (x,) if isinstance(x, Tensor) else x
    return x if isinstance(x, tuple) and all(isinstance(v, Tensor) for v in x) else None


_NOT_TENSORS = (
    "Using non-full backward hooks on a Module that does not {} a single Tensor or a tuple of Tensors is "
    "deprecated and will be removed in future versions. This hook will be missing some of the {}. Please "
    "use register_full_backward_hook to get the documented behavior."
)


def _non_full_hook_problem(inputs, result, grad_fn):
    """Why ``grad_fn``'s gradients are not the module's, in torch's words (None: they are)."""
    result, inputs = _tensor_tuple(result), _tensor_tuple(inputs)
    if result is None:
        return _NOT_TENSORS.format("return", "grad_output")
    if inputs is None:
        return _NOT_TENSORS.format("take as input", "grad_input")
    out_fns = {r.grad_fn for r in result if r.grad_fn is not None}
    if not out_fns or (len(out_fns) == 1 and grad_fn not in out_fns):
        return (
            "Using a non-full backward hook when outputs are nested in python data structure is deprecated "
            "and will be removed in future versions. This hook will be missing some grad_output."
        )
    if len(out_fns) > 1:
        return (
            "Using a non-full backward hook when outputs are generated by different autograd Nodes is "
            "deprecated and will be removed in future versions. This hook will be missing some grad_output. "
            "Please use register_full_backward_hook to get the documented behavior."
        )
    if {i.grad_fn for i in inputs if i.grad_fn is not None} != {n[0] for n in grad_fn.next_functions}:
        return (
            "Using a non-full backward hook when the forward contains multiple autograd Nodes is deprecated "
            "and will be removed in future versions. This hook will be missing some grad_input. Please use "
            "register_full_backward_hook to get the documented behavior."
        )
    return None
