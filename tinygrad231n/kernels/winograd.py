"""Winograd's minimal filtering F(2x2, 3x3): a 3x3 convolution (stride 1) in 4x4 tiles.

Each output tile of 2x2 pixels comes from a 4x4 tile of the padded input d (tiles step by 2, so
neighbours overlap by 2) and a filter g (3x3), through three small transforms (Lavin & Gray,
"Fast Algorithms for Convolutional Neural Networks", 2015):

    V = B^T d B   (4x4)      U = G g G^T   (4x4)      Y = A^T (U * V) A   (2x2)

          [1  0 -1  0]           [1    0    0 ]
    B^T = [0  1  1  0]       G = [1/2  1/2  1/2]       A^T = [1  1  1  0]
          [0 -1  1  0]           [1/2 -1/2  1/2]             [0  1 -1 -1]
          [0  1  0 -1]           [0    0    1 ]

Summed over input channels, U * V is, for each of the 16 positions k of the 4x4 tile, a matrix
product: M[k] (F, tiles) = U[k] (F, C) @ V[k] (C, tiles). That is 16 products of C multiplies
per 4 output pixels where the direct convolution needs 9 * 4: 2.25x fewer multiplies. The
transforms only add and subtract (G halves), so float32 rounding stays near the direct
convolution's (tests/test_winograd.py measures it).

The backward pass runs the adjoints: dM = A dY A^T, then dV[k] = U[k]^T @ dM[k] and
dU[k] = dM[k] @ V[k]^T, then dd = B dV B^T added back onto the overlapping input tiles, and
dg = G^T dU G.

Layouts: V (16, C, tiles) and M (16, F, tiles), k = 4 * row + column of the 4x4 tile, tiles of
image n at n * tiles_h * tiles_w + ty * tiles_w + tx. The output (H + 2 pad - 2, W + 2 pad - 2) is
cut into tiles_h x tiles_w tiles of 2x2 (a last half tile is computed and dropped). The numba
kernels loop over the images of one chunk serially (the matrix products between them take the
threads); the numpy references below are what the tests hold them to.
"""
import numba
import numpy as np

G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])
B_T = np.array([[1.0, 0.0, -1.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, -1.0, 1.0, 0.0], [0.0, 1.0, 0.0, -1.0]])
A_T = np.array([[1.0, 1.0, 1.0, 0.0], [0.0, 1.0, -1.0, -1.0]])


def tile_counts(h, w, pad):
    """(tiles_h, tiles_w): 2x2 output tiles covering the (h + 2 pad - 2, w + 2 pad - 2) output."""
    return (h + 2 * pad - 1) // 2, (w + 2 * pad - 1) // 2


# ---- the 4-point transforms, each applied to rows and then to columns ------------------------------
@numba.njit(inline="always")
def _bt(d0, d1, d2, d3):
    return d0 - d2, d1 + d2, d2 - d1, d1 - d3


@numba.njit(inline="always")
def _bt_adjoint(v0, v1, v2, v3):
    return v0, v1 - v2 + v3, v2 + v1 - v0, -v3


@numba.njit(inline="always")
def _at(m0, m1, m2, m3):
    return m0 + m1 + m2, m1 - m2 - m3


@numba.njit(inline="always")
def _at_adjoint(y0, y1):
    return y0, y0 + y1, y0 - y1, -y1


@numba.njit(cache=True)
def _input_transform(x, pad, tiles_h, tiles_w, v):
    n, c, h, w = x.shape
    per_image = tiles_h * tiles_w
    plane = np.zeros((2 * tiles_h + 2, 2 * tiles_w + 2), dtype=x.dtype)  # padding stays zero
    t = np.empty((4, plane.shape[1]), dtype=x.dtype)
    for image in range(n):
        for channel in range(c):
            plane[pad:pad + h, pad:pad + w] = x[image, channel]
            for ty in range(tiles_h):
                # B^T d for the whole row of tiles at once, along the columns of the plane (contiguous loops)
                y = 2 * ty
                for col in range(plane.shape[1]):
                    t[0, col], t[1, col], t[2, col], t[3, col] = _bt(plane[y, col], plane[y + 1, col],
                                                                     plane[y + 2, col], plane[y + 3, col])
                first = image * per_image + ty * tiles_w
                for i in range(4):  # (B^T d) B along each tile's columns, tile after tile
                    for tx in range(tiles_w):  # (scalar indexing: a view per row of tiles cost more than the sums)
                        k, col = first + tx, 2 * tx
                        v[4 * i, channel, k], v[4 * i + 1, channel, k], v[4 * i + 2, channel, k], \
                            v[4 * i + 3, channel, k] = _bt(t[i, col], t[i, col + 1], t[i, col + 2], t[i, col + 3])


