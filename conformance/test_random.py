"""Random sampling against real torch: speaks about jtorch/_random.py and jtorch/_ops/random.py.

What must hold for any stream: shapes, dtypes, devices, requires_grad and grad_fn, ranges,
reproducibility under a seed, generator independence and state round trips, and the moments of
~1e5 draws. Error types (and messages where jtorch can match them) are compared with torch call
by call. The CPU streams' bits are compared with torch's in test_rng_bits.py; the accelerator
stream (jax's threefry, which no CPU tensor uses) is checked here through its sampling
interface, so that it is tested on machines without a GPU.
"""

import math

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import same

pytestmark = pytest.mark.filterwarnings("ignore:.*out of bounds")


def meta(r):
    """What a random result must share with torch's: structure, not values."""
    if isinstance(r, (tuple, list)):
        return tuple(meta(x) for x in r)
    if isinstance(r, (torch.Tensor, jtorch.Tensor)):
        gf = r.grad_fn
        return (
            tuple(r.shape),
            str(r.dtype),
            r.requires_grad,
            str(r.device),
            gf.name() if gf is not None else None,
        )
    return r


def same_meta(fn):
    """Compare ``meta(fn(lib))`` between torch and jtorch (exception types when torch raises)."""
    return same(lambda lib: meta(fn(lib)))


# ---- calls: shapes, dtypes, flags and errors --------------------------------------------------------

