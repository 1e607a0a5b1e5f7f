"""Attention: torch.nn.functional.scaled_dot_product_attention.

The pure op takes the dropout keep-mask as an operand; the front-end draws it from torch's
generator (Note [RNG interface] in _random.py) only when ``dropout_p > 0``.
"""

import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._errors import check
from .._size import Size
from ._registry import NONE, TN, TT, T, op
from .creation import place, zeros_like
from .linalg import _mm
from .nn_dropout import noise
from .nn_linear import linear
from .selection import masked_fill


@op(promote=NONE, method=False, out=False, grad_name="ScaledDotProductAttentionBackward0")
def _sdpa(
    query: T, key: T, value: T, attn_mask: TN, keep: TN, dropout_p, is_causal, scale, enable_gqa
):
    """softmax(q k^T * scale + mask) (dropped out, rescaled) @ v."""
    check(
        query.dtype == key.dtype == value.dtype,
        RuntimeError,
        lambda: (
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{query.dtype} "
            f"key.dtype: {key.dtype} and value.dtype: {value.dtype} instead."
        ),
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
        weights = weights * keep.astype(weights.dtype)
    return jnp.matmul(weights, value, precision=jax.lax.Precision.HIGHEST)


def scaled_dot_product_attention(
    query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False
):
    """torch.nn.functional.scaled_dot_product_attention (the math path): ``attn_mask`` boolean
    (True takes part) or additive; ``is_causal`` a lower-triangular mask; ``enable_gqa`` repeats
    key/value heads to the query's. Dropout draws torch's mask (F.dropout's noise)."""
    keep = None
    if dropout_p > 0:
        shape = tuple(query.shape[:-1]) + (key.shape[-2],)
        keep = place(noise(query.device, shape, dropout_p, query.dtype._np), query.device)
    return _sdpa(
        query,
        key,
        value,
        attn_mask,
        keep,
        float(dropout_p),
        bool(is_causal),
        scale,
        bool(enable_gqa),
    )


# ---- multi-head attention -----------------------------------------------------------------------
#
# Note [multi-head attention]: F.multi_head_attention_forward is one registered op, ``_mha``:
# the in-projections, the head split, bias_k/v and zero-attention columns, the merged mask,
# softmax, dropout and the out-projection are one traced function (one dispatch, one tape
# node). The front-end does what needs Python values first: torch's shape checks and messages,
# the canonical (additive float) masks and the dropout noise, drawn as F.dropout draws it.
# torch takes two paths with different results for a fully masked row: with need_weights the
# softmax gives NaN, without it (scaled_dot_product_attention) the row is zero; both are kept.


def _none_or_dtype(input):
    """torch.nn.functional._none_or_dtype."""
    if input is None:
        return None
    check(
        hasattr(input, "dtype"),
        RuntimeError,
        "input to _none_or_dtype() must be None or torch.Tensor",
    )
    return input.dtype


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """torch.nn.functional._canonical_mask: a bool mask (True: masked out) becomes an additive
    mask of ``target_type`` (-inf where True, 0 elsewhere); a float mask is returned as it is."""
    if mask is None:
        return None
    is_float = mask.dtype.is_floating_point
    check(
        is_float or mask.dtype == _dtype.bool,
        AssertionError,
        lambda: f"only bool and floating types of {mask_name} are supported",
    )
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(
            f"Support for mismatched {mask_name} and {other_name} is deprecated. "
            "Use same type for both instead.",
            stacklevel=2,
        )
    if is_float:
        return mask
    return masked_fill(zeros_like(mask, dtype=target_type), mask, float("-inf"))


def _tile_bias(bias, bsz):
    """``bias.repeat(1, bsz, 1)``: one extra key (value) row per batch element."""
    bias = bias.reshape((1,) * (3 - bias.ndim) + bias.shape)
    return jnp.tile(bias, (1, bsz, 1))


def _pad_column(mask):
    return None if mask is None else jnp.pad(mask, [(0, 0)] * (mask.ndim - 1) + [(0, 1)])


def _in_projection(query, key, value, in_proj_weight, in_proj_bias, q_w, k_w, v_w):
    if in_proj_weight is not None:
        q_w, k_w, v_w = jnp.split(in_proj_weight, 3)
    biases = (None,) * 3 if in_proj_bias is None else jnp.split(in_proj_bias, 3)
    return [linear.fn(x, w, b) for x, w, b in zip((query, key, value), (q_w, k_w, v_w), biases)]


def _attention_weights(q, k, mask, causal, safe):
    """softmax(q k^T / sqrt(head_dim) + mask) over the keys; ``safe``: a row with every key
    masked gives zeros (torch's scaled_dot_product_attention) rather than NaN."""
    scores = _mm(q * math.sqrt(1.0 / q.shape[-1]), jnp.swapaxes(k, -1, -2))
    if causal:
        mask = jnp.where(jnp.asarray(np.tril(np.ones(scores.shape[-2:], bool))), 0, -jnp.inf)
    if mask is not None:
        scores = scores + mask.astype(scores.dtype)
    if not safe:
        return jax.nn.softmax(scores, axis=-1)
    dead = jnp.all(scores == -jnp.inf, axis=-1, keepdims=True)
    weights = jax.nn.softmax(jnp.where(dead, 0, scores), axis=-1)
    return jnp.where(dead, 0, weights)


def _merge_masks(attn_mask, key_padding_mask, num_heads):
    """One additive mask of shape (bsz * num_heads or 1, tgt_len or 1, src_len), or None."""
    if key_padding_mask is None:
        return attn_mask
    bsz, src_len = key_padding_mask.shape
    kpm = jnp.broadcast_to(key_padding_mask[:, None, None], (bsz, num_heads, 1, src_len))
    kpm = kpm.reshape(bsz * num_heads, 1, src_len)
    return kpm if attn_mask is None else attn_mask + kpm


def _mha_grad_name(*values):
    return "ViewBackward0" if values[0].ndim == 3 else "SqueezeBackward1"


@op("_mha", promote=NONE, method=False, out=False, grad_name=_mha_grad_name)
def _mha(
    query: TT,
    key: TT,
    value: TT,
    in_proj_weight: TT,
    in_proj_bias: TT,
    bias_k: TT,
    bias_v: TT,
    out_proj_weight: TT,
    out_proj_bias: TT,
    q_proj_weight: TT,
    k_proj_weight: TT,
    v_proj_weight: TT,
    static_k: TT,
    static_v: TT,
    attn_mask: TN,
    key_padding_mask: TN,
    keep: TN,
    num_heads,
    add_zero_attn,
    dropout_p,
    need_weights,
    average_attn_weights,
    is_causal,
):
    """F.multi_head_attention_forward after its checks (Note [multi-head attention]): masks
    arrive additive, ``keep`` is the dropout keep-mask or None."""
    batched = query.ndim == 3
    if not batched:
        query, key, value = (x[:, None] for x in (query, key, value))
        key_padding_mask = None if key_padding_mask is None else key_padding_mask[None]
    tgt_len, bsz, embed_dim = query.shape
    heads, head_dim = bsz * num_heads, embed_dim // num_heads
    q, k, v = _in_projection(
        query, key, value, in_proj_weight, in_proj_bias, q_proj_weight, k_proj_weight, v_proj_weight
    )
    if attn_mask is not None and attn_mask.ndim == 2:
        attn_mask = attn_mask[None]
    if bias_k is not None:
        k = jnp.concatenate([k, _tile_bias(bias_k, bsz)])
        v = jnp.concatenate([v, _tile_bias(bias_v, bsz)])
        attn_mask, key_padding_mask = _pad_column(attn_mask), _pad_column(key_padding_mask)

    def split_heads(x):  # (seq, bsz, embed_dim) -> (bsz * num_heads, seq, head_dim)
        return jnp.swapaxes(x.reshape(x.shape[0], heads, head_dim), 0, 1)

    q = split_heads(q)
    k = split_heads(k) if static_k is None else static_k
    v = split_heads(v) if static_v is None else static_v
    if add_zero_attn:
        k = jnp.concatenate([k, jnp.zeros((heads, 1, head_dim), k.dtype)], axis=1)
        v = jnp.concatenate([v, jnp.zeros((heads, 1, head_dim), v.dtype)], axis=1)
        attn_mask, key_padding_mask = _pad_column(attn_mask), _pad_column(key_padding_mask)
    mask = _merge_masks(attn_mask, key_padding_mask, num_heads)
    weights = _attention_weights(q, k, mask, is_causal and mask is None, safe=not need_weights)
    if keep is not None:
        weights = weights * keep.astype(weights.dtype)
    out = jnp.swapaxes(_mm(weights, v), 0, 1).reshape(tgt_len, bsz, embed_dim)
    out = linear.fn(out, out_proj_weight, out_proj_bias)
    if not need_weights:
        return out if batched else out[:, 0]
    weights = weights.reshape(bsz, num_heads, tgt_len, -1)
    if average_attn_weights:
        weights = weights.mean(axis=1)
    return (out, weights) if batched else (out[:, 0], weights[0])


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """torch's _mha_shape_check: whether the input is batched, with torch's AssertionErrors."""
    qd, kd, vd = query.dim(), key.dim(), value.dim()
    check(
        qd in (2, 3),
        AssertionError,
        lambda: (
            f"query should be unbatched 2D or batched 3D tensor but received {qd}-D query tensor"
        ),
    )
    batched = qd == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    check(
        kd == qd and vd == qd,
        AssertionError,
        lambda: (
            f"For {kind} `query`, expected `key` and "
            f"`value` to be {qd}-D but found {kd}-D and {vd}-D tensors respectively"
        ),
    )
    if key_padding_mask is not None:
        kpd = key_padding_mask.dim()
        check(
            kpd == qd - 1,
            AssertionError,
            lambda: (
                f"For {kind} `query`, expected "
                f"`key_padding_mask` to be `None` or {qd - 1}-D but found {kpd}-D tensor instead"
            ),
        )
    if attn_mask is not None:
        amd = attn_mask.dim()
        check(
            amd in (2, 3),
            AssertionError,
            lambda: (
                f"For {kind} `query`, expected `attn_mask` to "
                f"be `None`, 2-D or 3-D but found {amd}-D tensor instead"
            ),
        )
        expected = (num_heads, query.shape[0], key.shape[0])
        check(
            batched or amd == 2 or attn_mask.shape == expected,
            AssertionError,
            lambda: f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}",
        )
    return batched


