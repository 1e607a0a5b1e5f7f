"""Products and combinatorial constructions: kron, cross, tensordot, trace, cdist/dist,
block_diag, cartesian_prod/combinations/meshgrid, tril/triu_indices, unravel_index, and the
layout builders constant_pad_nd, rot90 and diagflat.
"""

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._errors import check, wrap_dim
from ._registry import NONE, SAME, TL, TN, T, dtype_title, op

# ---- products ---------------------------------------------------------------------------------


@op()
def kron(input: T, other: T):
    if input.dtype == jnp.bool_:  # a product of booleans is their logical and
        return jnp.kron(input.astype(jnp.int8), other.astype(jnp.int8)).astype(jnp.bool_)
    return jnp.kron(input, other)


def cross_product(input, other, dim):
    """The cross product of ``input`` and ``other`` (broadcast) along ``dim`` (size 3); shared
    by torch.cross and torch.linalg.cross."""
    check(
        input.ndim == other.ndim,
        RuntimeError,
        "linalg.cross: inputs must have the same number of dimensions.",
    )
    shape = jnp.broadcast_shapes(input.shape, other.shape)
    d = wrap_dim(dim, len(shape))
    check(
        input.shape[d] == 3 and other.shape[d] == 3,
        RuntimeError,
        lambda: (
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} and {other.shape[d]}"
        ),
    )
    a, b = jnp.broadcast_to(input, shape), jnp.broadcast_to(other, shape)
    return jnp.cross(a, b, axis=d)


@op(grad_name="LinalgCrossBackward0")
def cross(input: T, other: T, dim=None):
    if dim is None:  # torch's deprecated default: the first dim of size 3
        shape = jnp.broadcast_shapes(input.shape, other.shape) if input.ndim == other.ndim else input.shape
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        check(dim is not None, RuntimeError, "no dimension of size 3 in input")
    return cross_product(input, other, dim)


def _tensordot_dims(a, b, dims):
    if isinstance(dims, int):
        check(dims >= 0, RuntimeError, lambda: f"tensordot expects dims >= 0, but got dims={dims}")
        check(
            dims <= min(a.ndim, b.ndim),
            RuntimeError,
            lambda: f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}",
        )
        return tuple(range(a.ndim - dims, a.ndim)), tuple(range(dims))
    da, db = dims
    da = (da,) if isinstance(da, int) else tuple(da)
    db = (db,) if isinstance(db, int) else tuple(db)
    check(len(da) == len(db), RuntimeError, "both dimension lists should have same length")
    da = tuple(wrap_dim(d, a.ndim) for d in da)
    db = tuple(wrap_dim(d, b.ndim) for d in db)
    for x, y in zip(da, db):
        check(
            a.shape[x] == b.shape[y] or 1 in (a.shape[x], b.shape[y]),
            RuntimeError,
            lambda: (
                f"contracted dimensions need to match, but first has size {a.shape[x]} in dim {x} and second "
                f"has size {b.shape[y]} in dim {y}"
            ),
        )
    return da, db


@op(promote=SAME, method=False)
def tensordot(a: T, b: T, dims=2):
    """torch.tensordot: contract ``dims`` (the last n of ``a`` with the first n of ``b``, or two
    lists of dims)."""
    da, db = _tensordot_dims(a, b, dims)
    # torch lets a contracted dim of size 1 broadcast: the other side is summed over it.
    a = jnp.sum(a, axis=tuple(x for x, y in zip(da, db) if a.shape[x] != b.shape[y] and b.shape[y] == 1), keepdims=True)
    b = jnp.sum(b, axis=tuple(y for x, y in zip(da, db) if a.shape[x] != b.shape[y] and a.shape[x] == 1), keepdims=True)
    return jnp.tensordot(a, b, (da, db), precision=jax.lax.Precision.HIGHEST)


@op(promote=NONE)
def trace(input: T):
    check(
        input.ndim == 2,
        RuntimeError,
        lambda: f"trace: expected a matrix, but got tensor with dim {input.ndim}",
    )
    if input.dtype == jnp.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    dt = jnp.int64 if jnp.issubdtype(input.dtype, jnp.integer) else input.dtype
    return jnp.trace(input).astype(dt)


# ---- distances --------------------------------------------------------------------------------


