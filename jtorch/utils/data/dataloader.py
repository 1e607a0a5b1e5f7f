"""torch.utils.data.DataLoader: batches from a dataset, in this process or in worker processes.

The loader checks its options as torch does and builds the same sampler chain (a
SequentialSampler or RandomSampler, grouped by a BatchSampler; an endless sampler for an
iterable dataset). Iterating makes an iterator: ``_SingleProcessDataLoaderIter`` fetches each
batch here, ``_MultiProcessingDataLoaderIter`` hands batches of keys round-robin to worker
processes (Note [DataLoader workers] in _forkserver.py) and gives the batches back in order.
"""

import atexit
import itertools
import math
import os
import pickle
import queue
import time
import warnings
from typing import Generic, TypeVar

from ... import _dtype, _lazy, cuda
from ..._ops.creation import empty
from . import _forkserver
from ._collate import default_collate, default_convert
from ._worker import (
    MP_STATUS_CHECK_INTERVAL,
    ExceptionWrapper,
    _DatasetKind,
    _IterableDatasetStopIteration,
    _ResumeIteration,
    _worker_loop,
    get_worker_info,
)
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

_T_co = TypeVar("_T_co", covariant=True)

# How long shutting down waits for a worker to exit before terminating it (seconds).
_JOIN_TIMEOUT = 5.0

_python_exiting = False


def _set_python_exiting():
    global _python_exiting
    _python_exiting = True


atexit.register(_set_python_exiting)


class _InfiniteConstantSampler(Sampler):
    """The sampler of an iterable dataset: ``None`` forever."""

    def __iter__(self):
        while True:
            yield None


def _check_counts(num_workers, timeout, prefetch_factor, persistent_workers):
    """torch's checks of the worker options; returns the effective ``prefetch_factor``."""
    if num_workers < 0:
        raise ValueError(
            "num_workers option should be non-negative; "
            "use num_workers=0 to disable multiprocessing."
        )
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError(
            "prefetch_factor option could only be specified in multiprocessing."
            "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
        )
    if num_workers > 0 and prefetch_factor is None:
        prefetch_factor = 2
    elif prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
    return prefetch_factor


def _check_iterable_options(shuffle, sampler, batch_sampler):
    if shuffle not in {False, None}:
        raise ValueError(
            "DataLoader with IterableDataset: expected unspecified shuffle option, "
            f"but got shuffle={shuffle}"
        )
    if sampler is not None:
        raise ValueError(
            "DataLoader with IterableDataset: expected unspecified sampler option, "
            f"but got sampler={sampler}"
        )
    if batch_sampler is not None:
        raise ValueError(
            "DataLoader with IterableDataset: expected unspecified "
            f"batch_sampler option, but got batch_sampler={batch_sampler}"
        )


