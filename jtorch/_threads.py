"""torch.set_num_threads, get_num_threads, set_num_interop_threads, get_num_interop_threads.

XLA sizes its thread pools when jax starts, from the machine and ``XLA_FLAGS``
(``--xla_cpu_multi_thread_eigen=false`` keeps each op on one thread), and offers no way to
resize them afterwards. So these keep torch's checks and remember the numbers, which the
getters return; the computation, and every result, is the same whatever they are set to.
"""

import os

import numpy as np

from ._errors import check

_count = {"threads": None, "interop": None}


def _default():
    cpus = (
        os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1)
    )
    return max(1, len(cpus))


def _checked(name, n):
    ok = isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_))
    kind = (
        type(n).__name__
        if type(n).__module__ == "builtins"
        else f"{type(n).__module__}.{type(n).__name__}"
    )
    check(ok, RuntimeError, lambda: f"{name} expects an int, but got {kind}")
    check(n > 0, RuntimeError, f"{name} expects a positive integer")
    return int(n)


def set_num_threads(int):
    """torch.set_num_threads: the number of threads for intra-op parallelism on the CPU
    (remembered; XLA's pool keeps the size it started with)."""
    _count["threads"] = _checked("set_num_threads", int)


def get_num_threads():
    """torch.get_num_threads: the number last set, else the CPUs this process may use."""
    return _count["threads"] or _default()


def set_num_interop_threads(int):
    """torch.set_num_interop_threads: once per process, as in torch (remembered)."""
    n = _checked("set_num_interop_threads", int)
    check(
        _count["interop"] is None,
        RuntimeError,
        "Error: cannot set number of interop threads after parallel work has started or "
        "set_num_interop_threads called",
    )
    _count["interop"] = n


def get_num_interop_threads():
    """torch.get_num_interop_threads: the number set, else the CPUs this process may use."""
    return _count["interop"] or _default()
