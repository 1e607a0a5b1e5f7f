"""torch.nn.functional's activations, softmaxes, losses, distances, linear layers, embedding and
dropout (jtorch/_ops/nn_{activation,loss,distance,linear,embedding,dropout}.py), beyond what
op_db reaches: cross_entropy's options, reductions and the legacy size_average/reduce, inplace=
returning the input itself, gradients at the kinks, the commonest mistakes' errors, dropout's
RNG and training flag, and namespace identities."""

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import arr, same

RNG = np.random.default_rng(0)
X = arr(RNG, 4, 5)
LOGITS = RNG.standard_normal((4, 5)).astype(np.float32)
IDX = np.array([1, 0, 4, 2])
PROBS = np.abs(RNG.standard_normal((4, 5))).astype(np.float32)
PROBS /= PROBS.sum(1, keepdims=True)
W5 = np.array([0.5, 1.0, 2.0, 0.3, 1.5], np.float32)


def F(lib):
    return lib.nn.functional


# ---- cross_entropy / nll_loss options ---------------------------------------------------------

CE_OPTIONS = [
    {},
    {"reduction": "none"},
    {"ignore_index": 4},
    {"label_smoothing": 0.2},
    {"label_smoothing": 0.2, "ignore_index": 0, "reduction": "sum"},
    {"weight": W5, "label_smoothing": 0.1},
    {"weight": W5, "ignore_index": 2, "label_smoothing": 0.3, "reduction": "none"},
    {"size_average": False},
    {"reduce": False},
]


def _kwargs(lib, kw):
    return {k: lib.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}


@pytest.mark.filterwarnings("ignore:size_average")
@pytest.mark.parametrize("kw", CE_OPTIONS, ids=str)
def test_cross_entropy_class_indices(kw):
    same(lambda lib, x, t: F(lib).cross_entropy(x, t, **_kwargs(lib, kw)), LOGITS, IDX)


@pytest.mark.parametrize(
    "kw", [{}, {"reduction": "sum"}, {"reduction": "none"}, {"label_smoothing": 0.25}, {"weight": W5}], ids=str
)
def test_cross_entropy_probabilities(kw):
    same(lambda lib, x, p: F(lib).cross_entropy(x, p, **_kwargs(lib, kw)), LOGITS, PROBS, requires_grad=[True, False])


@pytest.mark.parametrize("kw", [{}, {"ignore_index": 1, "reduction": "none"}, {"weight": W5, "reduction": "sum"}], ids=str)
def test_nll_loss_spatial_and_single(kw):
    x = RNG.standard_normal((2, 5, 3)).astype(np.float32)
    t = np.array([[0, 1, 4], [3, 1, 2]])
    same(lambda lib, x: F(lib).nll_loss(x, lib.tensor(t), **_kwargs(lib, kw)), x)
    same(lambda lib, x: F(lib).cross_entropy(x[0], lib.tensor(3), **_kwargs(lib, kw)), LOGITS)


def test_all_ignored_mean_is_nan():
    same(lambda lib, x: F(lib).cross_entropy(x, lib.tensor([4, 4, 4, 4]), ignore_index=4), LOGITS)


# ---- reductions and the legacy arguments ------------------------------------------------------

PAIR_LOSSES = ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss", "kl_div"]


@pytest.mark.filterwarnings("ignore:size_average", "ignore:reduction")
@pytest.mark.parametrize("name", PAIR_LOSSES)
@pytest.mark.parametrize(
    "kw",
    [{"reduction": "none"}, {"size_average": False}],
    ids=str,
)
def test_reductions(name, kw):
    if name == "huber_loss" and ("size_average" in kw or "reduce" in kw):
        kw = {"reduction": "sum"}  # huber_loss has no legacy arguments
    y = arr(RNG, 4, 5)
    # torch: soft_margin_loss is not differentiable in its target
    same(lambda lib, a, b: getattr(F(lib), name)(a, b, **kw), X / 10, y / 10, requires_grad=[True, False])


def test_kl_div_batchmean_and_log_target():
    y = np.log(PROBS)
    same(lambda lib, a, b: F(lib).kl_div(a, b, reduction="batchmean", log_target=True), LOGITS, y)


@pytest.mark.parametrize("kw", [{}, {"pos_weight": np.array([1.0, 2, 3, 0.5, 1], np.float32)}, {"weight": W5}], ids=str)
def test_bce_with_logits(kw):
    t = (RNG.random((4, 5)) > 0.5).astype(np.float32)
    same(lambda lib, x, t: F(lib).binary_cross_entropy_with_logits(x, t, **_kwargs(lib, kw)), LOGITS, t)


