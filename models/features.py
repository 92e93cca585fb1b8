"""The image-features pipeline of CS231n assignment 1: HOG + hue histograms, then normalization.

    X_train_feats = extract_features(X_train)            # (N, 144 + 10) for 32x32 images
    normalizer = FeatureNormalizer().fit(X_train_feats)
    X_train_feats = normalizer.transform(X_train_feats)  # zero mean, unit std, then a bias column of ones
    X_val_feats = normalizer.transform(extract_features(X_val))

A feature function either maps one image to a 1-d vector (CS231n's kind: applied image by image) or
is wrapped in ``BatchFeature`` to map the whole batch (N, H, W, C) to (N, F) in one call, as the
numba kernels do. Both kinds can be mixed in one list; the default list is the batch versions of
CS231n's ``[hog_feature, lambda img: color_histogram_hsv(img, nbin=10)]``.
"""
import functools

import numpy as np

from models.fitting import (MOMENTUM_SETTINGS, SGD_SETTINGS, SOLVER_SETTINGS, Inputs, TrainingCurves, fit_linear,
                            fit_net)
from models.linear import LinearSVM
from models.registry import Kept, ModelSpec, Reference, register
from models.settings import DTYPE, SEED, Integer, Number
from models.two_layer import TwoLayerNet
from tinygrad231n.data import append_bias
from tinygrad231n.kernels.color_histogram import hue_histograms
from tinygrad231n.kernels.hog import hog_features

NUM_COLOR_BINS = 10  # the CS231n notebook's num_color_bins
FEATURES = "hog+hue(nbin=10)"  # what the default feature functions compute, as checkpoints record it


class BatchFeature:
    """Marks a feature function that takes the whole batch: (N, H, W, C) -> (N, F) float."""

    def __init__(self, fn, name=None):
        self.fn = fn
        self.name = name or getattr(fn, "__name__", repr(fn))

    def __call__(self, images):
        return self.fn(images)

    def __repr__(self):
        return f"BatchFeature({self.name})"


def default_feature_fns(num_color_bins=NUM_COLOR_BINS):
    """HOG and a num_color_bins-bin hue histogram, both as batch kernels."""
    hue = functools.partial(hue_histograms, nbin=num_color_bins)
    return [BatchFeature(hog_features), BatchFeature(hue, name=f"hue_histograms(nbin={num_color_bins})")]


def _per_image(fn, images, verbose):
    """CS231n's loop: fn(image.squeeze()) for every image, each result 1-d -> (N, F) float64."""
    first = np.asarray(fn(images[0].squeeze()))
    if first.ndim != 1:
        raise ValueError(f"extract_features: feature function {fn!r} must return a 1-d vector per image, "
                         f"got shape {first.shape}")
    out = np.empty((len(images), first.size))
    out[0] = first
    for i in range(1, len(images)):
        out[i] = fn(images[i].squeeze())
        if verbose and i % 1000 == 999:
            print(f"Done extracting features for {i + 1} / {len(images)} images")
    return out


def _batch(fn, images):
    out = np.asarray(fn(images), dtype=np.float64)
    if out.ndim != 2 or out.shape[0] != len(images):
        raise ValueError(f"extract_features: batch feature {fn!r} must return (N, F) = ({len(images)}, F), "
                         f"got shape {out.shape}")
    return out


def extract_features(images, feature_fns=None, verbose=False):
    """Every feature function on every image, side by side: (N, H, W, C) -> (N, F_total) float64.

    feature_fns: a list of ``BatchFeature`` (called once on the whole batch) and/or per-image
    functions (called on each image, as CS231n does); None means ``default_feature_fns()``.
    Columns come in the order of feature_fns. With no images the result is (0, 0), as CS231n's
    ``np.array([])`` would have no columns either.
    """
    images = np.asarray(images)
    feature_fns = default_feature_fns() if feature_fns is None else list(feature_fns)
    if len(images) == 0:
        return np.zeros((0, 0))
    blocks = []
    for fn in feature_fns:
        if verbose:
            print(f"Extracting {fn!r} from {len(images)} images")
        blocks.append(_batch(fn, images) if isinstance(fn, BatchFeature) else _per_image(fn, images, verbose))
    return np.hstack(blocks) if blocks else np.zeros((len(images), 0))


