"""What a DataLoader runs to load one batch, in its own process or in a worker process
(torch.utils.data._utils.{fetch,worker}): the fetchers, the worker loop, ``get_worker_info``,
the per-worker seeds, and the wrapper that carries a worker's exception to the main process.
"""

import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

# How often (seconds) a process waiting on another checks that the other is still alive.
MP_STATUS_CHECK_INTERVAL = 0.2


# ---- fetching a batch -------------------------------------------------------------------------


class _DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        fetcher = _MapDatasetFetcher if kind == _DatasetKind.Map else _IterableDatasetFetcher
        return fetcher(dataset, auto_collation, collate_fn, drop_last)


class _MapDatasetFetcher:
    """Samples by key: a list of keys gives a collated batch (through the dataset's
    ``__getitems__`` when it has one), a single key (no auto-collation) one converted sample."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, possibly_batched_index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[possibly_batched_index])
        if getattr(self.dataset, "__getitems__", None):
            data = self.dataset.__getitems__(possibly_batched_index)
        else:
            batch = _tensor_dataset_batch(self.dataset, possibly_batched_index, self.collate_fn)
            if batch is not None:
                return batch
            data = [self.dataset[idx] for idx in possibly_batched_index]
        return self.collate_fn(data)


def _tensor_dataset_batch(dataset, indices, collate_fn):
    """``default_collate([dataset[i] for i in indices])`` for a TensorDataset, as one
    ``index_select`` per tensor; None where that might differ from sample-by-sample collation.

    Note [TensorDataset batches]: sample ``i`` of a TensorDataset is ``tuple(t[i] for t in
    tensors)``, and default_collate stacks each field and returns the fields as a list. Stacking
    rows ``t[i]`` gives the rows ``t.index_select(0, indices)`` gives, with the same dtype and
    device, in one op instead of one per sample (on jax, a DataLoader batch of 64 MNIST samples
    took 5-7 ms sample by sample). It applies only where nothing could tell the difference: the
    dataset's ``__getitem__`` is TensorDataset's, the collate function is default_collate with
    its tensor rule unchanged, the keys are ints in range (out-of-range keys take the sample path,
    which raises torch's error at the right sample) and no tensor requires grad (a stacked batch
    would have a StackBackward0 ``grad_fn``).
    """
    from ... import _dtype
    from ..._ops.creation import tensor
    from ._collate import collate_tensor_fn, default_collate, default_collate_fn_map
    from .dataset import TensorDataset

    if (
        type(dataset).__getitem__ is not TensorDataset.__getitem__
        or collate_fn is not default_collate
        or not isinstance(indices, list)
        or not indices
        or any(type(i) is not int for i in indices)
    ):
        return None
    from ...tensor import Tensor

    if default_collate_fn_map.get(Tensor) is not collate_tensor_fn:
        return None
    tensors = dataset.tensors
    if not tensors or any(type(t) is not Tensor or t._requires_grad for t in tensors):
        return None
    n = tensors[0].size(0)
    if not (-n <= min(indices) and max(indices) < n):
        return None
    if min(indices) < 0:  # t[-1] is the last row; index_select takes no negative index
        indices = [i + n if i < 0 else i for i in indices]
    index = tensor(indices, dtype=_dtype.int64)
    return [t.index_select(0, index.to(t.device)) for t in tensors]


class _IterableDatasetFetcher(_MapDatasetFetcher):
    """Samples from the dataset's iterator, as many as the batch of keys is long; raises
    StopIteration when the stream has ended (or, with ``drop_last``, ends inside a batch)."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in possibly_batched_index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(possibly_batched_index)):
            raise StopIteration
        return self.collate_fn(data)


# ---- worker information and seeds -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """Information about the current DataLoader worker process: ``id`` (0 to num_workers - 1),
    ``num_workers``, ``seed`` (this worker's seed, base_seed + id) and ``dataset`` (this
    process's copy of the dataset)."""

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str = "multiprocessing"


_worker_info = None


def get_worker_info():
    """torch.utils.data.get_worker_info: this worker's ``WorkerInfo`` inside a DataLoader
    worker process, ``None`` in the main process."""
    return _worker_info


_MASK32 = 0xFFFFFFFF


def _hash_stream(init, mult):
    """A 32-bit hash whose multiplier advances at each call (numpy SeedSequence's hashmix)."""
    state = [init]

    def hashmix(value):
        value = (value ^ state[0]) & _MASK32
        state[0] = (state[0] * mult) & _MASK32
        value = (value * state[0]) & _MASK32
        return (value ^ (value >> 16)) & _MASK32

    return hashmix


def _mix(x, y):
    result = ((0xCA01F9DD * x) - (0x4973F715 * y)) & _MASK32
    return (result ^ (result >> 16)) & _MASK32


def _generate_state(base_seed, worker_id):
    """The 4 x 32-bit numpy seed of a worker, as torch derives it from ``base_seed`` and the
    worker id (numpy's SeedSequence mixing, so numpy's stream differs from ``random``'s)."""
    entropy = [worker_id, base_seed & _MASK32, base_seed >> 32, 0]
    hash_a = _hash_stream(0x43B0D7E5, 0x931E8875)
    pool = [hash_a(value) for value in entropy]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                pool[dst] = _mix(pool[dst], hash_a(pool[src]))
    hash_b = _hash_stream(0x8B51F9DD, 0x58F38DED)
    return [hash_b(value) for value in pool]


def _seed_worker(base_seed, worker_id):
    """Seed ``random``, jtorch and numpy as torch seeds a worker; returns the worker's seed."""
    from ... import _random

    seed = base_seed + worker_id
    random.seed(seed)
    _random.manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))
    return seed


