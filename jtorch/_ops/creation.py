"""Tensor creation: tensor, as_tensor, asarray, from_numpy, zeros/ones/empty/full (and _like),
eye, scalar_tensor, complex/polar, and the legacy ``torch.Tensor(...)`` constructor. The range
factories (arange, range, linspace, logspace) are in ranges.py.

Every array is made on the host with numpy in the exact dtype and placed explicitly on the
requested device (jax's own default would be the GPU).
"""

import builtins
import itertools
import operator
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from .. import _device, _dtype
from .._errors import check
from .._layout import check_strided
from .._size import Size
from ._registry import NONE, TT, method, op
from .pointwise import _with_jvp, sgn

# ---- placing host arrays ---------------------------------------------------------------------


def place(host, device=None, requires_grad=False, cls=None):
    """A new tensor holding numpy array ``host`` on ``device``."""
    from ..tensor import Tensor

    dev = _device.canonical(device)
    t = Tensor._wrap(jax.device_put(host, _device.jax_device(dev)), dev, cls)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _np_dtype(dtype, default=None, name=None):
    d = _dtype.as_dtype(dtype) if dtype is not None else (default or _dtype.get_default_dtype())
    check(
        isinstance(d, _dtype.dtype),
        TypeError,
        lambda: (
            f"{name + '(): ' if name else ''}argument 'dtype' must be torch.dtype, not {type(d).__name__}"
        ),
    )
    return d._np


def size_arg(size, name="size"):
    """torch's ``*size`` convention: ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])``, ``f(torch.Size)``."""
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = size[0]
    elif builtins.any(isinstance(s, (list, tuple)) for s in size):
        raise TypeError(f"{name}() takes 1 positional argument but {len(size)} were given")
    out = []
    for s in size:
        check(
            not isinstance(s, builtins.bool) and hasattr(s, "__index__"),
            TypeError,
            lambda: (
                f"{name}(): argument 'size' failed to unpack the object at pos {len(out) + 1} with error "
                f'"type must be tuple of ints,but got {type(s).__name__}"'
            ),
        )
        out.append(operator.index(s))
    negative = [s for s in out if s < 0]
    check(
        not negative,
        RuntimeError,
        lambda: f"Trying to create tensor with negative dimension {negative[0]}: {out}",
    )
    return tuple(out)


def _check_requires_grad(requires_grad, d):
    check(
        not requires_grad or d.is_floating_point or d.is_complex,
        RuntimeError,
        "Only Tensors of floating point and complex dtype can require gradients",
    )


def _out_dtype(out, dtype):
    """The dtype of a creation function called with ``out=``: the out tensor's, unless told."""
    dtype = _dtype.as_dtype(dtype)
    if out is None or dtype is None:
        return dtype if out is None else out.dtype
    check(
        dtype is out.dtype,
        RuntimeError,
        lambda: (
            f"dtype {_dtype.title(dtype)} does not match dtype of out parameter ({_dtype.title(out.dtype)})"
        ),
    )
    return dtype


def finish(host, out=None, device=None, requires_grad=False):
    """Place ``host`` as a new tensor, or write it into ``out`` (resizing it, as torch does)."""
    if out is None:
        return place(host, device, requires_grad)
    return out._resize_assign(place(host, out.device))


# ---- Python data to arrays (torch's compute_sizes / infer_scalar_type / store_scalar) ---------

_PY_SCALARS = (builtins.bool, int, float, complex)


def _is_sequence(x):
    """Python's sequence protocol as torch's parser sees it; a Tensor inside a list is a scalar."""
    from ..tensor import Tensor

    if type(x) in _PY_SCALARS or isinstance(x, (Tensor, dict, np.generic)):
        return False
    return hasattr(type(x), "__getitem__") and hasattr(type(x), "__len__")


def _sizes(data):
    """The shape, read along the chain of first elements (torch's compute_sizes)."""
    shape = []
    while _is_sequence(data):
        check(
            not isinstance(data, (str, bytes)),
            ValueError,
            lambda: f"too many dimensions '{type(data).__name__}'",
        )
        check(
            not (isinstance(data, np.ndarray) and data.ndim == 0),
            TypeError,
            "len() of unsized object",
        )
        shape.append(len(data))
        if not shape[-1]:
            break
        data = data[0]
    return shape


