"""Input checks shared by the ops and kernels: float arrays, the (scores, labels) pair of the
classification losses, and finite values where a NaN would otherwise vanish without a trace.

What they refuse is the caller's data, so a wrong value is an InputError (a ValueError; the command
line prints it as one line); a wrong dtype is a TypeError."""
import numpy as np

from .errors import InputError


def check_float(op_name, **arrays):
    """Raise TypeError naming the first of `arrays` (name=array) whose dtype is not a float type.
    None (an optional input left out) passes."""
    for name, array in arrays.items():
        if array is not None and array.dtype.kind != "f":
            raise TypeError(f"{op_name}: {name} must be a float array, got dtype {array.dtype}")


def check_finite(name, array, what="input"):
    """Raise InputError naming the first NaN or infinite element of `array` (if it has one).

    One pass of a sum in the common, all-finite case: a sum is finite only if every term is (a NaN
    or an inf anywhere makes it NaN or inf). Only when the sum is not finite (a bad value, or a sum
    of finite values that overflowed) does the element-wise search run. Integer arrays pass.
    """
    array = np.asarray(array)
    if array.dtype.kind not in "fc" or np.isfinite(array.sum()):
        return
    bad = ~np.isfinite(array)
    if not bad.any():
        return  # the sum overflowed; every value is finite
    index = np.unravel_index(np.argmax(bad), array.shape)
    raise InputError(f"{name}: {what} must be finite, but {what}[{', '.join(map(str, index))}] is "
                     f"{array[index]} ({int(bad.sum())} of {array.size} values are NaN or infinite)")


def check_scores_and_labels(op_name, scores, y):
    """Return `y` as a contiguous int64 array after checking it labels the rows of `scores`.

    scores: (N, C) float32 or float64; y: (N,) integers in [0, C). Anything else is a TypeError/InputError
    that says what was expected.
    """
    if scores.ndim != 2 or scores.shape[0] == 0 or scores.shape[1] == 0:
        raise InputError(f"{op_name}: scores must have shape (N, C) with N, C >= 1, got {scores.shape}")
    if scores.dtype not in (np.float32, np.float64):
        raise TypeError(f"{op_name}: scores must be float32 or float64 (what the kernel is compiled for), "
                        f"got {scores.dtype}")
    labels = np.asarray(getattr(y, "data", y))
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{op_name}: labels must be an integer array, got dtype {labels.dtype}")
    n, num_classes = scores.shape
    if labels.shape != (n,):
        raise InputError(f"{op_name}: labels must have shape ({n},), one per row of scores {scores.shape}, "
                         f"got {labels.shape}")
    low, high = labels.min(), labels.max()
    if low < 0 or high >= num_classes:
        bad = low if low < 0 else high
        raise InputError(f"{op_name}: label {bad} is out of range for {num_classes} classes (expected 0..{num_classes - 1})")
    return np.ascontiguousarray(labels, dtype=np.int64)
