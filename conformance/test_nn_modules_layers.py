"""The layer modules of nn/modules/{linear,flatten,padding,pooling,dropout,sparse,pixelshuffle,
upsampling,channelshuffle,fold}.py, and the functionals behind them that op_db does not reach
(lp_pool, fractional max-pooling with fixed samples and its errors, embedding_bag corners),
against real torch: reprs, constructor signatures and errors, state_dict layout, default
initialisation, and forward/backward of the modules module_db lacks.
"""

import inspect
import math
import warnings

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import assert_close, module_pair, module_same, same, same_outcome, to_numpy

RNG = np.random.default_rng(0)
LIBS = (torch, jtorch)


def arr(*shape, dtype="float64"):
    return RNG.standard_normal(shape).astype(dtype)


# ---- reprs, signatures, constants ---------------------------------------------------------------------

REPRS = [
    "Identity(54, unused=0.1)",
    "Linear(3, 4)",
    "Linear(3, 4, bias=False)",
    "Bilinear(2, 3, 4)",
    "Bilinear(2, 3, 4, False)",
    "Flatten()",
    "Flatten(0, 2)",
    "Unflatten(1, (2, 5))",
    "Unflatten(-1, [2, -1])",
    "ConstantPad1d(2, 3.5)",
    "ConstantPad2d((1, 2, 3, 4), -1)",
    "ConstantPad3d(1, 0)",
    "ZeroPad1d((1, 2))",
    "ZeroPad2d(2)",
    "ZeroPad3d((1, 2, 3, 4, 5, 6))",
    "ReflectionPad1d(2)",
    "ReflectionPad2d((1, 0, 2, 1))",
    "ReflectionPad3d(1)",
    "ReplicationPad1d((3, 1))",
    "ReplicationPad2d(1)",
    "ReplicationPad3d(2)",
    "CircularPad1d(1)",
    "CircularPad2d((1, 1, 2, 0))",
    "CircularPad3d(1)",
    "MaxPool1d(3)",
    "MaxPool2d((3, 2), stride=(2, 1), padding=1, dilation=2, ceil_mode=True)",
    "MaxPool3d(2, return_indices=True)",
    "MaxUnpool1d(2)",
    "MaxUnpool2d((2, 3), stride=1, padding=(0, 1))",
    "MaxUnpool3d(2)",
    "AvgPool1d(3, 2, 1)",
    "AvgPool2d(3)",
    "AvgPool2d((2, 3), divisor_override=2)",
    "AvgPool3d(2, 1, ceil_mode=True, count_include_pad=False)",
    "FractionalMaxPool2d(2, output_size=3)",
    "FractionalMaxPool3d(2, output_ratio=0.5)",
    "LPPool1d(2, 3)",
    "LPPool2d(1.5, (2, 3), stride=1)",
    "LPPool3d(float('inf'), 2, ceil_mode=True)",
    "AdaptiveMaxPool1d(5)",
    "AdaptiveMaxPool2d((None, 3))",
    "AdaptiveMaxPool3d(2, return_indices=True)",
    "AdaptiveAvgPool1d(4)",
    "AdaptiveAvgPool2d((2, None))",
    "AdaptiveAvgPool3d(3)",
    "Dropout()",
    "Dropout(0.2, True)",
    "Dropout1d(0.1)",
    "Dropout2d()",
    "Dropout3d(1)",
    "AlphaDropout(0.3)",
    "FeatureAlphaDropout(inplace=True)",
    "Embedding(10, 3)",
    "Embedding(10, 3, padding_idx=-2, max_norm=1.5, norm_type=1, scale_grad_by_freq=True)",
    "EmbeddingBag(10, 3)",
    "EmbeddingBag(10, 3, max_norm=2.0, norm_type=3, mode='max', padding_idx=0)",
    "PixelShuffle(3)",
    "PixelUnshuffle(2)",
    "Upsample(scale_factor=2)",
    "Upsample(size=(4, 5), mode='bilinear')",
    "Upsample(scale_factor=(2, 3), mode='nearest-exact')",
    "UpsamplingNearest2d(scale_factor=2)",
    "UpsamplingBilinear2d(size=5)",
    "ChannelShuffle(2)",
    "Fold((4, 5), 2)",
    "Fold(4, (2, 2), 1, 1, 2)",
    "Unfold(3)",
    "Unfold((2, 3), dilation=2, padding=1, stride=(1, 2))",
]