def _infer_dtype(data):
    """torch's infer_scalar_type: Python scalars have their default dtypes, numpy and tensor
    leaves their own, all combined with promote_types."""
    from ..tensor import Tensor

    t = type(data)
    if t is float:
        return _dtype.get_default_dtype()
    if t is int:
        return _dtype.int64
    if t is builtins.bool:
        return _dtype.bool
    if isinstance(data, Tensor):
        return data._dtype
    if isinstance(data, (np.ndarray, np.generic)):
        return from_numpy_dtype(data.dtype)
    if isinstance(data, complex):
        check(
            _dtype.get_default_dtype() is not _dtype.bfloat16,
            RuntimeError,
            "invalid default scalar type for complex",
        )
        return _dtype.default_complex()
    if isinstance(data, _PY_SCALARS):  # subclasses of the Python scalar types
        return _dtype.scalar_dtype(data)
    check(
        not isinstance(data, (str, bytes)),
        TypeError,
        lambda: f"new(): invalid data type '{t.__name__}'",
    )
    check(_is_sequence(data), RuntimeError, lambda: f"Could not infer dtype of {t.__name__}")
    result = None
    for x in data:
        d = _infer_dtype(x)
        result = d if result is None else _dtype.promote_types(result, d)
    return result or _dtype.get_default_dtype()


def _store(data, shape, depth, out):
    """Collect the leaves of rectangular ``data`` into ``out`` (torch's recursive_store)."""
    if depth == len(shape):
        out.append(data)
        return
    check(_is_sequence(data), TypeError, "not a sequence")
    n = len(data)
    check(
        n == shape[depth],
        ValueError,
        lambda: f"expected sequence of length {shape[depth]} at dim {depth} (got {n})",
    )
    if isinstance(data, np.ndarray):
        data = data.tolist()
    for x in data:
        _store(x, shape, depth + 1, out)


def cast(values, d):
    """float64 ``values`` as dtype ``d``; float16 and bfloat16 round through float32, as c10's
    conversions from double do."""
    if d.is_floating_point and d.itemsize == 2:
        values = values.astype(np.float32)
    return values.astype(d._np)


def _as_double(x):
    if isinstance(x, float):
        return x
    check(
        not isinstance(x, complex)
        and (hasattr(type(x), "__float__") or hasattr(type(x), "__index__")),
        TypeError,
        lambda: f"must be real number, not {type(x).__name__}",
    )
    return float(x)


def _as_integer(x, d):
    """torch's checked conversion of one Python value to integer dtype ``d``."""
    info = np.iinfo(d._np)
    if isinstance(x, float):
        check(
            x == x and float(info.min) <= x <= float(info.max),  # compared in double, as C does
            RuntimeError,
            lambda: f"value cannot be converted to type {d._name} without overflow",
        )
        return int(x) if x < 2**63 else -(2**63)  # C's cast of 2.0**63 to int64 (x86)
    v = operator.index(x)
    check(-(2**63) <= v < 2**63, ValueError, "Overflow when unpacking long long")
    low = -info.max if info.min == 0 else info.min  # negative values wrap into unsigned types
    check(
        low <= v <= info.max,
        RuntimeError,
        lambda: f"value cannot be converted to type {d._name} without overflow",
    )
    return v % (info.max + 1) if v < 0 and info.min == 0 else v


def _as_bool(x):
    if isinstance(x, (float, complex, np.bool_)):
        return builtins.bool(x)
    return builtins.bool(operator.index(x))


def _as_complex(x):
    if isinstance(x, complex):
        return x
    check(
        builtins.any(hasattr(type(x), m) for m in ("__complex__", "__float__", "__index__")),
        TypeError,
        lambda: f"must be real number, not {type(x).__name__}",
    )
    return complex(x)


