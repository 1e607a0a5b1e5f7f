"""Convolutions: conv1d/2d/3d, conv_transpose1d/2d/3d (``jax.lax.conv_general_dilated``), and
unfold/fold (im2col/col2im) as strided slices.

Every function takes torch's batched ``(N, C, *spatial)`` input or the unbatched ``(C,
*spatial)`` form, and torch's int-or-tuple ``stride``/``padding``/``dilation`` arguments.
"""

import jax.numpy as jnp
from jax import lax

from .._errors import check
from ._registry import NONE, T, op

# ---- argument normalisation (shared with pooling) ------------------------------------------------


def tuple_arg(v, n, name="argument"):
    """torch's int-or-sequence argument as an ``n``-tuple of ints."""
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return tuple(int(v[0]) for _ in range(n))
        check(
            len(v) == n,
            RuntimeError,
            lambda: f"expected {name} to be a single integer value or a list of {n} values to match the "
            f"convolution dimensions, but got {name}={list(v)}",
        )
        return tuple(int(x) for x in v)
    return (int(v),) * n


def batched(x, n, name):
    """``x`` with a batch dim (and whether one was added): torch's unbatched form is accepted."""
    check(
        x.ndim in (n + 1, n + 2),
        RuntimeError,
        lambda: f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {name}, but got input of "
        f"size: {list(x.shape)}",
    )
    return (x, False) if x.ndim == n + 2 else (x[None], True)


def _dims(n):
    spatial = "DHW"[3 - n :]
    return ("NC" + spatial, "OI" + spatial, "NC" + spatial)


# ---- convolution -----------------------------------------------------------------------------------


def _conv_checks(name, x, weight, bias, groups, n, transposed, stride, dilation):
    check(
        x.dtype == weight.dtype,
        RuntimeError,
        lambda: f"expected scalar type {_title(x.dtype)} but found {_title(weight.dtype)}",
    )
    check(weight.ndim == n + 2, RuntimeError, "weight should have at least three dimensions")
    check(groups > 0, RuntimeError, "non-positive groups is not supported")
    check(all(s > 0 for s in stride), RuntimeError, "non-positive stride is not supported")
    check(all(d > 0 for d in dilation), RuntimeError, "dilation should be greater than zero")
    in_ch = x.shape[1]
    if transposed:
        check(
            in_ch == weight.shape[0],
            RuntimeError,
            lambda: f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
            f"{list(x.shape)} to have {weight.shape[0]} channels, but got {in_ch} channels instead",
        )
        out_ch = weight.shape[1] * groups
    else:
        check(
            weight.shape[0] % groups == 0,
            RuntimeError,
            lambda: f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{list(weight.shape)}] instead",
        )
        check(
            in_ch == weight.shape[1] * groups,
            RuntimeError,
            lambda: f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
            f"{list(x.shape)} to have {weight.shape[1] * groups} channels, but got {in_ch} channels instead",
        )
        out_ch = weight.shape[0]
    if bias is not None:
        check(
            bias.ndim == 1 and bias.shape[0] == out_ch,
            RuntimeError,
            lambda: f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
            f"{out_ch} elements, but got bias of size {list(bias.shape)} instead",
        )
        check(
            bias.dtype == x.dtype,
            RuntimeError,
            lambda: f"Input type ({_title(x.dtype)}) and bias type ({_title(bias.dtype)}) should be the same",
        )


def _title(jdt):
    from .reduction import title

    return title(jdt)