CALLS = {
    "rand": lambda L: L.rand(2, 3),
    "rand_tuple": lambda L: L.rand((2, 3)),
    "rand_size_keyword": lambda L: L.rand(size=(2, 3)),
    "rand_zero_dim": lambda L: L.rand(()),
    "rand_empty": lambda L: L.rand(0, 3),
    "rand_float64": lambda L: L.rand(2, dtype=L.float64),
    "rand_float16": lambda L: L.rand(2, dtype=L.float16),
    "rand_bfloat16": lambda L: L.rand(2, dtype=L.bfloat16),
    "rand_complex64": lambda L: L.rand(2, dtype=L.complex64),
    "rand_int64": lambda L: L.rand(2, dtype=L.int64),
    "rand_bool": lambda L: L.rand(2, dtype=L.bool),
    "rand_requires_grad": lambda L: L.rand(2, requires_grad=True),
    "rand_negative": lambda L: L.rand(-1),
    "rand_generator": lambda L: L.rand(2, generator=L.Generator().manual_seed(0)),
    "rand_bad_generator": lambda L: L.rand(2, generator=3),
    "rand_out": lambda L: L.rand(2, out=L.empty(0)),
    "rand_out_float64": lambda L: L.rand(2, out=L.empty(0, dtype=L.float64)),
    "randn": lambda L: L.randn(2, 3),
    "randn_int64": lambda L: L.randn(2, dtype=L.int64),
    "randn_complex64": lambda L: L.randn(2, dtype=L.complex64),
    "randn_out": lambda L: L.randn(3, out=L.empty(1)),
    "randint_high": lambda L: L.randint(10, (3,)),
    "randint_low_high": lambda L: L.randint(2, 10, (3,)),
    "randint_size_keyword": lambda L: L.randint(10, size=(3,)),
    "randint_keywords": lambda L: L.randint(low=2, high=10, size=(3,)),
    "randint_empty_range": lambda L: L.randint(3, 2, (2,)),
    "randint_equal_bounds": lambda L: L.randint(3, 3, (2,)),
    "randint_int_size": lambda L: L.randint(10, 3),
    "randint_no_size": lambda L: L.randint(10),
    "randint_float32": lambda L: L.randint(10, (3,), dtype=L.float32),
    "randint_bool": lambda L: L.randint(2, (3,), dtype=L.bool),
    "randint_bool_too_high": lambda L: L.randint(3, (3,), dtype=L.bool),
    "randint_uint8_too_high": lambda L: L.randint(300, (3,), dtype=L.uint8),
    "randint_uint8_negative": lambda L: L.randint(-1, 3, (3,), dtype=L.uint8),
    "randint_int8_low": lambda L: L.randint(-129, 0, (2,), dtype=L.int8),
    "randint_int32_high": lambda L: L.randint(0, 2**31 + 1, (2,), dtype=L.int32),
    "randint_int64_huge": lambda L: L.randint(0, 2**63 - 1, (3,)),
    "randint_float_bounds": lambda L: L.randint(0.5, 10.5, (3,)),
    "randint_requires_grad": lambda L: L.randint(10, (3,), requires_grad=True),
    "randint_float_requires_grad": lambda L: L.randint(
        10, (3,), dtype=L.float32, requires_grad=True
    ),
    "randint_tensor_high": lambda L: L.randint(L.tensor(10), (3,)),
    "randint_complex": lambda L: L.randint(10, (3,), dtype=L.complex64),
    "randint_out": lambda L: L.randint(10, (3,), out=L.empty(0, dtype=L.int32)),
    "randperm": lambda L: L.randperm(5),
    "randperm_zero": lambda L: L.randperm(0),
    "randperm_negative": lambda L: L.randperm(-1),
    "randperm_float32": lambda L: L.randperm(5, dtype=L.float32),
    "randperm_int32": lambda L: L.randperm(5, dtype=L.int32),
    "randperm_uint8_fits": lambda L: L.randperm(256, dtype=L.uint8),
    "randperm_uint8_too_big": lambda L: L.randperm(257, dtype=L.uint8),
    "randperm_float16_too_big": lambda L: L.randperm(2050, dtype=L.float16),
    "randperm_bool": lambda L: L.randperm(2, dtype=L.bool),
    "randperm_float_n": lambda L: L.randperm(5.0),
    "randperm_requires_grad": lambda L: L.randperm(5, dtype=L.float32, requires_grad=True),
    "normal_tensor_tensor": lambda L: L.normal(L.zeros(2, 3), L.ones(2, 3)),
    "normal_tensor_float": lambda L: L.normal(L.zeros(2, 3), 2.0),
    "normal_float_tensor": lambda L: L.normal(1.0, L.ones(3)),
    "normal_float_float": lambda L: L.normal(0.0, 1.0, (2, 3)),
    "normal_size_keyword": lambda L: L.normal(0.0, 1.0, size=(2, 3)),
    "normal_no_size": lambda L: L.normal(0.0, 1.0),
    "normal_float64": lambda L: L.normal(0.0, 1.0, (2,), dtype=L.float64),
    "normal_int_arguments": lambda L: L.normal(0, 1, (2,)),
    "normal_broadcast": lambda L: L.normal(L.zeros(2, 1), L.ones(3)),
    "normal_mismatch": lambda L: L.normal(L.zeros(2), L.ones(3)),
    "normal_negative_std": lambda L: L.normal(L.zeros(2), -1.0),
    "normal_negative_std_tensor": lambda L: L.normal(L.zeros(2), -L.ones(2)),
    "normal_negative_std_float": lambda L: L.normal(0.0, -1.0, (2,)),
    "normal_int_mean": lambda L: L.normal(L.zeros(2, dtype=L.int64), 1.0),
    "normal_float64_mean": lambda L: L.normal(L.zeros(2, dtype=L.float64), 1.0),
    "normal_mixed_dtypes": lambda L: L.normal(L.zeros(2, dtype=L.float64), L.ones(2)),
    "normal_mean_requires_grad": lambda L: L.normal(L.zeros(2, requires_grad=True), 1.0),
    "normal_std_requires_grad": lambda L: L.normal(0.0, L.ones(2, requires_grad=True)),
    "normal_both_require_grad": lambda L: L.normal(
        L.zeros(2, requires_grad=True), L.ones(2, requires_grad=True)
    ),
    "normal_float_requires_grad": lambda L: L.normal(0.0, 1.0, (2,), requires_grad=True),
    "normal_generator": lambda L: L.normal(L.zeros(2), 1.0, generator=L.Generator()),
    "normal_out": lambda L: L.normal(0.0, 1.0, (3,), out=L.empty(3, dtype=L.float64)),
    "bernoulli": lambda L: L.bernoulli(L.full((3,), 0.5)),
    "bernoulli_p": lambda L: L.bernoulli(L.zeros(3), 0.5),
    "bernoulli_p_tensor": lambda L: L.bernoulli(L.zeros(3), L.ones(3)),
    "bernoulli_int": lambda L: L.bernoulli(L.zeros(3, dtype=L.int64)),
    "bernoulli_out_of_range": lambda L: L.bernoulli(L.full((3,), 1.5)),
    "bernoulli_p_out_of_range": lambda L: L.bernoulli(L.zeros(3), 1.5),
    "bernoulli_nan": lambda L: L.bernoulli(L.full((3,), float("nan"))),
    "bernoulli_float64": lambda L: L.bernoulli(L.full((3,), 0.5, dtype=L.float64)),
    "bernoulli_requires_grad": lambda L: L.bernoulli(L.full((3,), 0.5, requires_grad=True)),
    "bernoulli_generator": lambda L: L.bernoulli(L.full((3,), 0.5), generator=L.Generator()),
    "bernoulli_method": lambda L: L.full((3,), 0.5).bernoulli(),
    "multinomial": lambda L: L.multinomial(L.tensor([0.2, 0.3, 0.5]), 2),
    "multinomial_replacement": lambda L: L.multinomial(
        L.tensor([0.2, 0.3, 0.5]), 5, replacement=True
    ),
    "multinomial_too_many": lambda L: L.multinomial(L.tensor([0.2, 0.3, 0.5]), 5),
    "multinomial_2d": lambda L: L.multinomial(L.tensor([[0.2, 0.3, 0.5], [1.0, 0, 0]]), 2),
    "multinomial_2d_replacement": lambda L: L.multinomial(
        L.tensor([[0.2, 0.3, 0.5], [1.0, 0, 0]]), 4, True
    ),
    "multinomial_3d": lambda L: L.multinomial(L.ones(2, 2, 2), 1),
    "multinomial_0d": lambda L: L.multinomial(L.tensor(1.0), 1),
    "multinomial_negative": lambda L: L.multinomial(L.tensor([-0.1, 1.1]), 1),
    "multinomial_zero_sum": lambda L: L.multinomial(L.tensor([0.0, 0.0]), 1),
    "multinomial_inf": lambda L: L.multinomial(L.tensor([float("inf"), 1.0]), 1),
    "multinomial_nan": lambda L: L.multinomial(L.tensor([float("nan"), 1.0]), 1),
    "multinomial_zero_samples": lambda L: L.multinomial(L.tensor([0.5, 0.5]), 0),
    "multinomial_int": lambda L: L.multinomial(L.tensor([1, 2]), 1),
    "multinomial_float64": lambda L: L.multinomial(L.tensor([1.0, 2], dtype=L.float64), 1),
    "multinomial_generator": lambda L: L.multinomial(
        L.tensor([1.0, 2]), 1, generator=L.Generator()
    ),
    "multinomial_method": lambda L: L.tensor([1.0, 2]).multinomial(1),
    "multinomial_no_rows": lambda L: L.multinomial(L.ones(0, 3), 1),
    "rand_like": lambda L: L.rand_like(L.ones(2, dtype=L.float64)),
    "rand_like_int": lambda L: L.rand_like(L.ones(2, dtype=L.int64)),
    "rand_like_generator": lambda L: L.rand_like(L.ones(2), generator=L.Generator()),
    "randn_like": lambda L: L.randn_like(L.ones(2, 3)),
    "randn_like_requires_grad": lambda L: L.randn_like(L.ones(2), requires_grad=True),
    "randn_like_dtype": lambda L: L.randn_like(L.ones(2), dtype=L.float64),
    "randint_like_high": lambda L: L.randint_like(L.ones(2), 10),
    "randint_like_low_high": lambda L: L.randint_like(L.ones(2, dtype=L.int32), 3, 10),
    "randint_like_keyword": lambda L: L.randint_like(L.ones(2), high=10),
    "randint_like_empty_range": lambda L: L.randint_like(L.ones(2), 10, 3),
    "randint_like_dtype": lambda L: L.randint_like(L.ones(2), 10, dtype=L.int64),
    "randint_like_generator": lambda L: L.randint_like(L.ones(2), 10, generator=L.Generator()),
}

