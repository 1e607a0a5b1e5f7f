"""torch.utils.data.distributed: DistributedSampler, one replica's share of a dataset.

jtorch has no torch.distributed and so never a default process group: the world size and rank
must be passed in, and leaving either out raises what torch raises before
``init_process_group``. With them given, the indices are torch's, the shuffled ones included:
the permutation is drawn by ``randperm`` from a generator seeded ``seed + epoch``, whose CPU
stream is torch's (Note [RNG interface] in jtorch/_random.py).
"""

import math
from typing import TypeVar

from ..._ops.random import randperm
from ..._random import Generator
from .sampler import Sampler

__all__ = ["DistributedSampler"]

_T_co = TypeVar("_T_co", covariant=True)

_NO_PROCESS_GROUP = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)


class DistributedSampler(Sampler[_T_co]):
    """torch.utils.data.DistributedSampler: the indices of ``dataset`` that replica ``rank`` of
    ``num_replicas`` loads, every ``num_replicas``-th index starting at ``rank``. The index list
    is padded by repeating its head (or, with ``drop_last``, cut) to a multiple of
    ``num_replicas``, so every replica gets ``len(self)`` indices.

    Args:
        dataset (Dataset): dataset to sample from, of constant size.
        num_replicas (int): number of processes taking part (see the differences below).
        rank (int): this process's rank, in ``[0, num_replicas - 1]``.
        shuffle (bool): shuffle the indices, the same way on every replica (default True).
        seed (int): seed of the shuffle, to be the same on every replica (default 0).
        drop_last (bool): drop the tail that does not divide evenly instead of padding
            (default False).

    Call ``set_epoch(epoch)`` before each epoch, or every epoch visits the same order.

    Differences from torch: jtorch has no process groups, so ``num_replicas`` and ``rank`` have
    no default to read: leaving either out raises torch's ValueError for an uninitialized
    default process group.

    Example:
        >>> sampler = DistributedSampler(dataset, num_replicas=2, rank=0)
        >>> loader = DataLoader(dataset, sampler=sampler)
        >>> for epoch in range(n_epochs):
        ...     sampler.set_epoch(epoch)
        ...     train(loader)
    """

    def __init__(
        self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False
    ):
        if num_replicas is None or rank is None:
            raise ValueError(_NO_PROCESS_GROUP)
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            # torch's float expression, so the share is torch's for any length
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            generator = Generator()
            generator.manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=generator).tolist()
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[: self.total_size]
        else:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            else:  # fewer indices than replicas: repeat them as often as needed
                indices += (indices * math.ceil(padding / len(indices)))[:padding]
        if len(indices) != self.total_size:
            raise AssertionError(
                f"Number of indices ({len(indices)}) does not match total_size ({self.total_size})"
            )
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch, which with ``seed`` seeds the shuffle of the next pass."""
        self.epoch = epoch
