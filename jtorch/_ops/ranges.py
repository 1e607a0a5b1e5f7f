"""The range factories: arange, range (deprecated), linspace, logspace.

Note [range values]: torch's CPU kernels fix the values to the last bit, and jtorch computes
them the same way on the host. The kernels are compiled for AVX2 with FMA contraction, so
``start + step * i`` is one fused multiply-add (emulated exactly below). arange works in the
accumulation type (double for float32/float64, float for float16/bfloat16, int64 for integers)
and its vectorized loop fills 32-byte vectors from each vector's base value, so lane k of the
vector at index b holds ``fma(k, step, T(fma(step, b, start)))``, with the scalar formula for
the tail that does not fill two vectors. Differences from torch: above 32768 elements torch
splits the loop between threads, each restarting the vector pattern, which jtorch does not
follow. linspace works in the output dtype's own arithmetic (double steps for integers),
counting up from start for the first half and down from end for the second; logspace is
double ``pow`` of exponents stepped in double.
"""

import builtins
import math
import operator
import warnings

import numpy as np

from .. import _dtype
from .._errors import check
from .._layout import check_strided
from .creation import (
    _PY_SCALARS,
    _check_requires_grad,
    _np_dtype,
    _out_dtype,
    cast,
    checked_scalar,
    finish,
)


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_prod(a, b):
    def split(x):
        c = x * 134217729.0  # 2**27 + 1
        hi = c - (c - x)
        return hi, x - hi

    p = a * b
    (ah, al), (bh, bl) = split(a), split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _round_odd_sum(a, b):
    """``a + b`` rounded to odd: the nearest double with an odd last bit when inexact."""
    r, e = _two_sum(a, b)
    inexact_even = (e != 0) & ((r.view(np.int64) & 1) == 0)
    return np.where(inexact_even, np.nextafter(r, np.where(e > 0, np.inf, -np.inf)), r)


def fma(a, b, c, dtype=np.float64):
    """Correctly rounded ``a * b + c`` in float64 or float32, vectorized (Boldo and Melquiond's
    emulation with rounding to odd; float32 products are exact in float64)."""
    a, b, c = (np.asarray(x, np.float64) for x in (a, b, c))
    with np.errstate(over="ignore", invalid="ignore"):
        if dtype == np.float32:
            return _round_odd_sum(a * b, c).astype(np.float32)
        uh, ul = _two_prod(a, b)
        th, tl = _two_sum(c, uh)
        return th + _round_odd_sum(tl, ul)


def _range_scalar(x, name, arg):
    from ..tensor import Tensor

    if isinstance(x, Tensor):
        check(
            x.dim() == 0,
            TypeError,
            lambda: f"{name}(): argument '{arg}' must be Number, not Tensor",
        )
        return x.item()
    check(
        isinstance(x, (*_PY_SCALARS, np.generic)),
        TypeError,
        lambda: f"{name}(): argument '{arg}' must be Number, not {type(x).__name__}",
    )
    return x.item() if isinstance(x, np.generic) else x


def _range_dtype(name, dtype, out, values, int_default=_dtype.int64):
    d = _out_dtype(out, dtype)
    if d is None:
        d = (
            _dtype.get_default_dtype()
            if builtins.any(isinstance(v, float) for v in values)
            else int_default
        )
    _np_dtype(d, name=name)
    check(
        not (d is _dtype.bool or d.is_complex),
        NotImplementedError,
        lambda: f"\"{name}_cpu\" not implemented for '{_dtype.title(d)}'",
    )
    return d


def _acc(d):
    """torch's CPU accumulation type for ``d`` (numpy scalar type)."""
    if _dtype.is_integral(d):
        return np.int64
    return np.float64 if d in (_dtype.float32, _dtype.float64) else np.float32


_VECTOR_BYTES = 32


def _arange_values(start, step, n, d):
    """torch's arange kernel on the host (Note [range values])."""
    acc = _acc(d)
    i = np.arange(n, dtype=np.int64)
    if acc is np.int64:
        with np.errstate(over="ignore"):
            return (np.int64(start) + np.int64(step) * i).astype(d._np)
    lanes = _VECTOR_BYTES // d.itemsize
    start, step = acc(start), acc(step)
    with np.errstate(over="ignore"):
        if (
            float(start).is_integer()
            and float(step).is_integer()
            and abs(start) + abs(step) * n < 2 ** np.finfo(acc).nmant
        ):
            return (start + step * i.astype(acc)).astype(d._np)  # every formula is exact
        vectorized = n - n % (2 * lanes)
        tail = fma(step, i[vectorized:], start, acc)  # the scalar loop
        j = i[:vectorized]
        base = fma(step, j - j % lanes, start, acc).astype(d._np).astype(acc)
        k = (j % lanes).astype(acc)
        lanes = base + k * step if d is _dtype.bfloat16 else fma(k, step, base, acc)
        return np.concatenate([lanes, tail]).astype(d._np)


