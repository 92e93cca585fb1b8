"""2-D convolution (cross-correlation, as in CS231n and PyTorch) by im2col and matrix products.

    out[n, f, oh, ow] = b[f] + sum_{c, i, j} w[f, c, i, j] * xpad[n, c, oh * sh + i, ow * sw + j]

With cols_n = im2col(x[n]) (C*kh*kw rows, one column per output pixel; kernels/im2col.py), each
image's output is the matrix product W @ cols_n for W = w.reshape(F, C*kh*kw), and backward is two
more products and the scatter back:

    dW = sum_n dout_n @ cols_n^T        d(cols_n) = W^T @ dout_n  ->  dx_n = col2im(d(cols_n))        db = sum(dout)

The batch goes through in chunks of a few images (their columns within CHUNK_BYTES, so that the
columns of the whole batch, C*kh*kw times the size of x, never exist at once), and each chunk's
products are one stacked np.matmul over its images: the output lands in (N, F, Hout, Wout) order as
it is computed, and numpy runs the images' products in one call, without the GIL, so that threads
each running slices of the batch (kernels/split.py) overlap (a product per image, and a Python loop
to place it, ran no faster on two threads than on one for a 3-channel input). The slices' dW and db are summed. Backward recomputes each chunk's
columns from x rather than keeping them from forward: that costs a copy, keeping them would cost
kh*kw times the memory of x per layer.

A 3x3 convolution with stride 1 and the same padding on both axes, over enough input channels,
runs by Winograd's F(2x2, 3x3) instead (ops/conv_winograd.py): 2.25x fewer multiplies.
"""
from typing import NamedTuple

import numpy as np

from ..checks import check_float
from ..function import Function, register
from ..kernels.im2col import col2im, im2col, output_size
from ..kernels.split import in_slices
from ..kernels.thresholds import IM2COL_CONV_MIN_IMAGES
from .conv_winograd import winograd_applies, winograd_conv, winograd_conv_backward

# Bytes of columns per chunk: few enough that they stay in the core's L2 cache (2 MiB here), enough images
# that a slice of the batch takes few Python steps. Each step takes the GIL, and a thread waiting for it
# may have to be woken, which costs this virtual machine up to half a millisecond: with chunks of 1 << 18
# bytes (two images of ConvNet's first layer), that layer's forward and dw ran 1.3x slower on two threads
# than with 1 << 22, and no faster on one; but with 1 << 22, ThreeLayerConvNet's 7x7 conv (600 KB of
# columns an image in float32) ran 1.1-1.3x slower than with one image a chunk (20 calls of each, best).
CHUNK_BYTES = 1 << 20


class Windows(NamedTuple):
    """The geometry of a sliding window over (H, W): each a (height, width) pair."""
    kernel: tuple
    stride: tuple
    pad: tuple
    out: tuple

    @property
    def pixels(self):
        """Output pixels per image and channel."""
        return self.out[0] * self.out[1]

    def im2col(self, x, cols):
        """Fill cols (images, C*kh*kw, pixels) with the columns of each of the images x (images, C, H, W)."""
        im2col(x, self.kernel, self.stride, self.pad, out=cols)

    def col2im(self, dcols, dx):
        """dx (images, C, H, W) = col2im of each image's dcols (images, C*kh*kw, pixels)."""
        col2im(dcols, dx.shape, self.kernel, self.stride, self.pad, out=dx)


