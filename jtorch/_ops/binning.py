"""Binning and membership: bincount, histc, histogram/histogramdd, bucketize/searchsorted, isin.

Histograms are scatter-adds of bin indices; a bin index comes from the sorted edges
(``searchsorted``), except in histc, which computes it by torch's linear formula.
"""

import builtins

import jax
import jax.numpy as jnp

from .. import _dtype
from .._errors import check
from ._registry import BOOL_OUT, NONE, SAME, TL, TN, T, _structseq, dtype_title, method, op


def _title(jdt):
    return dtype_title(_dtype.from_numpy_dtype(jdt))


# ---- bincount ---------------------------------------------------------------------------------


@op("_bincount", promote=NONE, method=False, out=False)
def _bincount(input: TN, weights: TN = None, length=0):
    if weights is None:
        return jnp.zeros(length, jnp.int64).at[input].add(1)
    dt = weights.dtype if weights.dtype in (jnp.float32, jnp.float64) else jnp.float64
    return jnp.zeros(length, dt).at[input].add(weights.astype(dt))


@method("bincount")
def bincount(input, weights=None, minlength=0):
    """torch.bincount: the number of times each value 0..max(input) occurs (weighted sums with
    ``weights``), with at least ``minlength`` bins."""
    if not _dtype.is_integral(input._dtype, include_bool=True):
        raise NotImplementedError(f'"bincount_cpu" not implemented for \'{dtype_title(input._dtype)}\'')
    check(minlength >= 0, RuntimeError, "minlength should be >= 0")
    message = "bincount only supports 1-d non-negative integral inputs."
    check(input.dim() == 1, RuntimeError, message)
    check(
        weights is None or (weights.dim() == 1 and weights._shape == input._shape),
        RuntimeError,
        "weights should be 1-d and have the same length as input",
    )
    top = int(input.max()) if input.numel() else -1
    check(input.numel() == 0 or int(input.min()) >= 0, RuntimeError, message)
    return _bincount(input, weights, builtins.max(minlength, top + 1))


# ---- histograms -------------------------------------------------------------------------------


def _check_bins(name, bins, dim=0):
    check(
        bins > 0,
        RuntimeError,
        lambda: f"torch.{name}(): bins must be > 0, but got {bins} for dimension {dim}",
    )


def _require_float(name, x):
    if not jnp.issubdtype(x.dtype, jnp.floating):
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_title(x.dtype)}'")


def _histc_pre(input, bins=100, min=0, max=0):
    if min == max and input.numel() and input._dtype.is_floating_point:
        lo, hi = float(input.min()), float(input.max())
        check(
            all(map(jnp.isfinite, (lo, hi))),
            RuntimeError,
            lambda: f"torch.histc: range of [{lo:g}, {hi:g}] is not finite",
        )


@op(promote=NONE, pre=_histc_pre)
def histc(input: T, bins=100, min=0, max=0):
    _require_float("histogram", input)
    _check_bins("histogram", bins)
    check(min <= max, RuntimeError, "torch.histc: max must be larger than min")
    x = input.reshape(-1)
    if min == max and x.size:
        lo, hi = jnp.min(x), jnp.max(x)
    else:
        lo, hi = jnp.asarray(min, x.dtype), jnp.asarray(max, x.dtype)
    same = lo == hi
    lo, hi = jnp.where(same, lo - 1, lo), jnp.where(same, hi + 1, hi)
    pos = ((x - lo) * bins / (hi - lo)).astype(jnp.int64)
    pos = jnp.where(x == hi, bins - 1, pos)
    valid = (x >= lo) & (x <= hi)
    return jnp.zeros(bins, x.dtype).at[jnp.where(valid, pos, bins)].add(1, mode="drop")


def _edges(name, column, bins, rng, d):
    """The bin edges of one dimension: a given edge tensor, or ``bins`` even bins over ``rng``
    (default: the data's min..max)."""
    if not isinstance(bins, int):
        return bins
    _check_bins(name, bins, d)
    if rng is not None:
        lo, hi = rng
        check(
            lo <= hi,
            RuntimeError,
            lambda: f"torch.histogramdd: min should not exceed max, but got min {lo} max {hi} for dimension {d}",
        )
        lo, hi = jnp.asarray(lo, column.dtype), jnp.asarray(hi, column.dtype)
    elif column.size:
        lo, hi = jnp.min(column), jnp.max(column)
    else:
        lo, hi = jnp.asarray(0, column.dtype), jnp.asarray(1, column.dtype)
    same = lo == hi
    lo, hi = jnp.where(same, lo - 0.5, lo), jnp.where(same, hi + 0.5, hi)
    return jnp.linspace(lo, hi, bins + 1, dtype=column.dtype)


def _histogramdd(name, x, bins, rng, weight, density):
    """Histogram of the rows of the 2-d ``x``; bins: one int or edge tensor per column."""
    _require_float("histogramdd" if name == "histogramdd" else "histogram", x)
    n, dims = x.shape
    edges = [_edges(name, x[:, d], b, None if rng is None else rng[2 * d : 2 * d + 2], d) for d, b in enumerate(bins)]
    sizes = [e.shape[0] - 1 for e in edges]
    flat = jnp.zeros(n, jnp.int64)
    valid = jnp.ones(n, bool)
    for d, e in enumerate(edges):
        c = x[:, d]
        i = jnp.clip(jnp.searchsorted(e, c, side="right") - 1, 0, builtins.max(sizes[d] - 1, 0))
        valid &= (c >= e[0]) & (c <= e[-1])
        flat = flat * sizes[d] + i
    w = jnp.ones(n, x.dtype) if weight is None else weight.reshape(-1).astype(x.dtype)
    total = 1
    for s in sizes:
        total *= s
    hist = jnp.zeros(total, x.dtype).at[jnp.where(valid, flat, total)].add(w, mode="drop")
    hist = hist.reshape(sizes)
    if density:
        volume = jnp.ones((), x.dtype)
        for d, e in enumerate(edges):
            shape = [1] * dims
            shape[d] = sizes[d]
            volume = volume * jnp.diff(e).reshape(shape)
        hist = hist / (jnp.sum(hist) * volume)
    return hist, edges


