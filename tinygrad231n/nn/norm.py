"""Normalization layers on each sample's own statistics: LayerNorm for rows, GroupNorm for images
(ops in ops/norm.py). The batch norms, BatchNorm1d and BatchNorm2d, are in batchnorm.py.

Each has a learned per-feature scale `weight` (CS231n's gamma, starts at 1) and shift `bias`
(beta, starts at 0), named and shaped as in PyTorch.
"""
import numpy as np

from . import functional as F
from .module import Module, Parameter


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
