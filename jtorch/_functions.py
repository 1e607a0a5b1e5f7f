"""torch-namespace functions that are not ops: dtype queries, result_type, broadcast_shapes."""

from . import _dtype
from ._errors import broadcast_shapes as _broadcast_shapes
from ._errors import check


def _tensor():
    from .tensor import Tensor

    return Tensor


def is_tensor(obj):
    return isinstance(obj, _tensor())


def is_storage(obj):
    return False


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def is_nonzero(input):
    check(
        input.numel() == 1,
        RuntimeError,
        "Boolean value of Tensor with more than one value is ambiguous",
    )
    return bool(input.item())


def numel(input):
    return input.numel()


def typename(obj):
    if is_tensor(obj):
        return obj.type()
    module, qualname = getattr(obj, "__module__", "") or "", getattr(obj, "__qualname__", None)
    qualname = qualname or getattr(obj, "__name__", None)
    if qualname is None:
        module, qualname = type(obj).__module__ or "", type(obj).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def broadcast_shapes(*shapes):
    """torch.broadcast_shapes."""
    from ._size import Size

    return Size(
        _broadcast_shapes(*(tuple(s) if isinstance(s, (list, tuple)) else (s,) for s in shapes))
    )


def result_type(tensor, other):
    """torch.result_type of two operands (Tensors or Python scalars)."""
    Tensor = _tensor()
    dims, zeros, scalars = [], [], []
    for x in (tensor, other):
        if isinstance(x, Tensor):
            (dims if x.dim() else zeros).append(x.dtype)
        else:
            scalars.append(x)
    return _dtype.result_type_of(dims, zeros, scalars)


def can_cast(from_, to):
    return _dtype.can_cast(from_, to)
