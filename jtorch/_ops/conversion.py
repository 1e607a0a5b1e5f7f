"""Tensor.to / .type: dtype conversions (a recorded op) and device transfers."""

import warnings

import jax
import jax.numpy as jnp

from .. import _device, _dtype
from .._errors import check
from ..autograd import grad_mode
from ..autograd.graph import Node
from ._registry import NONE, T, op


@op("_to_dtype", promote=NONE, method=False, out=False, grad_name="ToCopyBackward0", linear=True)
def _to_dtype(input: T, dtype):
    """A cast as torch's CPU kernels do it (on x86): complex to real drops the imaginary part,
    anything nonzero is True, and floats become integers through a C cast."""
    if dtype is _dtype.bool:
        return input != 0
    if input.dtype.kind == "c" and not dtype.is_complex:
        # Warned when the cast is traced, so once per signature, as torch warns once.
        warnings.warn(
            "Casting complex values to real discards the imaginary part", UserWarning, stacklevel=2
        )
        input = input.real
    if _dtype.from_numpy_dtype(input.dtype).is_floating_point and _dtype.is_integral(dtype):
        return _float_to_int(input, dtype)
    return input.astype(dtype._np)


def _float_to_int(x, dtype):
    """x86's truncating conversion: narrow types go through int32 and wrap; values out of
    range (and nan) give the wide type's minimum, where jax would saturate."""
    wide = jnp.int64 if dtype is _dtype.int64 else jnp.int32
    if x.dtype.itemsize < 4:  # exact, and keeps the limits below representable
        x = x.astype(jnp.float32)
    limit = float(2 ** (jnp.iinfo(wide).bits - 1))
    ok = (x >= -limit) & (x < limit)
    y = jnp.where(ok, jnp.where(ok, x, 0).astype(wide), jnp.iinfo(wide).min)
    return y.astype(dtype._np)


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
        node = _TransferNode(
            "ToCopyBackward0",
            None,
            None,
            (True,),
            None,
            [(out._shape, out._value().dtype)],
            [t._grad_edge()],
        )
        node._src = t._device
        out._grad_fn, out._output_nr, out._requires_grad = node, 0, True
    return out


_TO_KEYWORDS = ("dtype", "device", "non_blocking", "copy", "memory_format")


def _parse_to(args, kwargs):
    """(dtype, device, copy) from torch's three overloads of Tensor.to: (device=None,
    dtype=None, non_blocking, copy), (dtype, non_blocking, copy), (tensor, non_blocking, copy)."""
    from ..tensor import Tensor

    if len(args) == 1 and not kwargs:  # .to(device) or .to(dtype), once per batch in a loop
        a = args[0]
        if isinstance(a, (_device.device, str)):
            return None, a, False
        if isinstance(a, _dtype.dtype):
            return a, None, False
    rest = [_dtype.as_dtype(a) for a in args]
    kwargs = {k: _dtype.as_dtype(v) if k == "dtype" else v for k, v in kwargs.items()}
    dtype = device = None
    if rest and isinstance(rest[0], Tensor):
        other = rest.pop(0)
        dtype, device = other.dtype, other.device
    elif rest and isinstance(rest[0], _dtype.dtype):
        dtype = rest.pop(0)
    elif rest and (rest[0] is None or _is_device_like(rest[0])):
        device = rest.pop(0)
        if rest and (rest[0] is None or isinstance(rest[0], _dtype.dtype)):  # to(None, None, False)
            dtype = rest.pop(0)
    flags = dict(zip(("non_blocking", "copy"), rest))
    ok = len(rest) <= 2 and all(isinstance(f, bool) for f in flags.values())
    ok = ok and set(kwargs) <= set(_TO_KEYWORDS) and not (set(kwargs) & set(flags))
    ok = (
        ok
        and (dtype is None or "dtype" not in kwargs)
        and (device is None or "device" not in kwargs)
    )
    dtype = kwargs.get("dtype", dtype)
    device = kwargs.get("device", device)
    ok = (
        ok
        and (dtype is None or isinstance(dtype, _dtype.dtype))
        and (device is None or _is_device_like(device))
    )
    check(
        ok,
        TypeError,
        lambda: (
            f"to() received an invalid combination of arguments - got {_describe(args, kwargs)}"
        ),
    )
    return dtype, device, kwargs.get("copy", flags.get("copy", False))


def _is_device_like(x):
    return isinstance(x, (str, _device.device)) or (isinstance(x, int) and not isinstance(x, bool))


def _describe(args, kwargs):
    from ..tensor import Tensor

    def name(v):
        if isinstance(v, Tensor):
            return "Tensor"
        return (
            "torch." + type(v).__name__
            if isinstance(v, (_dtype.dtype, _device.device))
            else type(v).__name__
        )

    parts = [name(a) for a in args] + [f"{k}={name(v)}" for k, v in kwargs.items()]
    return "(" + ", ".join(parts) + (", )" if kwargs else ")")


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
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "float16": "HalfTensor",
    "bfloat16": "BFloat16Tensor",
    "int64": "LongTensor",
    "int32": "IntTensor",
    "int16": "ShortTensor",
    "int8": "CharTensor",
    "uint8": "ByteTensor",
    "bool": "BoolTensor",
    "complex64": "ComplexFloatTensor",
    "complex128": "ComplexDoubleTensor",
}


def type_name(t):
    prefix = "torch.cuda." if t._device.type == "cuda" else "torch."
    return prefix + _TYPE_NAMES[t._dtype._name]


def type_(t, dtype=None):
    """Tensor.type(): the type string, or a conversion to a dtype or type string."""
    if dtype is None:
        return type_name(t)
    if isinstance(dtype, str):
        prefix, _, name = dtype.rpartition(".")
        match = [d for d, n in _TYPE_NAMES.items() if n == name]
        check(
            match and prefix in ("torch", "torch.cuda"),
            ValueError,
            lambda: f"invalid type: '{dtype}'",
        )
        out = to(t, getattr(_dtype, match[0]))
        return out.cuda() if prefix == "torch.cuda" else out
    return to(t, dtype)
