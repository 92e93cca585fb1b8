"""k-nearest neighbours (CS231n assignment 1): remember the training set, vote among the closest.

    knn = KNearestNeighbor()
    knn.train(X_train, y_train)                  # (N, D) numbers, (N,) integer labels
    dists = knn.compute_distances(X_test)        # (M, N) L2 distances
    y_pred = knn.predict_labels(dists, k=5)      # (M,) int64
    y_pred = knn.predict(X_test, k=5, metric="l1")
    k_to_accuracies = cross_validate_k(X_train, y_train, k_choices=(1, 3, 5), num_folds=5)

The vote: each test row takes the label held by most of its k nearest training rows; a tie in
the vote goes to the smallest label. (When several training rows are exactly as far as the k-th
nearest, which of them are counted is unspecified.) Distances come from
tinygrad231n.kernels.distances: numba loops, or one BLAS product for L2.
"""
import numbers

import numpy as np

from models.fitting import CrossValidation, DistanceMatrix, Fitted, accuracy
from models.inputs import flatten_images
from models.registry import Kept, ModelSpec, Reference, register
from models.settings import Integer, IntegerList, flat_settings
from tinygrad231n.kernels.distances import (l1_distances, l2_distances_no_loops, l2_distances_one_loop,
                                            l2_distances_two_loops)

# (metric, method) -> distance function. L1 has no matrix-product form, so only the loop kernel.
DISTANCES = {
    ("l2", "no_loops"): l2_distances_no_loops,
    ("l2", "one_loop"): l2_distances_one_loop,
    ("l2", "two_loops"): l2_distances_two_loops,
    ("l1", "two_loops"): l1_distances,
}
DEFAULT_METHOD = {"l2": "no_loops", "l1": "two_loops"}  # the fastest for each metric
K_CHOICES = (1, 3, 5, 8, 10, 12, 15, 20, 50, 100)  # the notebook's


class KNearestNeighbor:
    """kNN classifier. After `train`: X_train (N, D) as given (not copied), y_train (N,) int64,
    and classes, the sorted distinct labels."""

    def __init__(self):
        self.X_train = self.y_train = self.classes = None
        self._class_of_row = None  # (N,) index into `classes` of each training label

    def train(self, X, y):
        """Remember X (N, D) real numbers and y (N,) integer labels (any integers, N >= 1)."""
        X = _check_rows("KNearestNeighbor.train", X)
        if len(X) == 0:
            raise ValueError("KNearestNeighbor.train: X has no rows; kNN needs at least one training example")
        self.y_train = _check_labels("KNearestNeighbor.train", y, len(X))
        self.classes, self._class_of_row = np.unique(self.y_train, return_inverse=True)
        self.X_train = X

    def compute_distances(self, X, method=None, metric="l2"):
        """X (M, D) -> (M, N) distances to every training row.

        metric: "l2" (Euclidean) or "l1". method: for L2, "no_loops" (BLAS, the default),
        "one_loop" or "two_loops" (numba); for L1, only "two_loops" (numba, the default).
        """
        self._require_training("compute_distances")
        distance = _distance_function(metric, method)
        X = _check_rows("KNearestNeighbor.compute_distances", X)
        if X.shape[1] != self.X_train.shape[1]:
            raise ValueError(f"KNearestNeighbor.compute_distances: X has {X.shape[1]} features per row but the "
                             f"training data has {self.X_train.shape[1]} (shapes {X.shape} and {self.X_train.shape})")
        return distance(X, self.X_train)

    def predict_labels(self, dists, k=1):
        """dists (M, N) from `compute_distances` -> (M,) int64 labels by the vote of the k nearest."""
        self._require_training("predict_labels")
        _check_k(k, len(self.y_train))
        dists = np.asarray(dists)
        if dists.ndim != 2 or dists.shape[1] != len(self.y_train):
            raise ValueError(f"KNearestNeighbor.predict_labels: dists must be (num_test, {len(self.y_train)}), one "
                             f"column per training row, got shape {dists.shape}")
        return self.vote(nearest_first(dists, k))

    def predict(self, X, k=1, method=None, metric="l2"):
        """X (M, D) -> (M,) int64 labels; `method` and `metric` as in compute_distances."""
        self._require_training("predict")
        _check_k(k, len(self.y_train))  # before the distances, which may take a while
        return self.predict_labels(self.compute_distances(X, method, metric), k)

    def vote(self, nearest):
        """(M, k) training-row indices -> (M,) labels: the most common, ties to the smallest label."""
        votes_for = self._class_of_row[nearest]                       # (M, k) class indices
        num_test, num_classes = len(nearest), len(self.classes)
        # One bincount for all rows: row r's votes land in bins r*C .. r*C + C-1.
        offsets = np.arange(num_test)[:, None] * num_classes
        counts = np.bincount((votes_for + offsets).ravel(), minlength=num_test * num_classes)
        winners = counts.reshape(num_test, num_classes).argmax(axis=1)  # the first maximum: smallest label
        return self.classes[winners]

    def _require_training(self, what):
        if self.X_train is None:
            raise RuntimeError(f"KNearestNeighbor.{what}: the classifier has no training data; call train(X, y) first")