@pytest.mark.parametrize("expr", REPRS)
def test_repr(expr):
    same_outcome(lambda lib: eval("lib.nn." + expr, {"lib": lib}))


@pytest.mark.parametrize("expr", REPRS)
def test_attributes(expr):
    """The attributes torch sets (``__dict__`` without the module tables), by value."""

    def attributes(lib):
        m = eval("lib.nn." + expr, {"lib": lib})
        return {k: v for k, v in vars(m).items() if not k.startswith("_") and k != "training"}

    same_outcome(attributes)


CLASSES = sorted({e.split("(")[0] for e in REPRS} | {"NonDynamicallyQuantizableLinear"})


@pytest.mark.parametrize("name", CLASSES)
def test_signature_and_constants(name):
    t_cls = getattr(torch.nn, name, None) or getattr(torch.nn.modules.linear, name)
    j_cls = getattr(jtorch.nn, name, None) or getattr(jtorch.nn.modules.linear, name)
    t_sig, j_sig = inspect.signature(t_cls.__init__), inspect.signature(j_cls.__init__)
    assert [(p.name, p.default, p.kind) for p in j_sig.parameters.values()] == [
        (p.name, p.default, p.kind) for p in t_sig.parameters.values()
    ]
    assert getattr(j_cls, "__constants__", None) == getattr(t_cls, "__constants__", None)
    t_bases = [c.__name__ for c in t_cls.__mro__ if not c.__name__.startswith("_")]
    j_bases = [c.__name__ for c in j_cls.__mro__ if not c.__name__.startswith("_")]
    assert j_bases == t_bases


# ---- constructor errors ------------------------------------------------------------------------------

CONSTRUCTOR_ERRORS = [
    "Dropout(1.5)",
    "Dropout2d(-0.1)",
    "AlphaDropout(2)",
    "Bilinear(0, 3, 4)",
    "Unflatten(1, 6)",
    "Unflatten(1, (2, 3.0))",
    "FractionalMaxPool2d(2)",
    "FractionalMaxPool2d(2, output_size=3, output_ratio=0.5)",
    "FractionalMaxPool2d(2, output_ratio=(0.5, 1.5))",
    "FractionalMaxPool3d(0, output_size=2)",
    "FractionalMaxPool3d((2, -1, 2), output_size=2)",
    "FractionalMaxPool3d(2, output_ratio=(0.5, 0.5, 1))",
    "Embedding(5, 2, padding_idx=5)",
    "Embedding(5, 2, padding_idx=-6)",
    "EmbeddingBag(5, 2, padding_idx=7)",
    "Embedding(5, 2, _weight=lib.zeros(4, 2))",
    "EmbeddingBag(5, 2, _weight=lib.zeros(5, 3))",
    "Embedding.from_pretrained(lib.zeros(3))",
    "EmbeddingBag.from_pretrained(lib.zeros(2, 3, 4))",
]


@pytest.mark.parametrize("expr", CONSTRUCTOR_ERRORS)
def test_constructor_errors(expr):
    kind, _ = same_outcome(lambda lib: eval("lib.nn." + expr, {"lib": lib}))
    assert kind != "ok"


@pytest.mark.parametrize("cls", ["Embedding", "EmbeddingBag"])
def test_sparse_gradients_are_refused(cls):
    with pytest.raises(NotImplementedError, match=f"nn.{cls}\\(sparse=True\\)"):
        getattr(jtorch.nn, cls)(4, 2, sparse=True)


# ---- parameters: layout and default initialisation ---------------------------------------------------

LAYOUTS = [
    "Linear(3, 4)",
    "Linear(3, 4, bias=False)",
    "Bilinear(2, 3, 4)",
    "Embedding(6, 2, padding_idx=1)",
    "EmbeddingBag(6, 2)",
    "FractionalMaxPool2d(2, output_size=2, _random_samples=lib.rand(1, 3, 2))",
    "Linear(2, 3, dtype=lib.float64)",
    "Embedding(4, 2, dtype=lib.float16)",
]


