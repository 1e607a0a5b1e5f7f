"""Resampling: pad (constant/reflect/replicate/circular), interpolate (nearest, nearest-exact,
linear, bilinear, bicubic, trilinear, area) and its upsample_* forms, grid_sample,
pixel_shuffle/pixel_unshuffle, channel_shuffle.

Interpolation is separable: each spatial dim is resampled by a gather through a static
``(out, taps)`` index table and a weighted sum, the tables computed on the host with torch's
source-index rules (``area_pixel_compute_source_index``; nearest in float32, as torch's CPU
kernel), so indices agree exactly and gradients are the transposed gathers.
"""

import math

import jax.numpy as jnp
import numpy as np
from jax import lax

from .._errors import check
from ._registry import NONE, T, op
from .nn_pool import _adaptive_avg

# ---- pad -------------------------------------------------------------------------------------------

_NON_CONSTANT = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _pad_pairs(input, pad):
    """torch's flat ``pad`` (last dim first) as per-dim (lo, hi) pairs over every dim."""
    check(len(pad) % 2 == 0, RuntimeError, "Padding length must be divisible by 2")
    k = len(pad) // 2
    check(
        k <= input.ndim,
        RuntimeError,
        lambda: "Padding length should be less than or equal to two times the input dimension but got padding "
        f"length {len(pad)} and input of dimension {input.ndim}",
    )
    pairs = [(0, 0)] * (input.ndim - k)
    pairs += [(int(pad[2 * i]), int(pad[2 * i + 1])) for i in reversed(range(k))]
    return pairs


def _check_non_constant(input, pad, mode, pairs):
    k = len(pad) // 2
    check(
        1 <= k <= 3 and input.ndim in (k + 1, k + 2),
        NotImplementedError,
        lambda: f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
        "Supported combinations for non-constant padding:\n"
        "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
        "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
        "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)",
    )
    batch = input.ndim - k
    check(
        all(s > 0 for s in input.shape[1:]) and (batch == 1 or input.shape[0] >= 0),
        RuntimeError,
        lambda: f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other "
        f"non-zero dimensions for input, but got: {list(input.shape)}",
    )
    for d in range(batch, input.ndim):
        lo, hi = pairs[d]
        size = input.shape[d]
        if mode == "reflect":
            check(
                lo < size and hi < size,
                RuntimeError,
                lambda d=d, lo=lo, hi=hi: f"Argument #4: Padding size should be less than the corresponding "
                f"input dimension, but got: padding ({lo}, {hi}) at dimension {d} of input {list(input.shape)}",
            )
        if mode == "circular":
            check(
                lo <= size and hi <= size,
                RuntimeError,
                "Padding value causes wrapping around more than once.",
            )


@op("nn.functional.pad", promote=NONE, method=False, out=False, grad_name="ConstantPadNdBackward0")
def pad(input: T, pad, mode="constant", value=None):
    """torch.nn.functional.pad: ``pad`` lists (left, right) amounts from the last dim backwards;
    negative amounts crop. Modes: constant (``value``, default 0), reflect, replicate, circular."""
    pairs = _pad_pairs(input, pad)
    if mode == "constant":
        fill = jnp.asarray(0 if value is None else value).astype(input.dtype)
        return lax.pad(input, fill, [(lo, hi, 0) for lo, hi in pairs])
    check(mode in _NON_CONSTANT, NotImplementedError, lambda: f"Unrecognised padding mode {mode}")
    check(
        value is None or value == 0,
        RuntimeError,
        lambda: f'Padding mode "{mode}" doesn\'t take in value argument',
    )
    _check_non_constant(input, pad, mode, pairs)
    if mode == "replicate":  # out[j] = in[clamp(j - lo)], negative amounts included
        x = input
        for d, (lo, hi) in enumerate(pairs):
            if lo or hi:
                x = jnp.take(x, np.clip(np.arange(x.shape[d] + lo + hi) - lo, 0, x.shape[d] - 1), axis=d)
        return x
    cropped = input[tuple(slice(max(-lo, 0), s - max(-hi, 0)) for (lo, hi), s in zip(pairs, input.shape))]
    grow = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
    return jnp.pad(cropped, grow, mode=_NON_CONSTANT[mode])


