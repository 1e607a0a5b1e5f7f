"""jtorch/_tensor_str.py against real torch: every printed character of repr(tensor)."""

import math

import ml_dtypes
import pytest
import torch

from jtorch import _tensor_str as jts

NAN, INF = math.nan, math.inf


def _seeded(build, seed=0):
    """A builder that draws from its own seed, so a case prints the same in every run."""

    def make():
        torch.manual_seed(seed)
        return build()

    return make


def _arguments(t):
    """What the Tensor class hands to format_tensor for the torch tensor ``t``."""
    dtype_name = str(t.dtype).removeprefix("torch.")
    plain = t.detach()
    if t.dtype == torch.bfloat16:
        values = plain.float().numpy().astype(ml_dtypes.bfloat16)
    else:
        values = plain.numpy()
    return dict(
        values=values,
        dtype_name=dtype_name,
        default_dtype_name=str(torch.get_default_dtype()).removeprefix("torch."),
        requires_grad=t.requires_grad,
        grad_fn_name=None if t.grad_fn is None else type(t.grad_fn).__name__,
        is_parameter=isinstance(t, torch.nn.Parameter),
        is_leaf=t.is_leaf,
    )


def check(t):
    """jtorch prints ``t`` exactly as torch does."""
    assert jts.format_tensor(**_arguments(t)) == repr(t)


@pytest.fixture(autouse=True)
def _restore_printoptions():
    yield
    torch.set_printoptions(profile="default")
    jts.set_printoptions(profile="default")


def _floats():
    cases = {}
    shapes = [(), (1,), (5,), (3, 4), (2, 3, 4), (2, 1, 3, 2), (1, 1, 1), (4, 1)]
    for i, shape in enumerate(shapes):
        cases[f"randn{shape}"] = _seeded(lambda s=shape: torch.randn(s), i)
    for i, scale in enumerate([1e-7, 1e-5, 1e-4, 1e-3, 1, 10, 1e3, 1e5, 1e8, 1e10, 1e30]):
        cases[f"scale{scale:g}"] = _seeded(lambda s=scale: torch.randn(2, 3) * s, 100 + i)
    cases.update(
        mixed_magnitudes=lambda: torch.tensor([1e-5, 1.0, 1e5]),
        ratio_1000=lambda: torch.tensor([1.0, 1000.0, 2.5]),
        ratio_above_1000=lambda: torch.tensor([1.0, 1000.5, 2.5]),
        min_1e_minus_4=lambda: torch.tensor([1e-4, 2e-4], dtype=torch.float64),
        integral=lambda: torch.tensor([1.0, 2.0, -3.0]),
        arange=lambda: torch.arange(10.0),
        max_1e8=lambda: torch.tensor([1e8, 5e7]),
        above_1e8=lambda: torch.tensor([123456789.0, 2.0]),
        integral_sci=lambda: torch.tensor([1e9, 2.0]),
        rounding=lambda: torch.tensor([0.00005, 0.12345, 2.5e-5, 0.99995]),
        zeros=lambda: torch.zeros(3),
        zeros_2d=lambda: torch.zeros(2, 2),
        zero_scalar=lambda: torch.tensor(0.0),
        negative_zero_scalar=lambda: torch.tensor(-0.0),
        negative_zero=lambda: torch.tensor([-0.0, 0.0, 1.5]),
        negative_zero_int_mode=lambda: torch.tensor([-0.0, 1.0]),
        nonfinite=lambda: torch.tensor([NAN, INF, -INF]),
        nan_and_fraction=lambda: torch.tensor([NAN, 1.5]),
        inf_and_integral=lambda: torch.tensor([INF, 1.0, -INF]),
        nan_and_tiny=lambda: torch.tensor([1e-5, NAN, -INF]),
        nan_scalar=lambda: torch.tensor(NAN),
        neg_inf_scalar=lambda: torch.tensor(-INF),
        nan_and_huge=lambda: torch.tensor([NAN, 1e10, 0.0]),
        inf_wider_than_column=lambda: torch.tensor([-INF, 1.0, 2.0]),
    )
    return cases


def _narrow_floats():
    return dict(
        half=_seeded(lambda: torch.randn(5).half(), 1),
        half_2d=_seeded(lambda: torch.randn(3, 4).half() * 100, 2),
        half_extremes=lambda: torch.tensor([65504.0, 1e-4, -2.0]).half(),
        half_subnormal=lambda: torch.tensor([6e-8, 1.0]).half(),
        half_nonfinite=lambda: torch.tensor([INF, NAN, 0.5]).half(),
        half_scalar=lambda: torch.tensor(0.1).half(),
        bfloat16=_seeded(lambda: torch.randn(3, 4).bfloat16(), 3),
        bfloat16_huge=lambda: torch.tensor([1e30, 1.0]).bfloat16(),
        bfloat16_integral=lambda: torch.tensor([256.0, 3.0, -7.0]).bfloat16(),
        bfloat16_scalar=lambda: torch.tensor(1 / 3).bfloat16(),
        float64=_seeded(lambda: torch.randn(4, dtype=torch.float64), 4),
        float64_third=lambda: torch.tensor([1 / 3, 2 / 3], dtype=torch.float64),
        float64_scalar=lambda: torch.tensor(math.pi, dtype=torch.float64),
        float64_sci=lambda: torch.tensor([1e-300, 1e300], dtype=torch.float64),
    )


