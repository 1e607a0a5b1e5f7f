"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/empty/full (and _like), arange,
linspace, logspace, eye, and the legacy ``torch.Tensor(...)`` constructor.

Every array is made on the host with numpy in the exact dtype and placed explicitly on the
requested device (jax's own default would be the GPU).
"""

import builtins
import math

import jax
import numpy as np

from .. import _device, _dtype
from .._errors import check
from .._size import Size

# ---- placing host arrays ---------------------------------------------------------------------


def place(host, device=None, requires_grad=False, cls=None):
    """A new tensor holding numpy array ``host`` on ``device``."""
    from ..tensor import Tensor

    dev = _device.canonical(device)
    t = Tensor._wrap(jax.device_put(host, _device.jax_device(dev)), dev, cls)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _np_dtype(dtype, default=None):
    d = dtype if dtype is not None else (default or _dtype.get_default_dtype())
    check(isinstance(d, _dtype.dtype), TypeError, lambda: f"dtype must be torch.dtype, not {type(d).__name__}")
    return d._np


def size_arg(size, name="size"):
    """torch's ``*size`` convention: ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])``, ``f(torch.Size)``."""
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = size[0]
    out = []
    for s in size:
        check(
            isinstance(s, int) or hasattr(s, "__index__"),
            TypeError,
            lambda: f"{name}(): argument 'size' must be tuple of ints, but found element of type "
            f"{type(s).__name__} at pos {len(out)}",
        )
        s = int(s.__index__())
        check(s >= 0, RuntimeError, lambda: f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(s)
    return tuple(out)


# ---- inferring dtypes of Python data ---------------------------------------------------------


def _leaf_dtype(x):
    from ..tensor import Tensor

    if isinstance(x, Tensor):
        return x._dtype
    if isinstance(x, (np.generic, np.ndarray)):
        return _dtype.from_numpy_dtype(x.dtype)
    if isinstance(x, (builtins.bool, int, float, complex)):
        return _dtype.scalar_dtype(x)
    raise TypeError(f"new(): invalid data type '{type(x).__name__}'")


def _flatten(data, shape, depth, out, dtypes):
    """Walk nested sequences, checking they are rectangular (torch's error otherwise)."""
    from ..tensor import Tensor

    if isinstance(data, (list, tuple)):
        n = len(data)
        if len(shape) == depth:
            shape.append(n)
        else:
            check(
                shape[depth] == n,
                ValueError,
                lambda: f"expected sequence of length {shape[depth]} at dim {depth} (got {n})",
            )
        for x in data:
            _flatten(x, shape, depth + 1, out, dtypes)
        return
    check(
        len(shape) == depth or isinstance(data, (Tensor, np.ndarray)),
        ValueError,
        lambda: f"expected sequence of length {shape[depth]} at dim {depth} (got {type(data).__name__})",
    )
    if isinstance(data, Tensor):
        check(data.numel() == 1, ValueError, "only one element tensors can be converted to Python scalars")
        dtypes.add(data._dtype)
        out.append(data.item())
        return
    dtypes.add(_leaf_dtype(data))
    out.append(data.item() if isinstance(data, (np.generic, np.ndarray)) else data)


def host_array(data, dtype=None):
    """``data`` (nested sequences, scalars, numpy arrays, Tensors) as a numpy array in torch's
    inferred dtype (or ``dtype``)."""
    from ..tensor import Tensor

    if isinstance(data, Tensor):
        h, inferred = data._host(), data._dtype
    elif isinstance(data, np.ndarray):
        inferred = _dtype.from_numpy_dtype(data.dtype)
        h = data
    else:
        shape, flat, dtypes = [], [], set()
        _flatten(data, shape, 0, flat, dtypes)
        inferred = None
        for d in dtypes:
            inferred = d if inferred is None else _dtype.promote_types(inferred, d)
        if inferred is None:
            inferred = _dtype.get_default_dtype()
        h = np.array(flat, dtype=_wider(inferred)).reshape(shape)
    target = dtype or inferred
    return np.asarray(h).astype(target._np, copy=False), target


def _wider(d):
    # Build from Python values at full precision, then round once to the target dtype.
    if d.is_complex:
        return np.complex128
    if d.is_floating_point:
        return np.float64
    return d._np


# ---- public creation functions -----------------------------------------------------------------


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """torch.tensor: a new tensor that copies ``data``."""
    h, dt = host_array(data, dtype)
    if requires_grad:
        check(
            dt.is_floating_point or dt.is_complex,
            RuntimeError,
            "Only Tensors of floating point and complex dtype can require gradients",
        )
    return place(np.array(h, copy=True), device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """torch.as_tensor: shares memory with a Tensor or numpy array when no conversion is needed."""
    from ..tensor import Tensor

    if isinstance(data, Tensor):
        return data.to(device=device if device is not None else data.device, dtype=dtype or data.dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtype._np == data.dtype) and _device.canonical(device).type == "cpu":
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    t = as_tensor(obj, dtype=dtype, device=device) if not copy else tensor(obj, dtype=dtype, device=device)
    return t.requires_grad_(requires_grad) if requires_grad else t


def from_numpy(ndarray):
    """torch.from_numpy: a CPU tensor that shares memory with ``ndarray`` (see _storage.Storage)."""
    from .._storage import Storage
    from ..tensor import Tensor

    check(isinstance(ndarray, np.ndarray), TypeError, lambda: f"expected np.ndarray (got {type(ndarray).__name__})")
    dt = _dtype.from_numpy_dtype(ndarray.dtype)
    t = object.__new__(Tensor)
    arr = jax.device_put(np.ascontiguousarray(ndarray), _device.jax_device(_device.CPU))
    t._init(Storage(arr, host=ndarray), ndarray.shape, dt, _device.CPU)
    return t


def _filled(size, value, dtype, device, requires_grad, name):
    shape = size_arg(size, name)
    return place(np.full(shape, value, dtype=_np_dtype(dtype)), device, requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _maybe_out(_filled(size, 0, dtype, device, requires_grad, "zeros"), out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _maybe_out(_filled(size, 1, dtype, device, requires_grad, "ones"), out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False, memory_format=None):
    """torch.empty. Differences from torch: the memory is zero-filled, not uninitialized."""
    return _maybe_out(_filled(size, 0, dtype, device, requires_grad, "empty"), out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    if dtype is None:
        fill = fill_value.item() if hasattr(fill_value, "item") else fill_value
        dtype = _dtype.scalar_dtype(fill)
    return _maybe_out(_filled((size,), fill_value, dtype, device, requires_grad, "full"), out)


def _maybe_out(result, out):
    if out is None:
        return result
    return out._resize_assign(result)


def _like(input, dtype, device):
    return dict(dtype=dtype or input.dtype, device=device if device is not None else input.device)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return zeros(input.shape, requires_grad=requires_grad, **_like(input, dtype, device))


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return ones(input.shape, requires_grad=requires_grad, **_like(input, dtype, device))


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return empty(input.shape, requires_grad=requires_grad, **_like(input, dtype, device))


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return full(input.shape, fill_value, requires_grad=requires_grad, **_like(input, dtype, device))


def _scalar(x):
    return x.item() if hasattr(x, "item") else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.arange: values ``start + i * step`` computed in double, then cast (as torch does)."""
    if end is None:
        start, end = 0, start
    start, end, step = _scalar(start), _scalar(end), _scalar(step)
    check(step != 0, RuntimeError, "step must be nonzero")
    check(
        (end - start) * step >= 0 or end == start,
        RuntimeError,
        "upper bound and larger bound inconsistent with step sign",
    )
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = _dtype.get_default_dtype() if is_float else _dtype.int64
    n = builtins.max(0, math.ceil((end - start) / step))
    if all(isinstance(v, int) for v in (start, step)):
        values = start + np.arange(n, dtype=np.int64) * step
    else:
        values = start + np.arange(n, dtype=np.float64) * step
    return _maybe_out(place(values.astype(dtype._np), device, requires_grad), out)


def range_(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The deprecated torch.range (end inclusive)."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    dtype = dtype or _dtype.get_default_dtype()
    values = start + np.arange(n, dtype=np.float64) * step
    return _maybe_out(place(values.astype(dtype._np), device, requires_grad), out)


def _linspace_values(start, end, steps, dt):
    """torch's linspace: the first half counts up from start, the second down from end,
    in the output dtype's arithmetic."""
    check(steps >= 0, RuntimeError, "number of steps must be non-negative")
    if steps == 0:
        return np.zeros(0, dt)
    if steps == 1:
        return np.full(1, start, dt)
    work = np.dtype(dt).type if np.issubdtype(dt, np.inexact) else np.float64
    s, e = work(start), work(end)
    step = (e - s) / work(steps - 1)
    i = np.arange(steps)
    half = steps // 2
    out = np.where(i < half, s + step * i.astype(work), e - step * (steps - 1 - i).astype(work))
    return out.astype(dt)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    dt = _np_dtype(dtype)
    return _maybe_out(place(_linspace_values(_scalar(start), _scalar(end), steps, dt), device, requires_grad), out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    dt = _np_dtype(dtype)
    exps = _linspace_values(_scalar(start), _scalar(end), steps, np.float64)
    return _maybe_out(place(np.power(base, exps).astype(dt), device, requires_grad), out)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    check(n >= 0, RuntimeError, lambda: f"n must be greater or equal to 0, got {n}")
    return _maybe_out(place(np.eye(n, n if m is None else m, dtype=_np_dtype(dtype)), device, requires_grad), out)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return place(np.asarray(s, dtype=_np_dtype(dtype)), device, requires_grad)


def legacy_tensor(cls, args, kwargs, dtype=None):
    """``torch.Tensor(...)`` (and ``torch.LongTensor(...)`` with ``dtype``): sizes give a tensor
    of that shape, data gives a copy in the default float dtype (or ``dtype``)."""
    device = kwargs.pop("device", None)
    check(not kwargs, TypeError, lambda: f"new() received an invalid combination of arguments - got {kwargs}")
    dt = dtype or _dtype.get_default_dtype()
    if not args:
        return place(np.zeros((0,), dt._np), device, cls=cls)
    if all(isinstance(a, int) for a in args) or (len(args) == 1 and isinstance(args[0], Size)):
        return place(np.zeros(size_arg(args), dt._np), device, cls=cls)
    check(len(args) == 1, TypeError, "new(): data must be a sequence")
    h, _ = host_array(args[0], dt)
    return place(np.array(h, copy=True), device, cls=cls)
