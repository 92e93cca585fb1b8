"""CS231n's image features: `from tinygrad231n.cs231n.features import *`, then as in the notebook:

    feature_fns = [hog_feature, lambda img: color_histogram_hsv(img, nbin=num_color_bins)]
    X_train_feats = extract_features(X_train, feature_fns, verbose=True)

The per-image functions run the batch numba kernels (tinygrad231n.kernels.hog, kernels.color_histogram) on
a batch of one. `extract_features` (models.features) calls a per-image function once per image,
as the assignment does, but first swaps in the batch kernel, one call for all images, wherever it
can tell which function it was handed:

- `hog_feature` and `color_histogram_hsv` themselves;
- a `functools.partial` of either with keyword arguments only, such as
  `functools.partial(color_histogram_hsv, nbin=num_color_bins)`.

A lambda is opaque, so the notebook's `lambda img: color_histogram_hsv(img, nbin=...)` runs image
by image: same numbers, slower (see `benchmarks/bench_features.py`). Write the partial instead to
get the batch kernel.
"""
import functools

import numpy as np

from models import features
from tinygrad231n.kernels.color_histogram import hue_histograms
from tinygrad231n.kernels.hog import hog_features, rgb2gray

__all__ = ["extract_features", "hog_feature", "color_histogram_hsv", "rgb2gray", "color_histogram",
           "color_histogram_cross", "color_histogram_spatial"]


def hog_feature(im):
    """HOG of one image: (H, W, 3) RGB or (H, W) grey, H and W multiples of 8 -> ((H//8) * (W//8) * 9,) float64."""
    return hog_features(np.asarray(im)[np.newaxis])[0]


def color_histogram_hsv(im, nbin=10, xmin=0, xmax=255, normalized=True):
    """Hue histogram of one (H, W, 3) image with values in [0, xmax] -> (nbin,) float64.

    normalized: the histogram sums to 1; otherwise bin counts times the bin width (CS231n's quirk).
    """
    return hue_histograms(np.asarray(im)[np.newaxis], nbin=nbin, xmin=xmin, xmax=xmax, normalized=normalized)[0]


# Each per-image function above, and the batch kernel that computes it for every image in one call.
_BATCH_KERNELS = ((hog_feature, hog_features), (color_histogram_hsv, hue_histograms))


def extract_features(imgs, feature_fns, verbose=False):
    """Every feature function on every image, side by side: (N, H, W, C) -> (N, F_total) float64.

    feature_fns: per-image functions image -> 1-d vector, as in the assignment; the ones recognised
    above run as one batch call. Columns come in the order of feature_fns.
    """
    return features.extract_features(imgs, [_batch_version(fn) for fn in feature_fns], verbose=verbose)


def _batch_version(fn):
    """A models.features.BatchFeature computing what fn computes per image, or fn itself if unknown."""
    func, keywords = fn, {}
    if isinstance(fn, functools.partial) and not fn.args:
        func, keywords = fn.func, fn.keywords
    for per_image, batch_kernel in _BATCH_KERNELS:
        if func is per_image:
            arguments = ", ".join(f"{key}={value!r}" for key, value in keywords.items())
            return features.BatchFeature(functools.partial(batch_kernel, **keywords),
                                         name=f"{batch_kernel.__name__}({arguments})")
    return fn


# ---- the starter code's other colour features (2025 edition): plain numpy, no batch kernel ----

def color_histogram(im, nbin=10, xmin=0, xmax=255, normalized=True):
    """Per-channel histograms of pixel values, nbin equal bins over [xmin, xmax].

    (H, W, 3) -> (3 * nbin,): with normalized, each channel's histogram sums to 1, else bin counts
    times the bin width. (H, W) greyscale -> (nbin,): with normalized, the density (it sums to
    nbin / (xmax - xmin)), else counts. These are the starter code's (2025) conventions, kept as is.
    """
    bins = np.linspace(xmin, xmax, nbin + 1)
    im = np.asarray(im)
    if im.ndim == 2:
        return np.histogram(im, bins=bins, density=normalized)[0]
    if im.ndim != 3:
        raise ValueError(f"color_histogram: expected an (H, W) or (H, W, 3) image, got shape {im.shape}")
    channels = [np.histogram(im[:, :, k], bins=bins, density=normalized)[0] * np.diff(bins) for k in range(3)]
    return np.concatenate(channels)


def color_histogram_cross(img, nbin=5, normalized=True):
    """Joint RGB histogram: nbin bins per channel over that channel's own min..max in this image.

    (H, W, 3) -> (nbin ** 3,) float64, the density over RGB space when normalized, else counts.
    """
    img = np.asarray(img)
    colors = img.reshape(-1, img.shape[-1])
    return np.histogramdd(colors, bins=nbin, density=normalized)[0].ravel()


def color_histogram_spatial(img, levels=3, nbin=4):
    """color_histogram_cross over a pyramid: at level l = 1..levels the image is split into l x l
    blocks (np.array_split, rows then columns), each block giving nbin ** 3 values, all concatenated."""
    feats = []
    for level in range(1, levels + 1):
        for rows in np.array_split(np.asarray(img), level, axis=0):
            for block in np.array_split(rows, level, axis=1):
                feats.append(color_histogram_cross(block, nbin=nbin))
    return np.hstack(feats)
