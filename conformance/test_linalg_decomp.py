"""torch.linalg and the matrix factorizations (jtorch/_ops/{decompositions,solvers,norms}.py)
against real torch, for what op_db does not reach: LinAlgError and the ``*_ex`` info outputs,
named-tuple results, batch broadcasting of solves, the norms' ord/dim defaults, torch's error
types and messages for common mistakes, Tensor methods and top-level aliases, grad_fn names.
"""

import numpy as np
import pytest
import torch

import jtorch
from conformance._compare import assert_close, same

RNG = np.random.default_rng(0)


def arr(*shape, dtype="float64"):
    return RNG.standard_normal(shape).astype(dtype)


def spd(L, a):
    """A symmetric positive-definite matrix (batch) made from ``a``."""
    return a @ a.mT + a.shape[-1] * L.eye(a.shape[-1], dtype=a.dtype)


def ids(table):
    return [row[0] for row in table]


# ---- values and gradients ------------------------------------------------------------------------
# (id, fn(lib, *tensors), input shapes)

CASES = [
    ("inv", lambda L, a: L.linalg.inv(a), [(3, 3)]),
    ("inverse_method", lambda L, a: a.inverse(), [(2, 3, 3)]),
    ("det_top_level", lambda L, a: L.det(a), [(2, 3, 3)]),
    ("det_method", lambda L, a: a.det(), [(4, 4)]),
    ("slogdet_method", lambda L, a: a.slogdet(), [(3, 3)]),
    ("logdet", lambda L, a: L.logdet(spd(L, a)), [(3, 3)]),
    ("solve_vector_rhs", lambda L, a, b: L.linalg.solve(a, b), [(3, 3), (3,)]),
    ("solve_batched_vector_rhs", lambda L, a, b: L.linalg.solve(a, b), [(2, 3, 3), (2, 3)]),
    ("solve_broadcast", lambda L, a, b: L.linalg.solve(a, b), [(2, 1, 3, 3), (4, 3, 2)]),
    ("solve_broadcast_b", lambda L, a, b: L.linalg.solve(a, b), [(3, 3), (5, 3, 2)]),
    ("solve_right", lambda L, a, b: L.linalg.solve(a, b, left=False), [(3, 3), (2, 3)]),
    ("cholesky_upper", lambda L, a: L.linalg.cholesky(spd(L, a), upper=True), [(3, 3)]),
    ("cholesky_method", lambda L, a: spd(L, a).cholesky(), [(2, 3, 3)]),
    ("eigh_upper", lambda L, a: L.linalg.eigh(spd(L, a), UPLO="U").eigenvalues, [(4, 4)]),
    ("eigvalsh", lambda L, a: L.linalg.eigvalsh(spd(L, a)), [(2, 3, 3)]),
    ("qr_complete", lambda L, a: L.linalg.qr(a, mode="complete"), [(3, 4)]),
    ("qr_method", lambda L, a: a.qr(), [(3, 4)]),
    ("svdvals", lambda L, a: L.linalg.svdvals(a), [(4, 3)]),
    ("svd_compute_uv_false", lambda L, a: L.svd(a, compute_uv=False), [(4, 3)]),
    ("pinv_atol", lambda L, a: L.linalg.pinv(a, atol=0.5), [(4, 3)]),
    ("pinv_hermitian", lambda L, a: L.linalg.pinv(spd(L, a), hermitian=True), [(3, 3)]),
    ("matrix_power_method", lambda L, a: a.matrix_power(3), [(3, 3)]),
    ("matrix_power_negative", lambda L, a: L.linalg.matrix_power(a, -2), [(2, 3, 3)]),
    ("matrix_power_zero", lambda L, a: L.linalg.matrix_power(a, 0), [(3, 3)]),
    ("multi_dot_vectors", lambda L, a, b, c: L.linalg.multi_dot([a, b, c]), [(3,), (3, 4), (4,)]),
    ("vecdot_broadcast", lambda L, a, b: L.linalg.vecdot(a, b, dim=0), [(3, 1), (3, 4)]),
    ("lstsq_vector_rhs", lambda L, a, b: L.linalg.lstsq(a, b).solution, [(4, 3), (4,)]),
    ("lu_factor_unpack", lambda L, a: L.lu_unpack(*L.linalg.lu_factor(a)), [(3, 4)]),
    ("lu_solve_top_level", lambda L, a, b: L.lu_solve(b, *L.linalg.lu_factor(a)), [(3, 3), (3, 2)]),
    ("matrix_exp_method", lambda L, a: a.matrix_exp(), [(3, 3)]),
    ("cholesky_inverse", lambda L, a: L.cholesky_inverse(L.linalg.cholesky(spd(L, a))), [(3, 3)]),
]


