"""The activation, loss and distance modules of nn/modules/{activation,loss,distance}.py and
F.linear_cross_entropy, against real torch: reprs, constructor signatures, constants and
errors, the legacy size_average/reduce mapping, state_dict layout, inplace variants, RReLU,
and the options module_db does not reach.
"""

import inspect
import warnings

import numpy as np
import pytest
import torch

import jtorch
from conformance import _compare
from conformance._compare import assert_close, module_pair, module_same, same, to_numpy

RNG = np.random.default_rng(0)


def arr(*shape, dtype="float64"):
    return RNG.standard_normal(shape).astype(dtype)


def same_outcome(fn):
    return _compare.same_outcome(fn, with_warnings=True)


# ---- reprs, signatures, constants -------------------------------------------------------------

REPRS = [
    "Threshold(0.1, 20)",
    "Threshold(0.1, 20, inplace=True)",
    "ReLU()",
    "ReLU(inplace=True)",
    "RReLU()",
    "RReLU(0.1, 0.3, True)",
    "Hardtanh()",
    "Hardtanh(-2, 3.5, True)",
    "ReLU6()",
    "ReLU6(True)",
    "Sigmoid()",
    "Hardsigmoid(inplace=True)",
    "Tanh()",
    "SiLU(inplace=True)",
    "Mish(True)",
    "Hardswish(True)",
    "ELU()",
    "ELU(alpha=0.5, inplace=True)",
    "CELU(2.0)",
    "CELU(2, True)",
    "SELU(True)",
    "SELU()",
    "GLU()",
    "GLU(1)",
    "GELU()",
    "GELU('tanh')",
    "Hardshrink()",
    "Hardshrink(1)",
    "LeakyReLU()",
    "LeakyReLU(0.2, True)",
    "LogSigmoid()",
    "Softplus(2, 10)",
    "Softshrink(0.25)",
    "PReLU()",
    "PReLU(4, 0.1)",
    "Softsign()",
    "Tanhshrink()",
    "Softmin(1)",
    "Softmax()",
    "Softmax(dim=-1)",
    "Softmax2d()",
    "LogSoftmax(0)",
    "PairwiseDistance()",
    "PairwiseDistance(1, 1e-3, True)",
    "CosineSimilarity(0, 1e-6)",
    "L1Loss(reduction='sum')",
    "NLLLoss(ignore_index=3)",
    "PoissonNLLLoss(False, True)",
    "GaussianNLLLoss(full=True)",
    "KLDivLoss(reduction='batchmean', log_target=True)",
    "MSELoss()",
    "BCELoss()",
    "BCEWithLogitsLoss()",
    "HingeEmbeddingLoss(2.0)",
    "MultiLabelMarginLoss()",
    "SmoothL1Loss(beta=0.5)",
    "HuberLoss(delta=2)",
    "SoftMarginLoss()",
    "CrossEntropyLoss(label_smoothing=0.1)",
    "MultiLabelSoftMarginLoss()",
    "CosineEmbeddingLoss(0.5)",
    "MarginRankingLoss(1.0)",
    "MultiMarginLoss(2, 0.5)",
    "TripletMarginLoss(2.0, 1, swap=True)",
    "TripletMarginWithDistanceLoss()",
    "TripletMarginWithDistanceLoss(distance_function=nn.CosineSimilarity(), margin=0.5)",
    "CTCLoss(blank=2, zero_infinity=True)",
    "LinearCrossEntropyLoss(3, 4)",
    (
        "LinearCrossEntropyLoss(3, 4, out_features=(2, 5), bias=True, ignore_index=1, "
        "label_smoothing=0.2, options=nn.LinearCrossEntropyOptions(batch_chunk_size=2))"
    ),
]


@pytest.mark.parametrize("expr", REPRS)
def test_repr(expr):
    same_outcome(lambda lib: eval(f"nn.{expr}", {"nn": lib.nn}))


CLASSES = [
    name
    for name in sorted(
        set(torch.nn.modules.activation.__all__) | set(torch.nn.modules.loss.__all__)
    )
    if name != "MultiheadAttention"
] + ["PairwiseDistance", "CosineSimilarity", "LinearCrossEntropyOptions"]