def as_pair(value, name, op_name, minimum):
    """An int or a pair of ints (height, width), each >= minimum, as a tuple of two ints."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in pair):
        raise TypeError(f"{op_name}: {name} must be an int or a (height, width) pair of ints, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{op_name}: {name} must be >= {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


def sliding_windows(op_name, image_shape, kernel, stride, pad):
    """Check that a kh x kw window with this stride and padding tiles an (H, W) image exactly, as
    CS231n's layers require ((H + 2*pad - kh) divisible by the stride), and return its Windows.

    Raises ValueError naming the dimension (height or width) that does not fit or tile.
    """
    kernel = as_pair(kernel, "kernel size", op_name, 1)
    stride = as_pair(stride, "stride", op_name, 1)
    pad = as_pair(pad, "padding", op_name, 0)
    out = []
    for axis, size, k, s, p in zip(("height", "width"), image_shape, kernel, stride, pad):
        padded = size + 2 * p
        if k > padded:
            raise ValueError(f"{op_name}: the kernel ({kernel[0]}x{kernel[1]}) is bigger than the padded input "
                             f"along the {axis}: {size} + 2*{p} = {padded} < {k}")
        if (padded - k) % s:
            raise ValueError(f"{op_name}: stride {s} does not tile the {axis}: ({axis} + 2*pad - kernel) = "
                             f"({size} + 2*{p} - {k}) = {padded - k} is not a multiple of {s}")
        out.append(output_size(size, k, s, p))
    return Windows(kernel, stride, pad, tuple(out))


def _check_conv(x, w, b, stride, pad):
    if x.ndim != 4:
        raise ValueError(f"conv2d: x must be a batch of images (N, C, H, W), got shape {x.shape}")
    if w.ndim != 4:
        raise ValueError(f"conv2d: w must be filters (F, C, kh, kw), got shape {w.shape}")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"conv2d: x has {x.shape[1]} channels (shape {x.shape}) but w expects {w.shape[1]} "
                         f"(shape {w.shape}, which is (F, C, kh, kw))")
    if b is not None and np.shape(b) != (w.shape[0],):
        raise ValueError(f"conv2d: b must have shape (F,) = ({w.shape[0]},), one per filter, got {np.shape(b)}")
    check_float("conv2d", x=x, w=w, b=b)
    return sliding_windows("conv2d", x.shape[2:], w.shape[2:], stride, pad)


class _Chunks:
    """The batch in runs of images whose columns take about CHUNK_BYTES, and scratch arrays sized
    for one run, reused by every run (a fresh array per run would cost page faults: glibc hands
    large blocks back to the OS on free and maps them again on malloc)."""

    def __init__(self, n, rows, pixels, dtype):
        self.n, self.pixels, self.dtype = n, pixels, dtype
        self.step = max(1, min(n, CHUNK_BYTES // (rows * pixels * np.dtype(dtype).itemsize)))
        self.buffers = {}

    def __iter__(self):
        return ((start, min(self.n, start + self.step)) for start in range(0, self.n, self.step))

    def stack(self, name, rows, images, columns=None):
        """A C-contiguous (images, rows, columns) view of the scratch buffer `name` (columns: pixels if None)."""
        columns = self.pixels if columns is None else columns
        if name not in self.buffers:
            self.buffers[name] = np.empty(self.step * rows * columns, dtype=self.dtype)
        return self.buffers[name][:images * rows * columns].reshape(images, rows, columns)


@register(functional="conv2d")
class Conv2d(Function):
    """x (N, C, H, W), w (F, C, kh, kw), b (F,) or None -> (N, F, Hout, Wout).

    stride and padding: an int or (height, width) pair; zero padding on both sides;
    Hout = (H + 2*pad - kh) / stride + 1 must come out whole (CS231n's rule; PyTorch would
    silently drop the last rows). Computes in the inputs' common dtype (float32 stays float32);
    each gradient comes back in its input's dtype.
    """

    @staticmethod
    def forward(ctx, x, w, b=None, stride=1, padding=0):
        windows = _check_conv(x, w, b, stride, padding)
        dtype = np.result_type(x, w, *(() if b is None else (b,)))
        ctx.dtypes = x.dtype, w.dtype, None if b is None else b.dtype
        x, w = np.ascontiguousarray(x, dtype=dtype), np.ascontiguousarray(w, dtype=dtype)
        ctx.save(x, w)
        ctx.windows = windows
        bias = None if b is None else b.astype(dtype, copy=False)[:, None]
        ctx.winograd = winograd_applies(windows, x.shape[1])
        if ctx.winograd:  # 3x3, stride 1: 2.25x fewer multiplies (ops/conv_winograd.py)
            out = winograd_conv(x, w, windows.pad[0])
            if bias is not None:
                out += bias[:, :, None]
            return out
        n, f = x.shape[0], w.shape[0]
        out = np.empty((n, f, windows.pixels), dtype=dtype)
        in_slices(lambda start, stop: _im2col_forward(windows, x[start:stop], w.reshape(f, -1), bias, out[start:stop]),
                  n, IM2COL_CONV_MIN_IMAGES)
        return out.reshape(n, f, *windows.out)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved
        windows = ctx.windows
        # One flag per positional input: two without a bias, five with stride and padding by position.
        needs = ctx.needs_input_grad
        need_x, need_w, need_b = needs[0], needs[1], len(needs) > 2 and needs[2]
        if ctx.winograd:
            grad = np.ascontiguousarray(grad, dtype=x.dtype)
            dx, dw = winograd_conv_backward(x, w, windows.pad[0], grad, need_x, need_w)
            db = grad.sum(axis=(0, 2, 3)) if need_b else None
            return _in_own_dtypes((dx, dw, db), ctx.dtypes)
        n, f = x.shape[0], w.shape[0]
        grad = np.ascontiguousarray(grad, dtype=x.dtype).reshape(n, f, windows.pixels)
        dx = np.empty_like(x) if need_x else None
        weights = w.reshape(f, -1)
        sums = in_slices(lambda start, stop: _im2col_backward(windows, x[start:stop], weights, grad[start:stop],
                                                              None if dx is None else dx[start:stop], need_w, need_b),
                         n, IM2COL_CONV_MIN_IMAGES)
        dw = sum(dw for dw, _ in sums).reshape(w.shape) if need_w else None
        db = sum(db for _, db in sums) if need_b else None
        return _in_own_dtypes((dx, dw, db), ctx.dtypes)


def _im2col_forward(windows, x, weights, bias, out):
    """out (N, F, pixels) = weights (F, C*kh*kw) @ each image's columns (+ bias (F, 1)), chunk after chunk."""
    chunks = _Chunks(len(x), weights.shape[1], out.shape[2], x.dtype)
    for start, stop in chunks:
        cols = chunks.stack("cols", weights.shape[1], stop - start)
        windows.im2col(x[start:stop], cols)
        np.matmul(weights, cols, out=out[start:stop])
        if bias is not None:
            out[start:stop] += bias


