"""torch.special: every name here is an op defined once in jtorch/_ops/ (special.py mostly).

torch's special.X and the top-level op it repeats (expit and sigmoid, gammaln and lgamma) are
two bindings of one kernel; here they are one op object under two names.
"""

from ._ops.pointwise import (  # noqa: F401
    exp2, expm1, log1p, round, sigmoid as expit, sinc,
)
from ._ops.nn_activation import log_softmax, softmax  # noqa: F401
from ._ops.reduction import logsumexp  # noqa: F401
from ._ops.special import (  # noqa: F401
    airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1, modified_bessel_k0, modified_bessel_k1,
    scaled_modified_bessel_k0, scaled_modified_bessel_k1,
    chebyshev_polynomial_t, chebyshev_polynomial_u, chebyshev_polynomial_v, chebyshev_polynomial_w,
    hermite_polynomial_h, hermite_polynomial_he, laguerre_polynomial_l, legendre_polynomial_p,
    shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u, shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w,
    digamma, digamma as psi, entr, erf, erfc, erfcx, erfinv, i0, i0e, i1, i1e, igamma as gammainc,
    igammac as gammaincc, lgamma as gammaln, log_ndtr, logit, modified_bessel_i0,
    modified_bessel_i1, mvlgamma as multigammaln, ndtr, ndtri, polygamma, spherical_bessel_j0,
    xlog1py, xlogy, zeta,
)
