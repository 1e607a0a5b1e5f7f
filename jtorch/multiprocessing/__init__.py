"""torch.multiprocessing: Python's multiprocessing API, plus ``spawn``/``start_processes`` and
torch's sharing-strategy settings. ``import torch.multiprocessing as mp`` works as in torch:
``mp.Process``, ``mp.Queue``, ``mp.Pool``, ``mp.get_context``, ``mp.set_start_method``,
``mp.spawn(fn, args=(), nprocs=1)`` ...

Differences from torch:

- Tensors are not shared between processes. A tensor sent to another process (an argument of
  ``Process`` or ``spawn``, an item on a Queue) arrives as a copy, so an in-place change made by
  a child is not seen by its parent, where torch would have moved it to shared memory and
  both would see the change. ``Tensor.share_memory_`` raises NotImplementedError (Note [no
  shared memory] in _context.py). Send results back through a Queue, a Pipe or a return value.
- Processes are never forked from a process running jax (jax does not survive ``fork``): the
  default start method is ``"forkserver"``, not ``"fork"``; ``"spawn"`` and ``"forkserver"``
  children both come from jtorch's server process, run jax on the CPU only, and under
  ``python -m jtorch`` see ``torch`` as jtorch; ``"fork"`` is refused once jax has started
  (Note [child processes] in _context.py). So what a child is given must pickle, and a script's
  top-level work belongs under ``if __name__ == "__main__":``, as torch asks on macOS/Windows.
- ``set_start_method`` sets jtorch's default context; Python's own ``multiprocessing`` module
  keeps its default. A CUDA tensor cannot be sent to a child.
"""

import multiprocessing as _multiprocessing

from . import _context, _sharing
from ._context import Process  # noqa: F401 - bound below as well, like the other names
from ._sharing import get_all_sharing_strategies, get_sharing_strategy, set_sharing_strategy
from .spawn import (  # noqa: F401 - public, though outside torch's __all__
    ProcessContext,
    ProcessExitedException,
    ProcessRaisedException,
    SpawnContext,
    spawn,
    start_processes,
)

__all__ = ["get_all_sharing_strategies", "get_sharing_strategy", "set_sharing_strategy"]

# Everything else Python's multiprocessing exports (Array, Event, Lock, Manager, Pipe, Pool,
# Queue, SimpleQueue, Value, cpu_count, current_process, get_context, get_start_method,
# set_start_method, ...), bound to jtorch's default context as Python binds them to its own.
globals().update(
    (name, getattr(_context.default_context, name)) for name in _multiprocessing.__all__
)
__all__ += _multiprocessing.__all__

_sharing.init_reductions()