def _integers_and_bools():
    return dict(
        arange=lambda: torch.arange(10),
        signed=lambda: torch.tensor([-5, 100, 7]),
        int32=lambda: torch.tensor([[1, -2], [300, 4]], dtype=torch.int32),
        int16=lambda: torch.tensor([-32768, 32767], dtype=torch.int16),
        int8=lambda: torch.tensor([-128, 0, 127], dtype=torch.int8),
        uint8=lambda: torch.tensor([0, 255, 17], dtype=torch.uint8),
        big_int64=lambda: torch.tensor([2**62, -(2**63), 0]),
        int_scalar=lambda: torch.tensor(5),
        int8_scalar=lambda: torch.tensor(-5, dtype=torch.int8),
        randint_3d=_seeded(lambda: torch.randint(-1000, 1000, (2, 3, 4)), 5),
        bools=lambda: torch.tensor([True, False]),
        bool_scalar=lambda: torch.tensor(True),
        bools_2d=lambda: torch.tensor([[True, True, True], [True, False, True]]),
        all_true=lambda: torch.ones(3, dtype=torch.bool),
    )


def _empties():
    return dict(
        float_1d=lambda: torch.zeros(0),
        float_2d=lambda: torch.zeros(0, 3),
        float_3d=lambda: torch.zeros(2, 0, 3),
        int64=lambda: torch.zeros(0, dtype=torch.int64),
        int64_2d=lambda: torch.zeros(3, 0, dtype=torch.int64),
        int32=lambda: torch.zeros(0, dtype=torch.int32),
        bool=lambda: torch.zeros(0, dtype=torch.bool),
        float64=lambda: torch.zeros(0, dtype=torch.float64),
        complex64=lambda: torch.zeros(0, 2, dtype=torch.complex64),
        bfloat16=lambda: torch.zeros(0, dtype=torch.bfloat16),
        requires_grad=lambda: torch.zeros(0, 4, requires_grad=True),
    )


def _complexes():
    return dict(
        complex64=_seeded(lambda: torch.randn(3, dtype=torch.complex64), 6),
        complex64_2d=_seeded(lambda: torch.randn(2, 3, dtype=torch.complex64), 7),
        complex128=_seeded(lambda: torch.randn(3, dtype=torch.complex128), 8),
        scalar=lambda: torch.tensor(1 + 2j),
        negative_imag=lambda: torch.tensor([1 - 2j, -3 + 0.5j]),
        negative_zero_imag=lambda: torch.complex(
            torch.tensor([1.0, 2.0]), torch.tensor([-0.0, 0.0])
        ),
        integral=lambda: torch.tensor([1 + 1j, 2 - 3j]),
        nonfinite=lambda: torch.tensor([complex(NAN, 1.0), complex(INF, -INF), 1.5 + 0j]),
        sci_real_only=lambda: torch.tensor([1e10 + 1j, 1 + 2j]),
        sci=_seeded(lambda: torch.randn(4, dtype=torch.complex64) * 1e-6, 9),
        summarized=_seeded(lambda: torch.randn(40, 40, dtype=torch.complex64), 10),
        summarized_1d=_seeded(lambda: torch.randn(1200, dtype=torch.complex128), 11),
        wide=_seeded(lambda: torch.randn(20, dtype=torch.complex64) * 1000, 12),
    )


def _large_and_wide():
    return dict(
        randn_1001=_seeded(lambda: torch.randn(1001), 13),
        arange_2000=lambda: torch.arange(2000),
        randn_40x40=_seeded(lambda: torch.randn(40, 40), 14),
        randn_10x10x11=_seeded(lambda: torch.randn(10, 10, 11), 15),
        tiny_2000=_seeded(lambda: torch.randn(2000) * 1e-6, 16),
        huge_outside_edges=lambda: torch.cat(
            [torch.ones(3), torch.full((995,), 1e20), torch.ones(3)]
        ),
        narrow_rows=_seeded(lambda: torch.randn(500, 3), 17),
        short_columns=_seeded(lambda: torch.randn(3, 500), 18),
        int_summary_3d=_seeded(lambda: torch.randint(0, 10**6, (8, 9, 20)), 19),
        bool_summary=_seeded(lambda: torch.rand(1100) > 0.5, 20),
        rows_30=_seeded(lambda: torch.randn(3, 30), 21),
        wide_vector=_seeded(lambda: torch.randn(50) * 1000, 22),
        ints_wrap=lambda: torch.arange(100) * 12345,
        float64_wrap=lambda: torch.arange(14, dtype=torch.float64) / 7,
        float64_suffix_wraps=lambda: torch.arange(11, dtype=torch.float64) / 7,
        int32_suffix_wraps=lambda: torch.arange(10, 30, dtype=torch.int32) * 1000,
        half_4d=_seeded(lambda: torch.randn(2, 3, 2, 5).half(), 23),
    )


