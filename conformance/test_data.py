"""torch.utils.data against real torch, in this process: speaks about jtorch/utils/data/
(datasets, samplers, collation and the DataLoader without workers; workers are in
test_data_workers.py).

Deterministic configurations compare every batch (repr: values, dtypes, structure) and
``len()`` with torch's; shuffled ones compare what must hold for any random stream
(permutations, reproducibility under a seed, epochs that differ), since jtorch's generator
is not yet torch's (Note [RNG interface]). Errors and warnings compare type and message.
"""

import collections
import math

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import same_outcome

Point = collections.namedtuple("Point", ["x", "y"])


def dataset(lib, make_samples, getitems=False):
    """A map-style ``lib`` Dataset of ``make_samples(lib)`` (with ``__getitems__`` if asked)."""
    samples = make_samples(lib)

    class Samples(lib.utils.data.Dataset):
        def __len__(self):
            return len(samples)

        def __getitem__(self, index):
            return samples[index]

    if getitems:
        Samples.__getitems__ = lambda self, indices: [("batched", samples[i]) for i in indices]
    return Samples()


def stream(lib, n, length=None):
    """An iterable-style ``lib`` dataset of ``lib.tensor(i)``, i < n (with ``__len__`` if
    ``length`` is given)."""

    class Stream(lib.utils.data.IterableDataset):
        def __iter__(self):
            return (lib.tensor(i) for i in range(n))

        def __repr__(self):  # the warning for an overrun names the dataset
            return f"Stream({n})"

    if length is not None:
        Stream.__len__ = lambda self: length
    return Stream()


def tensors(lib, n=10):
    return lib.utils.data.TensorDataset(
        lib.arange(n, dtype=lib.float32), lib.arange(n) * 10, lib.arange(2 * n).reshape(n, 2)
    )


def nested(lib):
    """Samples of every kind default_collate handles, nested."""
    return [
        {
            "t": lib.tensor([i, i + 1]),
            "pair": (float(i), i),
            "point": Point(np.float32(i) / 2, np.array([i, -i], dtype=np.int32)),
            "flag": i % 2 == 0,
            "name": f"s{i}",
            "raw": bytes([i]),
            "list": [np.int64(i), np.float64(i) / 4, np.bool_(i > 1)],
            "half": np.float16(i),
        }
        for i in range(5)
    ]


DL = "utils.data.DataLoader"


def loader(lib, ds, **kw):
    return lib.utils.data.DataLoader(ds, **kw)


# ---- deterministic loaders: every batch, two epochs, and len() -------------------------------