def _p_distance(diff, p, axis):
    """The p-norm of ``diff`` along ``axis``, p in [0, inf] (p=0: the count of nonzeros)."""
    a = jnp.abs(diff)
    if p == 0:
        return jnp.sum(a != 0, axis=axis).astype(diff.dtype)
    if p == math.inf:
        return jnp.max(a, axis=axis, initial=0)
    if p == 1:
        return jnp.sum(a, axis=axis)
    if p == 2:  # a zero distance has a zero gradient (torch's convention), not nan
        sq = jnp.sum(a * a, axis=axis)
        safe = jnp.where(sq == 0, 1, sq)
        return jnp.where(sq == 0, 0, jnp.sqrt(safe))
    s = jnp.sum(jnp.where(a == 0, 0, a) ** p, axis=axis)
    safe = jnp.where(s == 0, 1, s)
    return jnp.where(s == 0, 0, safe ** (1 / p))


@op(promote=SAME, method=False)
def cdist(x1: T, x2: T, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """torch.cdist: the p-norm distance between each row of ``x1`` and each row of ``x2``
    (batched over leading dims)."""
    for name, x in (("X1", x1), ("X2", x2)):
        check(
            x.ndim >= 2,
            RuntimeError,
            lambda: f"cdist only supports at least 2D tensors, {name} got: {x.ndim}D",
        )
    check(
        x1.shape[-1] == x2.shape[-1],
        RuntimeError,
        lambda: f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}",
    )
    check(p >= 0, RuntimeError, "cdist only supports non-negative p values")
    check(
        jnp.issubdtype(x1.dtype, jnp.floating),
        RuntimeError,
        lambda: f"cdist only supports floating-point dtypes, X1 got: {_title(x1.dtype)}",
    )
    lead = jnp.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    a = jnp.broadcast_to(x1, lead + x1.shape[-2:])[..., :, None, :]
    b = jnp.broadcast_to(x2, lead + x2.shape[-2:])[..., None, :, :]
    return _p_distance(a - b, p, -1)


@op(promote=SAME)
def dist(input: T, other: T, p=2):
    check(
        jnp.issubdtype(input.dtype, jnp.floating),
        RuntimeError,
        lambda: f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {_title(input.dtype)}",
    )
    diff = input - other
    return _p_distance(diff.reshape(-1), p, 0)


def _title(jdt):
    return dtype_title(_dtype.from_numpy_dtype(jdt))


# ---- constructions ----------------------------------------------------------------------------


@op(varargs=0, method=False)
def block_diag(tensors: TL):
    """torch.block_diag: the tensors (0-d, 1-d rows or 2-d) as blocks along the diagonal."""
    mats = []
    for i, t in enumerate(tensors):
        check(
            t.ndim <= 2,
            RuntimeError,
            lambda: (
                f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has {t.ndim} dimensions"
            ),
        )
        mats.append(t.reshape((1, -1) if t.ndim < 2 else t.shape))
    rows = sum(m.shape[0] for m in mats)
    cols = sum(m.shape[1] for m in mats)
    dt = mats[0].dtype if mats else jnp.float32
    out = jnp.zeros((rows, cols), dt)
    r = c = 0
    for m in mats:
        out = out.at[r : r + m.shape[0], c : c + m.shape[1]].set(m)
        r, c = r + m.shape[0], c + m.shape[1]
    return out


def _check_vector(t):
    check(t.ndim == 1, RuntimeError, lambda: f"Expect a 1D vector, but got shape {list(t.shape)}")


def _meshgrid(tensors, indexing):
    check(len(tensors) > 0, RuntimeError, "meshgrid expects a non-empty TensorList")
    check(
        indexing in ("ij", "xy"),
        RuntimeError,
        lambda: f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}',
    )
    for t in tensors:
        check(
            t.ndim <= 1,
            RuntimeError,
            lambda: f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}",
        )
    return tuple(jnp.meshgrid(*(t.reshape(-1) for t in tensors), indexing=indexing))


@op(promote=NONE, varargs=0, method=False, grad_name="ExpandBackward0")
def meshgrid(tensors: TL, *, indexing="ij"):
    """torch.meshgrid: coordinate grids, one per (0-d or 1-d) tensor.

    Differences from torch: the grids are copies, not expanded views of the inputs."""
    return _meshgrid(tensors, indexing or "ij")


@op(varargs=0, method=False)
def cartesian_prod(tensors: TL):
    for t in tensors:
        _check_vector(t)
    if len(tensors) == 1:
        return tensors[0]
    return jnp.stack([g.reshape(-1) for g in _meshgrid(tensors, "ij")], axis=1)


