"""What torch.load builds from a checkpoint: storages, and tensors on them.

Note [loaded storages]: a checkpoint names each storage once (a key) and every tensor that
views it carries its own offset, size and stride. ``UntypedStorage`` holds a storage's bytes
until the first tensor on it is rebuilt; that tensor becomes the root of one jtorch Storage
(shaped as the tensor when it covers the whole storage contiguously, else flat), and every
later tensor on the same key is an ``as_strided`` view of that Storage, detached, so that the
tensors share memory as they did when saved, and none of them is a view in autograd's sense
(``_base`` is None), as in torch. jtorch keeps one dtype per Storage, so two dtypes on one key
(possible only in a hand-made file: torch refuses to save them) raise NotImplementedError.
"""

import math

import jax
import numpy as np

from .. import _device, _dtype
from .._storage import contiguous_strides

# torch's legacy typed-storage classes, by the name a checkpoint gives them
STORAGE_DTYPES = {
    "DoubleStorage": _dtype.float64,
    "FloatStorage": _dtype.float32,
    "HalfStorage": _dtype.float16,
    "BFloat16Storage": _dtype.bfloat16,
    "LongStorage": _dtype.int64,
    "IntStorage": _dtype.int32,
    "ShortStorage": _dtype.int16,
    "CharStorage": _dtype.int8,
    "ByteStorage": _dtype.uint8,
    "BoolStorage": _dtype.bool,
    "ComplexFloatStorage": _dtype.complex64,
    "ComplexDoubleStorage": _dtype.complex128,
}
QUANTIZED_STORAGES = (
    "QInt8Storage",
    "QInt32Storage",
    "QUInt8Storage",
    "QUInt4x2Storage",
    "QUInt2x4Storage",
)
STORAGE_NAMES = {d: name for name, d in STORAGE_DTYPES.items()}


class StorageType:
    """A legacy storage class named in a checkpoint (``torch.FloatStorage``): only its dtype
    matters."""

    def __init__(self, name):
        if name in QUANTIZED_STORAGES:
            raise NotImplementedError(f"torch.load: jtorch has no quantized tensors ({name})")
        self.name = name
        self.dtype = STORAGE_DTYPES[name]

    def __str__(self):
        return f"StorageType(dtype={self.dtype})"

    __repr__ = __str__


STORAGE_TYPES = {name: StorageType(name) for name in STORAGE_DTYPES}


class UntypedStorage:
    """torch.UntypedStorage as torch.load hands it to a ``map_location`` callable: a storage's
    bytes and the device they are bound for (see Note [loaded storages]).

    Differences from torch: only what ``map_location`` callables use exists: ``device``,
    ``nbytes()``, ``size()``, ``cpu()``, ``cuda()``, ``to(device=...)``; the bytes are moved when
    the first tensor on the storage is rebuilt."""

    def __init__(self, data, device=_device.CPU):
        self._data = data  # numpy uint8, read-only
        self._pending = False  # legacy files: the bytes come after the tensors (see _legacy.py)
        self.device = device
        self._tensor_storage = None  # the jtorch Storage, once a tensor uses it
        self._root_shape = None
        self._dtype = None

    def nbytes(self):
        return self._data.size

    size = nbytes

    def __len__(self):
        return self._data.size

    def _moved(self, device):
        moved = UntypedStorage(self._data, _device.canonical(device))
        moved._pending = self._pending
        return moved

    def cpu(self):
        return self if self.device.type == "cpu" else self._moved("cpu")

    def cuda(self, device=None, non_blocking=False):
        return self._moved("cuda" if device is None else device)

    def to(self, *, device=None, non_blocking=False):
        return self._moved(device)

    def __repr__(self):
        return f"UntypedStorage(nbytes={self.nbytes()}, device='{self.device}')"

    def _typed(self, dtype):
        return self._data.view(dtype._np)

    def tensor(self, dtype, offset, size, stride):
        """A jtorch tensor of ``dtype`` at (offset, size, stride) in this storage."""
        from ..autograd import grad_mode
        from ..tensor import Tensor

        size, stride, offset = (
            tuple(int(s) for s in size),
            tuple(int(s) for s in stride),
            int(offset),
        )
        whole = offset == 0 and _contiguous(size, stride)
        if self._tensor_storage is None:
            values = self._typed(dtype)
            shape = size if whole and math.prod(size) == values.size else values.shape
            root = Tensor._wrap(
                jax.device_put(values.reshape(shape), _device.jax_device(self.device)), self.device
            )
            self._tensor_storage, self._root_shape, self._dtype = root._storage, shape, dtype
            if whole and shape == size:
                return root
        elif dtype is not self._dtype:
            raise NotImplementedError(
                f"torch.load: jtorch cannot view one storage as both {self._dtype} and {dtype}"
            )
        anchor = object.__new__(Tensor)
        anchor._init(self._tensor_storage, self._root_shape, dtype, self.device)
        if whole and size == self._root_shape:
            return anchor
        with grad_mode.no_grad():
            view = anchor.as_strided(size, stride, offset).detach()
        view._vc = [0]
        return view


def _contiguous(size, stride):
    expected = contiguous_strides(size)
    return all(s == e for s, e, n in zip(stride, expected, size) if n > 1)


