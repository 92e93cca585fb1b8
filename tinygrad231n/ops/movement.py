"""Ops that move elements without changing them: reshape, transpose, indexing."""
import numpy as np

from ..function import Function, register


@register(method="reshape")
class Reshape(Function):
    """x.reshape(shape), the shape given as one tuple or as separate sizes (one may be -1);
    the gradient is reshaped back."""

    @staticmethod
    def forward(ctx, x, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        ctx.shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                             f"into shape {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


@register(method="transpose")
class Transpose(Function):
    """x.transpose(axes): the permutation given as one tuple or as ndim separate axes (numpy); two
    separate axes swap those two (PyTorch's transpose(dim0, dim1), at any ndim: on a matrix
    transpose(0, 1) swaps rows and columns, as PyTorch, where numpy's would keep them); none reverses
    the axes (so `.T` of a matrix swaps rows and columns)."""

    @staticmethod
    def forward(ctx, x, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        elif len(axes) == 2:
            axes = _swap(x.ndim, *axes)
        axes = axes or None
        if axes is not None and sorted(a % max(x.ndim, 1) for a in axes) != list(range(x.ndim)):
            raise ValueError(f"transpose: axes {tuple(axes)} are not a permutation of the {x.ndim} axes of {x.shape}")
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(None if ctx.axes is None else np.argsort([a % grad.ndim for a in ctx.axes]))


def _swap(ndim, first, second):
    """The permutation of `ndim` axes that swaps axes `first` and `second` (negatives allowed)."""
    for a in (first, second):
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"transpose: dim {a} is out of range for a tensor with {ndim} dimension(s)")
    order = list(range(ndim))
    if ndim:
        order[first], order[second] = order[second], order[first]
    return tuple(order)


def _is_basic(key):
    """True for keys made only of ints, slices, None and Ellipsis: they never pick an element twice."""
    parts = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (int, np.integer, slice)) for k in parts)


@register(method="__getitem__")
class Index(Function):
    """x[key] with numpy's rules: slices, integers, integer/bool arrays.

    An element picked twice (x[[0, 0]]) gets both gradients: np.add.at accumulates where plain
    assignment would keep only one.
    """

    @staticmethod
    def forward(ctx, x, key):
        key = _unwrap(key)
        ctx.key, ctx.shape = key, x.shape
        return x[key]

    @staticmethod
    def backward(ctx, grad):
        full = np.zeros(ctx.shape, dtype=grad.dtype)
        if _is_basic(ctx.key):
            full[ctx.key] = grad
        else:
            np.add.at(full, ctx.key, grad)
        return full


def _unwrap(key):
    """Index with a Tensor by its data; integer-valued float Tensors become int arrays."""
    from ..tensor import Tensor

    def plain(k):
        if isinstance(k, Tensor):
            k = k._data
            if k.dtype.kind == "f":
                if not np.all(k == np.round(k)):
                    raise TypeError("index: a Tensor used as an index must hold whole numbers")
                k = k.astype(np.int64)
        return k

    return tuple(plain(k) for k in key) if isinstance(key, tuple) else plain(key)
