"""Window functions: torch.signal.windows.* and the top-level torch.*_window factories.

Windows are creation functions: the values are computed on the host in the requested dtype,
following torch's formulas step by step (torch.signal.windows builds them from linspace, whose
values jtorch reproduces exactly, Note [range values] in ranges.py; the top-level factories
from arange), then placed on the device.

Differences from torch: a window made with requires_grad=True is a leaf here (torch's
signal.windows return the non-leaf result of ops on a linspace that requires grad).
"""

import math
from collections.abc import Iterable

import numpy as np

from .. import _dtype
from .._errors import check
from .creation import _check_requires_grad, finish
from .ranges import _linspace_values

# ---- torch.signal.windows -------------------------------------------------------------------


def _window(name, M, dtype, layout, device, requires_grad, values):
    """Check the common arguments and place ``values(M, np_dtype, d)`` (M >= 1)."""
    d = _dtype.as_dtype(dtype) or _dtype.get_default_dtype()
    check(M >= 0, ValueError, lambda: f"{name} requires non-negative window length, got M={M}")
    check(
        layout is None or str(layout) == "torch.strided",
        ValueError,
        lambda: f"{name} is implemented for strided tensors only, got: {layout}",
    )
    check(
        d in (_dtype.float32, _dtype.float64),
        ValueError,
        lambda: f"{name} expects float32 or float64 dtypes, got: {d}",
    )
    _check_requires_grad(requires_grad, d)
    host = np.zeros(0, d._np) if M == 0 else np.asarray(values(d), d._np)
    return finish(host, None, device, requires_grad)


def _linspace(start, end, M, d):
    if M == 1:
        return np.full(1, start, d._np)
    return _linspace_values(start, end, M, d)


def _span(M, sym):
    """torch's denominator: M - 1 for a symmetric window, M for a periodic one (M > 1)."""
    return M if not sym and M > 1 else M - 1


def exponential(
    M, *, center=None, tau=1.0, sym=True, dtype=None, layout=None, device=None,
    requires_grad=False,
):
    """torch.signal.windows.exponential: exp(-|n - center| / tau)."""
    check(tau > 0, ValueError, lambda: f"Tau must be positive, got: {tau} instead.")
    check(not (sym and center is not None), ValueError, "Center must be None for symmetric windows")

    def values(d):
        c = _span(M, sym) / 2.0 if center is None else center
        k = _linspace(-c / tau, (-c + (M - 1)) / tau, M, d)
        return np.exp(-np.abs(k))

    return _window("exponential", M, dtype, layout, device, requires_grad, values)


