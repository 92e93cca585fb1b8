"""CS231n's histogram-of-oriented-gradients (HOG) feature, as one numba pass over a batch of images.

The definition is CS231n assignment 1's ``hog_feature`` (``cs231n/features.py``), quirks included:

- grey = 0.299 R + 0.587 G + 0.144 B (0.144, not 0.114: CS231n's constant, kept);
- forward differences: gx[i, j] = grey[i, j+1] - grey[i, j], gy[i, j] = grey[i+1, j] - grey[i, j];
  the last column's gx and the last row's gy are 0;
- magnitude sqrt(gx**2 + gy**2); orientation atan2(gy, gx + 1e-15) in degrees, plus 90. That lies in
  [-90, 270], not [0, 180]: a pixel counts only if 0 < orientation < 180, so a pixel whose orientation
  is exactly 0, exactly 180, or outside [0, 180) (about half of them) falls in no bin;
- 9 bins of 20 degrees, bin i holding 20 i <= orientation < 20 (i + 1);
- each 8x8 cell gives the mean over its 64 pixels of the magnitudes that fell in each bin (pixels in
  no bin count as 0 in the mean). CS231n takes this from scipy's ``uniform_filter(size=8)`` sampled at
  rows and columns 4, 12, 20, ...; for even sizes scipy's window at index c covers [c - 4, c + 3], so
  each sample is exactly the mean over one cell and the filter's border mode never matters;
- cells are listed column of cells first (CS231n transposes the sampled grid): feature index
  ((cell_col * n_cell_rows) + cell_row) * 9 + bin.

CS231n only runs on square images (its transpose would not fit the histogram otherwise); here
non-square images use the same order. A 32x32 image gives 4 * 4 * 9 = 144 values.
"""
import math

import numba
import numpy as np

from ..checks import check_finite
from .sized import SizedKernel
from .thresholds import HOG_MIN_IMAGES

ORIENTATIONS = 9
CELL = 8
_BIN_WIDTH = 180.0 / ORIENTATIONS  # 20.0 exactly, so the bin edges 20 * i are exact
_DEGREES_PER_RADIAN = 180 / np.pi  # the same float CS231n multiplies by
_GREY_WEIGHTS = (0.299, 0.587, 0.144)


def rgb2gray(rgb):
    """CS231n's grey conversion: (..., 3) -> (...) float64, 0.299 R + 0.587 G + 0.144 B."""
    return np.dot(rgb[..., :3], list(_GREY_WEIGHTS))