INPLACE = {
    "uniform_": lambda L, x: x.uniform_(2, 5),
    "uniform_to": lambda L, x: x.uniform_(to=5),
    "uniform_from_keyword": lambda L, x: x.uniform_(**{"from": -1, "to": 0}),
    "uniform_reversed": lambda L, x: x.uniform_(5, 2),
    "uniform_huge": lambda L, x: x.uniform_(-3e38, 3e38),
    "uniform_generator": lambda L, x: x.uniform_(generator=L.Generator()),
    "normal_": lambda L, x: x.normal_(2, 3),
    "normal_keywords": lambda L, x: x.normal_(mean=1, std=2),
    "normal_negative_std": lambda L, x: x.normal_(0, -1),
    "bernoulli_": lambda L, x: x.bernoulli_(0.3),
    "bernoulli_tensor": lambda L, x: x.bernoulli_(L.full((3,), 0.3)),
    "bernoulli_out_of_range": lambda L, x: x.bernoulli_(1.3),
    "bernoulli_tensor_out_of_range": lambda L, x: x.bernoulli_(L.full((3,), 1.5)),
    "bernoulli_tensor_shape": lambda L, x: x.bernoulli_(L.full((2,), 0.5)),
    "bernoulli_keyword": lambda L, x: x.bernoulli_(p=0.5),
    "exponential_": lambda L, x: x.exponential_(2),
    "exponential_negative": lambda L, x: x.exponential_(-1),
    "exponential_zero": lambda L, x: x.exponential_(0),
    "random_": lambda L, x: x.random_(),
    "random_to": lambda L, x: x.random_(10),
    "random_from_to": lambda L, x: x.random_(2, 10),
    "random_reversed": lambda L, x: x.random_(10, 2),
    "random_keyword": lambda L, x: x.random_(to=5),
    "random_from_keyword": lambda L, x: x.random_(**{"from": 2, "to": 5}),
    "random_uint8_too_high": lambda L, x: x.random_(0, 300),
    "geometric_": lambda L, x: x.geometric_(0.5),
    "geometric_zero": lambda L, x: x.geometric_(0),
    "geometric_above_one": lambda L, x: x.geometric_(1.5),
    "cauchy_": lambda L, x: x.cauchy_(),
    "cauchy_negative_sigma": lambda L, x: x.cauchy_(0, -1),
    "log_normal_": lambda L, x: x.log_normal_(),
    "log_normal_negative_std": lambda L, x: x.log_normal_(0, -1),
}
INPLACE_DTYPES = ["float32", "float64", "int64", "uint8", "bool", "complex64"]


