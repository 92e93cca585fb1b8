"""Linear classifiers of CS231n assignment 1: the multiclass SVM and softmax, as small nn.Modules.

    model = LinearSVM()                                   # or Softmax()
    history = model.fit(X_train, y_train, learning_rate=1e-7, reg=2.5e4, num_iters=1500)
    y_pred = model.predict(X_val)                         # (N,) int64
    images = class_templates(model.W.data)                # (C, 32, 32, 3) in 0..255

Conventions, as in the assignment:

- X is (N, D) float with the bias trick already applied: its last column is all ones, so the last
  row of W (D, C) is the bias (see tinygrad231n.data.append_bias). For CIFAR-10, D = 32*32*3 + 1.
- y is (N,) integers in 0..C-1.
- loss = data loss (mean over the N examples) + reg * sum(W**2): the penalty has no 0.5 in front.
- training is minibatch SGD (optim.SGD): each step samples `batch_size` rows *with replacement*.
"""
import numpy as np

import tinygrad231n.nn.functional as F
from models.fitting import (PREPROCESSING_SETTINGS, SGD_SETTINGS, ClassTemplates, TrainingCurves, fit_linear,
                            pixel_inputs)
from models.registry import Kept, ModelSpec, Reference, register
from models.settings import SEED
from tinygrad231n import Tensor, nn, optim

WEIGHT_SCALE = 0.001  # CS231n's initial W = 0.001 * randn(D, C)


class LinearClassifier(nn.Module):
    """scores = X @ W; a subclass names the data loss on the scores in `data_loss`.

    `W` is a Parameter (D, C), or None until `fit` creates it. Pass a float array (or Tensor) `W`
    to start from it: the Parameter shares its memory (no copy), so training updates it in place.
    """

    def __init__(self, W=None):
        super().__init__()
        self.W = None if W is None else _as_weights(W)

    @staticmethod
    def data_loss(scores, y):
        """(N, C) scores Tensor, (N,) labels -> scalar Tensor; defined by each classifier."""
        raise NotImplementedError("LinearClassifier is a base class; use LinearSVM or Softmax")

    def forward(self, X):
        """(N, D) rows with the bias column -> (N, C) scores Tensor."""
        W = self._trained_weights("forward")
        return _check_features(X, num_features=W.shape[0]) @ W

    def loss(self, X, y, reg=0.0):
        """The regularized loss on the tape; after `.backward()`, `self.W.grad` holds dL/dW (D, C)."""
        W = self._trained_weights("loss")
        X, y = _check_batch(X, y, num_features=W.shape[0], num_classes=W.shape[1])
        return self._loss(X, y, reg)

    def _loss(self, X, y, reg):
        """The model itself, on checked inputs: X (N, D), y (N,) int64 -> scalar."""
        scores = Tensor(X, name="X") @ self.W                 # (N, C); named for diagrams
        return self.data_loss(scores, y) + reg * F.sum_of_squares(self.W)

    def fit(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False, seed=None):
        """Minibatch SGD (optim.SGD) on the tape; returns the list of the `num_iters` minibatch losses.

        X (N, D) float with the bias column, y (N,) ints. W starts as 0.001 * randn(D, C) only if
        it is None, with C = max(y) + 1; otherwise training continues from the current W.
        `seed` fixes the initialisation and the sampling (np.random.default_rng(seed)).
        Prints the loss every 100 iterations when verbose, like CS231n's train. A loss that turns
        NaN or infinite stops training (optim.TrainingDiverged) before it reaches the weights.
        (CS231n calls this `train`, which on an nn.Module sets training mode; the cs231n adapter
        keeps the assignment's name.)
        """
        X, y = _check_batch(X, y)
        _check_positive_int("num_iters", num_iters, allow_zero=True)
        _check_positive_int("batch_size", batch_size)
        rng = np.random.default_rng(seed)
        if self.W is None:
            shape = (X.shape[1], int(y.max()) + 1)
            self.W = _as_weights(WEIGHT_SCALE * rng.standard_normal(shape).astype(X.dtype))
        _check_batch(X, y, num_features=self.W.shape[0], num_classes=self.W.shape[1])  # now against W
        optimizer = optim.SGD([self.W], lr=learning_rate)
        history = []
        for it in range(num_iters):
            rows = rng.integers(0, len(X), size=batch_size)   # with replacement, as CS231n samples
            loss = self._loss(X[rows], y[rows], reg)
            value = loss.item()
            optim.check_loss(f"{type(self).__name__}.fit", value, f"iteration {it + 1} / {num_iters}", learning_rate)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history.append(value)
            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {history[-1]:f}")
        return history

    def predict(self, X):
        """(N, D) features -> (N,) int64 labels, the argmax of X @ W (ties go to the smaller label)."""
        W = self._trained_weights("predict")
        X = _check_features(X, num_features=W.shape[0])
        return np.argmax(X @ W.data, axis=1)

    def _trained_weights(self, what):
        if self.W is None:
            raise RuntimeError(f"{type(self).__name__}.{what}: the classifier has no weights yet; call "
                               "fit(X, y) first or pass W to the constructor")
        return self.W


class LinearSVM(LinearClassifier):
    """Multiclass SVM: mean over i of sum_{j != y_i} max(0, s_j - s_{y_i} + 1), plus reg * sum(W**2)."""

    @staticmethod
    def data_loss(scores, y):
        return F.multiclass_hinge(scores, y)