LOADERS = {
    "tensor_bs1": lambda L: loader(L, tensors(L)),
    "tensor_bs3": lambda L: loader(L, tensors(L), batch_size=3),
    "tensor_bs3_drop_last": lambda L: loader(L, tensors(L), batch_size=3, drop_last=True),
    "tensor_bs5_drop_last": lambda L: loader(L, tensors(L), batch_size=5, drop_last=True),
    "tensor_bs11": lambda L: loader(L, tensors(L), batch_size=11),
    "tensor_bs11_drop_last": lambda L: loader(L, tensors(L), batch_size=11, drop_last=True),
    "tensor_shuffle_false": lambda L: loader(L, tensors(L), batch_size=4, shuffle=False),
    "no_batching": lambda L: loader(L, tensors(L, 4), batch_size=None),
    "no_batching_numpy": lambda L: loader(
        L, dataset(L, lambda L: [np.arange(i, i + 2) for i in range(3)]), batch_size=None
    ),
    "sampler_list": lambda L: loader(L, tensors(L), batch_size=2, sampler=[7, 1, 3, 3, 0]),
    "sequential_sampler": lambda L: loader(
        L, tensors(L), batch_size=4, sampler=L.utils.data.SequentialSampler(range(6))
    ),
    "batch_sampler": lambda L: loader(
        L,
        tensors(L),
        batch_sampler=L.utils.data.BatchSampler(range(2, 9), batch_size=3, drop_last=False),
    ),
    "batch_sampler_lists": lambda L: loader(L, tensors(L), batch_sampler=[[0, 1], [9], [4, 2]]),
    "collate_fn": lambda L: loader(L, tensors(L), batch_size=4, collate_fn=lambda b: len(b)),
    "nested": lambda L: loader(L, dataset(L, nested), batch_size=2),
    "nested_no_batching": lambda L: loader(L, dataset(L, nested), batch_size=None),
    "python_numbers": lambda L: loader(
        L, dataset(L, lambda L: [(i, i / 2, i > 0, True) for i in range(4)]), batch_size=4
    ),
    "numpy_scalars": lambda L: loader(
        L,
        dataset(L, lambda L: [(np.float32(i), np.int32(i), np.float64(i)) for i in range(3)]),
        batch_size=3,
    ),
    "numpy_arrays": lambda L: loader(
        L,
        dataset(L, lambda L: [np.full((2, 2), i, dtype=np.float64) for i in range(3)]),
        batch_size=2,
    ),
    "lists_transposed": lambda L: loader(
        L, dataset(L, lambda L: [[i, 2 * i, L.tensor(3.0 * i)] for i in range(4)]), batch_size=3
    ),
    "getitems": lambda L: loader(L, dataset(L, lambda L: list(range(5)), True), batch_size=2),
    "concat": lambda L: loader(L, tensors(L, 3) + tensors(L, 4), batch_size=3),
    "concat_list": lambda L: loader(
        L, L.utils.data.ConcatDataset([tensors(L, 2), tensors(L, 3), tensors(L, 1)]), batch_size=4
    ),
    "subset": lambda L: loader(L, L.utils.data.Subset(tensors(L), [9, 0, 4, 4]), batch_size=3),
    "subset_of_getitems": lambda L: loader(
        L, L.utils.data.Subset(dataset(L, lambda L: list(range(5)), True), [4, 1]), batch_size=2
    ),
    "stack_tuple": lambda L: loader(
        L,
        L.utils.data.StackDataset(tensors(L, 4), dataset(L, lambda L: list("abcd"))),
        batch_size=3,
    ),
    "stack_dict": lambda L: loader(
        L,
        L.utils.data.StackDataset(a=tensors(L, 4), b=dataset(L, lambda L: list("abcd"), True)),
        batch_size=3,
    ),
    "iterable_bs1": lambda L: loader(L, stream(L, 5)),
    "iterable_bs2": lambda L: loader(L, stream(L, 5), batch_size=2),
    "iterable_bs2_drop_last": lambda L: loader(L, stream(L, 5), batch_size=2, drop_last=True),
    "iterable_no_batching": lambda L: loader(L, stream(L, 3), batch_size=None),
    "iterable_shuffle_false": lambda L: loader(L, stream(L, 3), shuffle=False, batch_size=2),
    "chain": lambda L: loader(L, stream(L, 2) + stream(L, 3), batch_size=2),
    "chain_dataset": lambda L: loader(
        L, L.utils.data.ChainDataset([stream(L, 3), stream(L, 1)]), batch_size=3
    ),
    "pin_memory": lambda L: loader(L, tensors(L, 3), batch_size=2, pin_memory=True),
    # TensorDataset batches come from one index_select per tensor where nothing can tell
    # (Note [TensorDataset batches] in jtorch/utils/data/_worker.py); these reach its edges
    "tensor_negative_keys": lambda L: loader(L, tensors(L), batch_size=3, sampler=[-1, 3, -10]),
    "tensor_key_past_end": lambda L: loader(L, tensors(L), batch_size=2, sampler=[0, 10]),
    "tensor_key_too_negative": lambda L: loader(L, tensors(L), batch_size=2, sampler=[-11, 0]),
    "tensor_numpy_keys": lambda L: loader(L, tensors(L), batch_size=2, sampler=list(np.arange(4))),
    "tensor_requires_grad": lambda L: loader(
        L, L.utils.data.TensorDataset(L.arange(6.0).reshape(3, 2).requires_grad_()), batch_size=2
    ),
    "tensor_dtypes": lambda L: loader(
        L,
        L.utils.data.TensorDataset(
            L.arange(4) % 2 == 0, L.arange(8, dtype=L.float16).view(4, 2), L.ones(4, 0)
        ),
        batch_size=3,
    ),
    "tensor_subclass_getitem": lambda L: loader(L, doubled(L, tensors(L, 4)), batch_size=3),
    # a Dataset returning views x[i] of one tensor: stacked with one read of the storage (Note
    # [deferred views] in jtorch/_ops/_registry.py) where the views share their chain of steps
    "views_rows": lambda L: loader(L, indexed(L, lambda x, y, i: (x[i], y[i])), batch_size=3),
    "views_of_a_view": lambda L: loader(L, indexed(L, lambda x, y, i: x[:, 1:][i]), batch_size=4),
    "views_chained": lambda L: loader(L, indexed(L, lambda x, y, i: x[i][::2, 1]), batch_size=4),
    "views_two_indices": lambda L: loader(L, indexed(L, lambda x, y, i: x[i, i % 3]), batch_size=4),
    "views_two_storages": lambda L: loader(
        L, indexed(L, lambda x, y, i: x[i] if i % 2 else x.clone()[i]), batch_size=4
    ),
    "views_two_chains": lambda L: loader(
        L, indexed(L, lambda x, y, i: x[i] if i % 2 else x[i].t()), batch_size=4
    ),
    "views_base_changed": lambda L: loader(L, indexed(L, _add_then_view), batch_size=4),
    "views_requiring_grad": lambda L: loader(
        L, indexed(L, lambda x, y, i: x.requires_grad_()[i]), batch_size=3
    ),
    "views_numpy_backed": lambda L: loader(
        L, indexed(L, lambda x, y, i: L.from_numpy(np.arange(30.0).reshape(10, 3))[i]), batch_size=3
    ),
}


