"""Inverses and linear solves: inv, solve, triangular, Cholesky and LU solves, least squares,
pseudo-inverses, matrix rank, tensor inverses, matrix powers.

The raising ops (inv, solve) and their ``*_ex`` twins share one pure function each; see
Note [info and LinAlgError] in decompositions.py.
"""

import functools
import math

import jax
import jax.numpy as jnp

from .._errors import broadcast_shapes, check
from ._registry import NONE, TN, T, op
from .decompositions import (
    _lu,
    check_float,
    check_matrix,
    check_same_dtype,
    detach,
    mH,
    raise_if_checked,
    raise_on_info,
)
from .linalg import _mm


def _batch(*xs):
    """Broadcast the batch dimensions of matrices (torch's error when they do not)."""
    batch = broadcast_shapes(*(x.shape[:-2] for x in xs))
    return [jnp.broadcast_to(x, (*batch, *x.shape[-2:])) for x in xs]


def _lu_info(A):
    return _lu("linalg.inv", jax.lax.stop_gradient(A), True)[3]


# ---- inverse ------------------------------------------------------------------------------------


def _inv(A):
    check_matrix("linalg.inv", A, square=True)
    return jnp.linalg.inv(A), _lu_info(A)


def _inv_message(name):
    return lambda batch, info: (
        f"{name}: {batch}The diagonal element {info} is zero, the inversion could not be "
        "completed because the input matrix is singular."
    )


@op(
    "linalg.inv_ex",
    promote=NONE,
    method=False,
    returns=("inverse", "info"),
    post=raise_if_checked(_inv_message("linalg.inv_ex")),
)
def inv_ex(A: T, *, check_errors=False):
    """torch.linalg.inv_ex: the inverse and LAPACK's info (no error raised)."""
    return _inv(A)


@op(
    "linalg.inv",
    promote=NONE,
    method="inverse",
    grad_name="LinalgInvExBackward0",
    post=raise_on_info(_inv_message("linalg.inv")),
)
def inv(A: T):
    """torch.linalg.inv (torch.inverse): the inverse of a square matrix; LinAlgError when it is
    singular."""
    return _inv(A)


# ---- solve ------------------------------------------------------------------------------------


def _solve(A, B, left):
    check_matrix("linalg.solve", A, square=True)
    check_float("linalg.solve", B)
    check_same_dtype("linalg.solve", A, B)
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    b = B[..., None] if vector else B
    if not left:
        A, b = jnp.swapaxes(A, -1, -2), jnp.swapaxes(b, -1, -2)
    check(
        b.shape[-2] == A.shape[-1],
        RuntimeError,
        lambda: (
            f"linalg.solve: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({A.shape[-2]}x{A.shape[-1]} and "
            f"{'x'.join(map(str, B.shape[-2:] if not vector else B.shape[-1:] + (1,)))})"
        ),
    )
    b, A = _batch(b, A)  # torch's message names B's batch first
    X = jnp.linalg.solve(A, b) if A.size and b.size else jnp.zeros(b.shape, b.dtype)
    if not left:
        X = jnp.swapaxes(X, -1, -2)
    return (X[..., 0] if vector else X), _lu_info(A)


def _solve_message(name):
    return lambda batch, info: (
        f"{name}: {batch}The solver failed because the input matrix is singular."
    )


@op(
    "linalg.solve_ex",
    promote=NONE,
    method=False,
    returns=("result", "info"),
    post=raise_if_checked(_solve_message("torch.linalg.solve_ex")),
)
def solve_ex(A: T, B: T, *, left=True, check_errors=False):
    """torch.linalg.solve_ex: the solution of AX = B (XA = B if not left) and LAPACK's info."""
    return _solve(A, B, left)


@op(
    "linalg.solve",
    promote=NONE,
    method=False,
    grad_name="LinalgSolveExBackward0",
    post=raise_on_info(_solve_message("torch.linalg.solve")),
)
def solve(A: T, B: T, *, left=True):
    """torch.linalg.solve: X with AX = B (XA = B if not left), batches broadcast; B may be a
    (batch of) vector(s); LinAlgError when A is singular."""
    return _solve(A, B, left)


# ---- triangular solves --------------------------------------------------------------------------


def _triangular(A, B, upper, left, unitriangular, adjoint=False):
    A, B = _batch(A, B)
    return jax.lax.linalg.triangular_solve(
        A,
        B,
        left_side=left,
        lower=not upper,
        transpose_a=adjoint,
        conjugate_a=adjoint,
        unit_diagonal=unitriangular,
    )