def test_bce_gradient():
    p = 1 / (1 + np.exp(-LOGITS))
    same(lambda lib, p, t: F(lib).binary_cross_entropy(p, t, reduction="sum"), p, PROBS)


# ---- inplace activations, identities, kinks -------------------------------------------------------

INPLACE = ["relu", "relu6", "elu", "selu", "celu", "leaky_relu", "hardtanh", "silu", "mish", "hardswish", "hardsigmoid"]


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_returns_input(name):
    x = jtorch.tensor(X)
    out = getattr(jtorch.nn.functional, name)(x, inplace=True)
    assert out is x
    expected = getattr(torch.nn.functional, name)(torch.tensor(X))
    np.testing.assert_allclose(np.asarray(x), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_inplace_positional_and_version():
    x = jtorch.tensor(X)
    v = x._version
    assert jtorch.nn.functional.threshold(x, 0.5, -1.0, True) is x
    assert x._version > v
    same(lambda lib, x: F(lib).threshold(x, 0.5, -1.0), X)


def test_inplace_on_leaf_requiring_grad():
    same(lambda lib, x: F(lib).relu(x, inplace=True), X)


KINKS = np.array([-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 0.5, -0.5], np.float64)


@pytest.mark.parametrize(
    "call",
    [
        lambda f, x: f.relu(x),
        lambda f, x: f.relu6(x),
        lambda f, x: f.hardtanh(x),
        lambda f, x: f.hardtanh(x, -0.5, 0.5),
        lambda f, x: f.leaky_relu(x, 0.2),
        lambda f, x: f.elu(x, 0.7),
        lambda f, x: f.celu(x, 0.7),
        lambda f, x: f.hardsigmoid(x),
        lambda f, x: f.hardswish(x),
        lambda f, x: f.hardshrink(x, 1.0),
        lambda f, x: f.softshrink(x, 1.0),
        lambda f, x: f.threshold(x, 1.0, 0.0),
        lambda f, x: f.softsign(x),
        lambda f, x: f.prelu(x, x.new_tensor([0.25])),
        lambda f, x: f.margin_ranking_loss(x, x * 0, x.sign(), reduction="none"),
        lambda f, x: f.hinge_embedding_loss(x, x.sign(), margin=1.0, reduction="none"),
    ],
    ids=lambda c: c.__code__.co_positions().__next__() and "",
)
def test_gradients_at_kinks(call):
    same(lambda lib, x: call(F(lib), x), KINKS)


def test_namespace_identities():
    f = jtorch.nn.functional
    assert f.relu.op is jtorch.relu
    assert f.softmax(jtorch.ones(2, 3), 1).grad_fn is None
    assert jtorch.Tensor.softmax is jtorch.softmax and jtorch.Tensor.log_softmax is jtorch.log_softmax
    assert f.softmin.__module__ == f.softmax.__module__
    # Where torch's F name is its top-level function, so is jtorch's.
    for name in ["hardshrink", "prelu", "pdist", "cosine_similarity", "pairwise_distance", "bilinear"]:
        assert getattr(torch.nn.functional, name) is getattr(torch, name)
        assert getattr(f, name) is getattr(jtorch, name), name


@pytest.mark.parametrize("dim", [None, 0, 1, -1])
def test_softmax_defaults(dim):
    with pytest.warns(UserWarning) if dim is None else _nothing():
        same(lambda lib, x: F(lib).softmax(x, dim), LOGITS)
    same(lambda lib, x: x.log_softmax(0 if dim is None else dim, dtype=lib.float64), LOGITS)
    same(lambda lib, x: lib.softmax(x.long(), 1, lib.float32), X, grad=False)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ---- errors -------------------------------------------------------------------------------------

ERRORS = [
    lambda F, lib: F.cross_entropy(lib.randn(3, 5), lib.tensor([1, 2, 7])),
    lambda F, lib: F.cross_entropy(lib.randn(3, 5), lib.rand(3)),
    lambda F, lib: F.cross_entropy(lib.randn(3, 5), lib.tensor([1, 2])),
    lambda F, lib: F.cross_entropy(lib.randn(3, 5), lib.ones(3, 5, dtype=lib.long)),
    lambda F, lib: F.cross_entropy(lib.randn(3, 5), lib.tensor([1, 2, 3]), label_smoothing=1.5),
    lambda F, lib: F.nll_loss(lib.randn(3, 5), lib.tensor([1.0, 2.0, 3.0])),
    lambda F, lib: F.nll_loss(lib.randn(3, 5), lib.tensor([1, 2, 3], dtype=lib.int32)),
    lambda F, lib: F.nll_loss(lib.randn(3, 5), lib.tensor([1, 2, 3]), weight=lib.ones(4)),
    lambda F, lib: F.nll_loss(lib.randn(3, 5, 2), lib.zeros(3, 3, dtype=lib.long)),
    lambda F, lib: F.binary_cross_entropy(lib.tensor([0.5, 2.0]), lib.tensor([0.0, 1.0])),
    lambda F, lib: F.binary_cross_entropy(lib.tensor([0.5, 0.2]), lib.tensor([0.0, 1.0, 1.0])),
    lambda F, lib: F.binary_cross_entropy_with_logits(lib.tensor([0.5, 0.2]), lib.tensor([0.0])),
    lambda F, lib: F.mse_loss(lib.ones(2), lib.ones(2), reduction="avg"),
    lambda F, lib: F.mse_loss(lib.ones(2), lib.ones(3)),
    lambda F, lib: F.linear(lib.randn(2, 3), lib.randn(4, 5)),
    lambda F, lib: F.embedding(lib.tensor([1, 5]), lib.randn(3, 2)),
    lambda F, lib: F.embedding(lib.tensor([1.0, 2.0]), lib.randn(3, 2)),
    lambda F, lib: F.one_hot(lib.tensor([1, 5]), 3),
    lambda F, lib: F.one_hot(lib.tensor([1.0])),
    lambda F, lib: F.dropout(lib.ones(3), 1.5),
    lambda F, lib: F.glu(lib.ones(3, 3)),
    lambda F, lib: F.gelu(lib.ones(3), approximate="fast"),
    lambda F, lib: F.relu(lib.ones(3, dtype=lib.bool)),
    lambda F, lib: F.softmax(lib.ones(3, dtype=lib.long), 0),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors(k):
    t_err, j_err = same(lambda lib: ERRORS[k](lib.nn.functional, lib))
    assert str(j_err) == str(t_err)


# ---- dropout ------------------------------------------------------------------------------------


def test_dropout_training_flag_and_identity():
    x = jtorch.randn(4, 5)
    f = jtorch.nn.functional
    assert f.dropout(x, training=False) is x and f.dropout(x, 0.0) is x
    assert f.alpha_dropout(x) is x  # training=False by default, as torch
    assert not np.asarray(f.dropout(x, 1.0)).any()


def test_dropout_seeded_mask_and_gradient():
    f = jtorch.nn.functional
    jtorch.manual_seed(0)
    x = jtorch.ones(200, 50, requires_grad=True)
    y = f.dropout(x, 0.3)
    jtorch.manual_seed(0)
    assert np.array_equal(np.asarray(f.dropout(jtorch.ones(200, 50), 0.3)), np.asarray(y.detach()))
    np.testing.assert_allclose(np.unique(np.asarray(y.detach())), [0.0, 1 / 0.7], rtol=1e-6)
    assert abs((np.asarray(y.detach()) == 0).mean() - 0.3) < 0.02
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    assert np.array_equal(np.asarray(x.grad), np.asarray(y.detach()))


def test_feature_dropout_drops_whole_channels():
    f = jtorch.nn.functional
    y = np.asarray(f.dropout2d(jtorch.ones(8, 6, 3, 3), 0.5))
    per_channel = y.reshape(8, 6, 9)
    assert (per_channel == per_channel[..., :1]).all()
    y3 = np.asarray(f.dropout3d(jtorch.ones(6, 2, 2, 2), 0.5))  # unbatched: dim 0 is the channel
    assert (y3.reshape(6, 8) == y3.reshape(6, 8)[:, :1]).all()


def test_alpha_dropout_keeps_moments():
    jtorch.manual_seed(1)
    y = np.asarray(jtorch.nn.functional.alpha_dropout(jtorch.randn(200000), 0.2, training=True))
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02


def test_embedding_options():
    w = arr(RNG, 6, 3)
    idx = np.array([[0, 2, 2], [5, 2, 1]])
    for kw in [{}, {"padding_idx": 2}, {"scale_grad_by_freq": True}, {"padding_idx": -1, "scale_grad_by_freq": True}]:
        same(lambda lib, w: F(lib).embedding(lib.tensor(idx), w, **kw), w)


def test_embedding_max_norm_renormalizes_weight():
    w = arr(RNG, 6, 3)
    idx = np.array([0, 2, 2, 5])

    def fn(lib, w):
        w = w.detach().clone()
        out = F(lib).embedding(lib.tensor(idx), w, max_norm=1.0)
        return out, w

    same(fn, w, grad=False)

    def direct(lib, w):  # torch.embedding_renorm_: rows used by the indices, in place
        w = w.detach().clone()
        out = lib.embedding_renorm_(w, lib.tensor(idx), 0.5, 1.0)
        return out, w, out is w

    same(direct, w, grad=False)


def test_one_hot_and_linear():
    same(lambda lib: F(lib).one_hot(lib.tensor([[0, 3], [2, 1]])))
    same(lambda lib: F(lib).one_hot(lib.tensor([0, 3]), 6))
    same(lambda lib, x, w, b: F(lib).linear(x, w, b), arr(RNG, 2, 3, 4), arr(RNG, 5, 4), arr(RNG, 5))
    same(lambda lib, x, w: F(lib).linear(x, w), arr(RNG, 3, 4, dtype="int64"), arr(RNG, 2, 4, dtype="int64"))


def test_triplet_with_custom_distance():
    a, p, n = arr(RNG, 3, 4), arr(RNG, 3, 4), arr(RNG, 3, 4)

    def fn(lib, a, p, n):
        dist = lambda u, v: (u - v).abs().sum(-1)  # noqa: E731
        return F(lib).triplet_margin_with_distance_loss(a, p, n, distance_function=dist, swap=True, margin=2.0)

    same(fn, a, p, n)


# ---- float16/bfloat16 computed in float32 and rounded once (the registry's ``opmath``) ---------

# Activations, softmaxes and normalizations whose float16/bfloat16 values match torch's once the
# computation is in float32 and rounded once: bit for bit but for the rare value whose float32
# result (exp, a sum's order) differs from torch's in the last bit and rounds the other way,
# then by one half-precision ulp. Computed in half precision step by step, 10-70% of the values
# differ, by up to several ulps. (gelu and log_softmax, whose float32 values differ from
# torch's more often, are left out.)
OPMATH = {
    "silu": lambda L, t: L.nn.functional.silu(t),
    "softplus": lambda L, t: L.nn.functional.softplus(t),
    "softmax": lambda L, t: L.softmax(t, 1),
    "softmin": lambda L, t: L.nn.functional.softmin(t, 1),
    "elu": lambda L, t: L.nn.functional.elu(t),
    "selu": lambda L, t: L.nn.functional.selu(t),
    "celu": lambda L, t: L.nn.functional.celu(t),
    "mish": lambda L, t: L.nn.functional.mish(t),
    "hardswish": lambda L, t: L.nn.functional.hardswish(t),
    "hardsigmoid": lambda L, t: L.nn.functional.hardsigmoid(t),
    "leaky_relu": lambda L, t: L.nn.functional.leaky_relu(t, 0.1),
    "logsigmoid": lambda L, t: L.nn.functional.logsigmoid(t),
    "glu": lambda L, t: L.nn.functional.glu(t),
    "layer_norm": lambda L, t: L.nn.functional.layer_norm(t, (32,)),
    "group_norm": lambda L, t: L.nn.functional.group_norm(t.view(8, 8, 32), 4),
    "rms_norm": lambda L, t: L.nn.functional.rms_norm(t, (32,)),
}


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", sorted(OPMATH))
def test_half_precision_values_round_once(name, dtype):
    x = (np.random.default_rng(0).standard_normal((64, 32)) * 3).astype(np.float32)
    out = {}
    for L in (torch, jtorch):
        y = OPMATH[name](L, L.tensor(x).to(getattr(L, dtype)))
        assert str(y.dtype) == f"torch.{dtype}"
        out[L] = y.float().numpy()
    actual, expected = out[jtorch], out[torch]
    differ = actual != expected
    assert differ.sum() <= differ.size // 200
    ulp = np.spacing(np.abs(expected).astype(np.float16 if dtype == "float16" else np.float32))
    if dtype == "bfloat16":
        ulp = ulp * 2.0**16  # bfloat16 keeps 8 of float32's 24 significant bits
    np.testing.assert_array_less(np.abs(actual - expected)[differ], ulp[differ].astype(np.float32) * 1.01)


def test_batch_norm_eval_values_as_torch():
    """torch's kernel: one scale and one shift per channel, then ``x * scale + shift``."""
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((8, 6, 5, 4)) * 3 + 1).astype(np.float32)
    w = rng.standard_normal(6).astype(np.float32)

    def run(L):
        t, s = L.tensor(x), L.tensor(w)
        return L.nn.functional.batch_norm(t, s.abs(), s.abs() + 1, s, s, training=False).numpy()

    np.testing.assert_array_equal(run(jtorch), run(torch))
