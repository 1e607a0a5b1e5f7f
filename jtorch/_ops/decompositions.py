"""Matrix factorizations: cholesky, qr, svd, eigh/eig, lu (and unpack), geqrf and Householder
products, determinants.

Note [info and LinAlgError]: torch's ``*_ex`` ops return LAPACK's ``info`` (0: success) as an
int32 tensor and never raise; their plain counterparts compute the same thing and raise
``torch.linalg.LinAlgError`` when ``info`` is nonzero. jtorch registers one pure function per
pair (it returns the result and ``info``) and makes the raising op a second registration of it
whose ``post=`` hook reads ``info`` (one host sync, as torch has on CUDA) and drops it.
"""

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._errors import check
from ._registry import NONE, T, _structseq, method, op
from .linalg import _mm


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a linear-algebra routine met a singular or non-positive-definite
    input."""


LinAlgError.__module__ = "torch.linalg"


# ---- checks shared by the linear-algebra families --------------------------------------------


def check_float(name, x):
    check(
        x.dtype.kind in "fc",
        RuntimeError,
        lambda: (
            f"{name}: Expected a floating point or complex tensor as input. Got "
            f"{_dtype.title(_dtype.from_numpy_dtype(x.dtype))}"
        ),
    )


def check_matrix(name, x, square=False, arg="A"):
    """torch's checks for a (batch of) matrix input of a linalg op."""
    check(
        x.ndim >= 2,
        RuntimeError,
        lambda: f"{name}: The input tensor {arg} must have at least 2 dimensions.",
    )
    check_float(name, x)
    if square:
        check(
            x.shape[-1] == x.shape[-2],
            RuntimeError,
            lambda: (
                f"{name}: {arg} must be batches of square matrices, but they are "
                f"{x.shape[-2]} by {x.shape[-1]} matrices"
            ),
        )


def check_same_dtype(name, a, b, names=("A", "B")):
    check(
        a.dtype == b.dtype,
        RuntimeError,
        lambda: (
            f"{name}: Expected {names[1]} to have the same dtype as {names[0]}, but got "
            f"{names[0]}.dtype = {_title(a)} and {names[1]}.dtype = {_title(b)}"
        ),
    )


def _title(x):
    return _dtype.title(_dtype.from_numpy_dtype(x.dtype))


def mH(x):
    return jnp.conj(jnp.swapaxes(x, -1, -2))


def _info_dtype(info):
    return info.astype(jnp.int32)


def raise_on_info(message, error=LinAlgError, returns=None):
    """A ``post=`` hook (Note [info and LinAlgError]): raise ``error`` with
    ``message(batch, info)`` for the first failing batch element; return the first output, or
    the named tuple ``returns`` (name, fields) of all outputs but ``info``."""
    kind = None if returns is None else _structseq(*returns)

    def post(result, *values):
        info = np.asarray(result[-1]._value())
        if info.any():
            flat = info.reshape(-1)
            first = int(np.flatnonzero(flat)[0])
            batch = f"(Batch element {first}): " if info.ndim else ""
            raise error(message(batch, int(flat[first])))
        return result[0] if kind is None else kind(*result[:-1])

    return post


def raise_if_checked(message, error=LinAlgError):
    """The ``post=`` hook of an ``*_ex`` op: raise only when called with check_errors=True."""
    raising = raise_on_info(message, error)

    def post(result, *values):
        if values[-1]:  # check_errors is each *_ex op's last parameter
            raising(result, *values)
        return result

    return post


def detach(*fields, when=None):
    """A ``post=`` hook: the named outputs ``fields`` come back detached (outputs torch does
    not differentiate), if ``when(*bound values)`` (always if None)."""

    def post(result, *values):
        if when is not None and not when(*values):
            return result
        return result._replace(**{f: getattr(result, f).detach() for f in fields})

    return post


# ---- cholesky ---------------------------------------------------------------------------------


def _hermitian_from(a, upper):
    """The Hermitian matrix whose lower (upper) triangle is that of ``a``: torch reads only
    that triangle, but its gradients are those of ``(a + a^H) / 2`` (Hermitian), so the value
    is taken from the triangle and the derivative from the symmetrized matrix."""
    t = jnp.triu(a) if upper else jnp.tril(a)
    strict = jnp.triu(a, 1) if upper else jnp.tril(a, -1)
    sym = (a + mH(a)) / 2
    return sym + jax.lax.stop_gradient(t + mH(strict) - sym)


