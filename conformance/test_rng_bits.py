"""torch's CPU random streams, bit for bit: speaks about jtorch/_random.py (the Generator and its
mt19937 engine) and everything that draws from it: jtorch/_ops/random.py, dropout, nn.init, the
default initialisation of layers, the samplers and random_split.

After ``manual_seed(seed)`` jtorch returns exactly torch's bits (torch's x86-64 AVX2/AVX512
build). ``bits(fn, seed)`` runs ``fn(lib)`` after ``lib.manual_seed(seed)`` in torch and in
jtorch, compares every output bit for bit (floats as unsigned integers of their width, bfloat16
widened exactly to float32) and then the 5056-byte state of the default generator in torch's
layout, which also checks how many words each call drew and the cached Box-Muller sample.
``nn.init.trunc_normal_`` (torch's own erfinv) and ``nn.init.orthogonal_`` (LAPACK's QR) are
compared with a tolerance, their states still byte for byte.
"""

import math

import numpy as np
import pytest
import torch
import torch.utils.data

import jtorch
import jtorch.utils.data
from conformance._compare import dtype_name, same_outcome, to_numpy

# randint/random_ bounds past 2**24 on float32 warn in torch (and should in jtorch); the bits are
# what is compared here.
pytestmark = pytest.mark.filterwarnings("ignore:.*out of bounds")

SIZES = (1, 7, 15, 16, 17, 1000)
FLOATS = ("float32", "float64", "float16", "bfloat16")
SEEDS = (0, 1, 42, 2**32 + 5, 12345678901234, -1, 2**63 + 5, -(2**63))


# ---- the helper -------------------------------------------------------------------------------

# torch's CPUGeneratorImplState, by byte offset (see jtorch/_random.py).
STATE_FIELDS = (
    (0, "initial seed"),
    (8, "left"),
    (12, "seeded"),
    (16, "next"),
    (24, "mt19937 state words"),
    (5016, "normal_x"),
    (5024, "cached double normal sample"),
    (5032, "normal_rho"),
    (5040, "double normal sample valid"),
    (5044, "padding"),
    (5048, "cached float normal sample"),
    (5052, "float normal sample valid"),
    (5053, "padding"),
)


class _Bits:
    """A tensor as comparable data: dtype, shape, values (for messages) and their bits."""

    def __init__(self, t):
        self.dtype, self.shape = dtype_name(t.dtype), tuple(t.shape)
        self.values = to_numpy(t).reshape(-1)
        v = self.values
        self.bits = v.view(f"u{v.itemsize}") if v.dtype.kind == "f" else v

    def show(self, i):
        v, b = self.values[i], self.bits[i]
        return f"{v} (bits {int(b):#x})" if self.values.dtype.kind == "f" else repr(v)


