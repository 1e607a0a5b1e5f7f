"""Attention: torch.nn.functional.scaled_dot_product_attention.

The pure op takes the dropout keep-mask as an operand; the front-end draws it from torch's
generator (Note [RNG interface] in _random.py) only when ``dropout_p > 0``.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np

from .._errors import check
from .._random import default_generator
from ._registry import NONE, TN, T, op
from .creation import place


@op(promote=NONE, method=False, out=False, grad_name="ScaledDotProductAttentionBackward0")
def _sdpa(query: T, key: T, value: T, attn_mask: TN, keep: TN, dropout_p, is_causal, scale, enable_gqa):
    """softmax(q k^T * scale + mask) (dropped out, rescaled) @ v."""
    check(
        query.dtype == key.dtype == value.dtype,
        RuntimeError,
        lambda: f"Expected query, key, and value to have the same dtype, but got query.dtype: {query.dtype} "
        f"key.dtype: {key.dtype} and value.dtype: {value.dtype} instead.",
    )
    check(
        not (is_causal and attn_mask is not None),
        RuntimeError,
        "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True",
    )
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        reps = query.shape[-3] // key.shape[-3]
        key, value = jnp.repeat(key, reps, axis=-3), jnp.repeat(value, reps, axis=-3)
    s = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = jnp.matmul(query, jnp.swapaxes(key, -1, -2), precision=jax.lax.Precision.HIGHEST) * s
    length, source = query.shape[-2], key.shape[-2]
    if is_causal:
        attn_mask = jnp.asarray(np.tril(np.ones((length, source), bool)))
    if attn_mask is not None:
        if attn_mask.dtype == jnp.bool_:
            scores = jnp.where(attn_mask, scores, -jnp.inf)
        else:
            scores = scores + attn_mask.astype(scores.dtype)
    weights = jax.nn.softmax(scores, axis=-1)
    if keep is not None:
        weights = jnp.where(keep, weights / (1 - dropout_p), 0)
    return jnp.matmul(weights, value, precision=jax.lax.Precision.HIGHEST)


def scaled_dot_product_attention(
    query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False
):
    """torch.nn.functional.scaled_dot_product_attention (the math path): ``attn_mask`` boolean
    (True takes part) or additive; ``is_causal`` a lower-triangular mask; ``enable_gqa`` repeats
    key/value heads to the query's.

    Differences from torch: the dropout mask comes from jtorch's generator, so results with
    ``dropout_p > 0`` differ from torch's draws."""
    keep = None
    if dropout_p > 0:
        shape = tuple(query.shape[:-1]) + (key.shape[-2],)
        keep = default_generator.bernoulli(1 - dropout_p, shape, np.bool_)
        keep = place(keep, query.device)
    return _sdpa(query, key, value, attn_mask, keep, float(dropout_p), bool(is_causal), scale, bool(enable_gqa))