def _arange_size(start, end, step, d):
    if d is _dtype.int64:
        xs, xe, xst = (checked_scalar(v, d) for v in (start, end, step))
        check(xst != 0, ValueError, "step must be nonzero")
        sgn = (xst > 0) - (xst < 0)
        q = (xe - xs + xst - sgn + 2**63) % 2**64 - 2**63  # int64 arithmetic wraps
        return builtins.max(
            0, builtins.abs(q) // builtins.abs(xst) * (1 if (q >= 0) == (xst > 0) else -1)
        )
    size = np.ceil((float(end) - float(start)) / float(step))
    check(0 <= size <= 2.0**63 - 1, RuntimeError, "invalid size, possible overflow?")
    return int(size)


def arange(
    start=0,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
):
    """torch.arange(end), arange(start, end, step=1): ``start + i * step`` for ``i`` below
    ``ceil((end - start) / step)``; int64 unless an argument is a float (Note [range values])."""
    check_strided("arange", layout)
    if end is None:
        start, end = 0, start
    start, end, step = (
        _range_scalar(v, "arange", a) for v, a in ((start, "start"), (end, "end"), (step, "step"))
    )
    d = _range_dtype("arange", dtype, out, (start, end, step))
    check(
        not builtins.any(isinstance(v, builtins.complex) for v in (start, end, step)),
        RuntimeError,
        "value cannot be converted to type double without overflow",
    )
    _check_requires_grad(requires_grad, d)
    check(step != 0, RuntimeError, "step must be nonzero")
    check(
        np.isfinite(start) and np.isfinite(end),
        RuntimeError,
        lambda: f"unsupported range: {start} -> {end}",
    )
    check(
        (step > 0 and end >= start) or (step < 0 and end <= start),
        RuntimeError,
        "upper bound and lower bound inconsistent with step sign",
    )
    n = _arange_size(start, end, step, d)
    acc_start, acc_step = (int(start), int(step)) if _dtype.is_integral(d) else (start, step)
    return finish(_arange_values(acc_start, acc_step, n, d), out, device, requires_grad)


def range_(
    start=0,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
):
    """The deprecated torch.range(start, end, step=1): like arange, with ``end`` included, and
    the default float dtype unless ``dtype`` says otherwise."""
    check_strided("range", layout)
    check(end is not None, TypeError, 'range() missing 1 required positional arguments: "end"')
    warnings.warn(
        "torch.range is deprecated and will be removed in a future release because its behavior is "
        "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in [start, end).",
        UserWarning,
        stacklevel=2,
    )
    start, end, step = (
        _range_scalar(v, "range", a) for v, a in ((start, "start"), (end, "end"), (step, "step"))
    )
    d = _out_dtype(out, dtype) or _dtype.get_default_dtype()
    _check_requires_grad(requires_grad, d)
    check(step != 0, RuntimeError, "step must be nonzero")
    check(
        (step > 0 and end >= start) or (step < 0 and end <= start),
        RuntimeError,
        "upper bound and lower bound inconsistent with step sign",
    )
    acc = _acc(d)
    if acc is np.int64:
        xs, xe, xst = int(start), int(end), int(step)
        # Differences from torch: torch dies of SIGFPE here.
        check(xst != 0, RuntimeError, "step must be nonzero")
        n = int((xe - xs) / xst) + 1 if (xe - xs) % xst else (xe - xs) // xst + 1
    else:
        xs, xst = acc(start), acc(step)
        n = int((acc(end) - xs) / xst + 1)
    values = (acc(xs) + np.arange(n).astype(acc) * acc(xst)).astype(d._np)
    return finish(values, out, device, requires_grad)


def _space_args(name, start, end, steps):
    from ..tensor import Tensor

    for x, arg in ((start, "start"), (end, "end")):
        check(
            not isinstance(x, Tensor) or x.dim() == 0,
            RuntimeError,
            lambda: (
                f"{name} only supports 0-dimensional start and end tensors, but got {arg} with {x.dim()} dimension(s)."
            ),
        )
    steps = operator.index(steps) if isinstance(steps, Tensor) else steps
    check(
        isinstance(steps, int) and not isinstance(steps, builtins.bool),
        TypeError,
        lambda: (
            f"{name}() received an invalid combination of arguments - got "
            f"({type(start).__name__}, {type(end).__name__}, {type(steps).__name__})"
        ),
    )
    check(steps >= 0, RuntimeError, "number of steps must be non-negative")
    return _range_scalar(start, name, "start"), _range_scalar(end, name, "end"), steps