def _check_projection(name, w, shape):
    if w is not None:
        check(
            tuple(w.shape) == shape,
            AssertionError,
            lambda: f"expecting {name} shape of {shape}, but got {w.shape}",
        )


def _check_static(name, static, rows, head_dim):
    if static is not None:
        for dim, expected in ((0, rows), (2, head_dim)):
            check(
                static.size(dim) == expected,
                AssertionError,
                lambda d=dim, e=expected: (
                    f"expecting {name}.size({d}) of {e}, but got {static.size(d)}"
                ),
            )


def _check_mask_dtype(mask, query, need_weights):
    """torch's error for an additive mask of another float dtype than the query: from baddbmm
    (need_weights), or from scaled_dot_product_attention, which also takes float32 masks."""
    if mask is None or mask.dtype == query.dtype:
        return
    if need_weights:
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {_c10_name(mask)}, batch1: "
            f"{_c10_name(query)}, batch2: {_c10_name(query)}"
        )
    check(
        mask.dtype == _dtype.float32,
        RuntimeError,
        lambda: (
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {_c10_name(mask)} and  query.dtype: {_c10_name(query)} instead."
        ),
    )


def _c10_name(t):
    names = {"float32": "float", "float64": "double", "float16": "c10::Half"}
    return names.get(t.dtype._name, "c10::BFloat16")


