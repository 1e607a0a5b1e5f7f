"""Datasets and functions that test_data_workers.py sends to DataLoader worker processes.

jtorch's workers are not forked (Note [DataLoader workers] in jtorch/utils/data/_forkserver.py):
they import this module to unpickle what they are sent, so it imports neither torch nor
pytest, and each object names its library (``"torch"`` or ``"jtorch"``) and imports it when
used.
"""

import builtins
import importlib
import os
import random
import time

import numpy as np


def lib_of(name):
    return importlib.import_module(name)


def worker_info(lib_name):
    return lib_of(lib_name).utils.data.get_worker_info()


class Squares:
    """Map-style: sample ``i`` is ``(float tensor i, int tensor i*i, {"i": i, "name": "s<i>"})``."""

    def __init__(self, lib_name, n):
        self.lib_name, self.n = lib_name, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        lib = lib_of(self.lib_name)
        return lib.tensor(float(i)), lib.tensor(i) ** 2, {"i": i, "name": f"s{i}"}


class TensorsOf(Squares):
    """A TensorDataset built in the main process and pickled to the workers."""

    def __init__(self, lib_name, n):
        super().__init__(lib_name, n)
        lib = lib_of(lib_name)
        self.inner = lib.utils.data.TensorDataset(lib.arange(n) * 1.5, lib.arange(2 * n).view(n, 2))

    def __getitem__(self, i):
        return self.inner[i]


class WhoAmI(Squares):
    """Sample ``i``: ``i``, then what the worker knows about itself: its id, the number of
    workers, its seed, the library's ``initial_seed()``, the dataset copy's type and mark (set
    by ``mark_worker``), the process id, draws of ``random`` and ``numpy.random``, and the
    parent process's id."""

    def __getitem__(self, i):
        lib = lib_of(self.lib_name)
        info = lib.utils.data.get_worker_info()
        return (
            i,
            info.id,
            info.num_workers,
            info.seed,
            lib.initial_seed(),
            type(info.dataset).__name__,
            getattr(info.dataset, "mark", -1),
            os.getpid(),
            random.random(),
            float(np.random.rand()),
            os.getppid(),
        )


def mark_worker(lib_name, worker_id):
    """A ``worker_init_fn`` (through functools.partial): marks this worker's dataset copy."""
    info = worker_info(lib_name)
    info.dataset.mark = (worker_id, info.seed == lib_of(lib_name).initial_seed())


def fail_init(worker_id):
    raise ValueError(f"init of worker {worker_id} failed")


def collate_sum(lib_name, batch):
    """A ``collate_fn`` (through functools.partial): the sum of a batch of Squares' samples."""
    lib = lib_of(lib_name)
    return {"sum": lib.stack([s[0] for s in batch]).sum(), "n": len(batch)}


class Failing(Squares):
    """Raises ``error`` (a builtin exception's name) at sample ``bad``; exits the process
    when ``error`` is ``"exit"``; sleeps ``delay`` seconds there when ``error`` is ``"sleep"``."""

    def __init__(self, lib_name, n, bad, error, delay=0.0):
        super().__init__(lib_name, n)
        self.bad, self.error, self.delay = bad, error, delay

    def __getitem__(self, i):
        if i == self.bad:
            if self.error == "exit":
                os._exit(3)
            if self.error == "sleep":
                time.sleep(self.delay)
            elif self.error == "KeyError":
                return {}["missing key"]
            else:
                raise getattr(builtins, self.error)(f"bad sample {i}")
        return super().__getitem__(i)


_SHARDED = {}


def sharded(lib_name, start, end, shard=True, length=None):
    """An IterableDataset of ``lib_name`` over ``range(start, end)``, split between workers by
    ``get_worker_info()`` as torch's documentation shows (every worker yields it all when not
    ``shard``); with ``__len__`` when ``length`` is given."""
    if lib_name not in _SHARDED:
        _SHARDED[lib_name] = _sharded_class(lib_of(lib_name))
    return _SHARDED[lib_name](lib_name, start, end, shard, length)


def _sharded_class(lib):
    class Sharded(lib.utils.data.IterableDataset):
        def __init__(self, lib_name, start, end, shard, length):
            self.args = (lib_name, start, end, shard, length)

        def __reduce__(self):  # rebuilt through sharded(): the class is made per library
            return sharded, self.args

        def __repr__(self):
            return f"Sharded{self.args[1:]}"

        def __len__(self):
            if self.args[4] is None:
                raise TypeError("no length")
            return self.args[4]

        def __iter__(self):
            _, start, end, shard, _ = self.args
            info = lib.utils.data.get_worker_info()
            if shard and info is not None:
                per_worker = -(-(end - start) // info.num_workers)
                start = start + info.id * per_worker
                end = min(start + per_worker, end)
            return (lib.tensor(i) for i in range(start, end))

    return Sharded