@pytest.mark.parametrize("expr", LAYOUTS)
def test_state_dict_layout(expr):
    def layout(lib):
        m = eval("lib.nn." + expr, {"lib": lib})
        params = [
            (k, str(p.dtype), tuple(p.shape), p.requires_grad) for k, p in m.named_parameters()
        ]
        buffers = [(k, str(b.dtype), tuple(b.shape)) for k, b in m.named_buffers()]
        return params, buffers, list(m.state_dict())

    same_outcome(layout)


@pytest.mark.parametrize("n_in", [1, 7, 300])
def test_linear_init_bounds(n_in):
    m = jtorch.nn.Linear(n_in, 200)
    bound = 1 / math.sqrt(n_in)
    for p in (m.weight, m.bias):
        v = to_numpy(p)
        assert np.abs(v).max() <= bound
        assert np.abs(v).max() > 0.9 * bound  # uniform over the whole range, not a narrower one
        assert abs(v.mean()) < 0.2 * bound


def test_bilinear_init_bounds():
    m = jtorch.nn.Bilinear(4, 9, 50)
    for p in (m.weight, m.bias):
        v = to_numpy(p)
        assert 0.9 * 0.5 < np.abs(v).max() <= 0.5  # 1 / sqrt(in1_features)


def test_embedding_init():
    m = jtorch.nn.Embedding(400, 50, padding_idx=-3)
    w = to_numpy(m.weight)
    assert m.padding_idx == 397 and not w[397].any()
    rest = np.delete(w, 397, axis=0)
    assert abs(rest.mean()) < 0.02 and abs(rest.std() - 1) < 0.02  # N(0, 1)


def test_from_pretrained_shares_and_freezes():
    for lib in LIBS:
        e = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        frozen = lib.nn.Embedding.from_pretrained(e, padding_idx=0)
        assert not frozen.weight.requires_grad and frozen.padding_idx == 0
        assert frozen.weight[0, 0].item() == 1.0  # from_pretrained does not zero the padding row
        with lib.no_grad():
            e[1, 1] = 9.0
        assert frozen.weight[1, 1].item() == 9.0
        assert lib.nn.EmbeddingBag.from_pretrained(e, freeze=False).weight.requires_grad


def test_reset_parameters_keeps_padding_row_zero():
    m = jtorch.nn.EmbeddingBag(5, 3, padding_idx=2)
    with jtorch.no_grad():
        m.weight.fill_(1.0)
    m.reset_parameters()
    assert not to_numpy(m.weight)[2].any() and to_numpy(m.weight)[3].any()


# ---- forward and backward of the modules module_db lacks --------------------------------------------

FORWARD = [
    ("identity", lambda nn: nn.Identity(3), (2, 3)),
    ("flatten", lambda nn: nn.Flatten(), (2, 3, 4)),
    ("flatten_range", lambda nn: nn.Flatten(0, -2), (2, 3, 4)),
    ("unflatten", lambda nn: nn.Unflatten(1, (2, -1)), (2, 6, 3)),
    ("pixel_shuffle", lambda nn: nn.PixelShuffle(2), (1, 8, 2, 3)),
    ("pixel_unshuffle", lambda nn: nn.PixelUnshuffle(2), (1, 2, 4, 6)),
    ("channel_shuffle", lambda nn: nn.ChannelShuffle(3), (2, 6, 2, 2)),
    ("upsample_nearest", lambda nn: nn.Upsample(scale_factor=2), (1, 2, 3, 3)),
    (
        "upsample_linear",
        lambda nn: nn.Upsample(size=7, mode="linear", align_corners=False),
        (1, 2, 4),
    ),
    (
        "upsample_bicubic",
        lambda nn: nn.Upsample(scale_factor=(1.5, 2), mode="bicubic"),
        (1, 1, 4, 4),
    ),
    ("upsampling_nearest2d", lambda nn: nn.UpsamplingNearest2d(size=(5, 4)), (1, 2, 3, 2)),
    ("upsampling_bilinear2d", lambda nn: nn.UpsamplingBilinear2d(scale_factor=2), (1, 2, 3, 2)),
    ("fold", lambda nn: nn.Fold((4, 5), (2, 2)), (1, 12, 12)),
    ("unfold", lambda nn: nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=2), (2, 3, 5, 6)),
    ("lppool_inf", lambda nn: nn.LPPool2d(float("inf"), 2), (1, 2, 4, 5)),
    ("lppool1d_stride", lambda nn: nn.LPPool1d(3, 3, stride=2, ceil_mode=True), (1, 2, 8)),
    ("avgpool3d_divisor", lambda nn: nn.AvgPool3d(2, 1, divisor_override=3), (1, 1, 3, 3, 3)),
    ("zero_pad_crop", lambda nn: nn.ZeroPad2d((-1, 2, 0, -1)), (1, 2, 4, 4)),
    ("dropout_eval", lambda nn: nn.Dropout(0.5).eval(), (4, 5)),
    ("alpha_dropout_eval", lambda nn: nn.AlphaDropout(0.5).eval(), (4, 5)),
    ("dropout_p0", lambda nn: nn.Dropout(0.0), (4, 5)),
    ("dropout2d_p1", lambda nn: nn.Dropout2d(1.0), (2, 3, 4, 4)),
    ("dropout3d_eval", lambda nn: nn.Dropout3d().eval(), (2, 3, 2, 2, 2)),
    ("feature_alpha_dropout_p1", lambda nn: nn.FeatureAlphaDropout(1.0), (2, 3, 4)),
]


