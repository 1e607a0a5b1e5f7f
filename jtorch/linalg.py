"""torch.linalg: every name here is an op defined once in jtorch/_ops/."""

from ._ops.decompositions import (  # noqa: F401
    LinAlgError, cholesky_ex, eig, eigh, eigvals, eigvalsh, householder_product, linalg_cholesky as cholesky,
    linalg_det as det, linalg_lu as lu, linalg_qr as qr, linalg_slogdet as slogdet, linalg_svd as svd,
    lu_factor, lu_factor_ex, matrix_exp, svdvals,
)
from ._ops.linalg import (  # noqa: F401
    linalg_cross as cross, linalg_diagonal as diagonal, matmul, multi_dot, vander, vecdot,
)
from ._ops.norms import cond, matrix_norm, norm, vector_norm  # noqa: F401
from ._ops.solvers import (  # noqa: F401
    inv, inv_ex, linalg_lu_solve as lu_solve, lstsq, matrix_power, matrix_rank, pinv, solve, solve_ex,
    solve_triangular, tensorinv, tensorsolve,
)