@pytest.mark.parametrize("name,fn,shapes", CASES, ids=ids(CASES))
def test_values_and_grads(name, fn, shapes):
    same(fn, *(arr(*s) for s in shapes))


NOT_DIFFERENTIABLE = [
    ("qr_complete_tall", lambda L, a: L.linalg.qr(a, mode="complete").R.sum().backward(), (4, 3)),
    ("qr_r", lambda L, a: L.linalg.qr(a, mode="r").R.sum().backward(), (4, 3)),
]


@pytest.mark.parametrize("name,fn,shape", NOT_DIFFERENTIABLE, ids=ids(NOT_DIFFERENTIABLE))
def test_backward_raises(name, fn, shape):
    t_err, j_err = same(fn, arr(*shape), grad=False, requires_grad=[True])
    assert str(j_err) == str(t_err)


# ---- norms: ord / dim defaults ---------------------------------------------------------------------

NORMS = [
    ("vector_norm_all_dims", lambda L, x: L.linalg.vector_norm(x), [(2, 3, 4)]),
    (
        "vector_norm_inf_dims",
        lambda L, x: L.linalg.vector_norm(x, float("inf"), (0, 2)),
        [(2, 3, 4)],
    ),
    (
        "vector_norm_keepdim_dtype",
        lambda L, x: L.linalg.vector_norm(x, 3, -1, True, dtype=L.float64),
        [(2, 3)],
    ),
    ("vector_norm_zero_ord", lambda L, x: L.linalg.vector_norm(x, 0), [(5,)]),
    ("matrix_norm_default_fro", lambda L, x: L.linalg.matrix_norm(x), [(2, 3, 4)]),
    ("matrix_norm_nuc", lambda L, x: L.linalg.matrix_norm(x, "nuc"), [(3, 4)]),
    ("matrix_norm_2_dims", lambda L, x: L.linalg.matrix_norm(x, 2, dim=(0, 2)), [(3, 2, 4)]),
    (
        "matrix_norm_inf_keepdim",
        lambda L, x: L.linalg.matrix_norm(x, float("inf"), keepdim=True),
        [(2, 3, 4)],
    ),
    ("matrix_norm_minus_1", lambda L, x: L.linalg.matrix_norm(x, -1), [(3, 4)]),
    ("norm_default_flattens", lambda L, x: L.linalg.norm(x), [(2, 3, 4)]),
    ("norm_ord_2d_is_matrix", lambda L, x: L.linalg.norm(x, 2), [(3, 4)]),
    ("norm_ord_1d", lambda L, x: L.linalg.norm(x, 1), [(5,)]),
    ("norm_dim_int", lambda L, x: L.linalg.norm(x, dim=1), [(2, 3, 4)]),
    ("norm_dim_pair_fro", lambda L, x: L.linalg.norm(x, dim=(1, 2)), [(2, 3, 4)]),
    ("cond_default", lambda L, x: L.linalg.cond(x), [(3, 3)]),
]


def test_cond_fro():  # torch's own backward of cond(p='fro') fails (an in-place write)
    same(lambda L, x: L.linalg.cond(x, "fro"), arr(2, 3, 3), grad=False)


@pytest.mark.parametrize("name,fn,shapes", NORMS, ids=ids(NORMS))
def test_norms(name, fn, shapes):
    same(fn, *(arr(*s) for s in shapes))


def test_vector_norm_gradient_at_zero():
    same(lambda L, x: L.linalg.vector_norm(x * 0), arr(3, 2))


# ---- named tuples ----------------------------------------------------------------------------------