@pytest.mark.parametrize("name,ctor,shape", FORWARD, ids=[f[0] for f in FORWARD])
def test_forward(name, ctor, shape):
    module_same(ctor, arr(*shape))


def test_lp_pool_functionals():
    same(lambda lib, x: lib.nn.functional.lp_pool1d(x, 2.0, 3), arr(2, 7))
    same(
        lambda lib, x: lib.nn.functional.lp_pool2d(x, 1.5, (2, 3), stride=1),
        np.abs(arr(1, 2, 5, 6)) + 0.1,
    )
    same(lambda lib, x: lib.nn.functional.lp_pool3d(x, -math.inf, 2), arr(1, 1, 4, 4, 4))
    same(lambda lib, x: lib.nn.functional.lp_pool1d(x, math.inf, 2), arr(1, 2, 6))
    same(
        lambda lib, x: lib.nn.functional.lp_pool2d(x, 2.0, 2), np.arange(16).reshape(1, 1, 4, 4)
    )  # int input
    same(
        lambda lib, x: lib.nn.functional.lp_pool2d(x, math.inf, 2),
        np.arange(16).reshape(1, 1, 4, 4),
    )
    with pytest.raises(NotImplementedError, match="lp_pool2d of an integer tensor"):
        jtorch.nn.functional.lp_pool2d(jtorch.arange(16).view(1, 1, 4, 4), 2, 2)


def test_lp_pool_nan_gradients_follow_torch():
    """A negative element under a fractional power makes the window's value nan; torch's relu
    backward passes that nan on to the whole window."""
    x = np.array([[[-1.0, 2.0, 3.0, 0.5, 4.0, 1.0]]])
    same(lambda lib, x: lib.nn.functional.lp_pool1d(x, 1.5, 3), x)


def test_max_unpool_modules():
    for n, shape in ((1, (2, 3, 8)), (2, (2, 3, 6, 7)), (3, (1, 2, 4, 4, 6))):

        def roundtrip(lib, x, n=n):
            pool = getattr(lib.nn, f"MaxPool{n}d")(2, stride=2, return_indices=True)
            unpool = getattr(lib.nn, f"MaxUnpool{n}d")(2, stride=2)
            out, idx = pool(x)
            return unpool(out, idx, output_size=x.shape[-n:]), unpool(out, idx)

        same(roundtrip, arr(*shape))


def test_circular_pad_checks_rank():
    for n in (1, 2, 3):
        kind, _ = same_outcome(
            lambda lib, n=n: getattr(lib.nn, f"CircularPad{n}d")(1)(lib.zeros((2,) * (n + 3)))
        )
        assert kind == "ValueError"


