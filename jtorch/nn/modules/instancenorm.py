"""torch.nn: InstanceNorm1d/2d/3d, LazyInstanceNorm*."""

import warnings

from .. import functional as F
from .batchnorm import _check_dims, _LazyNormBase, _NormBase

__all__ = [
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LazyInstanceNorm1d",
    "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
]


class _InstanceNorm(_NormBase):
    """Instance norm: each sample's channels normalised over their own spatial dims. Unlike
    batch norm, ``affine`` and ``track_running_stats`` default to False; unbatched input works."""

    _no_batch_dim = None  # the input dims without the batch dim (2 for InstanceNorm1d)

    def __init__(
        self,
        num_features,
        eps=1e-5,
        momentum=0.1,
        affine=False,
        track_running_stats=False,
        device=None,
        dtype=None,
        *,
        bias=True,
    ):
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias
        )

    def _check_input_dim(self, input):
        n = self._no_batch_dim
        _check_dims(input, (n, n + 1), f"{n}D or {n + 1}D")

    def _get_no_batch_dim(self):
        return self._no_batch_dim

    def _handle_no_batch_input(self, input):
        return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)

    def _apply_instance_norm(self, input):
        return F.instance_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            self.momentum if self.momentum is not None else 0.0,
            self.eps,
        )

    def _load_from_state_dict(
        self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
    ):
        # checkpoints from before torch 0.4 hold running stats that the module no longer tracks
        if local_metadata.get("version", None) is None and not self.track_running_stats:
            keys = [
                prefix + name
                for name in ("running_mean", "running_var")
                if prefix + name in state_dict
            ]
            if keys:
                klass = self.__class__.__name__
                error_msgs.append(
                    "Unexpected running stats buffer(s) {names} for {klass} with "
                    "track_running_stats=False. If state_dict is a checkpoint saved before 0.4.0, "
                    "this may be expected because {klass} does not track running stats by default "
                    "since 0.4.0. Please remove these keys from state_dict. If the running stats "
                    "are actually needed, instead set track_running_stats=True in {klass} to "
                    "enable them. See the documentation of {klass} for details.".format(
                        names=" and ".join(f'"{k}"' for k in keys), klass=klass
                    )
                )
                for key in keys:
                    state_dict.pop(key)
        super()._load_from_state_dict(
            state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
        )

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.dim() - self._get_no_batch_dim()
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={feature_dim} to match num_features "
                    f"({self.num_features}), but got: {input.size(feature_dim)}."
                )
            warnings.warn(
                f"input's size at dim={feature_dim} does not match num_features. You can silence "
                "this warning by not passing in num_features, which is not used because "
                "affine=False",
                stacklevel=2,
            )
        if input.dim() == self._get_no_batch_dim():
            return self._handle_no_batch_input(input)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """torch.nn.InstanceNorm1d: instance norm over ``(N, C, L)`` or unbatched ``(C, L)``.

    Args: num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False,
    device, dtype, bias=True (keyword only).
    Example: ``nn.InstanceNorm1d(100)(torch.randn(20, 100, 40))``.
    """

    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """torch.nn.InstanceNorm2d: instance norm over ``(N, C, H, W)`` or unbatched ``(C, H, W)``
    (args as InstanceNorm1d)."""

    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """torch.nn.InstanceNorm3d: instance norm over ``(N, C, D, H, W)`` or unbatched
    ``(C, D, H, W)`` (args as InstanceNorm1d)."""

    _no_batch_dim = 4


class LazyInstanceNorm1d(_LazyNormBase, _InstanceNorm):
    """torch.nn.LazyInstanceNorm1d: InstanceNorm1d with ``num_features`` from the first input."""

    cls_to_become = InstanceNorm1d
    _no_batch_dim = 2


class LazyInstanceNorm2d(_LazyNormBase, _InstanceNorm):
    """torch.nn.LazyInstanceNorm2d: InstanceNorm2d with ``num_features`` from the first input."""

    cls_to_become = InstanceNorm2d
    _no_batch_dim = 3


class LazyInstanceNorm3d(_LazyNormBase, _InstanceNorm):
    """torch.nn.LazyInstanceNorm3d: InstanceNorm3d with ``num_features`` from the first input."""

    cls_to_become = InstanceNorm3d
    _no_batch_dim = 4
