"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode.

One process-wide switch read by the op registry before it records a node. (torch keeps it per
thread; jtorch's DataLoader workers never record graphs, so one switch is enough.)
"""

import functools

_state = {"enabled": True, "inference": False}


def is_grad_enabled():
    return _state["enabled"]


def is_inference_mode_enabled():
    return _state["inference"]


class _Mode:
    """Base of the grad-mode context managers; also usable as decorators."""

    def _target(self):
        raise NotImplementedError

    def __enter__(self):
        self._prev = (_state["enabled"], _state["inference"])
        enabled, inference = self._target()
        _state["enabled"] = enabled
        _state["inference"] = inference

    def __exit__(self, *exc):
        _state["enabled"], _state["inference"] = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args()):
                return fn(*args, **kwargs)

        return wrapper

    def _args(self):
        return ()

    def clone(self):
        return self.__class__(*self._args())


class no_grad(_Mode):
    """Disable gradient recording inside the block (or the decorated function)."""

    def _target(self):
        return False, _state["inference"]


class enable_grad(_Mode):
    """Enable gradient recording inside the block, even under no_grad."""

    def _target(self):
        return True, _state["inference"]


class set_grad_enabled(_Mode):
    """Set grad mode on or off; works as a function call, a context manager or a decorator."""

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'mode' must be bool, not {type(mode).__name__}")
        self.mode = mode
        self._prev = (_state["enabled"], _state["inference"])
        _state["enabled"] = mode

    def _target(self):
        return self.mode, _state["inference"]

    def __enter__(self):
        pass

    def _args(self):
        return (self.mode,)

    def __call__(self, fn):
        # Constructing the decorator switched the mode; a decorator must not.
        _state["enabled"], _state["inference"] = self._prev
        return super().__call__(fn)


class inference_mode(_Mode):
    """Like no_grad; tensors made inside report ``is_inference() == True``."""

    def __init__(self, mode=True):
        self.mode = mode

    def _target(self):
        if not self.mode:
            return _state["enabled"], False
        return False, True

    def _args(self):
        return (self.mode,)
