"""Samplers (torch.utils.data.sampler): the order in which a DataLoader visits a dataset.

The random samplers make torch's calls (one seed drawn from the default generator per epoch
when no generator is given, ``randperm`` per pass, ``randint`` in blocks of 32,
``multinomial``) on jtorch's generators, whose CPU streams are torch's (Note [RNG interface] in
jtorch/_random.py): a seed gives torch's order.
"""

import itertools
from typing import Generic, TypeVar

from ... import _dtype
from ..._ops.creation import as_tensor, empty
from ..._ops.random import multinomial, randint, randperm
from ..._random import Generator

__all__ = [
    "BatchSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
]

_T_co = TypeVar("_T_co", covariant=True)


class Sampler(Generic[_T_co]):
    """torch.utils.data.Sampler: subclasses define ``__iter__`` over indices (or lists of
    indices, for a batch sampler) and may define ``__len__``; like torch's, the base class has
    no ``__len__``."""

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """torch.utils.data.SequentialSampler: ``0, 1, ..., len(data_source) - 1``."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


def _check_options(**options):
    """torch's ValueErrors for a sampler's options: ``num_samples`` and ``batch_size`` must be
    positive ints (bools are not), ``replacement`` and ``drop_last`` bools."""
    for name, value in options.items():
        if name in ("num_samples", "batch_size"):
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                continue
            kind = "a positive integer"
        elif isinstance(value, bool):
            continue
        else:
            kind = "a boolean"
        raise ValueError(f"{name} should be {kind} value, but got {name}={value}")


class RandomSampler(Sampler):
    """torch.utils.data.RandomSampler: a random permutation of the indices per pass, or with
    ``replacement=True`` indices drawn uniformly, ``num_samples`` of them (default: the
    dataset's length, read at each epoch).

    Args:
        data_source (Sized): dataset to sample from.
        replacement (bool): draw with replacement (default False).
        num_samples (int): how many indices to draw (default ``len(data_source)``).
        generator (Generator): the generator to draw from; by default a fresh generator seeded
            from the default one at each epoch.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={self.replacement}"
            )
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(
                "num_samples should be a positive integer value, but got "
                f"num_samples={self.num_samples}"
            )

    @property
    def num_samples(self):
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            seed = int(empty((), dtype=_dtype.int64).random_().item())
            generator = Generator()
            generator.manual_seed(seed)
        if self.replacement:
            for _ in range(self.num_samples // 32):
                yield from randint(
                    high=n, size=(32,), dtype=_dtype.int64, generator=generator
                ).tolist()
            rest = self.num_samples % 32
            yield from randint(
                high=n, size=(rest,), dtype=_dtype.int64, generator=generator
            ).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from randperm(n, generator=generator).tolist()
            yield from randperm(n, generator=generator).tolist()[: self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """torch.utils.data.SubsetRandomSampler: the given ``indices`` in a random order."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """torch.utils.data.WeightedRandomSampler: ``num_samples`` indices of ``weights`` drawn
    with probabilities proportional to the weights (``torch.multinomial``).

    Args:
        weights (sequence): 1-D, non-negative, not necessarily summing to one.
        num_samples (int): how many indices to draw.
        replacement (bool): draw with replacement (default True).
        generator (Generator): the generator to draw from.
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        _check_options(num_samples=num_samples, replacement=replacement)
        weights_tensor = as_tensor(weights, dtype=_dtype.float64)
        if len(weights_tensor.shape) != 1:
            raise ValueError(
                "weights should be a 1d sequence but given "
                f"weights have shape {tuple(weights_tensor.shape)}"
            )
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        drawn = multinomial(
            self.weights, self.num_samples, self.replacement, generator=self.generator
        )
        yield from iter(drawn.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """torch.utils.data.BatchSampler: the indices of ``sampler`` in lists of ``batch_size``;
    the last, shorter list is dropped when ``drop_last``.

    Args:
        sampler (Sampler or Iterable): the indices to group.
        batch_size (int): size of a batch.
        drop_last (bool): drop the last batch if it is smaller than ``batch_size``.
    """

    def __init__(self, sampler, batch_size, drop_last):
        _check_options(batch_size=batch_size, drop_last=drop_last)
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        indices = iter(self.sampler)
        while True:
            batch = list(itertools.islice(indices, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
