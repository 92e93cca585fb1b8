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
product: M[k] (tiles, F) = V[k] (tiles, C) @ U[k] (C, F). That is 16 products of C multiplies
per 4 output pixels where the direct convolution needs 9 * 4: 2.25x fewer multiplies. The
transforms only add and subtract (G halves), so float32 rounding stays near the direct
convolution's (tests/test_winograd.py measures it).

The backward pass runs the adjoints: dM = A dY A^T, then dV[k] = dM[k] @ U[k]^T and
dU[k] = V[k]^T @ dM[k], then dd = B dV B^T added back onto the overlapping input tiles, and
dg = G^T dU G.

Layouts: V (16, tiles, C) and M (16, tiles, F), channels last, k = 4 * row + column of the 4x4 tile,
tiles of image n at n * tiles_h * tiles_w + ty * tiles_w + tx. The output (H + 2 pad - 2, W + 2 pad - 2)
is cut into tiles_h x tiles_w tiles of 2x2 (a last half tile is computed and dropped). Channels last,
every loop of the kernels runs over the channels: contiguous and 32 to 128 long in a ConvNet, where
loops along a row of tiles (4 tiles on an 8x8 image) stayed scalar: the four transforms of a 64 -> 128
conv on 8x8 images took 1.5x as long. Each image turns channels last (and back) through one strided
copy into a scratch plane. The kernels are serial and release the GIL (nogil): ops/conv_winograd.py
runs slices of a batch on threads (kernels/split.py), each slice with planes of its own. The numpy
references below are what the tests hold them to.
"""
import numba
import numpy as np


G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])
B_T = np.array([[1.0, 0.0, -1.0, 0.0], [0.0, 1.0, 1.0, 0.0], [0.0, -1.0, 1.0, 0.0], [0.0, 1.0, 0.0, -1.0]])
A_T = np.array([[1.0, 1.0, 1.0, 0.0], [0.0, 1.0, -1.0, -1.0]])


def tile_counts(h, w, pad):
    """(tiles_h, tiles_w): 2x2 output tiles covering the (h + 2 pad - 2, w + 2 pad - 2) output."""
    return (h + 2 * pad - 1) // 2, (w + 2 * pad - 1) // 2


# ---- the kernels: each image's plane is turned channels last (one strided copy), so that every loop
# below runs over the channels, contiguous in the plane and in V and M: long, branch-free loops that LLVM
# vectorizes (loops along a row of tiles are as short as 4 tiles on an 8x8 image, and ran scalar).
@numba.njit(cache=True)
def _gather_channels_last(source, plane, offset):
    """plane[offset + r, offset + col, ch] = source[ch, r, col] for a (C, H, W) source."""
    c, h, w = source.shape
    for r in range(h):  # the plane's row in order; the C lines read stay in L1 across the row
        for col in range(w):
            for ch in range(c):
                plane[offset + r, offset + col, ch] = source[ch, r, col]


@numba.njit(cache=True)
def _scatter_channels_first(plane, offset, target):
    """target[ch, r, col] = plane[offset + r, offset + col, ch] for a (C, H, W) target."""
    c, h, w = target.shape
    for ch in range(c):  # (row by row instead, the 32x32 conv took 1.3x longer)
        for r in range(h):
            for col in range(w):
                target[ch, r, col] = plane[offset + r, offset + col, ch]


@numba.njit(cache=True, nogil=True)
def _input_transform(x, pad, tiles_h, tiles_w, v, planes):
    n, c, h, w = x.shape
    per_image = tiles_h * tiles_w
    for image in range(n):
        plane = planes[image]  # its padding is zero, and stays so
        t = np.empty((4, plane.shape[1], c), dtype=x.dtype)
        _gather_channels_last(x[image], plane, pad)
        for ty in range(tiles_h):
            y = 2 * ty
            for col in range(plane.shape[1]):  # B^T d down the tiles' four rows, the whole row of tiles at once
                for ch in range(c):
                    t[0, col, ch] = plane[y, col, ch] - plane[y + 2, col, ch]
                for ch in range(c):
                    t[1, col, ch] = plane[y + 1, col, ch] + plane[y + 2, col, ch]
                for ch in range(c):
                    t[2, col, ch] = plane[y + 2, col, ch] - plane[y + 1, col, ch]
                for ch in range(c):
                    t[3, col, ch] = plane[y + 1, col, ch] - plane[y + 3, col, ch]
            for tx in range(tiles_w):  # (B^T d) B along each tile's four columns
                tile, col = image * per_image + ty * tiles_w + tx, 2 * tx
                for i in range(4):
                    for ch in range(c):
                        v[4 * i, tile, ch] = t[i, col, ch] - t[i, col + 2, ch]
                    for ch in range(c):
                        v[4 * i + 1, tile, ch] = t[i, col + 1, ch] + t[i, col + 2, ch]
                    for ch in range(c):
                        v[4 * i + 2, tile, ch] = t[i, col + 2, ch] - t[i, col + 1, ch]
                    for ch in range(c):
                        v[4 * i + 3, tile, ch] = t[i, col + 1, ch] - t[i, col + 3, ch]


@numba.njit(cache=True, nogil=True)
def _input_transform_adjoint(dx, dv, pad, tiles_h, tiles_w, planes):
    n, c, h, w = dx.shape
    per_image = tiles_h * tiles_w
    for image in range(n):
        plane = planes[image]
        plane[:] = 0
        t = np.empty((4, plane.shape[1], c), dtype=dx.dtype)
        for ty in range(tiles_h):
            t[:] = 0
            for tx in range(tiles_w):  # the adjoint of (B^T d) B, tile after tile (neighbours overlap by 2)
                tile, col = image * per_image + ty * tiles_w + tx, 2 * tx
                for i in range(4):
                    k = 4 * i
                    for ch in range(c):
                        t[i, col, ch] += dv[k, tile, ch]
                    for ch in range(c):
                        t[i, col + 1, ch] += dv[k + 1, tile, ch] - dv[k + 2, tile, ch] + dv[k + 3, tile, ch]
                    for ch in range(c):
                        t[i, col + 2, ch] += dv[k + 2, tile, ch] + dv[k + 1, tile, ch] - dv[k, tile, ch]
                    for ch in range(c):
                        t[i, col + 3, ch] -= dv[k + 3, tile, ch]
            y = 2 * ty
            for col in range(plane.shape[1]):  # the adjoint of B^T d, onto the four rows
                for ch in range(c):
                    plane[y, col, ch] += t[0, col, ch]
                for ch in range(c):
                    plane[y + 1, col, ch] += t[1, col, ch] - t[2, col, ch] + t[3, col, ch]
                for ch in range(c):
                    plane[y + 2, col, ch] += t[2, col, ch] + t[1, col, ch] - t[0, col, ch]
                for ch in range(c):
                    plane[y + 3, col, ch] -= t[3, col, ch]
        _scatter_channels_first(plane, pad, dx[image])


@numba.njit(cache=True, nogil=True)
def _output_transform(out, m, tiles_h, tiles_w, planes):
    n, f, ho, wo = out.shape
    per_image = tiles_h * tiles_w
    for image in range(n):
        plane = planes[image]
        e = np.empty((2, 4, f), dtype=out.dtype)
        for ty in range(tiles_h):
            for tx in range(tiles_w):
                tile, oy, ox = image * per_image + ty * tiles_w + tx, 2 * ty, 2 * tx
                for j in range(4):  # A^T M down each of the tile's four columns
                    for ch in range(f):
                        e[0, j, ch] = m[j, tile, ch] + m[4 + j, tile, ch] + m[8 + j, tile, ch]
                    for ch in range(f):
                        e[1, j, ch] = m[4 + j, tile, ch] - m[8 + j, tile, ch] - m[12 + j, tile, ch]
                for a in range(2):  # (A^T M) A along its two rows
                    for ch in range(f):
                        plane[oy + a, ox, ch] = e[a, 0, ch] + e[a, 1, ch] + e[a, 2, ch]
                    for ch in range(f):
                        plane[oy + a, ox + 1, ch] = e[a, 1, ch] - e[a, 2, ch] - e[a, 3, ch]
        _scatter_channels_first(plane, 0, out[image])


@numba.njit(cache=True, nogil=True)
def _output_transform_adjoint(grad, tiles_h, tiles_w, dm, planes):
    n, f, ho, wo = grad.shape
    per_image = tiles_h * tiles_w
    for image in range(n):
        plane = planes[image]  # zero past the edge, and stays so
        e = np.empty((4, 2, f), dtype=grad.dtype)
        _gather_channels_last(grad[image], plane, 0)
        for ty in range(tiles_h):
            for tx in range(tiles_w):
                tile, oy, ox = image * per_image + ty * tiles_w + tx, 2 * ty, 2 * tx
                for b in range(2):  # A dY down the tile's two columns
                    for ch in range(f):
                        e[0, b, ch] = plane[oy, ox + b, ch]
                    for ch in range(f):
                        e[1, b, ch] = plane[oy, ox + b, ch] + plane[oy + 1, ox + b, ch]
                    for ch in range(f):
                        e[2, b, ch] = plane[oy, ox + b, ch] - plane[oy + 1, ox + b, ch]
                    for ch in range(f):
                        e[3, b, ch] = -plane[oy + 1, ox + b, ch]
                for i in range(4):  # (A dY) A^T along its four rows
                    for ch in range(f):
                        dm[4 * i, tile, ch] = e[i, 0, ch]
                    for ch in range(f):
                        dm[4 * i + 1, tile, ch] = e[i, 0, ch] + e[i, 1, ch]
                    for ch in range(f):
                        dm[4 * i + 2, tile, ch] = e[i, 0, ch] - e[i, 1, ch]
                    for ch in range(f):
                        dm[4 * i + 3, tile, ch] = -e[i, 1, ch]


# Each transform turns every image channels last in a scratch plane of its own: `planes`, (N, rows, columns, C)
# of the images' dtype, shaped as input_planes_shape / output_planes_shape give. Passed in (the conv op keeps
# one set for all its chunks) they cost nothing per call; fresh ones per image cost page faults (a 32x32 plane
# of 32 channels is 144 KiB). The input transform and the output transform's adjoint need them zero where no
# pixel lands (as np.zeros makes them, and as these transforms leave them); the two others overwrite them.
def input_planes_shape(image_shape, pad):
    """Scratch planes for the input transform and its adjoint: (N, 2 tiles_h + 2, 2 tiles_w + 2, C)."""
    n, c, h, w = image_shape
    tiles_h, tiles_w = tile_counts(h, w, pad)
    return n, 2 * tiles_h + 2, 2 * tiles_w + 2, c


def output_planes_shape(output_shape):
    """Scratch planes for the output transform and its adjoint: (N, 2 tiles_h, 2 tiles_w, F)."""
    n, f, ho, wo = output_shape
    return n, ho + ho % 2, wo + wo % 2, f


def input_transform(x, pad, out=None, planes=None):
    """x (N, C, H, W) -> V (16, N * tiles_h * tiles_w, C) of x's dtype: B^T d B of every 4x4 input tile."""
    n, c, h, w = x.shape
    tiles_h, tiles_w = tile_counts(h, w, pad)
    v = np.empty((16, n * tiles_h * tiles_w, c), dtype=x.dtype) if out is None else out
    planes = np.zeros(input_planes_shape(x.shape, pad), dtype=x.dtype) if planes is None else planes
    _input_transform(np.ascontiguousarray(x), pad, tiles_h, tiles_w, v, planes)
    return v


