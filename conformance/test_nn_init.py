"""torch.nn.init against real torch: speaks about jtorch/nn/init.py.

Deterministic parts (gains, fans, constant/eye/dirac fills, errors and warnings) are compared
exactly. Random initialisers draw from jtorch's own stream (bit-exact streams are a later
issue), so they are compared through what must hold for any stream: both libraries initialise
a tensor of the same shape, and the bounds, mean, std and extremes of jtorch's ~1e5 values must
match torch's. The in-place contract (identity, version bump, Parameters, no history) is
checked for every initialiser.
"""

import inspect
import math
import warnings

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import to_numpy

LIBS = (torch, jtorch)


def both(script):
    """``script(lib)`` on both libraries: (torch's result, jtorch's), or, when torch raises,
    the same exception type and text from jtorch."""
    try:
        expected = script(torch)
    except Exception as e:  # noqa: BLE001 - the exception itself is compared
        with pytest.raises(type(e)) as info:
            script(jtorch)
        assert str(info.value) == str(e)
        return None
    return expected, script(jtorch)


def _value(x):
    return to_numpy(x).tolist() if isinstance(x, (torch.Tensor, jtorch.Tensor)) else x


def exact(script):
    """``script(lib)`` gives the same Python values (tensors as lists) and types in both."""
    out = both(script)
    if out is not None:
        t, j = out
        assert type(_value(j)) is type(_value(t)) and _value(j) == _value(t), f"{t!r} != {j!r}"


# ---- calculate_gain and fans ------------------------------------------------------------------------

GAINS = [
    ("linear",),
    ("conv1d",),
    ("conv2d",),
    ("conv3d",),
    ("conv_transpose1d",),
    ("conv_transpose2d",),
    ("conv_transpose3d",),
    ("sigmoid",),
    ("tanh",),
    ("relu",),
    ("selu",),
    ("leaky_relu",),
    ("leaky_relu", 0.2),
    ("leaky_relu", 3),
    ("leaky_relu", math.sqrt(5)),
    ("leaky_relu", True),
    ("leaky_relu", "0.1"),
    ("relu", "ignored"),
    ("gelu",),
    ("Tanh",),
]


@pytest.mark.parametrize("args", GAINS, ids=str)
def test_calculate_gain(args):
    exact(lambda lib: lib.nn.init.calculate_gain(*args))


FAN_SHAPES = [(3,), (), (4, 5), (6, 3, 5), (8, 2, 3, 3), (2, 4, 3, 1, 2), (0, 3), (3, 0, 2)]


@pytest.mark.parametrize("shape", FAN_SHAPES, ids=str)
def test_fan_in_and_fan_out(shape):
    exact(lambda lib: lib.nn.init._calculate_fan_in_and_fan_out(lib.empty(shape)))


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "FAN_OUT", "fan_avg"])
@pytest.mark.parametrize("shape", [(4, 5), (8, 2, 3, 3), (7,)], ids=str)
def test_correct_fan(shape, mode):
    exact(lambda lib: lib.nn.init._calculate_correct_fan(lib.empty(shape), mode))


# ---- deterministic fills ------------------------------------------------------------------------------


DETERMINISTIC = [
    ("constant_", (3, 4), (0.25,), {}),
    ("constant_", (2, 3, 2), (-7,), {}),
    ("ones_", (5,), (), {}),
    ("zeros_", (2, 3), (), {}),
    ("eye_", (3, 5), (), {}),
    ("eye_", (4, 2), (), {}),
    ("eye_", (3,), (), {}),
    ("eye_", (2, 2, 2), (), {}),
    ("dirac_", (4, 3, 3), (), {}),
    ("dirac_", (2, 4, 5), (), {}),
    ("dirac_", (6, 4, 3, 2), (), {"groups": 2}),
    ("dirac_", (6, 2, 3, 3), (), {"groups": 3}),
    ("dirac_", (4, 2, 3, 3, 3), (), {"groups": 2}),
    ("dirac_", (5, 2, 3, 3), (), {"groups": 2}),
    ("dirac_", (4, 2), (), {}),
    ("dirac_", (4, 2, 1, 1, 1, 1), (), {}),
]