def storage_dtype(storage_type):
    """The dtype of the storage class a persistent id names (UntypedStorage: bytes)."""
    if storage_type is UntypedStorage:
        return _dtype.uint8
    if not isinstance(storage_type, StorageType):
        raise NotImplementedError(
            f"torch.load: jtorch cannot load a storage of type {storage_type}"
        )
    return storage_type.dtype


class TypedStorage:
    """What a checkpoint's persistent id stands for: an UntypedStorage read as ``dtype``,
    starting ``offset`` elements in (legacy files' storage views)."""

    def __init__(self, untyped, dtype, offset=0):
        self.untyped, self.dtype, self.offset = untyped, dtype, offset


# ---- the rebuild functions a checkpoint calls (torch._utils names) -------------------------


def _rebuild_tensor(storage, storage_offset, size, stride):
    return storage.untyped.tensor(storage.dtype, storage.offset + storage_offset, size, stride)


def _finish(tensor, requires_grad, metadata):
    from .. import neg
    from .._ops.complex import conj

    if metadata:
        unknown = set(metadata) - {"conj", "neg"}
        if unknown:
            raise NotImplementedError(
                f"torch.load: tensor metadata {sorted(unknown)} is not supported"
            )
        if metadata.get("conj"):
            tensor = conj(tensor).detach()
        if metadata.get("neg"):
            tensor = neg(
                tensor
            )  # jtorch has no negative bit: the values, in a storage of their own
    tensor.requires_grad = requires_grad
    return tensor


def _rebuild_tensor_v2(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None
):
    if metadata and metadata.get("neg") and storage.untyped._pending:
        raise NotImplementedError(
            "torch.load: a tensor with the negative bit in a legacy-format checkpoint"
        )
    return _finish(_rebuild_tensor(storage, storage_offset, size, stride), requires_grad, metadata)


def _rebuild_tensor_v3(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None
):
    if not isinstance(dtype, _dtype.dtype):
        raise NotImplementedError(f"torch.load: jtorch has no dtype {dtype}")
    itemsize = dtype.itemsize
    offset = storage.offset * storage.dtype.itemsize // itemsize + storage_offset
    tensor = storage.untyped.tensor(dtype, offset, size, stride)
    return _finish(tensor, requires_grad, metadata)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    from ..nn import Parameter

    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_obj_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _set_obj_state(obj, state):
    """Set the Python attributes a tensor was saved with (a dict, or (dict, slots))."""
    if isinstance(state, tuple):
        if len(state) != 2:
            raise RuntimeError(f"Invalid serialized state: {state}")
        dict_state, slots_state = state
    else:
        dict_state, slots_state = state, None
    for part in (dict_state, slots_state):
        for k, v in (part or {}).items():
            setattr(obj, k, v)
    return obj


def _rebuild_from_type_v2(func, new_type, args, state):
    from ..tensor import Tensor

    ret = func(*args)
    if type(ret) is not new_type:
        if not (isinstance(new_type, type) and issubclass(new_type, Tensor)):
            raise NotImplementedError(f"torch.load: cannot rebuild a tensor as {new_type}")
        requires_grad = ret.requires_grad
        ret = ret._alias(new_type)
        ret._requires_grad = requires_grad
    setstate = getattr(type(ret), "__setstate__", None)
    if setstate is not None and setstate is not getattr(Tensor, "__setstate__", None):
        ret.__setstate__(state)
        return ret
    return _set_obj_state(ret, state)


def _rebuild_device_tensor_from_cpu_tensor(data, dtype, device, requires_grad):
    tensor = data.to(dtype=dtype, device=device)
    tensor.requires_grad = requires_grad
    return tensor


def _rebuild_device_tensor_from_numpy(data, dtype, device, requires_grad):
    from .. import from_numpy

    return _rebuild_device_tensor_from_cpu_tensor(
        from_numpy(np.array(data)), dtype, device, requires_grad
    )


def _unsupported(name, what):
    def rebuild(*args, **kwargs):
        raise NotImplementedError(f"torch.load: jtorch has no {what} (torch._utils.{name})")

    rebuild.__name__ = rebuild.__qualname__ = name
    return rebuild


_rebuild_qtensor = _unsupported("_rebuild_qtensor", "quantized tensors")
_rebuild_sparse_tensor = _unsupported("_rebuild_sparse_tensor", "sparse tensors")
_rebuild_nested_tensor = _unsupported("_rebuild_nested_tensor", "nested tensors")
_rebuild_meta_tensor_no_storage = _unsupported("_rebuild_meta_tensor_no_storage", "meta device")
_rebuild_wrapper_subclass = _unsupported("_rebuild_wrapper_subclass", "tensor wrapper subclasses")

REBUILD_FUNCTIONS = (
    _rebuild_tensor,
    _rebuild_tensor_v2,
    _rebuild_tensor_v3,
    _rebuild_parameter,
    _rebuild_parameter_with_state,
    _rebuild_qtensor,
    _rebuild_sparse_tensor,
    _rebuild_nested_tensor,
    _rebuild_meta_tensor_no_storage,
    _rebuild_wrapper_subclass,
    _rebuild_device_tensor_from_cpu_tensor,
    _rebuild_device_tensor_from_numpy,
)


def _get_layout(name):
    """torch.serialization._get_layout: the layout object named ``name`` (``torch.strided``)."""
    from .. import _layout

    found = getattr(_layout, name.rpartition(".")[2], None)
    if not isinstance(found, _layout.layout):
        raise NotImplementedError(f"torch.load: jtorch has no layout {name}")
    return found
