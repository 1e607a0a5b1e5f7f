"""Convolution, pooling, normalization, padding, resampling and attention functionals
(jtorch/_ops/nn_conv.py, nn_pool.py, nn_norm.py, nn_resample.py, nn_attention.py) against real
torch, for what op_db does not reach: 'same' padding with even kernels, groups, batch norm's
in-place running-statistics update, max-pool ceil_mode shapes and tie gradients, the
interpolate align_corners table, torch's messages for the commonest mistakes, and the
namespace identities.
"""

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import assert_close, same

RNG = np.random.default_rng(0)


def arr(*shape, dtype="float64"):
    return RNG.standard_normal(shape).astype(dtype)


# ---- convolution -----------------------------------------------------------------------------------

CONV = [
    ("same_even_kernel", lambda F, x, w: F.conv2d(x, w, padding="same"), (1, 2, 5, 6), (3, 2, 2, 4)),
    ("same_dilated", lambda F, x, w: F.conv1d(x, w, padding="same", dilation=3), (2, 2, 9), (4, 2, 2)),
    ("valid", lambda F, x, w: F.conv1d(x, w, padding="valid"), (2, 2, 9), (4, 2, 3)),
    ("groups", lambda F, x, w: F.conv2d(x, w, stride=2, padding=1, groups=2), (2, 4, 7, 7), (6, 2, 3, 3)),
    ("unbatched", lambda F, x, w: F.conv2d(x, w), (2, 5, 5), (3, 2, 3, 3)),
    (
        "transpose_groups",
        lambda F, x, w: F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1, groups=2, dilation=1),
        (1, 4, 4, 3),
        (4, 3, 3, 3),
    ),
    ("transpose_dilated", lambda F, x, w: F.conv_transpose1d(x, w, stride=3, dilation=2), (2, 2, 5), (2, 3, 3)),
]


@pytest.mark.parametrize("name,fn,xs,ws", CONV, ids=[c[0] for c in CONV])
def test_conv(name, fn, xs, ws):
    same(lambda lib, x, w: fn(lib.nn.functional, x, w), arr(*xs), arr(*ws))


# ---- pooling -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 6])
def test_max_pool_ceil_mode_shapes(size):
    x = arr(1, 2, size, size + 1)
    same(lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True), x)
    same(lambda lib, x: lib.nn.functional.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), x)


@pytest.mark.parametrize("indices", [True, False])
def test_max_pool_ties_route_to_first(indices):
    x = np.array([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 3.0, 3.0], [0.0, 0.0, 5.0, 5.0], [5.0, 5.0, 5.0, 5.0]]]])
    same(lambda lib, x: lib.nn.functional.max_pool2d(x, 2, 1, return_indices=indices), x)
    same(lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, (3, 2), return_indices=indices), x)


@pytest.mark.parametrize("indices", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_max_pool_nan_windows(indices, dtype):
    """torch's kernels take ``val > max || isnan(val)``: a window's value is NaN and its gradient
    (and index) goes to the window's last NaN."""
    x = arr(2, 2, 6, 7, dtype=dtype)
    x[0, 0, :, 0] = x[0, 1, 1:3, 2:5] = x[1, 0, 2, 2] = np.nan
    for call in (
        lambda F, x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=indices),
        lambda F, x: F.max_pool2d(x, (2, 3), 1, dilation=(2, 1), return_indices=indices),
        lambda F, x: F.max_pool1d(x[0], 3, 1, return_indices=indices),
        lambda F, x: F.adaptive_max_pool2d(x, (4, 3), return_indices=indices),
    ):
        same(lambda lib, x, call=call: call(lib.nn.functional, x), x)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_avg_pool_half_precision_rounds_once(dtype):
    """torch sums and divides a half-precision window in float32 and rounds once, so the values
    are torch's exactly (summing in the input's dtype differs in most elements)."""
    x = arr(2, 3, 16, 16) * 3
    for kw in ({"kernel_size": 4, "stride": 1, "padding": 2}, {"kernel_size": 3, "stride": 2, "ceil_mode": True}):
        expected, actual = (
            lib.nn.functional.avg_pool2d(lib.tensor(x).to(getattr(lib, dtype)), **kw).float().numpy()
            for lib in (torch, jtorch)
        )
        np.testing.assert_array_equal(actual, expected)