NAMED = [
    ("linalg_slogdet", lambda L, a: L.linalg.slogdet(a)),
    ("linalg_qr", lambda L, a: L.linalg.qr(a)),
    ("linalg_svd", lambda L, a: L.linalg.svd(a)),
    ("linalg_eigh", lambda L, a: L.linalg.eigh(a)),
    ("linalg_inv_ex", lambda L, a: L.linalg.inv_ex(a)),
    ("linalg_cholesky_ex", lambda L, a: L.linalg.cholesky_ex(spd(L, a))),
    ("linalg_lu_factor", lambda L, a: L.linalg.lu_factor(a)),
    ("linalg_lu_factor_ex", lambda L, a: L.linalg.lu_factor_ex(a)),
    ("linalg_lu", lambda L, a: L.linalg.lu(a)),
    ("linalg_lstsq", lambda L, a: L.linalg.lstsq(a, a)),
    ("linalg_eig", lambda L, a: L.linalg.eig(a)),
    ("svd", lambda L, a: L.svd(a)),
    ("qr", lambda L, a: L.qr(a)),
    ("geqrf", lambda L, a: L.geqrf(a)),
    ("triangular_solve", lambda L, a: L.triangular_solve(a, a.triu())),
    ("lu_unpack", lambda L, a: L.lu_unpack(*L.linalg.lu_factor(a))),
]


@pytest.mark.parametrize("name,fn", NAMED, ids=ids(NAMED))
def test_named_tuples(name, fn):
    a = arr(3, 3)
    t = fn(torch, torch.tensor(a))
    j = fn(jtorch, jtorch.tensor(a))
    assert type(j).__name__ == type(t).__name__ == name
    assert j._fields == tuple(t._fields) if hasattr(t, "_fields") else True
    for field in type(j)._fields:  # abs: the signs of singular and eigenvectors are free
        assert_close(
            getattr(j, field).abs(), getattr(t, field).abs(), rtol=1e-6, atol=1e-6, what=field
        )
    assert repr(j).startswith(f"torch.return_types.{name}(")


def test_torch_lu_returns_plain_tuples():
    a = arr(3, 3)
    for kwargs in ({}, {"get_infos": True}):
        t = torch.lu(torch.tensor(a), **kwargs)
        j = jtorch.lu(jtorch.tensor(a), **kwargs)
        assert type(j) is tuple and len(j) == len(t)
        assert_close(j, t)
    assert_close(jtorch.tensor(a).lu()[1], torch.tensor(a).lu()[1])


# ---- singular input: LinAlgError and info ----------------------------------------------------------

SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
NOT_PD = np.diag([1.0, 1.0, -1.0])
BATCH = np.stack([np.eye(3), SINGULAR, NOT_PD])

RAISING = [
    ("inv", lambda L, a: L.linalg.inv(a), SINGULAR),
    ("inv_batched", lambda L, a: L.linalg.inv(a), BATCH),
    ("inverse", lambda L, a: L.inverse(a), SINGULAR),
    ("inv_ex_check_errors", lambda L, a: L.linalg.inv_ex(a, check_errors=True), SINGULAR),
    ("solve_ex_check_errors", lambda L, a: L.linalg.solve_ex(a, a, check_errors=True), BATCH),
    ("lu_factor_ex_check_errors", lambda L, a: L.linalg.lu_factor_ex(a, check_errors=True), BATCH),
    ("solve", lambda L, a: L.linalg.solve(a, a), SINGULAR),
    ("solve_batched", lambda L, a: L.linalg.solve(a, a[0]), BATCH),
    ("cholesky", lambda L, a: L.linalg.cholesky(a), NOT_PD),
    ("cholesky_minor_1", lambda L, a: L.linalg.cholesky(-a), np.eye(2)),
    ("cholesky_batched", lambda L, a: L.linalg.cholesky(a), BATCH),
    ("cholesky_upper", lambda L, a: L.linalg.cholesky(a, upper=True), NOT_PD),
    ("cholesky_top_level", lambda L, a: L.cholesky(a), NOT_PD),
    ("cholesky_ex_check_errors", lambda L, a: L.linalg.cholesky_ex(a, check_errors=True), NOT_PD),
    ("lu_factor", lambda L, a: L.linalg.lu_factor(a), np.zeros((3, 3))),
]