# ---- carrying a worker's exception ------------------------------------------------------------


class KeyErrorMessage(str):
    """A str whose repr is itself, so a KeyError's multi-line message prints readably."""

    __slots__ = ()

    def __repr__(self):
        return self


class ExceptionWrapper:
    """The exception being handled, with its traceback as text, to be raised again in another
    process as ``Caught <type> <where>.\\nOriginal Traceback (most recent call last): ...``."""

    def __init__(self, exc_info=None, where="in background"):
        exc_info = sys.exc_info() if exc_info is None else exc_info
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:  # noqa: BLE001 - a type that cannot be built from one message
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            del exception  # no cycle through this frame: the loader's iterator is freed at once


# ---- the worker process -----------------------------------------------------------------------


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """A worker's answer once its copy of an iterable dataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch (and echoed back)."""

    seed: object = None


class _Payload:
    """A batch pickled inside the worker's own error handling, so that a batch that cannot
    be pickled is reported like any other worker error instead of being lost in the queue."""

    def __init__(self, data):
        self.data = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)

    def load(self):
        return pickle.loads(self.data)


def _setup(dataset, worker_id, num_workers, base_seed, init_fn, fetcher_args):
    """Seed, publish the worker info, run ``init_fn``, make the fetcher: the fetcher, or the
    wrapped exception to answer the first request with."""
    global _worker_info
    seed = _seed_worker(base_seed, worker_id)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
    try:
        if init_fn is not None:
            init_fn(worker_id)
        return _DatasetKind.create_fetcher(fetcher_args[0], dataset, *fetcher_args[1:]), None
    except Exception:  # noqa: BLE001 - reported to the main process
        return None, ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")


def _fetch(fetcher, index, kind, worker_id):
    """One answer for one request: the pickled batch, the end of the stream, or the error."""
    try:
        return _Payload(fetcher.fetch(index)), False
    except StopIteration:
        if kind == _DatasetKind.Iterable:
            return _IterableDatasetStopIteration(worker_id), True
        return ExceptionWrapper(where=f"in DataLoader worker process {worker_id}"), False
    except Exception:  # noqa: BLE001 - reported to the main process
        return ExceptionWrapper(where=f"in DataLoader worker process {worker_id}"), False


def _worker_loop(
    dataset_kind,
    dataset,
    index_queue,
    data_queue,
    done_event,
    auto_collation,
    collate_fn,
    drop_last,
    base_seed,
    init_fn,
    worker_id,
    num_workers,
):
    """A worker process: answer each ``(task index, keys)`` from ``index_queue`` with
    ``(task index, batch)`` on ``data_queue`` until told to stop (``None``) or until the main
    process is gone. See Note [DataLoader workers] in dataloader.py."""
    fetcher_args = (dataset_kind, auto_collation, collate_fn, drop_last)
    fetcher, init_error = _setup(dataset, worker_id, num_workers, base_seed, init_fn, fetcher_args)
    iteration_end = False
    import multiprocessing  # here: importing it early would alias __mp_main__ too soon

    parent = multiprocessing.parent_process()
    try:
        while parent is None or parent.is_alive():
            try:
                request = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if done_event.is_set():
                    break  # the final None may never come: see _shutdown_workers
                continue
            if isinstance(request, _ResumeIteration):
                data_queue.put((request, None))
                iteration_end = False
                fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, *fetcher_args[1:])
                continue
            if request is None:
                break
            if done_event.is_set() or iteration_end:
                continue  # wait for the final None
            idx, index = request
            if init_error is not None:
                data, init_error = init_error, None
            else:
                data, iteration_end = _fetch(fetcher, index, dataset_kind, worker_id)
            data_queue.put((idx, data))
            del data, request, index
    except KeyboardInterrupt:
        pass  # the main process raises it
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
