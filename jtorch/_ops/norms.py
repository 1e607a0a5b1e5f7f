"""torch.linalg's norms: vector_norm, matrix_norm, norm, and the condition number cond.

The vector p-norms (and their gradients at zero, torch's subgradient convention) are
reduction.norm's; the matrix norms compose them with sums, extremes and singular values.
"""

import jax.numpy as jnp

from .._errors import check, wrap_dim
from ._registry import NONE, T, op
from .decompositions import check_matrix
from .reduction import norm as _torch_norm
from .solvers import _inv


def _check_ord(name, ord):
    check(
        not isinstance(ord, str),
        RuntimeError,
        lambda: f"{name}: Expected a number for ord, but got {ord}",
    )


@op("linalg.vector_norm", promote=NONE, method=False, grad_name="LinalgVectorNormBackward0")
def vector_norm(x: T, ord=2, dim=None, keepdim=False, *, dtype=None):
    """torch.linalg.vector_norm: the ord-norm of x over ``dim`` (all dims by default)."""
    _check_ord("linalg.vector_norm", ord)
    return _torch_norm.fn(x, float(ord), dim, keepdim, dtype)


_MATRIX_ORDS = ("fro", "nuc", float("inf"), float("-inf"), 1, -1, 2, -2)


def _matrix_dims(name, A, dim):
    check(
        isinstance(dim, (tuple, list)) and len(dim) == 2,
        RuntimeError,
        lambda: (
            f"{name}: dim must be a 2-tuple. Got {' '.join(map(str, dim if isinstance(dim, (tuple, list)) else [dim]))}"
        ),
    )
    d = tuple(wrap_dim(x, A.ndim) for x in dim)
    check(
        d[0] != d[1],
        RuntimeError,
        lambda: f"{name}: dims must be different. Got ({dim[0]}, {dim[1]})",
    )
    return d


def _matrix_norm(A, ord, dim, keepdim, dtype):
    name = "linalg.matrix_norm"
    check_matrix(name, A)
    check(
        ord in _MATRIX_ORDS,
        RuntimeError,
        lambda: f"{name}: Order {ord} not supported.",
    )
    d = _matrix_dims(name, A, dim)
    x = A if dtype is None else A.astype(dtype._np)
    if ord == "fro":
        return _torch_norm.fn(x, 2.0, d, keepdim, None)
    m = jnp.moveaxis(x, d, (-2, -1))
    if ord in ("nuc", 2, -2):
        s = jnp.linalg.svd(m, compute_uv=False)
        out = s.sum(-1) if ord == "nuc" else (s.max(-1) if ord == 2 else s.min(-1))
    else:  # 1-norms reduce the rows first (max column sum), inf-norms the columns
        sums = jnp.abs(m).sum(-2 if abs(ord) == 1 else -1)
        out = sums.max(-1) if ord > 0 else sums.min(-1)
    return jnp.expand_dims(out, tuple(sorted(d))) if keepdim else out


def _matrix_norm_name(A, ord="fro", *args, **kwargs):
    return (
        "LinalgVectorNormBackward0"
        if ord == "fro"
        else {"nuc": "SumBackward1"}.get(ord, "AmaxBackward0")
    )


@op("linalg.matrix_norm", promote=NONE, method=False, grad_name=_matrix_norm_name)
def matrix_norm(A: T, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """torch.linalg.matrix_norm: 'fro', 'nuc', inf, -inf, 1, -1, 2 or -2 norm of the matrices
    over ``dim``."""
    return _matrix_norm(A, ord, dim, keepdim, dtype)


def _norm_name(A, ord=None, dim=None, *args, **kwargs):
    matrix = (dim is not None and not isinstance(dim, int) and len(dim) == 2) or (
        dim is None and ord is not None and A.dim() == 2
    )
    return _matrix_norm_name(A, ord or "fro") if matrix else "LinalgVectorNormBackward0"


@op("linalg.norm", promote=NONE, method=False, grad_name=_norm_name)
def norm(A: T, ord=None, dim=None, keepdim=False, *, dtype=None):
    """torch.linalg.norm: a vector norm (1-D input or one dim) or a matrix norm (2-D input or
    two dims); with ord and dim both None, the 2-norm of the flattened input."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is None and ord is not None:
        check(
            A.ndim in (1, 2),
            RuntimeError,
            lambda: (
                f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.ndim}D."
            ),
        )
        dim = tuple(range(A.ndim))
    if dim is not None and len(dim) == 2:
        return _matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype)
    check(
        not isinstance(ord, str),
        RuntimeError,
        lambda: (
            f"linalg.norm: If dim is specified, it mut be of length 1 or 2. Got {list(dim or [])}"
        ),
    )
    return _torch_norm.fn(A, 2.0 if ord is None else float(ord), dim, keepdim, dtype)


@op("linalg.cond", promote=NONE, method=False)
def cond(A: T, p=None):
    """torch.linalg.cond: the condition number in the p-norm (2-norm by default); inf for a
    singular matrix in the norms that need its inverse."""
    check_matrix("linalg.cond", A)
    if p in (None, 2, -2):
        s = jnp.linalg.svd(A, compute_uv=False)
        big, small = s[..., 0], s[..., -1]
        return big / small if p != -2 else small / big
    check_matrix("linalg.cond", A, square=True)
    inverse, info = _inv(A)
    dims = (-2, -1)
    value = _matrix_norm(A, p, dims, False, None) * _matrix_norm(inverse, p, dims, False, None)
    return jnp.where(info > 0, jnp.inf, value)