# ---- interpolate ---------------------------------------------------------------------------------

_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _output_geometry(input, size, scale_factor, mode, recompute_scale_factor):
    """torch.nn.functional.interpolate's size/scale rules: (output sizes, scales or None)."""
    dim = input.ndim - 2
    check(
        size is None or scale_factor is None,
        ValueError,
        "only one of size or scale_factor should be defined",
    )
    if size is not None:
        if isinstance(size, (list, tuple)):
            check(
                len(size) == dim,
                ValueError,
                lambda: "Input and output must have the same number of spatial dimensions, but got input with "
                f"spatial dimensions of {list(input.shape[2:])} and output size of {size}. Please provide input "
                "tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.",
            )
        sizes = [int(s) for s in size] if isinstance(size, (list, tuple)) else [int(size)] * dim
        check(
            recompute_scale_factor is None or not recompute_scale_factor,
            ValueError,
            "recompute_scale_factor is not meaningful with an explicit size.",
        )
        return sizes, None
    check(scale_factor is not None, ValueError, "either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        check(
            len(scale_factor) == dim,
            ValueError,
            lambda: "Input and scale_factor must have the same number of spatial dimensions, but got input "
            f"with spatial dimensions of {list(input.shape[2:])} and scale_factor of shape {scale_factor}. "
            "Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) "
            "format.",
        )
        scales = [float(s) for s in scale_factor]
    else:
        scales = [float(scale_factor)] * dim
    sizes = [math.floor(s * f) for s, f in zip(input.shape[2:], scales)]
    if mode == "area" or recompute_scale_factor:
        return sizes, None
    return sizes, scales


def _nearest_table(size, out, scale, exact):
    """torch's nearest_idx / nearest_neighbor_exact_compute_source_index (float32 scale)."""
    s = np.float32(1.0 / scale) if scale else np.float32(size) / np.float32(out)
    dst = np.arange(out, dtype=np.float32)
    if not exact and out == size:
        src = np.arange(out)
    elif not exact and out == 2 * size:
        src = np.arange(out) >> 1
    else:
        src = np.floor((dst + np.float32(0.5 if exact else 0.0)) * s).astype(np.int64)
    return np.minimum(src, size - 1)[:, None], None


def _source_index(size, out, align_corners, scale, cubic):
    if align_corners:
        ratio = (size - 1) / (out - 1) if out > 1 else 0.0
        return ratio * np.arange(out)
    ratio = 1.0 / scale if scale else size / out
    src = ratio * (np.arange(out) + 0.5) - 0.5
    return src if cubic else np.maximum(src, 0.0)


def _linear_table(size, out, align_corners, scale):
    src = _source_index(size, out, align_corners, scale, False)
    i0 = np.floor(src).astype(np.int64)
    lam = np.clip(src - i0, 0.0, 1.0)
    i1 = i0 + (i0 < size - 1)
    return np.stack([i0, i1], 1), np.stack([1 - lam, lam], 1)


def _cubic_weights(t):
    """torch's cubic convolution coefficients (A = -0.75) of the four taps around offset ``t``
    (numpy or jax arrays)."""
    a = -0.75

    def near(s):
        return ((a + 2) * s - (a + 3)) * s * s + 1

    def far(s):
        return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _cubic_table(size, out, align_corners, scale):
    src = _source_index(size, out, align_corners, scale, True)
    i0 = np.floor(src).astype(np.int64)
    weights = np.stack(_cubic_weights(src - i0), 1)
    idx = np.clip(i0[:, None] + np.arange(-1, 3)[None, :], 0, size - 1)
    return idx, weights


