"""Distances and normalization of torch.nn.functional: pairwise_distance, cosine_similarity,
pdist, normalize. Norms use reduction's p-norm, with torch's gradient at zero."""

import jax
import jax.numpy as jnp

from .._errors import broadcast_shapes, check, wrap_dim
from ._registry import INT_TO_FLOAT, NONE, TT, op
from .reduction import _pnorm
from .pointwise import _title


def _norm_keep(x, p, axis):
    """The p-norm of ``x`` over ``axis`` (kept); a zero-dim ``x`` is its own absolute value."""
    return _pnorm(x, float(p), axis) if x.ndim else jnp.abs(x)


@op("pairwise_distance", method=False, promote=INT_TO_FLOAT)
def pairwise_distance(x1: TT, x2: TT, p=2.0, eps=1e-6, keepdim=False):
    """torch.pairwise_distance: ``norm(x1 - x2 + eps, p)`` over the last dim."""
    broadcast_shapes(x1.shape, x2.shape)
    diff = x1 - x2 + jnp.asarray(eps, x1.dtype)
    if diff.ndim == 0:
        return jnp.abs(diff)
    out = _norm_keep(diff, p, (diff.ndim - 1,))
    return out if keepdim else out.squeeze(-1)


def _clamped_norm(x, d, eps):
    """torch's cosine_similarity norm: clamped to ``eps`` under no_grad (the gradient passes
    as if unclamped)."""
    n = _norm_keep(x, 2, (d,))
    return n + jax.lax.stop_gradient(jnp.maximum(n, eps) - n)


@op("cosine_similarity", method=False, promote=INT_TO_FLOAT)
def cosine_similarity(x1: TT, x2: TT, dim=1, eps=1e-8):
    """torch.cosine_similarity along ``dim`` (inputs broadcast together)."""
    x1, x2 = jnp.broadcast_arrays(x1, x2)
    d = wrap_dim(dim, x1.ndim)
    if x1.ndim == 0:
        return (x1 / jnp.maximum(jnp.abs(x1), eps)) * (x2 / jnp.maximum(jnp.abs(x2), eps))
    eps = jnp.asarray(eps, x1.dtype)
    return jnp.sum((x1 / _clamped_norm(x1, d, eps)) * (x2 / _clamped_norm(x2, d, eps)), axis=d)


@op("pdist", method=False, promote=NONE)
def pdist(input: TT, p=2.0):
    """torch.pdist: the p-norm distances between the rows of a matrix, for i < j in row order."""
    check(input.ndim == 2, RuntimeError, lambda: f"pdist only supports 2D tensors, got: {input.ndim}D")
    check(
        jnp.issubdtype(input.dtype, jnp.floating),
        RuntimeError,
        "pdist only supports floating-point dtypes",
    )
    check(p >= 0, RuntimeError, "pdist only supports non-negative p values")
    i, j = jnp.triu_indices(input.shape[0], k=1)
    if i.size == 0:
        return jnp.zeros((0,), input.dtype)
    return _norm_keep(input[i] - input[j], p, (1,)).squeeze(1)


@op("nn.functional.normalize", method=False, promote=NONE)
def normalize(input: TT, p=2.0, dim=1, eps=1e-12):
    """torch.nn.functional.normalize: ``input / max(norm(input, p, dim), eps)``."""
    check(
        jnp.issubdtype(input.dtype, jnp.inexact),
        RuntimeError,
        lambda: f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {_title(input)}",
    )
    d = wrap_dim(dim, input.ndim)
    norm = _norm_keep(input, p, (d,))
    return input / jnp.where(norm >= eps, norm, jax.lax.stop_gradient(jnp.full_like(norm, eps)))
