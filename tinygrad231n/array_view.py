"""`ArrayView`: what `Tensor.data` and `Tensor.grad` return, a numpy view of the stored array with
PyTorch's in-place methods, so `w.grad.zero_()`, `w.data.fill_(1.0)` and (with the front imported)
`w.data.normal_(mean=0.0, std=0.02)` work as users of PyTorch expect.

The tensor stores plain ndarrays (`Tensor._data`, `Tensor._grad`); each read of `.data` or `.grad`
wraps one in this view, which costs one `ndarray.view` and shares the memory, so an in-place method
changes the stored array. Arithmetic on it gives plain ndarrays (numpy's ufuncs call
`__array_wrap__`), so the subclass never spreads into results: `w.grad * lr`, `w.data.sum()`,
`np.maximum(w.grad, 0)` are ordinary arrays and scalars, and `np.asarray(w.data)` is a plain view.
Copies (`.copy()`, `.astype()`) are plain
arrays too. Views of it (slices, `.T`, `.reshape`) stay ArrayViews, so `w.grad[0].zero_()` zeroes the first
row in place, as in PyTorch. A read-only view (`.data` while the tape holds the array) refuses the
in-place methods as numpy refuses any write: "assignment destination is read-only".

More methods: `add_methods(table)`, additive only. The core knows no random numbers of its own: the
PyTorch-flavoured front adds `normal_` and `uniform_`, which draw from its seeded generator.
"""
import numpy as np


class ArrayView(np.ndarray):
    """A view of a tensor's data or gradient array, with PyTorch's `zero_`, `fill_`, `numpy` and `detach`."""

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
        """The array as a plain ndarray sharing its memory (PyTorch's Tensor.numpy)."""
        return self.view(np.ndarray)

    def detach(self):
        """The same values, sharing memory (PyTorch's Tensor.detach; `w.grad.detach().numpy()`): a view
        records nothing, so this is another view of the same array."""
        return self.view(type(self))

    # A copy shares nothing with the tensor, so it is a plain array (`state = w.data.copy()`).
    def copy(self, order="C"):
        return self.view(np.ndarray).copy(order)

    def astype(self, dtype, order="K", casting="unsafe", subok=True, copy=True):
        return self.view(np.ndarray).astype(dtype, order=order, casting=casting, copy=copy)


def add_methods(table):
    """Give ArrayView more in-place methods: `table` maps a name to a function taking the view first.

    Additive only, as tensor.add_names: a name ArrayView already has is refused, unless it is the
    very function being installed (installing the same table twice is harmless).
    """
    for name, function in table.items():
        existing = getattr(ArrayView, name, None)
        if existing is not None and existing is not function:
            raise ValueError(f"add_methods: ArrayView.{name} is already defined; the table cannot replace it")
    for name, function in table.items():
        setattr(ArrayView, name, function)
