"""torch.nn.functional: every name here is an op defined once in jtorch/_ops/nn_*.py."""

from .._ops.nn_activation import (  # noqa: E402,F401  (activations and softmaxes)
    F_celu as celu, F_elu as elu, F_hardsigmoid as hardsigmoid, F_hardswish as hardswish,
    F_hardtanh as hardtanh, F_leaky_relu as leaky_relu, F_log_softmax as log_softmax,
    F_mish as mish, F_relu as relu, F_relu6 as relu6, F_selu as selu, F_silu as silu,
    F_softmax as softmax, F_softmin as softmin, F_threshold as threshold, gelu, glu, hardshrink,
    logsigmoid, prelu, rrelu, softplus, softshrink, softsign, tanhshrink,
)
from .._ops.nn_loss import (  # noqa: E402,F401  (losses)
    binary_cross_entropy, binary_cross_entropy_with_logits, cosine_embedding_loss, cross_entropy, ctc_loss,
    gaussian_nll_loss, hinge_embedding_loss, huber_loss, kl_div, l1_loss, linear_cross_entropy,
    margin_ranking_loss,
    mse_loss, multi_margin_loss, multilabel_margin_loss, multilabel_soft_margin_loss, nll_loss,
    poisson_nll_loss, smooth_l1_loss, soft_margin_loss, triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
from .._ops.nn_distance import cosine_similarity, normalize, pairwise_distance, pdist  # noqa: E402,F401
from .._ops.nn_linear import bilinear, linear  # noqa: E402,F401
from .._ops.nn_embedding import F_embedding as embedding, embedding_bag, one_hot  # noqa: E402,F401
from .._ops.nn_dropout import (  # noqa: E402,F401  (dropout)
    alpha_dropout, dropout, dropout1d, dropout2d, dropout3d, feature_alpha_dropout,
)

from .._ops.nn_conv import (  # noqa: E402,F401  (convolution family)
    conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, fold, unfold,
)
from .._ops.nn_pool import (  # noqa: E402,F401  (pooling family)
    adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d, adaptive_max_pool1d,
    adaptive_max_pool2d, adaptive_max_pool3d, avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d,
    max_pool1d_with_indices, max_pool2d, max_pool2d_with_indices, max_pool3d,
    max_pool3d_with_indices, max_unpool1d, max_unpool2d, max_unpool3d,
    F_fractional_max_pool2d as fractional_max_pool2d, F_fractional_max_pool3d as fractional_max_pool3d,
    fractional_max_pool2d_with_indices, fractional_max_pool3d_with_indices, lp_pool1d, lp_pool2d,
    lp_pool3d,
)
from .._ops.nn_norm import (  # noqa: E402,F401  (normalization family)
    batch_norm, group_norm, instance_norm, layer_norm, local_response_norm, rms_norm,
)
from .._ops.nn_resample import (  # noqa: E402,F401  (padding and resampling family)
    channel_shuffle, grid_sample, interpolate, pad, pixel_shuffle, pixel_unshuffle, upsample,
    upsample_bilinear, upsample_nearest,
)
from .._ops.nn_attention import (  # noqa: E402,F401  (attention)
    _canonical_mask, _none_or_dtype, multi_head_attention_forward, scaled_dot_product_attention,
)
