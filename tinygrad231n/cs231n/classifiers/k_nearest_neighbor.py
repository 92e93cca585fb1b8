"""CS231n's KNearestNeighbor: the assignment's API over models.knn.

    classifier = KNearestNeighbor()
    classifier.train(X_train, y_train)                 # (N, D) rows and (N,) labels; just remembered
    dists = classifier.compute_distances_two_loops(X_test)
    y_test_pred = classifier.predict_labels(dists, k=5)
    y_test_pred = classifier.predict(X_test, k=5, num_loops=0)

Distances are L2 (Euclidean), (num_test, num_train). The two- and one-loop versions are the
explicit loops the assignment asks for, kept as references for the loop-free one.
"""
from models import knn

from .._warmup import warm_up_knn

_METHODS = {0: "no_loops", 1: "one_loop", 2: "two_loops"}


class KNearestNeighbor:
    """a kNN classifier with L2 distance"""

    def __init__(self):
        self._model = knn.KNearestNeighbor()

    @property
    def X_train(self):
        return self._model.X_train

    @property
    def y_train(self):
        return self._model.y_train

    def train(self, X, y):
        """Remember the training data: X (num_train, D), y (num_train,) int labels."""
        self._model.train(X, y)

    def predict(self, X, k=1, num_loops=0):
        """Labels (num_test,) for X (num_test, D) by majority vote of the k nearest training rows.

        num_loops picks the distance code: 0 (vectorized), 1 or 2 (the loop references).
        """
        if num_loops not in _METHODS:
            raise ValueError(f"Invalid value {num_loops!r} for num_loops; expected 0, 1 or 2")
        return self._model.predict(X, k=k, method=_METHODS[num_loops])

    def compute_distances_two_loops(self, X):
        return self._model.compute_distances(X, method="two_loops")

    def compute_distances_one_loop(self, X):
        return self._model.compute_distances(X, method="one_loop")

    def compute_distances_no_loops(self, X):
        return self._model.compute_distances(X, method="no_loops")

    def predict_labels(self, dists, k=1):
        """dists (num_test, num_train) -> (num_test,) labels; see models.knn for how ties are broken."""
        return self._model.predict_labels(dists, k=k)


warm_up_knn(KNearestNeighbor)  # the notebook times the three distance versions (see _warmup.py)
