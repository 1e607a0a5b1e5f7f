"""Check helpers: torch's exception types with lazily built messages in torch's words.

Checks run before jax sees input it would clamp, wrap or broadcast silently. Shape checks may
also run inside an op's pure function: jax traces it with concrete shapes, so a check there
costs nothing once the call is cached, and raises on every bad call (failed traces are not).
"""

from . import _dtype


def clean_user_error(e):
    """An error that jtorch's own checks raised while jax traced an op, re-made without the
    jax frames and notes around it; any other exception (a bug) is returned as it is."""
    tb, last = e.__traceback__, None
    while tb is not None:
        last, tb = tb, tb.tb_next
    if last is None or "/jtorch/" not in last.tb_frame.f_code.co_filename.replace("\\", "/"):
        return e
    try:
        fresh = type(e)(*e.args)
    except Exception:
        return e
    return fresh


def check(cond, exc_type, message):
    """Raise ``exc_type(message())`` unless ``cond``; ``message`` may also be a plain string."""
    if not cond:
        raise exc_type(message() if callable(message) else message)


def broadcast_shapes(*shapes):
    """torch.broadcast_shapes with torch's error for mismatched sizes."""
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for s in shapes:
        for i, n in enumerate(s):
            j = ndim - len(s) + i
            if out[j] == 1:
                out[j] = n
            elif n != 1 and n != out[j]:
                raise RuntimeError(
                    f"The size of tensor a ({out[j]}) must match the size of tensor b ({n}) "
                    f"at non-singleton dimension {j}"
                )
    return tuple(out)


def type_name(v):
    """An argument's type as torch's argument parser names it (``float``, ``numpy.float64``)."""
    t = type(v)
    if t.__module__ == "builtins" or t.__module__.startswith("jtorch"):
        return t.__name__
    return f"{t.__module__}.{t.__name__}"


def int_like(v, first):
    # the parser's first element must be an index and not a bool nor a floating tensor; the
    # others only unpack as one
    if not first:
        return hasattr(v, "__index__")
    dtype = getattr(v, "_dtype", None)  # a Tensor
    if dtype is not None:
        return not (dtype.is_floating_point or dtype.is_complex)
    return not isinstance(v, bool) and hasattr(v, "__index__")


def invalid_combination(name, got, overloads, detail=None):
    lines = [f"{name}() received an invalid combination of arguments - got ({got}), but expected one of:"]
    for o in overloads:
        lines.append(f" * ({o})")
        if detail is not None:
            lines.append(f"      didn't match because some of the arguments have invalid types: ({detail})")
    return "\n".join(lines) + "\n"


def int_arg(v, name, arg, position=1):
    """torch's argument parser on an ``int`` argument: ``v`` as a Python int, or its TypeError."""
    if type(v) is int:
        return v
    if not int_like(v, True):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be int, not {type_name(v)}")
    return v.__index__()


def int_list(values, name, arg, spread=False, overloads=None, position=1):
    """torch's argument parser on an ``int[]`` argument: ``values`` (a sequence, or the
    positional arguments it was ``spread`` over, as in ``x.view(2, 3)``) as a tuple of Python
    ints, with the parser's TypeError for anything else. ``overloads``: the signatures torch
    lists where the op has several (``view``)."""
    for v in values:
        if type(v) is not int:
            break
    else:
        return tuple(values)
    seq = type(values).__name__
    values = tuple(values)
    if values and not int_like(values[0], True):
        names = [type_name(v) for v in values]
        if spread and len(values) > 1:
            if overloads:
                raise TypeError(invalid_combination(name, ", ".join(names), overloads))
            raise TypeError(f"{name}() takes 1 positional argument but {len(values)} were given")
        if spread:
            if overloads:
                raise TypeError(invalid_combination(name, names[0], overloads, f"!{names[0]}!"))
            raise TypeError(
                f"{name}(): argument '{arg}' (position {position}) must be tuple of ints, not {names[0]}"
            )
        if overloads:
            raise TypeError(invalid_combination(name, seq, overloads, f"!{seq} of ({', '.join(names)})!"))
        raise TypeError(
            f"{name}(): argument '{arg}' (position {position}) must be tuple of ints, but found element of type "
            f"{names[0]} at pos 0"
        )
    out = []
    for i, v in enumerate(values):
        if not int_like(v, False):
            raise TypeError(
                f"{name}(): argument '{arg}' failed to unpack the object at pos {i + 1} with error "
                f'"type must be tuple of ints,but got {type_name(v)}"'
            )
        out.append(v.__index__())
    return tuple(out)


def is_number_tensor(v, integral=False):
    """Whether ``v`` is a Tensor torch's argument parser takes for a number: zero-dim, not
    requiring grad, and integral (not bool) where ``integral``."""
    dtype = getattr(v, "_dtype", None)
    if dtype is None or v._shape or v._requires_grad:
        return False
    return not integral or _dtype.is_integral(dtype)


def wrap_dim(dim, ndim, name=None):
    """Normalize a possibly negative dim; IndexError in torch's words when out of range."""
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if type(dim) is not int and is_number_tensor(dim, integral=True):
        dim = dim.item()  # torch's argument parser takes a zero-dim integral tensor for an int
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, not {type(dim).__name__}")
    if dim < lo or dim > hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return dim % max(ndim, 1)