def input_transform_adjoint(dv, image_shape, pad, out=None, planes=None):
    """dV (16, tiles, C) -> dx (N, C, H, W): B dV B^T added onto each tile's place, the padding dropped."""
    tiles_h, tiles_w = tile_counts(image_shape[2], image_shape[3], pad)
    dx = np.empty(image_shape, dtype=dv.dtype) if out is None else out
    planes = np.empty(input_planes_shape(image_shape, pad), dtype=dv.dtype) if planes is None else planes
    _input_transform_adjoint(dx, np.ascontiguousarray(dv), pad, tiles_h, tiles_w, planes)
    return dx


def output_transform(m, output_shape, out=None, planes=None):
    """M (16, tiles, F) -> out (N, F, Ho, Wo): A^T M A of every tile, the half tiles past the edge dropped."""
    tiles_h, tiles_w = (output_shape[2] + 1) // 2, (output_shape[3] + 1) // 2
    out = np.empty(output_shape, dtype=m.dtype) if out is None else out
    planes = np.empty(output_planes_shape(output_shape), dtype=m.dtype) if planes is None else planes
    _output_transform(out, np.ascontiguousarray(m), tiles_h, tiles_w, planes)
    return out


def output_transform_adjoint(grad, out=None, planes=None):
    """dY (N, F, Ho, Wo) -> dM (16, N * tiles, F): A dY A^T of every 2x2 tile (zero past the edge)."""
    n, f, ho, wo = grad.shape
    tiles_h, tiles_w = (ho + 1) // 2, (wo + 1) // 2
    dm = np.empty((16, n * tiles_h * tiles_w, f), dtype=grad.dtype) if out is None else out
    planes = np.zeros(output_planes_shape(grad.shape), dtype=grad.dtype) if planes is None else planes
    _output_transform_adjoint(np.ascontiguousarray(grad), tiles_h, tiles_w, dm, planes)
    return dm