@pytest.mark.parametrize("name", CLASSES)
def test_signature_and_constants(name):
    t_cls, j_cls = getattr(torch.nn, name), getattr(jtorch.nn, name)

    def params(cls):  # __init__'s: torch's NLLLoss2d hides its own behind @deprecated
        return [
            (p.name, p.kind, p.default) for p in inspect.signature(cls.__init__).parameters.values()
        ]

    assert params(j_cls) == params(t_cls)
    assert getattr(j_cls, "__constants__", None) == getattr(t_cls, "__constants__", None)
    t_bases = [b.__name__ for b in t_cls.__mro__ if not b.__name__.startswith("_")]
    j_bases = [b.__name__ for b in j_cls.__mro__ if not b.__name__.startswith("_")]
    assert j_bases == t_bases  # e.g. ReLU6 is a Hardtanh, LogSoftmax is not a Softmax


# ---- constructor errors and warnings -----------------------------------------------------------

CONSTRUCTORS = [
    "Hardtanh(1.0, 1.0)",
    "Hardtanh(2, -1)",
    "Hardtanh(min_value=-2.0)",
    "Hardtanh(max_value=4.0, min_value=1.0)",
    "MultiMarginLoss(p=3)",
    "MultiMarginLoss(weight=lib.ones(2, 2))",
    "TripletMarginLoss(margin=0)",
    "TripletMarginWithDistanceLoss(margin=-1.0)",
    "TripletMarginWithDistanceLoss(None)",
    "GaussianNLLLoss(True)",
    "HuberLoss(delta='1')",
    "NLLLoss2d()",
    "L1Loss(size_average=False)",
    "MSELoss(reduce=False)",
    "CrossEntropyLoss(size_average=True, reduce=True)",
    "BCELoss(lib.ones(3), False, True)",
    "LinearCrossEntropyLoss(3, 4, weight=lib.ones(3))",
    "LinearCrossEntropyLoss(3, 4, label_smoothing=1.5)",
    "LinearCrossEntropyLoss(3, 4, 5)",
    "LinearCrossEntropyOptions(acc_policy='fast')",
    "LinearCrossEntropyOptions(chunking_method='aspect_ratio:0')",
    "LinearCrossEntropyOptions(chunking_method='aspect_ratio:3')",
    "LinearCrossEntropyOptions(batch_chunk_size=0)",
    "LinearCrossEntropyOptions(acc_dtype=lib.int32)",
    "LinearCrossEntropyOptions(acc_dtype=lib.bfloat16)",
]


@pytest.mark.parametrize("expr", CONSTRUCTORS)
def test_constructor(expr):
    def build(lib):
        m = eval(f"lib.nn.{expr}", {"lib": lib})
        return (m, getattr(m, "reduction", None))

    same_outcome(build)


def test_prelu_init_and_dtype():
    def build(lib):
        m = lib.nn.PReLU(3, init=0.1, dtype=lib.float64)
        return m.weight, m.init, m.num_parameters, list(m.state_dict())

    same_outcome(build)


@pytest.mark.parametrize(
    "expr",
    [
        "BCEWithLogitsLoss(lib.ones(3), pos_weight=lib.full((3,), 2.0))",
        "BCEWithLogitsLoss(pos_weight=lib.ones(3))",
        "CrossEntropyLoss(lib.ones(4))",
        "NLLLoss()",
        "MultiMarginLoss(weight=lib.ones(4))",
        "LinearCrossEntropyLoss(3, 4, out_features=(2,), bias=True, weight=lib.ones(4))",
        "TripletMarginWithDistanceLoss()",
    ],
)
def test_state_dict_layout(expr):
    def keys(lib):
        m = eval(f"lib.nn.{expr}", {"lib": lib})
        sd = m.state_dict()
        return [(k, tuple(v.shape)) for k, v in sd.items()], [k for k, _ in m.named_buffers()]

    same_outcome(keys)


# ---- forward and backward ----------------------------------------------------------------------

INPLACE = [
    "ReLU(True)", "ReLU6(True)", "Threshold(0.2, -1.0, True)", "Hardtanh(-0.5, 0.5, True)",
    "LeakyReLU(0.1, True)", "ELU(0.5, True)", "CELU(1.5, True)", "SELU(True)", "SiLU(True)",
    "Mish(True)", "Hardsigmoid(True)", "Hardswish(True)", "RReLU(0.2, 0.2, True)",
]  # fmt: skip