@op("linalg.solve_triangular", promote=NONE, method=False)
def solve_triangular(A: T, B: T, *, upper, left=True, unitriangular=False):
    """torch.linalg.solve_triangular: X with AX = B (XA = B if not left), A triangular."""
    check_matrix("linalg.solve_triangular", A, square=True)
    check_matrix("linalg.solve_triangular", B, arg="B")
    check_same_dtype("linalg.solve_triangular", A, B)
    return _triangular(A, B, upper, left, unitriangular)


@op(promote=NONE, returns=("solution", "cloned_coefficient"))
def triangular_solve(input: T, A: T, upper=True, transpose=False, unitriangular=False):
    """torch.triangular_solve (deprecated in torch for torch.linalg.solve_triangular): the
    solution of op(A) X = input, and a copy of A."""
    check_matrix("triangular_solve", input, arg="b")
    check_matrix("triangular_solve", A, square=True)
    X = _triangular(A, input, upper, True, unitriangular, adjoint=transpose)
    return X, jnp.broadcast_to(A, (*X.shape[:-2], *A.shape[-2:]))


@op(promote=NONE)
def cholesky_solve(input: T, input2: T, upper=False):
    """torch.cholesky_solve: X with (L L^H) X = input, given the Cholesky factor L (U^H U if
    upper)."""
    check_matrix("linalg.cholesky_solve", input2, square=True)
    check_matrix("linalg.cholesky_solve", input, arg="B")
    M = mH(input2) if upper else input2
    L = jax.lax.stop_gradient(M)
    X = _cholesky_solve(L, input)
    # torch reads only L's triangle but differentiates the dense formula
    # X = (M M^H)^-1 B in all of M: a zero-valued term carries that derivative.
    dM = M - L
    return X - _cholesky_solve(L, _mm(dM, _mm(mH(L), X)) + _mm(L, _mm(mH(dM), X)))


def _cholesky_solve(L, B):
    """(L L^H)^-1 B for a lower-triangular L."""
    Y = _triangular(L, B, False, True, False)
    return _triangular(L, Y, False, True, False, adjoint=True)


@op(promote=NONE)
def cholesky_inverse(input: T, upper=False):
    """torch.cholesky_inverse: the inverse of L L^H (U^H U if upper) from its Cholesky factor."""
    check_matrix("cholesky_inverse", input, square=True)
    eye = jnp.broadcast_to(jnp.eye(input.shape[-1], dtype=input.dtype), input.shape)
    return cholesky_solve.fn(eye, input, upper)


# ---- LU solves ------------------------------------------------------------------------------------


@op("linalg.lu_solve", promote=NONE, method=False)
def linalg_lu_solve(LU: T, pivots: T, B: T, *, left=True, adjoint=False):
    """torch.linalg.lu_solve: X with AX = B (XA = B if not left; A^H if adjoint) from
    lu_factor's output."""
    check_matrix("linalg.lu_solve", LU, square=True, arg="LU")
    check_matrix("linalg.lu_solve", B, arg="B")
    n = LU.shape[-1]
    if not left:  # X A = B  <=>  A^H X^H = B^H
        return mH(linalg_lu_solve.fn(LU, pivots, mH(B), left=True, adjoint=not adjoint))
    perm = jax.lax.linalg.lu_pivots_to_permutation(pivots.astype(jnp.int32) - 1, n)
    LU, B, perm = _batch(LU, B, perm[..., None])
    perm = perm[..., 0]
    if adjoint:  # A^H = U^H L^H P^T:  X = P L^-H U^-H B
        Y = _triangular(LU, B, True, True, False, adjoint=True)
        Y = _triangular(LU, Y, False, True, True, adjoint=True)
        inverse = jnp.argsort(perm, axis=-1)
        return jnp.take_along_axis(Y, inverse[..., None], axis=-2)
    Y = jnp.take_along_axis(B, perm[..., None], axis=-2)  # P^T B
    Y = _triangular(LU, Y, False, True, True)
    return _triangular(LU, Y, True, True, False)


@op(promote=NONE, grad_name="LinalgLuSolveBackward0")
def lu_solve(input: T, LU_data: T, LU_pivots: T):
    """torch.lu_solve (deprecated in torch for torch.linalg.lu_solve): X with AX = input."""
    return linalg_lu_solve.fn(LU_data, LU_pivots, input)


# ---- least squares and pseudo-inverses ------------------------------------------------------------