def filter_transform(w):
    """w (F, C, 3, 3) -> U (16, C, F) = G g G^T, in w's dtype (two tensordots: BLAS, where einsum's
    loops took milliseconds for 128 x 64 filters)."""
    f, c = w.shape[:2]
    g = G.astype(w.dtype)
    rows = np.tensordot(g, w, axes=([1], [2]))              # (4, F, C, 3): G g
    u = np.tensordot(rows, g, axes=([3], [1]))              # (4, F, C, 4): G g G^T
    return np.ascontiguousarray(u.transpose(0, 3, 2, 1)).reshape(16, c, f)


def filter_transform_adjoint(du):
    """dU (16, C, F) -> dw (F, C, 3, 3) = G^T dU G, in dU's dtype."""
    c, f = du.shape[1:]
    g = G.astype(du.dtype)
    rows = np.tensordot(g, du.reshape(4, 4, c, f), axes=([0], [0]))  # (3, 4, C, F): G^T dU
    dw = np.tensordot(rows, g, axes=([1], [0]))                       # (3, C, F, 3): G^T dU G
    return np.ascontiguousarray(dw.transpose(2, 1, 0, 3))


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
    return v.reshape(16, x.shape[1], -1).transpose(0, 2, 1).astype(x.dtype)


def output_transform_reference(m, output_shape):
    n, f, ho, wo = output_shape
    tiles_h, tiles_w = (ho + 1) // 2, (wo + 1) // 2
    y = np.einsum("ai,ijnhwf,bj->nfhawb", A_T, m.reshape(4, 4, n, tiles_h, tiles_w, f), A_T)
    return y.reshape(n, f, 2 * tiles_h, 2 * tiles_w)[:, :, :ho, :wo].astype(m.dtype)