def _leaves_array(leaves, d):
    """The leaves as a numpy array of dtype ``d``, each converted as torch's store_scalar does."""
    if d.is_floating_point:
        if not builtins.all(type(x) in (builtins.bool, int, float) for x in leaves):
            leaves = [_as_double(x) for x in leaves]
        with np.errstate(over="ignore"):  # out-of-range floats become inf, as in torch
            return cast(np.array(leaves, dtype=np.float64), d)
    if d.is_complex:
        return np.array([_as_complex(x) for x in leaves], dtype=np.complex128).astype(d._np)
    if d is _dtype.bool:
        return np.array([_as_bool(x) for x in leaves], dtype=np.bool_)
    return np.array([_as_integer(x, d) for x in leaves], dtype=np.int64).astype(d._np)


def host_array(data, dtype=None):
    """Python data (nested sequences of scalars, numpy scalars, numpy arrays and one-element
    Tensors) as a numpy array in torch's inferred dtype, or ``dtype``. Returns (array, dtype)."""
    check(
        not isinstance(data, (str, bytes)),
        TypeError,
        lambda: f"new(): invalid data type '{type(data).__name__}'",
    )
    shape = _sizes(data)
    fast = _plain_array(data, shape, dtype)
    if fast is not None:
        return fast
    target = dtype if dtype is not None else _infer_dtype(data)
    leaves = []
    _store(data, shape, 0, leaves)
    return _leaves_array(leaves, target).reshape(shape), target


def _plain_array(data, shape, dtype):
    """The common case at C speed: rectangular lists of Python bools, ints and floats. None
    when ``data`` is anything else, for the general path (and its errors) to handle."""
    level = [data]
    for n in shape:
        if not builtins.all(type(x) in (list, tuple) and len(x) == n for x in level):
            return None
        level = list(itertools.chain.from_iterable(level))
    types = set(map(type, level))
    if not types <= {builtins.bool, int, float}:
        return None
    inferred = (
        _dtype.get_default_dtype()
        if float in types
        else _dtype.int64
        if int in types
        else _dtype.bool
    )
    target = dtype or inferred
    if target.is_floating_point or target.is_complex:
        with np.errstate(over="ignore"):
            return cast(np.array(level, np.float64), target).reshape(shape), target
    if target is _dtype.bool or float in types:
        return None
    try:
        ints = np.array(level, np.int64)
    except OverflowError:
        return None
    info = np.iinfo(target._np)
    low = -info.max if info.min == 0 else info.min
    if ints.size and (ints.min() < low or ints.max() > info.max):
        return None
    return ints.astype(target._np).reshape(shape), target


def from_numpy_dtype(np_dtype):
    """The torch dtype of a numpy dtype, with torch's TypeError for the ones jtorch lacks."""
    try:
        return _dtype.from_numpy_dtype(np_dtype)
    except TypeError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only supported "
            "types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
            "uint8, and bool."
        ) from None


# ---- tensor, as_tensor, asarray, from_numpy -----------------------------------------------------


def _copy_of(t, dtype, device):
    """A new tensor with ``t``'s values (no history), cast as ``Tensor.to`` casts."""
    from .conversion import _to_dtype

    out = place(np.array(t._host()), device if device is not None else t.device)
    if dtype is not None and dtype is not out.dtype:
        out = _to_dtype(out, dtype)
    return out


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """torch.tensor: a new tensor (never sharing memory) from data: nested sequences of
    Python or numpy scalars and one-element tensors, a numpy array, or a tensor."""
    from ..tensor import Tensor

    dtype = _dtype.as_dtype(dtype)
    if dtype is not None:
        _np_dtype(dtype, name="tensor")
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        t = _copy_of(data, dtype, device)
    elif isinstance(data, np.ndarray):
        t = _copy_of(from_numpy(data), dtype, device)
    else:
        if isinstance(data, list) and data and isinstance(data[0], np.ndarray):
            warnings.warn(
                "Creating a tensor from a list of numpy.ndarrays is extremely slow. Please consider converting "
                "the list to a single numpy.ndarray with numpy.array() before converting to a tensor.",
                UserWarning,
                stacklevel=2,
            )
        h, d = host_array(data, dtype)
        t = place(h, device)
    _check_requires_grad(requires_grad, t._dtype)
    return t.requires_grad_(True) if requires_grad else t