def _check_weight(input_shape, weight):
    check(
        weight is None or tuple(weight.shape) == tuple(input_shape[:-1]),
        RuntimeError,
        lambda: (
            "torch.histogramdd: if weight tensor is provided it should have the same shape as the input "
            f"tensor excluding its innermost dimension, but got input with shape {list(input_shape)} and "
            f"weight with shape {list(weight.shape)}"
        ),
    )


@op("_histogramdd", promote=NONE, method=False, out=False)
def _histogram_op(input: T, bins, edges: TL, range=None, weight: TN = None, density=False, flat=False):
    if flat:
        x = input.reshape(-1, 1)
        if weight is not None and weight.shape == input.shape:
            weight = weight.reshape(-1)
        _check_weight(x.shape, weight)
    else:
        check(input.ndim >= 2, RuntimeError, "torch.histogramdd: input tensor should have at least 2 dimensions")
        x = input.reshape(-1, input.shape[-1])
        _check_weight(input.shape, weight)
    if edges is not None:
        bins = list(edges)
    elif isinstance(bins, int):
        bins = [bins] * x.shape[1]
    check(
        len(bins) == x.shape[1],
        RuntimeError,
        lambda: (
            f"torch.histogramdd: expected {x.shape[1]} sequences of bin edges for each of the {x.shape[1]} "
            f"dimensions of the input tensor, but got {len(bins)}"
        ),
    )
    hist, edges = _histogramdd("histogram" if flat else "histogramdd", x, bins, range, weight, density)
    return (hist, *edges)


def _histogram_call(name, input, bins, range, weight, density):
    from ..tensor import Tensor

    tensors = isinstance(bins, Tensor) or (isinstance(bins, (list, tuple)) and bins and isinstance(bins[0], Tensor))
    edges = ([bins] if isinstance(bins, Tensor) else list(bins)) if tensors else None
    rng = None if range is None else tuple(float(r) for r in range)
    hist, *edges = _histogram_op(input, None if tensors else bins, edges, rng, weight, density, name == "histogram")
    result = _structseq(name, ("hist", "bin_edges"))
    return result(hist, edges[0] if name == "histogram" else tuple(edges))


@method("histogram")
def histogram(input, bins, *, range=None, weight=None, density=False):
    """torch.histogram: counts (or weight sums, or a density) of the input's values in ``bins``
    (an int: that many even bins over ``range`` or the data's min..max; a tensor: the edges)."""
    return _histogram_call("histogram", input, bins, range, weight, density)


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """torch.histogramdd: the histogram of the rows of ``input`` (the last dim indexes axes)."""
    return _histogram_call("histogramdd", input, bins, range, weight, density)


# ---- sorted search ----------------------------------------------------------------------------


def _search(seq, values, right, out_int32, sorter=None):
    """torch.searchsorted on a 1-d or batched (leading dims of ``values``) sorted sequence."""
    if sorter is not None:
        seq = jnp.take_along_axis(seq, sorter, axis=-1)
    side = "right" if right else "left"
    dt = jnp.int32 if out_int32 else jnp.int64
    if values.size == 0 or seq.size == 0:
        return jnp.zeros(values.shape, dt)
    if seq.ndim <= 1:
        return jnp.searchsorted(seq, values, side=side).astype(dt)
    rows = jax.vmap(lambda s, v: jnp.searchsorted(s, v, side=side))(
        seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1])
    )
    return rows.reshape(values.shape).astype(dt)


def _searchsorted_checks(seq, values, right, side, sorter):
    check(
        side in (None, "left", "right"),
        RuntimeError,
        lambda: f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}",
    )
    check(
        side is None or (side == "right") == right or not right,
        RuntimeError,
        lambda: f"torch.searchsorted(): side and right can't be set to opposites, got side of {side} while right was True",
    )
    check(
        seq.ndim <= 1 or seq.shape[:-1] == values.shape[:-1],
        RuntimeError,
        lambda: (
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
            f"boundaries tensor and input value tensor must match, but we got boundaries tensor "
            f"{list(seq.shape)} and input value tensor {list(values.shape)}"
        ),
    )
    check(
        sorter is None or sorter.shape == seq.shape,
        RuntimeError,
        lambda: (
            "torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor "
            f"{list(seq.shape)}and got sorter tensor {list(sorter.shape)}"
        ),
    )


@op(promote=SAME, method=False)
def searchsorted(sorted_sequence: T, input: T, *, out_int32=False, right=False, side=None, sorter: TN = None):
    _searchsorted_checks(sorted_sequence, input, right, side, sorter)
    return _search(sorted_sequence, input, right or side == "right", out_int32, sorter)


@op(promote=SAME, method=False)
def bucketize(input: T, boundaries: T, *, out_int32=False, right=False):
    check(
        boundaries.ndim == 1,
        RuntimeError,
        lambda: f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})",
    )
    return _search(boundaries, input, right, out_int32)


@op(promote=BOOL_OUT, method=False)
def isin(elements: T, test_elements: T, *, assume_unique=False, invert=False):
    return jnp.isin(elements, test_elements, invert=invert)