def nearest_first(dists, k):
    """(M, N) distances -> (M, k) column indices of each row's k smallest, nearest first."""
    nearest = np.argpartition(dists, k - 1, axis=1)[:, :k]          # the k nearest, in no order
    order = np.argsort(np.take_along_axis(dists, nearest, axis=1), axis=1, kind="stable")
    return np.take_along_axis(nearest, order, axis=1)


def cross_validate_k(X, y, k_choices=K_CHOICES, num_folds=5, method=None, metric="l2"):
    """{k: [accuracy on each held-out fold, in fold order]}, the notebook's k_to_accuracies.

    X (N, D) and y (N,) are cut into `num_folds` consecutive folds by np.array_split; each fold in
    turn is classified by a kNN trained on the others. Each fold's distance matrix is computed
    once and its neighbours sorted once, for the largest k; every k then votes among the first k.
    """
    X = _check_rows("cross_validate_k", X)
    y = _check_labels("cross_validate_k", y, len(X))
    if isinstance(num_folds, bool) or not isinstance(num_folds, numbers.Integral) or not 2 <= num_folds <= len(X):
        raise ValueError(f"cross_validate_k: num_folds must be an integer from 2 to the number of examples "
                         f"({len(X)}), got {num_folds!r}")
    k_choices = tuple(k_choices)
    if not k_choices:
        raise ValueError("cross_validate_k: k_choices is empty; give at least one k")
    folds = np.array_split(np.arange(len(X)), num_folds)
    smallest_train = len(X) - max(len(fold) for fold in folds)
    for k in k_choices:
        _check_k(k, smallest_train, f"the smallest training set of the {num_folds} folds")
    k_to_accuracies = {k: [] for k in k_choices}
    for held_out in folds:
        knn = KNearestNeighbor()
        train_rows = np.setdiff1d(np.arange(len(X)), held_out)
        knn.train(X[train_rows], y[train_rows])
        nearest = nearest_first(knn.compute_distances(X[held_out], method, metric), max(k_choices))
        for k in k_choices:
            accuracy = np.mean(knn.vote(nearest[:, :k]) == y[held_out])
            k_to_accuracies[k].append(float(accuracy))
    return k_to_accuracies


def _distance_function(metric, method):
    if metric not in DEFAULT_METHOD:
        raise ValueError(f"KNearestNeighbor: metric must be one of {tuple(DEFAULT_METHOD)}, got {metric!r}")
    method = DEFAULT_METHOD[metric] if method is None else method
    if (metric, method) not in DISTANCES:
        available = [m for (name, m) in DISTANCES if name == metric]
        raise ValueError(f"KNearestNeighbor: metric {metric!r} has no method {method!r}; "
                         f"available: {', '.join(available)}")
    return DISTANCES[metric, method]


