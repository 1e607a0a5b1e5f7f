"""Pooling: max/avg pooling (1-3d, ceil_mode, dilation, return_indices), adaptive pooling,
max_unpool, and the op_db-visible aten entry ``max_pool2d_with_indices_backward``.

Note [pooling windows]: the pooling ops here gather their windows with static index tables
(numpy, per spatial dim, ``-1`` for a position in the padding) into a ``(..., K)`` array of the
K window elements in torch's row-major scan order, then reduce over K (except for the
``reduce_window`` cases below). ``_winner`` takes the first maximum (or the last NaN), as
torch's kernels do, and the gradient of ``take_along_axis`` routes to exactly that element, so
ties and torch's returned ``indices`` agree by construction.

Note [max pooling values]: a float max pooling without indices (the common case, LeNet's)
computes its values with one ``reduce_window`` (NaN propagates, as in torch) and defines only
its derivative through the windows above (``custom_jvp``): the tangent is read at the element
torch's kernel picks (``_winner``), so the gradient goes where torch's does. The windows' gather
and argmax then appear once, in the backward, instead of three times (forward, the pullback's
recomputed forward, and the pullback), which keeps a training step's XLA program, and the
memory its compilation takes, small. Average pooling sums its windows with one
``reduce_window`` as well (jax differentiates it without a gather).
"""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .._errors import check
from ._registry import INT_TO_FLOAT, NONE, TN, T, op
from .nn_conv import tuple_arg
from .pointwise import _title, relu, sign
from .pointwise import abs as abs_
from .random import rand

# ---- window tables (Note [pooling windows]) -------------------------------------------------------


def _fill_low(dtype):
    if jnp.issubdtype(dtype, jnp.floating):
        return -jnp.inf
    if dtype == jnp.bool_:
        return False
    return jnp.iinfo(dtype).min


def windows(x, tables, fill):
    """``x`` ``(B, C, *spatial)`` gathered through per-dim tables ``(out_d, k_d)`` into
    ``(B, C, *out, K)``; positions marked ``-1`` read ``fill``."""
    n = len(tables)
    xp = jnp.pad(x, [(0, 0), (0, 0)] + [(0, 1)] * n, constant_values=fill)
    for d, idx in enumerate(tables):
        idx = np.where(idx < 0, x.shape[2 + d], idx)
        xp = jnp.take(xp, idx, axis=2 + 2 * d, mode="clip")
    perm = [0, 1] + [2 + 2 * d for d in range(n)] + [3 + 2 * d for d in range(n)]
    outs = tuple(t.shape[0] for t in tables)
    return xp.transpose(perm).reshape(x.shape[:2] + outs + (math.prod(t.shape[1] for t in tables),))


def flat_indices(tables, spatial):
    """The per-plane flat index of each window element, ``(*out, K)`` (numpy)."""
    n = len(tables)
    flat = np.zeros((), np.int64)
    stride = 1
    for d in reversed(range(n)):
        shape = [1] * (2 * n)
        shape[2 * d : 2 * d + 2] = tables[d].shape
        flat = flat + np.maximum(tables[d], 0).reshape(shape) * stride
        stride *= spatial[d]
    flat = np.broadcast_to(flat, [s for t in tables for s in t.shape])
    perm = list(range(0, 2 * n, 2)) + list(range(1, 2 * n, 2))
    outs = tuple(t.shape[0] for t in tables)
    return flat.transpose(perm).reshape(outs + (math.prod(t.shape[1] for t in tables),))


def _sliding_table(size, out, k, s, p, d):
    pos = np.arange(out)[:, None] * s - p + np.arange(k)[None, :] * d
    return np.where((pos >= 0) & (pos < size), pos, -1)


