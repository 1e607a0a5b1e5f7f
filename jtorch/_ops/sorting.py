"""Sorting and selection: sort, argsort, msort, topk, kthvalue, unique."""

import jax.numpy as jnp
import numpy as np

from .._errors import check, wrap_dim
from ._registry import NONE, T, method, op


def _dim(x, dim):
    return wrap_dim(dim, max(x.ndim, 1)) if x.ndim else 0


def _argsort(x, d, descending, stable=True):
    if x.ndim == 0:
        return jnp.zeros((), jnp.int64)
    return jnp.argsort(x, axis=d, stable=True, descending=descending).astype(jnp.int64)


@op(promote=NONE, returns=("values", "indices"))
def sort(input: T, dim=-1, descending=False, *, stable=False):
    d = _dim(input, dim)
    idx = _argsort(input, d, descending)
    if input.ndim == 0:
        return input, idx
    return jnp.take_along_axis(input, idx, axis=d), idx


@op(promote=NONE, out=False)
def argsort(input: T, dim=-1, descending=False, *, stable=False):
    return _argsort(input, _dim(input, dim), descending)


@op(promote=NONE, method=False, grad_name="SortBackward0")
def msort(input: T):
    return jnp.sort(input, axis=0)


@op(promote=NONE, returns=("values", "indices"))
def topk(input: T, k, dim=-1, largest=True, sorted=True):
    d = _dim(input, dim)
    n = input.shape[d] if input.ndim else 1
    check(0 <= k <= n, RuntimeError, "selected index k out of range")
    if input.ndim == 0:
        return input, jnp.zeros((), jnp.int64)
    idx = jnp.take(_argsort(input, d, largest), jnp.arange(k), axis=d)
    return jnp.take_along_axis(input, idx, axis=d), idx


@op(promote=NONE, returns=("values", "indices"))
def kthvalue(input: T, k, dim=-1, keepdim=False):
    d = _dim(input, dim)
    n = input.shape[d] if input.ndim else 1
    check(1 <= k <= n, RuntimeError, lambda: f"kthvalue(): selected number k out of range for dimension {d}")
    if input.ndim == 0:
        return input, jnp.zeros((), jnp.int64)
    idx = jnp.take(_argsort(input, d, False), jnp.array([k - 1]), axis=d)
    values = jnp.take_along_axis(input, idx, axis=d)
    if not keepdim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return values, idx


@method("unique")
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """torch.unique, computed on the host (the result's size depends on the values)."""
    from .indexing import _wrap_np

    h = input._host()
    if dim is None:
        values, inverse, counts = np.unique(h.reshape(-1), return_inverse=True, return_counts=True)
        inverse = inverse.reshape(h.shape)
    else:
        values, inverse, counts = np.unique(h, return_inverse=True, return_counts=True, axis=wrap_dim(dim, h.ndim))
    out = [_wrap_np(values.astype(h.dtype), input)]
    if return_inverse:
        out.append(_wrap_np(inverse.astype(np.int64), input))
    if return_counts:
        out.append(_wrap_np(counts.astype(np.int64), input))
    return out[0] if len(out) == 1 else tuple(out)
