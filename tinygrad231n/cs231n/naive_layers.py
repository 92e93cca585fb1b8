"""The assignment's naive convolution and max-pooling layers: explicit loops over output positions.

These are what students write and what the fast layers (fast_layers.py, on the core's conv and
pooling ops) are compared against, so they are plain numpy and deliberately simple: one Python
iteration per (image, output row, output column), with the filters or channels of that position
done at once. Caches are the assignment's: (x, w, b, conv_param) and (x, pool_param).

Conventions: x (N, C, H, W); w (F, C, HH, WW); b (F,); conv_param {"stride", "pad"} (zero padding
on all four sides); pool_param {"pool_height", "pool_width", "stride"}, no padding. Output sizes
are 1 + (H + 2 * pad - HH) // stride (and likewise for widths and pooling): a window that would
run past the edge is left out. Max-pooling's gradient goes to the first maximum of each window
(C order), as the core's max does when values tie.
"""
import numpy as np

from tinygrad231n.kernels.im2col import output_size


def conv_forward_naive(x, w, b, conv_param):
    """out[n, f, i, j] = sum(x_pad[n, :, window(i, j)] * w[f]) + b[f] -> (out (N, F, H', W'), cache)."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    n, _, h, width = x.shape
    f, _, hh, ww = w.shape
    h_out, w_out = _output_size("conv_forward_naive", (h, width), (hh, ww), stride, pad)
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.empty((n, f, h_out, w_out), dtype=np.result_type(x, w, b))
    for image in range(n):
        for i in range(h_out):
            for j in range(w_out):
                window = x_pad[image, :, i * stride:i * stride + hh, j * stride:j * stride + ww]  # (C, HH, WW)
                out[image, :, i, j] = np.sum(window * w, axis=(1, 2, 3)) + b
    return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    """dout (N, F, H', W'), cache from conv_forward_naive -> (dx like x, dw like w, db (F,)).

    Each output position got window * w[f] for every filter f, so it sends dout * w[f] back to its
    window of x and dout * window to w[f].
    """
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    _, _, hh, ww = w.shape
    n, _, h_out, w_out = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dx_pad = np.zeros(x_pad.shape, dtype=np.result_type(x, dout))
    dw = np.zeros(w.shape, dtype=np.result_type(w, dout))
    for image in range(n):
        for i in range(h_out):
            for j in range(w_out):
                rows, cols = slice(i * stride, i * stride + hh), slice(j * stride, j * stride + ww)
                upstream = dout[image, :, i, j][:, None, None, None]  # (F, 1, 1, 1)
                dx_pad[image, :, rows, cols] += np.sum(upstream * w, axis=0)
                dw += upstream * x_pad[image, :, rows, cols]
    dx = dx_pad[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    return dx, dw, dout.sum(axis=(0, 2, 3))


def max_pool_forward_naive(x, pool_param):
    """out[n, c, i, j] = max of x[n, c] over window (i, j) -> (out (N, C, H', W'), cache)."""
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    n, c, h, w = x.shape
    h_out, w_out = _output_size("max_pool_forward_naive", (h, w), (ph, pw), stride, 0)
    out = np.empty((n, c, h_out, w_out), dtype=x.dtype)
    for image in range(n):
        for i in range(h_out):
            for j in range(w_out):
                window = x[image, :, i * stride:i * stride + ph, j * stride:j * stride + pw]  # (C, ph, pw)
                out[image, :, i, j] = window.max(axis=(1, 2))
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    """dout (N, C, H', W'), cache from max_pool_forward_naive -> dx like x: each window's upstream
    gradient goes to its (first) maximum; every other element gets 0."""
    x, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    n, c, h_out, w_out = dout.shape
    dx = np.zeros(x.shape, dtype=np.result_type(x, dout))
    channels = np.arange(c)
    for image in range(n):
        for i in range(h_out):
            for j in range(w_out):
                window = x[image, :, i * stride:i * stride + ph, j * stride:j * stride + pw].reshape(c, -1)
                r, s = np.unravel_index(window.argmax(axis=1), (ph, pw))  # argmax: the first maximum
                dx[image, channels, i * stride + r, j * stride + s] += dout[image, :, i, j]
    return dx


def _output_size(name, size, window, stride, pad):
    """(H', W'): how many windows of `window` fit along `size` padded by pad on each side, at
    `stride` apart; a window that would run past the edge is left out (as 1 + (H - HH) // stride)."""
    out = []
    for axis, length, extent in zip(("height", "width"), size, window):
        if length + 2 * pad < extent:
            raise ValueError(f"{name}: the window ({extent}) is larger than the {axis} {length} padded by {pad} "
                             "on each side")
        out.append(output_size(length, extent, stride, pad))
    return tuple(out)