def raised(fn):
    try:
        fn()
    except Exception as e:
        return e
    raise AssertionError("did not raise")


@pytest.mark.parametrize("name,fn,a", RAISING, ids=ids(RAISING))
def test_singular_raises_torch_error(name, fn, a):
    # jtorch's LinAlgError cannot be torch's class: compare the type by its place in torch.
    t_err = raised(lambda: fn(torch, torch.tensor(a)))
    j_err = raised(lambda: fn(jtorch, jtorch.tensor(a)))
    assert str(j_err) == str(t_err)
    assert isinstance(j_err, RuntimeError)
    linalg_error = isinstance(t_err, torch.linalg.LinAlgError)
    assert isinstance(j_err, jtorch.linalg.LinAlgError) == linalg_error


def test_linalg_error_is_a_runtime_error():
    assert issubclass(jtorch.linalg.LinAlgError, RuntimeError)
    with pytest.raises(RuntimeError):
        jtorch.linalg.inv(jtorch.zeros(2, 2))


INFOS = [
    ("inv_ex", lambda L, a: L.linalg.inv_ex(a).info, SINGULAR),
    ("inv_ex_batched", lambda L, a: L.linalg.inv_ex(a).info, BATCH),
    ("cholesky_ex", lambda L, a: L.linalg.cholesky_ex(a).info, NOT_PD),
    ("cholesky_ex_batched", lambda L, a: L.linalg.cholesky_ex(a).info, BATCH),
    ("cholesky_ex_ok", lambda L, a: L.linalg.cholesky_ex(a), np.eye(3)),
    ("solve_ex", lambda L, a: L.linalg.solve_ex(a, a).info, BATCH),
    ("lu_factor_ex", lambda L, a: L.linalg.lu_factor_ex(a).info, np.zeros((2, 3, 3))),
    ("lu_get_infos", lambda L, a: L.lu(a, get_infos=True)[2], BATCH),
]


@pytest.mark.parametrize("name,fn,a", INFOS, ids=ids(INFOS))
def test_ex_info(name, fn, a):
    same(fn, a, grad=False)


# ---- bad input ---------------------------------------------------------------------------------------
# (id, fn(lib, *tensors), inputs): torch's exception type and message

ERRORS = [
    ("inv_not_square", lambda L, a: L.linalg.inv(a), [arr(2, 3)]),
    ("inv_1d", lambda L, a: L.linalg.inv(a), [arr(3)]),
    ("inv_integer", lambda L, a: L.linalg.inv(a), [np.eye(3, dtype=np.int64)]),
    ("det_integer", lambda L, a: L.linalg.det(a), [np.eye(3, dtype=np.int64)]),
    ("det_not_square", lambda L, a: L.det(a), [arr(3, 2)]),
    ("solve_incompatible", lambda L, a, b: L.linalg.solve(a, b), [arr(3, 3), arr(2, 4)]),
    ("solve_batch_mismatch", lambda L, a, b: L.linalg.solve(a, b), [arr(2, 3, 3), arr(3, 3, 1)]),
    (
        "solve_dtype_mismatch",
        lambda L, a, b: L.linalg.solve(a, b),
        [arr(3, 3), arr(3, 2, dtype="float32")],
    ),
    ("cholesky_not_square", lambda L, a: L.linalg.cholesky(a), [arr(3, 4)]),
    ("qr_bad_mode", lambda L, a: L.linalg.qr(a, mode="full"), [arr(3, 3)]),
    ("eigh_bad_uplo", lambda L, a: L.linalg.eigh(a, UPLO="X"), [arr(3, 3)]),
    ("matrix_norm_bad_ord", lambda L, a: L.linalg.matrix_norm(a, 3), [arr(3, 3)]),
    ("matrix_norm_1d", lambda L, a: L.linalg.matrix_norm(a), [arr(3)]),
    ("norm_ord_3d", lambda L, a: L.linalg.norm(a, 2), [arr(2, 3, 4)]),
    ("vector_norm_integer", lambda L, a: L.linalg.vector_norm(a), [np.arange(3)]),
    ("lstsq_bad_driver", lambda L, a: L.linalg.lstsq(a, a, driver="foo"), [arr(3, 3)]),
    ("multi_dot_one", lambda L, a: L.linalg.multi_dot([a]), [arr(3, 3)]),
    ("multi_dot_shapes", lambda L, a, b: L.linalg.multi_dot([a, b]), [arr(3, 4), arr(3, 4)]),
    ("cross_length", lambda L, a: L.linalg.cross(a, a), [arr(4, 2)]),
    ("svd_driver_on_cpu", lambda L, a: L.linalg.svd(a, driver="gesvd"), [arr(3, 3)]),
    ("lu_no_pivot_on_cpu", lambda L, a: L.linalg.lu_factor(a, pivot=False), [arr(3, 3)]),
]
SAME_MESSAGE = {
    "inv_not_square",
    "inv_1d",
    "inv_integer",
    "det_integer",
    "solve_incompatible",
    "solve_batch_mismatch",
    "qr_bad_mode",
    "eigh_bad_uplo",
    "matrix_norm_bad_ord",
    "norm_ord_3d",
    "vector_norm_integer",
    "lstsq_bad_driver",
    "multi_dot_one",
    "multi_dot_shapes",
    "cross_length",
    "svd_driver_on_cpu",
}


