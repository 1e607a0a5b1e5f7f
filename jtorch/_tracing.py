"""What a compiled call's trace in progress sees (Note [compiled calls] in jtorch/_compile.py).

Kept apart from _compile.py so that ops can ask whether a value is traced, and defer a check
that needs it on the host, without importing the compiler.
"""

import functools
import sys
import weakref

import jax
import jax.numpy as jnp


class Tracing:
    """What the trace in progress touches, and how to put back what it changed."""

    active = None

    def __init__(self, traced, discovering=False):
        # the storages standing on traced values, and their state to put back
        self.traced = {id(t._storage): (t._storage, _state(t._storage)) for t in traced}
        # tensors made after this one are the trace's own
        self.first_born = sys.modules["jtorch.tensor"].births[0]
        self.seen = {}  # id(storage) -> (tensor, its storage's state): touched from outside
        self.grads = {}  # id(tensor) -> (tensor, .grad, version) before the trace
        self.guards = []  # (fn, value): Python values read (Note [compiled calls])
        self.checks = []  # (any bad, first bad value, exception type, message): ``deferred``
        self.ran_backward = False
        self.born = weakref.WeakSet()  # the tensors it makes
        self.discovering = discovering  # an eager call that notes what it touches
        self.host_reads = 0  # item(), printing...: the code needs values in Python
        self.draws = 0  # random draws

    def note(self, tensor):
        """Called by ``Tensor._value`` and ``_write_value`` while this trace is active."""
        st = tensor._storage
        if tensor._born >= self.first_born:
            return
        if id(tensor) not in self.grads:
            self.grads[id(tensor)] = (tensor, tensor._grad, tensor._vc[0])
        if id(st) in self.traced or id(st) in self.seen:
            return
        if not isinstance(st.array, jax.core.Tracer):
            self.seen[id(st)] = (tensor, _state(st))

    def restore(self):
        """Put back the storages it swapped or touched, and the gradients and versions."""
        for st, state in self.traced.values():
            st.array, st.host, st.version = state
        for t, state in self.seen.values():
            t._storage.array, t._storage.host, t._storage.version = state
        for t, grad, version in self.grads.values():
            t._grad, t._vc[0] = grad, version


def _state(storage):
    return storage.array, storage.host, storage.version


def traced(array):
    """Whether ``array`` (a tensor's value) is a traced value: a check that needs it on the host
    must be ``deferred`` instead."""
    return isinstance(array, jax.core.Tracer)


def deferred(bad, values, exc_type, message):
    """A check inside a trace, made after the program ran and before anything it wrote is put
    back: ``bad`` (traced bools) marks offending elements of ``values``; when there is one,
    the call raises ``exc_type(message(first offending value))``, as eager mode would."""
    flat_bad, flat = bad.reshape(-1), values.reshape(-1)
    first = flat[jnp.argmax(flat_bad)] if flat.size else jnp.zeros((), flat.dtype)
    Tracing.active.checks.append((flat_bad.any(), first, exc_type, message))


def guard(fn, *args):
    """Make the trace in progress, if any, depend on ``fn(*args)`` (a hashable view of Python
    values it read): a compiled call whose snapshot differs traces again. Outside a trace this
    costs no more than the call (hot paths call it on every step)."""
    if Tracing.active is not None:
        snapshot = functools.partial(fn, *args)
        Tracing.active.guards.append((snapshot, snapshot()))
