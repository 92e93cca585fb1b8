"""Batch norm's per-channel affine, 2x2 max pooling (stride 2) and relu in one pass each way, for
images (N, C, H, W) with H and W even:

    y = a[c] * x + d[c]           (batch norm with its statistics folded in: a = gamma / std)
    out = max(max of y over each 2x2 window, 0)

Forward writes the pooled output and, per window, the index 2 * i + j of its winner (i, j) (the
first maximum in C order, a NaN winning over any number, as kernels/pooling.py), or -1 where
the relu passed no gradient (out <= 0, or NaN). y is never stored whole: each pair of rows is
computed into a scratch pair (rounded to x's dtype, as the unfused ops store it) and pooled.

Backward, batch norm's input gradient dx = a * dy + b[c] * x + e[c], where dy is the pooled
gradient placed on each window's winner (zero elsewhere), needs per-channel sums of dy and of
dy * (x - mean): those run over the pooled grid only (dy is zero off the winners), then one pass
writes dx. The unfused ops would make y and dy whole and read them again.

The window is fixed at 2x2 so that the compiled loops have no inner loop over the window: the
four comparisons become branch-free selects (a generic kh x kw loop ran 5x slower), and NaNs,
rare, take a separate branch. The kernels are serial and release the GIL: slices of the batch run on
threads (kernels/split.py). The numpy references below are the unfused composition.
"""
import numba
import numpy as np

from .pooling import max_pool_reference
from .split import images_holding, in_slices, joined
from .thresholds import NORM_POOL_RELU_MIN_VALUES

WINDOW = (2, 2)
WINNER_DTYPE = np.int8  # 0..3, or -1: no gradient


@numba.njit(inline="always")
def _first_max(v0, v1, v2, v3):
    """(the largest of four numbers, its index, the first on ties); no NaN among them."""
    best, where = v0, 0
    if v1 > best:
        best, where = v1, 1
    if v2 > best:
        best, where = v2, 2
    if v3 > best:
        best, where = v3, 3
    return best, where


@numba.njit(cache=True)
def _first_nan(v0, v1, v2, v3):
    """(the first NaN of four numbers, its index); at least one is NaN."""
    if v0 != v0:
        return v0, 0
    if v1 != v1:
        return v1, 1
    if v2 != v2:
        return v2, 2
    return v3, 3


