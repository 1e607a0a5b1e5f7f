"""torch's CPU sampling kernels on the MT19937 engine, bit for bit (x86-64 AVX2/AVX512 build).

Each method returns a flat host array of ``n`` values in the order torch writes them: memory
order of the output (the ops map it onto the tensor's elements). The algorithms are those of
torch's CPU kernels (aten/src/ATen/native/cpu/DistributionTemplates.h and friends; facts in
shared/specs/torch_formats.md, part B); the exact roundings they need are in ``exact``.

Note [torch's normal paths]: a normal fill takes one of two paths, chosen by the output alone:
contiguous with at least 16 elements, a vectorised Box-Muller over blocks of 16 uniforms (drawn
all at once for float32/float64, per block for the half types; a ragged end redraws 16 fresh
uniforms for the last 16 places); otherwise a scalar Box-Muller in double that keeps the second
sample of each pair in the generator for the next scalar draw (``engine.double_normal``).
"""

import math

import numpy as np

from .engine import MT19937
from .exact import box_muller16_f32, chunked, fma32, fma64

_F32, _F64 = np.float32, np.float64
_TWO_PI = 2.0 * math.pi


def _halfish(dtype):
    return dtype.itemsize == 2 and dtype.kind == "f" or dtype.name == "bfloat16"


def _each(fn, x):
    """``fn`` (a ``math`` function: glibc's double results, as torch's kernels get) per element."""
    return np.fromiter(map(fn, x.ravel().tolist()), _F64, x.size).reshape(x.shape)


def _cast(values, dtype):
    """A double result to ``dtype`` as torch's ``static_cast`` does (halves go through float)."""
    if _halfish(dtype):
        values = values.astype(_F32)
    return values.astype(dtype)


class TorchCPU:
    """The sampling interface (Note [RNG interface]) over torch's CPU engine."""

    def __init__(self, seed):
        self.engine = MT19937(seed)

    # ---- uniform ---------------------------------------------------------------------------

    def uniform(self, n, dtype, low=0.0, high=1.0):
        if dtype.kind == "c":
            return self.uniform(2 * n, np.dtype(dtype.char.lower()), low, high).view(dtype)
        if dtype == _F64:
            frm, to = _F64(low), _F64(high)
            r = chunked(fma64, self.engine.u53(n), to - frm, frm)
        else:  # float32 and the half types: a float32 uniform fused into float32 bounds
            frm, to = _F32(low), _F32(high)
            x = self.engine.u24(n)
            r = (x if (frm, to) == (0, 1) else chunked(fma32, x, to - frm, frm)).astype(dtype)
            frm, to = np.asarray(low, dtype), np.asarray(high, dtype)  # the clamp's, in dtype
        return np.where(r == to, frm, r).astype(dtype)

    # ---- normal ----------------------------------------------------------------------------

    def normal(self, n, dtype, mean=0.0, std=1.0, contiguous=True):
        if dtype.kind == "c":
            real = np.dtype(dtype.char.lower())
            return self.normal(2 * n, real, mean, std / math.sqrt(2), contiguous).view(dtype)
        if n < 16 or not contiguous:
            return _cast(self._scalar_normals(n, mean, std), dtype)
        if dtype == _F64:
            return self._fill_blocks(self.engine.u53, n, _box_muller16_f64, _F64(mean), _F64(std))
        m, s = _F32(mean), _F32(std)
        if dtype == _F32:
            return self._fill_blocks(self.engine.u24, n, box_muller16_f32, m, s)
        # the half types draw per block: no uniforms for the ragged end before its redraw
        return self._fill_blocks(self.engine.u24, n, box_muller16_f32, m, s, True).astype(dtype)

    def _fill_blocks(self, draw, n, rows, mean, std, per_block=False):
        """The vectorised path: ``n`` uniforms (``per_block``: only the full blocks'),
        Box-Muller per full block of 16, then 16 fresh uniforms for the last 16 places when
        ``n`` is not a multiple of 16."""
        nb = n // 16
        d = draw(n) if not per_block else np.resize(draw(nb * 16), n)
        d[: nb * 16] = rows(d[: nb * 16].reshape(nb, 16), mean, std).ravel()
        if n % 16:
            d[n - 16 :] = rows(draw(16).reshape(1, 16), mean, std).ravel()
        return d

    def _scalar_normals(self, n, mean, std):
        """The scalar path, in double: pairs from 4 words each, the spare sample cached."""
        eng = self.engine
        head = []
        if n and eng.double_normal is not None:
            head, eng.double_normal = [eng.double_normal], None
        m = n - len(head)
        pairs = (m + 1) // 2
        u = eng.u53(2 * pairs).reshape(pairs, 2)
        radius = np.sqrt(-2.0 * _each(math.log1p, -u[:, 1]))
        theta = _TWO_PI * u[:, 0]
        both = np.stack([radius * _each(math.cos, theta), radius * _each(math.sin, theta)], 1)
        both = both.ravel()
        if m % 2:
            eng.double_normal = float(both[-1])
        z = np.concatenate([np.asarray(head, _F64), both[:m]])
        return fma64(z, std, mean)

    # ---- integers --------------------------------------------------------------------------

    def integers(self, n, low, high, dtype, full=False):
        """``low + word % (high - low)``, with 64-bit words for ranges of 2**28 and more; or,
        ``full`` (``random_()`` without bounds), with 64-bit words for int64 and float64."""
        span = high - low
        if span == 2**64:  # random_(from=int64 min, to=None): whole 64-bit draws
            return self.engine.u64(n).view(np.int64).astype(dtype)
        if (dtype.name in ("int64", "float64")) if full else span >= 2**28:
            words = self.engine.u64(n)
        else:
            words = self.engine.u32(n)
        v = (words % np.uint64(span)).astype(np.int64) + np.int64(low)
        return v.astype(dtype)

    def permutation(self, n, dtype):
        """randperm's Fisher-Yates: swap ``r[i]`` with ``r[i + word % (n - i)]`` for i < n - 1
        (from 2**32 / 20 elements on, torch's 64-bit inside-out variant)."""
        if n < 214748364:
            steps = np.arange(max(n - 1, 0), dtype=np.uint64)
            offsets = self.engine.u32(len(steps)) % (np.uint64(n) - steps)
            targets = np.append((offsets + steps).astype(np.int64), n - 1)
            return _swapped(targets[:n]).astype(dtype)
        targets = (self.engine.u64(n) % np.arange(1, n + 1, dtype=np.uint64)).tolist()
        r = [0] * n
        for i, z in enumerate(targets):
            r[i] = r[z]
            r[z] = i
        return np.array(r, dtype)

    # ---- bernoulli, exponential and friends ----------------------------------------------------

    def bernoulli(self, p, n, dtype):
        """Draws of Bernoulli(p): ``p`` a number (a double uniform each) or an array of ``n``
        probabilities in draw order (double uniforms for float64 p, float ones otherwise)."""
        p = np.asarray(p)
        if p.ndim == 0 or p.dtype == _F64:
            hits = self.engine.u53(n) < p.astype(_F64)
        else:
            hits = self.engine.u24(n) < p.astype(_F32)
        return hits.astype(dtype)

    def exponential(self, n, dtype, lambd=1.0):
        u = self.engine.u53(n)
        if dtype == _F64:
            return (-1.0 / lambd) * _each(math.log1p, -u)
        # For a float result numpy's log1p (a few ulps from glibc's) is as good, except where
        # the double lands near a float rounding boundary: those few take glibc's value.
        v = (-1.0 / lambd) * np.log1p(-u)
        near = np.abs((v.view(np.int64) & 0x1FFFFFFF) - 0x10000000) < 4096
        if near.any():
            v[near] = (-1.0 / lambd) * _each(math.log1p, -u[near])
        return _cast(v, dtype)

    def geometric(self, n, dtype, p):
        u = self.engine.u53(n)
        return np.ceil(_each(math.log, u) / math.log1p(-p)).astype(dtype)

    def cauchy(self, n, dtype, median, sigma):
        u = self.engine.u53(n)
        return _cast(fma64(sigma, _each(math.tan, math.pi * (u - 0.5)), median), dtype)

    def log_normal(self, n, dtype, mean, std):
        return _cast(_each(math.exp, self._scalar_normals(n, mean, std)), dtype)

    def multinomial(self, probs, num_samples, replacement):
        """torch.multinomial on the rows of ``probs`` (2-D host array in the input's dtype)."""
        rows, cats = probs.shape
        if not replacement or num_samples == 1:
            q = self.exponential(rows * cats, probs.dtype).reshape(rows, cats)
            q = (probs / q).astype(probs.dtype)
            if num_samples == 1:
                return np.argmax(q, axis=1)[:, None]
            return np.argsort(-q.astype(_F64), axis=1, kind="stable")[:, :num_samples]
        acc = _F64 if probs.dtype == _F64 else _F32
        out = np.empty((rows, num_samples), np.int64)
        for i in range(rows):
            cum = np.cumsum(probs[i].astype(acc))
            total = cum[-1]
            if total > 0:
                cum = cum / total
            cum[-1] = 1
            out[i] = np.searchsorted(cum.astype(_F64), self.engine.u53(num_samples), "left")
        return out