def _space_dtype(name, dtype, out, start, end):
    d = _out_dtype(out, dtype)
    if d is None:
        is_complex = isinstance(start, builtins.complex) or isinstance(end, builtins.complex)
        d = _dtype.default_complex() if is_complex else _dtype.get_default_dtype()
    _np_dtype(d, name=name)
    return d


def _check_kernel(name, d, steps):
    check(
        steps <= 1 or d is not _dtype.bool,
        NotImplementedError,
        lambda: f"\"{name}_cpu\" not implemented for 'Bool'",
    )


def _linspace_values(s, e, steps, d):
    """torch's linspace kernel for real dtype ``d`` and more than one step (Note [range values])."""
    t = d._np.type
    s, e = t(s), t(e)
    i = np.arange(steps)
    with np.errstate(over="ignore", invalid="ignore"):
        if d in (_dtype.float16, _dtype.bfloat16):  # c10's Half arithmetic rounds every step
            step = (e - s) / t(steps - 1)
            up, down = s + step * i.astype(t), e - step * (steps - 1 - i).astype(t)
        else:
            work = np.float64 if _dtype.is_integral(d) else t
            step = (work(e) - work(s)) / work(steps - 1)
            up, down = fma(step, i, s, work), fma(-step, steps - 1 - i, e, work)
        values = np.where(i < steps // 2, up, down)
    return _float_to_int(values, d) if _dtype.is_integral(d) else values.astype(d._np)


def _float_to_int(values, d):
    """C's cast of doubles to integer dtype ``d`` on x86: truncation through int32 (int64 for
    int64), wrapping into narrower types; out of range or nan gives the minimum."""
    wide = np.int64 if d is _dtype.int64 else np.int32
    limit = float(2 ** (np.iinfo(wide).bits - 1))
    with np.errstate(invalid="ignore"):
        ok = (values >= -limit) & (values < limit)
        ints = np.where(ok, np.trunc(np.where(ok, values, 0)).astype(wide), np.iinfo(wide).min)
    return ints.astype(d._np)


def linspace(
    start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
):
    """torch.linspace: ``steps`` values from start to end (Note [range values])."""
    check_strided("linspace", layout)
    start, end, steps = _space_args("linspace", start, end, steps)
    d = _space_dtype("linspace", dtype, out, start, end)
    _check_requires_grad(requires_grad, d)
    _check_kernel("linspace", d, steps)
    s, e = checked_scalar(start, d), checked_scalar(end, d)
    if steps <= 1:
        values = np.full(steps, s, d._np)
    elif d.is_complex:
        real = d.to_real()
        values = _linspace_values(s.real, e.real, steps, real) + 1j * _linspace_values(
            s.imag, e.imag, steps, real
        )
    else:
        values = _linspace_values(s, e, steps, d)
    return finish(values.astype(d._np), out, device, requires_grad)


def _pow(x, y):
    try:
        return math.pow(x, y)
    except OverflowError:
        return math.inf
    except ValueError:
        return math.nan


def logspace(
    start,
    end,
    steps,
    base=10.0,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
):
    """torch.logspace: ``base ** linspace(start, end, steps)``, the exponent stepped in double.
    Differences from torch: complex results may differ in the last bits."""
    check_strided("logspace", layout)
    start, end, steps = _space_args("logspace", start, end, steps)
    d = _space_dtype("logspace", dtype, out, start, end)
    _check_requires_grad(requires_grad, d)
    _check_kernel("logspace", d, steps)
    if steps <= 1:
        exps = np.full(steps, start, np.complex128 if d.is_complex else np.float64)
    elif d.is_complex:
        t = d._np.type
        s, e = t(checked_scalar(start, d)), t(checked_scalar(end, d))
        i = np.arange(steps).astype(t)
        step = (e - s) / t(steps - 1)
        exps = np.where(i.real < steps // 2, s + step * i, e - step * (t(steps - 1) - i))
    else:
        t = d._np.type
        s, e = t(checked_scalar(start, d)), t(checked_scalar(end, d))
        # C promotes integer operands to int before subtracting; floats subtract in their type.
        step = np.float64(int(e) - int(s) if _dtype.is_integral(d) else e - s) / (steps - 1)
        i = np.arange(steps)
        exps = np.where(
            i < steps // 2, np.float64(s) + step * i, np.float64(e) - step * (steps - 1 - i)
        )
    with np.errstate(over="ignore", invalid="ignore"):
        if d.is_complex:
            values = np.power(d._np.type(base), exps)
        else:  # C's pow, which numpy's power does not always match to the last bit
            values = np.array([_pow(float(base), x) for x in exps.tolist()], dtype=np.float64)
        if steps <= 1:
            values = np.array([checked_scalar(v, d) for v in values.tolist()])
        values = _float_to_int(values, d) if _dtype.is_integral(d) else cast(values, d)
    return finish(values, out, device, requires_grad)