def _cutoff(s, atol, rtol, m, n, dtype):
    """torch's tolerance: max(atol, rtol * largest singular value); rtol defaults to
    eps * max(m, n) when atol is not given (or zero), else to 0."""
    if rtol is None:
        eps = jnp.finfo(dtype).eps * max(m, n)
        rtol = eps if atol is None else jnp.where(atol > 0, 0.0, eps)
    smax = (
        s.max(-1, keepdims=True, initial=0.0) if s.size else jnp.zeros(s.shape[:-1] + (1,), s.dtype)
    )
    atol = 0.0 if atol is None else jnp.asarray(atol)[..., None]
    return jnp.maximum(atol, jnp.asarray(rtol)[..., None] * smax).astype(s.dtype)


def _pinv_value(A, atol, rtol, hermitian):
    m, n = A.shape[-2:]
    real = jnp.finfo(A.dtype).dtype
    if hermitian:
        w, V = jnp.linalg.eigh(A, symmetrize_input=False)
        cut = _cutoff(jnp.abs(w), atol, rtol, m, n, real)
        inv_w = jnp.where(jnp.abs(w) > cut, 1 / jnp.where(w == 0, 1, w), 0).astype(A.dtype)
        return _mm(V * inv_w[..., None, :], mH(V))
    U, s, Vh = jnp.linalg.svd(A, full_matrices=False)
    cut = _cutoff(s, atol, rtol, m, n, real)
    inv_s = jnp.where(s > cut, 1 / jnp.where(s == 0, 1, s), 0).astype(A.dtype)
    return _mm(mH(Vh) * inv_s[..., None, :], mH(U))


@functools.partial(jax.custom_jvp, nondiff_argnums=(3,))
def _pinv(A, atol, rtol, hermitian):
    return _pinv_value(A, atol, rtol, hermitian)


@_pinv.defjvp
def _pinv_jvp(hermitian, primals, tangents):
    # Golub and Pereyra's derivative of the pseudo-inverse (torch's pinv_backward and jax's).
    A, atol, rtol = primals
    dA = tangents[0]
    p = _pinv(A, atol, rtol, hermitian)
    if A.size == 0:
        return p, jnp.zeros_like(p)
    m, n = A.shape[-2:]
    dAh, ph = mH(dA), mH(p)
    dp = (
        -_mm(_mm(p, dA), p)
        + _mm(_mm(_mm(p, ph), dAh), jnp.eye(m, dtype=A.dtype) - _mm(A, p))
        + _mm(_mm(_mm(jnp.eye(n, dtype=A.dtype) - _mm(p, A), dAh), ph), p)
    )
    return p, dp


@op("linalg.pinv", promote=NONE, method=False)
def pinv(A: T, rtol: TN = None, hermitian=False, *, atol: TN = None):
    """torch.linalg.pinv: the Moore-Penrose pseudo-inverse, singular values at or below
    max(atol, rtol * largest) treated as zero (hermitian: from an eigendecomposition).
    ``pinv(A, rcond)`` passes rcond as rtol, as in torch."""
    check_matrix("linalg.pinv", A)
    if hermitian:
        check_matrix("linalg.pinv(hermitian=True)", A, square=True)
    atol = None if atol is None else atol.astype(jnp.float64)
    rtol = None if rtol is None else rtol.astype(jnp.float64)
    return _pinv(A, atol, rtol, hermitian)


@op(promote=NONE, grad_name="LinalgPinvBackward0")
def pinverse(input: T, rcond=1e-15):
    """torch.pinverse: linalg.pinv with rtol=rcond."""
    return pinv.fn(input, jnp.float64(rcond))


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