class FeatureNormalizer:
    """The notebook's normalization: subtract the training mean feature, divide by the training std
    feature, then append a bias column of ones.

    fit on training features only, then transform every split with the same statistics. A feature
    that is constant over the training set (std 0) is only centred, where CS231n would divide by 0.
    """

    def __init__(self):
        self.mean = None
        self.std = None

    def fit(self, features):
        """features (N, F) -> self, holding mean and std, each (1, F) float64."""
        features = np.asarray(features, dtype=np.float64)
        if features.ndim != 2 or len(features) == 0:
            raise ValueError(f"FeatureNormalizer.fit: expected training features (N, F) with N >= 1, "
                             f"got shape {features.shape}")
        self.mean = features.mean(axis=0, keepdims=True)
        std = (features - self.mean).std(axis=0, keepdims=True)
        self.std = np.where(std > 0, std, 1.0)
        return self

    def transform(self, features, bias=True):
        """(M, F) -> (M, F + 1) float64 normalized, with a last column of ones if bias (else (M, F))."""
        if self.mean is None:
            raise RuntimeError("FeatureNormalizer.transform: call fit(train_features) first")
        features = np.asarray(features, dtype=np.float64)
        if features.ndim != 2 or features.shape[1] != self.mean.shape[1]:
            raise ValueError(f"FeatureNormalizer.transform: expected features (M, {self.mean.shape[1]}) "
                             f"like the training features, got shape {features.shape}")
        normalized = (features - self.mean) / self.std
        return append_bias(normalized) if bias else normalized


# ---- the two models on these features, declared ---------------------------------------------------
def feature_inputs(splits, bias, verbose):
    """Features of every split, normalized with the training statistics (extracted once per process),
    and the checkpoint fields that say how to compute them."""
    if "features" not in splits.cache:
        if verbose:
            print(f"Extracting {FEATURES} features from {sum(splits.sizes().values())} images")
        raw = [extract_features(X) for X in (splits.X_train, splits.X_val, splits.X_test)]
        splits.cache["features"] = raw, FeatureNormalizer().fit(raw[0])
    (train, val, test), normalizer = splits.cache["features"]
    X_train, X_val, X_test = (normalizer.transform(X, bias=bias) for X in (train, val, test))
    fields = {"feature_mean": normalizer.mean[0], "feature_std": normalizer.std[0], "features": np.array(FEATURES),
              "bias": np.array(bias)}
    return Inputs(X_train, splits.y_train, X_val, splits.y_val, X_test, splits.y_test), fields


def fit_features_svm(splits, config, verbose):
    """LinearSVM on normalized features with the bias column (config["train"] for SGD)."""
    inputs, fields = feature_inputs(splits, bias=True, verbose=verbose)
    return fit_linear(LinearSVM(), inputs, config, fields, verbose)


def fit_features_net(splits, config, verbose):
    """TwoLayerNet on normalized features, no bias column (config["model"], config["solver"])."""
    inputs, fields = feature_inputs(splits, bias=False, verbose=verbose)
    options = dict(config["model"])
    dtype = np.dtype(options.pop("dtype"))
    inputs = inputs.astype(dtype)
    model = TwoLayerNet(input_dim=inputs.X_train.shape[1], dtype=dtype, seed=config["seed"], **options)
    return fit_net(model, inputs, config, fields, verbose)


FEATURE_CHECKPOINT = "feature_mean, feature_std (normalize the features named in `features`), bias, then "
register(ModelSpec(
    name="features_svm", title="Linear SVM on HOG + hue features", order=60, fit=fit_features_svm,
    settings={**SGD_SETTINGS, "seed": SEED}, kept=Kept.load("features_svm"), quick={"num_iters": 1},
    checkpoint=FEATURE_CHECKPOINT + "W (F + 1, C), the bias row last",
    cs231n=Reference(val=0.421, test=0.413), figures=(TrainingCurves,), groups=("features",),
))
register(ModelSpec(
    name="features_net", title="Two-layer net on HOG + hue features", order=70, fit=fit_features_net,
    settings={"hidden_dim": Integer(1), "weight_scale": Number(positive=True), "reg": Number(low=0), "dtype": DTYPE,
              **SOLVER_SETTINGS, **MOMENTUM_SETTINGS, "seed": SEED},
    kept=Kept.load("features_net"), quick={"num_epochs": 1},
    checkpoint=FEATURE_CHECKPOINT + "W1 (F, H), b1, W2 (H, C), b2",
    cs231n=Reference(test=0.598), figures=(TrainingCurves,), groups=("features",),
))