@op(method=False)
def combinations(input: T, r=2, with_replacement=False):
    _check_vector(input)
    check(r >= 0, RuntimeError, lambda: f"Expect a non-negative number, but got {r}")
    if r == 0:
        return jnp.zeros((0,), input.dtype)
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = np.array(list(pick(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return input[index]


def _constant_pad_pre(input, pad, value=0):
    pad = tuple(pad)
    check(len(pad) % 2 == 0, RuntimeError, lambda: f"Length of pad must be even but instead it equals {len(pad)}")
    check(
        len(pad) // 2 <= input.dim(),
        RuntimeError,
        lambda: (
            "Length of pad should be no more than twice the number of dimensions of the input. Pad length is "
            f"{len(pad)}while the input has {input.dim()}dimensions."
        ),
    )


@op(promote=NONE, method=False, pre=_constant_pad_pre)
def constant_pad_nd(input: T, pad, value=0):
    """torch.constant_pad_nd: pad (or, with negative amounts, crop) the last len(pad)/2 dims;
    ``pad`` lists (before, after) pairs from the last dim backwards."""
    pairs = [(0, 0, 0)] * input.ndim
    for i in range(len(pad) // 2):
        pairs[input.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1], 0)
    for d, (lo, hi, _) in enumerate(pairs):
        new = input.shape[d] + lo + hi
        check(
            new >= 0,
            RuntimeError,
            lambda: (
                f"The input size {input.shape[d]}, plus negative padding {lo} and {hi} resulted in a negative "
                f"output size, which is invalid. Check dimension {d} of your input."
            ),
        )
    fill = jnp.asarray(value).astype(input.dtype)
    return jax.lax.pad(input, fill, pairs)


@op(promote=NONE)
def rot90(input: T, k=1, dims=(0, 1)):
    dims = tuple(dims)
    check(len(dims) == 2, RuntimeError, lambda: f"expected total rotation dims == 2, but got dims = {len(dims)}")
    check(input.ndim >= 2, RuntimeError, lambda: f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = wrap_dim(dims[0], input.ndim), wrap_dim(dims[1], input.ndim)
    check(
        d0 != d1,
        RuntimeError,
        lambda: f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}",
    )
    return jnp.rot90(input, k, (d0, d1))


@op(promote=NONE)
def diagflat(input: T, offset=0):
    return jnp.diagflat(input, offset)


# ---- index constructions ----------------------------------------------------------------------


def _triangle_indices(name, lower, row, col, offset, dtype, device):
    from .creation import finish

    dtype = _dtype.as_dtype(dtype) or _dtype.int64
    check(row >= 0, RuntimeError, lambda: f"row must be non-negative, got{row}")
    check(col >= 0, RuntimeError, lambda: f"col must be non-negative, got{col}")
    if not (dtype.is_floating_point is False and dtype is not _dtype.bool and not dtype.is_complex):
        raise NotImplementedError(f"\"{name}\" not implemented for '{dtype_title(dtype)}'")
    pick = np.tril_indices if lower else np.triu_indices
    index = np.stack(pick(row, offset, col)) if row and col else np.zeros((2, 0), np.int64)
    return finish(index.astype(dtype._np), None, device, False)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """torch.tril_indices: the (2, N) coordinates of the lower triangle of a row x col matrix."""
    return _triangle_indices("tril_indices", True, row, col, offset, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """torch.triu_indices: the (2, N) coordinates of the upper triangle of a row x col matrix."""
    return _triangle_indices("triu_indices", False, row, col, offset, dtype, device)


def _unravel_pre(indices, shape):
    check(
        _dtype.is_integral(indices._dtype),
        TypeError,
        lambda: f"expected 'indices' to be integer dtype, but got {indices._dtype}",
    )
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    check(
        all(d >= 0 for d in dims),
        ValueError,
        lambda: f"'shape' cannot have negative values, but got {tuple(dims)}",
    )


@op(promote=NONE, method=False, out=False, pre=_unravel_pre)
def unravel_index(indices: TN, shape):
    dims = (shape,) if isinstance(shape, int) else tuple(shape)
    coords, rest = [], indices.astype(jnp.int64)
    for d in reversed(dims):
        coords.append(jnp.mod(rest, d) if d else rest * 0)
        rest = jnp.floor_divide(rest, d) if d else rest
    return tuple(reversed(coords))