def _box_muller16_f64(d, mean, std):
    """torch's scalar ``normal_fill_16`` in double (glibc's log, cos and sin)."""
    radius = np.sqrt(-2.0 * _each(math.log, 1.0 - d[:, :8]))
    theta = _TWO_PI * d[:, 8:]
    out = np.concatenate([radius * _each(math.cos, theta), radius * _each(math.sin, theta)], 1)
    return fma64(out, std, mean)


def _swapped(j):
    """``arange(n)`` after swapping positions ``t`` and ``j[t] >= t`` for t = 0, 1, ..., in
    order, without a loop. Before step t, position t holds ``A(t)``: ``t`` itself, or, if an
    earlier step k (the last such) swapped into position t, ``A(k)``. Step t then leaves in
    position t what position ``j[t]`` held: ``A(k)`` for the last earlier step k that also
    targeted ``j[t]``, or ``j[t]`` itself. Groups of steps by target give those k's (a stable
    sort), and pointer jumping resolves the chains of A."""
    n = len(j)
    if n == 0:
        return j
    order = np.argsort(j, kind="stable")  # steps by target, then by step
    by_target = j[order]
    starts = np.r_[True, by_target[1:] != by_target[:-1]]
    earlier = np.full(n, -1, np.int64)  # the last earlier step with the same target
    inner = np.nonzero(~starts)[0]
    earlier[order[inner]] = order[inner - 1]
    ends = np.nonzero(np.r_[starts[1:], True])[0]
    target = by_target[ends]
    last = ends - (order[ends] == target)  # the last step before step `target` itself
    safe = np.maximum(last, 0)
    has = (last >= 0) & (by_target[safe] == target) & (order[safe] < target)
    holder = np.arange(n)  # A(t) = A(holder[t]) until holder[t] == t
    holder[target[has]] = order[last[has]]
    while True:
        jumped = holder[holder]
        if np.array_equal(jumped, holder):
            break
        holder = jumped
    return np.where(earlier >= 0, holder[np.maximum(earlier, 0)], j)
