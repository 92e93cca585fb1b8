"""Layers for images (NCHW): Conv2d, MaxPool2d, AvgPool2d, and Flatten to hand them to Linear.

Constructor names and defaults follow PyTorch's. Sizes and strides are an int or a (height,
width) pair; as in CS231n's layers (not PyTorch's, which drop the remainder), the windows must
tile the padded input exactly, and an input they do not tile is an error naming the dimension.
"""
import numpy as np

from .. import ops
from ..ops.conv import as_pair
from ..tensor import as_tensor
from .module import Module, Parameter
from .random import generator


class Conv2d(Module):
    """Cross-correlation of x (N, in_channels, H, W) with out_channels filters -> (N, out_channels, H', W').

    weight (out_channels, in_channels, kh, kw), PyTorch's and CS231n's layout; bias (out_channels,)
    starts at zero (`bias=False`: none). weight starts as `weight_scale * randn` when weight_scale
    is given (CS231n's init), else He init `randn * sqrt(2 / (in_channels * kh * kw))`. H' =
    (H + 2 * padding - kh) / stride + 1. `rng`: a numpy Generator or a seed; `dtype`: float64 or float32.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True,
                 weight_scale=None, dtype=np.float64, rng=None):
        super().__init__()
        kh, kw = as_pair(kernel_size, "kernel size", "Conv2d", 1)
        fan_in = in_channels * kh * kw
        scale = np.sqrt(2.0 / fan_in) if weight_scale is None else weight_scale
        rng = generator(rng)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = (kh, kw), stride, padding
        self.weight = Parameter(scale * rng.standard_normal((out_channels, in_channels, kh, kw)), dtype=dtype)
        self.bias = Parameter(np.zeros(out_channels), dtype=dtype) if bias else None

    def forward(self, x):
        x = as_tensor(x)
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"{self!r}: input has shape {x.shape}, expected images (N, {self.in_channels}, H, W)")
        return ops.Conv2d.apply(x, self.weight, self.bias, stride=self.stride, padding=self.padding)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}" + ("" if self.bias is not None else ", bias=False"))


class _Pool2d(Module):
    """A pooling layer: the subclass's `op` over each kernel_size window (stride defaults to
    kernel_size: windows side by side)."""

    op = None

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, x):
        return self.op.apply(as_tensor(x), self.kernel_size, stride=self.stride)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride or self.kernel_size}"


class MaxPool2d(_Pool2d):
    """The max of each kernel_size window (stride defaults to kernel_size: windows side by side).
    Gradient to the first maximum of a window on ties."""

    op = ops.MaxPool2d


class AvgPool2d(_Pool2d):
    """The mean of each kernel_size window (stride defaults to kernel_size)."""

    op = ops.AvgPool2d


class Flatten(Module):
    """Merge axes start_dim..end_dim into one: (N, C, H, W) -> (N, C*H*W) with the defaults (as PyTorch).
    A reshape, so the order is C order: channel, then row, then column."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        x = as_tensor(x)
        start, end = self.start_dim % max(x.ndim, 1), self.end_dim % max(x.ndim, 1)
        if x.ndim == 0 or start > end:
            raise ValueError(f"{self!r}: cannot flatten axes {self.start_dim}..{self.end_dim} of shape {x.shape}")
        merged = int(np.prod(x.shape[start:end + 1]))  # not -1: an empty batch has no size to infer from
        return x.reshape(x.shape[:start] + (merged,) + x.shape[end + 1:])

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
