"""Input checks shared by the ops and kernels: float arrays, the (scores, labels) pair of the
classification losses, finite values where a NaN would otherwise vanish without a trace, and
integer indices and boolean masks (which may arrive as a Tensor's floats).

What they refuse is the caller's data, so a wrong value is an InputError (a ValueError; the command
line prints it as one line); a wrong dtype, or a fraction where an integer or a boolean belongs,
is a TypeError."""
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


def as_indices(op_name, indices, name="indices"):
    """Return `indices` as a contiguous int64 array of the same shape.

    Integer arrays pass; so do float arrays holding whole numbers, since a Tensor here holds floats
    and a Tensor of indices reaches an op as one (as in Index). Fractions, booleans and anything
    not numeric are a TypeError.
    """
    array = np.asarray(indices)
    if array.dtype.kind == "f":
        whole = np.round(array)
        if not np.all(whole == array):  # NaN is not whole either
            bad = array.flat[np.argmax(whole != array)]
            raise TypeError(f"{op_name}: {name} must be whole numbers, got {bad}")
        array = whole
    elif array.dtype.kind not in "iu":
        raise TypeError(f"{op_name}: {name} must be integers, got dtype {array.dtype}")
    return np.ascontiguousarray(array, dtype=np.int64)


def as_mask(op_name, mask, name="mask"):
    """Return `mask` as a bool array of the same shape.

    Bool arrays pass; so do numbers that are all 0 or 1, since a Tensor here holds floats and a
    Tensor used as a mask reaches an op as one. Any other value is a TypeError, as PyTorch refuses
    a mask that is not boolean.
    """
    array = np.asarray(mask)
    if array.dtype == np.bool_:
        return array
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{op_name}: {name} must be booleans, got dtype {array.dtype}")
    bad = (array != 0) & (array != 1)  # NaN too
    if bad.any():
        raise TypeError(f"{op_name}: {name} must be booleans (True/False, or 1/0), got the value "
                        f"{array.flat[np.argmax(bad)]}")
    return array != 0