def as_tensor(data, dtype=None, device=None):
    """torch.as_tensor: ``data`` itself when it is a tensor of that dtype and device; a tensor
    sharing memory with a numpy array of that dtype on the CPU; otherwise a new tensor."""
    from ..tensor import Tensor

    dtype = _dtype.as_dtype(dtype)
    if isinstance(data, Tensor):
        return data.to(
            device=device if device is not None else data.device, dtype=dtype or data.dtype
        )
    if isinstance(data, np.ndarray):
        dev = _device.canonical(device)
        shared = from_numpy(data)
        if dev == _device.CPU and (dtype is None or dtype is shared.dtype):
            return shared
        return _copy_of(shared, dtype, dev)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """torch.asarray: like as_tensor, with ``copy=True`` (always copy) and ``copy=False`` (share
    memory or raise ValueError)."""
    from ..tensor import Tensor

    if copy:
        t = (
            tensor(obj, dtype=dtype, device=device)
            if not isinstance(obj, Tensor)
            else _copy_of(obj, dtype, device)
        )
    else:
        t = as_tensor(obj, dtype=dtype, device=device)
        if copy is False:
            _check_alias(obj, t)
    if requires_grad:
        t = t.detach() if t is obj else t
        t.requires_grad_(True)
    return t


def _check_alias(obj, t):
    from ..tensor import Tensor

    if isinstance(obj, Tensor):
        check(
            t._storage is obj._storage,
            ValueError,
            lambda: (
                f"can't alias tensor with dtype '{_dtype.title(obj.dtype)}' into dtype '{_dtype.title(t.dtype)}'."
            ),
        )
    elif isinstance(obj, np.ndarray):
        check(
            t._storage.host is obj,
            ValueError,
            lambda: (
                f"can't alias tensor with dtype '{_dtype.title(from_numpy_dtype(obj.dtype))}' into dtype "
                f"'{_dtype.title(t.dtype)}'."
            ),
        )
    else:
        raise ValueError("can't alias arbitrary sequence into a tensor.")


def from_numpy(ndarray):
    """torch.from_numpy: a CPU tensor that shares memory with ``ndarray`` both ways (Note
    [views and versions] in _storage.py: the numpy buffer is the storage's truth)."""
    from .._storage import Storage
    from ..tensor import Tensor

    check(
        isinstance(ndarray, np.ndarray),
        TypeError,
        lambda: f"expected np.ndarray (got {type(ndarray).__name__})",
    )
    check(
        ndarray.dtype.isnative,
        ValueError,
        "given numpy array has byte order different from the native byte order. Conversion between byte "
        "orders is currently not supported.",
    )
    dt = from_numpy_dtype(ndarray.dtype)
    if not ndarray.flags.writeable:
        warnings.warn(
            "The given NumPy array is not writable, and PyTorch does not support non-writable tensors. This "
            "means writing to this tensor will result in undefined behavior. You may want to copy the array to "
            "protect its data or make it writable before converting it to a tensor. This type of warning will be "
            "suppressed for the rest of this program.",
            UserWarning,
            stacklevel=2,
        )
    t = object.__new__(Tensor)
    arr = jax.device_put(np.ascontiguousarray(ndarray), _device.jax_device(_device.CPU))
    t._init(Storage(arr, host=ndarray), ndarray.shape, dt, _device.CPU)
    return t


# ---- filled tensors -------------------------------------------------------------------------------

# The C++ type names torch's checked scalar conversion puts in its overflow message.
_CPP_NAMES = {
    "uint8": "uint8_t",
    "int8": "int8_t",
    "int16": "int16_t",
    "int32": "int",
    "int64": "int64_t",
    "float16": "c10::Half",
    "bfloat16": "c10::BFloat16",
    "float32": "float",
    "float64": "double",
    "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
    "bool": "bool",
}