@pytest.mark.parametrize("name, shape, args, kwargs", DETERMINISTIC, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_deterministic_values(name, shape, args, kwargs, dtype):
    def script(lib):
        t = lib.full(shape, 9.0, dtype=getattr(lib, dtype))
        return getattr(lib.nn.init, name)(t, *args, **kwargs)

    out = both(script)
    if out is not None:
        np.testing.assert_array_equal(to_numpy(out[1]), to_numpy(out[0]))
        assert str(out[1].dtype) == str(out[0].dtype)


# ---- the in-place contract -------------------------------------------------------------------------------

CALLS = {
    "uniform_": ((-0.5, 2.0), {}),
    "normal_": ((1.0, 0.5), {}),
    "trunc_normal_": ((0.0, 1.0, -1.0, 2.0), {}),
    "constant_": ((3.0,), {}),
    "ones_": ((), {}),
    "zeros_": ((), {}),
    "eye_": ((), {}),
    "dirac_": ((), {}),
    "xavier_uniform_": ((), {"gain": 2.0}),
    "xavier_normal_": ((), {}),
    "kaiming_uniform_": ((), {"a": math.sqrt(5)}),
    "kaiming_normal_": ((), {"mode": "fan_out", "nonlinearity": "relu"}),
    "orthogonal_": ((), {}),
    "sparse_": ((0.5,), {}),
}


def _shape_for(name):
    return {"eye_": (4, 6), "sparse_": (6, 4), "dirac_": (4, 4, 3)}.get(name, (4, 2, 3))


@pytest.mark.parametrize("name", list(CALLS))
def test_inplace_on_parameter(name):
    """Returns the Parameter itself, bumps its version, records no history, keeps
    requires_grad, and leaves grad mode as it was."""
    args, kwargs = CALLS[name]

    def script(lib):
        p = lib.nn.Parameter(lib.zeros(_shape_for(name)))
        version = p._version
        out = getattr(lib.nn.init, name)(p, *args, **kwargs)
        return (
            out is p,
            type(p).__name__,
            p._version > version,
            p.grad_fn is None,
            p.requires_grad,
            p.is_leaf,
            lib.is_grad_enabled(),
        )

    exact(script)


@pytest.mark.parametrize("name", list(CALLS))
def test_writes_through_a_view(name):
    """An initialiser given a view of a weight writes into the weight, as in torch."""
    args, kwargs = CALLS[name]
    shape = _shape_for(name)

    def script(lib):
        base = lib.full((2,) + shape, 7.0)
        getattr(lib.nn.init, name)(base[1], *args, **kwargs)
        return bool((base[0] == 7).all()), bool((base[1] != 7).any())

    exact(script)


# ---- distributions -------------------------------------------------------------------------------------

N = 60_000  # enough that std and extremes are known to ~1%

# name, shape, args, kwargs
RANDOM = [
    ("uniform_", (N,), (), {}),
    ("uniform_", (300, 200), (-3.0, 0.5), {}),
    ("normal_", (N,), (), {}),
    ("normal_", (300, 200), (2.0, 0.1), {}),
    ("xavier_uniform_", (300, 200), (), {}),
    ("xavier_uniform_", (64, 32, 5, 6), (), {"gain": 3.0}),
    ("xavier_normal_", (300, 200), (), {}),
    ("xavier_normal_", (64, 32, 5, 6), (0.5,), {}),
    ("kaiming_uniform_", (300, 200), (), {"a": math.sqrt(5)}),
    ("kaiming_uniform_", (64, 32, 5, 6), (), {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_uniform_", (64, 32, 5, 6), (0.2,), {}),
    ("kaiming_uniform_", (64, 32, 5, 6), (), {"nonlinearity": "tanh"}),
    ("kaiming_normal_", (300, 200), (), {}),
    ("kaiming_normal_", (64, 32, 5, 6), (), {"mode": "fan_out", "nonlinearity": "selu"}),
    ("trunc_normal_", (N,), (), {}),
    ("trunc_normal_", (N,), (1.0, 2.0, -0.5, 0.5), {}),
    ("trunc_normal_", (N,), (0.0, 1.0, 1.0, 3.0), {}),  # the accept-reject branch
    ("trunc_normal_", (N,), (0.0, 1.0, -0.2, 0.2), {}),  # accept-reject, mode inside
    ("trunc_normal_", (300, 200), (0.0, 0.02), {}),
    ("orthogonal_", (300, 200), (), {}),
    ("orthogonal_", (50, 40, 3), (2.0,), {}),
    ("sparse_", (400, 150), (0.3,), {}),
    ("sparse_", (400, 1000), (0.9, 0.5), {}),
]


def _stats(t):
    v = to_numpy(t).astype(np.float64).ravel()
    return v.min(), v.max(), v.mean(), v.std(), (v == 0).mean()


@pytest.mark.parametrize("name, shape, args, kwargs", RANDOM, ids=str)
def test_distribution(name, shape, args, kwargs):
    """jtorch's values stay within torch's extremes (up to sampling) and have torch's std."""
    t, j = both(lambda lib: getattr(lib.nn.init, name)(lib.empty(shape), *args, **kwargs))
    (tmin, tmax, tmean, tstd, tzero), (jmin, jmax, jmean, jstd, jzero) = _stats(t), _stats(j)
    spread = max(tmax - tmin, 1e-12)
    assert abs(jstd - tstd) <= 0.025 * tstd, f"std {jstd} vs torch's {tstd}"
    # two sample means differ by about sqrt(2) * std / sqrt(n): allow over 4 of those
    mean_tol = max(0.03 * tstd, 6 * tstd / math.sqrt(t.numel())) + 1e-12
    assert abs(jmean - tmean) <= mean_tol, f"mean {jmean} vs torch's {tmean}"
    assert abs(jzero - tzero) <= 0.002, f"fraction of zeros {jzero} vs torch's {tzero}"
    if spread < 6 * tstd:  # bounded (uniform, truncated): the extremes sit at the bounds in both
        assert abs(jmin - tmin) <= 0.003 * spread and abs(jmax - tmax) <= 0.003 * spread, (
            f"range [{jmin}, {jmax}] vs torch's [{tmin}, {tmax}]"
        )
    else:  # unbounded: the extremes agree to the spread of a sample maximum
        scale = tstd / math.sqrt(1 - tzero)  # the std of the non-zero values
        assert abs(jmax - tmax) <= 1.5 * scale and abs(jmin - tmin) <= 1.5 * scale, (
            f"range [{jmin}, {jmax}] vs torch's [{tmin}, {tmax}]"
        )


@pytest.mark.parametrize("name, lo, hi", [("uniform_", -3.0, 0.5), ("trunc_normal_", -2.0, 2.0)])
def test_bounds_hold(name, lo, hi):
    args = (lo, hi) if name == "uniform_" else (0.0, 1.0, lo, hi)
    j = to_numpy(getattr(jtorch.nn.init, name)(jtorch.empty(N), *args))
    assert j.min() >= lo and j.max() <= hi


@pytest.mark.parametrize("shape, gain", [((30, 20), 1.0), ((20, 30), 2.0), ((8, 3, 2, 2), 0.5)])
def test_orthogonal_rows_or_columns(shape, gain):
    """W W^T (wide) or W^T W (tall) is gain**2 I, as torch's."""

    def gram(lib):
        w = lib.nn.init.orthogonal_(lib.empty(shape), gain).reshape(shape[0], -1)
        g = w @ w.t() if w.shape[0] <= w.shape[1] else w.t() @ w
        return to_numpy(g)

    t, j = both(gram)
    np.testing.assert_allclose(j, t, atol=2e-5)


@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16"])
@pytest.mark.parametrize("name", ["uniform_", "normal_", "kaiming_uniform_", "trunc_normal_"])
def test_keeps_dtype(name, dtype):
    exact(
        lambda lib: str(
            getattr(lib.nn.init, name)(lib.empty(8, 4, dtype=getattr(lib, dtype))).dtype
        ).split(".")[-1]
    )


# ---- generators ------------------------------------------------------------------------------------------

SEEDED = ["uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "xavier_normal_",
          "kaiming_uniform_", "kaiming_normal_", "orthogonal_"]  # fmt: skip


@pytest.mark.parametrize("name", SEEDED + ["sparse_"])
def test_generator(name):
    """The same generator seed gives the same values; the default stream is untouched (except
    by sparse_, whose row choice uses the default generator in torch too)."""
    args, kwargs = CALLS[name]

    def script(lib):
        g = lib.Generator().manual_seed(7)
        state = lib.get_rng_state()
        fn = getattr(lib.nn.init, name)
        a = fn(lib.empty(6, 5), *args, **kwargs, generator=g).clone()
        g.manual_seed(7)
        lib.manual_seed(1)
        b = fn(lib.empty(6, 5), *args, **kwargs, generator=g)
        lib.set_rng_state(state)
        fn(lib.empty(6, 5), *args, **kwargs, generator=g)
        return bool((a == b).all()), bool((lib.get_rng_state() == state).all())

    exact(script)


@pytest.mark.parametrize("name", SEEDED)
def test_generator_type_error(name):
    args, kwargs = CALLS[name]
    call = lambda lib: getattr(lib.nn.init, name)(lib.empty(4, 3), *args, **kwargs, generator=3)
    with pytest.raises(TypeError):
        call(torch)
    with pytest.raises(TypeError):
        call(jtorch)


# ---- errors and warnings -----------------------------------------------------------------------------------

ERRORS = [
    ("eye_", (5,), ()),
    ("dirac_", (4, 3), ()),
    ("dirac_", (4, 3, 3), (3,)),
    ("orthogonal_", (5,), ()),
    ("sparse_", (5, 3, 2), (0.5,)),
    ("xavier_uniform_", (5,), ()),
    ("xavier_normal_", (), ()),
    ("kaiming_uniform_", (5,), ()),
    ("kaiming_normal_", (4, 3), (0, "fan_avg")),
    ("kaiming_uniform_", (4, 3), (0, "fan_in", "swish")),
    ("kaiming_uniform_", (4, 3), (True,)),
    ("normal_", (4, 3), (0.0, -1.0)),
    ("uniform_", (4, 3), (2.0, 1.0)),
]


@pytest.mark.parametrize("name, shape, args", ERRORS, ids=str)
def test_errors(name, shape, args):
    def script(lib):
        getattr(lib.nn.init, name)(lib.empty(shape), *args)
        return "no error"

    out = both(script)
    assert out is None, "torch did not raise: the test table is wrong"


def test_integer_tensor_raises_like_torch():
    for name in ("uniform_", "normal_", "kaiming_uniform_"):
        with pytest.raises(NotImplementedError):
            getattr(torch.nn.init, name)(torch.zeros(4, 3, dtype=torch.int64))
        with pytest.raises(NotImplementedError):
            getattr(jtorch.nn.init, name)(jtorch.zeros(4, 3, dtype=jtorch.int64))


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category.__name__, str(w.message)) for w in caught]


WARNS = [
    ("kaiming_uniform_", (0, 3), ()),
    ("kaiming_normal_", (4, 0, 2), ()),
    ("trunc_normal_", (100,), (5.0, 1.0, -1.0, 1.0)),
    ("orthogonal_", (0, 3), ()),
    ("uniform", (4, 3), ()),
    ("normal", (4, 3), ()),
    ("constant", (4, 3), (1.0,)),
    ("eye", (4, 3), ()),
    ("dirac", (4, 3, 3), ()),
    ("xavier_uniform", (4, 3), ()),
    ("xavier_normal", (4, 3), ()),
    ("kaiming_uniform", (4, 3), ()),
    ("kaiming_normal", (4, 3), ()),
    ("orthogonal", (4, 3), ()),
    ("sparse", (4, 3), (0.5,)),
]


@pytest.mark.parametrize("name, shape, args", WARNS, ids=str)
def test_warnings_and_deprecated_names(name, shape, args):
    def script(lib):
        t = lib.full(shape, 3.0)
        out, caught = _warnings_of(lambda: getattr(lib.nn.init, name)(t, *args))
        return out is t, caught, getattr(lib.nn.init, name).__name__

    exact(script)


def _signature(fn):
    return [(p.name, p.default, p.kind) for p in inspect.signature(fn).parameters.values()]


def test_public_names_and_signatures():
    assert sorted(jtorch.nn.init.__all__) == sorted(torch.nn.init.__all__)
    for name in torch.nn.init.__all__ + ["_calculate_fan_in_and_fan_out", "_calculate_correct_fan"]:
        assert _signature(getattr(jtorch.nn.init, name)) == _signature(getattr(torch.nn.init, name))


# ---- every layer's default initialisation ------------------------------------------------------------

_SMALL_TRANSFORMER = {"d_model": 64, "nhead": 4, "dim_feedforward": 128}
_SMALL_TRANSFORMER.update(num_encoder_layers=1, num_decoder_layers=1)

# (layer, constructor args, kwargs): sizes where each random tensor, pooled over a few
# constructions, gives a few thousand values.
LAYERS = [
    ("Linear", (40, 200), {}),
    ("Linear", (300, 20), {"bias": False}),
    ("Bilinear", (10, 12, 400), {}),
    ("Conv1d", (16, 300, 3), {}),
    ("Conv2d", (8, 256, 3), {"groups": 2}),
    ("Conv3d", (4, 200, 2), {}),
    ("ConvTranspose1d", (40, 300, 3), {}),
    ("ConvTranspose2d", (64, 200, 2), {"groups": 2}),
    ("ConvTranspose3d", (20, 100, 2), {"bias": False}),
    ("Embedding", (400, 10), {}),
    ("Embedding", (400, 10), {"padding_idx": 3}),
    ("EmbeddingBag", (400, 10), {"mode": "sum"}),
    ("BatchNorm1d", (10,), {}),
    ("BatchNorm2d", (10,), {"momentum": None}),
    ("BatchNorm3d", (10,), {"affine": False}),
    ("InstanceNorm2d", (10,), {"affine": True, "track_running_stats": True}),
    ("LayerNorm", ((4, 5),), {}),
    ("GroupNorm", (2, 10), {}),
    ("RMSNorm", (10,), {}),
    ("PReLU", (), {}),
    ("PReLU", (3,), {"init": 0.1}),
    ("RNN", (30, 100), {"num_layers": 2}),
    ("LSTM", (30, 100), {"bidirectional": True}),
    ("LSTM", (30, 100), {"proj_size": 50}),
    ("GRU", (30, 100), {"bias": False}),
    ("RNNCell", (30, 200), {}),
    ("LSTMCell", (30, 100), {}),
    ("GRUCell", (30, 150), {}),
    ("MultiheadAttention", (128, 4), {}),
    ("MultiheadAttention", (256, 8), {"add_bias_kv": True, "kdim": 64, "vdim": 32}),
    ("TransformerEncoderLayer", (64, 4), {"dim_feedforward": 128}),
    ("Transformer", (), _SMALL_TRANSFORMER),
]

POOL = 4000  # values per random tensor, pooled over constructions
MAX_BUILDS = 20


def _state(lib, name, args, kwargs):
    return getattr(lib.nn, name)(*args, **kwargs).state_dict(keep_vars=True)


def _pooled(lib, name, args, kwargs, builds):
    states = [_state(lib, name, args, kwargs) for _ in range(builds)]
    return {
        k: np.concatenate([to_numpy(s[k]).astype(np.float64).ravel() for s in states])
        for k in states[0]
    }


def _layer_id(layer):
    name, args, kwargs = layer
    return name + str(args) + ("" if not kwargs else str(sorted(kwargs.items())))


@pytest.mark.parametrize("layer", LAYERS, ids=_layer_id)
def test_layer_default_initialisation(layer):
    """The same state (names, order, kinds, shapes, dtypes, requires_grad); constant tensors
    equal to torch's; random ones with torch's distribution (std, mean, bounds, zeros)."""
    name, args, kwargs = layer
    t_state, j_state = _state(torch, *layer), _state(jtorch, *layer)
    assert list(j_state) == list(t_state)
    for key, t in t_state.items():
        j = j_state[key]
        kinds = [type(x).__name__ for x in (t, j)]
        assert kinds[0] == kinds[1], f"{key}: {kinds}"
        meta = [(tuple(x.shape), str(x.dtype), x.requires_grad) for x in (t, j)]
        assert meta[1] == meta[0], f"{key}: {meta}"

    smallest = min((t.numel() for t in t_state.values() if t.is_floating_point()), default=1)
    builds = max(2, min(MAX_BUILDS, -(-POOL // max(smallest, 1))))
    t_pool = _pooled(torch, name, args, kwargs, builds)
    j_pool = _pooled(jtorch, name, args, kwargs, builds)
    for key, tv in t_pool.items():
        _same_distribution(key, tv, j_pool[key])


def _same_distribution(key, tv, jv):
    if np.all(tv == tv[0]) or not t_is_float(tv):  # constant (ones, zeros, 0.25, counters)
        np.testing.assert_array_equal(jv, tv, err_msg=key)
        return
    n = tv.size
    tstd, jstd = tv.std(), jv.std()
    rel = max(0.03, 6 / math.sqrt(2 * n))  # ~6 standard errors of a std estimate
    assert abs(jstd - tstd) <= rel * tstd, f"{key}: std {jstd} vs torch's {tstd} (n={n})"
    assert abs(jv.mean() - tv.mean()) <= 6 * tstd / math.sqrt(n), (
        f"{key}: mean {jv.mean()} vs {tv.mean()}"
    )
    assert abs((jv == 0).mean() - (tv == 0).mean()) <= 0.001, f"{key}: fraction of zeros"
    centred = tv - tv.mean()
    if (centred**4).mean() / tstd**4 - 3 < -0.6:  # uniform (excess kurtosis -1.2): same bounds
        slack = 0.01 * (tv.max() - tv.min())
        assert abs(jv.max() - tv.max()) <= slack and abs(jv.min() - tv.min()) <= slack, (
            f"{key}: range [{jv.min()}, {jv.max()}] vs torch's [{tv.min()}, {tv.max()}]"
        )


def t_is_float(values):
    return values.dtype.kind == "f" and not np.all(np.mod(values, 1) == 0)
