"""Batch norm's per-channel affine, 2x2 max pooling (stride 2) and relu in one pass each way, for
images (N, C, H, W) with H and W even:

    y = a[c] * x + d[c]           (batch norm with its statistics folded in: a = gamma / std)
    out = max(max of y over each 2x2 window, 0)

Forward writes the pooled output and, per window, the index 2 * i + j of its winner (i, j) (the
first maximum in C order, a NaN winning over any number, as kernels/pooling.py), or -1 where
the relu passed no gradient (out <= 0, or NaN). y is never stored: each window's four values are
computed, rounded to x's dtype (as the unfused ops store y) and compared where they stand.

Backward, batch norm's input gradient dx = a * dy + b[c] * x + e[c], where dy is the pooled
gradient placed on each window's winner (zero elsewhere), needs per-channel sums of dy and of
dy * (x - mean): those run over the pooled grid only (dy is zero off the winners), then one pass
writes dx. The unfused ops would make y and dy whole and read them again.

The window is fixed at 2x2 so that the compiled loops have no inner loop over the window (a generic
kh x kw loop ran 5x slower). On rows wide enough, every choice is a select rather than a branch (a NaN's
win included), so that each loop vectorizes: branches on the winner or on NaN ran 2-3x slower on
(128, 32, 32, 32) float32, one thread (see SELECTS_MIN_WIDTH for narrower rows). The kernels are
serial and release the GIL: slices of the batch run on threads (kernels/split.py). The numpy references
below are the unfused composition.
"""
import numba
import numpy as np

from .pooling import max_pool_reference
from .split import images_holding, in_slices, joined
from .thresholds import NORM_POOL_RELU_MIN_VALUES

WINDOW = (2, 2)
WINNER_DTYPE = np.int8  # 0..3, or -1: no gradient


# Rows of at least this many values take the select forms below, which vectorize; narrower rows (a
# 16x16 or 8x8 map) take the branches, faster there: too few windows per row for a vector loop, and the
# select forms run 2-3x slower than branches as scalar code. A flag fixed for the call, so the compiler
# makes each loop twice, once per form (timed on (128, C, 32 / 16 / 8, same) float32, one thread).
SELECTS_MIN_WIDTH = 32


@numba.njit(inline="always")
def _take(v, k, best, where):
    """(best, where) after v, the window's k-th value in C order: v takes the window if larger, or if it is
    the first NaN (a NaN beats any number, a later NaN not an earlier one)."""
    taken = (v > best) | ((v != v) & (best == best))
    return (v if taken else best), (k if taken else where)


@numba.njit(inline="always")
def _window_max(v0, v1, v2, v3, selects):
    """(the window's first maximum in C order, its index 0..3); a NaN is the maximum, the first NaN if several."""
    if selects:
        best, where = _take(v1, 1, v0, 0)
        best, where = _take(v2, 2, best, where)
        return _take(v3, 3, best, where)
    if (v0 != v0) | (v1 != v1) | (v2 != v2) | (v3 != v3):  # `|`: no branch per comparison
        return _first_nan(v0, v1, v2, v3)
    return _first_max(v0, v1, v2, v3)


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
    rounded = out.dtype.type  # y rounded to out's dtype, as the unfused ops store it, before comparing
    selects = w >= SELECTS_MIN_WIDTH
    for image in range(n):
        for channel in range(c):
            ac, dc = a[channel], d[channel]
            for oh in range(h // 2):
                x0, x1 = x[image, channel, 2 * oh], x[image, channel, 2 * oh + 1]
                best_row, where_row = out[image, channel, oh], winner[image, channel, oh]
                for ow in range(w // 2):
                    best, where = _window_max(rounded(ac * x0[2 * ow] + dc), rounded(ac * x0[2 * ow + 1] + dc),
                                              rounded(ac * x1[2 * ow] + dc), rounded(ac * x1[2 * ow + 1] + dc),
                                              selects)
                    positive = best > 0
                    best_row[ow] = best if positive | (best != best) else rounded(0)  # the relu passes NaN on
                    where_row[ow] = where if positive else -1


# reassoc: the two sums may be added in any order, so they vectorize (a loop of dependent float adds
# does not); nothing else of fastmath, so NaN and inf still propagate.
@numba.njit(cache=True, nogil=True, fastmath={"reassoc"})
def _gradient_sums(grad, winner, x, center):
    """Per (image, channel): sum(dy) and sum(dy * (x - center[c])) over the winners, float64 (N, C)."""
    n, c, h, w = x.shape
    first, second = np.zeros((n, c)), np.zeros((n, c))
    selects = w >= SELECTS_MIN_WIDTH
    for image in range(n):
        for channel in range(c):
            s1 = s2 = 0.0
            m = center[channel]
            for oh in range(h // 2):
                g_row, where_row = grad[image, channel, oh], winner[image, channel, oh]
                x0, x1 = x[image, channel, 2 * oh], x[image, channel, 2 * oh + 1]
                for ow in range(w // 2):
                    where = where_row[ow]
                    g = np.float64(g_row[ow]) if where >= 0 else 0.0
                    if selects:  # the winner's x by selects: the loop vectorizes
                        top = x0[2 * ow + 1] if where == 1 else x0[2 * ow]
                        bottom = x1[2 * ow + 1] if where == 3 else x1[2 * ow]
                        value = bottom if where >= 2 else top
                    else:  # by its index (-1, no gradient, reads some x of the window, times g = 0)
                        where &= 3
                        value = x0[2 * ow + (where & 1)] if where < 2 else x1[2 * ow + (where & 1)]
                    s1 += g
                    s2 += g * (value - m)
            first[image, channel], second[image, channel] = s1, s2
    return first, second


@numba.njit(cache=True, nogil=True)
def _input_gradient(dx, grad, winner, x, a, b, e):
    """dx = b[c] * x + e[c] + a[c] * dy, dy being grad on each window's winner; float64, then rounded once."""
    n, c, h, w = x.shape
    rounded = dx.dtype.type
    # dy for a pair of rows, spread out from the pooled grid by selects: then each row of dx is one
    # contiguous loop, which vectorizes (adding each share onto its winner by an index, or in a branch
    # that the relu's cut makes as often wrong as right, ran 1.5x slower).
    dy_top, dy_bottom = np.empty(w), np.empty(w)
    for image in range(n):
        for channel in range(c):
            ac, bc, ec = a[channel], b[channel], e[channel]
            for oh in range(h // 2):
                g_row, where_row = grad[image, channel, oh], winner[image, channel, oh]
                for ow in range(w // 2):
                    where = where_row[ow]
                    share = ac * g_row[ow]
                    dy_top[2 * ow] = share if where == 0 else 0.0
                    dy_top[2 * ow + 1] = share if where == 1 else 0.0
                    dy_bottom[2 * ow] = share if where == 2 else 0.0
                    dy_bottom[2 * ow + 1] = share if where == 3 else 0.0
                x0, x1 = x[image, channel, 2 * oh], x[image, channel, 2 * oh + 1]
                dx0, dx1 = dx[image, channel, 2 * oh], dx[image, channel, 2 * oh + 1]
                for k in range(w):
                    dx0[k] = rounded(bc * x0[k] + ec + dy_top[k])
                for k in range(w):
                    dx1[k] = rounded(bc * x1[k] + ec + dy_bottom[k])


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