@pytest.mark.parametrize("name", CALLS)
def test_calls(name):
    same_meta(CALLS[name])


@pytest.mark.parametrize("dtype", INPLACE_DTYPES)
@pytest.mark.parametrize("name", INPLACE)
def test_inplace_calls(name, dtype):
    def f(lib):
        x = lib.ones(3, dtype=getattr(lib, dtype))
        r = INPLACE[name](lib, x)
        return r is x, x, x._version

    same_meta(f)


@pytest.mark.parametrize(
    "message_of",
    [
        lambda L: L.randint(3, 2, (2,)),
        lambda L: L.randint(300, (3,), dtype=L.uint8),
        lambda L: L.randint(10, 3),
        lambda L: L.randperm(-1),
        lambda L: L.randperm(2050, dtype=L.float16),
        lambda L: L.rand(2, dtype=L.int64),
        lambda L: L.normal(L.zeros(2), -0.5),
        lambda L: L.normal(L.zeros(2), L.ones(3)),
        lambda L: L.bernoulli(L.zeros(3), 1.5),
        lambda L: L.multinomial(L.tensor([0.0, 0.0]), 1),
        lambda L: L.multinomial(L.tensor([0.5, 0.5]), 3),
        lambda L: L.ones(3).uniform_(5, 2),
        lambda L: L.ones(3).exponential_(-1),
        lambda L: L.ones(3, dtype=L.int64).exponential_(),
        lambda L: L.ones(3, dtype=L.int64).cauchy_(),
        lambda L: L.ones(3).random_(10, 2),
        lambda L: L.Generator().set_state(L.zeros(3, dtype=L.uint8)),
        lambda L: L.Generator().set_state(L.zeros(3)),
        lambda L: L.Generator().manual_seed(1.5),
        lambda L: L.manual_seed(2**64),
    ],
)
def test_error_messages(message_of):
    e, je = same(message_of)
    assert str(je) == str(e)


def test_inplace_on_leaf_requiring_grad():
    same(lambda lib: lib.ones(3, requires_grad=True).uniform_())


@pytest.mark.parametrize(
    "sampler", ["uniform_", "normal_", "bernoulli_", "exponential_", "random_"]
)
def test_inplace_grad_fn_and_zero_grad(sampler):
    def f(lib):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        getattr(y, sampler)()
        name = y.grad_fn.name()
        (y * 3).sum().backward()
        return name, x.grad

    same(f)


def test_inplace_through_a_view():
    def f(lib):
        x = lib.zeros(6)
        v = x[1:4]
        v.uniform_(1, 2)
        return (x == 0).tolist(), v._version, x._version

    same(f)


@pytest.mark.parametrize(
    "call",
    [
        lambda L, m, s: L.normal(m, s),
        lambda L, m, s: L.normal(m, 2.0),
        lambda L, m, s: L.normal(1.0, s),
    ],
)
def test_normal_gradients_are_zero(call):
    def f(lib):
        m, s = lib.zeros(3, requires_grad=True), lib.ones(3, requires_grad=True)
        y = call(lib, m, s)
        name = y.grad_fn.name()
        (y * 2).sum().backward()
        return name, m.grad, s.grad

    same(f)


def test_bernoulli_gradient_is_zero():
    def f(lib):
        p = lib.full((3,), 0.5, requires_grad=True)
        y = lib.bernoulli(p)
        name = y.grad_fn.name()
        y.sum().backward()
        return name, p.grad

    same(f)


# ---- generators, seeds and state ---------------------------------------------------------------------

