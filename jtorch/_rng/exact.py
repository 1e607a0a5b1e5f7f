"""Exact float arithmetic for torch's CPU sampling kernels: fused multiply-adds and the float32
log/sincos approximations of torch's AVX2 normal kernel.

Note [torch's fused rounding]: torch's x86 build lets the compiler fuse ``x * y + z`` into one
FMA instruction (a single rounding) in its uniform and normal kernels, and its vectorised
float32 normal fill computes log, sin and cos with Cephes-style polynomials (``avx_mathfun.h``)
whose multiply-adds are fused too. numpy has no FMA, so ``fma32`` and ``fma64`` build one:
float32 operands multiply exactly in float64, and the one case where rounding that sum to
float32 twice differs from rounding it once (a float64 sum landing exactly on a float32 halfway
point) is nudged by the sign of the sum's error. For float64, error-free transformations give
the exact sum as three doubles; the rare sums that lie too near a rounding boundary to decide
are redone with fractions. Plain float32 multiplies, adds and square roots need nothing: numpy
rounds them once, as the hardware does. Everything here is vectorised over numpy arrays.
"""

from fractions import Fraction

import numpy as np

_F32, _F64 = np.float32, np.float64

# ---- fused multiply-add ------------------------------------------------------------------------


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def fma32(a, b, c):
    """float32 ``a * b + c`` rounded once (a, b, c float32 values, arrays or scalars)."""
    p = np.asarray(a, _F32).astype(_F64) * np.asarray(b, _F32).astype(_F64)  # exact
    c = np.asarray(c, _F32).astype(_F64)
    s = p + c
    r = s.astype(_F32)
    halfway = (s.view(np.uint64) & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)
    if halfway.any():
        pp, cc = np.broadcast_to(p, s.shape)[halfway], np.broadcast_to(c, s.shape)[halfway]
        ss = s[halfway]
        err = _two_sum(pp, cc)[1]
        nudged = np.where(err != 0, np.nextafter(ss, ss + err), ss)
        r = np.array(r)
        r[halfway] = nudged.astype(_F32)
    return r


def _split(a):
    t = 134217729.0 * a  # 2**27 + 1: Veltkamp's split into two 26-bit halves
    hi = t - (t - a)
    return hi, a - hi


def fma64(a, b, c):
    """float64 ``a * b + c`` rounded once (arrays or scalars)."""
    a, b, c = (np.asarray(x, _F64) for x in (a, b, c))
    if b.ndim == 0 and b == 1:
        return a + c
    if c.ndim == 0 and c == 0:
        return a * b
    a, b, c = np.broadcast_arrays(a, b, c)
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # a*b == p + e exactly
    s, t = _two_sum(p, c)
    v, w = _two_sum(t, e)
    r, f = _two_sum(s, v)  # a*b + c == r + f + w exactly; r is right unless f + w crosses a tie
    half = np.spacing(np.abs(r)) / 4  # a quarter ulp: safe below powers of two too
    doubt = np.abs(f) + np.abs(w) >= half
    if doubt.any():
        r = np.array(r)
        for i in zip(*np.nonzero(doubt)):
            exact = Fraction(float(a[i])) * Fraction(float(b[i])) + Fraction(float(c[i]))
            r[i] = float(exact)
    return r


# ---- avx_mathfun.h's float32 log and sincos, with their fused steps ----------------------------

_SQRTHF = _F32(0.707106781186547524)
_LOG_P = [
    _F32(v)
    for v in (
        7.0376836292e-2,
        -1.1514610310e-1,
        1.1676998740e-1,
        -1.2420140846e-1,
        1.4249322787e-1,
        -1.6668057665e-1,
        2.0000714765e-1,
        -2.4999993993e-1,
        3.3333331174e-1,
    )
]
_LOG_Q1, _LOG_Q2 = _F32(-2.12194440e-4), _F32(0.693359375)
_FOPI = _F32(1.27323954473516)
_DP = [_F32(-0.78515625), _F32(-2.4187564849853515625e-4), _F32(-3.77489497744594108e-8)]
_COS = [_F32(2.443315711809948e-005), _F32(-1.388731625493765e-003), _F32(4.166664568298827e-002)]
_SIN = [_F32(-1.9515295891e-4), _F32(8.3321608736e-3), _F32(-1.6666654611e-1)]
_TWO_PI = _F32(2.0 * np.pi)


def log256(x):
    """``log256_ps`` for positive normal float32 ``x``."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 126).astype(_F32)
    m = ((bits & ~0x7F800000) | 0x3F000000).view(_F32)  # mantissa in [0.5, 1)
    small = m < _SQRTHF
    e = e - small.astype(_F32)
    x = (m - _F32(1)) + np.where(small, m, _F32(0))
    z = x * x
    y = np.full_like(x, _LOG_P[0])
    for p in _LOG_P[1:]:
        y = fma32(y, x, p)
    y = fma32(y * x, z, e * _LOG_Q1)
    y = y - _F32(0.5) * z
    return fma32(e, _LOG_Q2, x + y)


def sincos256(x):
    """``sincos256_ps`` for non-negative float32 ``x``: (sin, cos)."""
    j = (x * _FOPI).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_F32)
    for dp in _DP:
        x = fma32(y, dp, x)
    z = x * x
    c = fma32(fma32(_COS[0], z, _COS[1]), z, _COS[2]) * z
    c = fma32(c, z, -(_F32(0.5) * z)) + _F32(1)
    s = fma32(fma32(_SIN[0], z, _SIN[1]), z, _SIN[2]) * z
    s = fma32(s, x, x)
    first = (j & 2) == 0
    sin, cos = np.where(first, s, c), np.where(first, c, s)
    return np.where((j & 4) != 0, -sin, sin), np.where(((j - 2) & 4) == 0, -cos, cos)


def chunked(fn, x, *args, rows=65536):
    """``fn(x, *args)`` (elementwise along ``x``'s first axis) in passes of ``rows``, so that
    numpy's temporaries stay in cache: 2-3x faster at 10 M values."""
    if len(x) <= rows:
        return fn(x, *args)
    parts = [fn(x[i : i + rows], *args) for i in range(0, len(x), rows)]
    return np.concatenate(parts)


def box_muller16_f32(d, mean, std):
    """torch's ``normal_fill_16_AVX2`` on rows of 16 float32 uniforms (array (k, 16)): the
    first 8 give the radii, the last 8 the angles; returns the (k, 16) normals."""
    if len(d) > 4096:
        return chunked(box_muller16_f32, d, mean, std, rows=4096)
    radius = np.sqrt(_F32(-2) * log256(_F32(1) - d[:, :8]))
    sin, cos = sincos256(_TWO_PI * d[:, 8:])
    out = np.concatenate([radius * cos, radius * sin], axis=1)
    if std == 1 and mean == 0:
        return out
    return fma32(out, std, mean)
