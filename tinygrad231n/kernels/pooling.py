"""Max and average pooling over kh x kw windows of NCHW images, forward and backward.

Window (oh, ow) covers rows oh*sh .. oh*sh + kh - 1 and columns ow*sw .. ow*sw + kw - 1 (no
padding). Max pooling records which element of each window won, as its index i * kw + j in
the window: the first maximum in C order wins ties (as `Tensor.max` and np.argmax do), a NaN
wins over any number (so it propagates, as in np.max). Backward sends each output's gradient to
its winner; average pooling spreads it evenly over the window. Windows may overlap (stride <
kernel): backward then adds up every window's share.

The kernels loop over images with prange (each image's gradient is written by one thread
only); the numpy references below are what the tests hold them to.
"""
import numba
import numpy as np

from .sized import SizedKernel
from .thresholds import POOLING_MIN_VALUES


def winner_dtype(kh, kw):
    """The smallest integer type that numbers every element of a window (1 byte for up to 16x16)."""
    return np.uint8 if kh * kw <= 256 else np.int32


def _max_pool(x, kh, kw, sh, sw, out, winner):
    n, c = x.shape[:2]
    ho, wo = out.shape[2:]
    for image in numba.prange(n):
        for channel in range(c):
            plane = x[image, channel]
            for oh in range(ho):
                # Row by row: window element (i, j) of every window in this output row at once, so
                # the inner loop runs along contiguous memory instead of around one small window.
                best, where = out[image, channel, oh], winner[image, channel, oh]
                first = plane[oh * sh]
                for ow in range(wo):
                    best[ow], where[ow] = first[ow * sw], 0
                for i in range(kh):
                    row = plane[oh * sh + i]
                    for j in range(kw):
                        for ow in range(wo if i or j else 0):
                            value = row[ow * sw + j]
                            if value > best[ow] or (value != value and best[ow] == best[ow]):
                                best[ow], where[ow] = value, i * kw + j


def _max_pool_backward(dx, grad, winner, kh, kw, sh, sw):
    n, c = dx.shape[:2]
    ho, wo = grad.shape[2:]
    for image in numba.prange(n):
        dx[image] = 0
        for channel in range(c):
            for oh in range(ho):
                for ow in range(wo):
                    i, j = divmod(np.int64(winner[image, channel, oh, ow]), kw)
                    dx[image, channel, oh * sh + i, ow * sw + j] += grad[image, channel, oh, ow]


def _avg_pool(x, kh, kw, sh, sw, out):
    n, c = x.shape[:2]
    ho, wo = out.shape[2:]
    for image in numba.prange(n):
        for channel in range(c):
            plane = x[image, channel]
            for oh in range(ho):
                for ow in range(wo):
                    total = 0.0
                    for i in range(kh):
                        for j in range(kw):
                            total += plane[oh * sh + i, ow * sw + j]
                    out[image, channel, oh, ow] = total / (kh * kw)


def _avg_pool_backward(dx, grad, kh, kw, sh, sw):
    n, c = dx.shape[:2]
    ho, wo = grad.shape[2:]
    for image in numba.prange(n):
        dx[image] = 0
        for channel in range(c):
            for oh in range(ho):
                for ow in range(wo):
                    share = grad[image, channel, oh, ow] / (kh * kw)
                    for i in range(kh):
                        for j in range(kw):
                            dx[image, channel, oh * sh + i, ow * sw + j] += share


_max_pool_kernel = SizedKernel(_max_pool, POOLING_MIN_VALUES, measure=np.size)
_max_pool_backward_kernel = SizedKernel(_max_pool_backward, POOLING_MIN_VALUES, measure=np.size)
_avg_pool_kernel = SizedKernel(_avg_pool, POOLING_MIN_VALUES, measure=np.size)
_avg_pool_backward_kernel = SizedKernel(_avg_pool_backward, POOLING_MIN_VALUES, measure=np.size)


def max_pool(x, kernel, stride, out_size):
    """x (N, C, H, W) -> (out (N, C, Ho, Wo), winner (N, C, Ho, Wo) index i*kw + j of each max)."""
    (kh, kw), (sh, sw) = kernel, stride
    shape = x.shape[:2] + tuple(out_size)
    out, winner = np.empty(shape, dtype=x.dtype), np.empty(shape, dtype=winner_dtype(kh, kw))
    _max_pool_kernel(np.ascontiguousarray(x), kh, kw, sh, sw, out, winner)
    return out, winner


def max_pool_backward(grad, winner, kernel, stride, image_shape):
    """Each output's gradient onto its window's winner: grad (N, C, Ho, Wo) -> dx (N, C, H, W)."""
    (kh, kw), (sh, sw) = kernel, stride
    dx = np.empty(image_shape, dtype=grad.dtype)
    _max_pool_backward_kernel(dx, np.ascontiguousarray(grad), winner, kh, kw, sh, sw)
    return dx


def avg_pool(x, kernel, stride, out_size):
    """x (N, C, H, W) -> the mean of each window, (N, C, Ho, Wo)."""
    (kh, kw), (sh, sw) = kernel, stride
    out = np.empty(x.shape[:2] + tuple(out_size), dtype=x.dtype)
    _avg_pool_kernel(np.ascontiguousarray(x), kh, kw, sh, sw, out)
    return out


def avg_pool_backward(grad, kernel, stride, image_shape):
    """grad (N, C, Ho, Wo) -> dx (N, C, H, W): each output's gradient / (kh*kw) on its whole window."""
    (kh, kw), (sh, sw) = kernel, stride
    dx = np.empty(image_shape, dtype=grad.dtype)
    _avg_pool_backward_kernel(dx, np.ascontiguousarray(grad), kh, kw, sh, sw)
    return dx


def _windows_reference(x, kernel, stride):
    """(N, C, Ho, Wo, kh * kw): every window's elements in C order (a strided view, then a copy)."""
    (kh, kw), (sh, sw) = kernel, stride
    view = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    return view.reshape(view.shape[:4] + (kh * kw,))


def max_pool_reference(x, kernel, stride):
    """(out, winner) by numpy: np.max and np.argmax (first maximum) over each window."""
    windows = _windows_reference(x, kernel, stride)
    return windows.max(axis=-1), windows.argmax(axis=-1)


def avg_pool_reference(x, kernel, stride):
    return _windows_reference(x, kernel, stride).mean(axis=-1)


def pool_backward_reference(grad, weights, kernel, stride, image_shape):
    """dx from per-window weights (N, C, Ho, Wo, kh*kw): dx[window element] += grad * weight.

    Max pooling's weights are one-hot on each winner; average pooling's are all 1/(kh*kw).
    """
    (kh, kw), (sh, sw) = kernel, stride
    ho, wo = grad.shape[2:]
    dx = np.zeros(image_shape, dtype=grad.dtype)
    shares = (grad[..., None] * weights).reshape(grad.shape + (kh, kw))
    for i in range(kh):
        for j in range(kw):
            dx[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw] += shares[..., i, j]
    return dx
