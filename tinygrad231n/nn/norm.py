"""Normalization layers for images and rows: BatchNorm2d, LayerNorm, GroupNorm (ops in ops/norm.py).

Each has a learned per-feature scale `weight` (CS231n's gamma, starts at 1) and shift `bias`
(beta, starts at 0), named and shaped as in PyTorch.
"""
import numpy as np

from . import functional as F
from .module import Module, Parameter


class BatchNorm2d(Module):
    """Spatial batch norm of x (N, num_features, H, W): each channel normalized over N, H and W.

    Training: normalize with the batch's per-channel mean and biased variance, then update

        running = momentum * running + (1 - momentum) * batch_statistic

    CS231n's convention (momentum=0.9 keeps 90% of the old value), as in BatchNorm1d. PyTorch's
    nn.BatchNorm2d(momentum=0.1) is the same update: its momentum is 1 - ours; its running_var
    also uses the unbiased variance where ours, like CS231n's, uses the biased one. Evaluation:
    normalize with the running averages (running_mean starts at 0, running_var at 1).
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.9, dtype=np.float64):
        super().__init__()
        if not 0 <= momentum <= 1:
            raise ValueError(f"BatchNorm2d: momentum must be in [0, 1] (the share of the old running value "
                             f"kept at each step, CS231n's convention; PyTorch's 0.1 is our 0.9), got {momentum}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(np.ones(num_features), dtype=dtype)
        self.bias = Parameter(np.zeros(num_features), dtype=dtype)
        self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", np.ones(num_features, dtype=dtype))

    def forward(self, x):
        if np.ndim(x) != 4 or np.shape(x)[1] != self.num_features:
            raise ValueError(f"{self!r}: input has shape {np.shape(x)}, expected images (N, {self.num_features}, H, W)")
        return F.batch_norm2d(x, self.weight, self.bias, self.running_mean, self.running_var,
                              training=self.training, momentum=self.momentum, eps=self.eps)

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class LayerNorm(Module):
    """Each sample normalized over its trailing axes of `normalized_shape` (an int D for x (N, D)).

    The statistics are the sample's own, in training and evaluation alike (no running averages).
    """

    def __init__(self, normalized_shape, eps=1e-5, dtype=np.float64):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
        self.normalized_shape, self.eps = shape, eps
        self.weight = Parameter(np.ones(shape), dtype=dtype)
        self.bias = Parameter(np.zeros(shape), dtype=dtype)

    def forward(self, x):
        return F.layer_norm(x, self.weight, self.bias, eps=self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}"


class GroupNorm(Module):
    """x (N, num_channels, H, W): per image, each of num_groups groups of consecutive channels is
    normalized over its channels and pixels; then a per-channel weight and bias (num_channels,)."""

    def __init__(self, num_groups, num_channels, eps=1e-5, dtype=np.float64):
        super().__init__()
        if num_groups < 1 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps = num_groups, num_channels, eps
        self.weight = Parameter(np.ones(num_channels), dtype=dtype)
        self.bias = Parameter(np.zeros(num_channels), dtype=dtype)

    def forward(self, x):
        return F.group_norm(x, self.num_groups, self.weight, self.bias, eps=self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}"