def _adaptive_table(size, out):
    if out == 0:
        return np.zeros((0, 0), np.int64), np.zeros((0,), np.int64)
    start = np.array([(i * size) // out for i in range(out)], np.int64)
    end = np.array([-((-(i + 1) * size) // out) for i in range(out)], np.int64)
    k = int((end - start).max()) if out else 0
    pos = start[:, None] + np.arange(k)[None, :]
    return np.where(pos < end[:, None], pos, -1), end - start


def _pool_out(size, k, s, p, d, ceil_mode):
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _as_batched(name, x, n, msg):
    check(x.ndim in (n + 1, n + 2), RuntimeError, msg)
    return (x, False) if x.ndim == n + 2 else (x[None], True)


def _dim_msg(name, n, x, kind):
    """torch's wording for a wrong input rank, which differs by pooling family and rank."""
    if kind == "max" and n == 1:
        return (
            f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got:{list(x.shape)}"
        )
    if kind == "adaptive":
        return f"{name}(): Expected {n + 1}D or {n + 2}D tensor, but got {list(x.shape)}"
    if n == 3:
        return "non-empty 4D or 5D (batch mode) tensor expected for input"
    return f"non-empty {n + 1}D or {n + 2}D (batch mode) tensor expected for input"


def _geometry(n, x, kernel_size, stride, padding, dilation, ceil_mode, avg):
    k = tuple_arg(kernel_size, n, "kernel_size")
    s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else tuple_arg(stride, n, "stride")
    p, d = tuple_arg(padding, n, "padding"), tuple_arg(dilation, n, "dilation")
    check(all(v != 0 for v in s), RuntimeError, "stride should not be zero")
    check(all(v > 0 for v in k), RuntimeError, "kernel size should be greater than zero")
    check(
        all(v > 0 for v in d),
        RuntimeError,
        lambda: "dilation should be greater than zero, but got "
        + " ".join(f"dilation{a}: {v}" for a, v in zip("THW"[3 - n :], d)),
    )
    for kk, pp, dd in zip(k, p, d):
        check(
            pp >= 0 and pp <= ((kk - 1) * dd + 1) // 2,
            RuntimeError,
            lambda pp=pp, kk=kk, dd=dd: f"pad should be at most half of kernel size, but got pad={pp} and "
            f"kernel_size={kk}"
            if avg
            else f"pad should be at most half of effective kernel size, but got pad={pp}, kernel_size={kk} "
            f"and dilation={dd}",
        )
    spatial = x.shape[2:]
    outs = tuple(_pool_out(*a, ceil_mode) for a in zip(spatial, k, s, p, d))
    check(
        all(o > 0 for o in outs),
        RuntimeError,
        lambda: f"Given input size: ({'x'.join(map(str, x.shape[1:]))}). Calculated output size: "
        f"({'x'.join(map(str, (x.shape[1],) + outs))}). Output size is too small",
    )
    return [_sliding_table(*a) for a in zip(spatial, outs, k, s, p, d)], (k, s, p, d)


# ---- max pooling ----------------------------------------------------------------------------------


def _winner(vals):
    """The position over the last axis that torch's max pooling picks: the first maximum, or the
    last NaN (its kernels take ``val > max || isnan(val)``)."""
    arg = jnp.argmax(vals, axis=-1, keepdims=True)
    if not jnp.issubdtype(vals.dtype, jnp.floating):
        return arg
    nan = jnp.isnan(vals)
    last_nan = vals.shape[-1] - 1 - jnp.argmax(nan[..., ::-1], axis=-1, keepdims=True)
    return jnp.where(nan.any(axis=-1, keepdims=True), last_nan, arg)


def _max_over(x, tables, return_indices):
    vals = windows(x, tables, _fill_low(x.dtype))
    arg = _winner(vals)
    out = jnp.take_along_axis(vals, arg, axis=-1)[..., 0]
    if not return_indices:
        return out, None
    flat = jnp.asarray(flat_indices(tables, x.shape[2:]))
    idx = jnp.take_along_axis(jnp.broadcast_to(flat, vals.shape), arg, axis=-1)[..., 0]
    return out, idx


def _reduce_windows(x, init, reduce, tables, k, s, p, d):
    """``reduce`` over each window of ``x`` ``(B, C, *spatial)`` (the windows of ``tables``:
    stride ``s``, padding ``p``, dilation ``d``, as many as ``tables`` has rows), positions
    outside the input reading ``init``: one ``reduce_window``, whose derivative jax knows."""
    pads = [(0, 0), (0, 0)] + [
        (pp, (t.shape[0] - 1) * ss + dd * (kk - 1) + 1 - size - pp)
        for t, size, kk, ss, pp, dd in zip(tables, x.shape[2:], k, s, p, d)
    ]
    init = np.asarray(init, x.dtype)  # a constant: jax then knows the reduction's derivative
    return lax.reduce_window(x, init, reduce, (1, 1) + k, (1, 1) + s, pads, window_dilation=(1, 1) + d)


def _max_values(x, tables, k, s, p, d):
    """The max pooling values of float ``x`` (Note [max pooling values])."""
    fill = _fill_low(x.dtype)

    @jax.custom_jvp
    def values(x):
        return _reduce_windows(x, fill, lax.max, tables, k, s, p, d)

    @values.defjvp
    def values_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        vals = windows(x, tables, fill)
        won = _winner(vals) == np.arange(vals.shape[-1])
        return values(x), jnp.where(won, windows(t, tables, 0), 0).sum(axis=-1)

    return values(x)


def _max_pool(n, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    name = f"max_pool{n}d"
    x, unbatched = _as_batched(name, input, n, lambda: _dim_msg(name, n, input, "max"))
    check(
        all(s > 0 for s in x.shape[1:]),
        RuntimeError,
        lambda: f"Expected {n + 1}D or {n + 2}D (batch mode) tensor with optional 0 dim batch size for "
        f"input, but got:{list(input.shape)}",
    )
    tables, geometry = _geometry(n, x, kernel_size, stride, padding, dilation, ceil_mode, False)
    if not return_indices and jnp.issubdtype(x.dtype, jnp.floating):
        out, idx = _max_values(x, tables, *geometry), None
    else:
        out, idx = _max_over(x, tables, return_indices)
    if unbatched:
        out, idx = out[0], (None if idx is None else idx[0])
    return (out, idx) if return_indices else out


@op("nn.functional.max_pool1d", promote=NONE, method=False, out=False, grad_name="MaxPool2DWithIndicesBackward0")
def max_pool1d(input: T, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """torch.nn.functional.max_pool1d over ``(N, C, L)``; ``return_indices`` also gives the flat
    index of each maximum within its plane."""
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


@op("nn.functional.max_pool2d", promote=NONE, method=False, out=False, grad_name="MaxPool2DWithIndicesBackward0")
def max_pool2d(input: T, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """torch.nn.functional.max_pool2d over ``(N, C, H, W)`` (indices flat per ``H * W`` plane)."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


@op("nn.functional.max_pool3d", promote=NONE, method=False, out=False, grad_name="MaxPool3DWithIndicesBackward0")
def max_pool3d(input: T, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """torch.nn.functional.max_pool3d over ``(N, C, D, H, W)``."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _with_indices(fn):
    def with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=True):
        return fn(input, kernel_size, stride, padding, dilation, ceil_mode, True)

    with_indices.__name__ = with_indices.__qualname__ = fn.__name__ + "_with_indices"
    return with_indices


max_pool1d_with_indices = _with_indices(max_pool1d)
max_pool2d_with_indices = _with_indices(max_pool2d)
max_pool3d_with_indices = _with_indices(max_pool3d)


@op(promote=NONE, method=False, out=False)
def max_pool2d_with_indices_backward(
    grad_output: T, input: T, kernel_size, stride, padding, dilation, ceil_mode, indices: T
):
    """aten.max_pool2d_with_indices_backward: scatters ``grad_output`` to ``indices``."""
    x, unbatched = (input, False) if input.ndim == 4 else (input[None], True)
    g = grad_output if not unbatched else grad_output[None]
    i = indices if not unbatched else indices[None]
    b, c = x.shape[:2]
    flat = jnp.zeros((b, c, math.prod(x.shape[2:])), g.dtype)
    bi, ci = np.arange(b)[:, None, None], np.arange(c)[None, :, None]
    flat = flat.at[bi, ci, i.reshape(b, c, -1)].add(g.reshape(b, c, -1))
    out = flat.reshape(x.shape)
    return out[0] if unbatched else out


# ---- average pooling ------------------------------------------------------------------------------


def _avg_divisor(spatial, tables, geometry, count_include_pad):
    """torch's per-window divisor: the window clipped to the padded input (count_include_pad)
    or to the input itself."""
    k, s, p, _ = geometry
    div = np.ones((), np.int64)
    for d, (size, t) in enumerate(zip(spatial, tables)):
        start = np.arange(t.shape[0]) * s[d] - p[d]
        end = np.minimum(start + k[d], size + p[d])
        if not count_include_pad:
            end, start = np.minimum(end, size), np.maximum(start, 0)
        div = np.multiply.outer(div, end - start)
    return div


def _avg_pool(n, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    name = f"avg_pool{n}d"
    msg = (
        f"avg_pool1d() argument 'input' must be 2D or 3D, but got {input.ndim}D"
        if n == 1
        else _dim_msg(name, n, input, "avg")
    )
    x, unbatched = _as_batched(name, input, n, msg)
    check(divisor_override is None or divisor_override != 0, RuntimeError, "divisor must be not zero")
    tables, geometry = _geometry(n, x, kernel_size, stride, padding, 1, ceil_mode, True)
    # torch sums and divides half and bfloat16 windows in float32, rounding once
    acc = x.astype(jnp.float32) if x.dtype in (jnp.float16, jnp.bfloat16) else x
    total = _reduce_windows(acc, 0, lax.add, tables, *geometry)
    if divisor_override is not None:
        div = np.full(total.shape[2:], divisor_override, np.int64)
    else:
        div = _avg_divisor(x.shape[2:], tables, geometry, count_include_pad)
    if jnp.issubdtype(x.dtype, jnp.integer):
        out = lax.div(total, jnp.broadcast_to(jnp.asarray(div, x.dtype), total.shape))
    else:
        out = (total / jnp.asarray(div, acc.dtype)).astype(x.dtype)
    return out[0] if unbatched else out


@op("nn.functional.avg_pool1d", promote=NONE, method=False, out=False, grad_name="AvgPool2DBackward0")
def avg_pool1d(input: T, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """torch.nn.functional.avg_pool1d over ``(N, C, L)``."""
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


@op("nn.functional.avg_pool2d", promote=NONE, method=False, out=False, grad_name="AvgPool2DBackward0")
def avg_pool2d(
    input: T, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None
):
    """torch.nn.functional.avg_pool2d over ``(N, C, H, W)``; integer inputs divide truncating."""
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


@op("nn.functional.avg_pool3d", promote=NONE, method=False, out=False, grad_name="AvgPool3DBackward0")
def avg_pool3d(
    input: T, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None
):
    """torch.nn.functional.avg_pool3d over ``(N, C, D, H, W)``."""
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


# ---- adaptive pooling -------------------------------------------------------------------------------


def _adaptive_sizes(name, n, input, output_size):
    """torch's checks of ``output_size`` (None keeps the input's size) for adaptive pooling."""
    many = isinstance(output_size, (list, tuple))
    if n > 1:
        k = len(output_size) if many else 1
        check(input.ndim > k, ValueError, lambda: f"Input dimension should be at least {k + 1}")
    if many:
        check(
            len(output_size) == n,
            RuntimeError,
            lambda: f"{name}(): internal error: output_size.size() must be {n}"
            if "max" in name
            else f"{name}: output_size must be {n}",
        )
    sizes = output_size if many else (output_size,) * n
    sizes = tuple(input.shape[input.ndim - n + d] if s is None else int(s) for d, s in enumerate(sizes))
    check(
        all(s >= 0 for s in sizes) or "max" in name,
        RuntimeError,
        lambda: f"{name}: elements of output_size must be greater than or equal to 0 but received "
        f"{{{', '.join(map(str, sizes))}}}",
    )
    check(
        all(s >= 0 for s in sizes),
        RuntimeError,
        lambda: f"Trying to create tensor with negative dimension {min(sizes)}: "
        f"{list(input.shape[: input.ndim - n] + sizes)}",
    )
    return sizes


def _adaptive(name, n, input, output_size):
    sizes = _adaptive_sizes(name, n, input, output_size)
    x, unbatched = _as_batched(name, input, n, lambda: _dim_msg(name, n, input, "adaptive"))
    check(
        all(s > 0 for s in x.shape[2:]) or x.size == 0,
        RuntimeError,
        lambda: f"{name}(): Expected input to have non-zero size for non-batch dimensions, but input has "
        f"sizes {list(input.shape)} with dimension {x.ndim - n - (1 if not unbatched else 2)} being empty",
    )
    tables = [_adaptive_table(size, out) for size, out in zip(x.shape[2:], sizes)]
    return x, unbatched, tables


def _adaptive_avg(n, input, output_size):
    x, unbatched, tables = _adaptive(f"adaptive_avg_pool{n}d", n, input, output_size)
    div = np.ones((), np.int64)
    for _, count in tables:
        div = np.multiply.outer(div, count)
    out = windows(x, [t for t, _ in tables], 0).sum(axis=-1) / jnp.asarray(div, x.dtype)
    return out[0] if unbatched else out


def _adaptive_max(n, input, output_size, return_indices):
    x, unbatched, tables = _adaptive(f"adaptive_max_pool{n}d", n, input, output_size)
    out, idx = _max_over(x, [t for t, _ in tables], return_indices)
    if unbatched:
        out, idx = out[0], (None if idx is None else idx[0])
    return (out, idx) if return_indices else out


@op("nn.functional.adaptive_avg_pool1d", promote=NONE, method=False, out=False, grad_name="AdaptiveAvgPool2DBackward0")
def adaptive_avg_pool1d(input: T, output_size):
    """torch.nn.functional.adaptive_avg_pool1d: averages over torch's adaptive windows
    ``[floor(i*L/out), ceil((i+1)*L/out))``."""
    return _adaptive_avg(1, input, output_size)


@op("nn.functional.adaptive_avg_pool2d", promote=NONE, method=False, out=False, grad_name="AdaptiveAvgPool2DBackward0")
def adaptive_avg_pool2d(input: T, output_size):
    """torch.nn.functional.adaptive_avg_pool2d (``None`` in ``output_size`` keeps that size)."""
    return _adaptive_avg(2, input, output_size)


@op("nn.functional.adaptive_avg_pool3d", promote=NONE, method=False, out=False, grad_name="AdaptiveAvgPool3DBackward0")
def adaptive_avg_pool3d(input: T, output_size):
    """torch.nn.functional.adaptive_avg_pool3d."""
    return _adaptive_avg(3, input, output_size)


@op("nn.functional.adaptive_max_pool1d", promote=NONE, method=False, out=False, grad_name="AdaptiveMaxPool2DBackward0")
def adaptive_max_pool1d(input: T, output_size, return_indices=False):
    """torch.nn.functional.adaptive_max_pool1d (indices flat per plane)."""
    return _adaptive_max(1, input, output_size, return_indices)


@op("nn.functional.adaptive_max_pool2d", promote=NONE, method=False, out=False, grad_name="AdaptiveMaxPool2DBackward0")
def adaptive_max_pool2d(input: T, output_size, return_indices=False):
    """torch.nn.functional.adaptive_max_pool2d."""
    return _adaptive_max(2, input, output_size, return_indices)


@op("nn.functional.adaptive_max_pool3d", promote=NONE, method=False, out=False, grad_name="AdaptiveMaxPool3DBackward0")
def adaptive_max_pool3d(input: T, output_size, return_indices=False):
    """torch.nn.functional.adaptive_max_pool3d."""
    return _adaptive_max(3, input, output_size, return_indices)


# ---- max_unpool ----------------------------------------------------------------------------------------


def _unpool_size(n, x, kernel_size, stride, padding, output_size):
    k = tuple_arg(kernel_size, n, "kernel_size")
    s = k if stride is None else tuple_arg(stride, n, "stride")
    p = tuple_arg(padding, n, "padding")
    default = tuple((x.shape[-n + d] - 1) * s[d] - 2 * p[d] + k[d] for d in range(n))
    if output_size is None:
        return default
    size = tuple(int(v) for v in output_size)[-n:]
    check(
        len(output_size) in (n, x.ndim),
        ValueError,
        lambda: f"output_size should be a sequence containing {n} or {n + 2} elements, but it has a length of "
        f"'{len(output_size)}'",
    )
    for d in range(n):
        lo, hi = default[d] - s[d], default[d] + s[d]
        check(
            lo < size[d] < hi,
            ValueError,
            lambda d=d, lo=lo, hi=hi: f'invalid output_size "{list(size)}" (dim {d} must be between {lo} and {hi})',
        )
    return size


def _unpool_pre(n):
    def pre(input, indices, kernel_size, stride=None, padding=0, output_size=None):
        check(
            input.dim() in (n + 1, n + 2),
            RuntimeError,
            lambda: f"Input to max_unpooling{max(n, 2)}d should be a {max(n, 2) + 1}d or {max(n, 2) + 2}d "
            f"Tensor, but got a tensor with {input.dim()} dimensions.",
        )
        check(
            not indices.is_floating_point() and not indices.is_complex(),
            RuntimeError,
            lambda: f"elements in indices should be type int64 but got: {str(indices.dtype)[6:].capitalize()}",
        )
        extra = [1] if n == 1 else []
        check(
            tuple(indices.shape) == tuple(input.shape),
            RuntimeError,
            lambda: "Expected shape of indices to be same as that of the input tensor "
            f"({list(input.shape) + extra}) but got indices tensor with shape: {list(indices.shape) + extra}",
        )
        size = _unpool_size(n, input, kernel_size, stride, padding, output_size)
        limit = math.prod(size)
        idx = indices._host() if hasattr(indices, "_host") else np.asarray(indices)
        bad = idx[(idx < 0) | (idx >= limit)]
        check(
            bad.size == 0,
            RuntimeError,
            lambda: f"Found an invalid max index: {int(bad.flat[0])} (output volumes are of size "
            f"{'x'.join(map(str, size))})",
        )

    return pre


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _unpool_scatter(x, i, plane):
    """Scatter ``x`` ``(B, C, L)`` to flat positions ``i`` of ``(B, C, plane)``. Of inputs sent to
    one place the first stays (torch leaves the winner unspecified); every input's gradient
    reads its place, as torch's backward (a gather) does."""
    b, c, _ = x.shape
    bi, ci = np.arange(b)[:, None, None], np.arange(c)[None, :, None]
    order = jnp.broadcast_to(jnp.arange(i.shape[-1]), i.shape)
    first = jnp.full((b, c, plane), i.shape[-1]).at[bi, ci, i].min(order)
    i = jnp.where(jnp.take_along_axis(first, i, axis=2) == order, i, plane)
    return jnp.zeros((b, c, plane), x.dtype).at[bi, ci, i].set(x, mode="drop")


def _unpool_fwd(x, i, plane):
    return _unpool_scatter(x, i, plane), i


def _unpool_bwd(plane, i, g):
    return jnp.take_along_axis(g, i, axis=2), None


_unpool_scatter.defvjp(_unpool_fwd, _unpool_bwd)


def _max_unpool(n, input, indices, kernel_size, stride, padding, output_size):
    size = _unpool_size(n, input, kernel_size, stride, padding, output_size)
    x, unbatched = (input[None], True) if input.ndim == n + 1 else (input, False)
    i = indices[None] if unbatched else indices
    b, c = x.shape[:2]
    out = _unpool_scatter(x.reshape(b, c, -1), i.reshape(b, c, -1), math.prod(size)).reshape((b, c) + size)
    return out[0] if unbatched else out


@op("nn.functional.max_unpool1d", promote=NONE, method=False, out=False, grad_name="MaxUnpool2DBackward0", pre=_unpool_pre(1))
def max_unpool1d(input: T, indices: T, kernel_size, stride=None, padding=0, output_size=None):
    """torch.nn.functional.max_unpool1d: the partial inverse of max_pool1d."""
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


@op("nn.functional.max_unpool2d", promote=NONE, method=False, out=False, grad_name="MaxUnpool2DBackward0", pre=_unpool_pre(2))
def max_unpool2d(input: T, indices: T, kernel_size, stride=None, padding=0, output_size=None):
    """torch.nn.functional.max_unpool2d: places each value at its flat per-plane index."""
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


@op("nn.functional.max_unpool3d", promote=NONE, method=False, out=False, grad_name="MaxUnpool3DBackward0", pre=_unpool_pre(3))
def max_unpool3d(input: T, indices: T, kernel_size, stride=None, padding=0, output_size=None):
    """torch.nn.functional.max_unpool3d."""
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


# ---- power-average pooling -------------------------------------------------------------------------


def _lp_grad_name(n):
    def name(input, norm_type, *rest):
        if norm_type == math.inf:  # torch's max_pool1d squeezes a 2d pool
            return "SqueezeBackward1" if n == 1 else f"MaxPool{n}DWithIndicesBackward0"
        return "NegBackward0" if norm_type == -math.inf else "PowBackward0"

    return name


def _lp_promote(input, norm_type, **rest):
    return NONE if math.isinf(norm_type) else INT_TO_FLOAT  # torch: max_pool(|x|), or x.pow(p)


def _lp_pre(n):
    def pre(input, norm_type, *rest):
        check(
            input.is_floating_point() or input.is_complex() or not isinstance(norm_type, int),
            NotImplementedError,
            lambda: (
                f"lp_pool{n}d of an integer tensor with an integer norm_type (torch averages x ** p in "
                "integers, truncating): not supported by jtorch; pass a float norm_type"
            ),
        )

    return pre


def _lp_pool(n, input, norm_type, kernel_size, stride, ceil_mode):
    """torch's composite: ``(sign(a) * relu(|a|) * K) ** (1/p)`` of ``a = avg_pool(x ** p)``;
    ``p = +-inf`` is a max pooling of ``+-|x|``."""
    if math.isinf(norm_type):
        flip = 1 if norm_type > 0 else -1
        return flip * _max_pool(
            n, flip * abs_.fn(input), kernel_size, stride, 0, 1, ceil_mode, False
        )
    avg = _avg_pool(n, input**norm_type, kernel_size, stride, 0, ceil_mode, True, None)
    k = math.prod(tuple_arg(kernel_size, n, "kernel_size"))
    return (sign.fn(avg) * relu.fn(abs_.fn(avg)) * k) ** (1.0 / norm_type)


@op(promote=_lp_promote, method=False, out=False, grad_name=_lp_grad_name(1), pre=_lp_pre(1))
def lp_pool1d(input: T, norm_type, kernel_size, stride=None, ceil_mode=False):
    """torch.nn.functional.lp_pool1d: the ``norm_type``-norm of each window of ``(N, C, L)``:
    ``(sum x^p)^(1/p)``."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


@op(promote=_lp_promote, method=False, out=False, grad_name=_lp_grad_name(2), pre=_lp_pre(2))
def lp_pool2d(input: T, norm_type, kernel_size, stride=None, ceil_mode=False):
    """torch.nn.functional.lp_pool2d: lp_pool1d over ``(N, C, H, W)``."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


@op(promote=_lp_promote, method=False, out=False, grad_name=_lp_grad_name(3), pre=_lp_pre(3))
def lp_pool3d(input: T, norm_type, kernel_size, stride=None, ceil_mode=False):
    """torch.nn.functional.lp_pool3d: lp_pool1d over ``(N, C, D, H, W)``."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


# ---- fractional max pooling -----------------------------------------------------------------------
#
# Graham's fractional max-pooling as torch's CPU kernel computes it: per (sample, plane) and
# spatial dim, window ``i`` starts at ``int((i + u) * alpha) - int(u * alpha)`` with
# ``alpha = (size - k) / (out - 1)`` in the input's dtype, and the last window ends at the
# input's end; ``u`` is that plane's random sample for the dim (order W, H for 2d; T, H, W for
# 3d). A window's maximum is its first maximum in row-major order, as in the kernel.

_FRACTIONAL_DIMS = {2: ("height", "width"), 3: ("time", "height", "width")}


def _fractional_starts(u, size, out, k, dtype):
    """Window starts ``(B, C, out)`` for samples ``u`` ``(B, C)`` (torch's generate_intervals)."""
    last = jnp.full(u.shape + (min(out, 1),), size - k, jnp.int64)
    if out <= 1:
        return last
    alpha = jnp.asarray(size - k, dtype) / jnp.asarray(out - 1, dtype)
    u = u[..., None].astype(dtype)
    i = jnp.arange(out - 1).astype(dtype)
    starts = ((i + u) * alpha).astype(jnp.int64) - (u * alpha).astype(jnp.int64)
    return jnp.concatenate([starts, last], axis=-1)


def _fractional_windows(x, starts, ks):
    """``x`` ``(B, C, *spatial)`` gathered at the windows ``[start, start + k)`` (``starts[d]``:
    ``(B, C, out_d)``) into ``(B, C, *out, K)`` values and their flat per-plane indices."""
    n = len(starts)
    spatial = x.shape[2:]
    flat = jnp.zeros((), jnp.int64)
    for d in range(n):
        pos = starts[d][..., None] + jnp.arange(ks[d])  # (B, C, out_d, k_d)
        b, c, o, k = pos.shape
        take = [1] * n
        take[d] = o * k
        x = jnp.take_along_axis(x, pos.reshape((b, c, *take)), axis=2 + d, mode="clip")
        layout = [1] * (2 * n)
        layout[2 * d : 2 * d + 2] = (o, k)
        flat = flat + pos.reshape((b, c, *layout)) * math.prod(spatial[d + 1 :])
    outs = tuple(s.shape[-1] for s in starts)
    split = x.shape[:2] + tuple(v for pair in zip(outs, ks) for v in pair)
    perm = [0, 1] + [2 + 2 * d for d in range(n)] + [3 + 2 * d for d in range(n)]
    shape = x.shape[:2] + outs + (math.prod(ks),)
    flat = jnp.broadcast_to(flat, split)
    return x.reshape(split).transpose(perm).reshape(shape), flat.transpose(perm).reshape(shape)


def _fractional_args(n, input, kernel_size, output_size):
    """torch's checks of the sizes and the input, in torch's order: ``(kernel, output)``."""
    name = "fractional_max_pool2d()" if n == 2 else "fractional_max_pool3d_out()"
    sizes = []
    for what, v in (("kernel_size", kernel_size), ("output_size", output_size)):
        many = isinstance(v, (list, tuple))
        check(
            not many or len(v) == n,
            RuntimeError,
            lambda what=what: (
                f"fractional_max_pool{n}d: {what} must either be a single Int or tuple of "
                + ("Ints" if n == 2 else "three Ints")
            ),
        )
        sizes.append(tuple(int(e) for e in v) if many else (int(v),) * n)
    check(
        input.ndim in (n + 1, n + 2),
        RuntimeError,
        lambda: f"{name}: Expected {n + 1}D or {n + 2}D tensor, but got: {list(input.shape)}",
    )
    for d in range(input.ndim - n - 1, input.ndim):
        check(
            input.shape[d] > 0,
            RuntimeError,
            lambda d=d: (
                f"{name}: Expected input to have non-zero size for non-batch dimensions, but got"
                f"{list(input.shape)} with dimension {d} being empty."
            ),
        )
    (ks, outs), spatial = sizes, input.shape[-n:]
    for what, k, o, size in zip(_FRACTIONAL_DIMS[n], ks, outs, spatial):
        fits = o + k - 1 <= size if n == 2 else o + k - 1 < size
        check(
            fits,
            RuntimeError,
            lambda what=what, k=k, size=size: (
                f"{name}: pool {what} {k} too large relative to input {what} {size}"
            ),
        )
    check(
        all(o >= 0 for o in outs),
        RuntimeError,
        lambda: (
            f"Trying to create tensor with negative dimension {min(outs)}: {list(input.shape[:-n]) + list(outs)}"
        ),
    )
    return ks, outs


def _check_samples(n, input, samples):
    check(
        samples.dtype == input.dtype,
        RuntimeError,
        "Expect _random_samples to have the same dtype as input",
    )
    check(
        samples.ndim == 3,
        RuntimeError,
        lambda: f"Expect _random_samples to have 3 dimensions, got {samples.ndim}",
    )
    batch, channels = (1, input.shape[0]) if input.ndim == n + 1 else input.shape[:2]
    check(
        samples.shape[0] >= batch,
        RuntimeError,
        "Expect _random_samples.size(0) no less then input batch size.",
    )
    check(
        samples.shape[1] == channels,
        RuntimeError,
        "Expect _random_samples.size(1) equals to input channel size.",
    )
    check(
        samples.shape[2] == n,
        RuntimeError,
        lambda: f"Expect _random_samples.size(2) equals to {n}; got {samples.shape[2]}.",
    )
    check(
        jnp.issubdtype(input.dtype, jnp.floating),
        NotImplementedError,
        lambda: f"\"fractional_max_pool{n}d_out_frame\" not implemented for '{_title(input)}'",
    )


def _fractional_max_pool(n, input, kernel_size, output_size, random_samples):
    ks, outs = _fractional_args(n, input, kernel_size, output_size)
    _check_samples(n, input, random_samples)
    x = input if input.ndim == n + 2 else input[None]
    u = random_samples[: x.shape[0]]
    order = (1, 0) if n == 2 else (0, 1, 2)  # the sample of each spatial dim (2d: W first)
    ks_eff = tuple(max(k, 1) for k in ks)  # an empty window keeps -inf and its start index
    starts = [
        _fractional_starts(u[..., j], size, o, k, input.dtype)
        for j, size, o, k in zip(order, x.shape[2:], outs, ks)
    ]
    vals, flat = _fractional_windows(x, starts, ks_eff)
    if ks != ks_eff:
        vals = jnp.full_like(vals, -jnp.inf)
    arg = jnp.argmax(vals, axis=-1, keepdims=True)
    out = jnp.take_along_axis(vals, arg, axis=-1)[..., 0]
    idx = jnp.take_along_axis(flat, arg, axis=-1)[..., 0]
    return (out, idx) if input.ndim == n + 2 else (out[0], idx[0])


@op(promote=NONE, method=False, out=False, grad_name="FractionalMaxPool2DBackward0")
def fractional_max_pool2d(input: T, kernel_size, output_size, random_samples: TN):
    """torch._C._nn.fractional_max_pool2d: ``(output, indices)`` of fractional max-pooling
    with the given ``(N, C, 2)`` samples (see F.fractional_max_pool2d)."""
    return _fractional_max_pool(2, input, kernel_size, output_size, random_samples)


@op(promote=NONE, method=False, out=False, grad_name="FractionalMaxPool3DBackward0")
def fractional_max_pool3d(input: T, kernel_size, output_size, random_samples: TN):
    """torch._C._nn.fractional_max_pool3d: ``(output, indices)`` with ``(N, C, 3)`` samples."""
    return _fractional_max_pool(3, input, kernel_size, output_size, random_samples)


def _fractional_front(
    n, input, kernel_size, output_size, output_ratio, return_indices, _random_samples
):
    """torch's Python front-end: ``output_ratio`` to a size, samples drawn when not given."""
    name = f"fractional_max_pool{n}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if n == 2 and len(output_ratio) > 2:
            raise ValueError(
                f"{name} requires output_ratio to either be a single Int or tuple of Ints."
            )
        ratio = output_ratio if isinstance(output_ratio, (list, tuple)) else (output_ratio,) * n
        output_size = [int(input.size(d - n) * ratio[d]) for d in range(n)]
    if _random_samples is None:
        batch = 1 if input.dim() == n + 1 else input.size(0)
        _random_samples = rand(batch, input.size(-n - 1), n, dtype=input.dtype, device=input.device)
    pool = fractional_max_pool2d if n == 2 else fractional_max_pool3d
    out, indices = pool(input, kernel_size, output_size, _random_samples)
    return (out, indices) if return_indices else out


def F_fractional_max_pool2d(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices=False,
    _random_samples=None,
):
    """torch.nn.functional.fractional_max_pool2d: max-pooling of ``(N, C, H, W)`` over
    ``kernel_size`` windows at pseudo-random steps that give ``output_size`` (or
    ``output_ratio`` times the input's size); ``_random_samples`` ``(N, C, 2)`` in [0, 1) fix
    the steps, else they are drawn from the generator as torch draws them. ``return_indices``
    also returns the flat per-plane index of each maximum."""
    return _fractional_front(
        2, input, kernel_size, output_size, output_ratio, return_indices, _random_samples
    )


def F_fractional_max_pool3d(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices=False,
    _random_samples=None,
):
    """torch.nn.functional.fractional_max_pool3d: fractional_max_pool2d over ``(N, C, T, H, W)``
    with ``(N, C, 3)`` samples."""
    return _fractional_front(
        3, input, kernel_size, output_size, output_ratio, return_indices, _random_samples
    )


def _with_true_indices(fn):
    def with_indices(
        input,
        kernel_size,
        output_size=None,
        output_ratio=None,
        return_indices=False,
        _random_samples=None,
    ):
        return fn(input, kernel_size, output_size, output_ratio, True, _random_samples)

    with_indices.__name__ = with_indices.__qualname__ = fn.__name__[2:] + "_with_indices"
    with_indices.__doc__ = f"torch.nn.functional.{with_indices.__name__}: ``(output, indices)``."
    return with_indices


fractional_max_pool2d_with_indices = _with_true_indices(F_fractional_max_pool2d)
fractional_max_pool3d_with_indices = _with_true_indices(F_fractional_max_pool3d)