def _resample(x, tables):
    """Apply per-dim (index, weight) tables to the spatial dims of ``x``."""
    for d, (idx, w) in enumerate(tables):
        axis = 2 + d
        g = jnp.take(x, idx.reshape(-1), axis=axis, mode="clip")
        g = g.reshape(x.shape[:axis] + idx.shape + x.shape[axis + 1 :])
        if w is None:
            x = jnp.squeeze(g, axis + 1)
        else:
            wshape = idx.shape + (1,) * (x.ndim - axis - 1)
            x = jnp.sum(g * jnp.asarray(w.reshape(wshape), x.dtype), axis=axis + 1)
    return x


@op("nn.functional.interpolate", promote=NONE, method=False, out=False, grad_name="UpsampleBackward0")
def interpolate(
    input: T, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None,
    antialias=False,
):
    """torch.nn.functional.interpolate: resizes the spatial dims of ``(N, C, *spatial)``.

    Differences from torch: ``antialias=True`` raises NotImplementedError."""
    interpolating = mode in _MODE_DIMS
    if not interpolating:
        check(
            align_corners is None,
            ValueError,
            "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | "
            "trilinear",
        )
    align_corners = bool(align_corners)
    check(not antialias, NotImplementedError, "interpolate(antialias=True) is not supported by jtorch")
    modes = ("nearest", "nearest-exact", "area") + tuple(_MODE_DIMS)
    check(
        input.ndim in (3, 4, 5) and mode in modes,
        NotImplementedError,
        lambda: f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the modes: "
        f"nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got {mode})",
    )
    if interpolating:
        need = _MODE_DIMS[mode] + 2
        check(
            input.ndim == need,
            NotImplementedError,
            lambda: f"Got {input.ndim}D input, but {mode} mode needs {need}D input",
        )
    sizes, scales = _output_geometry(input, size, scale_factor, mode, recompute_scale_factor)
    check(
        all(s > 0 for s in sizes),
        RuntimeError,
        lambda: f"Input and output sizes should be greater than 0, but got input ({', '.join(map(str, input.shape[2:]))}) "
        f"and output ({', '.join(map(str, sizes))})",
    )
    if mode == "area":
        return _adaptive_avg(input.ndim - 2, input, tuple(sizes))
    scales = scales or [None] * len(sizes)
    if mode in ("nearest", "nearest-exact"):
        tables = [_nearest_table(i, o, s, mode == "nearest-exact") for i, o, s in zip(input.shape[2:], sizes, scales)]
    else:
        make = _cubic_table if mode == "bicubic" else _linear_table
        tables = [make(i, o, align_corners, s) for i, o, s in zip(input.shape[2:], sizes, scales)]
    return _resample(input, tables)


def upsample_nearest(input, size=None, scale_factor=None):
    """torch.nn.functional.upsample_nearest (deprecated in torch): nearest interpolation."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """torch.nn.functional.upsample_bilinear (deprecated in torch): bilinear, align_corners=True."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """torch.nn.functional.upsample (deprecated in torch): ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)


# ---- pixel and channel shuffles ----------------------------------------------------------------------


def _check_shuffle(name, input, r, factor):
    check(
        input.ndim >= 3,
        RuntimeError,
        lambda: f"{name} expects input to have at least 3 dimensions, but got input with {input.ndim} "
        "dimension(s)",
    )
    check(r > 0, RuntimeError, lambda: f"{name} expects a positive {factor}, but got {r}")


