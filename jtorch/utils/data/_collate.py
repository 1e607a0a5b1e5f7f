"""Collation: turning a list of samples into a batch (torch.utils.data._utils.collate).

``default_collate`` walks the structure of the first sample and stacks what sits at each place
in it across the batch: tensors are stacked along a new first dimension, numpy arrays and numpy
scalars become tensors, Python floats a float64 tensor, ints an int64 tensor, bools a bool
tensor; strings and bytes stay a list; mappings, namedtuples and sequences keep their type,
each field collated in turn (a plain tuple comes back as a list, as in torch). The rule for a
type comes from ``default_collate_fn_map``, looked up by exact type first and then by
``isinstance`` in insertion order, so users extend it the way they extend torch's.
``default_convert`` is the unbatched counterpart: numpy arrays become tensors, the rest keeps
its structure.
"""

import collections.abc
import copy
import re

import numpy as np

from ... import _dtype
from ..._ops.creation import as_tensor, tensor
from ..._ops.rearrange import stack
from ..._storage import read_stacked
from ...tensor import Tensor

# numpy dtype strings of bytes, str, unicode and object arrays: those cannot become tensors.
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _is_numpy_value(elem_type):
    return elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_")


def _rebuild_mapping(data, items):
    """A mapping like ``data`` holding ``items``: a copy of ``data`` updated in place when it is
    mutable (so subclasses keep their extra state), else its type built from a dict, else a
    plain dict when the type cannot be built either way."""
    try:
        if isinstance(data, collections.abc.MutableMapping):
            clone = copy.copy(data)
            clone.update(items)
            return clone
        return type(data)(items)
    except TypeError:
        return dict(items)


def _rebuild_sequence(data, items):
    """A sequence like ``data`` holding ``items`` (see ``_rebuild_mapping``)."""
    try:
        if isinstance(data, collections.abc.MutableSequence):
            clone = copy.copy(data)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return type(data)(items)
    except TypeError:
        return list(items)


def default_convert(data):
    """torch.utils.data.default_convert: every numpy array (and numpy scalar) inside ``data``
    becomes a tensor; mappings, namedtuples and sequences keep their structure (a tuple comes
    back as a list); anything else is returned unchanged."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if _is_numpy_value(elem_type):
        if (
            elem_type.__name__ == "ndarray"
            and np_str_obj_array_pattern.search(data.dtype.str) is not None
        ):
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def collate(batch, *, collate_fn_map=None):
    """torch.utils.data._utils.collate.collate: collate ``batch`` (a list of samples), using
    ``collate_fn_map`` (type -> function taking the batch and ``collate_fn_map=``) for leaves
    and recursing through mappings, namedtuples and sequences."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    def again(samples):
        return collate(samples, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: again([d[key] for d in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(again(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        rest = iter(batch)
        size = len(next(rest))
        if not all(len(e) == size for e in rest):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [again(samples) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return transposed
        return _rebuild_sequence(elem, transposed)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stack a batch of tensors along a new first dimension."""
    if getattr(batch[0], "is_nested", False):
        raise RuntimeError(
            "Batches of nested tensors are not currently supported by the default collate_fn; "
            "please provide a custom collate_fn to handle them appropriately."
        )
    stacked = _stacked_views(batch)
    return stack(batch, 0) if stacked is None else stacked


def _stacked_views(batch):
    """``stack(batch, 0)`` of views of one storage through one chain of view steps (a Dataset
    returning ``x[i]``), as one vmapped read of the storage (Note [deferred views] in
    jtorch/_ops/_registry.py), or None for any other batch. Not where a tensor requires grad (the
    stack would be recorded) or the storage is shared with numpy."""
    first = batch[0]
    spec, st = first._view, first._storage
    if spec is None or len(batch) < 2 or st.host is not None:
        return None
    keys = spec.keys  # the chain's static parts (one storage: one root shape)
    for t in batch:
        v = t._view
        if t._storage is not st or v is None or t._requires_grad or type(t) is not Tensor:
            return None
        if v.keys is not keys and v.keys != keys:
            return None
    try:
        value = read_stacked(spec, st.read(), [t._view.dyn for t in batch])
    except ValueError:  # step arguments of different shapes (they cannot be stacked)
        return None
    return Tensor._wrap(value, first._device)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """A batch of numpy arrays: each becomes a tensor, then they are collated as tensors."""
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    return tensor(batch, dtype=_dtype.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,  # and np.memmap, a subclass
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,  # numpy scalars but strings
    float: collate_float_fn,
    int: collate_int_fn,  # and bool, a subclass: a bool tensor
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """torch.utils.data.default_collate: ``batch``, a list of samples, as one batch.

    Tensors are stacked along a new first dimension; numpy arrays and numbers become tensors
    (Python floats float64, ints int64, bools bool); strings stay a list; a mapping,
    namedtuple or sequence keeps its structure, each field collated across the batch. Raises
    torch's RuntimeError when sequences differ in length and TypeError for other types.
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