def indexed(lib, sample):
    """A map-style ``lib`` Dataset whose ``__getitem__(i)`` is ``sample(x, y, i)`` on two tensors."""
    x = lib.arange(30.0).reshape(10, 3)
    y = lib.arange(10) * 10

    class Indexed(lib.utils.data.Dataset):
        def __len__(self):
            return 10

        def __getitem__(self, index):
            return sample(x, y, index)

    return Indexed()


def _add_then_view(x, y, i):
    # a view taken before an in-place change of its base shows the change, as in torch
    v = x[i]
    x.add_(1)
    return v


def doubled(lib, ds):
    """``ds``, a TensorDataset, whose samples are twice its tensors' rows."""

    class Doubled(lib.utils.data.TensorDataset):
        def __getitem__(self, index):
            return tuple(2 * t for t in super().__getitem__(index))

    return Doubled(*ds.tensors)


@pytest.mark.parametrize("name", LOADERS)
def test_loader_batches_and_len(name):
    def epochs(lib):
        data_loader = LOADERS[name](lib)
        return list(data_loader), list(data_loader)

    same_outcome(epochs)
    same_outcome(lambda lib: len(LOADERS[name](lib)))


def test_tensor_dataset_batches_follow_a_changed_collate_map():
    # a tensor rule set in default_collate_fn_map applies to TensorDataset batches too
    def run(lib):
        fn_map = lib.utils.data._utils.collate.default_collate_fn_map
        old = fn_map[lib.Tensor]
        fn_map[lib.Tensor] = lambda batch, *, collate_fn_map=None: ("rule", len(batch))
        try:
            return list(loader(lib, tensors(lib, 5), batch_size=2))
        finally:
            fn_map[lib.Tensor] = old

    same_outcome(run)


# ---- len() of loaders over iterable datasets, and the warning when it is exceeded -----------


@pytest.mark.parametrize(
    "kw", [{}, {"batch_size": 2}, {"batch_size": 2, "drop_last": True}, {"batch_size": None}]
)
@pytest.mark.parametrize("n, length", [(5, 5), (5, 3), (4, 7)])
def test_iterable_len_and_overrun_warning(n, length, kw):
    def run(lib):
        data_loader = loader(lib, stream(lib, n, length), **kw)
        return len(data_loader), len(list(data_loader))

    same_outcome(run, with_warnings=True)


def test_iterable_without_len():
    same_outcome(lambda lib: len(loader(lib, stream(lib, 3))))


# ---- default_collate and default_convert called directly ------------------------------------

