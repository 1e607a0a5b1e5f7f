"""torch.save's pickler: jtorch objects written as torch writes torch's.

A tensor is written as torch writes it: ``_rebuild_tensor_v2(storage, storage_offset, size,
stride, requires_grad, OrderedDict())`` (``_rebuild_parameter`` around it for a Parameter,
``_rebuild_from_type_v2`` for a tensor with Python attributes), where ``storage`` is a
persistent id ``("storage", torch.<Type>Storage, key, location, numel)`` naming the whole
storage; tensors that share a jtorch Storage share the key, with their own offset and strides
(see Note [views and versions] in jtorch/_storage.py). Every jtorch class, function, dtype and
device is written under torch's name (see _names.py). The pickler is Python's pure-Python one,
which lets ``save_global`` write those names.
"""

import collections
import pickle
import types
from typing import ClassVar

import numpy as np

from .. import _device, _dtype, _layout
from .._storage import strides_from_index_map
from . import _names, _rebuild

_DIFFERENT_TYPES = (
    "Cannot save multiple tensors or storages that view the same data as different types"
)


class StorageTable:
    """The storages met while pickling, keyed as torch keys them (in order of first use)."""

    def __init__(self, legacy=False):
        self._legacy = legacy
        self._keys = {}  # id(jtorch Storage) -> key
        self._dtypes = {}  # id(jtorch Storage) -> dtype
        self.records = {}  # key -> _StorageRef

    def persistent_id(self, ref):
        ident = id(ref.storage)
        known = self._dtypes.setdefault(ident, ref.dtype)
        if known is not ref.dtype:
            raise RuntimeError(_DIFFERENT_TYPES)
        key = self._keys.get(ident)
        if key is None:
            key = str(ident) if self._legacy else str(len(self._keys))
            self._keys[ident] = key
            self.records[key] = ref
        storage_type = _rebuild.STORAGE_TYPES[_rebuild.STORAGE_NAMES[ref.dtype]]
        pid = ("storage", storage_type, key, ref.location, ref.numel)
        return pid + (None,) if self._legacy else pid


class _StorageRef:
    """A jtorch Storage seen as a storage of ``dtype`` (a real view of a complex storage sees
    its real slots), on its way into the file."""

    def __init__(self, storage, dtype, device):
        self.storage, self.dtype = storage, dtype
        self.location = str(device)
        root = storage.array
        self.numel = root.size * root.dtype.itemsize // dtype.itemsize

    def data(self):
        """The storage's bytes, little-endian, as a flat uint8 array."""
        values = np.ascontiguousarray(np.asarray(self.storage.read())).reshape(-1)
        return values.view(np.uint8)


def _layout_of(t):
    """(storage offset, strides, metadata) of ``t`` in its Storage, or None when ``t`` reads
    its storage negated (jtorch's form of torch's negative bit), which is saved as a copy."""
    if t._view is None:
        return 0, t.stride(), None
    idx = t._view.slot_map(t._storage.array.dtype)  # bitcast steps too (Note [bitcast views])
    metadata = None
    if idx.dtype.kind == "c":
        if idx.size and np.signbit(idx.imag.reshape(-1)[0]):
            metadata = {"conj": True}
        idx = idx.real // 2
    elif idx.dtype.kind == "f" and np.any(np.signbit(idx)):
        return None
    offset, strides = strides_from_index_map(np.abs(idx).astype(np.int64), t.shape)
    return offset, strides, metadata


def _reduce_plain(t):
    layout = _layout_of(t)
    saved = t
    if layout is None:
        saved = t.detach().clone()  # the values, in a Storage of their own
        layout = (0, saved.stride(), None)
    offset, strides, metadata = layout
    ref = _StorageRef(saved._storage, t.dtype, t.device)
    args = (ref, offset, tuple(t.shape), tuple(strides), t.requires_grad, collections.OrderedDict())
    if metadata:
        args += (metadata,)
    return _rebuild._rebuild_tensor_v2, args


def reduce_tensor(t):
    """The (callable, args) torch pickles for tensor ``t``."""
    from ..nn import Parameter
    from ..tensor import Tensor

    state = dict(t.__dict__) or None
    hooks = collections.OrderedDict()
    if isinstance(t, Parameter):
        if state is None:
            return _rebuild._rebuild_parameter, (t.data, t.requires_grad, hooks)
        return _rebuild._rebuild_parameter_with_state, (t.data, t.requires_grad, hooks, state)
    func, args = _reduce_plain(t)
    if type(t) is Tensor and state is None:
        return func, args
    return _rebuild._rebuild_from_type_v2, (func, type(t), args, state)


class Pickler(pickle._Pickler):
    """Python's pickler with torch's persistent ids for storages and torch's names for jtorch
    objects."""

    def __init__(self, file, protocol, table):
        super().__init__(file, protocol)
        self._table = table

    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            return self._table.persistent_id(obj)
        return None

    def reducer_override(self, obj):
        from ..tensor import Tensor

        if isinstance(obj, Tensor):
            return reduce_tensor(obj)
        if isinstance(obj, _dtype.dtype):
            return obj._name
        if isinstance(obj, _rebuild.StorageType):
            return obj.name
        if type(obj) is _device.device:
            args = (obj.type,) if obj.index is None else (obj.type, obj.index)
            return _device.device, args
        if isinstance(obj, _layout.layout):
            return _rebuild._get_layout, (repr(obj),)
        return NotImplemented

    dispatch: ClassVar[dict] = dict(pickle._Pickler.dispatch)
    # the base table holds the base class's save_global for functions: route them to ours
    dispatch[types.FunctionType] = lambda self, obj: self.save_global(obj)

    def save_global(self, obj, name=None):
        found = _names.torch_name(obj)
        if found is None:
            qualname = name or getattr(obj, "__qualname__", None) or getattr(obj, "__name__", "")
            if "<locals>" in qualname:  # the C pickler's error, which torch.save raises
                raise AttributeError(f"Can't pickle local object {qualname!r}")
            return super().save_global(obj, name)
        module, qualname = found
        self.write(pickle.GLOBAL + f"{module}\n{qualname}\n".encode())
        self.memoize(obj)