GENERATOR_CALLS = {
    "new_generator_seed": lambda L: L.Generator().initial_seed(),
    "manual_seed_returns_self": lambda L: (lambda g: g.manual_seed(3) is g)(L.Generator()),
    "manual_seed_returns_generator": lambda L: type(L.manual_seed(0)).__name__,
    "manual_seed_initial_seed": lambda L: L.manual_seed(123).initial_seed(),
    "negative_seed": lambda L: L.Generator().manual_seed(-1).initial_seed(),
    "largest_seed": lambda L: L.manual_seed(2**64 - 1).initial_seed(),
    "seed_too_big": lambda L: L.Generator().manual_seed(2**64),
    "seed_float": lambda L: L.Generator().manual_seed(1.5),
    "seed_string": lambda L: L.Generator().manual_seed("1"),
    "seed_returns_int": lambda L: type(L.Generator().seed()).__name__,
    "device": lambda L: str(L.Generator().device),
    "device_positional": lambda L: str(L.Generator("cpu").device),
    "device_keyword": lambda L: str(L.Generator(device="cpu").device),
    "state": lambda L: L.Generator().get_state(),
    "rng_state": lambda L: L.get_rng_state(),
    "set_state_size": lambda L: L.Generator().set_state(L.zeros(3, dtype=L.uint8)),
    "set_state_dtype": lambda L: L.Generator().set_state(L.zeros(3)),
    "set_rng_state_dtype": lambda L: L.set_rng_state(L.zeros(3)),
    "set_state_returns_self": lambda L: (lambda g: g.set_state(g.get_state()) is g)(L.Generator()),
    "default_generator": lambda L: type(L.default_generator).__name__,
    "repr": lambda L: repr(L.Generator()).split(" object")[0],
}


@pytest.mark.parametrize("name", GENERATOR_CALLS)
def test_generator_calls(name):
    same_meta(GENERATOR_CALLS[name])


def test_a_fresh_process_is_seeded_from_entropy():
    import subprocess
    import sys

    code = "import jtorch; print(jtorch.initial_seed())"
    fresh = int(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
    )
    assert fresh not in (jtorch.initial_seed(), 67280421310721)


SAMPLERS = {
    "rand": lambda g: jtorch.rand(50, generator=g),
    "randn": lambda g: jtorch.randn(50, generator=g),
    "randint": lambda g: jtorch.randint(0, 1000, (50,), generator=g),
    "randperm": lambda g: jtorch.randperm(50, generator=g),
    "normal_tensors": lambda g: jtorch.normal(jtorch.zeros(50), jtorch.ones(50), generator=g),
    "normal_floats": lambda g: jtorch.normal(0.0, 1.0, (50,), generator=g),
    "bernoulli": lambda g: jtorch.bernoulli(jtorch.full((50,), 0.5), generator=g),
    "multinomial": lambda g: jtorch.multinomial(jtorch.ones(50), 50, generator=g),
    "multinomial_replacement": lambda g: jtorch.multinomial(jtorch.ones(50), 50, True, generator=g),
    "rand_like": lambda g: jtorch.rand_like(jtorch.ones(50), generator=g),
    "randn_like": lambda g: jtorch.randn_like(jtorch.ones(50), generator=g),
    "randint_like": lambda g: jtorch.randint_like(jtorch.ones(50), 1000, generator=g),
    "uniform_": lambda g: jtorch.empty(50).uniform_(generator=g),
    "normal_": lambda g: jtorch.empty(50).normal_(generator=g),
    "bernoulli_": lambda g: jtorch.empty(50).bernoulli_(generator=g),
    "exponential_": lambda g: jtorch.empty(50).exponential_(generator=g),
    "random_": lambda g: jtorch.empty(50).random_(0, 1000, generator=g),
    "geometric_": lambda g: jtorch.empty(50).geometric_(0.1, generator=g),
    "cauchy_": lambda g: jtorch.empty(50).cauchy_(generator=g),
    "log_normal_": lambda g: jtorch.empty(50).log_normal_(generator=g),
}


def _values(t):
    return t.tolist()


@pytest.mark.parametrize("name", SAMPLERS)
def test_reproducible_with_generator(name):
    draw = SAMPLERS[name]
    a = _values(draw(jtorch.Generator().manual_seed(7)))
    b = _values(draw(jtorch.Generator().manual_seed(7)))
    c = _values(draw(jtorch.Generator().manual_seed(8)))
    assert a == b
    assert a != c


@pytest.mark.parametrize("name", SAMPLERS)
def test_reproducible_with_manual_seed(name):
    draw = SAMPLERS[name]
    jtorch.manual_seed(11)
    a = _values(draw(None))
    second = _values(draw(None))
    jtorch.manual_seed(11)
    assert _values(draw(None)) == a
    assert _values(draw(None)) == second
    assert a != second


@pytest.mark.parametrize("name", SAMPLERS)
def test_generator_does_not_touch_default_stream(name):
    draw = SAMPLERS[name]
    jtorch.manual_seed(5)
    expected = jtorch.rand(4).tolist()
    jtorch.manual_seed(5)
    draw(jtorch.Generator().manual_seed(1))
    assert jtorch.rand(4).tolist() == expected