COLLATE = {
    "ints": lambda L: [1, 2, 3],
    "floats": lambda L: [1.5, 2.0],
    "bools": lambda L: [True, False],
    "strings": lambda L: ["a", "b"],
    "bytes": lambda L: [b"a", b"b"],
    "tensors": lambda L: [L.ones(2, 3), L.zeros(2, 3)],
    "int_tensors": lambda L: [L.tensor(1), L.tensor(2)],
    "float64_tensors": lambda L: [L.ones(2, dtype=L.float64), L.zeros(2, dtype=L.float64)],
    "numpy": lambda L: [np.ones(2, np.int16), np.zeros(2, np.int16)],
    "numpy_bool": lambda L: [np.ones(2, bool), np.zeros(2, bool)],
    "numpy_scalars": lambda L: [np.float32(1), np.float32(2)],
    "numpy_scalars_mixed": lambda L: [np.float32(1), np.float64(2)],
    "numpy_bool_scalars": lambda L: [np.bool_(True), np.bool_(False)],
    "namedtuple": lambda L: [Point(1, 2.0), Point(3, 4.0)],
    "tuple": lambda L: [(1, "a"), (2, "b")],
    "list": lambda L: [[1, 2.0], [3, 4.0]],
    "dict": lambda L: [{"a": 1, "b": [2.0]}, {"a": 3, "b": [4.0]}],
    "ordered_dict": lambda L: [collections.OrderedDict(a=1), collections.OrderedDict(a=2)],
    "defaultdict": lambda L: [
        collections.defaultdict(int, a=1),
        collections.defaultdict(int, a=2),
    ],
    "deque": lambda L: [collections.deque([1, 2]), collections.deque([3, 4])],
    "range": lambda L: [range(2), range(2)],
    "unequal_lists": lambda L: [[1, 2], [3]],
    "unequal_tensors": lambda L: [L.ones(2), L.ones(3)],
    "mixed_dtype_tensors": lambda L: [L.ones(2), L.ones(2, dtype=L.int64)],
    "none": lambda L: [None, None],
    "object": lambda L: [object(), object()],
    "numpy_strings": lambda L: [np.array(["a"]), np.array(["b"])],
    "numpy_objects": lambda L: [np.array([None]), np.array([None])],
    "numpy_str_scalars": lambda L: [np.str_("a"), np.str_("b")],
    "empty": lambda L: [],
    "mixed_int_float": lambda L: [1, 2.5],
}


@pytest.mark.parametrize("name", COLLATE)
def test_default_collate(name):
    same_outcome(lambda lib: lib.utils.data.default_collate(COLLATE[name](lib)))


CONVERT = {
    "int": lambda L: 3,
    "str": lambda L: "a",
    "tensor": lambda L: L.ones(2),
    "numpy": lambda L: np.arange(3, dtype=np.float32),
    "numpy_scalar": lambda L: np.int16(4),
    "numpy_strings": lambda L: np.array(["a", "b"]),
    "numpy_str_scalar": lambda L: np.str_("a"),
    "namedtuple": lambda L: Point(np.array(1), 2),
    "tuple": lambda L: (np.array([1.0]), "x"),
    "list": lambda L: [np.array([1]), [np.array([2.0])]],
    "dict": lambda L: {"a": np.array([1]), "b": 2},
    "range": lambda L: range(3),
    "bytes": lambda L: b"ab",
}


@pytest.mark.parametrize("name", CONVERT)
def test_default_convert(name):
    same_outcome(lambda lib: lib.utils.data.default_convert(CONVERT[name](lib)))


def test_collate_of_numpy_shares_no_surprise_dtype():
    # float64 numpy arrays stay float64, as in torch (no cast to the default dtype).
    same_outcome(
        lambda lib: lib.utils.data.default_collate([np.ones(2), np.zeros(2)]).dtype,
    )


# ---- datasets --------------------------------------------------------------------------------

