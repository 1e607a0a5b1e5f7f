"""DataLoader worker processes against real torch: speaks about jtorch/utils/data/dataloader.py,
_worker.py and _forkserver.py.

torch forks its workers (its default on Linux); jtorch's come from a forkserver (Note
[DataLoader workers]), so what they run lives in conformance/_data_workers.py, a module cheap
to import in a worker. Batches must equal torch's, in torch's order for map-style datasets and
for iterable datasets sharded by worker id; worker facts (ids, seeds, init functions) and
failures (a raising worker, a dying one, a timeout) must read as torch's. Every loader has a
timeout, so a broken worker fails a test instead of hanging it.
"""

import functools
import gc
import os
import pickle
import re
import warnings

import pytest
import torch

import jtorch
from conformance import _data_workers as W
from conformance._compare import same_outcome

# Seconds any loader here waits for a batch before giving up: a hang becomes a failure.
TIMEOUT = 60

LIBS = {"torch": torch, "jtorch": jtorch}

# Forking this process (torch's workers) makes jax warn that jax and fork do not mix; torch's
# workers never touch jax.
pytestmark = pytest.mark.filterwarnings("ignore:os.fork\\(\\) was called:RuntimeWarning")


def load(lib, dataset, epochs=1, **kw):
    """The batches of ``epochs`` passes over a loader with 2 workers (unless told otherwise)."""
    kw = {"num_workers": 2, "timeout": TIMEOUT, **kw}
    data_loader = lib.utils.data.DataLoader(dataset, **kw)
    return [list(data_loader) for _ in range(epochs)]


def same_batches(make_dataset, **kw):
    """The batches of torch and jtorch loaders over ``make_dataset(lib name)`` are equal."""
    return same_outcome(lambda lib: load(lib, make_dataset(lib.__name__), **kw))


# ---- batches and their order -----------------------------------------------------------------

MAP_STYLE = {
    "squares_bs3": ({"batch_size": 3}, lambda L: W.Squares(L, 10)),
    "squares_bs4_drop_last": ({"batch_size": 4, "drop_last": True}, lambda L: W.Squares(L, 10)),
    "squares_no_batching": ({"batch_size": None}, lambda L: W.Squares(L, 4)),
    "tensor_dataset_sampler": (
        {"batch_size": 2, "sampler": [5, 0, 3, 3, 1]},
        lambda L: W.TensorsOf(L, 6),
    ),
    "tensor_dataset_3_workers_prefetch_1": (
        {"batch_size": 2, "num_workers": 3, "prefetch_factor": 1},
        lambda L: W.TensorsOf(L, 11),
    ),
    "collate_fn": (
        {"batch_size": 3},
        lambda L: W.Squares(L, 7),
    ),
}


@pytest.mark.parametrize("name", MAP_STYLE)
def test_map_style_batches_in_torch_order(name):
    kw, make = MAP_STYLE[name]
    if name == "collate_fn":
        same_outcome(
            lambda lib: load(
                lib,
                make(lib.__name__),
                collate_fn=functools.partial(W.collate_sum, lib.__name__),
                **kw,
            )
        )
        return
    same_batches(make, **kw)


def test_persistent_workers_keep_their_processes():
    def run(lib):
        epochs = load(lib, W.WhoAmI(lib.__name__, 6), epochs=3, persistent_workers=True)
        pids = [{sample[7] for batch in epoch for sample in zip(*batch)} for epoch in epochs]
        ids = [[batch[1].tolist() for batch in epoch] for epoch in epochs]
        return ids, len(pids[0]), pids[0] == pids[1] == pids[2], os.getpid() not in pids[0]

    same_outcome(run)


def test_out_of_order_gives_every_batch():
    def run(lib):
        (batches,) = load(lib, W.Squares(lib.__name__, 9), batch_size=2, in_order=False)
        return sorted(b[0].tolist() for b in batches)

    same_outcome(run)


ITERABLE = {
    "sharded_bs2": ({"batch_size": 2}, (3, 17)),
    "sharded_bs3_drop_last": ({"batch_size": 3, "drop_last": True}, (0, 11)),
    "sharded_no_batching": ({"batch_size": None}, (3, 7)),
    "sharded_3_workers": ({"batch_size": 2, "num_workers": 3}, (0, 7)),
    "unsharded_duplicates": ({"batch_size": 2}, (0, 3, False)),
}


@pytest.mark.parametrize("name", ITERABLE)
def test_iterable_batches_in_torch_order(name):
    kw, args = ITERABLE[name]
    same_batches(lambda lib: W.sharded(lib, *args), **kw)


def test_iterable_len_overrun_warns_about_worker_replicas():
    def run(lib):
        dataset = W.sharded(lib.__name__, 0, 4, False, 4)
        data_loader = lib.utils.data.DataLoader(dataset, num_workers=2, timeout=TIMEOUT)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            n = len(data_loader), len(list(data_loader))
        return n, [str(w.message) for w in caught if "Length of" in str(w.message)]

    same_outcome(run)


# ---- what a worker knows: worker info, seeds, worker_init_fn ---------------------------------


def _facts(lib, **kw):
    (batches,) = load(
        lib,
        W.WhoAmI(lib.__name__, 8),
        batch_size=2,
        worker_init_fn=functools.partial(W.mark_worker, lib.__name__),
        **kw,
    )
    samples = [s for b in batches for s in zip(*b)]
    seeds = {int(s[1]): int(s[3]) for s in samples}
    return samples, seeds


