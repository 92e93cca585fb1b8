"""Checks for the (scores, labels) pair that the classification losses take."""
import numpy as np


def check_scores_and_labels(op_name, scores, y):
    """Return `y` as a contiguous int64 array after checking it labels the rows of `scores`.

    scores: (N, C) float; y: (N,) integers in [0, C). Anything else is a TypeError/ValueError
    that says what was expected.
    """
    if scores.ndim != 2 or scores.shape[0] == 0 or scores.shape[1] == 0:
        raise ValueError(f"{op_name}: scores must have shape (N, C) with N, C >= 1, got {scores.shape}")
    labels = np.asarray(getattr(y, "data", y))
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{op_name}: labels must be an integer array, got dtype {labels.dtype}")
    n, num_classes = scores.shape
    if labels.shape != (n,):
        raise ValueError(f"{op_name}: labels must have shape ({n},), one per row of scores {scores.shape}, "
                         f"got {labels.shape}")
    low, high = labels.min(), labels.max()
    if low < 0 or high >= num_classes:
        bad = low if low < 0 else high
        raise ValueError(f"{op_name}: label {bad} is out of range for {num_classes} classes (expected 0..{num_classes - 1})")
    return np.ascontiguousarray(labels, dtype=np.int64)