@op(
    "linalg.lstsq",
    promote=NONE,
    method=False,
    returns=("solution", "residuals", "rank", "singular_values"),
    post=detach("singular_values"),  # torch does not differentiate them
)
def lstsq(A: T, B: T, rcond=None, *, driver=None):
    """torch.linalg.lstsq: the minimum-norm least-squares solution of AX = B, with residuals
    (m > n, drivers other than gelsy), rank (not gels) and singular values (gelsd, gelss).

    Differences from torch: the solution comes from the pseudo-inverse whatever the driver,
    and residuals are returned for m > n even when a matrix is rank-deficient."""
    check_matrix("torch.linalg.lstsq", A)
    check(
        driver is None or driver in _DRIVERS,
        RuntimeError,
        lambda: f"torch.linalg.lstsq: parameter `driver` should be one of ({', '.join(_DRIVERS)})",
    )
    check_same_dtype("torch.linalg.lstsq", A, B, ("input", "other"))
    driver = driver or "gelsy"
    vector = B.ndim == A.ndim - 1
    b = B[..., None] if vector else B
    check(
        b.shape[-2] == A.shape[-2],
        RuntimeError,
        lambda: (
            f"torch.linalg.lstsq: input.size(-2) should match other.size(-2), but got "
            f"{A.shape[-2]} and {b.shape[-2]}"
        ),
    )
    A, b = _batch(A, b)
    m, n = A.shape[-2:]
    rtol = None if rcond is None or rcond < 0 else jnp.float64(rcond)
    X = _mm(_pinv(A, None, rtol, False), b)
    real = jnp.finfo(A.dtype).dtype
    empty = jnp.zeros((0,), real)
    residuals = empty
    if m > n and driver != "gelsy":
        residuals = (jnp.abs(_mm(A, X) - b) ** 2).sum(-2)
        residuals = residuals[..., 0] if vector else residuals
    s = jax.lax.stop_gradient(jnp.linalg.svd(A, compute_uv=False))
    rank = jnp.zeros((0,), jnp.int64)
    if driver != "gels":
        rank = (s > _cutoff(s, None, rtol, m, n, real)).sum(-1).astype(jnp.int64)
    svals = s if driver in ("gelsd", "gelss") else empty
    return (X[..., 0] if vector else X), residuals, rank, svals


# ---- rank, tensor inverses, powers ---------------------------------------------------------------


@op("linalg.matrix_rank", promote=NONE, method=False)
def matrix_rank(A: T, tol: TN = None, hermitian=False, *, atol: TN = None, rtol: TN = None):
    """torch.linalg.matrix_rank: the number of singular values (|eigenvalues| if hermitian)
    above max(atol, rtol * largest). ``matrix_rank(A, tol)`` means atol=tol, rtol=0."""
    check_matrix("torch.linalg.matrix_rank", A)
    if tol is not None:
        atol, rtol = tol, jnp.float64(0)
    m, n = A.shape[-2:]
    real = jnp.finfo(A.dtype).dtype
    if hermitian:
        s = jnp.abs(jnp.linalg.eigvalsh(A))
    else:
        s = jnp.linalg.svd(A, compute_uv=False)
    cut = _cutoff(s, atol, rtol, m, n, real)
    return (s > cut).sum(-1).astype(jnp.int64)


@op("linalg.tensorinv", promote=NONE, method=False, grad_name="ReshapeAliasBackward0")
def tensorinv(A: T, ind=2):
    """torch.linalg.tensorinv: the inverse of A for tensordot over its first ``ind`` dims."""
    check(
        ind > 0,
        RuntimeError,
        lambda: f"Expected a strictly positive integer for 'ind', but got {ind}",
    )
    left, right = A.shape[:ind], A.shape[ind:]
    rows, cols = math.prod(left), math.prod(right)
    check(
        rows == cols,
        RuntimeError,
        lambda: (
            f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            f"prod(self.shape[:ind]), but got {cols} != {rows}"
        ),
    )
    check_float("linalg.inv", A)
    return jnp.linalg.inv(A.reshape(rows, cols)).reshape(*right, *left)


@op("linalg.tensorsolve", promote=NONE, method=False)
def tensorsolve(A: T, B: T, dims=None):
    """torch.linalg.tensorsolve: X with tensordot(A, X, X.ndim) = B."""
    check_float("linalg.solve", A)
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        rest = [d for d in range(A.ndim) if d not in dims]
        A = jnp.transpose(A, rest + dims)
    x_shape = A.shape[B.ndim :]
    rows, cols = B.size, math.prod(x_shape)
    check(
        rows == cols,
        RuntimeError,
        lambda: (
            f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
            f"prod(self.shape[:other.ndim]), but got {cols} != {rows}"
        ),
    )
    return jnp.linalg.solve(A.reshape(rows, cols), B.reshape(rows)).reshape(x_shape)


@op("linalg.matrix_power", promote=NONE, method="matrix_power", grad_name="MmBackward0")
def matrix_power(A: T, n):
    """torch.linalg.matrix_power (torch.matrix_power): A to an integer power (negative: of its
    inverse)."""
    check(
        A.ndim >= 2 and A.shape[-1] == A.shape[-2],
        RuntimeError,
        lambda: (
            f"linalg.matrix_power: A must be batches of square matrices, but they are "
            f"{A.shape[-2] if A.ndim >= 2 else 1} by {A.shape[-1] if A.ndim else 1} matrices"
        ),
    )
    if n < 0:
        check_float("linalg.matrix_power", A)
    return jnp.linalg.matrix_power(A, n)