def test_avg_pool_divisors():
    x = arr(1, 1, 5, 5)
    same(lambda lib, x: lib.nn.functional.avg_pool2d(x, 3, 2, 1, ceil_mode=True), x)
    same(lambda lib, x: lib.nn.functional.avg_pool2d(x, 2, divisor_override=3), x)


def test_max_unpool_roundtrip():
    def fn(lib, x):
        out, idx = lib.nn.functional.max_pool2d(x, 2, return_indices=True)
        return lib.nn.functional.max_unpool2d(out, idx, 2, output_size=x.shape)

    same(fn, arr(2, 3, 5, 4))


# ---- normalization --------------------------------------------------------------------------------------


@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_batch_norm_updates_running_stats(momentum):
    x = arr(4, 3, 5)
    stats = {}
    for lib in (torch, jtorch):
        mean, var = lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
        out = lib.nn.functional.batch_norm(lib.tensor(x), mean, var, training=True, momentum=momentum)
        stats[lib.__name__] = (out, mean, var)
    for j, t in zip(stats["jtorch"], stats["torch"]):
        assert_close(j, t)


def test_batch_norm_eval_and_affine():
    def fn(lib, x, w, b):
        mean, var = lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64) * 2
        return lib.nn.functional.batch_norm(x, mean, var, w, b)

    same(fn, arr(4, 3, 2, 2), arr(3), arr(3))


def test_instance_norm_running_stats():
    x = arr(2, 3, 6)
    got = {}
    for lib in (torch, jtorch):
        mean, var = lib.zeros(3, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
        lib.nn.functional.instance_norm(lib.tensor(x), mean, var)
        got[lib.__name__] = (mean, var)
    assert_close(got["jtorch"], got["torch"])


def test_norm_defaults():
    x = arr(2, 4, 3)
    same(lambda lib, x: lib.nn.functional.layer_norm(x, (4, 3)), x)
    same(lambda lib, x: lib.nn.functional.group_norm(x, 2), x)
    same(lambda lib, x: lib.nn.functional.rms_norm(x, [3]), x)


# ---- padding and resampling ------------------------------------------------------------------------------

ALIGN = [
    (mode, ac, size) for mode in ("linear", "bilinear", "bicubic") for ac in (True, False) for size in (3, 8)
]


@pytest.mark.parametrize("mode,align_corners,size", ALIGN)
def test_interpolate_align_corners(mode, align_corners, size):
    x = arr(1, 1, 5) if mode == "linear" else arr(1, 1, 4, 5)
    same(lambda lib, x: lib.nn.functional.interpolate(x, size=size, mode=mode, align_corners=align_corners), x)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "area"])
@pytest.mark.parametrize("scale", [0.6, 1.7])
def test_interpolate_scale_factor(mode, scale):
    same(lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=scale, mode=mode), arr(1, 2, 5, 7))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_modes(mode):
    same(lambda lib, x: lib.nn.functional.pad(x, (2, 1, 1, 2), mode=mode), arr(1, 2, 3, 4))


def test_pad_constant_value_and_crop():
    same(lambda lib, x: lib.nn.functional.pad(x, (1, -1, 0, 2), value=7.0), arr(2, 3, 4))


# ---- attention ---------------------------------------------------------------------------------------------


def test_sdpa_bool_mask_and_gqa():
    mask = RNG.random((3, 5)) > 0.3
    mask[:, 0] = True

    def fn(lib, q, k, v):
        return lib.nn.functional.scaled_dot_product_attention(
            q, k, v, attn_mask=lib.tensor(mask), scale=0.3, enable_gqa=True
        )

    same(fn, arr(2, 4, 3, 8), arr(2, 2, 5, 8), arr(2, 2, 5, 6))


def test_sdpa_causal():
    same(lambda lib, q, k, v: lib.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True), arr(2, 4, 8), arr(2, 4, 8), arr(2, 4, 8))


# ---- torch's messages for the commonest mistakes ---------------------------------------------------------

