"""Per-channel passes over an NCHW batch: the statistics, scaling and gradient sums of spatial batch norm.

Each kernel is one pass over (N, C, H*W) planes, serial with the GIL released (slices of the batch
run on threads: kernels/split.py), accumulates in float64 whatever the input dtype, and leaves the
tiny (N, C) -> (C,) reductions to numpy. Fused this way, spatial batch norm reads a float32
activation twice forward (the statistics, the scale) and 3 times backward, where the same formulas
in numpy make a temporary at almost every step.
The numpy references below are what the tests hold the kernels to.
"""
import numba
import numpy as np

from .split import images_holding, in_slices, joined
from .thresholds import CHANNEL_NORM_MIN_VALUES


# The per-plane sums are separate functions compiled with fastmath: it lets LLVM split each float64
# sum over vector lanes (4x faster here) at the price of a different rounding order, which is
# all reordering a sum of one plane can change. The callers inline them.
@numba.njit(fastmath=True, cache=True)
def _sum(values):
    """sum(values) of a 1-d array, in float64."""
    s = 0.0
    for k in range(values.size):
        s += values[k]
    return s


@numba.njit(fastmath=True, cache=True)
def _deviation_sums(values, center):
    """(sum(values - center), sum((values - center)**2)) of a 1-d array, in float64."""
    s1 = s2 = 0.0
    for k in range(values.size):
        d = values[k] - center
        s1 += d
        s2 += d * d
    return s1, s2


@numba.njit(fastmath=True, cache=True)
def _weighted_deviation_sums(g, values, center):
    """(sum(g), sum(g * (values - center))) of two 1-d arrays, in float64."""
    s1 = s2 = 0.0
    for k in range(values.size):
        s1 += g[k]
        s2 += g[k] * (values[k] - center)
    return s1, s2


@numba.njit(cache=True, nogil=True)
def _plane_moments(x):
    """Each plane's (n, c) mean and sum of squared deviations from it, two (N, C) float64 arrays: two
    passes over the plane, the second while the first has left it in cache (a 32x32 float32 plane is 4 KiB)."""
    n, c, p = x.shape
    means, squares = np.empty((n, c)), np.empty((n, c))
    for image in range(n):
        for channel in range(c):
            plane = x[image, channel]
            mean = _sum(plane) / p
            deviation, square = _deviation_sums(plane, mean)
            means[image, channel] = mean + deviation / p  # the mean's rounding, corrected
            squares[image, channel] = square - deviation * deviation / p
    return means, squares


@numba.njit(cache=True, nogil=True)
def _plane_cross_sums(g, x, center):
    """_weighted_deviation_sums of each plane (n, c) of g and x (N, C, P): two (N, C) arrays."""
    n, c, p = x.shape
    first, second = np.empty((n, c)), np.empty((n, c))
    for image in range(n):
        for channel in range(c):
            first[image, channel], second[image, channel] = _weighted_deviation_sums(
                g[image, channel], x[image, channel], center[channel])
    return first, second


@numba.njit(cache=True, nogil=True)
def _channel_affine(u, v, a, b, d, out):
    """out = a[c] * u + b[c] * v + d[c] over (N, C, P), with per-channel coefficients (float64)."""
    n, c, p = u.shape
    for image in range(n):
        for channel in range(c):
            up, vp, op = u[image, channel], v[image, channel], out[image, channel]
            ac, bc, dc = a[channel], b[channel], d[channel]
            for k in range(p):
                op[k] = ac * up[k] + bc * vp[k] + dc


def _planes(x):
    return np.ascontiguousarray(x).reshape(x.shape[0], x.shape[1], -1)


def channel_mean_var(x):
    """Per-channel mean and biased variance over (N, H, W) of x (N, C, H, W), as float64 (C,) arrays.

    One pass over memory: each plane's mean and squared deviations (kernel _plane_moments), combined
    as Chan et al.'s parallel variance, sum of the planes' squares + sum of (plane mean - mean)^2 * H*W,
    which keeps the variance exact to rounding even when the mean is large against the spread
    (two passes over the batch: 1.17x the time on (128, 32, 32, 32) float32, one thread).
    """
    planes = _planes(x)
    means, squares = joined(in_slices(lambda start, stop: _plane_moments(planes[start:stop]), len(planes),
                                      images_holding(CHANNEL_NORM_MIN_VALUES, planes)))
    mean = means.mean(axis=0)
    spread = ((means - mean) ** 2).sum(axis=0)
    return mean, (squares.sum(axis=0) + spread * planes.shape[2]) / (planes.shape[0] * planes.shape[2])


def channel_cross_sums(g, x, center):
    """Per-channel sum(g) and sum(g * (x - center)) over (N, H, W), float64 (C,) arrays."""
    g, x, center = _planes(g), _planes(x), np.asarray(center, dtype=np.float64)
    first, second = joined(in_slices(lambda start, stop: _plane_cross_sums(g[start:stop], x[start:stop], center),
                                     len(x), images_holding(CHANNEL_NORM_MIN_VALUES, x)))
    return first.sum(axis=0), second.sum(axis=0)


def channel_affine(u, a, v=None, b=None, d=None):
    """a[c] * u + b[c] * v + d[c] for u, v (N, C, H, W) and per-channel a, b, d (C,); like u's dtype.
    Omitted terms are zero."""
    c = u.shape[1]
    zeros = np.zeros(c)
    v_planes = _planes(u if v is None else v)
    u_planes, out = _planes(u), np.empty(u.shape, dtype=u.dtype)
    out_planes = out.reshape(v_planes.shape)
    a, b, d = (np.asarray(zeros if t is None else t, dtype=np.float64) for t in (a, b, d))
    in_slices(lambda start, stop: _channel_affine(u_planes[start:stop], v_planes[start:stop], a, b, d,
                                                  out_planes[start:stop]), len(out),
              images_holding(CHANNEL_NORM_MIN_VALUES, u_planes))
    return out


def channel_mean_var_reference(x):
    return x.mean(axis=(0, 2, 3), dtype=np.float64), x.var(axis=(0, 2, 3), dtype=np.float64)


def channel_cross_sums_reference(g, x, center):
    g64 = g.astype(np.float64)
    return g64.sum(axis=(0, 2, 3)), (g64 * (x - center[:, None, None])).sum(axis=(0, 2, 3))


def channel_affine_reference(u, a, v=None, b=None, d=None):
    def per_channel(t):
        return 0.0 if t is None else np.asarray(t, dtype=np.float64)[:, None, None]
    return (per_channel(a) * u + per_channel(b) * (0.0 if v is None else v) + per_channel(d)).astype(u.dtype)