def multi_head_attention_forward(
    query,
    key,
    value,
    embed_dim_to_check,
    num_heads,
    in_proj_weight,
    in_proj_bias,
    bias_k,
    bias_v,
    add_zero_attn,
    dropout_p,
    out_proj_weight,
    out_proj_bias,
    training=True,
    key_padding_mask=None,
    need_weights=True,
    attn_mask=None,
    use_separate_proj_weight=False,
    q_proj_weight=None,
    k_proj_weight=None,
    v_proj_weight=None,
    static_k=None,
    static_v=None,
    average_attn_weights=True,
    is_causal=False,
):
    """torch.nn.functional.multi_head_attention_forward: the forward of nn.MultiheadAttention
    on (L, N, E) (or unbatched (L, E)) query and (S, N, E) key and value. Returns the output
    and, with ``need_weights``, the attention weights (averaged over heads unless
    ``average_attn_weights=False``), else None."""
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    tgt_len, bsz, embed_dim = query.shape if batched else (query.shape[0], 1, query.shape[1])
    src_len = key.shape[0]
    key_padding_mask, attn_mask, is_causal = _mha_masks(
        query, key_padding_mask, attn_mask, is_causal, need_weights
    )
    head_dim = _check_mha_dims(
        query, key, value, embed_dim_to_check, num_heads, use_separate_proj_weight, batched
    )
    _check_mha_weights(
        embed_dim,
        key.shape[-1],
        value.shape[-1],
        in_proj_weight,
        in_proj_bias,
        use_separate_proj_weight,
        q_proj_weight,
        k_proj_weight,
        v_proj_weight,
    )
    _check_mha_attn_mask(attn_mask, (tgt_len, src_len), bsz * num_heads)
    _check_bias_kv(bias_k, bias_v, static_k, static_v)
    _check_static("static_k", static_k, bsz * num_heads, head_dim)
    _check_static("static_v", static_v, bsz * num_heads, head_dim)
    extra = (bias_k is not None) + bool(add_zero_attn)  # key columns added, masks padded
    src_len = (static_k.size(1) if static_k is not None else src_len) + extra
    _check_key_padding_mask(key_padding_mask, batched, bsz, src_len, extra)
    for mask in (attn_mask, key_padding_mask):
        _check_mask_dtype(mask, query, need_weights)
    p = float(dropout_p) if training else 0.0
    keep = None
    if p > 0:
        check(
            p <= 1,
            ValueError if need_weights else RuntimeError,  # from F.dropout, or from SDPA
            lambda: f"dropout probability has to be between 0 and 1, but got {p}",
        )
        shape = (bsz * num_heads, tgt_len, src_len)
        keep = noise(query.device, shape, p, query.dtype._np)
        keep = place(keep, query.device)
    if use_separate_proj_weight:
        in_proj_weight = None
    else:
        q_proj_weight = k_proj_weight = v_proj_weight = None
    result = _mha(
        query,
        key,
        value,
        in_proj_weight,
        in_proj_bias,
        bias_k,
        bias_v,
        out_proj_weight,
        out_proj_bias,
        q_proj_weight,
        k_proj_weight,
        v_proj_weight,
        static_k,
        static_v,
        attn_mask,
        key_padding_mask,
        keep,
        int(num_heads),
        bool(add_zero_attn),
        p,
        bool(need_weights),
        bool(average_attn_weights),
        bool(is_causal),
    )
    return result if need_weights else (result, None)