@pytest.mark.parametrize(
    "expr",
    [
        "ReflectionPad1d(3)(lib.zeros(1, 2, 3))",
        "ReplicationPad2d(1)(lib.zeros(3))",
        "ConstantPad1d(1, 2)(lib.zeros(2, 2))",
        "ReflectionPad3d(1)(lib.zeros(2, 2))",
    ],
)
def test_padding_errors(expr):
    same_outcome(lambda lib: eval("lib.nn." + expr, {"lib": lib}))


def test_dropout_training_draws():
    """Training mode drops and rescales (values differ from torch: the streams are not torch's)."""
    jtorch.manual_seed(0)
    x = jtorch.ones(2000)
    out = to_numpy(jtorch.nn.Dropout(0.25)(x))
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.75)} and 0.2 < (out == 0).mean() < 0.3
    ch = to_numpy(jtorch.nn.Dropout2d(0.5)(jtorch.ones(4, 50, 3, 3)))
    assert (ch.reshape(200, 9).std(axis=1) == 0).all()  # whole channels


# ---- embedding --------------------------------------------------------------------------------------------


def embedding_case(**kw):
    idx = np.array([[0, 2, 4, 2], [4, 3, 1, 2]])

    def run(lib, w):
        return lib.nn.functional.embedding(lib.tensor(idx), w, **kw)

    return run


@pytest.mark.parametrize(
    "kw",
    [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True}, {"max_norm": 1.0}],
    ids=["plain", "padding", "padding_neg", "freq", "max_norm"],
)
def test_embedding_options(kw):
    same(embedding_case(**kw), arr(5, 3))


def test_embedding_max_norm_renormalises_in_place():
    mods = module_pair(lambda nn: nn.Embedding(5, 3, max_norm=0.5, norm_type=1.0))
    for lib, m in mods.items():
        m(lib.tensor([1, 3, 3]))
    assert_close(mods[jtorch].weight.detach(), mods[torch].weight.detach())


BAGS = [
    ("mean_1d", [1, 2, 4, 5, 4, 3, 2, 9], [0, 4], {}),
    ("sum_empty_bags", [1, 2, 4, 5, 4, 3, 2, 9], [0, 4, 4, 8], {"mode": "sum"}),
    ("max_ties", [1, 1, 4, 5, 4, 3, 1, 9], [0, 3, 3], {"mode": "max"}),
    (
        "last_offset",
        [1, 2, 4, 5, 4, 3, 2, 9],
        [0, 4, 4, 8],
        {"mode": "mean", "include_last_offset": True},
    ),
    ("padding_mean", [1, 2, 4, 5, 4, 3, 2, 9], [0, 4], {"padding_idx": 4}),
    ("padding_max_all", [4, 4, 1], [0, 2], {"mode": "max", "padding_idx": 4}),
    (
        "freq_sum",
        [1, 2, 4, 5, 4, 3, 2, 9, 9, 9, 1],
        [0, 4, 7],
        {"mode": "sum", "scale_grad_by_freq": True},
    ),
    ("freq_mean_2d", [[1, 2, 2], [4, 9, 4]], None, {"scale_grad_by_freq": True}),
    ("max_2d", [[1, 2, 2], [4, 9, 4]], None, {"mode": "max"}),
    ("max_norm", [1, 2, 4, 5], [0, 2], {"max_norm": 1.0}),
]


@pytest.mark.parametrize("name,idx,offsets,kw", BAGS, ids=[b[0] for b in BAGS])
def test_embedding_bag(name, idx, offsets, kw):
    def run(lib, w):
        off = None if offsets is None else lib.tensor(offsets)
        return lib.nn.functional.embedding_bag(lib.tensor(idx), w, off, **kw)

    same(run, arr(10, 3))


def test_embedding_bag_per_sample_weights():
    def run(lib, w, psw):
        return lib.nn.functional.embedding_bag(
            lib.tensor([1, 2, 4, 5, 4, 3]),
            w,
            lib.tensor([0, 2]),
            mode="sum",
            per_sample_weights=psw,
        )

    same(run, arr(10, 3), arr(6))


def test_embedding_bag_module():
    module_same(lambda nn: nn.EmbeddingBag(10, 3, mode="max"), np.array([[1, 2, 3], [3, 2, 9]]))
    mods = module_pair(lambda nn: nn.EmbeddingBag(10, 3, mode="sum", padding_idx=0))
    outs = [mods[lib](lib.tensor([0, 2, 4, 5]), lib.tensor([0, 1])) for lib in LIBS]
    assert_close(outs[1], outs[0])