def _check_rows(who, X):
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{who}: X must hold real numbers (floats, integers or bools), got dtype {X.dtype}")
    if X.ndim != 2:
        raise ValueError(f"{who}: X must be 2-D (num_rows, num_features), got shape {X.shape}")
    return X


def _check_labels(who, y, num_rows):
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{who}: labels y must be integers, got dtype {y.dtype}")
    if y.shape != (num_rows,):
        raise ValueError(f"{who}: labels y must have shape ({num_rows},), one per row of X, got {y.shape}")
    return y.astype(np.int64, copy=False)


def _check_k(k, num_train, what="the number of training rows"):
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"k must be an integer, got {k!r} of type {type(k).__name__}")
    if not 1 <= k <= num_train:
        raise ValueError(f"k must be between 1 and {what} ({num_train}), got {k}")


# ---- its declaration --------------------------------------------------------------------------
def fit_knn(splits, config, verbose):
    """Cross-validate k on the first num_train training images, then classify the test split with the best k.

    The notebook scores kNN on its first num_notebook_test test images; those scores are kept too.
    kNN has no validation split of its own: its val_acc is the best k's mean cross-validation accuracy.
    """
    options = config["knn"]
    num_train = min(options["num_train"], len(splits.y_train))
    X, y = flatten_images(splits.X_train[:num_train]), splits.y_train[:num_train]
    k_to_accuracies = cross_validate_k(X, y, k_choices=options["k_choices"], num_folds=options["num_folds"])
    best_k = max(k_to_accuracies, key=lambda k: (np.mean(k_to_accuracies[k]), -k))
    knn = KNearestNeighbor()
    knn.train(X, y)
    dists = knn.compute_distances(flatten_images(splits.X_test))
    predictions = knn.predict_labels(dists, k=best_k)
    first = slice(0, min(options["num_notebook_test"], len(splits.y_test)))
    k1_first = accuracy(knn.predict_labels(dists[first], k=1), splits.y_test[first])
    best_first = accuracy(predictions[first], splits.y_test[first])
    cv_accuracy, test_accuracy = float(np.mean(k_to_accuracies[best_k])), accuracy(predictions, splits.y_test)
    ks = sorted(k_to_accuracies)
    on_first = f"k=1 {k1_first:.3f}" + (f", k={best_k} {best_first:.3f}" if best_k != 1 else "")
    return Fitted(
        cv_accuracy, test_accuracy, {**flat_settings(config), "best_k": int(best_k)}, predictions,
        figures=[DistanceMatrix(dists[first].astype(np.float32)),  # for the picture: half the bytes in report_material
                 CrossValidation(np.array(ks), np.array([k_to_accuracies[k] for k in ks]))],
        scores={"k1_test_acc_notebook": k1_first, "best_k_test_acc_notebook": best_first},
        notes=[f"kNN has no validation split: its validation accuracy is the mean over {options['num_folds']} "
               f"cross-validation folds of the first {num_train:,} training images, where k={best_k} did best "
               f"({cv_accuracy:.3f}).",
               f"Test accuracy with k={best_k}: {test_accuracy:.3f} on all {len(splits.y_test):,} test images; "
               f"on the first {first.stop:,}, as the notebook scores it: {on_first}."])


register(ModelSpec(
    name="knn", title="k-nearest neighbours (raw pixels)", order=10, fit=fit_knn,
    settings={"k_choices": IntegerList(1, min_length=1, example="[1,3,5]"), "num_folds": Integer(2),
              "num_train": Integer(1), "num_notebook_test": Integer(1)},
    kept=Kept.load("knn"), quick={"k_choices": [1, 3], "num_folds": 3},
    checkpoint="", cs231n=Reference(test=0.274), figures=(DistanceMatrix, CrossValidation), graph=False,
))