def checked_scalar(value, d):
    """``value`` (a Python number) converted to dtype ``d`` as torch converts a Scalar argument
    (fill values): RuntimeError when it does not fit, integers truncate floats."""
    value = value.item() if hasattr(value, "item") else value
    if d is _dtype.bool:
        return builtins.bool(value)
    if isinstance(value, builtins.bool):
        value = int(value)

    def overflow():
        return f"value cannot be converted to type {_CPP_NAMES[d._name]} without overflow"

    if d.is_complex:
        finfo = np.finfo(d.to_real()._np)
        parts = (complex(value).real, complex(value).imag)
        check(
            builtins.all(abs(p) <= float(finfo.max) or p != p or abs(p) == np.inf for p in parts),
            RuntimeError,
            overflow,
        )
        return complex(value)
    if isinstance(value, complex):
        check(value.imag == 0, RuntimeError, overflow)
        value = value.real
    if d.is_floating_point:
        finfo = np.finfo(d._np) if d is not _dtype.bfloat16 else _BF16
        v = float(value)
        check(abs(v) <= float(finfo.max) or v != v or abs(v) == np.inf, RuntimeError, overflow)
        return float(np.float32(v)) if d.itemsize == 2 else v  # c10 makes halves from floats
    info = np.iinfo(d._np)
    if isinstance(value, float):
        check(value == value and info.min <= value <= info.max, RuntimeError, overflow)
        return int(value) if value < 2**63 else -(2**63)
    low = -info.max if info.min == 0 else info.min
    check(low <= value <= info.max, RuntimeError, overflow)
    return value % (info.max + 1) if value < 0 and info.min == 0 else value


class _BF16:
    max = 3.3895313892515355e38


def _fill_dtype(fill_value):
    """The dtype torch.full infers from its fill value (a tensor counts by its kind only)."""
    from ..tensor import Tensor

    v = fill_value
    if isinstance(v, Tensor) and v.dim() == 0:
        v = v.item()
    check(
        isinstance(v, (*_PY_SCALARS, np.generic)),
        TypeError,
        lambda: (
            f"full(): argument 'fill_value' (position 2) must be Number, not {type(fill_value).__name__}"
        ),
    )
    v = v.item() if isinstance(v, np.generic) else v
    if isinstance(v, complex):
        return _dtype.default_complex()
    return _dtype.scalar_dtype(v)


def _filled(name, size, value, out, dtype, layout, device, requires_grad):
    check_strided(name, layout)
    d = _out_dtype(out, dtype)
    np_dt = _np_dtype(d, name=name)
    d = _dtype.from_numpy_dtype(np_dt)
    _check_requires_grad(requires_grad, d)
    host = np.full(size_arg(size, name), checked_scalar(value, d), dtype=np_dt)
    return finish(host, out, device, requires_grad)


def _size_or(args, size, name):
    check(
        not (args and size is not None),
        TypeError,
        lambda: (
            f"{name}() received an invalid combination of arguments - got both positional sizes and 'size'"
        ),
    )
    check(
        args or size is not None,
        TypeError,
        lambda: f'{name}() missing 1 required positional arguments: "size"',
    )
    return args if size is None else (size,)