def _autograd():
    def leaf():
        return torch.randn(3, requires_grad=True)

    def leaf64():
        return torch.randn(2, 2, dtype=torch.float64, requires_grad=True)

    return dict(
        requires_grad=_seeded(leaf, 24),
        requires_grad_float64=_seeded(leaf64, 25),
        mul=_seeded(lambda: leaf() * 2, 26),
        sum=_seeded(lambda: leaf().sum(), 27),
        float64_grad_fn=_seeded(lambda: leaf64().exp(), 28),
        wide_grad_fn=_seeded(lambda: torch.randn(3, 9, requires_grad=True).mul(3), 29),
        grad_fn_wraps=_seeded(lambda: torch.randn(6, requires_grad=True) * 2, 31),
        dtype_and_grad_fn_wrap=_seeded(lambda: leaf64().repeat(1, 4).mul(2), 32),
        parameter=_seeded(lambda: torch.nn.Parameter(torch.randn(2, 3)), 30),
        frozen_parameter=lambda: torch.nn.Parameter(torch.ones(2), requires_grad=False),
        parameter_float64=lambda: torch.nn.Parameter(torch.ones(2, dtype=torch.float64)),
        parameter_int=lambda: torch.nn.Parameter(torch.ones(2, dtype=torch.int32), False),
    )


def _random_sweep(count=60):
    """Random dtypes, shapes and magnitudes with special values sprinkled in."""
    dtypes = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.complex64]
    cases = {}
    for seed in range(count):

        def build(seed=seed):
            gen = torch.Generator().manual_seed(1000 + seed)
            ndim = int(torch.randint(0, 4, (), generator=gen))
            shape = torch.randint(1, 7, (ndim,), generator=gen).tolist()
            dtype = dtypes[int(torch.randint(0, len(dtypes), (), generator=gen))]
            scale = 10.0 ** float(torch.randint(-6, 9, (), generator=gen))
            t = torch.randn(shape, generator=gen) * scale
            if float(torch.rand((), generator=gen)) < 0.3:
                t = t.round()
            if t.numel() > 1 and float(torch.rand((), generator=gen)) < 0.3:
                t.view(-1)[0] = [NAN, INF, -0.0, 0.0][seed % 4]
            return t.to(dtype)

        cases[f"sweep{seed}"] = build
    return cases


CASES = {
    **{f"float_{k}": v for k, v in _floats().items()},
    **{f"narrow_{k}": v for k, v in _narrow_floats().items()},
    **{f"int_{k}": v for k, v in _integers_and_bools().items()},
    **{f"empty_{k}": v for k, v in _empties().items()},
    **{f"complex_{k}": v for k, v in _complexes().items()},
    **{f"large_{k}": v for k, v in _large_and_wide().items()},
    **{f"grad_{k}": v for k, v in _autograd().items()},
    **_random_sweep(),
}


@pytest.mark.parametrize("name", CASES)
def test_repr(name):
    check(CASES[name]())


def test_cases_reach_every_branch():
    """The table really exercises summaries, wrapped elements and wrapped suffixes."""
    texts = [repr(build()) for build in CASES.values()]
    assert any("..." in text for text in texts)
    assert any("e+" in text and "e-" in text for text in texts)
    assert any(",\n" + " " * 7 + "dtype=" in text for text in texts)
    assert any(",\n" + " " * 7 + "grad_fn=" in text for text in texts)
    assert any(text.count("\n") > 3 and "..." not in text for text in texts)


OPTION_CASES = [
    "float_randn(3, 4)",
    "float_randn(2, 3, 4)",
    "float_scale1e-05",
    "float_scale1e+08",
    "float_integral",
    "float_negative_zero",
    "float_nonfinite",
    "float_zeros",
    "float_zero_scalar",
    "narrow_half_2d",
    "narrow_bfloat16",
    "int_randint_3d",
    "int_bools_2d",
    "empty_float_3d",
    "empty_int64",
    "complex_complex64_2d",
    "complex_summarized",
    "large_randn_1001",
    "large_arange_2000",
    "large_randn_40x40",
    "large_randn_10x10x11",
    "large_huge_outside_edges",
    "large_wide_vector",
    "grad_wide_grad_fn",
    "sweep7",
]

