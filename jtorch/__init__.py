"""jtorch: PyTorch's API on JAX. ``import jtorch as torch``, or run a script unchanged with
``python -m jtorch script.py``."""

import jax as _jax
import sys as _sys

_jax.config.update("jax_enable_x64", True)

from . import _dtype  # noqa: E402
from ._dtype import (  # noqa: E402
    bfloat16,
    bool,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    set_default_dtype,
    short,
    uint8,
)
from ._device import device  # noqa: E402
from ._size import Size  # noqa: E402
from ._legacy import (  # noqa: E402
    BFloat16Tensor, BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor,
    IntTensor, LongTensor, ShortTensor,
)
from .tensor import Tensor  # noqa: E402
from ._layout import (  # noqa: E402
    _mkldnn, channels_last, contiguous_format, jagged, layout, memory_format, preserve_format,
    sparse_bsc, sparse_bsr, sparse_coo, sparse_csc, sparse_csr, strided,
)
from ._ops import _registry  # noqa: E402
from ._ops.pointwise import (  # noqa: E402
    abs, absolute, acos, acosh, add, addcdiv, addcmul, angle, arccos, arccosh, arcsin, arcsinh,
    arctan, arctan2, arctanh, asin, asinh, atan, atan2, atanh, bitwise_and, bitwise_left_shift,
    bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor, ceil, clamp, clamp_max, clamp_min,
    clip, copysign, cos, cosh, deg2rad, div, divide, exp, exp2, expm1, fill, fix, float_power,
    floor, floor_divide, fmax, fmin, fmod, frac, heaviside, hypot, ldexp, lerp, log, log2, log10,
    log1p, logaddexp, logaddexp2, logical_and, logical_not, logical_or, logical_xor, maximum,
    minimum, mul, multiply, nan_to_num, neg, negative, nextafter, positive, pow, rad2deg,
    reciprocal, relu, remainder, round, rsqrt, rsub, sgn, sigmoid, sign, signbit, sin, sinc, sinh,
    sqrt, square, sub, subtract, tan, tanh, true_divide, trunc, where, zero_,
)
from ._ops.comparison import (  # noqa: E402
    allclose, eq, equal, ge, greater, greater_equal, gt, isclose, isfinite, isinf, isnan, isneginf,
    isposinf, isreal, le, less, less_equal, lt, ne, not_equal,
)
from ._ops.special import (  # noqa: E402
    digamma, erf, erfc, erfinv, i0, igamma, igammac, lgamma, logit, mvlgamma, polygamma, xlogy,
)
from ._ops.reduction import (  # noqa: E402
    all, amax, amin, aminmax, any, argmax, argmin, count_nonzero, cummax, cummin, cumprod, cumsum,
    diff, logsumexp, max, mean, min, nanmean, nansum, norm, prod, std, std_mean, sum, var, var_mean,
)
from ._ops.shape import (  # noqa: E402
    as_strided, broadcast_tensors, broadcast_to, chunk, diagonal, dsplit, expand_as, flatten, hsplit,
    movedim, moveaxis, narrow, permute, ravel, reshape, select, split, split_with_sizes, squeeze,
    swapaxes, swapdims, t, tensor_split, transpose, unbind, unflatten, unsafe_chunk, unsafe_split,
    unsqueeze, vsplit,
)
from ._ops.view_variants import (  # noqa: E402
    alias_copy, as_strided_copy, as_strided_scatter, diagonal_copy, diagonal_scatter, expand_copy,
    narrow_copy, permute_copy, select_scatter, slice_scatter, split_with_sizes_copy, squeeze_copy,
    t_copy, transpose_copy, unbind_copy, unfold_copy, unsqueeze_copy, view_copy,
)
from ._ops.rearrange import (  # noqa: E402
    atleast_1d, atleast_2d, atleast_3d, cat, clone, column_stack, concat, concatenate, diag,
    diag_embed, dstack, flip, fliplr, flipud, hstack, repeat_interleave, roll, row_stack, stack,
    tile, tril, triu, vstack,
)
from ._ops.binning import (  # noqa: E402
    bincount, bucketize, histc, histogram, histogramdd, isin, searchsorted,
)
from ._ops.products import (  # noqa: E402
    block_diag, cartesian_prod, cdist, combinations, constant_pad_nd, cross, diagflat, dist, kron,
    meshgrid, rot90, tensordot, trace, tril_indices, triu_indices, unravel_index,
)
from ._ops.numeric import (  # noqa: E402
    corrcoef, cov, cumulative_trapezoid, frexp, gcd, gradient, lcm, logcumsumexp, nanquantile,
    quantile, renorm, trapezoid, trapz,
)
from ._ops.indexing import index_put, index_put_  # noqa: E402
from ._ops.selection import (  # noqa: E402
    argwhere, gather, index_add, index_copy, index_fill, index_select, masked_fill,
    masked_scatter, masked_select, nonzero, put, scatter, scatter_add, scatter_reduce, take,
    take_along_dim,
)
from ._ops.linalg import (  # noqa: E402
    addbmm, addmm, addmv, addr, baddbmm, bmm, dot, einsum, get_float32_matmul_precision, ger,
    inner, matmul, mm, mv, outer, set_float32_matmul_precision, vdot,
)
from ._ops.creation import (  # noqa: E402
    as_tensor, asarray, complex_ as complex, empty, empty_like, empty_permuted, empty_strided, eye,
    from_numpy, full, full_like, ones, ones_like, polar, scalar_tensor, tensor, zeros, zeros_like,
)
from ._ops.ranges import arange, linspace, logspace, range_ as range  # noqa: E402
from ._ops.random import (  # noqa: E402
    bernoulli, multinomial, normal, rand, rand_like, randint, randint_like, randn, randn_like,
    randperm,
)
from ._ops import conversion as _conversion  # noqa: E402
from ._random import (  # noqa: E402
    Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state,
)
from ._tensor_str import set_printoptions, get_printoptions  # noqa: E402
from .autograd.grad_mode import (  # noqa: E402
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled,
)
from . import autograd, cuda  # noqa: E402
from ._functions import (  # noqa: E402
    broadcast_shapes, can_cast, is_complex, is_floating_point, is_nonzero, is_storage, is_tensor,
    numel, result_type, typename,
)
from ._ops.sorting import (  # noqa: E402
    argsort, kthvalue, median, mode, msort, nanmedian, sort, topk, unique, unique_consecutive,
)