def _padding(padding, n, kernel, dilation, stride):
    """Explicit (lo, hi) pairs for torch's ``padding`` (ints or 'same'/'valid')."""
    if isinstance(padding, str):
        check(padding in ("same", "valid"), RuntimeError, lambda: f"Invalid padding string: '{padding}'")
        if padding == "valid":
            return [(0, 0)] * n
        check(
            all(s == 1 for s in stride),
            RuntimeError,
            "padding='same' is not supported for strided convolutions",
        )
        total = [d * (k - 1) for d, k in zip(dilation, kernel)]
        return [(t // 2, t - t // 2) for t in total]
    pads = tuple_arg(padding, n, "padding")
    check(all(p >= 0 for p in pads), RuntimeError, "negative padding is not supported")
    return [(p, p) for p in pads]


def _conv(name, n, input, weight, bias, stride, padding, dilation, groups):
    x, unbatched = batched(input, n, name)
    stride, dilation = tuple_arg(stride, n, "stride"), tuple_arg(dilation, n, "dilation")
    _conv_checks(name, x, weight, bias, groups, n, False, stride, dilation)
    kernel = weight.shape[2:]
    pads = _padding(padding, n, kernel, dilation, stride)
    padded = [s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads)]
    check(
        all(p >= d * (k - 1) + 1 for p, k, d in zip(padded, kernel, dilation)),
        RuntimeError,
        lambda: f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
        f"({' x '.join(str(d * (k - 1) + 1) for k, d in zip(kernel, dilation))}). Kernel size can't be "
        "greater than actual input size",
    )
    out = lax.conv_general_dilated(
        x, weight, stride, pads, rhs_dilation=dilation, dimension_numbers=_dims(n),
        feature_group_count=groups, precision=lax.Precision.HIGHEST,
    )
    if bias is not None:
        out = out + bias.reshape((1, -1) + (1,) * n)
    return out[0] if unbatched else out


@op("nn.functional.conv1d", promote=NONE, method=False, out=False, grad_name="ConvolutionBackward0")
def conv1d(input: T, weight: T, bias: T = None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv1d: 1-d cross-correlation over ``(N, C_in, L)``."""
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


@op("nn.functional.conv2d", promote=NONE, method=False, out=False, grad_name="ConvolutionBackward0")
def conv2d(input: T, weight: T, bias: T = None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv2d: 2-d cross-correlation over ``(N, C_in, H, W)``."""
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


@op("nn.functional.conv3d", promote=NONE, method=False, out=False, grad_name="ConvolutionBackward0")
def conv3d(input: T, weight: T, bias: T = None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv3d: 3-d cross-correlation over ``(N, C_in, D, H, W)``."""
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose(name, n, input, weight, bias, stride, padding, output_padding, groups, dilation):
    x, unbatched = batched(input, n, name)
    stride, dilation = tuple_arg(stride, n, "stride"), tuple_arg(dilation, n, "dilation")
    pads, opad = tuple_arg(padding, n, "padding"), tuple_arg(output_padding, n, "output_padding")
    check(all(p >= 0 for p in pads), RuntimeError, "negative padding is not supported")
    check(all(p >= 0 for p in opad), RuntimeError, "negative output_padding is not supported")
    check(
        all(o < s or o < d for o, s, d in zip(opad, stride, dilation)),
        RuntimeError,
        "output padding must be smaller than either stride or dilation",
    )
    _conv_checks(name, x, weight, bias, groups, n, True, stride, dilation)
    kernel = weight.shape[2:]
    # The transpose of a strided convolution: dilate the input by the stride, pad by the
    # kernel's reach less torch's padding, and correlate with the flipped, in/out-swapped kernel.
    cin, cout_g = weight.shape[0], weight.shape[1]
    w = weight.reshape((groups, cin // groups, cout_g) + kernel)
    w = jnp.swapaxes(w, 1, 2).reshape((groups * cout_g, cin // groups) + kernel)
    w = jnp.flip(w, axis=tuple(range(2, n + 2)))
    lohi = [(d * (k - 1) - p, d * (k - 1) - p + o) for k, d, p, o in zip(kernel, dilation, pads, opad)]
    out = lax.conv_general_dilated(
        x, w, (1,) * n, lohi, lhs_dilation=stride, rhs_dilation=dilation,
        dimension_numbers=_dims(n), feature_group_count=groups, precision=lax.Precision.HIGHEST,
    )
    if bias is not None:
        out = out + bias.reshape((1, -1) + (1,) * n)
    return out[0] if unbatched else out


@op("nn.functional.conv_transpose1d", promote=NONE, method=False, out=False, grad_name="ConvolutionBackward0")
def conv_transpose1d(
    input: T, weight: T, bias: T = None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """torch.nn.functional.conv_transpose1d (a "deconvolution"); weight ``(C_in, C_out/groups, k)``."""
    return _conv_transpose(
        "conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


@op("nn.functional.conv_transpose2d", promote=NONE, method=False, out=False, grad_name="ConvolutionBackward0")
def conv_transpose2d(
    input: T, weight: T, bias: T = None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """torch.nn.functional.conv_transpose2d; weight ``(C_in, C_out/groups, kH, kW)``."""
    return _conv_transpose(
        "conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


@op("nn.functional.conv_transpose3d", promote=NONE, method=False, out=False, grad_name="ConvolutionBackward0")
def conv_transpose3d(
    input: T, weight: T, bias: T = None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """torch.nn.functional.conv_transpose3d; weight ``(C_in, C_out/groups, kD, kH, kW)``."""
    return _conv_transpose(
        "conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups, dilation
    )


# ---- unfold / fold (im2col / col2im) -----------------------------------------------------------------


def _im2col_geometry(spatial, kernel_size, dilation, padding, stride):
    kernel, dil = tuple_arg(kernel_size, 2, "kernel_size"), tuple_arg(dilation, 2, "dilation")
    pad, st = tuple_arg(padding, 2, "padding"), tuple_arg(stride, 2, "stride")
    check(all(k > 0 for k in kernel), RuntimeError, lambda: f"kernel size should be greater than zero, but got kernel_height: {kernel[0]} kernel_width: {kernel[1]}")
    check(all(s > 0 for s in st), RuntimeError, lambda: f"stride should be greater than zero, but got stride_height: {st[0]} stride_width: {st[1]}")
    check(all(d > 0 for d in dil), RuntimeError, lambda: f"dilation should be greater than zero, but got dilation_height: {dil[0]} dilation_width: {dil[1]}")
    check(all(p >= 0 for p in pad), RuntimeError, lambda: f"padding should be non-negative, but got pad_height: {pad[0]} pad_width: {pad[1]}")
    blocks = tuple((s + 2 * p - d * (k - 1) - 1) // t + 1 for s, p, d, k, t in zip(spatial, pad, dil, kernel, st))
    return kernel, dil, pad, st, blocks


def _window_slices(kernel, dil, st, blocks):
    """The strided slice of the padded image each kernel offset reads, in torch's (kh, kw) order."""
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            yield (
                slice(i * dil[0], i * dil[0] + st[0] * (blocks[0] - 1) + 1, st[0]),
                slice(j * dil[1], j * dil[1] + st[1] * (blocks[1] - 1) + 1, st[1]),
            )


@op("nn.functional.unfold", promote=NONE, method=False, out=False, grad_name="Im2ColBackward0")
def unfold(input: T, kernel_size, dilation=1, padding=0, stride=1):
    """torch.nn.functional.unfold (im2col): sliding blocks of ``(N, C, H, W)`` as
    ``(N, C * kH * kW, L)``."""
    check(
        input.ndim in (3, 4) and all(s > 0 for s in input.shape[-3:]),
        RuntimeError,
        lambda: "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
        f"dimensions for input, but got: {list(input.shape)}",
    )
    x = input if input.ndim == 4 else input[None]
    kernel, dil, pad, st, blocks = _im2col_geometry(x.shape[2:], kernel_size, dilation, padding, stride)
    check(
        all(b >= 1 for b in blocks),
        RuntimeError,
        lambda: f"Given input with spatial size ({x.shape[2]}, {x.shape[3]}), kernel_size=({kernel[0]}, "
        f"{kernel[1]}), dilation=({dil[0]}, {dil[1]}), padding=({pad[0]}, {pad[1]}), calculated shape of "
        f"the array of sliding blocks as ({blocks[0]}, {blocks[1]}), but its components must be at least "
        "one.",
    )
    x = jnp.pad(x, [(0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])])
    cols = jnp.stack([x[:, :, a, b] for a, b in _window_slices(kernel, dil, st, blocks)], axis=2)
    out = cols.reshape(x.shape[0], x.shape[1] * kernel[0] * kernel[1], blocks[0] * blocks[1])
    return out if input.ndim == 4 else out[0]


@op("nn.functional.fold", promote=NONE, method=False, out=False, grad_name="Col2ImBackward0")
def fold(input: T, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """torch.nn.functional.fold (col2im): sums ``(N, C * kH * kW, L)`` blocks into
    ``(N, C, *output_size)``, the adjoint of ``unfold``."""
    check(
        input.ndim in (2, 3),
        RuntimeError,
        lambda: "Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and non-zero dimensions "
        f"for input, but got: {list(input.shape)}",
    )
    cols = input if input.ndim == 3 else input[None]
    size = tuple_arg(output_size, 2, "output_size")
    kernel, dil, pad, st, blocks = _im2col_geometry(size, kernel_size, dilation, padding, stride)
    k = kernel[0] * kernel[1]
    check(
        cols.shape[1] % k == 0,
        RuntimeError,
        lambda: "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
        f"got input.size(1)={cols.shape[1]} and kernel_size=({kernel[0]}, {kernel[1]})",
    )
    check(
        cols.shape[2] == blocks[0] * blocks[1],
        RuntimeError,
        lambda: f"Given output_size=({size[0]}, {size[1]}), kernel_size=({kernel[0]}, {kernel[1]}), "
        f"dilation=({dil[0]}, {dil[1]}), padding=({pad[0]}, {pad[1]}), stride=({st[0]}, {st[1]}), expected "
        f"size of input's dimension 2 to match the calculated number of sliding blocks {blocks[0]} * "
        f"{blocks[1]} = {blocks[0] * blocks[1]}, but got input.size(2)={cols.shape[2]}.",
    )
    n, c = cols.shape[0], cols.shape[1] // k
    cols = cols.reshape(n, c, k, blocks[0], blocks[1])
    out = jnp.zeros((n, c, size[0] + 2 * pad[0], size[1] + 2 * pad[1]), cols.dtype)
    for idx, (a, b) in enumerate(_window_slices(kernel, dil, st, blocks)):
        out = out.at[:, :, a, b].add(cols[:, :, idx])
    out = out[:, :, pad[0] : pad[0] + size[0], pad[1] : pad[1] + size[1]]
    return out if input.ndim == 3 else out[0]


__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "fold", "unfold"]
