"""How jtorch starts processes: multiprocessing's contexts, made safe for a process running jax.

Note [child processes]
----------------------
jax does not survive ``fork`` (Note [DataLoader workers] in jtorch/utils/data/_forkserver.py):
a child forked after jax started its runtime hangs in its first computation. torch forks by
default on Linux; jtorch never forks a process running jax. Every context here starts its
children from jtorch's forkserver, the server process the DataLoader's workers come from: it
has imported jtorch, started no jax runtime, and, when this process runs under ``python -m
jtorch``, aliases ``torch`` to jtorch, so a script's ``import torch`` gives jtorch in the child
as well.

- ``"forkserver"`` (jtorch's default, where torch's is ``"fork"``) and ``"spawn"`` both start
  children from that server; for the program they are alike: what a child is given is pickled
  (no lambdas, no classes local to a function), and the main script runs again in the child as
  ``__mp_main__``, so its top-level work belongs under ``if __name__ == "__main__":``. A child
  from the server starts in a fraction of a second, where a spawned interpreter would import
  jax and jtorch again and would not know the torch alias.
- ``"fork"`` is honoured while jax has not started in this process (no tensor made yet), and
  otherwise raises NotImplementedError rather than hang.
- Children run jax on the CPU only (the server's setting): N processes would otherwise each
  claim most of a GPU's memory. A CUDA tensor is not sent to a child (see _sharing.py).

The default context is jtorch's own: ``torch.multiprocessing.set_start_method`` sets it, and
Python's ``multiprocessing`` module keeps its own default, left as it is. Where there is no
forkserver (Windows), children are spawned by Python as they are there in torch.

Note [no shared memory]
-----------------------
A jtorch tensor is a jax array, and a jax array cannot be placed in memory shared between
processes. So a tensor sent to another process (an argument of ``Process`` or ``spawn``, an
item put on a Queue) arrives as a copy, where torch moves a CPU tensor's storage to shared
memory and both processes see one tensor: an in-place change made by a child is not seen by
its parent. ``Tensor.share_memory_`` raises NotImplementedError rather than let a program
that needs sharing (Hogwild training) run to a wrong result; results come back through a
Queue, a Pipe, a file or ``Pool.map``'s return values.
"""

import multiprocessing
import multiprocessing.context as _mp_context
import multiprocessing.process
import multiprocessing.reduction
import sys

_HAVE_FORKSERVER = sys.platform != "win32" and multiprocessing.reduction.HAVE_SEND_HANDLE
_DEFAULT_METHOD = "forkserver" if _HAVE_FORKSERVER else "spawn"


def _forkserver():
    from ..utils.data import _forkserver

    return _forkserver


def _start_from_server():
    """Make sure jtorch's forkserver runs (Note [child processes]), and that objects of
    classes defined in the running script unpickle here when a child sends them back."""
    server = _forkserver()
    server.worker_context(None)
    server._main_module_alias()


class Process(multiprocessing.process.BaseProcess):
    """multiprocessing.Process, started as jtorch's default context starts processes (Note
    [child processes]); subclass it or pass ``target``, as with Python's."""

    _start_method = None

    @staticmethod
    def _Popen(process_obj):
        return default_context.get_context().Process._Popen(process_obj)

    @staticmethod
    def _after_fork():
        return default_context.get_context().Process._after_fork()


class _JtorchContext:
    """A concrete context whose ``get_context(method)`` gives jtorch's contexts."""

    def get_context(self, method=None):
        return self if method is None else _concrete_context(method)


if sys.platform != "win32":

    class _ForkServerProcess(_mp_context.ForkServerProcess):
        @staticmethod
        def _Popen(process_obj):
            _start_from_server()
            return _mp_context.ForkServerProcess._Popen(process_obj)

    class _SpawnProcess(_ForkServerProcess):
        _start_method = "spawn"

    class _ForkProcess(_mp_context.ForkProcess):
        @staticmethod
        def _Popen(process_obj):
            _forkserver().refuse_fork_after_jax(
                "torch.multiprocessing",
                "a process",
                "the 'forkserver' (jtorch's default) or 'spawn' start method",
            )
            return _mp_context.ForkProcess._Popen(process_obj)

    class _ForkServerContext(_JtorchContext, _mp_context.ForkServerContext):
        Process = _ForkServerProcess

    class _SpawnContext(_JtorchContext, _mp_context.SpawnContext):
        Process = _SpawnProcess

    class _ForkContext(_JtorchContext, _mp_context.ForkContext):
        Process = _ForkProcess

    _CONTEXTS = {"fork": _ForkContext(), "spawn": _SpawnContext()}
    if _HAVE_FORKSERVER:
        _CONTEXTS["forkserver"] = _ForkServerContext()
else:
    _CONTEXTS = {"spawn": multiprocessing.get_context("spawn")}


def _concrete_context(method):
    try:
        ctx = _CONTEXTS[method]
    except KeyError:
        raise ValueError(f"cannot find context for {method!r}") from None
    ctx._check_available()
    return ctx


class DefaultContext(_mp_context.BaseContext):
    """multiprocessing's default context, with jtorch's contexts and jtorch's default start
    method (``"forkserver"``); see Note [child processes]."""

    Process = Process

    def __init__(self):
        self._actual_context = None

    def get_context(self, method=None):
        if method is not None:
            return _concrete_context(method)
        if self._actual_context is None:
            self._actual_context = _CONTEXTS[_DEFAULT_METHOD]
        return self._actual_context

    def set_start_method(self, method, force=False):
        if self._actual_context is not None and not force:
            raise RuntimeError("context has already been set")
        if method is None and force:
            self._actual_context = None
            return
        self._actual_context = self.get_context(method)

    def get_start_method(self, allow_none=False):
        if self._actual_context is None and allow_none:
            return None
        return self.get_context()._name

    def get_all_start_methods(self):
        methods = [m for m in multiprocessing.get_all_start_methods() if m in _CONTEXTS]
        return sorted(methods, key=lambda m: m != _DEFAULT_METHOD)  # the default first


default_context = DefaultContext()