def _im2col_backward(windows, x, weights, grad, dx, need_w, need_b):
    """For the output gradient grad (N, F, pixels): writes dx (if not None); returns (dw (F, C*kh*kw) or
    None, db (F,) or None) of these images."""
    f, rows = weights.shape
    dw = np.zeros(weights.shape, dtype=x.dtype) if need_w else None
    db = grad.sum(axis=(0, 2)) if need_b else None
    chunks = _Chunks(len(x), rows, grad.shape[2], x.dtype)
    for start, stop in chunks:
        images, g = stop - start, grad[start:stop]
        if need_w:
            cols = chunks.stack("cols", rows, images)
            windows.im2col(x[start:stop], cols)
            # dw^T = sum_n cols_n @ dout_n^T: BLAS ran this shape faster than dout_n @ cols_n^T (a 7x7 conv's dw
            # 1.1x in float32)
            dw += np.matmul(cols, g.transpose(0, 2, 1), out=chunks.stack("dw", rows, images, f)).sum(axis=0).T
        if dx is not None:
            dcols = np.matmul(weights.T, g, out=chunks.stack("dcols", rows, images))
            windows.col2im(dcols, dx[start:stop])
    return dw, db


def _in_own_dtypes(gradients, dtypes):
    """Gradients in each input's own dtype, so a float32 weight never collects float64."""
    return tuple(None if gradient is None else gradient.astype(dtype, copy=False)
                 for gradient, dtype in zip(gradients, dtypes))