def test_state_round_trip():
    g = jtorch.Generator().manual_seed(3)
    jtorch.rand(3, generator=g)
    state = g.get_state()
    a = jtorch.randn(5, generator=g).tolist()
    jtorch.rand(7, generator=g)
    assert g.set_state(state) is g
    assert jtorch.randn(5, generator=g).tolist() == a
    other = jtorch.Generator().set_state(state)
    assert other.initial_seed() == 3 and jtorch.randn(5, generator=other).tolist() == a


def test_rng_state_round_trip():
    jtorch.manual_seed(9)
    state = jtorch.get_rng_state()
    a = jtorch.rand(4).tolist()
    jtorch.set_rng_state(state)
    assert jtorch.rand(4).tolist() == a
    assert state.dtype is jtorch.uint8 and state.shape == torch.get_rng_state().shape


def test_seed_and_initial_seed():
    s = jtorch.seed()
    assert isinstance(s, int) and jtorch.initial_seed() == s
    a = jtorch.rand(3).tolist()
    jtorch.manual_seed(s)
    assert jtorch.rand(3).tolist() == a


def test_default_seed_of_new_generators():
    assert jtorch.Generator().initial_seed() == torch.Generator().initial_seed() == 67280421310721


# ---- ranges and distributions --------------------------------------------------------------------------

N = 100_000


@pytest.fixture
def g():
    return jtorch.Generator().manual_seed(2024)


def _stats(t):
    a = np.asarray(
        t.double().tolist() if t.dtype is jtorch.bfloat16 else t.numpy(), dtype=np.float64
    )
    return a, a.mean(), a.std()


def _close(value, expected, scale, sigmas=5):
    """``value`` within ``sigmas`` standard errors of ``expected`` (``scale``: one draw's std)."""
    assert abs(value - expected) <= sigmas * scale / math.sqrt(N), (value, expected)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_rand_distribution(g, dtype):
    a, mean, std = _stats(jtorch.rand(N, generator=g, dtype=getattr(jtorch, dtype)))
    assert a.min() >= 0 and a.max() < 1
    _close(mean, 0.5, math.sqrt(1 / 12))
    assert abs(std - math.sqrt(1 / 12)) < 0.01


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_randn_distribution(g, dtype):
    a, mean, std = _stats(jtorch.randn(N, generator=g, dtype=getattr(jtorch, dtype)))
    _close(mean, 0, 1)
    assert abs(std - 1) < 0.01
    assert abs(np.mean(a**3)) < 0.05 and abs(np.mean(a**4) - 3) < 0.1  # skew 0, kurtosis 3


def test_randn_complex_distribution(g):
    z = jtorch.randn(N, dtype=jtorch.complex64, generator=g).numpy()
    assert abs(np.var(z.real) - 0.5) < 0.01 and abs(np.var(z.imag) - 0.5) < 0.01
    assert abs(np.mean(np.abs(z) ** 2) - 1) < 0.02


def test_rand_complex_distribution(g):
    z = jtorch.rand(N, dtype=jtorch.complex64, generator=g).numpy()
    for part in (z.real, z.imag):
        assert part.min() >= 0 and part.max() < 1
        _close(part.mean(), 0.5, math.sqrt(1 / 12))


@pytest.mark.parametrize("low,high", [(0, 2), (-5, 5), (3, 1000), (-(2**40), 2**40)])
def test_randint_distribution(g, low, high):
    a, mean, std = _stats(jtorch.randint(low, high, (N,), generator=g))
    assert a.min() >= low and a.max() < high
    _close(mean, (low + high - 1) / 2, (high - low) / math.sqrt(12))
    if high - low <= 10:
        assert set(np.unique(a)) == set(range(low, high))


@pytest.mark.parametrize("dtype", ["uint8", "int8", "float32", "bool"])
def test_randint_dtypes_hold_integers(g, dtype):
    high = 2 if dtype == "bool" else 100
    t = jtorch.randint(0, high, (1000,), dtype=getattr(jtorch, dtype), generator=g)
    a = np.asarray(t.numpy(), np.float64)
    assert (
        t.dtype is getattr(jtorch, dtype)
        and a.min() >= 0
        and a.max() < high
        and (a == np.round(a)).all()
    )


@pytest.mark.parametrize("n", [0, 1, 7, 1000])
def test_randperm_is_a_permutation(g, n):
    assert sorted(jtorch.randperm(n, generator=g).tolist()) == list(range(n))


def test_randperm_is_uniform(g):
    firsts = np.array([jtorch.randperm(4, generator=g)[0].item() for _ in range(400)])
    counts = np.bincount(firsts, minlength=4)
    assert counts.min() > 60  # expected 100 each


