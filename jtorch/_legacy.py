"""Legacy tensor types: ``torch.FloatTensor([1, 2])``, ``isinstance(t, torch.LongTensor)``."""

from . import _dtype


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        from .tensor import Tensor

        return isinstance(obj, Tensor) and obj.dtype is cls._dtype and obj.device.type == "cpu"


def _legacy(name, dt):
    def new(cls, *args, **kwargs):
        from ._ops.creation import legacy_tensor

        return legacy_tensor(None, args, kwargs, dt)

    return _LegacyMeta(name, (), {"__new__": new, "_dtype": dt, "dtype": dt})


FloatTensor = _legacy("FloatTensor", _dtype.float32)
DoubleTensor = _legacy("DoubleTensor", _dtype.float64)
HalfTensor = _legacy("HalfTensor", _dtype.float16)
BFloat16Tensor = _legacy("BFloat16Tensor", _dtype.bfloat16)
LongTensor = _legacy("LongTensor", _dtype.int64)
IntTensor = _legacy("IntTensor", _dtype.int32)
ShortTensor = _legacy("ShortTensor", _dtype.int16)
CharTensor = _legacy("CharTensor", _dtype.int8)
ByteTensor = _legacy("ByteTensor", _dtype.uint8)
BoolTensor = _legacy("BoolTensor", _dtype.bool)
