"""`GradientArray`: what `Tensor.grad` returns, a numpy view of the stored gradient with PyTorch's
in-place methods, so `w.grad.zero_()` and `w.grad.fill_(0.0)` work as users of PyTorch expect.

The tensor stores a plain ndarray (`Tensor._grad`); each read of `.grad` wraps it in this view,
which costs one `ndarray.view` and shares the memory, so an in-place method changes the stored
gradient. Arithmetic on it gives plain ndarrays (numpy's ufuncs call `__array_wrap__`), so the
subclass never spreads into results: `w.grad * lr`, `w.grad.sum()`, `np.maximum(w.grad, 0)` are
ordinary arrays and scalars. Views of it (slices, `.T`, `.reshape`) stay GradientArrays, so
`w.grad[0].zero_()` zeroes the first row in place, as in PyTorch.
"""
import numpy as np


class GradientArray(np.ndarray):
    """A view of a tensor's gradient array, with PyTorch's `zero_`, `fill_`, `numpy` and `item`."""

    def __array_wrap__(self, array, context=None, return_scalar=False):
        if return_scalar:
            return array[()]
        return array.view(np.ndarray) if type(array) is not np.ndarray else array

    def zero_(self):
        """Set every element to 0 in place; returns self (PyTorch's Tensor.zero_)."""
        self.fill(0)
        return self

    def fill_(self, value):
        """Set every element to `value` in place; returns self (PyTorch's Tensor.fill_)."""
        self.fill(value)
        return self

    def numpy(self):
        """The gradient as a plain ndarray sharing its memory (PyTorch's Tensor.numpy)."""
        return self.view(np.ndarray)