def test_worker_info_seeds_and_init_fn():
    def run(lib):
        samples, seeds = _facts(lib)
        return (
            [(int(s[0]), int(s[1]), int(s[2])) for s in samples],  # sample, worker id, workers
            all(int(s[3]) == int(s[4]) for s in samples),  # info.seed == initial_seed()
            seeds[1] - seeds[0],
            {s[5] for s in samples},  # the dataset copy's type
            sorted({(int(s[6][0]), bool(s[6][1])) for s in samples}),  # init_fn saw the seed
            len({float(s[8]) for s in samples}) == 8,  # random differs across workers
            len({float(s[9]) for s in samples}) == 8,  # numpy.random too
        )

    same_outcome(run)


def test_worker_seeds_follow_the_loader_generator():
    def run(lib):
        runs = [_facts(lib, generator=lib.Generator().manual_seed(7))[1] for _ in range(2)]
        other = _facts(lib, generator=lib.Generator().manual_seed(8))[1]
        return runs[0] == runs[1], runs[0] != other

    same_outcome(run)


@pytest.mark.parametrize("base_seed", [0, 1, 2**32 + 5, 2**63 - 1, 123456789012345])
@pytest.mark.parametrize("worker_id", [0, 1, 7])
def test_numpy_seed_derivation_is_torch_s(base_seed, worker_id):
    from torch.utils.data._utils.worker import _generate_state as torch_state

    from jtorch.utils.data._worker import _generate_state

    assert _generate_state(base_seed, worker_id) == torch_state(base_seed, worker_id)


# ---- failures --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_torch_shutdown(monkeypatch):
    # After a worker error torch's iterator is freed by the garbage collector, once its index
    # queues are finalized: its workers never get the final None, and torch waits 5 s for each
    # before terminating it. Wait less (torch's check interval is also how long it waits).
    monkeypatch.setattr(torch.utils.data._utils, "MP_STATUS_CHECK_INTERVAL", 0.2)


def _error(lib, dataset, **kw):
    """The type name and message of the error loading ``dataset`` raises. The loader's iterator
    is collected here, while torch's shutdown is fast (see _fast_torch_shutdown)."""
    try:
        load(lib, dataset, **kw)
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        error = type(e).__name__, str(e)
    else:
        raise AssertionError("no error")
    gc.collect()
    return error


def _first_and_last_lines(error):
    lines = error[1].strip().splitlines()
    return error[0], lines[:2], lines[-1]


def _pids_masked(error):
    return error[0], re.sub(r"\d+", "N", error[1])


@pytest.mark.parametrize("error", ["ValueError", "KeyError", "IndexError", "ZeroDivisionError"])
def test_worker_error_is_reraised_with_its_traceback(error):
    def run(lib):
        e = _error(lib, W.Failing(lib.__name__, 8, 5, error), batch_size=2)
        return _first_and_last_lines(e)

    same_outcome(run)


def test_worker_init_fn_error_is_reraised():
    def run(lib):
        e = _error(lib, W.Squares(lib.__name__, 4), worker_init_fn=W.fail_init)
        return _first_and_last_lines(e)

    same_outcome(run)


# torch reports a dead worker in one of two words, depending on which of its checks sees the
# death first: the SIGCHLD handler ("... (pid N) exited unexpectedly with exit code N. Details
# are lost ...") or the queue poll ("... (pid(s) N) exited unexpectedly"); jtorch polls. On a
# loaded machine torch can also end in a bare EOFError (seen in CI): a batch's shared memory
# travels as a file descriptor that the reader fetches from the worker that sent it, and a
# worker that died in between cannot answer. jtorch's batches travel in the queue's bytes.
_DEAD_WORKER = re.compile(r"DataLoader worker \(pid(\(s\))? N\) exited unexpectedly")


def test_dying_worker_raises_instead_of_hanging():
    for lib in (torch, jtorch):
        kind, message = _pids_masked(
            _error(lib, W.Failing(lib.__name__, 8, 5, "exit"), batch_size=2)
        )
        if lib is torch and (kind, message) == ("EOFError", ""):
            continue  # torch's race above; the outcome jtorch is held to is torch's usual one
        assert kind == "RuntimeError" and _DEAD_WORKER.match(message), (lib.__name__, message)


def test_timeout_raises():
    def run(lib):
        dataset = W.Failing(lib.__name__, 4, 1, "sleep", delay=1.0)
        return _pids_masked(_error(lib, dataset, timeout=0.25))

    same_outcome(run)


# ---- how jtorch starts workers (Note [DataLoader workers]): jtorch's own choices --------------


@pytest.mark.parametrize("context", ["forkserver", "spawn", "spawn_object"])
def test_forkserver_and_spawn_contexts(context):
    import multiprocessing

    if context == "spawn_object":
        context = multiprocessing.get_context("spawn")
    (batches,) = load(jtorch, W.WhoAmI("jtorch", 3), multiprocessing_context=context)
    assert [int(b[0]) for b in batches] == [0, 1, 2]
    parents = {int(b[10]) for b in batches}  # forked by the server, not by this process
    assert len(parents) == 1 and os.getpid() not in parents


def test_fork_after_jax_started_is_refused():
    jtorch.ones(1).sum().item()  # jax has started in this process
    with pytest.raises(NotImplementedError, match="cannot fork workers once jax has started"):
        load(jtorch, W.Squares("jtorch", 3), multiprocessing_context="fork")


def test_unpicklable_collate_fn_warns_and_raises():
    with (
        pytest.warns(UserWarning, match="Got pickle error when attempting to start a worker"),
        pytest.raises((AttributeError, TypeError, pickle.PicklingError)),
    ):
        load(jtorch, W.Squares("jtorch", 3), collate_fn=lambda batch: batch)