def cosine(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.signal.windows.cosine: sin(pi * (n + 0.5) / M) (the sine window)."""

    def values(d):
        constant = math.pi / (M + 1 if not sym and M > 1 else M)
        return np.sin(_linspace(0.5 * constant, (0.5 + (M - 1)) * constant, M, d))

    return _window("cosine", M, dtype, layout, device, requires_grad, values)


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.signal.windows.gaussian: exp(-(n / (2 std))^2) around the window's center."""
    check(std > 0, ValueError, lambda: f"Standard deviation must be positive, got: {std} instead.")

    def values(d):
        start = -_span(M, sym) / 2.0
        constant = 1 / (std * math.sqrt(2))
        k = _linspace(start * constant, (start + (M - 1)) * constant, M, d)
        return np.exp(-(k**2))

    return _window("gaussian", M, dtype, layout, device, requires_grad, values)


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.signal.windows.kaiser: I0(beta sqrt(1 - (2n/N - 1)^2)) / I0(beta)."""
    check(beta >= 0, ValueError, lambda: f"beta must be non-negative, got: {beta} instead.")

    def values(d):
        if M == 1:
            return np.ones(1)
        b = d._np.type(beta)
        end = min(b, -b + (M - 1) * (2.0 * b / (M if not sym else M - 1)))
        k = _linspace(-b, end, M, d)
        return np.i0(np.sqrt(b * b - k**2).astype(np.float64)) / np.i0(np.float64(b))

    return _window("kaiser", M, dtype, layout, device, requires_grad, values)


def bartlett(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.signal.windows.bartlett: the triangular window 1 - |2n / (M - 1) - 1|."""

    def values(d):
        if M == 1:
            return np.ones(1)
        return 1 - np.abs(_linspace(-1, -1 + (M - 1) * (2 / (M if not sym else M - 1)), M, d))

    return _window("bartlett", M, dtype, layout, device, requires_grad, values)


def general_cosine(M, *, a, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.signal.windows.general_cosine: sum_i (-1)^i a_i cos(2 pi i n / (M - 1))."""

    def values(d):
        if M == 1:
            return np.ones(1)
        check(isinstance(a, Iterable), TypeError, "Coefficients must be a list/tuple")
        check(len(a) > 0, ValueError, "Coefficients cannot be empty")
        constant = 2 * math.pi / (M if not sym else M - 1)
        k = _linspace(0, (M - 1) * constant, M, d)
        coef = np.asarray([(-1) ** i * w for i, w in enumerate(a)], d._np)[:, None]
        i = np.arange(len(coef), dtype=d._np)[:, None]
        return (coef * np.cos(i * k)).sum(0)

    return _window("general_cosine", M, dtype, layout, device, requires_grad, values)


def general_hamming(
    M, *, alpha=0.54, sym=True, dtype=None, layout=None, device=None, requires_grad=False
):
    """torch.signal.windows.general_hamming: alpha - (1 - alpha) cos(2 pi n / (M - 1))."""
    return general_cosine(
        M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout, device=device,
        requires_grad=requires_grad,
    )


def hamming(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.signal.windows.hamming: general_hamming with alpha = 0.54."""
    return general_hamming(
        M, sym=sym, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad
    )


def hann(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.signal.windows.hann: general_hamming with alpha = 0.5."""
    return general_hamming(
        M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
        requires_grad=requires_grad,
    )


def blackman(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.signal.windows.blackman: general_cosine with a = (0.42, 0.5, 0.08)."""
    return general_cosine(
        M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout, device=device,
        requires_grad=requires_grad,
    )


def nuttall(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """torch.signal.windows.nuttall: the 4-term Nuttall window (Blackman-Harris family)."""
    return general_cosine(
        M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym, dtype=dtype, layout=layout,
        device=device, requires_grad=requires_grad,
    )


# ---- top-level torch.*_window ---------------------------------------------------------------


def _factory(name, window_length, periodic, dtype, device, requires_grad, values):
    """torch's window factories: checks, then ``values(n, np_dtype)`` for the symmetric window
    of length n (one longer for a periodic window, whose last point is dropped)."""
    d = _dtype.as_dtype(dtype) or _dtype.get_default_dtype()
    check(
        d.is_floating_point,
        RuntimeError,
        lambda: f"{name} expects floating point dtypes, got: {d}",
    )
    check(
        window_length >= 0,
        RuntimeError,
        lambda: f"{name} requires non-negative window_length, got window_length={window_length}",
    )
    _check_requires_grad(requires_grad, d)
    if window_length <= 1:
        host = np.ones(window_length, d._np)
    else:
        n = window_length + 1 if periodic else window_length
        host = np.asarray(values(n, d._np.type), d._np)[:window_length]
    return finish(host, None, device, requires_grad)


def _cosine_sum(n, t, a, scale):
    """sum_i a_i cos(i * scale * k) over k = 0..n-1, in dtype t as torch's kernels compute."""
    w = np.arange(n, dtype=t) * t(scale / (n - 1))
    return sum(t(c) * np.cos(t(i) * w) for i, c in enumerate(a))


def hamming_window(
    window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None,
    device=None, pin_memory=False, requires_grad=False,
):
    """torch.hamming_window: alpha - beta cos(2 pi k / (N - 1))."""
    return _factory(
        "hamming_window", window_length, periodic, dtype, device, requires_grad,
        lambda n, t: _cosine_sum(n, t, (alpha, -beta), 2 * math.pi),
    )


def hann_window(
    window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
    requires_grad=False,
):
    """torch.hann_window: 0.5 - 0.5 cos(2 pi k / (N - 1))."""
    return _factory(
        "hann_window", window_length, periodic, dtype, device, requires_grad,
        lambda n, t: _cosine_sum(n, t, (0.5, -0.5), 2 * math.pi),
    )


def blackman_window(
    window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
    requires_grad=False,
):
    """torch.blackman_window: 0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))."""
    return _factory(
        "blackman_window", window_length, periodic, dtype, device, requires_grad,
        lambda n, t: _cosine_sum(n, t, (0.42, -0.5, 0.08), 2 * math.pi),
    )


def _bartlett_values(n, t):
    w = np.arange(n, dtype=t) * t(2.0 / (n - 1))
    half = ((n - 1) >> 1) + 1
    w[half:] = t(2) - w[half:]
    return w


def bartlett_window(
    window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
    requires_grad=False,
):
    """torch.bartlett_window: the triangular window 1 - |2k / (N - 1) - 1|."""
    return _factory(
        "bartlett_window", window_length, periodic, dtype, device, requires_grad,
        _bartlett_values,
    )


def kaiser_window(
    window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
    pin_memory=False, requires_grad=False,
):
    """torch.kaiser_window: I0(beta sqrt(1 - ((k - a) / a)^2)) / I0(beta), a = (N - 1) / 2."""

    def values(n, t):
        a = (n - 1) / 2.0
        x = (np.arange(n, dtype=np.float64) - a) / a
        return np.i0(beta * np.sqrt(np.maximum(1 - x * x, 0))) / np.i0(beta)

    return _factory("kaiser_window", window_length, periodic, dtype, device, requires_grad, values)
