"""torch.nn.utils.rnn: PackedSequence and the functions that pack, pad and unpad batches of
sequences of different lengths.

A packed sequence keeps only the valid time steps of a batch sorted by decreasing length:
``data`` holds, step after step, the rows of the sequences still running, and
``batch_sizes[t]`` says how many there are at step ``t``. Packing and padding are one gather
and one scatter (``_pack_padded``, ``_pad_packed`` in _ops/nn_rnn.py) at row positions
computed on the host from the lengths, which live on the CPU as in torch.

Differences from torch: ``pack_padded_sequence`` raises a RuntimeError for a length longer
than the padded input (torch reads past the end of it); with ``enforce_sorted=False``, equal
lengths keep their batch order (a stable sort), where torch's sort may order them otherwise.
"""

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from ... import _dtype
from ..._errors import check
from ..._ops import nn_rnn as _kernels
from ..._ops.creation import as_tensor, empty, empty_like
from ..._ops.ranges import arange
from ..._ops.sorting import sort
from ...tensor import Tensor

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def _bind(optional, fn):
    return None if optional is None else fn(optional)


class PackedSequence(PackedSequence_):
    """The packed form of a batch of sequences (see the module docstring); made by
    pack_padded_sequence and pack_sequence, taken and returned by the recurrent layers.

    ``sorted_indices`` is the batch order the sequences were sorted into (None when they came
    sorted), ``unsorted_indices`` its inverse. ``to``/``float``/``cuda``... convert ``data``
    (and move the indices along); ``batch_sizes`` stays an int64 CPU tensor.
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        return super().__new__(
            cls, *_packed_sequence_init_args(data, batch_sizes, sorted_indices, unsorted_indices)
        )

    def pin_memory(self):
        return self  # no pinned host memory in jtorch: transfers need none

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self

        def move(t):
            return t.to(data.device)

        sorted_indices = _bind(self.sorted_indices, move)
        unsorted_indices = _bind(self.unsorted_indices, move)
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def _moved(self, kind, args, kwargs):
        """``to(*args, **kwargs)``, sent to ``kind`` when they name no device of that kind."""
        probe = empty(0, dtype=self.data.dtype, device=self.data.device).to(*args, **kwargs)
        if probe.device.type != kind:
            kwargs["device"] = kind
        return self.to(*args, **kwargs)

    def cuda(self, *args, **kwargs):
        return self._moved("cuda", args, kwargs)

    def cpu(self, *args, **kwargs):
        return self._moved("cpu", args, kwargs)

    def double(self):
        return self.to(dtype=_dtype.float64)

    def float(self):
        return self.to(dtype=_dtype.float32)

    def half(self):
        return self.to(dtype=_dtype.float16)

    def long(self):
        return self.to(dtype=_dtype.int64)

    def int(self):
        return self.to(dtype=_dtype.int32)

    def short(self):
        return self.to(dtype=_dtype.int16)

    def char(self):
        return self.to(dtype=_dtype.int8)

    def byte(self):
        return self.to(dtype=_dtype.uint8)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _packed_sequence_init_args(data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
    if unsorted_indices is None:
        unsorted_indices = invert_permutation(sorted_indices)
    if batch_sizes is not None:
        check(
            batch_sizes.device.type == "cpu",
            ValueError,
            "batch_sizes should always be on CPU. Instances of PackedSequence should never be created "
            "manually. They should be instantiated by functions like pack_sequence and "
            "pack_padded_sequences in nn.utils.rnn. "
            "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence",
        )
        return data, batch_sizes, sorted_indices, unsorted_indices
    if not (isinstance(data, (list, tuple)) and len(data) == 2):
        raise AssertionError("Expected data to be a list or tuple of length 2")
    return data[0], data[1], sorted_indices, unsorted_indices


def invert_permutation(permutation):
    """The inverse of a permutation tensor (None for None)."""
    if permutation is None:
        return None
    output = empty_like(permutation)
    output.scatter_(0, permutation, arange(0, permutation.numel(), device=permutation.device))
    return output


def _cpu_index(values):
    return as_tensor(np.asarray(values, dtype=np.int64), device="cpu")


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) of sequences of
    the given ``lengths``. With ``enforce_sorted`` the lengths must be decreasing; otherwise
    the batch is sorted first and the order kept in ``sorted_indices``."""
    if isinstance(lengths, Tensor):
        lengths = lengths.to(dtype=_dtype.int64)
    else:
        lengths = as_tensor(lengths, dtype=_dtype.int64, device="cpu")
    sorted_indices = None
    if not enforce_sorted:
        lengths, sorted_indices = sort(lengths, descending=True, stable=True)
        sorted_indices = sorted_indices.to(input.device)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    check(
        lengths.dim() == 1 and lengths.device.type == "cpu",
        RuntimeError,
        lambda: (
            f"'lengths' argument should be a 1D CPU int64 tensor, but got {lengths.dim()}D "
            f"{lengths.device} Long tensor"
        ),
    )
    sizes = lengths.tolist()
    data, batch_sizes = _pack(input, sizes, batch_first)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def _pack(input, sizes, batch_first):
    """torch._pack_padded_sequence: (data, batch_sizes) of a padded batch sorted by length."""
    time, batch = input.shape[:2][:: -1 if batch_first else 1]
    check(input.numel() > 0, RuntimeError, "Cannot pack empty tensors.")
    check(
        len(sizes) == batch,
        RuntimeError,
        lambda: (
            f"Expected `len(lengths)` to be equal to batch_size, but got {len(sizes)} (batch_size={batch})"
        ),
    )
    check(
        sizes[-1] > 0,
        RuntimeError,
        "Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0",
    )
    check(
        all(np.diff(sizes) <= 0),
        RuntimeError,
        "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can "
        "pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this "
        "requirement if you do not need ONNX exportability.",
    )
    check(
        sizes[0] <= time,
        RuntimeError,
        lambda: (
            f"pack_padded_sequence: a length ({sizes[0]}) exceeds the padded sequence length ({time})"
        ),
    )
    lengths = np.asarray(sizes)
    batch_sizes = (lengths[None, :] > np.arange(sizes[0])[:, None]).sum(1)
    positions = _kernels.packed_positions(batch_sizes, time, batch, batch_first, input.device)
    data = _kernels._pack_padded(input, positions)
    return data, _cpu_index(batch_sizes)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """The inverse of pack_padded_sequence: ``(padded, lengths)``, padded to the longest
    sequence or to ``total_length``, in the batch order from before packing."""
    max_seq_length = sequence.batch_sizes.size(0)
    if total_length is not None:
        check(
            total_length >= max_seq_length,
            ValueError,
            lambda: (
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being {max_seq_length}"
            ),
        )
        max_seq_length = total_length
    sizes = np.asarray(sequence.batch_sizes.tolist(), dtype=np.int64)
    batch = int(sizes[0])
    lengths = (sizes[None, :] > np.arange(batch)[:, None]).sum(1)
    grid = (batch, max_seq_length) if batch_first else (max_seq_length, batch)
    data = sequence.data
    positions = _kernels.packed_positions(sizes, max_seq_length, batch, batch_first, data.device)
    padded = _kernels._pad_packed(data, positions, padding_value, grid)
    lengths = _cpu_index(lengths)
    if sequence.unsorted_indices is not None:
        batch_dim = 0 if batch_first else 1
        unsorted = sequence.unsorted_indices
        return padded.index_select(batch_dim, unsorted), lengths[unsorted.cpu()]
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of shapes ``(L_i, *)`` into ``(max L, B, *)`` (``(B, max L, *)`` with
    ``batch_first``), padding at the end (or the start, ``padding_side='left'``) with
    ``padding_value``. The result has the first sequence's dtype and trailing shape."""
    check(
        isinstance(sequences, Iterable),
        RuntimeError,
        lambda: (
            f"pad_sequence: Expected iterable for input sequences, but got arg of type: {type(sequences)}"
        ),
    )
    sequences = tuple(sequences)
    check(len(sequences) > 0, RuntimeError, "received an empty list of sequences")
    check(
        padding_side in ("left", "right"),
        RuntimeError,
        lambda: f"Expected padding_side to be one of left or right, but got {padding_side}.",
    )
    check(
        all(s.dim() > 0 for s in sequences),
        RuntimeError,
        "pad_sequence: every sequence needs a first (time) dimension; got a 0-d tensor",
    )
    return _kernels._pad_sequence(sequences, batch_first, padding_value, padding_side)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The inverse of pad_sequence: the list of sequences, each cut to its length. As in
    torch, a ``batch_first=False`` input is transposed in place."""
    if not batch_first:
        padded_sequences.transpose_(0, 1)
    max_length = padded_sequences.shape[1]
    idx = arange(max_length, device=lengths.device)
    return [seq[idx < length] for seq, length in zip(padded_sequences, lengths, strict=True)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences ``(L_i, *)`` (decreasing lengths unless ``enforce_sorted`` is
    False)."""
    lengths = as_tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences a PackedSequence holds, in their original order."""
    padded_sequences, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded_sequences, lengths, batch_first=True)