DATASETS = {
    "tensor_item": lambda L: tensors(L)[3],
    "tensor_slice": lambda L: tensors(L)[2:4],
    "tensor_len": lambda L: len(tensors(L, 7)),
    "tensor_mismatch": lambda L: L.utils.data.TensorDataset(L.ones(3), L.ones(4)),
    "tensor_none": lambda L: len(L.utils.data.TensorDataset()),
    "base_getitem": lambda L: L.utils.data.Dataset()[0],
    "base_len": lambda L: len(L.utils.data.Dataset()),
    "concat_items": lambda L: [(tensors(L, 2) + tensors(L, 3))[i] for i in (0, 1, 2, 4, -1, -5)],
    "concat_len": lambda L: len(tensors(L, 2) + tensors(L, 3)),
    "concat_sizes": lambda L: (tensors(L, 2) + tensors(L, 0) + tensors(L, 3)).cumulative_sizes,
    "concat_too_negative": lambda L: (tensors(L, 2) + tensors(L, 3))[-6],
    "concat_past_end": lambda L: (tensors(L, 2) + tensors(L, 3))[5],
    "concat_empty": lambda L: L.utils.data.ConcatDataset([]),
    "concat_iterable": lambda L: L.utils.data.ConcatDataset([tensors(L), stream(L, 2)]),
    "concat_cumsum": lambda L: L.utils.data.ConcatDataset.cumsum([[1, 2], [], [3]]),
    "chain_len": lambda L: len(L.utils.data.ChainDataset([stream(L, 2, 2), stream(L, 3, 3)])),
    "chain_map_style": lambda L: list(L.utils.data.ChainDataset([stream(L, 2), tensors(L, 2)])),
    "chain_map_style_len": lambda L: len(L.utils.data.ChainDataset([tensors(L, 2)])),
    "subset_items": lambda L: [L.utils.data.Subset(tensors(L), [5, 2])[i] for i in (0, 1, -1)],
    "subset_list_index": lambda L: L.utils.data.Subset(tensors(L), [5, 2, 7])[[0, 2]],
    "subset_len": lambda L: len(L.utils.data.Subset(tensors(L), [5, 2])),
    "subset_getitems": lambda L: L.utils.data.Subset(tensors(L), [5, 2, 1]).__getitems__([2, 0]),
    "stack_tuple": lambda L: L.utils.data.StackDataset(tensors(L, 3), tensors(L, 3))[1],
    "stack_dict": lambda L: L.utils.data.StackDataset(a=tensors(L, 3), b=tensors(L, 3))[2],
    "stack_len": lambda L: len(L.utils.data.StackDataset(a=tensors(L, 3))),
    "stack_both": lambda L: L.utils.data.StackDataset(tensors(L, 3), a=tensors(L, 3)),
    "stack_none": lambda L: L.utils.data.StackDataset(),
    "stack_mismatch": lambda L: L.utils.data.StackDataset(tensors(L, 3), tensors(L, 4)),
    "stack_dict_mismatch": lambda L: L.utils.data.StackDataset(a=tensors(L, 3), b=tensors(L, 2)),
    "stack_getitems": lambda L: L.utils.data.StackDataset(
        tensors(L, 3), dataset(L, lambda L: list("xyz"), True)
    ).__getitems__([2, 0]),
    "iterable_add": lambda L: list(stream(L, 2) + stream(L, 1)),
    "is_generic": lambda L: L.utils.data.Dataset[int].__name__,
}


@pytest.mark.parametrize("name", DATASETS)
def test_datasets(name):
    same_outcome(DATASETS[name])


def test_concat_deprecated_attribute_warns():
    same_outcome(lambda lib: (tensors(lib, 2) + tensors(lib, 1)).cummulative_sizes, True)


def test_subset_subclass_must_override_getitems():
    def make(lib):
        class Doubled(lib.utils.data.Subset):
            def __getitem__(self, idx):
                return 2 * super().__getitem__(idx)

        return Doubled(list(range(4)), [1, 2])

    same_outcome(make)


# ---- random_split ----------------------------------------------------------------------------

SPLITS = [
    [3, 7],
    [0, 10],
    [10],
    [0.3, 0.7],
    [0.5, 0.5],
    [0.25, 0.25, 0.25, 0.25],
    [1 / 3, 1 / 3, 1 / 3],
    [0.1, 0.1, 0.8],
    [0.05, 0.95],
    [1.0],
    [0.0, 1.0],
    [0.4, 0.4],
    [4, 4],
    [-0.5, 1.5],
    [3, 8],
    [0.3, 0.3, 0.4000000001],
]


@pytest.mark.parametrize("lengths", SPLITS, ids=str)
def test_random_split_lengths_warnings_and_errors(lengths):
    def split(lib):
        parts = lib.utils.data.random_split(range(10), lengths)
        return [len(p) for p in parts], sorted(i for p in parts for i in p)

    same_outcome(split, with_warnings=True)


def test_random_split_is_a_seeded_partition():
    def split(seed):
        parts = jtorch.utils.data.random_split(
            range(10), [0.3, 0.7], generator=jtorch.Generator().manual_seed(seed)
        )
        return [list(p) for p in parts]

    first = split(0)
    assert sorted(first[0] + first[1]) == list(range(10))
    assert split(0) == first
    assert split(1) != first
    jtorch.manual_seed(5)
    a = [list(p) for p in jtorch.utils.data.random_split(range(10), [5, 5])]
    jtorch.manual_seed(5)
    assert [list(p) for p in jtorch.utils.data.random_split(range(10), [5, 5])] == a


# ---- samplers --------------------------------------------------------------------------------