def zeros(
    *args,
    size=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """torch.zeros(*size)."""
    return _filled(
        "zeros", _size_or(args, size, "zeros"), 0, out, dtype, layout, device, requires_grad
    )


def ones(
    *args,
    size=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """torch.ones(*size)."""
    return _filled(
        "ones", _size_or(args, size, "ones"), 1, out, dtype, layout, device, requires_grad
    )


def empty(
    *args,
    size=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    memory_format=None,
):
    """torch.empty(*size). Differences from torch: the memory is zero-filled, not uninitialized."""
    return _filled(
        "empty", _size_or(args, size, "empty"), 0, out, dtype, layout, device, requires_grad
    )


def full(
    size,
    fill_value,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """torch.full: the dtype follows ``fill_value`` (bool, int64, default float or complex)."""
    check(
        isinstance(size, (list, tuple)),
        TypeError,
        lambda: (
            f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}"
        ),
    )
    if dtype is None and out is None:
        dtype = _fill_dtype(fill_value)
    return _filled("full", (size,), fill_value, out, dtype, layout, device, requires_grad)


def _like(name, input, dtype, device, layout=None):
    from ..tensor import Tensor

    check(
        isinstance(input, Tensor),
        TypeError,
        lambda: (
            f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        ),
    )
    check_strided(name, layout)
    return dict(
        dtype=_dtype.as_dtype(dtype) or input.dtype,
        device=device if device is not None else input.device,
    )


def zeros_like(
    input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
):
    kwargs = _like("zeros_like", input, dtype, device, layout)
    return zeros(input.shape, requires_grad=requires_grad, **kwargs)


def ones_like(
    input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
):
    kwargs = _like("ones_like", input, dtype, device, layout)
    return ones(input.shape, requires_grad=requires_grad, **kwargs)


def empty_like(
    input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
):
    """torch.empty_like. Differences from torch: the memory is zero-filled."""
    kwargs = _like("empty_like", input, dtype, device, layout)
    return empty(input.shape, requires_grad=requires_grad, **kwargs)


def empty_strided(
    size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
):
    """torch.empty_strided. Differences from torch: zero-filled and contiguous (jtorch lays
    out every new tensor contiguously; ``stride`` is checked, not honoured)."""
    check_strided("empty_strided", layout)
    size, stride = size_arg((size,), "empty_strided"), tuple(stride)
    check(
        len(size) == len(stride),
        RuntimeError,
        lambda: f"dimensionality of sizes ({len(size)}) must match dimensionality of strides "
        f"({len(stride)})",
    )
    check(
        builtins.all(st >= 0 for st in stride),
        RuntimeError,
        lambda: f"Storage size calculation overflowed with sizes={list(size)} and "
        f"strides={list(stride)}",
    )
    return empty(size, dtype=dtype, device=device, requires_grad=requires_grad)


def empty_permuted(
    size,
    physical_layout,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """torch.empty_permuted. Differences from torch: zero-filled and contiguous (the physical
    layout is checked, not honoured)."""
    check_strided("empty_permuted", layout)
    size, perm = size_arg((size,), "empty_permuted"), tuple(physical_layout)
    check(
        len(size) == len(perm),
        RuntimeError,
        lambda: "Number of dimensions in size does not match the length of the physical_layout; "
        f"i.e. len(size) = {len(size)} is not equal to len(physical_layout) = {len(perm)}",
    )
    for i, d in enumerate(perm):
        check(
            0 <= d < len(size),
            RuntimeError,
            lambda: f"Dimension out of range (expected to be between 0 and {len(size) - 1}, but "
            f"got {d} at index {i}).  NB: negative dims not currently supported; file an issue "
            "if you want it.",
        )
    check(len(set(perm)) == len(perm), RuntimeError, "Duplicate dim not allowed")
    return empty(size, dtype=dtype, device=device, requires_grad=requires_grad)


@method("new_empty_strided")
def new_empty_strided(
    self, size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
):
    """Tensor.new_empty_strided: empty_strided with this tensor's dtype and device by default."""
    return empty_strided(
        size,
        stride,
        dtype=dtype or self.dtype,
        layout=layout,
        device=device if device is not None else self.device,
        requires_grad=requires_grad,
    )


def full_like(
    input,
    fill_value,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
):
    kwargs = _like("full_like", input, dtype, device, layout)
    return full(tuple(input.shape), fill_value, requires_grad=requires_grad, **kwargs)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.eye(n, m=n): ones on the diagonal."""
    check_strided("eye", layout)
    check(n >= 0, RuntimeError, lambda: f"n must be greater or equal to 0, got {n}")
    m = n if m is None else m
    check(m >= 0, RuntimeError, lambda: f"m must be greater or equal to 0, got {m}")
    d = _out_dtype(out, dtype)
    np_dt = _np_dtype(d, name="eye")
    _check_requires_grad(requires_grad, _dtype.from_numpy_dtype(np_dt))
    return finish(np.eye(n, m, dtype=np_dt), out, device, requires_grad)


def scalar_tensor(
    s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
):
    """torch.scalar_tensor: a zero-dim tensor of the default float dtype (or ``dtype``)."""
    d = _dtype.as_dtype(dtype) or _dtype.get_default_dtype()
    _check_requires_grad(requires_grad, d)
    return place(np.asarray(checked_scalar(s, d), dtype=_np_dtype(d)), device, requires_grad)


# ---- complex and polar -----------------------------------------------------------------------------


def _check_parts(a, b):
    """torch.complex/polar's checks: two float tensors of one dtype."""

    def title(x):
        return _dtype.title(_dtype.from_numpy_dtype(x.dtype))

    check(
        a.dtype in (jnp.float16, jnp.float32, jnp.float64)
        and b.dtype in (jnp.float16, jnp.float32, jnp.float64),
        RuntimeError,
        lambda: (
            f"Expected both inputs to be Half, Float or Double tensors but got {title(a)} and {title(b)}"
        ),
    )
    check(
        a.dtype == b.dtype,
        RuntimeError,
        lambda: (
            f"Expected object of scalar type {title(a)} but got scalar type {title(b)} for second argument"
        ),
    )


def _complex_of(re, im):
    check(
        re.dtype != jnp.float16,
        NotImplementedError,
        "torch.complex/torch.polar of Half tensors: jtorch has no complex32 (torch.chalf)",
    )
    return jax.lax.complex(*jnp.broadcast_arrays(re, im))


def _exact_out(top):
    """``top`` with torch.complex/polar's out=: exactly the result's dtype (no casting)."""
    from ._registry import _write_out

    def call(*args, out=None, **kwargs):
        result = top(*args, **kwargs)
        if out is None:
            return result
        check(
            out._dtype is result._dtype,
            RuntimeError,
            lambda: f"Expected object of scalar type {_dtype.title(result._dtype)} but got scalar "
            f"type {_dtype.title(out._dtype)} for argument 'out'",
        )
        return _write_out(top, out, result)

    call.__name__ = call.__qualname__ = top.__name__
    call.__doc__, call.__signature__ = top.__doc__, top.__signature__
    return call


@op("complex", promote=NONE, method=False, broadcast=True)
def _complex(real: TT, imag: TT):
    """torch.complex: ``real + 1j * imag`` for float tensors of one dtype."""
    _check_parts(real, imag)
    return _complex_of(real, imag)


@op("polar", promote=NONE, method=False, broadcast=True)
def _polar(abs: TT, angle: TT):
    """torch.polar: ``abs * (cos(angle) + 1j * sin(angle))`` for float tensors of one dtype."""
    _check_parts(abs, angle)
    return _polar_fn(*jnp.broadcast_arrays(abs, angle))


# torch's derivative in ``abs`` is sgn(result): 0 where abs is 0, and negated where it is negative.
_polar_fn = _with_jvp(
    lambda r, t: _complex_of(r * jnp.cos(t), r * jnp.sin(t)),
    lambda r, t, out: sgn.fn(out),
    lambda r, t, out: 1j * out,
)
complex_ = _exact_out(_complex)
polar = _exact_out(_polar)


# ---- the legacy constructor -----------------------------------------------------------------------


def legacy_tensor(cls, args, kwargs, dtype=None):
    """``torch.Tensor(...)`` (and ``torch.LongTensor(...)`` with ``dtype``): sizes give a tensor
    of that shape (zero-filled, where torch leaves it uninitialized), a sequence gives a copy in
    the default float dtype (or ``dtype``), a tensor of that dtype gives an alias of it."""
    from ..tensor import Tensor

    device = kwargs.pop("device", None)
    check(
        not kwargs,
        TypeError,
        lambda: (
            f"new() received an invalid combination of arguments - got ({', '.join(f'{k}=' for k in kwargs)})"
        ),
    )
    dt = dtype or _dtype.get_default_dtype()
    if len(args) == 1 and isinstance(args[0], Tensor):
        src = args[0]
        check(
            dtype is None or src.dtype is dtype,
            TypeError,
            lambda: f"expected {_dtype.title(dt)} (got {_dtype.title(src.dtype)})",
        )
        return src._alias(cls)
    if not args:
        return place(np.zeros(0, dt._np), device, cls=cls)
    if len(args) == 1 and isinstance(args[0], np.ndarray):
        return _copy_of(from_numpy(args[0]), dt, device)._alias(cls)
    if len(args) != 1 or isinstance(args[0], Size) or hasattr(args[0], "__index__"):
        return place(np.zeros(size_arg(args, "new"), dt._np), device, cls=cls)
    data = args[0]
    check(
        not isinstance(data, (float, complex)),
        TypeError,
        lambda: f"new(): data must be a sequence (got {type(data).__name__})",
    )
    h, _ = host_array(data, dt)
    return place(h, device, cls=cls)
