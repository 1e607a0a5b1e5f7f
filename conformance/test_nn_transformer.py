"""F.multi_head_attention_forward, nn.MultiheadAttention and the Transformer family
(nn/modules/attention.py, nn/modules/transformer.py, _ops/nn_attention.py) against real torch.

module_db checks the five modules' forward and backward; op_db's multi_head_attention_forward
samples all train with dropout (a different mask than torch's), so its dropout-free samples run
here. Also here: the functional's options and errors, reprs, state_dict layout, default
initialisation, warnings, and torch's eval-mode fast-path results that jtorch reproduces.
"""

import copy
import math
import warnings

import numpy as np
import pytest
import torch

import jtorch
from conformance import opinfo
from conformance._compare import same, same_outcome, to_numpy

RNG = np.random.default_rng(0)
LIBS = (torch, jtorch)


def arr(*shape, dtype="float64"):
    return RNG.standard_normal(shape).astype(dtype)


def pair(ctor):
    """``ctor(lib)`` in both libraries, jtorch's module holding torch's state."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_mod, j_mod = ctor(torch), ctor(jtorch)
    assert list(j_mod.state_dict()) == list(t_mod.state_dict())
    j_mod.load_state_dict({k: jtorch.tensor(to_numpy(v)) for k, v in t_mod.state_dict().items()})
    return {torch: t_mod, jtorch: j_mod}


def same_ok(fn, *inputs, **kw):
    """``same`` for a call torch accepts (so the comparison cannot pass on two errors)."""
    expected, _ = same(fn, *inputs, **kw)
    assert not isinstance(expected, Exception), expected


def module_same(ctor, *inputs, **kw):
    mods = pair(ctor)
    same_ok(lambda lib, *xs: mods[lib](*xs), *inputs, **kw)


# ---- F.multi_head_attention_forward ----------------------------------------------------------


def _mha_op_db_entry():
    return next(e for e in opinfo.op_db() if e.name == "nn.functional.multi_head_attention_forward")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_op_db_samples_without_dropout(dtype):
    """Every op_db sample, values and (with training=False) gradients."""
    entry = _mha_op_db_entry()
    j_fn = opinfo.jtorch_variants(entry)[0][2]
    samples = [s for s in entry.sample_inputs("cpu", dtype) if not s.kwargs["training"]]
    for s in entry.sample_inputs("cpu", dtype, requires_grad=True):
        s.kwargs["training"] = False
        samples.append(s)
    assert len(samples) == 97
    for sample in samples[::6] + samples[-1:]:
        opinfo._compare_sample(entry, "function", entry.op, j_fn, sample, dtype, True)


E, H, L, S, N = 6, 2, 4, 5, 3


def _weights(kdim=E, vdim=E, bias=True, bias_kv=False):
    w = {"in": arr(3 * E, E), "out_w": arr(E, E), "q": arr(E, E), "k": arr(E, kdim)}
    w.update(v=arr(E, vdim), in_b=arr(3 * E) if bias else None, out_b=arr(E) if bias else None)
    w.update(bias_k=arr(1, 1, E) if bias_kv else None, bias_v=arr(1, 1, E) if bias_kv else None)
    return w


def _mha_call(w, add_zero_attn=False, separate=False, dropout_p=0.0, **kw):
    """fn(lib, q, k, v, *masks) running F.multi_head_attention_forward with weights ``w``."""
    kw.setdefault("training", False)

    def fn(lib, q, k, v, key_padding_mask=None, attn_mask=None, static_k=None, static_v=None):
        t = {n: None if x is None else lib.tensor(x) for n, x in w.items()}
        return lib.nn.functional.multi_head_attention_forward(
            q,
            k,
            v,
            E,
            H,
            None if separate else t["in"],
            t["in_b"],
            t["bias_k"],
            t["bias_v"],
            add_zero_attn,
            dropout_p,
            t["out_w"],
            t["out_b"],
            key_padding_mask=key_padding_mask,
            attn_mask=attn_mask,
            use_separate_proj_weight=separate,
            q_proj_weight=t["q"],
            k_proj_weight=t["k"],
            v_proj_weight=t["v"],
            static_k=static_k,
            static_v=static_v,
            **kw,
        )

    return fn


def _bool_mask(*shape):
    m = RNG.random(shape) > 0.6
    m[..., 0] = False  # no row fully masked (see test_fully_masked_rows)
    return m


MASKS = {
    "none": {},
    "kpm_bool": {"key_padding_mask": _bool_mask(N, S)},
    "kpm_float": {"key_padding_mask": arr(N, S)},
    "attn_2d_bool": {"attn_mask": _bool_mask(L, S)},
    "attn_3d_float": {"attn_mask": arr(N * H, L, S)},
    "both_bool": {"attn_mask": _bool_mask(N * H, L, S), "key_padding_mask": _bool_mask(N, S)},
}


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("average", [True, False])
@pytest.mark.parametrize("masks", MASKS)
def test_masks_and_weights(masks, need_weights, average):
    fn = _mha_call(_weights(), need_weights=need_weights, average_attn_weights=average)
    q, k, v = arr(L, N, E), arr(S, N, E), arr(S, N, E)
    names = list(MASKS[masks])
    same_ok(
        lambda lib, *xs: fn(lib, *xs[:3], **dict(zip(names, xs[3:]))),
        q,
        k,
        v,
        *MASKS[masks].values(),
    )


@pytest.mark.parametrize(
    "case",
    ["bias_kv", "zero_attn", "bias_kv_zero_attn", "separate_kdim_vdim", "no_bias", "unbatched"],
)
def test_options(case):
    bias_kv = case.startswith("bias_kv")
    kdim, vdim = (4, 3) if case == "separate_kdim_vdim" else (E, E)
    w = _weights(kdim, vdim, bias=case != "no_bias", bias_kv=bias_kv)
    fn = _mha_call(w, add_zero_attn="zero_attn" in case, separate=kdim != E)
    if case == "unbatched":
        kpm, mask = _bool_mask(S), _bool_mask(H, L, S)
        same_ok(lambda lib, *xs: fn(lib, *xs), arr(L, E), arr(S, E), arr(S, E), kpm, mask)
        return
    kpm = _bool_mask(N, S)
    same_ok(lambda lib, *xs: fn(lib, *xs), arr(L, N, E), arr(S, N, kdim), arr(S, N, vdim), kpm)


def test_static_k_v():
    fn = _mha_call(_weights(), add_zero_attn=True)
    static_k, static_v = arr(N * H, S + 1, E // H), arr(N * H, S + 1, E // H)
    same_ok(
        lambda lib, q, k, v, sk, sv: fn(lib, q, k, v, None, None, sk, sv),
        arr(L, N, E),
        arr(S, N, E),
        arr(S, N, E),
        static_k,
        static_v,
    )


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("with_kpm", [True, False])
def test_is_causal(need_weights, with_kpm):
    """The hint replaces the mask only without need_weights and key_padding_mask."""
    fn = _mha_call(_weights(), need_weights=need_weights, is_causal=True)
    causal = np.triu(np.ones((L, L), bool), 1)
    kpm = _bool_mask(N, L) if with_kpm else None
    x = arr(L, N, E)
    same_ok(
        lambda lib, x, m: fn(lib, x, x, x, None if kpm is None else lib.tensor(kpm), m), x, causal
    )


@pytest.mark.parametrize("need_weights", [True, False])
def test_fully_masked_rows(need_weights):
    """torch gives NaN with need_weights (softmax of -inf) and zeros without (SDPA)."""
    fn = _mha_call(_weights(), need_weights=need_weights)
    kpm = np.zeros((N, S), bool)
    kpm[1] = True
    same_ok(lambda lib, q, k, m: fn(lib, q, k, k, m), arr(L, N, E), arr(S, N, E), kpm, grad=False)


def test_dropout():
    """p=1 in training zeroes the weights (torch's result); p<1 draws from jtorch's generator."""
    w = _weights()
    same_ok(lambda lib, q: _mha_call(w, training=True, dropout_p=1.0)(lib, q, q, q), arr(L, N, E))
    fn = _mha_call(w, training=True, dropout_p=0.5)
    q = jtorch.tensor(arr(L, N, E))
    jtorch.manual_seed(3)
    first = fn(jtorch, q, q, q)
    jtorch.manual_seed(3)
    again = fn(jtorch, q, q, q)
    np.testing.assert_array_equal(to_numpy(again[1]), to_numpy(first[1]))
    kept = to_numpy(first[1]) != 0
    assert 0.2 < kept.mean() < 0.8


def _mha_error(**kw):
    """fn(lib) calling F.multi_head_attention_forward on (L, N, E) inputs with ``kw`` changes."""

    def fn(lib):
        args = {
            "query": lib.zeros(L, N, E),
            "key": lib.zeros(S, N, E),
            "value": lib.zeros(S, N, E),
            "embed_dim_to_check": E,
            "num_heads": H,
            "in_proj_weight": lib.zeros(3 * E, E),
            "in_proj_bias": lib.zeros(3 * E),
            "bias_k": None,
            "bias_v": None,
            "add_zero_attn": False,
            "dropout_p": 0.0,
            "out_proj_weight": lib.zeros(E, E),
            "out_proj_bias": lib.zeros(E),
        }
        for name, value in kw.items():
            args[name] = value(lib) if callable(value) else value
        return lib.nn.functional.multi_head_attention_forward(**args)

    return fn


def _z(*shape, dtype="float32"):
    return lambda lib: lib.zeros(*shape, dtype=getattr(lib, dtype))


MHA_ERRORS = {
    "query_4d": _mha_error(query=_z(1, L, N, E)),
    "key_2d": _mha_error(key=_z(S, E)),
    "unbatched_key_3d": _mha_error(query=_z(L, E), key=_z(S, 1, E), value=_z(S, 1, E)),
    "kpm_1d": _mha_error(key_padding_mask=_z(S, dtype="bool")),
    "unbatched_kpm_2d": _mha_error(
        query=_z(L, E), key=_z(S, E), value=_z(S, E), key_padding_mask=_z(1, S, dtype="bool")
    ),
    "attn_mask_4d": _mha_error(attn_mask=_z(1, 1, L, S)),
    "unbatched_attn_mask_3d": _mha_error(
        query=_z(L, E), key=_z(S, E), value=_z(S, E), attn_mask=_z(H + 1, L, S)
    ),
    "int_mask": _mha_error(attn_mask=_z(L, S, dtype="int64")),
    "int_kpm": _mha_error(key_padding_mask=_z(N, S, dtype="int64")),
    "causal_without_mask": _mha_error(is_causal=True),
    "embed_dim": _mha_error(embed_dim_to_check=E + 1),
    "heads": _mha_error(num_heads=4),
    "key_value_shapes": _mha_error(value=_z(S + 1, N, E)),
    "separate_key_value_dims": _mha_error(
        use_separate_proj_weight=True,
        value=_z(S, N + 1, E),
        q_proj_weight=_z(E, E),
        k_proj_weight=_z(E, E),
        v_proj_weight=_z(E, E),
    ),
    "no_in_proj": _mha_error(in_proj_weight=None),
    "no_q_proj": _mha_error(use_separate_proj_weight=True),
    "no_v_proj": _mha_error(
        use_separate_proj_weight=True, q_proj_weight=_z(E, E), k_proj_weight=_z(E, E)
    ),
    "k_proj_shape": _mha_error(
        use_separate_proj_weight=True,
        q_proj_weight=_z(E, E),
        k_proj_weight=_z(E, E + 1),
        v_proj_weight=_z(E, E),
    ),
    "attn_mask_2d_shape": _mha_error(attn_mask=_z(L, S + 1)),
    "attn_mask_3d_shape": _mha_error(attn_mask=_z(N, L, S)),
    "bias_k_static_k": _mha_error(bias_k=_z(E), bias_v=_z(E), static_k=_z(N * H, S, E // H)),
    "bias_k_only": _mha_error(bias_k=_z(E)),
    "bias_v_only": _mha_error(bias_v=_z(E)),
    "static_k_rows": _mha_error(static_k=_z(N, S, E // H)),
    "static_v_head_dim": _mha_error(static_v=_z(N * H, S, E)),
    "kpm_batch": _mha_error(key_padding_mask=_z(N + 1, S, dtype="bool")),
    "kpm_len_zero_attn": _mha_error(add_zero_attn=True, key_padding_mask=_z(N, S, dtype="bool")),
    "double_mask_weights": _mha_error(attn_mask=_z(L, S, dtype="float64")),
    "double_mask_sdpa": _mha_error(attn_mask=_z(L, S, dtype="float64"), need_weights=False),
    "dtype_of_weights": _mha_error(query=_z(L, N, E, dtype="float64")),
    "dropout_above_one": _mha_error(dropout_p=1.5),
    "dropout_above_one_sdpa": _mha_error(dropout_p=1.5, need_weights=False),
}


@pytest.mark.parametrize("case", MHA_ERRORS)
def test_mha_errors(case):
    same_outcome(MHA_ERRORS[case])


def test_mismatched_masks_warn():
    for lib in LIBS:
        fn = _mha_error(key_padding_mask=_z(N, S, dtype="bool"), attn_mask=_z(L, S))
        with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and "):
            fn(lib)


def test_recorded_on_tape():
    """One node, named like torch's last op; gradients reach every weight."""
    w = _weights(bias_kv=True)
    for shape, name in (((L, N, E), "ViewBackward0"), ((L, E), "SqueezeBackward1")):
        x = jtorch.tensor(arr(*shape), requires_grad=True)
        out, _ = _mha_call(w)(jtorch, x, x, x)
        assert type(out.grad_fn).__name__ == name
        t = torch.tensor(to_numpy(x), requires_grad=True)
        assert type(_mha_call(w)(torch, t, t, t)[0].grad_fn).__name__ == name


# ---- nn.MultiheadAttention ---------------------------------------------------------------------

MHA_CONFIGS = {
    "plain": {},
    "no_bias": {"bias": False},
    "bias_kv_zero_attn": {"add_bias_kv": True, "add_zero_attn": True},
    "kdim_vdim": {"kdim": 4, "vdim": 3},
    "batch_first_dropout": {"batch_first": True, "dropout": 0.25},
}


@pytest.mark.parametrize("config", MHA_CONFIGS)
def test_multihead_attention_layout(config):
    kw = MHA_CONFIGS[config]
    mods = pair(lambda lib: lib.nn.MultiheadAttention(E, H, **kw))
    t_mod, j_mod = mods[torch], mods[jtorch]
    assert repr(j_mod) == repr(t_mod)
    for name in (
        "embed_dim",
        "kdim",
        "vdim",
        "_qkv_same_embed_dim",
        "num_heads",
        "dropout",
        "batch_first",
        "head_dim",
        "add_zero_attn",
        "__constants__",
    ):
        assert getattr(j_mod, name) == getattr(t_mod, name), name
    for name, t_p in t_mod.named_parameters():
        assert tuple(dict(j_mod.named_parameters())[name].shape) == tuple(t_p.shape)
    assert [n for n, _ in j_mod.named_parameters()] == [n for n, _ in t_mod.named_parameters()]


@pytest.mark.parametrize("config", MHA_CONFIGS)
def test_multihead_attention_forward(config):
    kw = MHA_CONFIGS[config]
    kdim, vdim = kw.get("kdim", E), kw.get("vdim", E)
    first = (N, L) if kw.get("batch_first") else (L, N)
    kv = (N, S) if kw.get("batch_first") else (S, N)
    module_same(
        lambda lib: lib.nn.MultiheadAttention(E, H, **kw, dtype=lib.float64).eval(),
        arr(*first, E),
        arr(*kv, kdim),
        arr(*kv, vdim),
        _bool_mask(N, S),
    )


def test_multihead_attention_self_attention_options():
    mods = pair(lambda lib: lib.nn.MultiheadAttention(E, H, batch_first=True).double())

    def fn(lib, x, mask):
        out = mods[lib](x, x, x, attn_mask=mask, average_attn_weights=False)
        causal = mods[lib](x, x, x, attn_mask=mask, need_weights=False, is_causal=True)
        return out, causal

    same_ok(fn, arr(N, L, E), np.triu(np.ones((L, L), bool), 1))


def test_multihead_attention_init():
    """xavier_uniform_ in-projections, zero biases, xavier_normal_ bias_k/v: jtorch's draws
    fill torch's bounds (torch's fan computation) and have torch's spread."""
    mods = {lib: lib.nn.MultiheadAttention(256, 4, add_bias_kv=True, kdim=128) for lib in LIBS}
    t_mod, j_mod = mods[torch], mods[jtorch]
    fans = torch.nn.init._calculate_fan_in_and_fan_out
    for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
        bound = math.sqrt(6 / sum(fans(getattr(t_mod, name))))
        values = to_numpy(getattr(j_mod, name))
        assert abs(values).max() <= bound and abs(values).max() > 0.95 * bound, name
    for name in ("bias_k", "bias_v"):
        std = math.sqrt(2 / sum(fans(getattr(t_mod, name))))
        assert abs(to_numpy(getattr(j_mod, name)).std() / std - 1) < 0.2, name
    for name in ("in_proj_bias", "out_proj.bias"):
        assert not to_numpy(j_mod.get_parameter(name)).any()
        assert not to_numpy(t_mod.get_parameter(name)).any()
    bound = 1 / math.sqrt(256)  # out_proj.weight: Linear's own init
    assert abs(to_numpy(j_mod.out_proj.weight)).max() <= bound


@pytest.mark.parametrize(
    "ctor",
    [
        "MultiheadAttention(0, 2)",
        "MultiheadAttention(6, -1)",
        "MultiheadAttention(6, 4)",
        "TransformerEncoderLayer(4, 2, activation='tanh')",
        "TransformerDecoderLayer(4, 2, activation='swish')",
        "TransformerEncoderLayer(5, 2)",
    ],
)
def test_constructor_errors(ctor):
    same_outcome(lambda lib: eval(f"lib.nn.{ctor}"))


# ---- Transformer family ------------------------------------------------------------------------

D, FF = 8, 16


def _transformer(lib, **kw):
    return lib.nn.Transformer(D, H, 1, 2, FF, dropout=0.0, **kw)


@pytest.mark.parametrize(
    "ctor",
    [
        lambda lib: _transformer(lib),
        lambda lib: _transformer(lib, activation="gelu", norm_first=True, bias=False),
        lambda lib: lib.nn.TransformerEncoderLayer(D, H, FF, layer_norm_eps=1e-3, batch_first=True),
        lambda lib: lib.nn.TransformerDecoderLayer(D, H, activation=lib.nn.functional.gelu),
        lambda lib: lib.nn.TransformerDecoder(lib.nn.TransformerDecoderLayer(D, H, FF), 2),
        lambda lib: lib.nn.TransformerEncoder(
            lib.nn.TransformerEncoderLayer(D, H, FF), 3, lib.nn.LayerNorm(D), mask_check=False
        ),
    ],
)
def test_transformer_layout(ctor):
    """repr, state_dict keys and order, and the torch attributes of every submodule."""
    mods = pair(ctor)
    t_mod, j_mod = mods[torch], mods[jtorch]
    assert repr(j_mod) == repr(t_mod)
    attrs = (
        "norm_first",
        "activation_relu_or_gelu",
        "num_layers",
        "enable_nested_tensor",
        "use_nested_tensor",
        "mask_check",
        "d_model",
        "nhead",
        "batch_first",
    )
    for (name, t_sub), (_, j_sub) in zip(t_mod.named_modules(), j_mod.named_modules()):
        for attr in attrs:
            if hasattr(t_sub, attr):
                assert getattr(j_sub, attr) == getattr(t_sub, attr), f"{name}.{attr}"


def test_encoder_layers_are_copies():
    layer = jtorch.nn.TransformerEncoderLayer(D, H, FF)
    enc = jtorch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    a, b = enc.layers[0].linear1.weight, enc.layers[1].linear1.weight
    assert a is not b and (a == b).all() and (a == layer.linear1.weight).all()


@pytest.mark.parametrize(
    "ctor",
    [
        lambda lib: lib.nn.TransformerEncoderLayer(D, H, FF),
        lambda lib: lib.nn.TransformerEncoderLayer(D, H, FF, batch_first=True, norm_first=True),
        lambda lib: lib.nn.TransformerEncoderLayer(D, H, FF, batch_first=True, bias=False),
        lambda lib: lib.nn.TransformerEncoderLayer(D, H, FF, activation=lib.tanh, batch_first=True),
        lambda lib: lib.nn.TransformerEncoderLayer(D, 1, FF, batch_first=True),
        lambda lib: lib.nn.TransformerEncoderLayer(D, H, FF, batch_first=True),
    ],
)
def test_nested_tensor_warning(ctor):
    messages = {}
    for lib in LIBS:
        layer = ctor(lib)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.TransformerEncoder(layer, 1)
        messages[lib] = [str(w.message) for w in caught]
    assert messages[jtorch] == messages[torch]


def test_generate_square_subsequent_mask():
    for kw in ({}, {"dtype": "float64"}):
        same_outcome(
            lambda lib, kw=kw: lib.nn.Transformer.generate_square_subsequent_mask(
                4, **{k: getattr(lib, v) for k, v in kw.items()}
            )
        )


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_forward(batch_first, norm_first):
    """Masks of every kind at once, the causal mask detected from its values."""
    ctor = lambda lib: _transformer(
        lib, batch_first=batch_first, norm_first=norm_first, dtype=lib.float64
    )
    mods = pair(ctor)
    src, tgt = (arr(N, S, D), arr(N, L, D)) if batch_first else (arr(S, N, D), arr(L, N, D))
    causal = np.triu(np.full((L, L), -np.inf), 1)

    def fn(lib, src, tgt, tgt_mask, src_kpm, tgt_kpm, memory_mask):
        return mods[lib](
            src,
            tgt,
            tgt_mask=tgt_mask,
            src_key_padding_mask=src_kpm,
            tgt_key_padding_mask=tgt_kpm,
            memory_key_padding_mask=src_kpm,
            memory_mask=memory_mask,
        )

    same_ok(
        fn,
        src,
        tgt,
        causal,
        _bool_mask(N, S),
        _bool_mask(N, L),
        _bool_mask(L, S),
        requires_grad=[True, True, False, False, False, False],
    )


def test_transformer_forward_errors():
    for kw in ({"src": (S, N, D), "tgt": (L, N + 1, D)}, {"src": (S, N, D), "tgt": (L, N, D + 1)}):
        same_outcome(
            lambda lib, kw=kw: _transformer(lib)(lib.zeros(*kw["src"]), lib.zeros(*kw["tgt"]))
        )


@pytest.mark.parametrize("mask_kind", ["left_aligned", "ragged", "none"])
def test_encoder_eval_no_grad(mask_kind):
    """torch's eval-mode fast paths: a left-aligned padding mask puts zeros at the padded
    positions (nested tensors), other masks give the general path's values."""
    ctor = lambda lib: lib.nn.TransformerEncoder(
        lib.nn.TransformerEncoderLayer(D, H, FF, batch_first=True), 2, lib.nn.LayerNorm(D)
    ).eval()
    mods = pair(ctor)
    kpm = np.zeros((N, S), bool)
    kpm[0, 3:] = kpm[2, 1:] = True
    if mask_kind == "ragged":
        kpm[1, 1] = True
    x = arr(N, S, D, dtype="float32")

    def fn(lib, x):
        with lib.no_grad():
            return mods[lib](
                x, src_key_padding_mask=None if mask_kind == "none" else lib.tensor(kpm)
            )

    same_ok(fn, x, grad=False, rtol=1e-4, atol=1e-5)


def test_activation_string_and_callable():
    for act in ("relu", "gelu", lambda lib: lib.nn.functional.silu):
        ctor = lambda lib, act=act: lib.nn.TransformerDecoderLayer(
            D, H, FF, 0.0, act if isinstance(act, str) else act(lib), dtype=lib.float64
        )
        module_same(ctor, arr(L, N, D), arr(S, N, D))


def test_deepcopy_keeps_forward():
    mods = pair(lambda lib: copy.deepcopy(lib.nn.TransformerEncoderLayer(D, H, FF, 0.0).double()))
    same_ok(lambda lib, x: mods[lib](x), arr(S, N, D))