BAG_ERRORS = [
    "F.embedding_bag(lib.tensor([1, 2, 4]), w, lib.tensor([1, 2]))",
    "F.embedding_bag(lib.tensor([1, 2, 4]), w, lib.tensor([0, 4]))",
    "F.embedding_bag(lib.tensor([1, 2, 4]), w, lib.tensor([0, 3, 2]))",
    "F.embedding_bag(lib.tensor([1, 2, 10]), w, lib.tensor([0]))",
    "F.embedding_bag(lib.tensor([1, 2, -1]), w, lib.tensor([0]))",
    "F.embedding_bag(lib.tensor([1.0, 2.0]), w, lib.tensor([0]))",
    "F.embedding_bag(lib.tensor([1, 2]), w, lib.tensor([0.0]))",
    "F.embedding_bag(lib.tensor([1, 2]), w, lib.tensor([0]), padding_idx=10)",
    "F.embedding_bag(lib.tensor([[1, 2]]), w, lib.tensor([0]))",
    "F.embedding_bag(lib.tensor([1, 2]), w)",
    "F.embedding_bag(lib.tensor([1, 2]), w, lib.tensor([[0]]))",
    "F.embedding_bag(lib.tensor([[[1]]]), w)",
    "F.embedding_bag(lib.tensor([1, 2]), w, lib.tensor([0]), mode='min')",
    "F.embedding_bag(lib.tensor([1, 2]), w, lib.tensor([0]), mode='max', scale_grad_by_freq=True)",
    "F.embedding_bag(lib.tensor([1, 2]), w, lib.tensor([0]), per_sample_weights=lib.ones(2))",
    "F.embedding_bag(lib.tensor([1, 2]), w, lib.tensor([0]), mode='sum', per_sample_weights=lib.ones(3))",
    "F.embedding_bag(lib.tensor([1, 2]), w, lib.tensor([0]), mode='sum', per_sample_weights=lib.ones(2).double())",
    "F.embedding_bag(lib.tensor([1, 2]), lib.zeros(3), lib.tensor([0]))",
]


@pytest.mark.parametrize("expr", BAG_ERRORS)
def test_embedding_bag_errors(expr):
    def run(lib):
        return eval(expr, {"lib": lib, "F": lib.nn.functional, "w": lib.zeros(10, 3)})

    kind, _ = same_outcome(run)
    assert kind != "ok"


def test_embedding_bag_short_last_offset_is_refused():
    """torch's result there differs between modes (and reads uninitialised memory in backward)."""
    with pytest.raises(NotImplementedError, match="include_last_offset"):
        jtorch.nn.functional.embedding_bag(
            jtorch.tensor([1, 2, 3]),
            jtorch.zeros(5, 2),
            jtorch.tensor([0, 2]),
            include_last_offset=True,
        )


# ---- fractional max pooling -----------------------------------------------------------------------------


FRACTIONAL = [
    (2, (2, 3, 9, 9), 3, {"output_size": 4}),
    (2, (3, 7, 8), (2, 3), {"output_size": (3, 5)}),
    (2, (1, 2, 9, 7), 2, {"output_ratio": (0.5, 0.7)}),
    (2, (1, 1, 4, 4), (1, 1), {"output_size": 4}),
    (3, (2, 2, 6, 7, 5), 2, {"output_size": (3, 4, 2)}),
    (3, (2, 5, 6, 7), (1, 2, 3), {"output_ratio": 0.5}),
]


@pytest.mark.parametrize("n,shape,k,kw", FRACTIONAL)
def test_fractional_max_pool_with_samples(n, shape, k, kw):
    batch = shape[0] if len(shape) == n + 2 else 1
    samples = RNG.random((batch, shape[-n - 1], n))

    def run(lib, x, u):
        f = getattr(lib.nn.functional, f"fractional_max_pool{n}d")
        return f(x, k, return_indices=True, _random_samples=u, **kw)

    same(run, arr(*shape), samples, requires_grad=[True, False])