@numba.njit(cache=True)
def _input_transform_adjoint(dv, pad, tiles_h, tiles_w, dx):
    n, c, h, w = dx.shape
    per_image = tiles_h * tiles_w
    plane = np.empty((2 * tiles_h + 2, 2 * tiles_w + 2), dtype=dx.dtype)
    t = np.empty((4, plane.shape[1]), dtype=dx.dtype)
    for image in range(n):
        for channel in range(c):
            plane[:] = 0
            for ty in range(tiles_h):
                first = image * per_image + ty * tiles_w
                t[:] = 0
                for i in range(4):  # the adjoint of (B^T d) B, tile after tile (neighbours overlap by 2)
                    for tx in range(tiles_w):
                        k, col = first + tx, 2 * tx
                        d0, d1, d2, d3 = _bt_adjoint(dv[4 * i, channel, k], dv[4 * i + 1, channel, k],
                                                     dv[4 * i + 2, channel, k], dv[4 * i + 3, channel, k])
                        t[i, col] += d0
                        t[i, col + 1] += d1
                        t[i, col + 2] += d2
                        t[i, col + 3] += d3
                y = 2 * ty
                for col in range(plane.shape[1]):  # the adjoint of B^T d, onto the four rows
                    d0, d1, d2, d3 = _bt_adjoint(t[0, col], t[1, col], t[2, col], t[3, col])
                    plane[y, col] += d0
                    plane[y + 1, col] += d1
                    plane[y + 2, col] += d2
                    plane[y + 3, col] += d3
            dx[image, channel] = plane[pad:pad + h, pad:pad + w]


@numba.njit(cache=True)
def _output_transform(m, tiles_h, tiles_w, out):
    n, f, ho, wo = out.shape
    per_image = tiles_h * tiles_w
    for image in range(n):
        for channel in range(f):
            plane = out[image, channel]
            for ty in range(tiles_h):
                first = image * per_image + ty * tiles_w
                for tx in range(tiles_w):
                    tile = first + tx
                    u0, u1 = _at(m[0, channel, tile], m[4, channel, tile], m[8, channel, tile], m[12, channel, tile])
                    w0, w1 = _at(m[1, channel, tile], m[5, channel, tile], m[9, channel, tile], m[13, channel, tile])
                    x0, x1 = _at(m[2, channel, tile], m[6, channel, tile], m[10, channel, tile], m[14, channel, tile])
                    z0, z1 = _at(m[3, channel, tile], m[7, channel, tile], m[11, channel, tile], m[15, channel, tile])
                    y00, y01 = _at(u0, w0, x0, z0)
                    y10, y11 = _at(u1, w1, x1, z1)
                    oy, ox = 2 * ty, 2 * tx
                    plane[oy, ox] = y00
                    if ox + 1 < wo:
                        plane[oy, ox + 1] = y01
                    if oy + 1 < ho:
                        plane[oy + 1, ox] = y10
                        if ox + 1 < wo:
                            plane[oy + 1, ox + 1] = y11


@numba.njit(cache=True)
def _output_transform_adjoint(grad, tiles_h, tiles_w, dm):
    n, f, ho, wo = grad.shape
    per_image = tiles_h * tiles_w
    rows = np.zeros((2, 2 * tiles_w), dtype=grad.dtype)  # one row pair of dY, zero past the edge
    e = np.empty((4, 2 * tiles_w), dtype=grad.dtype)
    for image in range(n):
        for channel in range(f):
            for ty in range(tiles_h):
                rows[0, :wo] = grad[image, channel, 2 * ty]
                if 2 * ty + 1 < ho:
                    rows[1, :wo] = grad[image, channel, 2 * ty + 1]
                else:
                    rows[1, :] = 0
                for col in range(2 * tiles_w):  # A dY: along the columns, the whole row of tiles at once
                    e[0, col], e[1, col], e[2, col], e[3, col] = _at_adjoint(rows[0, col], rows[1, col])
                first = image * per_image + ty * tiles_w
                for i in range(4):  # (A dY) A^T: along each tile's row
                    for tx in range(tiles_w):
                        k = first + tx
                        dm[4 * i, channel, k], dm[4 * i + 1, channel, k], dm[4 * i + 2, channel, k], \
                            dm[4 * i + 3, channel, k] = _at_adjoint(e[i, 2 * tx], e[i, 2 * tx + 1])