@op(promote=NONE, method=False, out=False, grad_name="PixelShuffleBackward0")
def pixel_shuffle(input: T, upscale_factor):
    """torch.pixel_shuffle: ``(*, C * r**2, H, W)`` to ``(*, C, H * r, W * r)``."""
    r = upscale_factor
    _check_shuffle("pixel_shuffle", input, r, "upscale_factor")
    c, h, w = input.shape[-3:]
    check(
        c % (r * r) == 0,
        RuntimeError,
        lambda: "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
        f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}",
    )
    lead = input.shape[:-3]
    x = input.reshape(lead + (c // (r * r), r, r, h, w))
    k = len(lead)
    x = x.transpose(tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2))
    return x.reshape(lead + (c // (r * r), h * r, w * r))


@op(promote=NONE, method=False, out=False, grad_name="PixelUnshuffleBackward0")
def pixel_unshuffle(input: T, downscale_factor):
    """torch.pixel_unshuffle: ``(*, C, H * r, W * r)`` to ``(*, C * r**2, H, W)``."""
    r = downscale_factor
    _check_shuffle("pixel_unshuffle", input, r, "downscale_factor")
    c, h, w = input.shape[-3:]
    for what, n, d in (("height", h, -2), ("width", w, -1)):
        check(
            n % r == 0,
            RuntimeError,
            lambda what=what, n=n, d=d: f"pixel_unshuffle expects {what} to be divisible by downscale_factor, "
            f"but input.size({d})={n} is not divisible by {r}",
        )
    lead = input.shape[:-3]
    x = input.reshape(lead + (c, h // r, r, w // r, r))
    k = len(lead)
    x = x.transpose(tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3))
    return x.reshape(lead + (c * r * r, h // r, w // r))


@op(promote=NONE, method=False, out=False, grad_name="CloneBackward0")
def channel_shuffle(input: T, groups):
    """torch.channel_shuffle: splits the channels (dim 1) into ``groups`` and interleaves them."""
    check(
        input.ndim > 2,
        RuntimeError,
        lambda: f"channel_shuffle expects input to have at least 3 dimensions, but got input with {input.ndim} "
        "dimension(s)",
    )
    check(groups > 0, RuntimeError, lambda: f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    c = input.shape[1]
    check(
        c % groups == 0,
        RuntimeError,
        lambda: f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.",
    )
    n, rest = input.shape[0], input.shape[2:]
    x = input.reshape((n, groups, c // groups) + rest)
    return jnp.swapaxes(x, 1, 2).reshape(input.shape)


# ---- grid_sample ----------------------------------------------------------------------------------

_INTERP = {"bilinear": 0, "nearest": 1, "bicubic": 2}
_PADDING = {"zeros": 0, "border": 1, "reflection": 2}


def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(x, twice_low, twice_high):
    if twice_low == twice_high:
        return jnp.zeros_like(x)
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    x = jnp.abs(x - low)
    extra, flips = jnp.fmod(x, span), jnp.floor(x / span)
    return jnp.where(flips % 2 == 0, extra + low, span - extra + low)


def _apply_padding(x, size, padding_mode, align_corners):
    """torch's grid_sampler_compute_source_index padding step (border/reflection)."""
    if padding_mode == 2:
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
    if padding_mode in (1, 2):
        x = jnp.clip(x, 0, size - 1)
    return x


def _gather_points(x, coords):
    """``x`` ``(N, C, *spatial)`` read at integer points ``coords`` (each ``(N, *out)``);
    points outside the input read 0."""
    spatial = x.shape[2:]
    inside = True
    flat = 0
    for c, size in zip(coords, spatial):
        inside = inside & (c >= 0) & (c < size)
        flat = flat * size + jnp.clip(c, 0, size - 1)
    n = x.shape[0]
    vals = jnp.take_along_axis(x.reshape(n, x.shape[1], -1), flat.reshape(n, 1, -1), axis=2)
    vals = vals.reshape(x.shape[:2] + coords[0].shape[1:])
    return jnp.where(inside[:, None], vals, 0)


def _grid_sample(input, grid, interpolation_mode, padding_mode, align_corners):
    n = input.ndim - 2
    spatial = input.shape[2:]
    # grid's last dim lists x (the last spatial dim) first
    raw = [_unnormalize(grid[..., n - 1 - d], spatial[d], align_corners) for d in range(n)]
    if interpolation_mode == 2:  # bicubic pads each tap, as torch's get_value_bounded
        base = [jnp.floor(r) for r in raw]
        weights = [_cubic_weights(r - b) for r, b in zip(raw, base)]
        out = 0
        for taps in np.ndindex(*(4,) * n):
            pts, w = [], 1
            for d, k in enumerate(taps):
                c = _apply_padding(base[d] + (k - 1), spatial[d], padding_mode, align_corners)
                pts.append(c.astype(jnp.int64))
                w = w * weights[d][k]
            out = out + _gather_points(input, pts) * w[:, None]
        return out
    src = [_apply_padding(r, s, padding_mode, align_corners) for r, s in zip(raw, spatial)]
    if interpolation_mode == 1:
        return _gather_points(input, [jnp.round(s).astype(jnp.int64) for s in src])
    low = [jnp.floor(s) for s in src]
    out = 0
    for corner in np.ndindex(*(2,) * n):
        pts, w = [], 1
        for d, k in enumerate(corner):
            frac = src[d] - low[d]
            w = w * (frac if k else 1 - frac)
            pts.append(low[d].astype(jnp.int64) + k)
        out = out + _gather_points(input, pts) * w[:, None]
    return out


def _grid_checks(input, grid, interpolation_mode):
    n = input.ndim - 2
    check(
        input.ndim in (4, 5) and grid.ndim == input.ndim,
        RuntimeError,
        lambda: f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but got input "
        f"with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}",
    )
    check(
        input.shape[0] == grid.shape[0],
        RuntimeError,
        lambda: "grid_sampler(): expected grid and input to have same batch size, but got input with sizes "
        f"{list(input.shape)} and grid with sizes {list(grid.shape)}",
    )
    check(
        grid.shape[-1] == n,
        RuntimeError,
        lambda: f"grid_sampler(): expected grid to have size {n} in last dimension, but got grid with sizes "
        f"{list(grid.shape)}",
    )
    check(
        not (n == 3 and interpolation_mode == 2),
        RuntimeError,
        "grid_sampler(): bicubic interpolation only supports 4D input",
    )
    check(
        input.dtype == grid.dtype,
        RuntimeError,
        lambda: f"grid_sampler(): expected input and grid to have the same dtype, but input has "
        f"{input.dtype} and grid has {grid.dtype}",
    )


@op("nn.functional.grid_sample", promote=NONE, method=False, out=False, grad_name="GridSampler2DBackward0")
def grid_sample(input: T, grid: T, mode="bilinear", padding_mode="zeros", align_corners=None):
    """torch.nn.functional.grid_sample: samples ``input`` at the normalized ``[-1, 1]`` points of
    ``grid`` (``(N, H_out, W_out, 2)``, or 5-d for volumes)."""
    check(mode in _INTERP, ValueError, lambda: f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '{mode}'")
    check(
        padding_mode in _PADDING,
        ValueError,
        lambda: "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', "
        f"but got: '{padding_mode}'",
    )
    _grid_checks(input, grid, _INTERP[mode])
    return _grid_sample(input, grid, _INTERP[mode], _PADDING[padding_mode], bool(align_corners))


@op(promote=NONE, method=False, out=False, grad_name="GridSampler2DBackward0")
def grid_sampler_2d(input: T, grid: T, interpolation_mode, padding_mode, align_corners):
    """aten grid_sampler_2d: ``grid_sample`` with integer mode codes."""
    check(input.ndim == 4, RuntimeError, "grid_sampler(): expected 4D input")
    _grid_checks(input, grid, interpolation_mode)
    return _grid_sample(input, grid, interpolation_mode, padding_mode, align_corners)


@op(promote=NONE, method=False, out=False, grad_name="GridSampler3DBackward0")
def grid_sampler_3d(input: T, grid: T, interpolation_mode, padding_mode, align_corners):
    """aten grid_sampler_3d: volumetric ``grid_sample`` with integer mode codes."""
    check(input.ndim == 5, RuntimeError, "grid_sampler(): expected 5D input")
    _grid_checks(input, grid, interpolation_mode)
    return _grid_sample(input, grid, interpolation_mode, padding_mode, align_corners)