def _canon(x):
    if isinstance(x, (torch.Tensor, jtorch.Tensor)):
        return _Bits(x)
    if isinstance(x, dict):
        return {k: _canon(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_canon(v) for v in x]
    if isinstance(x, float):
        return ("float", x.hex())
    if isinstance(x, (bool, int)):
        return (type(x).__name__, x)
    raise TypeError(f"bits: cannot compare a {type(x).__name__}")


def _check(actual, expected, where, atol=None):
    """jtorch's canonical output ``actual`` equals torch's ``expected`` (within ``atol``)."""
    if isinstance(expected, _Bits):
        assert isinstance(actual, _Bits), f"{where}: torch gave a tensor, jtorch {actual!r}"
        a, e = (actual.dtype, actual.shape), (expected.dtype, expected.shape)
        assert a == e, f"{where}: jtorch (dtype, shape) {a} != torch's {e}"
        if atol is None:
            bad = np.flatnonzero(actual.bits != expected.bits)
        else:
            ok = np.isclose(actual.values, expected.values, rtol=atol, atol=atol)
            bad = np.flatnonzero(~ok)
        assert not bad.size, (
            f"{where}: {bad.size} of {expected.bits.size} elements differ; first at flat index "
            f"{bad[0]}: torch {expected.show(bad[0])}, jtorch {actual.show(bad[0])}"
        )
    elif isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: torch gave a dict, jtorch {actual!r}"
        assert list(actual) == list(expected), f"{where}: keys {list(actual)} != {list(expected)}"
        for k in expected:
            _check(actual[k], expected[k], f"{where}[{k!r}]", atol)
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: torch gave a sequence, jtorch {actual!r}"
        assert len(actual) == len(expected), f"{where}: length {len(actual)} != {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            _check(a, e, f"{where}[{i}]", atol)
    else:
        assert actual == expected, f"{where}: torch {expected}, jtorch {actual}"


def _position(state):
    """``left`` and ``next`` of a state: how far the engine is into its 624 words."""
    left, _, nxt = np.frombuffer(state[8:24].tobytes(), dtype="<i4, <i4, <u8")[0]
    return f"left={left} next={nxt}"


def _check_state(actual, expected, where="default generator state"):
    a, e = actual.bits, expected.bits
    assert a.shape == e.shape, f"{where}: {a.size} bytes, torch has {e.size}"
    bad = np.flatnonzero(a != e)
    if bad.size:
        field = [name for start, name in STATE_FIELDS if start <= bad[0]][-1]
        raise AssertionError(
            f"{where}: {bad.size} bytes differ, first at byte {bad[0]} ({field}); "
            f"torch {_position(e)}, jtorch {_position(a)}"
        )


def _run(fn, seed):
    """``{lib: (canonical fn(lib) after lib.manual_seed(seed), canonical state)}``, torch first."""
    got = {}
    for lib in (torch, jtorch):
        lib.manual_seed(seed)
        out = _canon(fn(lib))
        got[lib] = (out, _canon(lib.get_rng_state()))
    return got


def bits(fn, seed=0, atol=None):
    """``fn(lib)`` after ``lib.manual_seed(seed)``: jtorch's outputs equal torch's bit for bit
    (or within ``atol``), and so does the default generator's state afterwards."""
    got = _run(fn, seed)
    _check(got[jtorch][0], got[torch][0], "output", atol)
    _check_state(got[jtorch][1], got[torch][1])


def dt(L, name):
    return getattr(L, name)


def tensor(L, values, dtype="float32"):
    """Exact host values as a tensor of ``lib``."""
    return L.tensor(np.asarray(values, dtype=np.float64)).to(dt(L, dtype))


def means(L, n, dtype="float32"):
    return tensor(L, np.arange(n) * 0.25 - 1, dtype)


def stds(L, n, dtype="float32"):
    return tensor(L, 1 + np.arange(n) * 0.125, dtype)


def probs(L, n, dtype="float32"):
    """Probabilities 0, 0.1, ..., 1 in turn."""
    return tensor(L, (np.arange(n) % 11) / 10, dtype)


def weights(L, shape, dtype="float32"):
    return tensor(L, 1 + np.arange(math.prod(shape)) % 5, dtype).reshape(shape)


# ---- seeding and the uniform family -----------------------------------------------------------

PER_SEED = {
    "initial_seed": lambda L: L.initial_seed(),
    "rand": lambda L: L.rand(17),
    "randn_path_S": lambda L: L.randn(7),
    "randn_path_F": lambda L: L.randn(17),
    "randint_2_40": lambda L: L.randint(0, 2**40, (5,)),
    "randperm": lambda L: L.randperm(17),
}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", PER_SEED)
def test_seeds(name, seed):
    bits(PER_SEED[name], seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_state_right_after_seeding(seed):
    bits(lambda L: [], seed)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", SIZES)
def test_rand(n, dtype):
    bits(lambda L: L.rand(n, dtype=dt(L, dtype)), seed=42)


BOUNDS = ((0.0, 1.0), (-2.0, 3.5), (-1 / math.sqrt(20), 1 / math.sqrt(20)))


@pytest.mark.parametrize("n", (7, 1000))
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("low, high", BOUNDS, ids=("0_1", "-2_3.5", "pm_1_over_sqrt20"))
def test_uniform_(low, high, dtype, n):
    bits(lambda L: L.empty(n, dtype=dt(L, dtype)).uniform_(low, high), seed=1)


# ---- the normal family ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", (*SIZES, 31, 33))
def test_randn(n, dtype):
    bits(lambda L: L.randn(n, dtype=dt(L, dtype)), seed=0)


@pytest.mark.parametrize("n", (7, 17, 31, 1000))
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("mean, std", ((0.5, 0.02), (-3.0, 7.5)))
def test_normal_(mean, std, dtype, n):
    bits(lambda L: L.empty(n, dtype=dt(L, dtype)).normal_(mean, std), seed=12345678901234)


def _normal_out(L, n, *args):
    out = L.empty(n)
    L.normal(*args, out=out)
    return out


NORMAL = {
    "float_float_size": lambda L, n: L.normal(0.5, 2.0, size=(n,)),
    "float_float_size_float64": lambda L, n: L.normal(0.5, 2.0, (n,), dtype=L.float64),
    "tensor_tensor": lambda L, n: L.normal(means(L, n), stds(L, n)),
    "tensor_tensor_float64": lambda L, n: L.normal(means(L, n, "float64"), stds(L, n, "float64")),
    "tensor_tensor_2d": lambda L, n: L.normal(means(L, 3 * n).reshape(3, n), stds(L, n)),
    "tensor_float": lambda L, n: L.normal(means(L, n), 2.0),
    "float_tensor": lambda L, n: L.normal(0.5, stds(L, n)),
    "float_float_out": lambda L, n: L.normal(0.5, 2.0, (n,), out=L.empty(n)),
    "tensor_tensor_out": lambda L, n: _normal_out(L, n, means(L, n), stds(L, n)),
    "tensor_float_out": lambda L, n: _normal_out(L, n, means(L, n), 2.0),
    "float_tensor_out": lambda L, n: _normal_out(L, n, 0.5, stds(L, n)),
}


@pytest.mark.parametrize("n", (7, 1000))
@pytest.mark.parametrize("name", NORMAL)
def test_normal_overloads(name, n):
    bits(lambda L: NORMAL[name](L, n), seed=42)


def _reseeded(L, seed):
    L.manual_seed(seed)
    return L


INTERLEAVED = {
    # randn(7) leaves one Box-Muller sample cached; randn(3) starts with it; a randn of 16 or
    # more (path F) neither reads nor writes it.
    "issue_sequence": lambda L: [L.randn(7), L.randn(3), L.rand(5), L.randn(20), L.randn(1)],
    "path_F_keeps_cache": lambda L: [L.randn(7), L.randn(16), L.randn(100), L.randn(1)],
    "cache_shared_by_dtypes": lambda L: [
        L.randn(1, dtype=d) for d in (L.float64, L.half, L.bfloat16)
    ],
    "normal_then_randn": lambda L: [L.empty(3).normal_(2.0, 3.0), L.randn(2), L.randn(1)],
    "manual_seed_clears_cache": lambda L: [L.randn(7), _reseeded(L, 5).randn(1)],
    "mixed": lambda L: [L.rand(3), L.randint(0, 10, (4,)), L.randn(5), L.randperm(6), L.randn(33)],
    "mixed_float64": lambda L: [L.rand(2, dtype=L.float64), L.randn(3, dtype=L.float64), L.rand(1)],
    "like": lambda L: [
        L.rand_like(L.empty(7, dtype=L.float64)),
        L.randn_like(L.empty(17)),
        L.randn_like(L.empty(3)),
        L.randint_like(L.empty(5), 10),
        L.randint_like(L.empty(5, dtype=L.int32), -3, 10),
    ],
}


@pytest.mark.parametrize("name", INTERLEAVED)
def test_interleaved(name):
    bits(INTERLEAVED[name], seed=1)


def _slice_fill(L, fill):
    x = L.zeros(4, 10)
    fill(x[:, ::2])
    return x


NONCONTIGUOUS = {
    "t_uniform_": lambda L: L.empty(8, 6).t().uniform_(),
    "t_uniform_bounds": lambda L: L.empty(8, 6, dtype=L.float64).t().uniform_(-2, 3.5),
    "t_normal_": lambda L: L.empty(8, 6).t().normal_(),
    "t_normal_mean_std": lambda L: L.empty(8, 6).t().normal_(0.5, 0.02),
    "t_normal_float64": lambda L: L.empty(8, 6, dtype=L.float64).t().normal_(-3, 7.5),
    "t_normal_large": lambda L: L.empty(40, 30).t().normal_(),
    "t_exponential_": lambda L: L.empty(8, 6).t().exponential_(),
    "t_bernoulli_": lambda L: L.empty(8, 6).t().bernoulli_(0.3),
    "t_random_": lambda L: L.empty(8, 6, dtype=L.int64).t().random_(0, 10),
    "slice_normal_": lambda L: _slice_fill(L, lambda v: v.normal_()),
    "slice_uniform_": lambda L: _slice_fill(L, lambda v: v.uniform_(-2, 3.5)),
}


@pytest.mark.parametrize("name", NONCONTIGUOUS)
def test_noncontiguous_fills(name):
    bits(NONCONTIGUOUS[name], seed=0)


BIG = {
    "rand": lambda L: L.rand(100003),
    "randn": lambda L: L.randn(100003),
    "randn_float64": lambda L: L.randn(100003, dtype=L.float64),
    "randn_float16": lambda L: L.randn(100003, dtype=L.float16),
    "uniform_": lambda L: L.empty(100003).uniform_(-2, 3.5),
    "randperm": lambda L: L.randperm(100003),
}


@pytest.mark.parametrize("name", BIG)
def test_large(name):
    bits(BIG[name], seed=2**32 + 5)


# ---- integers ---------------------------------------------------------------------------------

# torch draws one 32-bit word per value below a range of 2**28 and two (one u64) from there on.
RANGES = [(0, 10), (-7, 22), (-(2**24), 2**24), (0, 2**28 - 1), (0, 2**28), (-(2**30), 2**30)]
RANGES += [(0, 2**32 - 1), (0, 2**32), (0, 2**40), (-(2**40), 2**40), (-(2**62), 2**62)]
INT_DTYPES = {"int64": 2**63, "int32": 2**31, "float32": 2**24, "float64": 2**53}
RANDINT = [
    (low, high, d)
    for low, high in RANGES
    for d, limit in INT_DTYPES.items()
    if -limit <= low and high - 1 <= limit
] + [(0, 2**28, "float32")]  # past float32's exact range: torch warns and still draws


@pytest.mark.parametrize("low, high, dtype", RANDINT)
def test_randint(low, high, dtype):
    bits(lambda L: L.randint(low, high, (17,), dtype=dt(L, dtype)), seed=42)


RANDINT_CALLS = {
    "high_only": lambda L: L.randint(5, (7,)),
    "size_2d": lambda L: L.randint(-3, 3, (3, 4)),
    "keywords": lambda L: L.randint(low=2, high=2**30, size=(6,)),
    "out": lambda L: L.randint(0, 100, (7,), out=L.empty(7, dtype=L.int64)),
}


@pytest.mark.parametrize("name", RANDINT_CALLS)
def test_randint_calls(name):
    bits(RANDINT_CALLS[name], seed=1)


RANDOM_DTYPES = ("int64", "int32", "int16", "int8", "uint8", "bool", *FLOATS)


@pytest.mark.parametrize("dtype", RANDOM_DTYPES)
def test_random_no_bounds(dtype):
    bits(lambda L: L.empty(17, dtype=dt(L, dtype)).random_(), seed=0)


RANDOM_BOUNDS = {
    "int64_to": ("int64", (10,)),
    "int64_from_to": ("int64", (-5, 2**40)),
    "int64_from_none": ("int64", (5, None)),
    "int32_to": ("int32", (1000,)),
    "int32_from_to": ("int32", (-5, 100)),
    "int32_from_none": ("int32", (-5, None)),
    "float32_to": ("float32", (100,)),
    "float32_from_to": ("float32", (-5, 100)),
    "float64_from_to": ("float64", (-(2**40), 2**40)),
    "bool_to": ("bool", (2,)),
    "bool_from_to": ("bool", (0, 2)),
}


@pytest.mark.parametrize("name", RANDOM_BOUNDS)
def test_random_bounds(name):
    dtype, args = RANDOM_BOUNDS[name]
    bits(lambda L: L.empty(17, dtype=dt(L, dtype)).random_(*args), seed=0)


@pytest.mark.parametrize("n", (0, *SIZES))
def test_randperm(n):
    bits(lambda L: L.randperm(n), seed=42)


@pytest.mark.parametrize("dtype", ("int32", "float32", "float64"))
def test_randperm_dtypes(dtype):
    bits(lambda L: L.randperm(17, dtype=dt(L, dtype)), seed=1)


# ---- bernoulli, exponential, multinomial -------------------------------------------------------


@pytest.mark.parametrize("n", (7, 1000))
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("lambd", (1.0, 2.5))
def test_exponential_(lambd, dtype, n):
    bits(lambda L: L.empty(n, dtype=dt(L, dtype)).exponential_(lambd), seed=0)


BERNOULLI = {
    "tensor_p": lambda L, d, n: L.bernoulli(probs(L, n, d)),
    "tensor_p_method": lambda L, d, n: probs(L, n, d).bernoulli(),
    "float_p": lambda L, d, n: L.bernoulli(L.empty(n, dtype=dt(L, d)), p=0.3),
    "bernoulli_float": lambda L, d, n: L.empty(n, dtype=dt(L, d)).bernoulli_(0.3),
    "bernoulli_default": lambda L, d, n: L.empty(n, dtype=dt(L, d)).bernoulli_(),
    "bernoulli_tensor": lambda L, d, n: L.empty(n, dtype=dt(L, d)).bernoulli_(probs(L, n)),
    "bernoulli_tensor_float64": lambda L, d, n: L.empty(n, dtype=dt(L, d)).bernoulli_(
        probs(L, n, "float64")
    ),
}


@pytest.mark.parametrize("n", (7, 1000))
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", BERNOULLI)
def test_bernoulli(name, dtype, n):
    bits(lambda L: BERNOULLI[name](L, dtype, n), seed=1)


@pytest.mark.parametrize("dtype", ("int64", "bool", "uint8"))
def test_bernoulli_integer_outputs(dtype):
    bits(lambda L: [L.empty(17, dtype=dt(L, dtype)).bernoulli_(0.5), L.bernoulli(probs(L, 9))])


MULTINOMIAL = [
    (shape, k, replacement)
    for shape in ((7,), (1000,), (3, 7))
    for k, replacement in ((1, False), (1, True), (4, False), (4, True))
] + [((7,), 20, True), ((2, 5), 5, False)]


@pytest.mark.parametrize("dtype", ("float32", "float64"))
@pytest.mark.parametrize("shape, k, replacement", MULTINOMIAL, ids=str)
def test_multinomial(shape, k, replacement, dtype):
    bits(lambda L: L.multinomial(weights(L, shape, dtype), k, replacement), seed=0)


# ---- dropout ----------------------------------------------------------------------------------


def _x(L, *shape, dtype="float32", requires_grad=False):
    n = math.prod(shape)
    x = tensor(L, np.arange(n) - n // 2 + 0.5, dtype).reshape(shape)
    return x.requires_grad_(requires_grad)


@pytest.mark.parametrize("n", (7, 1000))
@pytest.mark.parametrize("p", (0.1, 0.5, 0.9))
def test_dropout(p, n):
    bits(lambda L: L.nn.functional.dropout(_x(L, n), p, training=True), seed=0)


def _inplace_dropout(L):
    x = _x(L, 17)
    L.nn.functional.dropout(x, 0.5, True, inplace=True)
    return x


DROPOUT = {
    "float64": lambda L: L.nn.functional.dropout(_x(L, 17, dtype="float64"), 0.3),
    "requires_grad": lambda L: L.nn.functional.dropout(_x(L, 17, requires_grad=True), 0.3),
    "inplace": _inplace_dropout,
    "eval_draws_nothing": lambda L: L.nn.functional.dropout(_x(L, 17), 0.5, training=False),
    "module": lambda L: L.nn.Dropout(0.5)(_x(L, 4, 5)),
    "module_eval": lambda L: L.nn.Dropout(0.5).eval()(_x(L, 4, 5)),
    "dropout1d": lambda L: L.nn.functional.dropout1d(_x(L, 2, 3, 5), 0.5),
    "dropout2d": lambda L: L.nn.functional.dropout2d(_x(L, 2, 3, 4, 4), 0.5),
    "dropout2d_module": lambda L: L.nn.Dropout2d(0.25)(_x(L, 4, 8, 2, 2)),
    "dropout3d": lambda L: L.nn.functional.dropout3d(_x(L, 2, 3, 2, 2, 2), 0.5),
    "alpha_dropout": lambda L: L.nn.functional.alpha_dropout(_x(L, 1000), 0.5, training=True),
    "alpha_dropout_module": lambda L: L.nn.AlphaDropout(0.2)(_x(L, 4, 5)),
    "feature_alpha_dropout": lambda L: L.nn.functional.feature_alpha_dropout(
        _x(L, 2, 3, 4, 4), 0.5, training=True
    ),
}


@pytest.mark.parametrize("name", DROPOUT)
def test_dropout_variants(name):
    bits(DROPOUT[name], seed=42)


# ---- nn.init and default layer initialisation --------------------------------------------------

INIT = {
    "uniform_": lambda init, w: init.uniform_(w),
    "uniform_bounds": lambda init, w: init.uniform_(w, -0.3, 0.7),
    "normal_": lambda init, w: init.normal_(w),
    "normal_mean_std": lambda init, w: init.normal_(w, 0.5, 0.02),
    "xavier_uniform_": lambda init, w: init.xavier_uniform_(w),
    "xavier_uniform_gain": lambda init, w: init.xavier_uniform_(
        w, gain=init.calculate_gain("relu")
    ),
    "xavier_normal_": lambda init, w: init.xavier_normal_(w),
    "kaiming_uniform_": lambda init, w: init.kaiming_uniform_(w),
    "kaiming_uniform_linear_default": lambda init, w: init.kaiming_uniform_(w, a=math.sqrt(5)),
    "kaiming_uniform_fan_out": lambda init, w: init.kaiming_uniform_(
        w, mode="fan_out", nonlinearity="relu"
    ),
    "kaiming_normal_": lambda init, w: init.kaiming_normal_(w),
    "kaiming_normal_fan_out": lambda init, w: init.kaiming_normal_(
        w, mode="fan_out", nonlinearity="relu"
    ),
}
INIT_SHAPES = ((30, 20), (16, 3, 3, 3), (3, 4))


@pytest.mark.parametrize("shape", INIT_SHAPES, ids=str)
@pytest.mark.parametrize("name", INIT)
def test_init(name, shape):
    bits(lambda L: INIT[name](L.nn.init, L.empty(shape)), seed=0)


TRUNC_NORMAL = {
    "default": lambda init, w: init.trunc_normal_(w),
    "mean_std_bounds": lambda init, w: init.trunc_normal_(w, mean=0.5, std=0.02, a=0.46, b=0.54),
    "asymmetric": lambda init, w: init.trunc_normal_(w, a=-0.5, b=3.0),
}


@pytest.mark.parametrize("shape", ((30, 20), (3, 4)), ids=str)
@pytest.mark.parametrize("name", TRUNC_NORMAL)
def test_trunc_normal_(name, shape):
    """Uniforms bit for bit, then torch's erfinv: values within 1e-6, draws exact."""
    bits(lambda L: TRUNC_NORMAL[name](L.nn.init, L.empty(shape)), seed=0, atol=1e-6)


def _orthonormal(w):
    """``w``'s rows (or columns, whichever are fewer) are orthonormal."""
    q = w.values.reshape(w.shape[0], -1).astype(np.float64)
    q = q if q.shape[0] >= q.shape[1] else q.T
    return np.allclose(q.T @ q, np.eye(q.shape[1]), atol=1e-5)


@pytest.mark.parametrize("shape", ((30, 20), (20, 30), (4, 3, 3), (5, 5)), ids=str)
def test_orthogonal_(shape):
    """Normals bit for bit, then LAPACK's QR with the signs of R's diagonal folded into Q, which
    makes Q unique whatever sign convention the QR uses: values within 1e-5, draws exact."""
    got = _run(lambda L: L.nn.init.orthogonal_(L.empty(shape)), seed=0)
    assert _orthonormal(got[torch][0]) and _orthonormal(got[jtorch][0])
    _check(got[jtorch][0], got[torch][0], "output", atol=1e-5)
    _check_state(got[jtorch][1], got[torch][1])


LAYERS = {
    "Linear": lambda nn: nn.Linear(20, 30),
    "Linear_small": lambda nn: nn.Linear(3, 2),
    "Linear_no_bias": lambda nn: nn.Linear(5, 4, bias=False),
    "Conv1d": lambda nn: nn.Conv1d(2, 4, 5),
    "Conv2d": lambda nn: nn.Conv2d(3, 8, 3),
    "Embedding": lambda nn: nn.Embedding(10, 4),
    "Embedding_path_S": lambda nn: nn.Embedding(3, 4),
    "Embedding_padding_idx": lambda nn: nn.Embedding(10, 4, padding_idx=0),
    "LSTM": lambda nn: nn.LSTM(5, 7, num_layers=2),
    "GRU": lambda nn: nn.GRU(3, 4, bidirectional=True),
    "BatchNorm2d": lambda nn: nn.BatchNorm2d(4),
    "LayerNorm": lambda nn: nn.LayerNorm(5),
    "MultiheadAttention": lambda nn: nn.MultiheadAttention(8, 2),
    "Sequential": lambda nn: nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)),
}


@pytest.mark.parametrize("name", LAYERS)
def test_default_initialisation(name):
    """Every parameter and buffer, in state_dict order."""
    bits(lambda L: dict(LAYERS[name](L.nn).state_dict()), seed=0)


# ---- samplers, DataLoader, random_split --------------------------------------------------------


def _epochs(L, make, gen_seed=None):
    """Two passes over ``make(data, generator)``, with a fresh Generator when ``gen_seed``."""
    g = None if gen_seed is None else L.Generator().manual_seed(gen_seed)
    it = make(L.utils.data, g)
    return [list(it), list(it)]


SAMPLING = {
    "RandomSampler": lambda D, g: D.RandomSampler(range(10), generator=g),
    "RandomSampler_replacement": lambda D, g: D.RandomSampler(
        range(10), replacement=True, num_samples=25, generator=g
    ),
    "RandomSampler_num_samples": lambda D, g: D.RandomSampler(
        range(10), num_samples=25, generator=g
    ),
    "SubsetRandomSampler": lambda D, g: D.SubsetRandomSampler([5, 3, 9, 1, 0], generator=g),
    "WeightedRandomSampler": lambda D, g: D.WeightedRandomSampler(
        [0.1, 0.2, 0.3, 0.4], 10, generator=g
    ),
    "WeightedRandomSampler_no_replacement": lambda D, g: D.WeightedRandomSampler(
        [0.1, 0.2, 0.3, 0.4], 3, replacement=False, generator=g
    ),
    "DataLoader_shuffle": lambda D, g: D.DataLoader(
        range(10), batch_size=3, shuffle=True, generator=g
    ),
    "DataLoader_num_workers_0": lambda D, g: D.DataLoader(
        range(20), batch_size=4, shuffle=True, num_workers=0, drop_last=True, generator=g
    ),
    "DataLoader_sampler": lambda D, g: D.DataLoader(
        range(12), batch_size=5, sampler=D.RandomSampler(range(12), generator=g)
    ),
}


@pytest.mark.parametrize("gen_seed", (None, 7), ids=("default", "generator"))
@pytest.mark.parametrize("name", SAMPLING)
def test_sampling_order(name, gen_seed):
    bits(lambda L: _epochs(L, SAMPLING[name], gen_seed), seed=3)


SPLITS = {
    "lengths": (range(10), [3, 7]),
    "fractions": (range(10), [0.3, 0.7]),
    "three_fractions": (range(30), [0.3, 0.3, 0.4]),
    "uneven_fractions": (range(7), [0.5, 0.5]),
}


@pytest.mark.parametrize("gen_seed", (None, 42), ids=("default", "generator"))
@pytest.mark.parametrize("name", SPLITS)
def test_random_split(name, gen_seed):
    data, lengths = SPLITS[name]

    def f(L):
        g = L.default_generator if gen_seed is None else L.Generator().manual_seed(gen_seed)
        return [list(s) for s in L.utils.data.random_split(data, lengths, generator=g)]

    bits(f, seed=5)


# ---- torch.Generator objects ------------------------------------------------------------------

GENERATOR_CALLS = {
    "rand": lambda L, g: L.rand(5, generator=g),
    "rand_float64": lambda L, g: L.rand(5, generator=g, dtype=L.float64),
    "randn_path_S": lambda L, g: L.randn(7, generator=g),
    "randn_path_F": lambda L, g: L.randn(20, generator=g),
    "randint": lambda L, g: L.randint(-3, 2**40, (5,), generator=g),
    "randperm": lambda L, g: L.randperm(17, generator=g),
    "normal_float_float": lambda L, g: L.normal(0.5, 2.0, (7,), generator=g),
    "normal_tensor_tensor": lambda L, g: L.normal(means(L, 7), stds(L, 7), generator=g),
    "normal_tensor_float": lambda L, g: L.normal(means(L, 17), 2.0, generator=g),
    "normal_float_tensor": lambda L, g: L.normal(0.5, stds(L, 7), generator=g),
    "uniform_": lambda L, g: L.empty(7).uniform_(-2, 3.5, generator=g),
    "normal_": lambda L, g: L.empty(7).normal_(0.5, 0.02, generator=g),
    "exponential_": lambda L, g: L.empty(7).exponential_(generator=g),
    "random_": lambda L, g: L.empty(7, dtype=L.int64).random_(generator=g),
    "random_bounds": lambda L, g: L.empty(7, dtype=L.int32).random_(-5, 100, generator=g),
    "bernoulli": lambda L, g: L.bernoulli(probs(L, 7), generator=g),
    "bernoulli_float": lambda L, g: L.empty(7).bernoulli_(0.3, generator=g),
    "multinomial": lambda L, g: L.multinomial(weights(L, (7,)), 3, generator=g),
    "multinomial_replacement": lambda L, g: L.multinomial(weights(L, (7,)), 3, True, generator=g),
    "init_uniform_": lambda L, g: L.nn.init.uniform_(L.empty(3, 4), generator=g),
    "init_normal_": lambda L, g: L.nn.init.normal_(L.empty(30, 20), generator=g),
    "init_xavier_uniform_": lambda L, g: L.nn.init.xavier_uniform_(L.empty(3, 4), generator=g),
    "init_xavier_normal_": lambda L, g: L.nn.init.xavier_normal_(L.empty(3, 4), generator=g),
    "init_kaiming_uniform_": lambda L, g: L.nn.init.kaiming_uniform_(L.empty(3, 4), generator=g),
    "init_kaiming_normal_": lambda L, g: L.nn.init.kaiming_normal_(L.empty(30, 20), generator=g),
}


@pytest.mark.parametrize("name", GENERATOR_CALLS)
def test_generator_argument(name):
    """Two calls on a seeded Generator, its state, and the default stream, which the calls leave
    untouched (the default state is compared too)."""

    def f(L):
        g = L.Generator().manual_seed(11)
        call = GENERATOR_CALLS[name]
        return [call(L, g), call(L, g), g.get_state(), g.initial_seed(), L.rand(3)]

    bits(f, seed=0)


GENERATORS = {
    "default_seed": lambda L: [L.Generator().initial_seed(), L.Generator().get_state()],
    "default_seed_draws": lambda L: L.rand(5, generator=L.Generator()),
    "manual_seed": lambda L: L.Generator().manual_seed(3).get_state(),
    "manual_seed_negative": lambda L: L.Generator().manual_seed(-1).get_state(),
    "manual_seed_huge": lambda L: L.Generator().manual_seed(2**63 + 5).get_state(),
    "normal_cache_is_per_generator": lambda L: _cache_per_generator(L),
    "default_generator_is_the_default": lambda L: [
        L.default_generator.manual_seed(9).initial_seed(),
        L.rand(3),
        L.default_generator.get_state(),
    ],
    "get_set_state": lambda L: _generator_state_round_trip(L),
}


def _cache_per_generator(L):
    g = L.Generator().manual_seed(4)
    return [L.randn(7, generator=g), L.randn(1), L.randn(1, generator=g), g.get_state()]


def _generator_state_round_trip(L):
    g = L.Generator().manual_seed(5)
    L.randn(7, generator=g)  # leaves a cached sample in g's state
    state = g.get_state()
    a = [L.randn(5, generator=g), L.rand(3, generator=g)]
    h = L.Generator()
    h.set_state(state)
    b = [L.randn(5, generator=h), L.rand(3, generator=h)]
    return [state, a, b, h.get_state(), h.initial_seed()]


@pytest.mark.parametrize("name", GENERATORS)
def test_generators(name):
    bits(GENERATORS[name], seed=0)


# ---- get_rng_state / set_rng_state ------------------------------------------------------------


def _restore_mid_stream(L):
    L.randn(7)  # one normal sample cached
    state = L.get_rng_state()
    a = [L.randn(5), L.rand(3), L.randn(20)]
    L.set_rng_state(state)
    b = [L.randn(5), L.rand(3), L.randn(20)]
    return [state, a, b]


def _restore_older(L):
    state = L.get_rng_state()
    L.rand(1000)
    L.set_rng_state(state)
    return [L.rand(3), L.initial_seed()]


def _reseed_then_draw(L):
    L.randn(7)
    L.manual_seed(8)
    return [L.get_rng_state(), L.randn(1), L.initial_seed()]


STATES = {
    "after_randn_7": lambda L: [L.randn(7), L.get_rng_state()],
    "after_700_words": lambda L: [L.rand(700), L.get_rng_state()],
    "after_path_F": lambda L: [L.randn(7), L.randn(1000, dtype=L.float64), L.get_rng_state()],
    "restore_mid_stream": _restore_mid_stream,
    "restore_older": _restore_older,
    "reseed_clears_cache": _reseed_then_draw,
    "initial_seed_after_draws": lambda L: [L.rand(10), L.initial_seed()],
}


@pytest.mark.parametrize("name", STATES)
def test_rng_state(name):
    bits(STATES[name], seed=12345678901234)


def _torch_state(seed, draws):
    torch.manual_seed(seed)
    draws(torch)
    return torch.get_rng_state().numpy().copy()


FOREIGN_STATES = {
    "seeded": lambda: _torch_state(2**32 + 5, lambda L: None),
    "cached_normal": lambda: _torch_state(1, lambda L: L.randn(7)),
    "mid_words": lambda: _torch_state(42, lambda L: L.rand(700)),
    "last_word": lambda: _torch_state(0, lambda L: L.rand(623)),
}


@pytest.mark.parametrize("name", FOREIGN_STATES)
def test_set_rng_state_from_torch(name):
    """A state saved by torch, loaded into each library, continues the same stream."""
    state = FOREIGN_STATES[name]()

    def f(L):
        L.set_rng_state(L.tensor(state))
        return [L.get_rng_state(), L.randn(5), L.rand(3), L.randn(17), L.initial_seed()]

    bits(f, seed=0)


def test_state_keeps_float_normal_cache():
    """The float normal sample slot (unused by torch's CPU kernels) survives a round trip."""
    state = _torch_state(3, lambda L: L.randn(7))
    state[5048:5052] = np.frombuffer(np.float32(1.5).tobytes(), np.uint8)
    state[5052] = 1
    bits(lambda L: [L.set_rng_state(L.tensor(state)), L.get_rng_state()][1])


def _state_with(left=None, nxt=None, seeded=None):
    state = _torch_state(0, lambda L: L.rand(5))
    for offset, value in ((8, left), (12, seeded), (16, nxt)):
        if value is not None:
            fmt = "<u8" if offset == 16 else "<i4"
            width = np.dtype(fmt).itemsize
            state[offset : offset + width] = np.frombuffer(np.array(value, fmt).tobytes(), np.uint8)
    return state


ERRORS = {
    "wrong_size": lambda L: L.set_rng_state(L.zeros(10, dtype=L.uint8)),
    "wrong_dtype": lambda L: L.set_rng_state(L.zeros(5056)),
    "all_zero": lambda L: L.set_rng_state(L.zeros(5056, dtype=L.uint8)),
    "left_zero": lambda L: L.set_rng_state(L.tensor(_state_with(left=0))),
    "left_too_big": lambda L: L.set_rng_state(L.tensor(_state_with(left=625))),
    "next_too_big": lambda L: L.set_rng_state(L.tensor(_state_with(nxt=625))),
    "not_seeded": lambda L: L.set_rng_state(L.tensor(_state_with(seeded=0))),
    "generator_wrong_size": lambda L: L.Generator().set_state(L.zeros(7, dtype=L.uint8)),
    "manual_seed_too_big": lambda L: L.manual_seed(2**64 + 1),
    "manual_seed_too_negative": lambda L: L.manual_seed(-(2**63) - 1),
    "generator_manual_seed_too_big": lambda L: L.Generator().manual_seed(2**64),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name):
    same_outcome(ERRORS[name])