def _cholesky_info(a):
    """LAPACK potrf's info: the order of the first leading minor that is not positive-definite
    (0 if none), by an unblocked Cholesky (run only when the fast factorization failed)."""
    n = a.shape[-1]
    idx = jnp.arange(n)
    info = jnp.zeros(a.shape[:-2], jnp.int32)
    if n == 0:
        return info

    def body(j, carry):
        a, info = carry
        d = jnp.real(a[..., j, j])
        bad = ~(d > 0)
        info = jnp.where((info == 0) & bad, j + 1, info)
        col = a[..., :, j] / jnp.sqrt(jnp.where(bad, 1, d))[..., None]
        col = jnp.where(idx > j, col, 0)
        return a - col[..., :, None] * jnp.conj(col[..., None, :]), info

    return jax.lax.fori_loop(0, n, body, (a, info))[1]


def _no_info(a):
    return jnp.zeros(a.shape[:-2], jnp.int32)


def _cholesky(name, A, upper):
    check_matrix(name, A, square=True)
    a = _hermitian_from(A, upper)
    low = a if not upper else mH(a)
    L = jax.lax.linalg.cholesky(low, symmetrize_input=False)
    ok = jnp.all(jnp.isfinite(L))
    info = jax.lax.cond(ok, _no_info, _cholesky_info, jax.lax.stop_gradient(low))
    L = jnp.tril(L)
    return (mH(L) if upper else L), info


def _cholesky_message(name):
    return lambda batch, info: (
        f"{name}: {batch}The factorization could not be completed because the input is not "
        f"positive-definite (the leading minor of order {info} is not positive-definite)."
    )


@op(
    "linalg.cholesky_ex",
    promote=NONE,
    method=False,
    returns=("L", "info"),
    post=raise_if_checked(_cholesky_message("linalg.cholesky_ex")),
)
def cholesky_ex(A: T, *, upper=False, check_errors=False):
    """torch.linalg.cholesky_ex: the Cholesky factor and LAPACK's info (no error raised)."""
    return _cholesky("linalg.cholesky", A, upper)


@op(
    "linalg.cholesky",
    promote=NONE,
    method=False,
    grad_name="LinalgCholeskyExBackward0",
    post=raise_on_info(_cholesky_message("linalg.cholesky")),
)
def linalg_cholesky(A: T, *, upper=False):
    """torch.linalg.cholesky: the lower (or upper) Cholesky factor of a Hermitian positive-definite
    matrix; LinAlgError when it is not positive-definite."""
    return _cholesky("linalg.cholesky", A, upper)


@op(promote=NONE, post=raise_on_info(_cholesky_message("cholesky")))
def cholesky(input: T, upper=False):
    """torch.cholesky (deprecated in torch for torch.linalg.cholesky)."""
    return _cholesky("cholesky", input, upper)


# ---- qr, svd, eigendecompositions -------------------------------------------------------------


def _qr(name, A, mode):
    check_matrix(name, A)
    check(
        mode in ("reduced", "complete", "r"),
        RuntimeError,
        lambda: (
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
            "or 'complete'"
        ),
    )
    if mode == "r":
        message = (
            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
            "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
            "linalg.qr."
        )
        return jnp.zeros((0,), A.dtype), _not_differentiable(message)(jnp.linalg.qr(A, mode="r"))
    Q, R = jnp.linalg.qr(A, mode=mode)
    if mode == "complete" and A.shape[-2] > A.shape[-1]:
        message = (
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
        )
        Q, R = _not_differentiable(message)((Q, R))
    return Q, R


def _not_differentiable(message):
    """Identity whose backward raises torch's RuntimeError ``message``."""

    @jax.custom_vjp
    def ident(x):
        return x

    def bwd(_, g):
        raise RuntimeError(message)

    ident.defvjp(lambda x: (x, None), bwd)
    return ident


@op("linalg.qr", promote=NONE, method=False, returns=("Q", "R"))
def linalg_qr(A: T, mode="reduced"):
    """torch.linalg.qr: Q and R with A = QR ('reduced', 'complete', or 'r': R only)."""
    return _qr("linalg.qr", A, mode)


@op(promote=NONE, returns=("Q", "R"), grad_name="LinalgQrBackward0")
def qr(input: T, some=True):
    """torch.qr (deprecated in torch for torch.linalg.qr)."""
    return _qr("qr", input, "reduced" if some else "complete")