OPTIONS = {
    "precision0": dict(precision=0),
    "precision2": dict(precision=2),
    "precision10": dict(precision=10),
    "threshold0": dict(threshold=0),
    "threshold5": dict(threshold=5),
    "threshold_inf": dict(threshold=INF),
    "edgeitems0": dict(edgeitems=0),
    "edgeitems0_threshold5": dict(edgeitems=0, threshold=5),
    "edgeitems1": dict(edgeitems=1, threshold=10),
    "edgeitems5": dict(edgeitems=5),
    "linewidth20": dict(linewidth=20),
    "linewidth40": dict(linewidth=40),
    "linewidth200": dict(linewidth=200),
    "sci_on": dict(sci_mode=True),
    "sci_off": dict(sci_mode=False),
    "sci_on_precision2": dict(sci_mode=True, precision=2),
    "profile_short": dict(profile="short"),
    "profile_full": dict(profile="full"),
    "profile_default": dict(profile="default"),
    "profile_short_override": dict(profile="short", precision=6, linewidth=60),
}


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("name", OPTION_CASES)
def test_repr_with_printoptions(name, option):
    t = CASES[name]()
    with torch._tensor_str.printoptions(**OPTIONS[option]), jts.printoptions(**OPTIONS[option]):
        assert jts.get_printoptions() == torch._tensor_str.get_printoptions()
        check(t)


@pytest.mark.parametrize(
    "calls",
    [
        [dict(precision=2), dict(threshold=7)],
        [dict(sci_mode=True), dict(linewidth=50)],
        [dict(profile="full"), dict(edgeitems=1)],
        [dict(profile="short", sci_mode=False)],
        [dict(profile="no such profile", precision=3)],
        [dict(threshold=INF), dict(profile="default")],
    ],
)
def test_set_printoptions_sequence(calls):
    """set_printoptions keeps earlier options but, like torch, resets sci_mode every call."""
    for kwargs in calls:
        torch.set_printoptions(**kwargs)
        jts.set_printoptions(**kwargs)
    assert jts.get_printoptions() == torch._tensor_str.get_printoptions()
    check(torch.tensor([1e-5, 1.23456789, 123.0]))


def test_printoptions_restores():
    jts.set_printoptions(precision=6, sci_mode=True)
    torch.set_printoptions(precision=6, sci_mode=True)
    with jts.printoptions(linewidth=10, profile="short"):
        assert jts.get_printoptions()["linewidth"] == 10
    assert jts.get_printoptions() == torch._tensor_str.get_printoptions()
    with pytest.raises(ZeroDivisionError), jts.printoptions(threshold=1):
        1 / 0
    assert jts.get_printoptions() == torch._tensor_str.get_printoptions()


@pytest.mark.parametrize("default", [torch.float64, torch.float16])
def test_default_dtype(default):
    """The dtype suffix is left out for the default float dtype and its complex partner."""
    builders = [
        lambda: torch.randn(3),
        lambda: torch.randn(3, dtype=torch.float32),
        lambda: torch.randn(2, dtype=torch.float64),
        lambda: torch.randn(2, dtype=torch.complex64),
        lambda: torch.randn(2, dtype=torch.complex128),
        lambda: torch.zeros(0),
        lambda: torch.zeros(0, 2, dtype=torch.float32),
        lambda: torch.zeros(0, dtype=torch.float64),
        lambda: torch.arange(3),
        lambda: torch.tensor(2.5).half(),
        lambda: torch.randn(2, requires_grad=True) * 2,
    ]
    saved = torch.get_default_dtype()
    torch.set_default_dtype(default)
    try:
        torch.manual_seed(0)
        for build in builders:
            check(build())
    finally:
        torch.set_default_dtype(saved)


@pytest.mark.parametrize("device", ["cuda:0", "cuda:1", "mps:0", "meta", "cpu", "cpu:0"])
def test_device_suffix(device):
    """The device suffix comes first and reads as torch's str(torch.device(...)) in quotes."""
    values = torch.tensor([1.5, 2.0]).numpy()
    expected = ["dtype=torch.float16", "requires_grad=True"]
    if torch.device(device).type != "cpu":
        expected.insert(0, f"device='{torch.device(device)}'")
    with jts.printoptions(linewidth=200):
        text = jts.format_tensor(values, "float16", device=device, requires_grad=True)
    assert text == "tensor([1.5000, 2.0000], " + ", ".join(expected) + ")"
    # a suffix too long for the line moves to its own line, indented under the values
    text = jts.format_tensor(values, "float16", device=device, grad_fn_name="A" * 60)
    assert text.endswith(",\n" + " " * 7 + "grad_fn=<" + "A" * 60 + ">)")
