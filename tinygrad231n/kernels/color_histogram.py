"""CS231n's hue histogram feature, as one numba pass over a batch of images.

The definition is CS231n assignment 1's ``color_histogram_hsv`` (``cs231n/features.py``):

- hue as ``matplotlib.colors.rgb_to_hsv(im / xmax)`` computes it, in [0, 1], then times xmax. For
  each pixel, with r, g, b = R / xmax, G / xmax, B / xmax and delta = max - min: hue is 0 when
  delta == 0 (greys); otherwise from the channel that holds the max, blue before green before red
  on ties: 4 + (r - g) / delta, 2 + (b - r) / delta, or (g - b) / delta; then (hue / 6) % 1. A hue a
  hair below 0 wraps to exactly 1.0, i.e. xmax;
- bin edges ``np.linspace(xmin, xmax, nbin + 1)``, binned as np.histogram does with explicit edges:
  edge[k] <= hue < edge[k + 1], the last bin also closed on the right, hues outside [xmin, xmax]
  dropped;
- normalized=True: density (count / width / total) times the bin width, so the histogram sums to 1
  (NaN if no pixel landed in a bin); normalized=False: count times the bin width (CS231n multiplies
  by the width either way).

matplotlib refuses pixels outside [0, xmax]; so do we. Float inputs are read as float64 (CS231n loads
CIFAR as float64); float32 input thus gets float64 arithmetic, where matplotlib would use float32.
"""
import numba
import numpy as np

from ..checks import check_finite
from .sized import SizedKernel
from .thresholds import HUE_HISTOGRAM_MIN_IMAGES


def hue_histogram_reference(image, nbin=10, xmin=0, xmax=255, normalized=True):
    """CS231n's ``color_histogram_hsv`` for ONE (H, W, 3) image in plain numpy -> (nbin,) float64."""
    import matplotlib.colors  # the reference only (tests): matplotlib comes with the cs231n extra

    bins = np.linspace(xmin, xmax, nbin + 1)
    hsv = matplotlib.colors.rgb_to_hsv(image / xmax) * xmax
    imhist, bin_edges = np.histogram(hsv[:, :, 0], bins=bins, density=normalized)
    imhist = imhist * np.diff(bin_edges)
    return imhist


@numba.njit(cache=True)
def _hue(r, g, b):
    """Hue in [0, 1] of one pixel with channels in [0, 1], exactly as matplotlib's rgb_to_hsv."""
    high = max(r, g, b)
    delta = high - min(r, g, b)
    hue = 0.0
    # matplotlib assigns red, then green, then blue, each overwriting the last: blue wins ties.
    if delta > 0:
        if b == high:
            hue = 4.0 + (r - g) / delta
        elif g == high:
            hue = 2.0 + (b - r) / delta
        else:
            hue = (g - b) / delta
    return (hue / 6.0) % 1.0


@numba.njit(cache=True)
def _bin_index(value, edges):
    """np.histogram's bin of value for explicit, increasing edges; -1 if it falls outside (or is NaN)."""
    if not (edges[0] <= value <= edges[-1]):
        return -1
    # The last edge <= value; a value on the last edge belongs to the last bin.
    return min(np.searchsorted(edges, value, side="right") - 1, edges.shape[0] - 2)


def _hue_histogram_images(images, edges, xmax, normalized, out, out_of_range):
    """images (N, H, W, 3) uint8 or float64; out (N, nbin) float64 and out_of_range (N,) bool, filled in place."""
    n_images, height, width, _ = images.shape
    nbin = edges.shape[0] - 1
    for n in numba.prange(n_images):
        counts = np.zeros(nbin, np.int64)
        for i in range(height):
            for j in range(width):
                # Divide first, as CS231n does: hue is scale-free in exact arithmetic, not in floats.
                r = images[n, i, j, 0] / xmax
                g = images[n, i, j, 1] / xmax
                b = images[n, i, j, 2] / xmax
                if max(r, g, b) > 1.0 or min(r, g, b) < 0.0:
                    out_of_range[n] = True
                k = _bin_index(_hue(r, g, b) * xmax, edges)
                if k >= 0:
                    counts[k] += 1
        total = counts.sum()
        for k in range(nbin):
            width_k = edges[k + 1] - edges[k]
            if not normalized:
                out[n, k] = counts[k] * width_k
            elif total == 0:
                out[n, k] = np.nan  # numpy's 0 / 0
            else:
                out[n, k] = counts[k] / width_k / total * width_k  # np.histogram's density, times the width


_hue_histogram_kernel = SizedKernel(_hue_histogram_images, HUE_HISTOGRAM_MIN_IMAGES)


def _check_arguments(images, nbin, xmin, xmax):
    """images as an (N, H, W, 3) C-contiguous uint8 or float64 array; the bin edges as float64."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[3] != 3:
        hint = "; pass image[np.newaxis] for one image" if images.ndim == 3 and images.shape[-1] == 3 else ""
        raise ValueError(f"hue_histograms: expected RGB images of shape (N, H, W, 3), got shape {images.shape}{hint}")
    if isinstance(nbin, bool) or not isinstance(nbin, (int, np.integer)) or nbin < 1:
        raise ValueError(f"hue_histograms: nbin must be a positive int, got {nbin!r}")
    if not (np.isfinite(xmin) and np.isfinite(xmax) and xmin < xmax):
        raise ValueError(f"hue_histograms: need finite xmin < xmax, got xmin={xmin!r}, xmax={xmax!r}")
    check_finite("hue_histograms", images, "images")  # a NaN pixel would fall in no bin, unseen
    # uint8 stays uint8 (a float64 copy of CIFAR is 1.5 GB); anything else is read as float64.
    dtype = np.uint8 if images.dtype == np.uint8 else np.float64
    edges = np.linspace(xmin, xmax, nbin + 1)
    return np.ascontiguousarray(images, dtype=dtype), np.asarray(edges, dtype=np.float64)


def hue_histograms(images, nbin=10, xmin=0, xmax=255, normalized=True):
    """CS231n's hue histogram of every image: (N, H, W, 3) RGB -> (N, nbin) float64.

    Pixel values must be finite and lie in [0, xmax] (xmax = 255 for CIFAR's scale). Matches
    ``hue_histogram_reference`` applied to each image; see the module docstring for the conventions.
    """
    images, edges = _check_arguments(images, nbin, xmin, xmax)
    out = np.empty((images.shape[0], nbin))
    out_of_range = np.zeros(images.shape[0], dtype=np.bool_)
    _hue_histogram_kernel(images, edges, float(xmax), bool(normalized), out, out_of_range)
    if out_of_range.any():
        first = int(np.argmax(out_of_range))
        raise ValueError(f"hue_histograms: pixel values must lie in [0, xmax] = [0, {xmax}], but image {first} "
                         f"has values in [{images[first].min()}, {images[first].max()}]")
    return out
