"""Sorting and selection: sort, argsort, msort, topk, kthvalue, median, nanmedian, mode, unique.

Note [sort order]: jax's sort is stable and orders like torch's: NaN after every number
ascending (first descending), -0.0 equal to 0.0. torch's unstable sorts and its selection
kernels (topk, kthvalue) leave the order of equal elements unspecified; jtorch always returns
the stable order, which is one of the orders torch may return.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .._errors import check, wrap_dim
from ._registry import NONE, T, method, op
from .reduction import is_inexact, nonempty, scalar_selection, select_along, spread


def _argsort(x, d, descending):
    return jnp.argsort(x, axis=d, stable=True, descending=descending).astype(jnp.int64)


def _not_bool(name, x):
    check(
        x.dtype != jnp.bool_,
        NotImplementedError,
        lambda: f"\"{name}_cpu\" not implemented for 'Bool'",
    )


# ---- sorting ----------------------------------------------------------------------------------


@op(promote=NONE, returns=("values", "indices"))
def sort(input: T, dim=-1, descending=False, *, stable=False):
    d = wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        return scalar_selection(input)
    idx = _argsort(input, d, descending)
    return select_along(input, idx, d)


@op(promote=NONE, out=False)
def argsort(input: T, dim=-1, descending=False, *, stable=False):
    d = wrap_dim(dim, input.ndim)
    return _argsort(input, d, descending) if input.ndim else jnp.zeros((), jnp.int64)


@op(promote=NONE, grad_name="SortBackward0")
def msort(input: T):
    return sort.fn(input, 0)[0]


@op(promote=NONE, returns=("values", "indices"))
def topk(input: T, k, dim=-1, largest=True, sorted=True):
    """The k largest (smallest) elements along dim, in order.

    Differences from torch: ``sorted=False`` still returns them sorted (Note [sort order])."""
    check(input.dtype != jnp.bool_, RuntimeError, "topk does not support bool dtypes on CPU")
    d = wrap_dim(dim, input.ndim)
    check(
        0 <= k <= (input.shape[d] if input.ndim else 1),
        RuntimeError,
        "selected index k out of range",
    )
    if input.ndim == 0:
        return scalar_selection(input)
    idx = jnp.take(_argsort(input, d, largest), jnp.arange(k), axis=d)
    return select_along(input, idx, d)


def _select(input, k, d, keepdim):
    """(values, indices) of the k-th smallest (0-based, stable order) along d."""
    if input.ndim == 0:
        return scalar_selection(input)
    idx = jnp.take(_argsort(input, d, False), jnp.array([k]), axis=d)
    return select_along(input, idx, d, keepdim)


@op(promote=NONE, returns=("values", "indices"))
def kthvalue(input: T, k, dim=-1, keepdim=False):
    _not_bool("kthvalue", input)
    d = wrap_dim(dim, input.ndim)
    nonempty("kthvalue", input, d)
    n = input.shape[d] if input.ndim else 1
    check(
        1 <= k <= n,
        RuntimeError,
        lambda: f"kthvalue(): selected number k out of range for dimension {d}",
    )
    return _select(input, k - 1, d, keepdim)


# ---- median and mode --------------------------------------------------------------------------


def _median_name(base):
    return lambda input, dim=None, *a: f"{base}Backward{0 if dim is None else 1}"


def _median(input, dim, keepdim, ignore_nan):
    """The lower median; median returns NaN (its first one) when a NaN is present, nanmedian
    the lower median of the numbers. Full reductions share the gradient among equal elements,
    reductions along dim send it to the returned index (torch's conventions)."""
    _not_bool("median", input)  # torch's nanmedian names itself median in its errors
    floating = is_inexact(input.dtype)
    if dim is None:
        flat = jnp.sort(input.reshape(-1))
        if flat.size == 0:
            return jnp.array(jnp.nan, input.dtype)
        count = (~jnp.isnan(flat)).sum() if floating and ignore_nan else flat.size
        value = flat[jnp.maximum(count - 1, 0) // 2]
        if floating and not ignore_nan:
            value = jnp.where(jnp.isnan(flat[-1]), flat[-1], value)
        return spread(
            input, value.reshape((1,) * input.ndim), tuple(range(input.ndim)), False, nan_equal=True
        )
    d = wrap_dim(dim, input.ndim)
    nonempty("median", input, d)
    if input.ndim == 0:
        return scalar_selection(input)
    order = _argsort(input, d, False)
    if floating and ignore_nan:
        count = (~jnp.isnan(input)).sum(axis=d, keepdims=True)
        idx = jnp.take_along_axis(order, jnp.maximum(count - 1, 0) // 2, axis=d)
    else:
        idx = jnp.take(order, jnp.array([(input.shape[d] - 1) // 2]), axis=d)
        if floating:
            isnan = jnp.isnan(input)
            first_nan = jnp.argmax(isnan, axis=d, keepdims=True)
            idx = jnp.where(isnan.any(axis=d, keepdims=True), first_nan, idx)
    return select_along(input, idx, d, keepdim)


@op(promote=NONE, returns=("values", "indices"), grad_name=_median_name("Median"))
def median(input: T, dim=None, keepdim=False):
    return _median(input, dim, keepdim, ignore_nan=False)


@op(promote=NONE, returns=("values", "indices"), grad_name=_median_name("Nanmedian"))
def nanmedian(input: T, dim=None, keepdim=False):
    return _median(input, dim, keepdim, ignore_nan=True)


@op(promote=NONE, returns=("values", "indices"))
def mode(input: T, dim=-1, keepdim=False):
    """The most frequent value along dim (the smallest among equally frequent ones) and the
    index of its last occurrence, as torch returns."""
    d = wrap_dim(dim, input.ndim)
    nonempty("mode", input, d)
    if input.ndim == 0:
        return scalar_selection(input)
    s = jnp.moveaxis(jnp.sort(input, axis=d), d, -1)
    pos = jnp.arange(s.shape[-1])
    head = jnp.concatenate(
        [jnp.ones(s.shape[:-1] + (1,), bool), s[..., 1:] != s[..., :-1]], axis=-1
    )
    run_start = jax.lax.cummax(jnp.where(head, pos, 0), axis=s.ndim - 1)
    best = jnp.argmax(pos - run_start, axis=-1, keepdims=True)  # the end of the first longest run
    value = jnp.moveaxis(jnp.take_along_axis(s, best, axis=-1), -1, d)
    last = input.shape[d] - 1 - jnp.argmax(jnp.flip(input == value, axis=d), axis=d, keepdims=True)
    idx = last.astype(jnp.int64)
    return select_along(input, idx, d, keepdim)


# ---- unique (host: the result's size depends on the values) ------------------------------------


def _rows(h, axis):
    """``h`` as a 2-d array with one row per index along ``axis``."""
    return np.moveaxis(h, axis, 0).reshape(h.shape[axis], h.size // max(h.shape[axis], 1))


def _consecutive(h, axis):
    """unique_consecutive of host array ``h`` along ``axis``: values, inverse, counts."""
    rows = _rows(h, axis)
    head = np.ones(len(rows), bool)
    head[1:] = (rows[1:] != rows[:-1]).any(axis=1)  # NaN != NaN: every NaN stays, as in torch
    starts = np.flatnonzero(head)
    counts = np.diff(np.append(starts, len(rows)))
    return np.take(h, starts, axis=axis), np.cumsum(head) - 1, counts


def _unique_results(input, values, inverse, counts, return_inverse, return_counts):
    from .indexing import _wrap_np

    out = [_wrap_np(values, input)]
    if return_inverse:
        out.append(_wrap_np(inverse.astype(np.int64), input))
    if return_counts:
        out.append(_wrap_np(counts.astype(np.int64), input))
    return out[0] if len(out) == 1 else tuple(out)


def _unique_args(input, dim):
    """The host array to work on (flattened when ``dim`` is None) and its axis."""
    h = input._host()
    if dim is None:
        return h.reshape(-1), 0
    d = wrap_dim(dim, h.ndim)
    check(
        h.shape[d] == 0 or h.size > 0,
        RuntimeError,
        "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied",
    )
    return h, d


@method("unique")
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """torch.unique: the sorted distinct values (or slices along ``dim``), computed on the host.

    Differences from torch: the result does not require grad (torch's has a grad_fn whose
    backward raises); ``sorted=False`` also sorts, as torch does on the CPU."""
    h, d = _unique_args(input, dim)
    rows = _rows(h, d)
    order = np.lexsort(rows.T[::-1]) if rows.shape[1] else np.arange(len(rows))  # stable
    values, inv_sorted, counts = _consecutive(np.take(h, order, axis=d), d)
    inverse = np.empty_like(inv_sorted)
    inverse[order] = inv_sorted
    if dim is None:
        inverse = inverse.reshape(input.shape)
    return _unique_results(input, values, inverse, counts, return_inverse, return_counts)


@method("unique_consecutive")
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """torch.unique_consecutive: collapse runs of equal values (or slices along ``dim``)."""
    h, d = _unique_args(input, dim)
    values, inverse, counts = _consecutive(h, d)
    if dim is None:
        inverse = inverse.reshape(input.shape)
    return _unique_results(input, values, inverse, counts, return_inverse, return_counts)
