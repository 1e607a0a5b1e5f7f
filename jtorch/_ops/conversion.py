"""Tensor.to / .type: dtype conversions (a recorded op) and device transfers."""

import jax

from .. import _device, _dtype
from .._errors import check
from ..autograd import grad_mode
from ..autograd.graph import Node
from ._registry import NONE, T, op


@op("_to_dtype", promote=NONE, method=False, out=False, grad_name="ToCopyBackward0", linear=True)
def _to_dtype(input: T, dtype):
    if input.dtype.kind == "c" and not (dtype.is_complex):
        input = input.real
    return input.astype(dtype._np)


class _TransferNode(Node):
    """Backward of a device transfer: the gradient goes back to the source device."""

    __slots__ = ("_src",)

    def apply(self, cts):
        return [jax.device_put(cts[0], _device.jax_device(self._src))]

    def apply_tensors(self, cts):
        return [cts[0].to(self._src)]


def _transfer(t, dev):
    from ..tensor import Tensor

    out = Tensor._wrap(jax.device_put(t._value(), _device.jax_device(dev)), dev)
    if grad_mode.is_grad_enabled() and t._requires_grad:
        node = _TransferNode("ToCopyBackward0", None, None, (True,), None, [(out._shape, out._value().dtype)], [t._grad_edge()])
        node._src = t._device
        out._grad_fn, out._output_nr, out._requires_grad = node, 0, True
    return out


def _parse_to(args, kwargs):
    from ..tensor import Tensor

    dtype, device = kwargs.pop("dtype", None), kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    check(not kwargs, TypeError, lambda: f"to() received an invalid combination of arguments - got {kwargs}")
    for a in args:
        if isinstance(a, _dtype.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (str, _device.device, int)):
            device = a
        elif isinstance(a, bool):
            continue
        else:
            raise TypeError(f"to() received an invalid combination of arguments - got ({type(a).__name__})")
    return dtype, device, copy


def to(t, *args, **kwargs):
    """Tensor.to(dtype), .to(device), .to(device, dtype), .to(other): self when nothing changes."""
    dtype, device, copy = _parse_to(args, kwargs)
    out = t
    if device is not None:
        dev = _device.canonical(device)
        if dev != t._device:
            out = _transfer(out, dev)
    if dtype is not None and dtype is not out._dtype:
        out = _to_dtype(out, dtype)
    if copy and out is t:
        out = t.clone()
    return out


_TYPE_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor", "bfloat16": "BFloat16Tensor",
    "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
    "uint8": "ByteTensor", "bool": "BoolTensor", "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor",
}


def type_name(t):
    prefix = "torch.cuda." if t._device.type == "cuda" else "torch."
    return prefix + _TYPE_NAMES[t._dtype._name]


def type_(t, dtype=None):
    """Tensor.type(): the type string, or a conversion to a dtype or type string."""
    if dtype is None:
        return type_name(t)
    if isinstance(dtype, str):
        name = dtype.rsplit(".", 1)[-1]
        match = [d for d, n in _TYPE_NAMES.items() if n == name]
        check(match, ValueError, lambda: f"invalid type: '{dtype}'")
        out = to(t, getattr(_dtype, match[0]))
        return out.cuda() if ".cuda." in dtype else out
    return to(t, dtype)