@numba.njit(cache=True, nogil=True)
def _forward(x, a, d, out, winner):
    n, c, h, w = x.shape
    for image in range(n):
        rows = np.empty((2, w), dtype=out.dtype)  # y of one pair of rows, rounded to out's dtype
        top, bottom = rows[0], rows[1]
        for channel in range(c):
            ac, dc = a[channel], d[channel]
            for oh in range(h // 2):
                x0, x1 = x[image, channel, 2 * oh], x[image, channel, 2 * oh + 1]
                for k in range(w):
                    top[k] = ac * x0[k] + dc
                    bottom[k] = ac * x1[k] + dc
                best_row, where_row = out[image, channel, oh], winner[image, channel, oh]
                for ow in range(w // 2):
                    v0, v1, v2, v3 = top[2 * ow], top[2 * ow + 1], bottom[2 * ow], bottom[2 * ow + 1]
                    best, where = _first_max(v0, v1, v2, v3)
                    if (v0 != v0) | (v1 != v1) | (v2 != v2) | (v3 != v3):  # `|`: no branch per comparison
                        best, where = _first_nan(v0, v1, v2, v3)
                    best_row[ow] = best if best > 0 or best != best else 0  # the relu passes NaN on
                    where_row[ow] = where if best > 0 else -1


@numba.njit(cache=True, nogil=True)
def _gradient_sums(grad, winner, x, center):
    """Per (image, channel): sum(dy) and sum(dy * (x - center[c])) over the winners, float64 (N, C)."""
    n, c, h, w = x.shape
    first, second = np.zeros((n, c)), np.zeros((n, c))
    for image in range(n):
        for channel in range(c):
            s1 = s2 = 0.0
            m = center[channel]
            for oh in range(h // 2):
                g_row, where_row = grad[image, channel, oh], winner[image, channel, oh]
                x0, x1 = x[image, channel, 2 * oh], x[image, channel, 2 * oh + 1]
                for ow in range(w // 2):
                    where = where_row[ow]
                    g = g_row[ow] if where >= 0 else 0.0
                    where &= 3  # -1 reads some element of the window, times g = 0: no branch
                    value = x0[2 * ow + (where & 1)] if where < 2 else x1[2 * ow + (where & 1)]
                    s1 += g
                    s2 += g * (value - m)
            first[image, channel], second[image, channel] = s1, s2
    return first, second


@numba.njit(cache=True, nogil=True)
def _input_gradient(dx, grad, winner, x, a, b, e):
    """dx = b[c] * x + e[c] + a[c] * dy, dy being grad on each window's winner; float64, then rounded once."""
    n, c, h, w = x.shape
    for image in range(n):
        rows = np.empty((2, w))
        top, bottom = rows[0], rows[1]
        for channel in range(c):
            ac, bc, ec = a[channel], b[channel], e[channel]
            for oh in range(h // 2):
                x0, x1 = x[image, channel, 2 * oh], x[image, channel, 2 * oh + 1]
                for k in range(w):
                    top[k] = bc * x0[k] + ec
                    bottom[k] = bc * x1[k] + ec
                g_row, where_row = grad[image, channel, oh], winner[image, channel, oh]
                for ow in range(w // 2):
                    where = where_row[ow]
                    share = ac * g_row[ow] if where >= 0 else 0.0
                    where &= 3
                    rows[where >> 1, 2 * ow + (where & 1)] += share
                dx0, dx1 = dx[image, channel, 2 * oh], dx[image, channel, 2 * oh + 1]
                for k in range(w):
                    dx0[k] = top[k]
                    dx1[k] = bottom[k]


def _per_channel(t):
    return np.ascontiguousarray(t, dtype=np.float64)


def norm_pool_relu(x, a, d):
    """x (N, C, H, W), H and W even, a, d (C,) -> (out (N, C, H/2, W/2) like x's dtype, winner (same
    shape, int8) the index 2 * i + j of each window's maximum of a * x + d, -1 where out is not positive)."""
    n, c, h, w = x.shape
    shape = (n, c, h // 2, w // 2)
    out, winner = np.empty(shape, dtype=x.dtype), np.empty(shape, dtype=WINNER_DTYPE)
    x, a, d = np.ascontiguousarray(x), _per_channel(a), _per_channel(d)
    in_slices(lambda start, stop: _forward(x[start:stop], a, d, out[start:stop], winner[start:stop]),
              n, images_holding(NORM_POOL_RELU_MIN_VALUES, x))
    return out, winner


def norm_pool_relu_gradient_sums(grad, winner, x, center):
    """Per-channel sum(dy) and sum(dy * (x - center)) of the unpooled gradient dy, float64 (C,) arrays."""
    grad, x, center = np.ascontiguousarray(grad), np.ascontiguousarray(x), _per_channel(center)
    first, second = joined(in_slices(
        lambda start, stop: _gradient_sums(grad[start:stop], winner[start:stop], x[start:stop], center),
        len(x), images_holding(NORM_POOL_RELU_MIN_VALUES, x)))
    return first.sum(axis=0), second.sum(axis=0)


def norm_pool_relu_input_gradient(grad, winner, x, a, b, e):
    """b[c] * x + e[c] + a[c] * dy (N, C, H, W) like x's dtype; dy is grad on each window's winner."""
    x, grad = np.ascontiguousarray(x), np.ascontiguousarray(grad)
    a, b, e = (_per_channel(t) for t in (a, b, e))
    dx = np.empty_like(x)
    in_slices(lambda start, stop: _input_gradient(dx[start:stop], grad[start:stop], winner[start:stop], x[start:stop],
                                                  a, b, e), len(x),
              images_holding(NORM_POOL_RELU_MIN_VALUES, x))
    return dx


# ---- numpy references: the unfused composition ------------------------------------------------------
def _channels(t):
    return np.asarray(t, np.float64)[:, None, None]


def norm_pool_relu_reference(x, a, d):
    """(out, winner) by numpy: the affine (float64, stored in x's dtype), max_pool_reference, relu."""
    y = (_channels(a) * x + _channels(d)).astype(x.dtype)
    pooled, winner = max_pool_reference(y, WINDOW, WINDOW)
    passed = pooled > 0
    return np.where(passed | np.isnan(pooled), pooled, 0).astype(x.dtype), np.where(passed, winner, -1)


def unpool_reference(grad, winner):
    """dy (N, C, H, W), float64: grad placed on each window's winner (winner -1: nowhere), zero elsewhere."""
    n, c, ho, wo = grad.shape
    dy = np.zeros((n, c, ho, 2, wo, 2))
    for i in range(2):
        for j in range(2):
            dy[:, :, :, i, :, j] = np.where(winner == 2 * i + j, grad, 0)
    return dy.reshape(n, c, 2 * ho, 2 * wo)


def norm_pool_relu_gradient_sums_reference(grad, winner, x, center):
    dy = unpool_reference(grad, winner)
    return dy.sum(axis=(0, 2, 3)), (dy * (x - _channels(center))).sum(axis=(0, 2, 3))


def norm_pool_relu_input_gradient_reference(grad, winner, x, a, b, e):
    return (_channels(b) * x + _channels(e) + _channels(a) * unpool_reference(grad, winner)).astype(x.dtype)