@pytest.mark.parametrize("expr", INPLACE)
def test_inplace(expr):
    """The module writes into its input and returns that very tensor; gradients flow through
    the in-place node (the input is a non-leaf)."""

    def fn(lib, x):
        y = x * 1.0
        out = eval(f"lib.nn.{expr}", {"lib": lib})(y)
        assert out is y
        return out

    same(fn, arr(3, 4) * 4)


@pytest.mark.parametrize(
    "expr, shape",
    [
        ("Softmax2d()", (2, 3, 4, 5)),
        ("Softmax2d()", (3, 4, 5)),
        ("Softmax2d()", (3, 4)),
        ("Softmax()", (3, 4)),
        ("LogSoftmax()", (2, 3, 4)),
        ("Softmin()", (4,)),
        ("PReLU(3, 0.3)", (2, 3, 4)),
        ("GLU(0)", (4, 3)),
        ("GLU()", (3, 5)),
        ("Hardtanh(-0.5, 2.0)", (3, 4)),
        ("RReLU(0.1, 0.3)", (3, 4)),
        ("PairwiseDistance(1.5, keepdim=True)", (3, 4)),
        ("PairwiseDistance()", (4,)),
        ("CosineSimilarity(0)", (3, 4)),
    ],
)
def test_forward_backward(expr, shape):
    """Outputs, gradients and errors (Softmax2d of 2-d input, the implicit-dim warning)."""
    mods = module_pair(lambda nn: eval(f"nn.{expr}", {"nn": nn}).double().eval())
    n_inputs = 2 if "Distance" in expr or "Cosine" in expr else 1
    inputs = [arr(*shape) for _ in range(n_inputs)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same(lambda lib, *xs: mods[lib](*xs), *inputs)


def test_softmax_implicit_dim_warning():
    def fn(lib):
        return lib.nn.Softmax()(lib.ones(2, 3)).shape

    assert "Implicit dimension choice" in same_outcome(fn)[2][0]


def test_rrelu_training_draws_slopes():
    """RReLU in training mode scales each negative element by its own slope in [lower, upper]
    and keeps non-negative ones (jtorch's random stream differs from torch's)."""
    x = jtorch.tensor(-np.abs(arr(200, 50)) - 0.1)
    y = jtorch.nn.RReLU(0.1, 0.3)(x)
    slopes = to_numpy(y) / to_numpy(x)
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert slopes.std() > 0.03  # drawn per element, not one slope
    pos = jtorch.tensor(np.abs(arr(5, 5)))
    assert_close(jtorch.nn.RReLU()(pos), torch.tensor(to_numpy(pos)))


@pytest.mark.parametrize(
    "ctor",
    [
        "TripletMarginWithDistanceLoss()",
        "TripletMarginWithDistanceLoss(margin=0.5, swap=True, reduction='none')",
        "TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(1.0), reduction='sum')",
        (
            "TripletMarginWithDistanceLoss("
            "distance_function=lambda a, b: 1.0 - nn.functional.cosine_similarity(a, b))"
        ),
    ],
)
def test_triplet_with_distance(ctor):
    module_same(lambda nn: eval(f"nn.{ctor}", {"nn": nn}), arr(5, 4), arr(5, 4), arr(5, 4))


LOSSES = [
    ("L1Loss(size_average=False)", [(3, 4), (3, 4)]),
    ("MSELoss(reduce=False)", [(3, 4), (3, 4)]),
    ("SmoothL1Loss(reduction='sum', beta=0.5)", [(3, 4), (3, 4)]),
    ("HuberLoss('none', 0.5)", [(3, 4), (3, 4)]),
    ("SoftMarginLoss(reduction='none')", [(3, 4), "sign(3, 4)"]),
    ("KLDivLoss(reduction='batchmean', log_target=True)", [(3, 4), (3, 4)]),
    ("BCEWithLogitsLoss(pos_weight=W)", [(3, 4), "prob(3, 4)"]),
    ("BCEWithLogitsLoss(W, reduction='sum')", [(3, 4), "prob(3, 4)"]),
    ("BCELoss(W)", ["prob(3, 4)", "prob(3, 4)"]),
    ("CrossEntropyLoss(W, ignore_index=1)", [(5, 4), "cls(5,)"]),
    ("CrossEntropyLoss(label_smoothing=0.2, reduction='none')", [(5, 4, 2), "cls(5, 2)"]),
    ("NLLLoss(W, reduce=False)", [(5, 4), "cls(5,)"]),
    ("MultiMarginLoss(2, 0.5, W)", [(5, 4), "cls(5,)"]),
    ("MultiLabelSoftMarginLoss(W)", [(5, 4), "prob(5, 4)"]),
    ("PoissonNLLLoss(log_input=False, full=True)", ["prob(3, 4)", "cls(3, 4)"]),
    ("GaussianNLLLoss(full=True, reduction='sum')", [(3, 4), (3, 4), "prob(3, 4)"]),
    ("HingeEmbeddingLoss(0.5, reduction='none')", [(3, 4), "sign(3, 4)"]),
    ("CosineEmbeddingLoss(0.2)", [(3, 4), (3, 4), "sign(3,)"]),
    ("MarginRankingLoss(0.5, reduce=False)", [(5,), (5,), "sign(5,)"]),
    ("TripletMarginLoss(0.5, 1.0, swap=True)", [(3, 4), (3, 4), (3, 4)]),
]


WEIGHT_ERRORS = [
    "F.prelu(lib.ones(3, 2), lib.ones(2, dtype=lib.float64))",
    "F.prelu(lib.ones(3, 2, dtype=lib.float64), lib.ones(2))",
    "F.multi_margin_loss(lib.ones(3, 2, dtype=lib.float64), lib.zeros(3).long(), weight=lib.ones(2))",
    "F.nll_loss(lib.ones(3, 2), lib.zeros(3).long(), weight=lib.ones(2, dtype=lib.float64))",
    "F.binary_cross_entropy(lib.ones(3, 2) / 2, lib.ones(3, 2), weight=lib.ones(2).requires_grad_())",
    (
        "F.binary_cross_entropy_with_logits(lib.ones(3, 2), lib.ones(3, 2), "
        "pos_weight=lib.ones(2).requires_grad_())"
    ),
    (
        "F.binary_cross_entropy_with_logits(lib.ones(3, 2), lib.ones(3, 2), "
        "weight=lib.ones(2).requires_grad_(), pos_weight=lib.ones(2).requires_grad_())"
    ),
]


@pytest.mark.parametrize("call", WEIGHT_ERRORS)
@pytest.mark.parametrize("grad_enabled", [True, False])
def test_weight_dtype_and_grad_errors(call, grad_enabled):
    """A class weight of another dtype (torch does not promote it), and one that requires
    grad (torch's kernels cannot differentiate it; fine under no_grad)."""

    def run(lib):
        with lib.set_grad_enabled(grad_enabled):
            return eval(call, {"lib": lib, "F": lib.nn.functional})

    same_outcome(run)


def _loss_input(spec):
    if isinstance(spec, tuple):
        return arr(*spec)
    kind, shape = spec.split("(", 1)
    shape = eval("(" + shape)
    if kind == "sign":
        return np.where(arr(*shape) > 0, 1.0, -1.0)
    if kind == "prob":
        return RNG.uniform(0.05, 0.95, shape)
    return RNG.integers(0, 4, shape)  # class indices (int64)


def _class_weight(nn):
    lib = torch if nn is torch.nn else jtorch
    return lib.tensor([1.0, 2.0, 0.5, 3.0], dtype=lib.float64)


@pytest.mark.parametrize("ctor, specs", LOSSES)
def test_loss_options(ctor, specs):
    """Options module_db does not set: class weights, pos_weight, legacy reduce arguments."""
    inputs = [_loss_input(s) for s in specs]
    grads = [isinstance(s, tuple) for s in specs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module_same(
            lambda nn: eval(f"nn.{ctor}", {"nn": nn, "W": _class_weight(nn)}),
            *inputs,
            requires_grad=grads,
        )


# ---- F.linear_cross_entropy --------------------------------------------------------------------

LCE = [
    ((6, 3), (4, 3), "cls(6,)", {}),
    ((3,), (4, 3), "cls()", {"reduction": "sum"}),
    ((6, 3), (4, 2, 3), "cls(6, 2)", {"reduction": "none", "bias": (4, 2)}),
    ((6, 3), (4, 3), "cls(6,)", {"ignore_index": 2, "label_smoothing": 0.1, "weight": True}),
    ((6, 3), (4, 3), "prob(6, 4)", {"bias": (4,)}),
    ((6, 3), (4, 3), "cls(6,)", {"options": {"batch_chunk_size": 2}}),
    ((6, 3), (4, 3), "cls(6,)", {"options": {}, "label_smoothing": 0.2}),
    ((6, 3), (4, 2, 3), "cls(6, 2)", {"options": {"allow_retain_graph": True}}),
    ((2, 6, 3), (4, 3), "cls(2, 6)", {}),
    ((6, 3), (4,), "cls(6,)", {}),
    ((6, 3), (4, 5), "cls(6,)", {}),
    ((6, 3), (4, 3), "cls(6,)", {"bias": (3,)}),
    ((3,), (4, 2, 3), "cls(2,)", {}),
    ((6, 3), (4, 3), "prob(6, 4)", {"ignore_index": 1}),
    ((6, 3), (4, 3), "big(6,)", {}),
    ((6, 3), (4, 3), "cls(6,)", {"options": {"acc_dtype": "float64"}}),
    ((6, 3), (4, 3), "cls(6,)", {"options": {"acc_dtype": "float64"}, "label_smoothing": 0.1}),
    (
        (8, 2),
        (9, 2),
        "cls(8,)",
        {"options": {"chunking_method": "aspect_ratio:2", "batch_chunk_size": 4}},
    ),
    (
        (8, 2),
        (9, 2),
        "cls(8,)",
        {"options": {"chunking_method": "aspect_ratio", "batch_chunk_size": 2}},
    ),
]

# Half precision: torch's chunked path accumulates in float32 (acc_policy='auto'), the
# reference path computes in the input dtype.
LCE_HALF = [
    ("bfloat16", None, "mean"),
    ("bfloat16", {}, "mean"),
    ("bfloat16", {"batch_chunk_size": 3}, "none"),
    ("float16", {}, "sum"),
    ("float16", {"acc_policy": "compact"}, "none"),
    ("float16", {"acc_dtype": "float32", "acc_policy": "balanced"}, "none"),
    ("float16", {"acc_dtype": "float16"}, "mean"),
]


@pytest.mark.parametrize("x, w, target, opts", LCE)
def test_linear_cross_entropy(x, w, target, opts):
    """Values and gradients (input, weight, bias), torch's errors and its warning when
    ``options`` asks for the chunked path on a call it does not take."""
    t = np.full((6,), 7) if target == "big(6,)" else _loss_input(target)  # 7: out of bounds
    bias = arr(*opts["bias"]) if "bias" in opts else None
    class_weight = RNG.uniform(0.5, 2, 4) if opts.get("weight") else None
    kwargs = {k: v for k, v in opts.items() if k not in ("bias", "weight", "options")}
    messages = {}

    def fn(lib, x, w, t, b, cw):
        if "options" in opts:
            kwargs["options"] = _options(lib, opts["options"])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return lib.nn.functional.linear_cross_entropy(
                    x, w, t, linear_bias=b, weight=cw, **kwargs
                )
            finally:
                messages[lib] = [str(c.message).replace("jtorch.", "torch.") for c in caught]

    inputs = (arr(*x), arr(*w), t, bias, class_weight)
    expected, actual = same(fn, *inputs, requires_grad=[True, True, False, True, False])
    if isinstance(expected, Exception):
        assert str(actual) == str(expected)
    assert messages[jtorch] == messages[torch]


def _options(lib, fields):
    fields = dict(fields)
    if "acc_dtype" in fields:
        fields["acc_dtype"] = getattr(lib, fields["acc_dtype"])
    return lib.nn.LinearCrossEntropyOptions(**fields)


@pytest.mark.parametrize("dtype, options, reduction", LCE_HALF)
def test_linear_cross_entropy_half(dtype, options, reduction):
    def fn(lib, x, w, t):
        opts = None if options is None else _options(lib, options)
        d = getattr(lib, dtype)
        return lib.nn.functional.linear_cross_entropy(
            x.to(d), w.to(d), t, reduction=reduction, options=opts
        )

    rng = np.random.default_rng(1)  # data independent of the test order
    x, w = rng.standard_normal((64, 8)), rng.standard_normal((50, 8))
    same(fn, x, w, rng.integers(0, 50, 64), grad=False)
