"""k-nearest neighbours (CS231n assignment 1): memorize the training set, vote among the closest.

    knn = KNearestNeighbor()
    knn.train(X_train, y_train)                 # (N, D) floats, (N,) int labels
    y_pred = knn.predict(X_test, k=5)           # (M,) int64
    k_to_accuracies = cross_validate_k(X_train, y_train, k_choices=(1, 3, 5), num_folds=5)

Votes are a majority among the k nearest training rows; a tie goes to the smallest label.
Distances come from tinygrad231n.ops.distances (numba loops or one BLAS product).
"""
import numpy as np

from tinygrad231n.ops.distances import (l1_distances, l2_distances_no_loops, l2_distances_one_loop,
                                        l2_distances_two_loops)

L2_METHODS = {"no_loops": l2_distances_no_loops, "one_loop": l2_distances_one_loop,
              "two_loops": l2_distances_two_loops}
METRICS = ("l2", "l1")
K_CHOICES = (1, 3, 5, 8, 10, 12, 15, 20, 50, 100)  # the notebook's


class KNearestNeighbor:
    def __init__(self):
        self.X_train = self.y_train = None

    def train(self, X, y):
        """Memorize X (N, D) numeric and y (N,) non-negative integer labels."""
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[0] == 0 or X.dtype.kind not in "fiub":
            raise ValueError(f"KNearestNeighbor.train: X must be a numeric (N, D) array with N >= 1, "
                             f"got {X.dtype} of shape {X.shape}")
        self.y_train = check_labels(y, X.shape[0], "KNearestNeighbor.train")
        self.X_train = X

    def compute_distances(self, X, method="no_loops", metric="l2"):
        """(M, D) test rows -> (M, N) distances to every training row."""
        if self.X_train is None:
            raise RuntimeError("KNearestNeighbor: call train(X, y) before computing distances or predicting")
        if metric not in METRICS:
            raise ValueError(f"KNearestNeighbor: metric must be one of {METRICS}, got {metric!r}")
        if method not in L2_METHODS:
            raise ValueError(f"KNearestNeighbor: method must be one of {tuple(L2_METHODS)}, got {method!r}")
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.X_train.shape[1]:
            raise ValueError(f"KNearestNeighbor: test data must be (M, {self.X_train.shape[1]}) like the training "
                             f"data, got shape {X.shape}")
        if metric == "l1":
            return l1_distances(X, self.X_train)
        return L2_METHODS[method](X, self.X_train)

    def predict_labels(self, dists, k=1):
        """(M, N) distances -> (M,) labels by majority vote of the k nearest; ties to the smallest label."""
        if self.y_train is None:
            raise RuntimeError("KNearestNeighbor: call train(X, y) before predicting")
        dists = np.asarray(dists)
        if dists.ndim != 2 or dists.shape[1] != len(self.y_train):
            raise ValueError(f"KNearestNeighbor.predict_labels: dists must be (M, {len(self.y_train)}), one column "
                             f"per training row, got shape {dists.shape}")
        return vote(dists, self.y_train, k)

    def predict(self, X, k=1, method="no_loops", metric="l2"):
        if self.y_train is not None:
            check_k(k, len(self.y_train))
        return self.predict_labels(self.compute_distances(X, method, metric), k)


def vote(dists, labels, k):
    """Majority label among each row's k smallest distances; the smallest label wins a tie."""
    check_k(k, dists.shape[1])
    nearest = np.argpartition(dists, k - 1, axis=1)[:, :k] if k < dists.shape[1] else np.argsort(dists, axis=1)
    neighbour_labels = labels[nearest]                         # (M, k)
    num_classes = int(labels.max()) + 1
    counts = np.zeros((len(dists), num_classes), dtype=np.int64)
    np.add.at(counts, (np.arange(len(dists))[:, None], neighbour_labels), 1)
    return np.argmax(counts, axis=1)                           # argmax takes the first (smallest) maximum


def cross_validate_k(X, y, k_choices=K_CHOICES, num_folds=5, method="no_loops", metric="l2"):
    """{k: [accuracy on each held-out fold]}, like the notebook's k_to_accuracies.

    The rows are cut into num_folds consecutive folds (np.array_split); each fold is held out in
    turn. Each fold's distance matrix is computed once and shared by every k.
    """
    X, y = np.asarray(X), check_labels(y, len(X), "cross_validate_k")
    if not 2 <= num_folds <= len(X):
        raise ValueError(f"cross_validate_k: num_folds must be between 2 and the {len(X)} examples, got {num_folds}")
    folds = np.array_split(np.arange(len(X)), num_folds)
    train_size = len(X) - max(len(f) for f in folds)
    for k in k_choices:
        check_k(k, train_size)
    k_to_accuracies = {k: [] for k in k_choices}
    for held_out in folds:
        train_rows = np.setdiff1d(np.arange(len(X)), held_out)
        knn = KNearestNeighbor()
        knn.train(X[train_rows], y[train_rows])
        dists = knn.compute_distances(X[held_out], method, metric)
        for k in k_choices:
            k_to_accuracies[k].append(float(np.mean(knn.predict_labels(dists, k) == y[held_out])))
    return k_to_accuracies


def check_k(k, num_train):
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= num_train:
        raise ValueError(f"k must be an integer between 1 and the number of training rows ({num_train}), got {k!r}")


def check_labels(y, n, who):
    y = np.asarray(y)
    if y.shape != (n,) or y.dtype.kind not in "iu":
        raise ValueError(f"{who}: labels must be {n} integers (one per row), got {y.dtype} of shape {y.shape}")
    if y.min() < 0:
        raise ValueError(f"{who}: labels must be >= 0, got {y.min()}")
    return y.astype(np.int64, copy=False)
