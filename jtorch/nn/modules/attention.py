"""torch.nn: MultiheadAttention."""

from ... import empty
from .. import functional as F
from ..init import constant_, xavier_normal_, xavier_uniform_
from ..parameter import Parameter
from .linear import NonDynamicallyQuantizableLinear
from .module import Module

__all__ = ["MultiheadAttention"]


class MultiheadAttention(Module):
    """torch.nn.MultiheadAttention: ``concat(head_1, ..., head_h) W_O`` with
    ``head_i = softmax(Q W_Q^i (K W_K^i)^T / sqrt(head_dim)) V W_V^i``.

    Args:
        embed_dim: total dimension of the model; split evenly over ``num_heads``.
        num_heads: parallel attention heads (``embed_dim`` must be divisible by it).
        dropout: dropout probability on the attention weights (default 0.0).
        bias: in- and out-projection biases (default True).
        add_bias_kv: learn one more key and value row, ``bias_k`` and ``bias_v``.
        add_zero_attn: append a zero key and value row.
        kdim, vdim: feature sizes of key and value (default ``embed_dim``); when they differ
            from it the projections are ``q_proj_weight``/``k_proj_weight``/``v_proj_weight``
            instead of the packed ``in_proj_weight``.
        batch_first: inputs and output are ``(N, L, E)`` instead of ``(L, N, E)``.

    Shape: query ``(L, E)``, ``(L, N, E)`` or ``(N, L, E)``; key and value likewise with ``S``
    and ``kdim``/``vdim``; output as the query; weights ``(N, L, S)`` (per head:
    ``(N, num_heads, L, S)``), without ``N`` when unbatched.

    Differences from torch: no fast path (torch's ``_native_multi_head_attention`` in eval
    mode): results are those of torch's general path.

    Examples::

        >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
        >>> x = torch.randn(2, 5, 16)
        >>> out, weights = mha(x, x, x)
        >>> out.shape, weights.shape
        (torch.Size([2, 5, 16]), torch.Size([2, 5, 5]))
    """

    __constants__ = ["batch_first"]  # noqa: RUF012  (a list, as in torch)

    def __init__(
        self,
        embed_dim,
        num_heads,
        dropout=0.0,
        bias=True,
        add_bias_kv=False,
        add_zero_attn=False,
        kdim=None,
        vdim=None,
        batch_first=False,
        device=None,
        dtype=None,
    ):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                f"num_heads={num_heads} instead"
            )
        factory = {"device": device, "dtype": dtype}
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), **factory))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(empty((embed_dim, embed_dim), **factory))
            self.k_proj_weight = Parameter(empty((embed_dim, self.kdim), **factory))
            self.v_proj_weight = Parameter(empty((embed_dim, self.vdim), **factory))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, **factory))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **factory)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), **factory))
            self.bias_v = Parameter(empty((1, 1, embed_dim), **factory))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            xavier_uniform_(self.in_proj_weight)
        else:
            xavier_uniform_(self.q_proj_weight)
            xavier_uniform_(self.k_proj_weight)
            xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            constant_(self.in_proj_bias, 0.0)
            constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            xavier_normal_(self.bias_v)

    def __setstate__(self, state):
        state.setdefault("_qkv_same_embed_dim", True)  # modules pickled before kdim/vdim
        super().__setstate__(state)

    def forward(
        self,
        query,
        key,
        value,
        key_padding_mask=None,
        need_weights=True,
        attn_mask=None,
        average_attn_weights=True,
        is_causal=False,
    ):
        """Attend from ``query`` to ``key``/``value``; returns ``(output, weights or None)``.

        ``key_padding_mask`` ``(N, S)`` or ``(S)``: True (or -inf) ignores that key;
        ``attn_mask`` ``(L, S)`` or ``(N * num_heads, L, S)``: True (or an added float) per
        query/key pair; ``is_causal``: a hint that ``attn_mask`` is the causal mask."""
        key_padding_mask, attn_mask = _canonical_masks(key_padding_mask, attn_mask, query.dtype)
        batched = query.dim() == 3
        if self.batch_first and batched:
            query, key, value = _seq_first(query, key, value)
        separate = not self._qkv_same_embed_dim
        out, weights = F.multi_head_attention_forward(
            query,
            key,
            value,
            self.embed_dim,
            self.num_heads,
            self.in_proj_weight,
            self.in_proj_bias,
            self.bias_k,
            self.bias_v,
            self.add_zero_attn,
            self.dropout,
            self.out_proj.weight,
            self.out_proj.bias,
            training=self.training,
            key_padding_mask=key_padding_mask,
            need_weights=need_weights,
            attn_mask=attn_mask,
            use_separate_proj_weight=separate,
            q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights,
            is_causal=is_causal,
        )
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        return out, weights

    def merge_masks(self, attn_mask, key_padding_mask, query):
        """torch's helper for its fast path: ``(merged mask or None, mask type)``, the type
        being 1 for a key padding mask only and 2 when an attention mask is merged in."""
        if attn_mask is None:
            return key_padding_mask, (None if key_padding_mask is None else 1)
        batch_size, seq_len, _ = query.shape
        if attn_mask.dim() == 3:
            merged = attn_mask.view(batch_size, -1, seq_len, seq_len)
        else:
            merged = attn_mask.view(1, 1, seq_len, seq_len).expand(
                batch_size, self.num_heads, -1, -1
            )
        if key_padding_mask is not None:
            padding = key_padding_mask.view(batch_size, 1, 1, seq_len)
            merged = merged + padding.expand(-1, self.num_heads, -1, -1)
        return merged, 2


def _canonical_masks(key_padding_mask, attn_mask, dtype, names=("key_padding_mask", "attn_mask")):
    """Both masks additive, as torch's modules make them before attending: the padding mask
    is checked against the attention mask's type (torch warns when they differ)."""
    key_padding_mask = F._canonical_mask(
        key_padding_mask, names[0], F._none_or_dtype(attn_mask), names[1], dtype
    )
    return key_padding_mask, F._canonical_mask(attn_mask, names[1], None, "", dtype, False)


def _seq_first(query, key, value):
    """(N, L, E) to (L, N, E), keeping the identities query is key is value that the
    in-projection may rely on."""
    if key is value:
        if query is key:
            query = key = value = query.transpose(1, 0)
        else:
            query, key = query.transpose(1, 0), key.transpose(1, 0)
            value = key
    else:
        query, key, value = (x.transpose(1, 0) for x in (query, key, value))
    return query, key, value