def _check_batching(shuffle, sampler, batch_sampler, batch_size, drop_last):
    """torch's checks of the batching options; returns ``(batch_size, drop_last)``."""
    if sampler is not None and shuffle:
        raise ValueError("sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None:
        if batch_size != 1 or shuffle or sampler is not None or drop_last:
            raise ValueError(
                "batch_sampler option is mutually exclusive "
                "with batch_size, shuffle, sampler, and "
                "drop_last"
            )
        return None, False
    if batch_size is None and drop_last:
        raise ValueError(
            "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"
        )
    return batch_size, drop_last


class DataLoader(Generic[_T_co]):
    """torch.utils.data.DataLoader: an iterable over batches of ``dataset``.

    Args:
        dataset (Dataset): map-style or iterable-style dataset to load from.
        batch_size (int, optional): samples per batch (default 1); ``None`` turns off
            automatic batching.
        shuffle (bool, optional): reshuffle at every epoch (default False).
        sampler (Sampler or Iterable, optional): the order of keys; excludes ``shuffle``.
        batch_sampler (Sampler or Iterable, optional): yields lists of keys; excludes
            ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``.
        num_workers (int, optional): worker processes (default 0: load in this process).
        collate_fn (Callable, optional): makes a batch from a list of samples (default
            ``default_collate``, or ``default_convert`` without automatic batching).
        pin_memory (bool, optional): accepted; a no-op (see below).
        drop_last (bool, optional): drop the last incomplete batch (default False).
        timeout (numeric, optional): if positive, seconds to wait for a batch from the
            workers before raising (default 0: wait as long as the workers live).
        worker_init_fn (Callable, optional): called in each worker with its id, after seeding
            and before loading.
        multiprocessing_context (str or context, optional): how workers are started.
        generator (Generator, optional): draws the RandomSampler's order and the workers'
            ``base_seed``.
        prefetch_factor (int, optional): batches loaded in advance per worker (default 2
            with workers).
        persistent_workers (bool, optional): keep the workers between epochs.
        pin_memory_device (str, optional): deprecated, as in torch.
        in_order (bool, optional): with workers, give batches back in order (default True).

    Each worker seeds ``random``, jtorch and numpy from ``base_seed + worker_id`` as torch does
    (``torch.initial_seed()`` in a worker is that seed); ``get_worker_info()`` describes it.

    Differences from torch: workers are started with the ``forkserver`` method rather than
    ``fork``, because jax cannot run in a forked process: what is sent to workers must be
    picklable and a script's top-level code must sit under ``if __name__ == "__main__":``, as
    with torch on macOS, Windows or Python 3.14+; workers run jax on the CPU only; see Note
    [DataLoader workers] in _forkserver.py. ``pin_memory`` pins nothing (jax manages host
    memory); it warns as torch does when no accelerator is present. The shuffled order and the
    workers' seeds are drawn as torch draws them, so a seed gives torch's numbers.
    """

    __initialized = False

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle=None,
        sampler=None,
        batch_sampler=None,
        num_workers=0,
        collate_fn=None,
        pin_memory=False,
        drop_last=False,
        timeout=0,
        worker_init_fn=None,
        multiprocessing_context=None,
        generator=None,
        *,
        prefetch_factor=None,
        persistent_workers=False,
        pin_memory_device="",
        in_order=True,
    ):
        prefetch_factor = _check_counts(num_workers, timeout, prefetch_factor, persistent_workers)
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            _check_iterable_options(shuffle, sampler, batch_sampler)
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map
        batch_size, drop_last = _check_batching(
            shuffle, sampler, batch_sampler, batch_size, drop_last
        )
        if sampler is None:
            sampler = self._default_sampler(shuffle, generator)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self.__initialized = True
        self._IterableDataset_len_called = None
        self._iterator = None
        self.check_worker_number_rationality()

    def _default_sampler(self, shuffle, generator):
        if self._dataset_kind == _DatasetKind.Iterable:
            return _InfiniteConstantSampler()
        if shuffle:
            return RandomSampler(self.dataset, generator=generator)
        return SequentialSampler(self.dataset)

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, multiprocessing_context):
        if multiprocessing_context is not None:
            multiprocessing_context = _checked_context(multiprocessing_context, self.num_workers)
        self.__multiprocessing_context = multiprocessing_context

    def __setattr__(self, attr, val):
        if self.__initialized and attr in (
            "batch_size",
            "batch_sampler",
            "sampler",
            "drop_last",
            "dataset",
            "persistent_workers",
        ):
            raise ValueError(
                f"{attr} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(attr, val)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if self._dataset_kind != _DatasetKind.Iterable:
            return len(self._index_sampler)
        # Remembered, to warn if the iterator yields more (see _BaseDataLoaderIter.__next__).
        length = self._IterableDataset_len_called = len(self.dataset)
        if self.batch_size is not None:
            if self.drop_last:
                return length // self.batch_size
            return math.ceil(length / self.batch_size)
        return length

    def check_worker_number_rationality(self):
        """Warn, as torch does, when there are more workers than CPUs this process may use."""
        if not self.num_workers:
            return
        affinity = hasattr(os, "sched_getaffinity")
        suggested = len(os.sched_getaffinity(0)) if affinity else os.cpu_count()
        if suggested is not None and self.num_workers <= suggested:
            return
        if suggested is None:
            advice = (
                "DataLoader is not able to compute a suggested max number of worker in "
                "current system."
            )
        else:
            advice = (
                f"Our suggested max number of worker in current system is {suggested}"
                f"{'' if affinity else ' (`cpuset` is not taken into account)'}, which is "
                "smaller than what this DataLoader is going to create."
            )
        warnings.warn(
            f"This DataLoader will create {self.num_workers} worker processes in total. "
            f"{advice} Please be aware that excessive worker creation might get DataLoader "
            "running slow or even freeze, lower the worker number to avoid potential "
            "slowness/freeze if necessary.",
            stacklevel=2,
        )


def _checked_context(context, num_workers):
    """``multiprocessing_context`` as torch validates it: a start method's name becomes its
    context; anything else must be a context object, and only with workers."""
    import multiprocessing

    if num_workers <= 0:
        raise ValueError(
            "multiprocessing_context can only be used with "
            "multi-process loading (num_workers > 0), but got "
            f"num_workers={num_workers}"
        )
    if isinstance(context, str):
        methods = multiprocessing.get_all_start_methods()
        if context not in methods:
            raise ValueError(
                "multiprocessing_context option "
                f"should specify a valid start method in {methods!r}, but got "
                f"multiprocessing_context={context!r}"
            )
        context = multiprocessing.get_context(context)
    if not isinstance(context, multiprocessing.context.BaseContext):
        raise TypeError(
            "multiprocessing_context option should be a valid context "
            "object or a string specifying the start method, but got "
            f"multiprocessing_context={context}"
        )
    return context


class _BaseDataLoaderIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._pin_memory = False  # see "Differences from torch" in DataLoader
        _warn_pin_memory(loader)
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        seed = empty((), dtype=_dtype.int64).random_(generator=loader.generator)
        self._base_seed = seed.item()
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (
            self._dataset_kind == _DatasetKind.Iterable
            and self._IterableDataset_len_called is not None
            and self._num_yielded > self._IterableDataset_len_called
        ):
            warn_msg = (
                f"Length of IterableDataset {self._dataset} was reported to be "
                f"{self._IterableDataset_len_called}(when accessing len(dataloader)), but "
                f"{self._num_yielded} samples have been fetched. "
            )
            if self._num_workers > 0:
                warn_msg += (
                    "For multiprocessing data-loading, this could be caused by not properly "
                    "configuring the IterableDataset replica at each worker. Please see "
                    "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset "
                    "for examples."
                )
            warnings.warn(warn_msg, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError("{} cannot be pickled", type(self).__name__)


def _warn_pin_memory(loader):
    if loader.pin_memory and loader.pin_memory_device:
        warnings.warn(
            "pin_memory_device is deprecated, the current accelerator will be used as the "
            f"device,ignore pin_memory_device='{loader.pin_memory_device}'.",
            stacklevel=3,
        )
    if loader.pin_memory and not cuda.is_available():
        warnings.warn(
            "'pin_memory' argument is set as true but no accelerator is found, "
            "then device pinned memory won't be used.",
            stacklevel=3,
        )


# Note [eager batches]: in lazy mode (``python -m jtorch``) a batch is fetched eagerly, not
# recorded into the training step's graph. Its ops are dispatched to XLA at once and run while
# the script goes on, so the batch is ready, or nearly, when the step needs it; recorded, they
# would run only when something read them, and a loss function's check of the class indices
# reads the targets first thing in the step, which ran the batch's calls as a small program of
# their own and waited for it. On benchmarks/scripts/mnist_mlp.py (a TensorDataset, 2 cores)
# a lazy step went from 2.9 to 1.9 ms; with a Dataset whose ``__getitem__`` returns
# ``x[i], y[i]``, from 6.0 to 4.8 ms. Results are the same: the same ops on the same values.


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._dataset_fetcher = _DatasetKind.create_fetcher(
            self._dataset_kind,
            self._dataset,
            self._auto_collation,
            self._collate_fn,
            self._drop_last,
        )

    def _next_data(self):
        index = self._next_index()
        with _lazy.paused():  # Note [eager batches]
            return self._dataset_fetcher.fetch(index)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Batches from worker processes.

    Task ``i`` (a batch of keys) goes to the next worker in turn, at most ``prefetch_factor``
    tasks per worker ahead of the consumer; answers come back on one result queue, possibly
    out of order, and are kept until their turn (``in_order``). Waiting for an answer polls the
    queue every MP_STATUS_CHECK_INTERVAL and checks that the workers still live, so a worker
    that dies raises RuntimeError instead of hanging. A worker whose iterable dataset is
    exhausted says so and gets no more tasks; the epoch ends when no task is left.
    """

    _shutdown = True  # until there are workers to shut down

    def __init__(self, loader):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._num_workers <= 0:
            raise AssertionError(
                "num_workers must be greater than 0 for MultiProcessingDataLoaderIter"
            )
        if self._prefetch_factor <= 0:
            raise AssertionError(
                "prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter"
            )
        self._workers = []
        self._index_queues = []
        context = _forkserver.worker_context(loader.multiprocessing_context)
        self._worker_result_queue = context.Queue()
        self._data_queue = self._worker_result_queue
        self._workers_done_event = context.Event()
        self._workers_status = [True] * self._num_workers
        self._shutdown = False
        _forkserver._main_module_alias()
        for worker_id in range(self._num_workers):
            self._start_worker(context, loader.worker_init_fn, worker_id)
        self._reset(loader, first_iter=True)

    def _start_worker(self, context, worker_init_fn, worker_id):
        index_queue = context.Queue()
        index_queue.cancel_join_thread()
        args = (
            self._dataset_kind,
            self._dataset,
            index_queue,
            self._worker_result_queue,
            self._workers_done_event,
            self._auto_collation,
            self._collate_fn,
            self._drop_last,
            self._base_seed,
            worker_init_fn,
            worker_id,
            self._num_workers,
        )
        worker = context.Process(target=_worker_loop, args=args, daemon=True)
        try:
            worker.start()
        except (TypeError, AttributeError, pickle.PicklingError):
            warnings.warn(
                "Got pickle error when attempting to start a worker Process. This might be "
                "because the worker Process arguments are not picklable. jtorch starts "
                "DataLoader workers with the 'forkserver' method (jax cannot run in a forked "
                "process), which requires the worker Process arguments to be picklable.",
                stacklevel=5,
            )
            self._shutdown_workers()
            raise
        self._index_queues.append(index_queue)
        self._workers.append(worker)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0  # the next task to send
        self._rcvd_idx = 0  # the next task to give back
        # task -> (worker,) while outstanding, (worker, answer) once answered out of order
        self._task_info = {}
        self._tasks_outstanding = 0
        # Whether each worker still has work this epoch (False once its iterable is exhausted).
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            for index_queue in self._index_queues:
                index_queue.put(_ResumeIteration())
            resumed = 0
            while resumed < self._num_workers:
                answer, _ = self._get_data()
                if isinstance(answer, _ResumeIteration):
                    resumed += 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_get_data(self, timeout=MP_STATUS_CHECK_INTERVAL):
        """``(True, answer)``, or ``(False, None)`` after ``timeout`` seconds; raises
        RuntimeError if a worker that still had work has died."""
        try:
            return True, self._data_queue.get(timeout=timeout)
        except Exception as e:
            failed = [
                w
                for worker_id, w in enumerate(self._workers)
                if self._workers_status[worker_id] and not w.is_alive()
            ]
            for w in failed:
                self._mark_worker_as_unavailable(self._workers.index(w))
            if failed:
                pids = ", ".join(str(w.pid) for w in failed)
                raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly") from e
            if isinstance(e, queue.Empty):
                return False, None
            raise

    def _get_data(self):
        if self._timeout <= 0:
            while True:
                success, data = self._try_get_data()
                if success:
                    return data
        deadline = time.monotonic() + self._timeout
        while (remaining := deadline - time.monotonic()) > 0:
            success, data = self._try_get_data(min(remaining, MP_STATUS_CHECK_INTERVAL))
            if success:
                return data
        raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")

    def _advance_to_pending_task(self):
        """Move ``_rcvd_idx`` past tasks whose worker ended without answering; False when no
        task is left."""
        while self._rcvd_idx < self._send_idx:
            info = self._task_info.get(self._rcvd_idx)
            if info:
                if len(info) == 2 or self._workers_status[info[0]]:
                    return True
                del self._task_info[self._rcvd_idx]
            self._rcvd_idx += 1
        return False

    def _next_data(self):
        while True:
            if not self._advance_to_pending_task():
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if isinstance(data, _IterableDatasetStopIteration):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    return self._process_data(data, self._task_info.pop(idx)[0])
                self._task_info[idx] += (data,)
                continue
            worker_id = self._task_info.pop(idx)[0]
            self._rcvd_idx += 1
            return self._process_data(data, worker_id)

    def _try_put_index(self):
        """Send the next batch of keys to the next worker that still has work, if any."""
        try:
            index = self._next_index()
        except StopIteration:
            return
        max_tasks = self._prefetch_factor * self._num_workers
        for _ in range(self._num_workers):
            worker_id = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_id] and (
                self._in_order
                or self._workers_num_tasks[worker_id] < max_tasks // sum(self._workers_status)
            ):
                break
        else:
            return
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._workers_num_tasks[worker_id] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data, worker_id):
        self._workers_num_tasks[worker_id] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data.load()

    def _mark_worker_as_unavailable(self, worker_id, shutdown=False):
        """Tell worker ``worker_id`` to exit (it is joined at shutdown)."""
        self._index_queues[worker_id].put(None)
        self._workers_status[worker_id] = False

    def _shutdown_workers(self):
        """Stop the workers: set the done event, send each a final None, join them (and
        terminate one that does not exit). When the iterator is collected as part of a
        reference cycle, the index queues may already be finalized and the None never sent,
        so workers also stop once the done event is set and their queue is empty."""
        if _python_exiting or self._shutdown:
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for worker_id in range(len(self._workers)):
                if self._persistent_workers or self._workers_status[worker_id]:
                    self._mark_worker_as_unavailable(worker_id, shutdown=True)
            for w in self._workers:
                w.join(timeout=_JOIN_TIMEOUT)
            for index_queue in self._index_queues:
                index_queue.cancel_join_thread()
                index_queue.close()
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=_JOIN_TIMEOUT)

    def __del__(self):
        self._shutdown_workers()