def _svd(name, A, full_matrices):
    """U, S, Vh; with full_matrices of a non-square matrix, the columns beyond min(m, n) carry
    no gradient (as in torch's svd_backward)."""
    check_matrix(name, A)
    U, S, Vh = jnp.linalg.svd(A, full_matrices=False)
    m, n = A.shape[-2:]
    if full_matrices and m != n:
        Uf, _, Vhf = jnp.linalg.svd(jax.lax.stop_gradient(A), full_matrices=True)
        k = min(m, n)
        U = jnp.concatenate([U, Uf[..., k:]], axis=-1)
        Vh = jnp.concatenate([Vh, Vhf[..., k:, :]], axis=-2)
    return U, S, Vh


def _check_driver(name, driver):
    check(
        driver is None,
        RuntimeError,
        lambda: (
            f"{name}: keyword argument `driver=` is only supported on CUDA inputs with cuSOLVER backend."
        ),
    )


@op("linalg.svd", promote=NONE, method=False, returns=("U", "S", "Vh"))
def linalg_svd(A: T, full_matrices=True, *, driver=None):
    """torch.linalg.svd: A = U diag(S) Vh, singular values in descending order."""
    _check_driver("torch.linalg.svd", driver)
    return _svd("linalg.svd", A, full_matrices)


@op("linalg.svdvals", promote=NONE, method=False, grad_name="LinalgSvdBackward0")
def svdvals(A: T, *, driver=None):
    """torch.linalg.svdvals: the singular values, in descending order."""
    _check_driver("torch.linalg.svdvals", driver)
    check_matrix("linalg.svd", A)
    return jnp.linalg.svd(A, compute_uv=False)


@op(
    promote=NONE,
    returns=("U", "S", "V"),
    grad_name="LinalgSvdBackward0",
    post=detach("U", "V", when=lambda input, some, compute_uv: not compute_uv),
)
def svd(input: T, some=True, compute_uv=True):
    """torch.svd (deprecated in torch for torch.linalg.svd): returns V, not Vh; with
    compute_uv=False, U and V are zero-filled."""
    U, S, Vh = _svd("linalg.svd", input, not some)
    if not compute_uv:
        m, n = input.shape[-2:]
        batch = input.shape[:-2]
        return jnp.zeros((*batch, m, m), U.dtype), S, jnp.zeros((*batch, n, n), U.dtype)
    return U, S, mH(Vh)


def _check_uplo(UPLO):
    check(
        UPLO in ("L", "U", "l", "u"),
        RuntimeError,
        lambda: f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}",
    )


@op("linalg.eigh", promote=NONE, method=False, returns=("eigenvalues", "eigenvectors"))
def eigh(A: T, UPLO="L"):
    """torch.linalg.eigh: eigenvalues (ascending) and orthonormal eigenvectors of a Hermitian
    matrix, read from its lower (UPLO='L') or upper triangle."""
    check_matrix("linalg.eigh", A, square=True)
    _check_uplo(UPLO)
    w, v = jnp.linalg.eigh(_hermitian_from(A, UPLO in "Uu"), symmetrize_input=False)
    return w, v


@op("linalg.eigvalsh", promote=NONE, method=False, grad_name="LinalgEighBackward0")
def eigvalsh(A: T, UPLO="L"):
    """torch.linalg.eigvalsh: the eigenvalues of a Hermitian matrix, ascending."""
    return eigh.fn(A, UPLO)[0]


def _eig(name, A, vectors):
    check_matrix(name, A, square=True)
    check(
        jnp.isdtype(A.dtype, "real floating") or A.dtype.kind == "c",
        RuntimeError,
        f"{name}: Expected a floating point or complex tensor",
    )
    if A.size == 0:
        complex_dtype = jnp.result_type(A.dtype, jnp.complex64)
        return jnp.zeros(A.shape[:-1], complex_dtype), jnp.zeros(A.shape, complex_dtype)
    return jax.lax.linalg.eig(
        A,
        compute_left_eigenvectors=False,
        compute_right_eigenvectors=vectors,
        enable_eigvec_derivs=vectors,
    )


@op("linalg.eig", promote=NONE, method=False, returns=("eigenvalues", "eigenvectors"))
def eig(A: T):
    """torch.linalg.eig: complex eigenvalues and unit-norm eigenvectors of a square matrix."""
    w, v = _eig("linalg.eig", A, True)
    return w, v


@op("linalg.eigvals", promote=NONE, method=False, grad_name="LinalgEigBackward0")
def eigvals(A: T):
    """torch.linalg.eigvals: the complex eigenvalues of a square matrix."""
    return _eig("linalg.eigvals", A, False)[0]


