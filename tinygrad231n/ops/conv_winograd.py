"""The 3x3, stride-1 convolution by Winograd's F(2x2, 3x3) (kernels/winograd.py), forward and backward:
what ops.Conv2d runs for such a convolution with at least WINOGRAD_MIN_CHANNELS input channels.

    V = input_transform(x)   M[k] = V[k] @ U[k]  (16 products)   out = output_transform(M)

U = filter_transform(w) once per call. Backward: dM = the output transform's adjoint of the output
gradient, then dV[k] = dM[k] @ U[k]^T (-> dx by the input transform's adjoint) and
dU[k] += V[k]^T @ dM[k] (-> dw by the filter transform's adjoint); V is recomputed from x, as the
im2col path recomputes its columns. The batch goes through in chunks of about CHUNK_TILES tiles,
so that V and M (16 values a tile and channel) stay in the core's L2 cache: (16, 32, 256) @ (16,
32, 32) products ran at 93 GFLOP/s on one thread there, 57 at 1,024 tiles. With several threads, each
runs a slice of the batch, chunk after chunk, with scratch of its own (kernels/split.py); the slices'
dU are summed. The bias is the caller's.
"""
import math

import numpy as np

from ..kernels.winograd import (filter_transform, filter_transform_adjoint, input_planes_shape, input_transform,
                                input_transform_adjoint, output_planes_shape, output_transform,
                                output_transform_adjoint, tile_counts)
from ..kernels.split import between_slices, in_slices
from ..kernels.thresholds import WINOGRAD_MIN_IMAGES

CHUNK_TILES = 256
# Winograd pays where its 16 products are thick enough (K = C input channels) for the transforms, whose
# cost does not grow with C, to be small beside them. Forward + backward, batch 128, float32, one thread,
# CPU seconds, best of 7, Winograd against im2col (against PyTorch 2.13), on the shared 2-core machine at
# load 6.8 (so read within 10%): 8 -> 16 channels on 32x32 40 against 24 ms (torch 19), 16 -> 32 on 32x32
# 60 against 60 (62), 32 -> 32 on 32x32 100 against 133 (114), 32 -> 64 on 16x16 35 against 51 (31),
# 64 -> 128 on 8x8 26 against 46 (26), 16 -> 16 on 8x8 5.0 against 6.4, 128 -> 128 on 4x4 13 against 25,
# 32 -> 32 on 4x4 1.6 against 3.6: from 16 channels on, whatever the image's size.
WINOGRAD_MIN_CHANNELS = 16


def winograd_applies(windows, channels):
    """Whether a convolution of these Windows (ops/conv.py) over `channels` input channels runs by Winograd."""
    return (windows.kernel == (3, 3) and windows.stride == (1, 1) and windows.pad[0] == windows.pad[1]
            and channels >= WINOGRAD_MIN_CHANNELS)


class _Scratch:
    """Flat buffers reused by every chunk, viewed as C-contiguous arrays of the chunk's shape."""

    def __init__(self, dtype):
        self.dtype, self.buffers = dtype, {}

    def array(self, name, shape, zeros=False):
        """The buffer `name` as an array of `shape`; zeros=True: zero when first made (the planes of the
        transforms that keep what they leave zero, kernels/winograd.py)."""
        size = math.prod(shape)
        if name not in self.buffers or self.buffers[name].size < size:
            self.buffers[name] = (np.zeros if zeros else np.empty)(size, dtype=self.dtype)
        return self.buffers[name][:size].reshape(shape)


def _chunks(n, tiles_per_image):
    step = max(1, CHUNK_TILES // tiles_per_image)
    return ((start, min(n, start + step)) for start in range(0, n, step))


def winograd_conv(x, w, pad):
    """x (N, C, H, W), w (F, C, 3, 3), zero padding `pad` on every side -> (N, F, H + 2 pad - 2, W + 2 pad - 2)."""
    n, c, h, width = x.shape
    with between_slices():  # products: BLAS's threads would keep spinning beside the slices (kernels/split.py)
        u = filter_transform(w)
    out = np.empty((n, w.shape[0], h + 2 * pad - 2, width + 2 * pad - 2), dtype=x.dtype)
    in_slices(lambda start, stop: _forward_slice(x[start:stop], u, pad, out[start:stop]), n, WINOGRAD_MIN_IMAGES)
    return out


def _forward_slice(x, u, pad, out):
    """out = winograd_conv(x, w, pad) for U = filter_transform(w), chunk after chunk."""
    n, c, h, width = x.shape
    f = u.shape[2]
    per_image = math.prod(tile_counts(h, width, pad))
    scratch = _Scratch(x.dtype)
    for start, stop in _chunks(n, per_image):
        tiles = (stop - start) * per_image
        v = input_transform(x[start:stop], pad, out=scratch.array("v", (16, tiles, c)),
                            planes=scratch.array("x planes", input_planes_shape(x[start:stop].shape, pad), zeros=True))
        m = np.matmul(v, u, out=scratch.array("m", (16, tiles, f)))
        output_transform(m, out[start:stop].shape, out=out[start:stop],
                         planes=scratch.array("out planes", output_planes_shape(out[start:stop].shape)))


def winograd_conv_backward(x, w, pad, grad, need_x, need_w):
    """(dx or None, dw or None) of winograd_conv(x, w, pad) for the output gradient grad (N, F, Ho, Wo)."""
    with between_slices():
        u = filter_transform(w)
    dx = np.empty_like(x) if need_x else None

    def backward_slice(start, stop):
        return _backward_slice(x[start:stop], u, pad, grad[start:stop], None if dx is None else dx[start:stop], need_w)

    dus = in_slices(backward_slice, len(x), WINOGRAD_MIN_IMAGES)
    if not need_w:
        return dx, None
    with between_slices():
        return dx, filter_transform_adjoint(sum(dus))


def _backward_slice(x, u, pad, grad, dx, need_w):
    """Writes dx (if not None) for this slice; returns its dU (16, C, F) if need_w, else None."""
    n, c, h, width = x.shape
    f = u.shape[2]
    per_image = math.prod(tile_counts(h, width, pad))
    du = np.zeros((16, c, f), dtype=x.dtype) if need_w else None
    scratch = _Scratch(x.dtype)
    for start, stop in _chunks(n, per_image):
        tiles = (stop - start) * per_image
        dm = output_transform_adjoint(grad[start:stop], out=scratch.array("dm", (16, tiles, f)),
                                      planes=scratch.array("grad planes", output_planes_shape(grad[start:stop].shape),
                                                           zeros=True))
        if need_w:
            v = input_transform(x[start:stop], pad, out=scratch.array("v", (16, tiles, c)),
                                planes=scratch.array("x planes", input_planes_shape(x[start:stop].shape, pad),
                                                     zeros=True))
            du += np.matmul(v.transpose(0, 2, 1), dm, out=scratch.array("du", (16, c, f)))
        if dx is not None:
            dv = np.matmul(dm, u.transpose(0, 2, 1), out=scratch.array("dv", (16, tiles, c)))
            input_transform_adjoint(dv, dx[start:stop].shape, pad, out=dx[start:stop],
                                    planes=scratch.array("dx planes", input_planes_shape(dx[start:stop].shape, pad)))
    return du