@pytest.mark.parametrize(
    "mean,std",
    [(0.0, 1.0), (3.0, 0.5), (-2.0, 4.0)],
)
def test_normal_distributions(g, mean, std):
    for t in (
        jtorch.normal(mean, std, (N,), generator=g),
        jtorch.normal(jtorch.full((N,), mean), std, generator=g),
        jtorch.normal(mean, jtorch.full((N,), std), generator=g),
        jtorch.normal(jtorch.full((N,), mean), jtorch.full((N,), std), generator=g),
        jtorch.empty(N).normal_(mean, std, generator=g),
    ):
        _, m, s = _stats(t)
        _close(m, mean, std)
        assert abs(s - std) < 0.01 * std


def test_normal_elementwise_parameters(g):
    mean = jtorch.tensor([[-10.0], [10.0]]).expand(2, N // 2)
    a = jtorch.normal(mean, jtorch.tensor([0.1, 1.0]).reshape(2, 1), generator=g).numpy()
    assert abs(a[0].mean() + 10) < 0.01 and abs(a[1].mean() - 10) < 0.05
    assert abs(a[0].std() - 0.1) < 0.01 and abs(a[1].std() - 1) < 0.05


@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_bernoulli_distributions(g, p):
    for t in (
        jtorch.bernoulli(jtorch.full((N,), p), generator=g),
        jtorch.bernoulli(jtorch.empty(N), p, generator=g),
        jtorch.empty(N).bernoulli_(p, generator=g),
        jtorch.empty(N, dtype=jtorch.int64).bernoulli_(jtorch.full((N,), p), generator=g),
    ):
        a, mean, _ = _stats(t)
        assert set(np.unique(a)) <= {0.0, 1.0}
        _close(mean, p, math.sqrt(p * (1 - p)) + 1e-9)


def test_bernoulli_elementwise_probabilities(g):
    p = jtorch.tensor([0.0, 1.0, 0.5]).repeat(N // 3)
    a = jtorch.bernoulli(p, generator=g).numpy().reshape(-1, 3)
    assert (a[:, 0] == 0).all() and (a[:, 1] == 1).all()
    _close(a[:, 2].mean(), 0.5, 0.5 * math.sqrt(3))


@pytest.mark.parametrize("replacement", [True, False])
def test_multinomial_frequencies(g, replacement):
    probs = jtorch.tensor([[0.1, 0.0, 0.6, 0.3], [5.0, 5.0, 0.0, 0.0]])
    if replacement:
        idx = jtorch.multinomial(probs, N // 10, replacement=True, generator=g).numpy()
        assert idx.shape == (2, N // 10)
        freq = [np.bincount(row, minlength=4) / row.size for row in idx]
        np.testing.assert_allclose(freq[0], [0.1, 0.0, 0.6, 0.3], atol=0.02)
        np.testing.assert_allclose(freq[1], [0.5, 0.5, 0.0, 0.0], atol=0.02)
    else:
        firsts = []
        for _ in range(300):
            idx = jtorch.multinomial(probs, 2, generator=g).numpy()
            assert len(set(idx[0])) == 2 and 1 not in idx[0]
            assert sorted(idx[1]) == [0, 1]
            firsts.append(idx[0, 0])
        freq = np.bincount(firsts, minlength=4) / len(firsts)
        np.testing.assert_allclose(freq, [0.1, 0.0, 0.6, 0.3], atol=0.1)


def test_multinomial_1d(g):
    idx = jtorch.multinomial(jtorch.tensor([1.0, 3.0]), N // 10, True, generator=g).numpy()
    assert idx.shape == (N // 10,)
    _close(idx.mean(), 0.75, math.sqrt(0.75 * 0.25) * math.sqrt(10))
    assert sorted(jtorch.multinomial(jtorch.ones(5), 5, generator=g).tolist()) == list(range(5))


@pytest.mark.parametrize("low,high", [(0.0, 1.0), (-3.0, 5.0), (2.0, 2.0)])
def test_uniform_(g, low, high):
    a, mean, std = _stats(jtorch.empty(N).uniform_(low, high, generator=g))
    assert a.min() >= low and a.max() <= high
    _close(mean, (low + high) / 2, (high - low) / math.sqrt(12) + 1e-9)


@pytest.mark.parametrize("lambd", [0.5, 1.0, 4.0])
def test_exponential_(g, lambd):
    a, mean, std = _stats(jtorch.empty(N).exponential_(lambd, generator=g))
    assert a.min() >= 0
    _close(mean, 1 / lambd, 1 / lambd)
    assert abs(std - 1 / lambd) < 0.02 / lambd


@pytest.mark.parametrize(
    "dtype,low,high",
    [
        ("float32", 0, 2**24 + 1),
        ("float64", 0, 2**53 + 1),
        ("int64", 0, 2**63 - 1),
        ("uint8", 0, 256),
        ("bool", 0, 2),
        ("int8", 0, 128),
    ],
)
def test_random_default_range(g, dtype, low, high):
    t = jtorch.empty(N, dtype=getattr(jtorch, dtype)).random_(generator=g)
    a = [int(v) for v in t.tolist()]
    assert min(a) >= low and max(a) < high
    assert max(a) >= low + (high - 1 - low) * 0.9  # spread over the whole range


def test_random_bounds(g):
    a = jtorch.empty(N).random_(-3, 4, generator=g).numpy()
    assert set(np.unique(a)) == set(range(-3, 4))
    b = jtorch.empty(N, dtype=jtorch.int64).random_(5, generator=g).numpy()
    assert set(np.unique(b)) == set(range(5))


def test_geometric_cauchy_log_normal(g):
    a, mean, _ = _stats(jtorch.empty(N).geometric_(0.25, generator=g))
    assert a.min() >= 1 and (a == np.round(a)).all()
    _close(mean, 4, math.sqrt(0.75) / 0.25)
    c = jtorch.empty(N).cauchy_(1.0, 2.0, generator=g).numpy()
    assert abs(np.median(c) - 1) < 0.05 and abs(np.percentile(c, 75) - 3) < 0.1
    ln = jtorch.empty(N, dtype=jtorch.float64).log_normal_(0.5, 0.25, generator=g).numpy()
    assert abs(np.median(ln) - math.exp(0.5)) < 0.02 and abs(np.log(ln).std() - 0.25) < 0.01


def test_like_distributions(g):
    x = jtorch.ones(N, dtype=jtorch.float64)
    _, mean, _ = _stats(jtorch.rand_like(x, generator=g))
    _close(mean, 0.5, math.sqrt(1 / 12))
    _, mean, std = _stats(jtorch.randn_like(x, generator=g))
    _close(mean, 0, 1)
    a, mean, _ = _stats(jtorch.randint_like(x, 3, 9, generator=g))
    assert set(np.unique(a)) == set(range(3, 9))


# ---- the accelerator stream (jtorch/_rng/threefry.py) ---------------------------------------------

F32, F64 = np.dtype(np.float32), np.dtype(np.float64)
THREEFRY_DRAWS = {
    "uniform": (lambda s: s.uniform(N, F32, -2.0, 3.0), -2.0, 3.0, 0.5, 25 / 12),
    "normal": (lambda s: s.normal(N, F64, 1.5, 2.0), -np.inf, np.inf, 1.5, 4.0),
    "integers": (lambda s: s.integers(N, -3, 7, np.dtype(np.int64)), -3, 6, 1.5, 99 / 12),
    "bernoulli": (lambda s: s.bernoulli(0.3, N, F32), 0, 1, 0.3, 0.21),
    "exponential": (lambda s: s.exponential(N, F64, 2.0), 0, np.inf, 0.5, 0.25),
    "geometric": (lambda s: s.geometric(N, F64, 0.25), 1, np.inf, 4.0, 12.0),
    "log_normal": (lambda s: s.log_normal(N, F64, 0.0, 0.5), 0, np.inf, math.exp(0.125), None),
}


@pytest.mark.parametrize("name", THREEFRY_DRAWS)
def test_threefry_stream(name):
    from jtorch._rng.threefry import Threefry

    draw, low, high, mean, var = THREEFRY_DRAWS[name]
    a, b = draw(Threefry(5)), draw(Threefry(5))
    assert a.shape == (N,) and np.array_equal(a, b)
    assert not np.array_equal(a, draw(Threefry(6)))
    assert low <= a.min() and a.max() <= high
    assert abs(a.mean() - mean) < 6 * math.sqrt((var or a.var()) / N)
    if var is not None:
        assert abs(a.var() / var - 1) < 0.05


def test_threefry_permutation_multinomial_and_state():
    from jtorch._rng.threefry import Threefry

    s = Threefry(1)
    assert sorted(s.permutation(1000, np.dtype(np.int64)).tolist()) == list(range(1000))
    probs = np.array([[0.0, 1.0, 3.0], [2.0, 0.0, 0.0]], np.float32)
    picks = s.multinomial(probs, 2000, True)
    assert picks.shape == (2, 2000) and set(picks[1].tolist()) == {0}
    assert abs((picks[0] == 2).mean() - 0.75) < 0.05 and (picks[0] != 0).all()
    once = s.multinomial(probs[:1], 2, False)
    assert sorted(once[0].tolist()) == [1, 2]
    state = s.state_bytes()
    x = s.uniform(10, F32)
    t = Threefry(0)
    assert t.load_bytes(state) and np.array_equal(t.uniform(10, F32), x)