def test_fractional_max_pool_half_precision_intervals():
    """The window starts are computed in the input's dtype, as torch's kernel does."""
    for dtype in ("float16", "bfloat16"):

        def run(lib, x, u, dtype=dtype):
            d = getattr(lib, dtype)
            return lib.nn.functional.fractional_max_pool2d(
                x.to(d), 2, output_size=(6, 5), return_indices=True, _random_samples=u.to(d)
            )

        same(run, arr(2, 3, 11, 13), RNG.random((2, 3, 2)), grad=False)


def test_fractional_max_pool_draws_samples():
    jtorch.manual_seed(1)
    x = jtorch.randn(2, 3, 10, 10)
    a = jtorch.nn.functional.fractional_max_pool2d(x, 2, output_ratio=(0.5, 0.5))
    b, idx = jtorch.nn.FractionalMaxPool2d(2, output_size=5, return_indices=True)(x)
    assert tuple(a.shape) == tuple(b.shape) == (2, 3, 5, 5) and idx.dtype == jtorch.int64
    c = jtorch.nn.functional.fractional_max_pool3d(jtorch.randn(3, 6, 6, 6), 2, output_size=3)
    assert tuple(c.shape) == (3, 3, 3, 3)


FRACTIONAL_ERRORS = [
    "F.fractional_max_pool2d(x4, 3, output_size=8, _random_samples=u2)",
    "F.fractional_max_pool2d(x4, 3)",
    "F.fractional_max_pool2d(x4, 3, output_ratio=0.5)",
    "F.fractional_max_pool2d(x4, 2, output_ratio=(0.5, 0.5, 0.5))",
    "F.fractional_max_pool2d(x4, [2], output_size=2, _random_samples=u2)",
    "F.fractional_max_pool2d(x4, 2, output_size=(2, 2, 2), _random_samples=u2)",
    "F.fractional_max_pool2d(x4, 2, output_size=-1, _random_samples=u2)",
    "F.fractional_max_pool2d(lib.zeros(9, 9), 2, output_size=2)",
    "F.fractional_max_pool2d(lib.zeros(9, 9), 2, output_size=2, _random_samples=u2)",
    "F.fractional_max_pool2d(lib.zeros(1, 3, 0, 9), 2, output_size=1, _random_samples=u2)",
    "F.fractional_max_pool2d(x4, 2, output_size=2, _random_samples=u2.double())",
    "F.fractional_max_pool2d(x4, 2, output_size=2, _random_samples=u2[0])",
    "F.fractional_max_pool2d(x4, 2, output_size=2, _random_samples=u2[:, :2])",
    "F.fractional_max_pool2d(x4, 2, output_size=2, _random_samples=lib.rand(1, 3, 3))",
    "F.fractional_max_pool2d(x4, 2, output_size=2, _random_samples=u2[:0])",
    "F.fractional_max_pool2d(x4.long(), 2, output_size=2, _random_samples=u2.long())",
    "F.fractional_max_pool2d(x4.long(), 2, output_size=2)",
    "F.fractional_max_pool3d(x5, 3, output_size=(3, 2, 2), _random_samples=u3)",
    "F.fractional_max_pool3d(x5, 3, output_size=(2, 2, 3), _random_samples=u3)",
    "F.fractional_max_pool3d(x5, (3, 3), output_size=2, _random_samples=u3)",
    "F.fractional_max_pool3d(lib.zeros(5, 5), 2, output_size=2, _random_samples=u3)",
    "F.fractional_max_pool3d(x5, 2, output_size=2, _random_samples=u3[..., :2])",
    "F.fractional_max_pool3d(x5.bool(), 2, output_size=2, _random_samples=u3.bool())",
]


@pytest.mark.parametrize("expr", FRACTIONAL_ERRORS)
def test_fractional_max_pool_errors(expr):
    def run(lib):
        names = {
            "lib": lib,
            "F": lib.nn.functional,
            "x4": lib.zeros(1, 3, 9, 9),
            "x5": lib.zeros(1, 2, 5, 5, 5),
            "u2": lib.rand(1, 3, 2),
            "u3": lib.rand(1, 2, 3),
        }
        return eval(expr, names)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kind, _ = same_outcome(run)
    assert kind != "ok"