ERRORS = [
    ("conv_channels", lambda F, t: F.conv2d(t(1, 3, 5, 5), t(4, 2, 3, 3))),
    ("conv_rank", lambda F, t: F.conv2d(t(3, 5), t(4, 3, 3, 3))),
    ("conv_groups", lambda F, t: F.conv2d(t(1, 4, 5, 5), t(4, 2, 3, 3), groups=3)),
    ("conv_kernel_too_big", lambda F, t: F.conv2d(t(1, 3, 2, 2), t(4, 3, 3, 3))),
    ("conv_same_strided", lambda F, t: F.conv2d(t(1, 3, 5, 5), t(4, 3, 3, 3), stride=2, padding="same")),
    ("conv_bias", lambda F, t: F.conv2d(t(1, 3, 5, 5), t(4, 3, 3, 3), bias=t(3))),
    ("conv_transpose_channels", lambda F, t: F.conv_transpose2d(t(1, 3, 5, 5), t(4, 3, 3, 3))),
    ("max_pool_rank", lambda F, t: F.max_pool2d(t(5, 5), 2)),
    ("max_pool_pad", lambda F, t: F.max_pool2d(t(1, 1, 5, 5), 2, padding=2)),
    ("pool_too_small", lambda F, t: F.max_pool2d(t(1, 1, 1, 1), 3)),
    ("batch_norm_stats_size", lambda F, t: F.batch_norm(t(2, 3), t(4), t(4))),
    ("batch_norm_one_value", lambda F, t: F.batch_norm(t(1, 3), t(3), t(3), training=True)),
    ("layer_norm_shape", lambda F, t: F.layer_norm(t(2, 3), (4,))),
    ("group_norm_groups", lambda F, t: F.group_norm(t(2, 6, 3), 4)),
    ("pad_odd", lambda F, t: F.pad(t(2, 3), (1, 2, 3))),
    ("pad_reflect_too_big", lambda F, t: F.pad(t(2, 3), (3, 3), mode="reflect")),
    ("interp_mode_rank", lambda F, t: F.interpolate(t(1, 1, 4), scale_factor=2, mode="bilinear")),
    ("interp_no_size", lambda F, t: F.interpolate(t(1, 1, 4), mode="linear")),
    ("interp_align_nearest", lambda F, t: F.interpolate(t(1, 1, 4), size=3, align_corners=True)),
    ("pixel_shuffle_channels", lambda F, t: F.pixel_shuffle(t(5, 2, 3), 2)),
]


@pytest.mark.parametrize("name,fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_error_messages(name, fn):
    def run(lib):
        return fn(lib.nn.functional, lambda *s: lib.zeros(*s))

    with pytest.raises(Exception) as te:
        run(torch)
    with pytest.raises(type(te.value)) as je:
        run(jtorch)
    assert str(je.value) == str(te.value)


# ---- namespaces --------------------------------------------------------------------------------------------


def test_namespace_identities():
    F = jtorch.nn.functional
    assert jtorch.conv2d is F.conv2d and jtorch.conv_transpose3d is F.conv_transpose3d
    assert jtorch.pixel_shuffle is F.pixel_shuffle and jtorch.channel_shuffle is F.channel_shuffle
    assert jtorch.max_pool2d is F.max_pool2d and jtorch.rms_norm is F.rms_norm
    assert jtorch.Tensor.__dict__.get("conv2d") is None  # torch has no Tensor.conv2d


@pytest.mark.parametrize(
    "output_size, kernel, kw",
    [((4, 5), (2, 2), {}), ((6, 7), (3, 2), {"stride": 2, "padding": 1}), ((5, 5), 2, {"dilation": 2})],
)
def test_fold_inverts_unfold_layout(output_size, kernel, kw):
    # fold is not in op_db: compare with torch, values and gradients, batched and unbatched
    def blocks(lib, x):
        return lib.nn.functional.fold(x, output_size, kernel, **kw)

    x = torch.nn.functional.unfold(torch.zeros(1, 2, *output_size), kernel, **kw)
    same(blocks, arr(2, *x.shape[1:]))
    same(blocks, arr(*x.shape[1:]))