class Softmax(LinearClassifier):
    """Softmax cross-entropy: mean over i of -log softmax(s_i)[y_i], plus reg * sum(W**2)."""

    @staticmethod
    def data_loss(scores, y):
        return F.cross_entropy(scores, y)


def class_templates(W, image_shape=(32, 32, 3)):
    """W (D + 1, C), bias row last, rows in HWC-flattened pixel order -> (C, H, W, channels) float64.

    Every class's weights become an image, scaled together (one min and max over all classes, as
    in the CS231n notebook) to 0..255, so brighter means a larger weight in any template.
    """
    W = np.asarray(getattr(W, "data", W), dtype=np.float64)
    pixels = int(np.prod(image_shape))
    if W.ndim != 2 or W.shape[0] != pixels + 1:
        raise ValueError(f"class_templates: W must have shape ({pixels + 1}, C): {pixels} pixel weights for "
                         f"images of shape {tuple(image_shape)} and a bias row; got {W.shape}")
    templates = W[:-1].T.reshape(W.shape[1], *image_shape)
    low, high = templates.min(), templates.max()
    if high == low:  # all weights equal: nothing to contrast, a flat mid-grey image
        return np.full(templates.shape, 127.5)
    return 255.0 * (templates - low) / (high - low)


# ---- input checks: each says what was wrong and what was expected -----------------------------

def _as_weights(W):
    """A Parameter over W's array (a Tensor's or an array's), not a copy."""
    data = W.numpy() if isinstance(W, Tensor) else np.asarray(W)  # (an ndarray's own .data is a memoryview)
    if data.ndim != 2 or data.dtype.kind != "f":
        raise ValueError(f"W must be a 2-d float array (D, C), got {data.dtype} of shape {data.shape}")
    return nn.Parameter(data)


def _check_features(X, num_features=None):
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X must be a 2-d array (N, D) with N >= 1, one flattened example per row with the "
                         f"bias column appended; got shape {X.shape}")
    if X.dtype.kind != "f":
        raise TypeError(f"X must be a float array (float32 or float64), got dtype {X.dtype}")
    if num_features is not None and X.shape[1] != num_features:
        raise ValueError(f"X has {X.shape[1]} features per example but W expects {num_features} "
                         f"(W has shape ({num_features}, C)); did you forget or repeat the bias column?")
    return X


def _check_batch(X, y, num_features=None, num_classes=None):
    """X (N, D) float and y (N,) int labels in 0..num_classes-1 -> (X, y as int64)."""
    X = _check_features(X, num_features)
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"y must be an integer array of labels, got dtype {y.dtype}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), one label per row of X, got {y.shape}")
    if y.min() < 0:
        raise ValueError(f"labels must be >= 0, got {y.min()}")
    if num_classes is not None and y.max() >= num_classes:
        raise ValueError(f"label {y.max()} is out of range: W has {num_classes} classes (expected labels "
                         f"0..{num_classes - 1})")
    return X, y.astype(np.int64, copy=False)


def _check_positive_int(name, value, allow_zero=False):
    low = 0 if allow_zero else 1
    if not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


# ---- their declarations ---------------------------------------------------------------------
def pixel_templates(W, layout, bias):
    """class_templates of weights over preprocessed pixels, whatever their layout and bias."""
    pixels = W[:-1] if bias else W
    if layout == "CHW":  # rows in channel-first order: back to the HWC order images are drawn in
        pixels = pixels.reshape(3, 32, 32, -1).transpose(1, 2, 0, 3).reshape(3 * 32 * 32, -1)
    return class_templates(np.vstack([pixels, np.zeros((1, W.shape[1]))]))


def pixel_recipe(model_class):
    """A linear classifier on preprocessed pixels: config["preprocessing"], config["train"] for SGD."""
    def fit(splits, config, verbose):
        inputs, fields = pixel_inputs(splits, config["preprocessing"])
        classifier = model_class()
        fitted = fit_linear(classifier, inputs, config, fields, verbose)
        preprocessing = config["preprocessing"]
        fitted.figures.append(ClassTemplates(pixel_templates(classifier.W.data, preprocessing["layout"],
                                                             preprocessing["bias"])))
        return fitted
    return fit


LINEAR_SETTINGS = {**PREPROCESSING_SETTINGS, **SGD_SETTINGS, "seed": SEED}
LINEAR_CHECKPOINT = "W (D + 1, C), the bias row last; mean_image, layout, bias"

register(ModelSpec(
    name="svm", title="Linear SVM (raw pixels)", order=20, fit=pixel_recipe(LinearSVM),
    settings=LINEAR_SETTINGS, kept=Kept.load("svm"), quick={"num_iters": 1}, checkpoint=LINEAR_CHECKPOINT,
    cs231n=Reference(val=0.376, test=0.351), figures=(TrainingCurves, ClassTemplates),
))
register(ModelSpec(
    name="softmax", title="Softmax (raw pixels)", order=30, fit=pixel_recipe(Softmax),
    settings=LINEAR_SETTINGS, kept=Kept.load("softmax"), quick={"num_iters": 1}, checkpoint=LINEAR_CHECKPOINT,
    cs231n=Reference(val=0.343, test=0.339), figures=(TrainingCurves, ClassTemplates),
))