@pytest.mark.parametrize("name,fn,inputs", ERRORS, ids=ids(ERRORS))
def test_errors(name, fn, inputs):
    t_err, j_err = same(fn, *inputs, grad=False)
    assert isinstance(t_err, Exception), "torch did not raise"
    if name in SAME_MESSAGE:
        assert str(j_err) == str(t_err)


# ---- names, aliases, out=, grad_fn -----------------------------------------------------------------


def test_namespace():
    assert jtorch.inverse is jtorch.linalg.inv
    assert jtorch.det is jtorch.linalg.det and jtorch.slogdet is jtorch.linalg.slogdet
    assert jtorch.linalg.matrix_exp is jtorch.matrix_exp
    assert jtorch.orgqr is jtorch.linalg.householder_product
    assert jtorch.linalg.matmul is jtorch.matmul
    for name in (
        "det",
        "slogdet",
        "logdet",
        "inverse",
        "cholesky",
        "qr",
        "svd",
        "lu",
        "lu_solve",
        "pinverse",
        "matrix_exp",
        "matrix_power",
        "triangular_solve",
        "geqrf",
        "ormqr",
        "cholesky_solve",
        "cholesky_inverse",
        "orgqr",
    ):
        assert hasattr(torch.Tensor, name) and hasattr(jtorch.Tensor, name), name


def test_out():
    a = arr(3, 3)
    same(lambda L, a: L.linalg.inv(a, out=L.empty(3, 3, dtype=L.float64)), a, grad=False)
    same(
        lambda L, a: L.linalg.slogdet(
            a, out=(L.empty(0, dtype=L.float64), L.empty(0, dtype=L.float64))
        ),
        a,
        grad=False,
    )


GRAD_FNS = [
    lambda L, a: L.linalg.inv(a),
    lambda L, a: L.linalg.solve(a, a),
    lambda L, a: L.linalg.det(a),
    lambda L, a: L.linalg.cholesky(spd(L, a)),
    lambda L, a: L.linalg.svdvals(a),
    lambda L, a: L.linalg.eigvalsh(a),
    lambda L, a: L.linalg.pinv(a),
    lambda L, a: L.linalg.vector_norm(a),
    lambda L, a: L.linalg.matrix_norm(a, 2),
    lambda L, a: L.logdet(a),
    lambda L, a: L.matrix_exp(a),
]


@pytest.mark.parametrize("fn", GRAD_FNS)
def test_grad_fn_names(fn):
    a = arr(3, 3)
    t = fn(torch, torch.tensor(a, requires_grad=True))
    j = fn(jtorch, jtorch.tensor(a, requires_grad=True))
    assert j.grad_fn.name() == t.grad_fn.name()
