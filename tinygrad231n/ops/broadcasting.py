"""Undo numpy broadcasting in the backward pass.

If forward broadcast an input of shape (3, 1) against (3, 4), each input element was used 4
times, so its gradient is the sum of those 4 output gradients: sum over the axes that
broadcasting added or stretched, then restore the input's shape.
"""
import numpy as np


def unbroadcast(grad, shape):
    """Sum `grad` down to `shape` (a shape `grad.shape` was broadcast from)."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    stretched = tuple(extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1)
    return grad.sum(axis=tuple(range(extra)) + stretched, keepdims=True).reshape(shape)


def shape_of(x):
    """Shape of an op input: an array, or a Python number taken as a constant (shape ())."""
    return x.shape if isinstance(x, np.ndarray) else np.shape(x)