def _mha_masks(query, key_padding_mask, attn_mask, is_causal, need_weights):
    """The canonical (additive) masks and the causal hint, as torch passes them on."""
    key_padding_mask = _canonical_mask(
        key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask", query.dtype
    )
    check(
        not (is_causal and attn_mask is None),
        RuntimeError,
        "Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
        "method `generate_square_subsequent_mask` to create this mask.",
    )
    if is_causal and key_padding_mask is None and not need_weights:
        return None, None, True  # the hint alone is passed on (to scaled_dot_product_attention)
    # need_weights applies the mask itself, and a mask merged with key_padding_mask is not causal
    attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, False)
    return key_padding_mask, attn_mask, False


def _check_key_padding_mask(mask, batched, bsz, src_len, padded):
    if mask is None:
        return
    shape = (mask.shape[0] if batched else 1, mask.shape[-1] + padded)
    for i, expected in enumerate((bsz, src_len)):
        check(
            shape[i] == expected,
            AssertionError,
            lambda i=i, e=expected: (
                f"Expected key_padded_mask.shape[{i}] to be {e}, but got {shape[i]}"
            ),
        )


def _check_mha_dims(query, key, value, embed_dim_to_check, num_heads, separate, batched):
    """torch's checks of the embedding size and of key against value; returns head_dim."""
    embed_dim = query.shape[-1]
    check(
        embed_dim == embed_dim_to_check,
        AssertionError,
        lambda: f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}",
    )
    head_dim = embed_dim // num_heads
    check(
        head_dim * num_heads == embed_dim,
        AssertionError,
        lambda: f"embed_dim {embed_dim} not divisible by num_heads {num_heads}",
    )
    kshape, vshape = _batched_shape(key, batched), _batched_shape(value, batched)
    if separate:
        check(
            kshape[:2] == vshape[:2],
            AssertionError,
            lambda: f"key's sequence and batch dims {kshape[:2]} do not match value's {vshape[:2]}",
        )
    else:
        check(
            kshape == vshape,
            AssertionError,
            lambda: f"key shape {kshape} does not match value shape {vshape}",
        )
    return head_dim