# ---- lu ------------------------------------------------------------------------------------------


def _lu(name, A, pivot):
    """LU with partial pivoting: (LU, 1-based int32 pivots, 0-based permutation, info)."""
    check_matrix(name, A)
    check(pivot, RuntimeError, f"{name}: LU without pivoting is not implemented on the CPU")
    lu, piv, perm = jax.lax.linalg.lu(A)
    k = min(A.shape[-2:])
    diag = jnp.diagonal(lu, axis1=-2, axis2=-1)[..., :k]
    zero = jnp.concatenate([diag == 0, jnp.ones((*diag.shape[:-1], 1), bool)], axis=-1)
    first = jnp.argmax(zero, axis=-1)
    info = jnp.where(first < k, first + 1, 0).astype(jnp.int32)
    return lu, (piv + 1).astype(jnp.int32), perm, info


def _lu_factor_message(name):
    return lambda batch, info: (
        f"{name}: {batch}U[{info},{info}] is zero and using it on lu_solve would "
        "result in a division by zero. If you still want to perform the factorization, consider "
        "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
    )


@op(
    "linalg.lu_factor_ex",
    promote=NONE,
    method=False,
    returns=("LU", "pivots", "info"),
    post=raise_if_checked(_lu_factor_message("torch.linalg.lu_factor_ex"), RuntimeError),
)
def lu_factor_ex(A: T, *, pivot=True, check_errors=False):
    """torch.linalg.lu_factor_ex: the compact LU factorization, pivots, and LAPACK's info."""
    lu, piv, _, info = _lu("torch.linalg.lu_factor_ex", A, pivot)
    return lu, piv, info


@op(
    "linalg.lu_factor",
    promote=NONE,
    method=False,
    returns=("LU", "pivots", "info"),
    grad_name="LinalgLuFactorExBackward0",
    post=raise_on_info(
        _lu_factor_message("torch.linalg.lu_factor"),
        RuntimeError,
        ("linalg_lu_factor", ("LU", "pivots")),
    ),
)
def lu_factor(A: T, *, pivot=True):
    """torch.linalg.lu_factor: the compact LU factorization and its pivots."""
    lu, piv, _, info = _lu("torch.linalg.lu_factor", A, pivot)
    return lu, piv, info


def _unpack(lu, perm):
    """P, L, U from a compact LU and its 0-based row permutation (A = P L U)."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    L = jnp.tril(lu[..., :, :k], -1) + jnp.eye(m, k, dtype=lu.dtype)
    U = jnp.triu(lu[..., :k, :])
    P = jnp.swapaxes(jax.nn.one_hot(perm, m, dtype=lu.dtype), -1, -2)
    return P, L, U


@op("linalg.lu", promote=NONE, method=False, returns=("P", "L", "U"), post=detach("P"))
def linalg_lu(A: T, *, pivot=True):
    """torch.linalg.lu: A = P L U with P a permutation matrix."""
    lu, _, perm, _ = _lu("linalg.lu", A, pivot)
    return _unpack(lu, perm)


@method("lu")
def lu(A, pivot=True, get_infos=False, out=None):
    """torch.lu (deprecated in torch for torch.linalg.lu_factor): (LU, pivots[, infos])."""
    result = lu_factor_ex(A, pivot=pivot, check_errors=not get_infos, out=out)
    return tuple(result) if get_infos else tuple(result[:2])


@op(promote=NONE, method=False, returns=("P", "L", "U"), post=detach("P"))
def lu_unpack(LU_data: T, LU_pivots: T, unpack_data=True, unpack_pivots=True):
    """torch.lu_unpack: P, L, U from lu_factor's output (empty where not unpacked)."""
    check(
        LU_pivots.dtype == jnp.int32,
        RuntimeError,
        "torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype.\n"
        "Note: this function is intended to be used with the output produced by torch.linalg.lu_factor",
    )
    m = LU_data.shape[-2]
    perm = jax.lax.linalg.lu_pivots_to_permutation(LU_pivots - 1, m)
    P, L, U = _unpack(LU_data, perm)
    empty = jnp.zeros((0,), LU_data.dtype)
    return (P if unpack_pivots else empty), *((L, U) if unpack_data else (empty, empty))


# ---- Householder reflections ------------------------------------------------------------------


@op(promote=NONE, returns=("a", "tau"), method=True)
def geqrf(input: T):
    """torch.geqrf: LAPACK's QR in compact form (R above the diagonal, reflectors below) and
    the reflectors' scales."""
    from jax._src.lax.linalg import geqrf as _geqrf  # not exported by jax.lax.linalg

    check_matrix("geqrf", input)
    return _geqrf(input)