from ._ops.nn_conv import (  # noqa: E402
    conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d,
)
from ._ops.nn_pool import (  # noqa: E402
    adaptive_avg_pool1d, adaptive_max_pool1d, avg_pool1d, max_pool1d, max_pool1d_with_indices,
    max_pool2d, max_pool3d,
)
from ._ops.nn_norm import (  # noqa: E402
    _batch_norm_with_update, _native_batch_norm_legit, native_batch_norm, native_group_norm,
    native_layer_norm, rms_norm, torch_batch_norm as batch_norm, torch_group_norm as group_norm,
    torch_instance_norm as instance_norm, torch_layer_norm as layer_norm,
)
from ._ops.nn_resample import (  # noqa: E402
    channel_shuffle, grid_sampler_2d, grid_sampler_3d, pixel_shuffle, pixel_unshuffle,
)
from ._ops.nn_activation import (  # noqa: E402
    celu, hardshrink, log_softmax, prelu, selu, softmax, threshold,
)
from ._ops.nn_distance import cosine_similarity, pairwise_distance, pdist  # noqa: E402
from ._ops.nn_linear import bilinear  # noqa: E402
from ._ops.nn_embedding import embedding, embedding_renorm_  # noqa: E402
from ._ops.nn_rnn import (  # noqa: E402
    gru, gru_cell, lstm, lstm_cell, rnn_relu, rnn_relu_cell, rnn_tanh, rnn_tanh_cell,
)
from ._ops.complex import (  # noqa: E402
    conj, conj_physical, imag, is_conj, is_neg, real, resolve_conj, resolve_neg, view_as_complex,
    view_as_real,
)
from ._ops.decompositions import (  # noqa: E402
    cholesky, geqrf, householder_product as orgqr, linalg_det as det, linalg_slogdet as slogdet,
    logdet, lu, lu_unpack, matrix_exp, ormqr, qr, svd,
)
from ._ops.solvers import (  # noqa: E402
    cholesky_inverse, cholesky_solve, inv as inverse, lu_solve, matrix_power, pinverse,
    triangular_solve,
)
from ._ops.fft import stft  # noqa: E402
from ._ops.windows import (  # noqa: E402
    bartlett_window, blackman_window, hamming_window, hann_window, kaiser_window,
)
from . import fft, linalg, masked, nn, optim, signal, special  # noqa: E402  (namespaces over _ops)
from .sparse import (  # noqa: E402
    sparse_bsc_tensor, sparse_bsr_tensor, sparse_compressed_tensor, sparse_coo_tensor,
    sparse_csc_tensor, sparse_csr_tensor,
)
from . import multiprocessing, sparse  # noqa: E402
from . import utils  # noqa: E402
from .serialization import load, save  # noqa: E402
from ._compile import compile  # noqa: E402,A004  (torch.compile)
from ._threads import (  # noqa: E402
    get_num_interop_threads,
    get_num_threads,
    set_num_interop_threads,
    set_num_threads,
)

_registry.install_methods(Tensor)
_registry.pickle_by_public_name(_sys.modules[__name__])
_registry.pickle_by_public_name(nn.functional)
from . import _tensor_methods  # noqa: E402,F401  (operators and aliases on Tensor)

__version__ = "2.13.0+jtorch"