SAMPLERS = {
    "sequential": lambda L: L.utils.data.SequentialSampler(range(4)),
    "batch": lambda L: L.utils.data.BatchSampler(range(7), 3, False),
    "batch_drop_last": lambda L: L.utils.data.BatchSampler(range(7), 3, True),
    "batch_exact": lambda L: L.utils.data.BatchSampler(range(6), 3, True),
    "batch_of_list": lambda L: L.utils.data.BatchSampler([5, 3, 1], 2, False),
    "batch_size_zero": lambda L: L.utils.data.BatchSampler(range(3), 0, False),
    "batch_size_bool": lambda L: L.utils.data.BatchSampler(range(3), True, False),
    "batch_size_float": lambda L: L.utils.data.BatchSampler(range(3), 2.0, False),
    "batch_drop_last_int": lambda L: L.utils.data.BatchSampler(range(3), 2, 1),
    "random_replacement_int": lambda L: L.utils.data.RandomSampler(range(3), replacement=1),
    "random_num_samples_zero": lambda L: L.utils.data.RandomSampler(range(3), num_samples=0),
    "random_num_samples_float": lambda L: L.utils.data.RandomSampler(range(3), num_samples=2.0),
    "random_empty": lambda L: L.utils.data.RandomSampler([]),
    "weighted_num_samples": lambda L: L.utils.data.WeightedRandomSampler([1.0], 0),
    "weighted_num_samples_bool": lambda L: L.utils.data.WeightedRandomSampler([1.0], True),
    "weighted_replacement": lambda L: L.utils.data.WeightedRandomSampler([1.0], 2, 0),
    "weighted_2d": lambda L: L.utils.data.WeightedRandomSampler([[1.0, 2.0]], 2),
    "base": lambda L: L.utils.data.Sampler(),
}


@pytest.mark.parametrize("name", SAMPLERS)
def test_sampler_order_len_and_errors(name):
    same_outcome(lambda lib: list(SAMPLERS[name](lib)))
    same_outcome(lambda lib: len(SAMPLERS[name](lib)))


def seeded(sampler_of, seed=0):
    """Two passes over ``sampler_of(generator)`` for a generator seeded with ``seed``."""
    sampler = sampler_of(jtorch.Generator().manual_seed(seed))
    return list(sampler), list(sampler)


RANDOM_SAMPLERS = {
    "random": lambda g: jtorch.utils.data.RandomSampler(range(20), generator=g),
    "random_more": lambda g: jtorch.utils.data.RandomSampler(
        range(20), num_samples=45, generator=g
    ),
    "random_fewer": lambda g: jtorch.utils.data.RandomSampler(
        range(20), num_samples=7, generator=g
    ),
    "replacement": lambda g: jtorch.utils.data.RandomSampler(
        range(20), True, num_samples=70, generator=g
    ),
    "subset": lambda g: jtorch.utils.data.SubsetRandomSampler([5, 7, 11, 13, 17], g),
    "weighted": lambda g: jtorch.utils.data.WeightedRandomSampler(
        [0.0, 1.0, 2.0, 0.0, 3.0], 40, generator=g
    ),
    "weighted_no_replacement": lambda g: jtorch.utils.data.WeightedRandomSampler(
        [0.5, 1.0, 2.0, 0.0, 3.0], 4, replacement=False, generator=g
    ),
}


def _random_sampler_holds(name, draws):
    if name in ("random", "random_more", "random_fewer"):
        n = {"random": 20, "random_more": 45, "random_fewer": 7}[name]
        assert len(draws) == n
        for start in range(0, n, 20):  # each whole pass is a permutation
            chunk = draws[start : start + 20]
            assert len(set(chunk)) == len(chunk) and set(chunk) <= set(range(20))
    elif name == "replacement":
        assert len(draws) == 70 and set(draws) <= set(range(20)) and len(set(draws)) > 10
    elif name == "subset":
        assert sorted(draws) == [5, 7, 11, 13, 17]
    elif name == "weighted":
        assert len(draws) == 40 and set(draws) <= {1, 2, 4}
    else:
        assert sorted(draws) == [0, 1, 2, 4]


@pytest.mark.parametrize("name", RANDOM_SAMPLERS)
def test_random_samplers_hold_and_reproduce(name):
    first, second = seeded(RANDOM_SAMPLERS[name])
    _random_sampler_holds(name, first)
    _random_sampler_holds(name, second)
    assert seeded(RANDOM_SAMPLERS[name]) == (first, second)
    if name != "weighted_no_replacement":  # 4 of 4 possible: too few orders to differ surely
        assert first != second, "each pass draws anew"
        assert seeded(RANDOM_SAMPLERS[name], seed=1)[0] != first


def test_random_sampler_without_generator_follows_the_global_seed():
    sampler = jtorch.utils.data.RandomSampler(range(30))
    jtorch.manual_seed(3)
    first = list(sampler)
    second = list(sampler)
    jtorch.manual_seed(3)
    assert list(sampler) == first and list(sampler) == second
    assert sorted(first) == list(range(30)) and first != second