def _cell_means(values):
    """(H, W) -> (H // 8, W // 8) mean over each 8x8 cell.

    Equal (up to rounding) to ``scipy.ndimage.uniform_filter(values, size=(8, 8))[4::8, 4::8]`` when
    H and W are multiples of 8, which is what CS231n computes.
    """
    rows, cols = values.shape
    return values.reshape(rows // CELL, CELL, cols // CELL, CELL).mean(axis=(1, 3))


def hog_reference(image):
    """CS231n's ``hog_feature`` for ONE image in plain numpy; the tests hold the kernel to it.

    image: (H, W, 3) RGB or (H, W) grey, H and W multiples of 8 -> ((W // 8) * (H // 8) * 9,) float64.
    Grey images are converted to float64 first (CS231n's np.diff would wrap around on uint8).
    """
    if image.ndim == 3:
        image = rgb2gray(image)
    else:
        image = np.atleast_2d(image).astype(np.float64)
    sx, sy = image.shape
    gx = np.zeros(image.shape)
    gy = np.zeros(image.shape)
    gx[:, :-1] = np.diff(image, n=1, axis=1)
    gy[:-1, :] = np.diff(image, n=1, axis=0)
    grad_mag = np.sqrt(gx ** 2 + gy ** 2)
    grad_ori = np.arctan2(gy, (gx + 1e-15)) * (180 / np.pi) + 90
    # CS231n allocates (sx // 8, sy // 8, 9) and stores the transposed cell grid; (sy // 8, sx // 8, 9)
    # is the same for square images and also fits non-square ones.
    orientation_histogram = np.zeros((sy // CELL, sx // CELL, ORIENTATIONS))
    for i in range(ORIENTATIONS):
        temp_ori = np.where(grad_ori < 180 / ORIENTATIONS * (i + 1), grad_ori, 0)
        temp_ori = np.where(grad_ori >= 180 / ORIENTATIONS * i, temp_ori, 0)
        cond2 = temp_ori > 0
        temp_mag = np.where(cond2, grad_mag, 0)
        orientation_histogram[:, :, i] = _cell_means(temp_mag).T
    return orientation_histogram.ravel()


@numba.njit(cache=True)
def _grey(image, i, j):
    """Grey value of pixel (i, j) of one (H, W, C) image, C = 3 (RGB) or 1 (already grey)."""
    if image.shape[2] == 1:
        return float(image[i, j, 0])
    # Summed left to right, as np.dot does here, so the greys (and so which gradients are exactly 0)
    # match the reference bit for bit.
    red, green, blue = _GREY_WEIGHTS
    return image[i, j, 0] * red + image[i, j, 1] * green + image[i, j, 2] * blue


@numba.njit(cache=True)
def _orientation_bin(gx, gy):
    """CS231n's bin (0..8) of a gradient, or -1 when it falls in none (see the module docstring)."""
    orientation = math.atan2(gy, gx + 1e-15) * _DEGREES_PER_RADIAN + 90
    if not (0.0 < orientation < 180.0):
        return -1
    # Just below an edge the rounded quotient can come out as the edge's integer (one too many); it is
    # never too small, so one step back, checked against the exact edge, suffices.
    b = int(orientation / _BIN_WIDTH)
    if orientation < _BIN_WIDTH * b:
        b -= 1
    return b


def _hog_images(images, out):
    """images (N, H, W, C) uint8 or float64, C in {1, 3}; out (N, F) float64 zeros, filled in place."""
    n_images, height, width, _ = images.shape
    n_cell_rows = height // CELL
    for n in numba.prange(n_images):
        image = images[n]
        grey = np.empty((height, width))
        for i in range(height):
            for j in range(width):
                grey[i, j] = _grey(image, i, j)
        hist = out[n]
        for i in range(height):
            for j in range(width):
                gx = grey[i, j + 1] - grey[i, j] if j + 1 < width else 0.0
                gy = grey[i + 1, j] - grey[i, j] if i + 1 < height else 0.0
                if gx == 0.0 and gy == 0.0:
                    continue  # adds a magnitude of 0 whatever its bin
                b = _orientation_bin(gx, gy)
                if b >= 0:
                    cell = (j // CELL) * n_cell_rows + i // CELL
                    hist[cell * ORIENTATIONS + b] += math.sqrt(gx * gx + gy * gy)
        for k in range(hist.shape[0]):
            hist[k] /= CELL * CELL


_hog_kernel = SizedKernel(_hog_images, HOG_MIN_IMAGES)


def _check_images(images):
    """images as an (N, H, W, C) C-contiguous uint8 or float64 array, C = 3 (RGB) or 1 (grey)."""
    images = np.asarray(images)
    shape = images.shape
    if images.ndim == 3 and shape[-1] == 3:
        raise ValueError(f"hog_features: got shape {shape}, which looks like one RGB image; expected a batch "
                         f"(N, H, W, 3) or grey images (N, H, W): pass image[np.newaxis] for one image")
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[3] not in (1, 3):
        raise ValueError(f"hog_features: expected images of shape (N, H, W, 3) (RGB) or (N, H, W) (grey), "
                         f"got shape {shape}")
    height, width = images.shape[1:3]
    if height % CELL or width % CELL or height == 0 or width == 0:
        raise ValueError(f"hog_features: image height and width must be positive multiples of {CELL} "
                         f"(whole {CELL}x{CELL} cells), got {height}x{width} from shape {shape}")
    # A NaN pixel would only drop out of its gradients' bins: refuse it rather than hide it.
    check_finite("hog_features", images, "images")
    # uint8 stays uint8 (a float64 copy of CIFAR is 1.5 GB); anything else is read as float64.
    dtype = np.uint8 if images.dtype == np.uint8 else np.float64
    return np.ascontiguousarray(images, dtype=dtype)


def hog_features(images):
    """CS231n's HOG of every image: (N, H, W, 3) RGB or (N, H, W) grey -> (N, (H//8) * (W//8) * 9) float64.

    Pixel values are used as given (CIFAR's 0..255 scale); uint8 and float inputs give the same
    features. H and W must be multiples of 8; NaN or infinite pixels are a ValueError. Matches
    ``hog_reference`` applied to each image.
    """
    images = _check_images(images)
    n_images, height, width, _ = images.shape
    out = np.zeros((n_images, (height // CELL) * (width // CELL) * ORIENTATIONS))
    _hog_kernel(images, out)
    return out
