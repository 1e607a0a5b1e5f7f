"""Check helpers: torch's exception types with lazily built messages in torch's words.

Checks run before jax sees input it would clamp, wrap or broadcast silently. Shape checks may
also run inside an op's pure function: jax traces it with concrete shapes, so a check there
costs nothing once the call is cached, and raises on every bad call (failed traces are not).
"""


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


def wrap_dim(dim, ndim, name=None):
    """Normalize a possibly negative dim; IndexError in torch's words when out of range."""
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, not {type(dim).__name__}")
    if dim < lo or dim > hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return dim % max(ndim, 1)