def _apply_reflectors(A, tau, X, adjoint):
    """H_1 ... H_k X (adjoint: (H_1 ... H_k)^H X) with H_i = I - tau_i v_i v_i^H, v_i the i-th
    column of A below the diagonal with a unit diagonal."""
    m = A.shape[-2]
    k = tau.shape[-1]
    rows = jnp.arange(m)
    order = range(k) if adjoint else reversed(range(k))
    for i in order:
        v = jnp.where(rows > i, A[..., :, i], jnp.where(rows == i, 1, 0).astype(A.dtype))
        t = tau[..., i, None, None]
        t = jnp.conj(t) if adjoint else t
        X = X - t * v[..., :, None] * _mm(jnp.conj(v)[..., None, :], X)
    return X


@op("linalg.householder_product", promote=NONE, method="orgqr")
def householder_product(A: T, tau: T):
    """torch.linalg.householder_product (torch.orgqr): the first n columns of the product of
    the Householder reflectors stored in A and tau."""
    check_matrix("torch.linalg.householder_product", A)
    m, n = A.shape[-2:]
    check(
        m >= n,
        RuntimeError,
        "torch.linalg.householder_product: input.shape[-2] must be greater than or equal to "
        "input.shape[-1]",
    )
    check(
        n >= tau.shape[-1],
        RuntimeError,
        "torch.linalg.householder_product: input.shape[-1] must be greater than or equal to "
        "tau.shape[-1]",
    )
    eye = jnp.broadcast_to(jnp.eye(m, n, dtype=A.dtype), A.shape)
    return _apply_reflectors(A, tau, eye, adjoint=False)


@op(promote=NONE)
def ormqr(input: T, input2: T, input3: T, left=True, transpose=False):
    """torch.ormqr: multiplies input3 by the Q of geqrf's (input, input2), from the left or
    right, optionally transposed (conjugate-transposed for complex)."""
    check(input.ndim >= 2, RuntimeError, "torch.ormqr: input must have at least 2 dimensions.")
    check(input3.ndim >= 2, RuntimeError, "torch.ormqr: other must have at least 2 dimensions.")
    check(
        input2.shape[-1] <= input.shape[-1],
        RuntimeError,
        "torch.ormqr: input.shape[-1] must be greater than or equal to tau.shape[-1]",
    )
    if left:  # Q^(H) C
        return _apply_reflectors(input, input2, input3, adjoint=transpose)
    # C Q^(H) = (Q^(H)^H C^H)^H
    return mH(_apply_reflectors(input, input2, mH(input3), adjoint=not transpose))


# ---- determinants ---------------------------------------------------------------------------------


@op("linalg.det", promote=NONE, method="det")
def linalg_det(A: T):
    """torch.linalg.det (torch.det): the determinant."""
    check_matrix("linalg.det", A, square=True)
    return jnp.linalg.det(A) if A.shape[-1] else jnp.ones(A.shape[:-2], A.dtype)


@op("linalg.slogdet", promote=NONE, method="slogdet", returns=("sign", "logabsdet"))
def linalg_slogdet(A: T):
    """torch.linalg.slogdet (torch.slogdet): the sign (or phase) and log |det|."""
    check_matrix("linalg.slogdet", A, square=True)
    return _slogdet(A)


def _slogdet(A):
    if not A.shape[-1]:
        return jnp.ones(A.shape[:-2], A.dtype), jnp.zeros(A.shape[:-2], jnp.finfo(A.dtype).dtype)
    sign, logabsdet = jnp.linalg.slogdet(A)
    return sign, logabsdet


@op(promote=NONE, grad_name="WhereBackward0")
def logdet(input: T):
    """torch.logdet: log det; nan for a negative determinant, -inf for zero."""
    check_matrix("logdet", input, square=True)
    sign, logabsdet = _slogdet(input)
    if jnp.iscomplexobj(input):
        return logabsdet + jnp.log(sign)
    return jnp.where(sign < 0, jnp.nan, logabsdet)


@op(promote=NONE, grad_name="LinalgMatrixExpBackward0")
def matrix_exp(input: T):
    """torch.matrix_exp (torch.linalg.matrix_exp): the matrix exponential."""
    check_matrix("linalg.matrix_exp", input, square=True)
    return jax.scipy.linalg.expm(input) if input.size else input
