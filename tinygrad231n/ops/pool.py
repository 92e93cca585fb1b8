"""Max and average pooling of NCHW images over kh x kw windows (numba kernels in kernels/pooling.py).

kernel_size and stride are an int or a (height, width) pair; stride defaults to the kernel
size (non-overlapping windows, as in PyTorch); there is no padding. As CS231n's layers require,
the windows must tile the input exactly: (H - kh) divisible by the stride, likewise for W.
"""
from ..checks import check_float
from ..function import Function, register
from ..kernels.pooling import avg_pool, avg_pool_backward, max_pool, max_pool_backward
from .conv import sliding_windows


def _pool_windows(op_name, x, kernel_size, stride):
    if x.ndim != 4:
        raise ValueError(f"{op_name}: x must be a batch of images (N, C, H, W), got shape {x.shape}")
    check_float(op_name, x=x)
    return sliding_windows(op_name, x.shape[2:], kernel_size, kernel_size if stride is None else stride, 0)


@register(functional="max_pool2d")
class MaxPool2d(Function):
    """x (N, C, H, W) -> the max of each window, (N, C, Hout, Wout).

    The gradient goes to each window's first maximum in C order when values tie (as Tensor.max
    does); with overlapping windows an element that wins several collects each gradient.
    """

    @staticmethod
    def forward(ctx, x, kernel_size, stride=None):
        windows = _pool_windows("max_pool2d", x, kernel_size, stride)
        out, winner = max_pool(x, windows.kernel, windows.stride, windows.out)
        ctx.save(winner)
        ctx.windows, ctx.shape = windows, x.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        (winner,) = ctx.saved
        return max_pool_backward(grad, winner, ctx.windows.kernel, ctx.windows.stride, ctx.shape)


@register(functional="avg_pool2d")
class AvgPool2d(Function):
    """x (N, C, H, W) -> the mean of each window, (N, C, Hout, Wout); backward spreads each
    output's gradient evenly, grad / (kh * kw), over its window."""

    @staticmethod
    def forward(ctx, x, kernel_size, stride=None):
        windows = _pool_windows("avg_pool2d", x, kernel_size, stride)
        ctx.windows, ctx.shape = windows, x.shape
        return avg_pool(x, windows.kernel, windows.stride, windows.out)

    @staticmethod
    def backward(ctx, grad):
        return avg_pool_backward(grad, ctx.windows.kernel, ctx.windows.stride, ctx.shape)