def input_transform(x, pad, out=None):
    """x (N, C, H, W) -> V (16, C, N * tiles_h * tiles_w) of x's dtype: B^T d B of every 4x4 input tile."""
    n, c, h, w = x.shape
    tiles_h, tiles_w = tile_counts(h, w, pad)
    v = np.empty((16, c, n * tiles_h * tiles_w), dtype=x.dtype) if out is None else out
    _input_transform(np.ascontiguousarray(x), pad, tiles_h, tiles_w, v)
    return v


def input_transform_adjoint(dv, image_shape, pad, out=None):
    """dV (16, C, tiles) -> dx (N, C, H, W): B dV B^T added onto each tile's place, the padding dropped."""
    tiles_h, tiles_w = tile_counts(image_shape[2], image_shape[3], pad)
    dx = np.empty(image_shape, dtype=dv.dtype) if out is None else out
    _input_transform_adjoint(np.ascontiguousarray(dv), pad, tiles_h, tiles_w, dx)
    return dx


def output_transform(m, output_shape, out=None):
    """M (16, F, tiles) -> out (N, F, Ho, Wo): A^T M A of every tile, the half tiles past the edge dropped."""
    tiles_h, tiles_w = (output_shape[2] + 1) // 2, (output_shape[3] + 1) // 2
    out = np.empty(output_shape, dtype=m.dtype) if out is None else out
    _output_transform(np.ascontiguousarray(m), tiles_h, tiles_w, out)
    return out


def output_transform_adjoint(grad, out=None):
    """dY (N, F, Ho, Wo) -> dM (16, F, N * tiles): A dY A^T of every 2x2 tile (zero past the edge)."""
    n, f, ho, wo = grad.shape
    tiles_h, tiles_w = (ho + 1) // 2, (wo + 1) // 2
    dm = np.empty((16, f, n * tiles_h * tiles_w), dtype=grad.dtype) if out is None else out
    _output_transform_adjoint(np.ascontiguousarray(grad), tiles_h, tiles_w, dm)
    return dm


def filter_transform(w):
    """w (F, C, 3, 3) -> U (16, F, C) = G g G^T, in w's dtype (two tensordots: BLAS, where einsum's
    loops took milliseconds for 128 x 64 filters)."""
    f, c = w.shape[:2]
    g = G.astype(w.dtype)
    rows = np.tensordot(g, w, axes=([1], [2]))              # (4, F, C, 3): G g
    u = np.tensordot(rows, g, axes=([3], [1]))              # (4, F, C, 4): G g G^T
    return np.ascontiguousarray(u.transpose(0, 3, 1, 2)).reshape(16, f, c)


def filter_transform_adjoint(du):
    """dU (16, F, C) -> dw (F, C, 3, 3) = G^T dU G, in dU's dtype."""
    f, c = du.shape[1:]
    g = G.astype(du.dtype)
    rows = np.tensordot(g, du.reshape(4, 4, f, c), axes=([0], [0]))  # (3, 4, F, C): G^T dU
    dw = np.tensordot(rows, g, axes=([1], [0]))                       # (3, F, C, 3): G^T dU G
    return np.ascontiguousarray(dw.transpose(1, 2, 0, 3))


# ---- numpy references --------------------------------------------------------------------------------
def _tiles_reference(x, pad):
    """Every 4x4 input tile, (N, C, tiles_h, tiles_w, 4, 4), from x zero-padded as far as the tiles reach."""
    n, c, h, w = x.shape
    tiles_h, tiles_w = tile_counts(h, w, pad)
    padded = np.zeros((n, c, 2 * tiles_h + 2, 2 * tiles_w + 2), dtype=x.dtype)
    padded[:, :, pad:pad + h, pad:pad + w] = x
    windows = np.lib.stride_tricks.sliding_window_view(padded, (4, 4), axis=(2, 3))
    return windows[:, :, ::2, ::2]


def input_transform_reference(x, pad):
    tiles = _tiles_reference(x, pad)
    v = np.einsum("ai,nchwij,bj->abcnhw", B_T, tiles, B_T)
    return v.reshape(16, x.shape[1], -1).astype(x.dtype)


def output_transform_reference(m, output_shape):
    n, f, ho, wo = output_shape
    tiles_h, tiles_w = (ho + 1) // 2, (wo + 1) // 2
    y = np.einsum("ai,ijfnhw,bj->nfhawb", A_T, m.reshape(4, 4, f, n, tiles_h, tiles_w), A_T)
    return y.reshape(n, f, 2 * tiles_h, 2 * tiles_w)[:, :, :ho, :wo].astype(m.dtype)