def _batched_shape(x, batched):
    """x's shape as torch's checks see it: an unbatched (S, E) is unsqueezed to (S, 1, E)."""
    shape = tuple(x.shape) if batched else (x.shape[0], 1, x.shape[1])
    return Size(shape)


def _check_mha_weights(
    embed_dim, kdim, vdim, in_proj_weight, in_proj_bias, separate, q_w, k_w, v_w
):
    if not separate:
        check(
            in_proj_weight is not None,
            AssertionError,
            "use_separate_proj_weight is False but in_proj_weight is None",
        )
        return
    for name, w in (("q_proj_weight", q_w), ("k_proj_weight", k_w), ("v_proj_weight", v_w)):
        check(
            w is not None,
            AssertionError,
            lambda n=name: f"use_separate_proj_weight is True but {n} is None",
        )
    _check_projection("query weights", q_w, (embed_dim, embed_dim))
    _check_projection("key weights", k_w, (embed_dim, kdim))
    _check_projection("value weights", v_w, (embed_dim, vdim))
    if in_proj_bias is not None and tuple(in_proj_bias.shape) != (3 * embed_dim,):
        for name, b in zip(("query", "key", "value"), in_proj_bias.chunk(3)):
            _check_projection(f"{name} bias", b, (embed_dim,))


def _check_bias_kv(bias_k, bias_v, static_k, static_v):
    if bias_k is not None and bias_v is not None:
        check(static_k is None, AssertionError, "bias cannot be added to static key.")
        check(static_v is None, AssertionError, "bias cannot be added to static value.")
    else:
        check(bias_k is None, AssertionError, "bias_k is set but bias_v is None")
        check(bias_v is None, AssertionError, "bias_v is set but bias_k is None")


def _check_mha_attn_mask(attn_mask, size_2d, heads):
    if attn_mask is None:
        return
    dim = attn_mask.dim()
    check(dim in (2, 3), RuntimeError, lambda: f"attn_mask's dimension {dim} is not supported")
    expected = size_2d if dim == 2 else (heads, *size_2d)
    check(
        tuple(attn_mask.shape) == expected,
        RuntimeError,
        lambda: (
            f"The shape of the {dim}D attn_mask is {attn_mask.shape}, but should be {expected}."
        ),
    )
