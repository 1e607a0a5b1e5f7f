"""torch.nn: LazyModuleMixin."""

import itertools

from ...autograd import grad_mode
from ..parameter import is_lazy
from ._hooks import _add_hook

__all__ = ["LazyModuleMixin"]


class LazyModuleMixin:
    """torch.nn.modules.lazy.LazyModuleMixin: a module whose parameters and buffers are
    ``UninitializedParameter``/``UninitializedBuffer`` placeholders until the first forward.

    That forward runs ``initialize_parameters(*args, **kwargs)`` (from a forward pre-hook), which
    materializes them from the input's shape; the module then becomes ``cls_to_become`` (e.g.
    ``LazyLinear`` becomes ``Linear``) and its hooks are removed. Loading a state_dict into a
    lazy module materializes each placeholder with the loaded tensor's shape first. Its
    ``state_dict()`` holds the placeholders themselves.

    Put the mixin first among the bases: ``class LazyMLP(LazyModuleMixin, Module)``.
    """

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._load_hook = _add_hook(self._load_state_dict_pre_hooks, self._lazy_load_hook, False)
        self._initialize_hook = self.register_forward_pre_hook(
            self._infer_parameters, with_kwargs=True
        )

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        # as Module's, except that placeholders are stored as they are (never detached)
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = (
                    param if is_lazy(param) or keep_vars else param.detach()
                )
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if is_lazy(buf) or keep_vars else buf.detach()

    def _lazy_load_hook(
        self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
    ):
        """Materialize each placeholder that the state_dict holds a real tensor for."""
        for name, param in itertools.chain(self._parameters.items(), self._buffers.items()):
            key = prefix + name
            if key in state_dict and param is not None and is_lazy(param):
                value = state_dict[key]
                if not is_lazy(value):
                    with grad_mode.no_grad():
                        param.materialize(value.shape)

    def initialize_parameters(self, *args, **kwargs):
        """Materialize the placeholders from the first forward's arguments (per subclass)."""
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {self.__class__.__name__}"
        )

    def has_uninitialized_params(self):
        """Whether any parameter or buffer is still a placeholder."""
        return any(
            is_lazy(t) for t in itertools.chain(self._parameters.values(), self._buffers.values())
        )

    def _infer_parameters(self, module, args, kwargs=None):
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        module._load_hook.remove()
        delattr(module, "_initialize_hook")
        delattr(module, "_load_hook")
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _replicate_for_data_parallel(self):
        raise RuntimeError(
            "Modules with uninitialized parameters can't be used with `DataParallel`. "
            "Run a dummy forward pass to correctly initialize the modules"
        )