def test_random_sampler_reads_the_length_at_each_pass():
    same_outcome(lambda lib: _grown_sampler_lengths(lib))


def _grown_sampler_lengths(lib):
    data = list(range(3))
    sampler = lib.utils.data.RandomSampler(data)
    before = len(sampler), sorted(sampler)
    data.append(3)
    return before, len(sampler), sorted(sampler)


# ---- shuffled loaders ------------------------------------------------------------------------


def test_shuffled_loader_epochs_are_permutations_that_differ_and_reproduce():
    def epochs(seed):
        jtorch.manual_seed(seed)
        data_loader = jtorch.utils.data.DataLoader(tensors(jtorch, 16), batch_size=4, shuffle=True)
        return [[int(i) for b in data_loader for i in b[1] // 10] for _ in range(3)]

    runs = epochs(0)
    for order in runs:
        assert sorted(order) == list(range(16))
    assert runs[0] != runs[1] != runs[2]
    assert epochs(0) == runs
    assert epochs(1) != runs


def test_shuffled_loader_with_its_own_generator():
    def order(seed):
        g = jtorch.Generator().manual_seed(seed)
        data_loader = jtorch.utils.data.DataLoader(
            range(12), batch_size=5, shuffle=True, generator=g
        )
        return [b.tolist() for b in data_loader]

    batches = order(4)
    assert [len(b) for b in batches] == [5, 5, 2]
    assert sorted(i for b in batches for i in b) == list(range(12))
    jtorch.manual_seed(0)
    first = order(4)
    jtorch.manual_seed(1)
    assert order(4) == first == batches, "the global seed plays no part"


def test_each_epoch_draws_one_base_seed_from_the_generator():
    # As torch: iter(loader) draws the workers' base seed even without workers.
    def draws(lib):
        g = lib.Generator().manual_seed(0)
        data_loader = lib.utils.data.DataLoader(range(3), generator=g)
        reference = lib.Generator().manual_seed(0)
        first = lib.empty((), dtype=lib.int64).random_(generator=reference)
        iter(data_loader)
        after = lib.empty((), dtype=lib.int64).random_(generator=g)
        second = lib.empty((), dtype=lib.int64).random_(generator=reference)
        return bool(after == second), bool(after == first)

    same_outcome(draws)


# ---- DataLoader options: errors and warnings -------------------------------------------------

OPTIONS = {
    "negative_workers": {"num_workers": -1},
    "negative_timeout": {"timeout": -1},
    "prefetch_without_workers": {"prefetch_factor": 2},
    "negative_prefetch": {"num_workers": 1, "prefetch_factor": -1},
    "persistent_without_workers": {"persistent_workers": True},
    "sampler_and_shuffle": {"sampler": [0, 1], "shuffle": True},
    "batch_sampler_and_batch_size": {"batch_sampler": [[0]], "batch_size": 2},
    "batch_sampler_and_shuffle": {"batch_sampler": [[0]], "shuffle": True},
    "batch_sampler_and_sampler": {"batch_sampler": [[0]], "sampler": [0]},
    "batch_sampler_and_drop_last": {"batch_sampler": [[0]], "drop_last": True},
    "no_batching_and_drop_last": {"batch_size": None, "drop_last": True},
    "batch_size_zero": {"batch_size": 0},
    "batch_size_negative": {"batch_size": -2},
    "drop_last_not_bool": {"drop_last": 1},
    "context_without_workers": {"multiprocessing_context": "spawn"},
    "context_unknown": {"num_workers": 1, "multiprocessing_context": "threads"},
    "context_not_a_context": {"num_workers": 1, "multiprocessing_context": 3},
    "too_many_workers": {"num_workers": 64},
    "pin_memory_device": {"pin_memory": True, "pin_memory_device": "cuda"},
    "shuffle_none": {"shuffle": None},
    "shuffle_int": {"shuffle": 1},
}


@pytest.mark.parametrize("name", OPTIONS)
def test_loader_options(name):
    def make(lib):
        data_loader = lib.utils.data.DataLoader(range(4), **OPTIONS[name])
        return len(data_loader), data_loader.batch_size, data_loader.drop_last

    same_outcome(make, with_warnings=True)


ITERABLE_OPTIONS = {
    "shuffle": {"shuffle": True},
    "shuffle_false": {"shuffle": False},
    "sampler": {"sampler": [0]},
    "batch_sampler": {"batch_sampler": [[0]]},
}


@pytest.mark.parametrize("name", ITERABLE_OPTIONS)
def test_iterable_dataset_options(name):
    same_outcome(lambda lib: list(loader(lib, stream(lib, 2), **ITERABLE_OPTIONS[name])))


def test_timeout_without_workers_fails_when_iterated():
    same_outcome(lambda lib: iter(loader(lib, range(3), timeout=1.0)))


@pytest.mark.parametrize(
    "attr", ["batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers"]
)
def test_attributes_fixed_after_init(attr):
    def assign(lib):
        data_loader = loader(lib, range(3))
        data_loader.num_workers = 0  # allowed
        setattr(data_loader, attr, None)

    same_outcome(assign)


def test_loader_attributes():
    def attrs(lib):
        data_loader = loader(lib, range(5), batch_size=2)
        return (
            type(data_loader.sampler).__name__,
            type(data_loader.batch_sampler).__name__,
            data_loader.collate_fn.__name__,
            data_loader.prefetch_factor,
            data_loader.multiprocessing_context,
            data_loader.generator,
            type(iter(data_loader)).__name__,
            len(iter(data_loader)),
            loader(lib, range(5), batch_size=None).collate_fn.__name__,
            loader(lib, range(5), num_workers=2).prefetch_factor,
        )

    same_outcome(attrs)


def test_loader_iterator_cannot_be_pickled():
    import pickle

    same_outcome(lambda lib: pickle.dumps(iter(loader(lib, range(3)))))


def test_dataloader_is_generic_and_works_with_tqdm_style_len():
    def run(lib):
        data_loader = lib.utils.data.DataLoader[int](range(7), batch_size=3)
        total = len(data_loader)
        seen = [b.tolist() for b in data_loader]
        return total, seen, math.ceil(7 / 3)

    same_outcome(run)


def test_get_worker_info_in_main_process():
    same_outcome(lambda lib: lib.utils.data.get_worker_info())


def test_public_names():
    expected = {
        name for name in torch.utils.data.__all__ if "DataPipe" not in name and "Chunk" not in name
    }
    expected -= {
        "DistributedSampler",
        "argument_validation",
        "functional_datapipe",
        "guaranteed_datapipes_determinism",
        "non_deterministic",
        "runtime_validation",
        "runtime_validation_disabled",
    }
    assert expected <= set(jtorch.utils.data.__all__)


@pytest.mark.parametrize(
    "kw", [{"pin_memory": True}, {"pin_memory": True, "pin_memory_device": "cuda"}]
)
def test_pin_memory_warnings(kw):
    same_outcome(lambda lib: list(loader(lib, range(3), batch_size=2, **kw)), with_warnings=True)


def test_registering_a_type_in_default_collate_fn_map_extends_default_collate():
    """torch documents extending ``default_collate`` through
    ``torch.utils.data._utils.collate.default_collate_fn_map``."""
    import importlib

    class Point:
        def __init__(self, x):
            self.x = x

    def fn(lib):
        collate = importlib.import_module(f"{lib.__name__}.utils.data._utils.collate")

        def collate_points(batch, *, collate_fn_map=None):
            return lib.tensor([p.x for p in batch])

        collate.default_collate_fn_map[Point] = collate_points
        try:
            return lib.utils.data.default_collate([(Point(1), 2.0), (Point(3), 4.0)])
        finally:
            del collate.default_collate_fn_map[Point]

    same_outcome(fn)


def test_a_batch_of_views_reads_its_storage_once():
    """Note [deferred views]: the samples ``x[i]`` are never computed one by one; the batch is
    one read of ``x``'s storage, equal to torch's stacked rows."""
    x = np.random.default_rng(0).standard_normal((20, 3, 4)).astype(np.float32)
    samples = []

    class Rows(jtorch.utils.data.Dataset):
        def __len__(self):
            return 20

        def __getitem__(self, i):
            samples.append(rows[i])
            return samples[-1]

    rows = jtorch.tensor(x)
    batch = next(iter(jtorch.utils.data.DataLoader(Rows(), batch_size=8, shuffle=False)))
    assert len(samples) == 8 and all(s._cache is None for s in samples)
    np.testing.assert_array_equal(
        batch.numpy(), torch.stack([torch.tensor(x)[i] for i in range(8)]).numpy()
    )
    np.testing.assert_array_equal(samples[3].numpy(), x[3])  # read alone: computed then
