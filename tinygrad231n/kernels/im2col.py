"""im2col and col2im: convolution as a matrix product, and the scatter that undoes it.

For a batch x (N, C, H, W), a kernel of kh x kw, stride (sh, sw) and zero padding (ph, pw),
im2col lays every receptive field out as a column:

    cols[n, (c * kh + i) * kw + j, oh * Wout + ow] = xpad[n, c, oh * sh + i, ow * sw + j]

Each image's columns are one matrix, so a convolution with weights w (F, C, kh, kw) is
w.reshape(F, -1) @ cols, one product per image that np.matmul runs as a stack, and its output comes
out (N, F, Hout * Wout), in the batch's own order. col2im is the adjoint: it adds each column entry
back onto the input pixel it was copied from (a pixel under several windows collects from each),
turning d(cols) into d(x).

Both kernels loop over images with prange; each image pads into a scratch copy of its own, so
threads never write the same memory. A separate loop for stride 1 lets numba vectorize the
row copies. The numpy references below are what the tests hold them to.
"""
import numba
import numpy as np

from .sized import SizedKernel
from .thresholds import IM2COL_MIN_IMAGES


def output_size(size, kernel, stride, pad):
    """Windows along one axis: (size + 2 * pad - kernel) // stride + 1."""
    return (size + 2 * pad - kernel) // stride + 1


def _im2col(x, kh, kw, sh, sw, ph, pw, cols):
    n, c, h, w = x.shape
    ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    for image in numba.prange(n):
        padded = np.zeros((c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
        padded[:, ph:ph + h, pw:pw + w] = x[image]
        for channel in range(c):
            for i in range(kh):
                for j in range(kw):
                    row = (channel * kh + i) * kw + j
                    for oh in range(ho):
                        source = padded[channel, oh * sh + i]
                        target = cols[image, row, oh * wo:(oh + 1) * wo]
                        if sw == 1:
                            for ow in range(wo):
                                target[ow] = source[ow + j]
                        else:
                            for ow in range(wo):
                                target[ow] = source[ow * sw + j]


def _col2im(dx, cols, kh, kw, sh, sw, ph, pw):
    n, c, h, w = dx.shape
    ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    for image in numba.prange(n):
        padded = np.zeros((c, h + 2 * ph, w + 2 * pw), dtype=dx.dtype)
        for channel in range(c):
            for i in range(kh):
                for j in range(kw):
                    row = (channel * kh + i) * kw + j
                    for oh in range(ho):
                        target = padded[channel, oh * sh + i]
                        source = cols[image, row, oh * wo:(oh + 1) * wo]
                        if sw == 1:
                            for ow in range(wo):
                                target[ow + j] += source[ow]
                        else:
                            for ow in range(wo):
                                target[ow * sw + j] += source[ow]
        dx[image] = padded[:, ph:ph + h, pw:pw + w]


_im2col_kernel = SizedKernel(_im2col, IM2COL_MIN_IMAGES)
_col2im_kernel = SizedKernel(_col2im, IM2COL_MIN_IMAGES)


def im2col(x, kernel, stride, pad, out=None):
    """x (N, C, H, W) -> cols (N, C * kh * kw, Hout * Wout), same dtype.

    kernel, stride, pad: (height, width) pairs. `out`, if given, must be a C-contiguous array of
    exactly that shape and dtype; it is filled and returned (the conv op reuses one per chunk).
    """
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, pad
    n, c, h, w = x.shape
    shape = (n, c * kh * kw, output_size(h, kh, sh, ph) * output_size(w, kw, sw, pw))
    cols = np.empty(shape, dtype=x.dtype) if out is None else out
    _im2col_kernel(np.ascontiguousarray(x), kh, kw, sh, sw, ph, pw, cols)
    return cols


def col2im(cols, image_shape, kernel, stride, pad, out=None):
    """The adjoint of im2col: cols (N, C * kh * kw, Hout * Wout) -> dx (N, C, H, W), summing every
    entry onto the pixel it came from (entries that came from the padding are dropped).
    `out`, if given, is a C-contiguous (N, C, H, W) array (a view into a bigger one is fine)."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, pad
    dx = np.empty(image_shape, dtype=cols.dtype) if out is None else out
    _col2im_kernel(dx, np.ascontiguousarray(cols), kh, kw, sh, sw, ph, pw)
    return dx


def im2col_reference(x, kernel, stride, pad):
    """The same columns by numpy slicing: one strided slice of the padded batch per (i, j)."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, pad
    n, c, h, w = x.shape
    ho, wo = output_size(h, kh, sh, ph), output_size(w, kw, sw, pw)
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.empty((n, c, kh, kw, ho, wo), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            window = padded[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw]  # (N, C, Ho, Wo)
            cols[:, :, i, j] = window
    return cols.reshape(n, c * kh * kw, ho * wo)


def col2im_reference(cols, image_shape, kernel, stride, pad):
    """The adjoint by numpy slicing: add each (i, j) slice back onto the padded batch, then crop."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, pad
    n, c, h, w = image_shape
    ho, wo = output_size(h, kh, sh, ph), output_size(w, kw, sw, pw)
    windows = cols.reshape(n, c, kh, kw, ho, wo)
    padded = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            padded[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw] += windows[:, :, i, j]
    return padded[:, :, ph:ph + h, pw:pw + w].copy()
