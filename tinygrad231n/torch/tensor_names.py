"""PyTorch's names for Tensor methods, as a table the front installs on the engine's one Tensor
(tinygrad231n.tensor.add_names) when `tinygrad231n.torch` is imported.

Each entry is either the name of a method the engine already has (a pure alias: `view` is `reshape`)
or a short function over the engine's methods and ops, taking the tensor first. The table only adds:
a name the engine already defines is refused at import (add_names), so nothing the engine does
changes by importing the front. Dtype conversions go through ops.cast: between float32 and float64
they are recorded (differentiable), to or from integers they are not (PyTorch's rule). The in-place
names (fill_, add_, t[key] = v, requires_grad_, ...) live in tensor_in_place.py.
"""
from collections import namedtuple

import numpy as np

from .. import nn as _nn
from ..ops import Where
from ..ops.cast import cast
from ..tensor import MaxResult, Tensor, as_tensor
from .tensor_in_place import detach_, fill_, in_place, requires_grad_, setitem, zero_


# ---- shapes ---------------------------------------------------------------------------------------
def _sizes(sizes):
    """f(2, 3) and f((2, 3)) alike, as PyTorch's size arguments."""
    return tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else tuple(sizes)


def _dim(dim, ndim, name):
    if not -ndim <= dim < ndim:
        raise IndexError(f"{name}: dim {dim} is out of range for a tensor with {ndim} dimension(s)")
    return dim % ndim


def unsqueeze(self, dim):
    """A new axis of size 1 at `dim` (which may be ndim, or negative counting from ndim + 1)."""
    dim = _dim(dim, self.ndim + 1, "unsqueeze")
    return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])


def squeeze(self, dim=None):
    """Drop the axes of size 1 (all of them, or the one at `dim` if it has size 1; else a no-op, as PyTorch)."""
    if dim is None:
        return self.reshape(tuple(n for n in self.shape if n != 1))
    dims = {_dim(d, max(self.ndim, 1), "squeeze") for d in ((dim,) if isinstance(dim, int) else dim)}
    return self.reshape(tuple(n for i, n in enumerate(self.shape) if i not in dims or n != 1))


def permute(self, *dims):
    """The axes reordered: new axis i is old axis dims[i] (numpy's transpose(axes))."""
    return self.transpose(_sizes(dims))


def t(self):
    """A matrix's transpose; a vector or a scalar as it is (PyTorch's t() takes at most 2 dims)."""
    if self.ndim > 2:
        raise ValueError(f"t(): expects a tensor with at most 2 dimensions, got {self.ndim}; use transpose(d0, d1)")
    return self.transpose() if self.ndim == 2 else self


def expand(self, *sizes):
    """The tensor broadcast to `sizes` (-1 keeps a size). A copy here, not a view; the gradient sums back."""
    sizes = _sizes(sizes)
    own = (1,) * (len(sizes) - self.ndim) + self.shape
    shape = tuple(n if s == -1 else s for s, n in zip(sizes, own))
    try:
        np.broadcast_shapes(own, shape)
    except ValueError:
        raise ValueError(f"expand: a tensor of shape {self.shape} cannot be expanded to {sizes}") from None
    return self + Tensor(np.zeros(shape, dtype=self.dtype), dtype=self.dtype)


def flatten(self, start_dim=0, end_dim=-1):
    """Axes start_dim..end_dim (inclusive) merged into one; a 0-d tensor becomes (1,), as PyTorch's."""
    if self.ndim == 0:
        return self.reshape(1)
    start, end = _dim(start_dim, self.ndim, "flatten"), _dim(end_dim, self.ndim, "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    return self.reshape(self.shape[:start] + (-1,) + self.shape[end + 1:])


def split(self, split_size_or_sections, dim=0):
    """A tuple of pieces along `dim` (nn.functional.split: an int is a piece size, a list the sizes)."""
    return _nn.functional.split(self, split_size_or_sections, axis=dim)


def chunk(self, chunks, dim=0):
    """`chunks` pieces along `dim`, as PyTorch's (nn.functional.chunk)."""
    return _nn.functional.chunk(self, chunks, axis=dim)


def dim(self):
    return self.ndim


def _triangle(keep, part):
    def triangle(self, diagonal=0):
        if self.ndim < 2:
            raise ValueError(f"{keep.__name__}: expects a tensor with at least 2 dimensions, got shape {self.shape}")
        mask = keep(np.ones(self.shape[-2:], dtype=np.bool_), diagonal)
        return self * Tensor(mask, dtype=np.bool_)  # a product, so the gradient flows to what is kept
    triangle.__name__ = keep.__name__
    triangle.__doc__ = (f"The {part} triangle of the last two dims (`diagonal` as numpy's k; 1 leaves out the "
                        "main diagonal); the rest 0, in the tensor's dtype.")
    return triangle


tril, triu = _triangle(np.tril, "lower"), _triangle(np.triu, "upper")


def movedim(self, source, destination):
    """The axes `source` (an int or a sequence) moved to the positions `destination`, the others
    keeping their order (numpy's moveaxis; PyTorch's movedim and moveaxis)."""
    labelled = np.broadcast_to(0, tuple(range(self.ndim)))  # axis i has size i (no memory: stride 0)
    order = np.moveaxis(labelled, source, destination).shape  # so new axis i is old axis order[i]
    return self.transpose(order) if self.ndim > 1 else self


# ---- dtypes and devices ---------------------------------------------------------------------------
def to(self, *args, dtype=None, device=None, copy=False, non_blocking=False):
    """x.to(dtype), x.to(device), x.to(other_tensor), x.to(device=..., dtype=...). The front is CPU
    only: a device changes nothing. Between float dtypes the cast is recorded; see ops.cast."""
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, str) or type(arg).__name__ == "device":
            device = arg
        else:
            dtype = arg
    out = self if dtype is None else cast(self, np.dtype(dtype))
    return Tensor._from_op(out._data.copy(), None) if copy and out is self else out


def type_as(self, other):
    return cast(self, other.dtype)


def _to_dtype(dtype):
    def convert(self):
        return cast(self, dtype)
    return convert


def cpu(self):
    return self


def contiguous(self):
    return self


def tolist(self):
    return self._data.tolist()


# ---- arithmetic and reductions by name ------------------------------------------------------------
def add(self, other, alpha=1):
    return self + (other if alpha == 1 else other * alpha)


def sub(self, other, alpha=1):
    return self - (other if alpha == 1 else other * alpha)


def mul(self, other):
    return self * other


def div(self, other):
    return self / other


def pow(self, exponent):
    return self ** exponent


def matmul(self, other):
    """self @ other, where a 1-d operand is a vector as in PyTorch's matmul: (n,) on the left is a row
    (1, n) and on the right a column (n, 1), whose new axis is dropped again from the result."""
    other = other if isinstance(other, Tensor) else Tensor(other, dtype=np.asarray(other).dtype)
    if self.ndim >= 2 and other.ndim >= 2:
        return self @ other
    if self.ndim == 0 or other.ndim == 0:
        raise ValueError(f"matmul: both operands need at least 1 dimension, got shapes {self.shape} and {other.shape}")
    left = self.reshape(1, -1) if self.ndim == 1 else self
    right = other.reshape(-1, 1) if other.ndim == 1 else other
    out = left @ right
    if other.ndim == 1:
        out = out.reshape(out.shape[:-1])
    if self.ndim == 1:
        out = out.reshape(out.shape[:-2] + out.shape[-1:])
    return out


def mm(self, other):
    """The product of two matrices (PyTorch's mm takes 2-d tensors only; matmul takes more)."""
    if self.ndim != 2 or np.ndim(other) != 2:
        raise ValueError(f"mm: expects two matrices, got shapes {self.shape} and {np.shape(other)}; use matmul")
    return self @ other


def rsqrt(self):
    return self ** -0.5


def norm(self, p="fro", dim=None, keepdim=False):
    """The 2-norm (Frobenius for the whole tensor) over `dim`; its gradient is 0 where the norm is 0,
    as PyTorch's. Other p are not supported."""
    if p not in ("fro", 2, 2.0):
        raise ValueError(f"norm: only p=2 (or 'fro') is supported, got p={p!r}")
    squares = (self * self).sum(axis=dim, keepdims=keepdim)
    zero = squares == 0  # sqrt's gradient is infinite at 0: take the root of 1 there, times 0
    return Where.apply(zero, 0.0, Where.apply(zero, 1.0, squares) ** 0.5)


def repeat(self, *sizes):
    """The tensor tiled sizes[i] times along axis i (numpy's tile; leading sizes add axes), as
    PyTorch's repeat; each copy's gradient adds back to the one source."""
    sizes = _sizes(sizes)
    if len(sizes) < self.ndim:
        raise ValueError(f"repeat: give at least one size per dimension ({self.ndim}), got {sizes}")
    own = (1,) * (len(sizes) - self.ndim) + self.shape
    spread = self.reshape(tuple(n for side in own for n in (1, side)))  # (1, s0, 1, s1, ...)
    tiled = spread.expand(tuple(n for r, side in zip(sizes, own) for n in (r, side)))
    return tiled.reshape(tuple(r * side for r, side in zip(sizes, own)))


def sqrt(self):
    return self ** 0.5


def abs(self):
    """|x|; the gradient is sign(x), 0 at 0, as PyTorch's."""
    return self * Tensor(np.sign(self._data), dtype=self.dtype)


def min(self, dim=None, keepdim=False):
    """The smallest values as max() gives the largest: x.min() the smallest element, x.min(dim) a
    namedtuple (values, indices) (the first minimum on ties), x.min((0, 1)) the values."""
    if self.dtype.kind != "f":  # no gradient to carry, and -x would wrap for unsigned integers
        if dim is None or isinstance(dim, (tuple, list)):
            return Tensor._from_op(np.asarray(self._data.min(axis=dim, keepdims=keepdim)), None)
        values = Tensor._from_op(self._data.min(axis=dim, keepdims=keepdim), None)
        indices = self._data.argmin(axis=dim)
        return MaxResult(values, Tensor._from_op(np.expand_dims(indices, dim) if keepdim else indices, None))
    result = (-self).max(dim, keepdim)
    return MaxResult(-result.values, result.indices) if isinstance(result, MaxResult) else -result


def maximum(self, other):
    """The elementwise larger of self and other; on a tie each gets half the gradient, as PyTorch's."""
    return _pick(self, other, np.maximum, self > other, self < other)


def minimum(self, other):
    """The elementwise smaller of self and other; on a tie each gets half the gradient, as PyTorch's."""
    return _pick(self, other, np.minimum, self < other, self > other)


def _pick(a, b, ufunc, take_a, take_b):
    b_array = b._data if isinstance(b, Tensor) else np.asarray(b)
    if a.dtype.kind != "f" and b_array.dtype.kind != "f":  # integers: numpy's dtype rules, nothing to record
        return Tensor._from_op(np.asarray(ufunc(a._data, b_array)), None)
    total = a + b  # its dtype is PyTorch's for the pair (float32 with int64: float32)
    a, b = (cast(as_tensor(x), total.dtype) for x in (a, b))  # x itself where the dtype is that already
    return Where.apply(take_a, a, Where.apply(take_b, b, total * 0.5))


Sorted = namedtuple("Sorted", ["values", "indices"])  # what sort and topk give, as torch.return_types


def sort(self, dim=-1, descending=False):
    """(values, indices) sorted along `dim`, ties in their original order (a stable sort); the values
    are gathered, so their gradient goes back to where each came from."""
    key = self._data if not descending else -self._data.astype(np.float64 if self.dtype.kind in "ub" else self.dtype)
    indices = np.argsort(key, axis=dim, kind="stable")
    return Sorted(gather(self, dim, indices), Tensor._from_op(indices, None))


def topk(self, k, dim=-1, largest=True, sorted=True):
    """The k largest (or smallest) values along `dim` and their indices, in sorted order."""
    dim = _dim(dim, self.ndim, "topk")
    if not 0 <= k <= self.shape[dim]:
        raise ValueError(f"topk: k={k} is out of range for dimension {dim} of size {self.shape[dim]}")
    values, indices = sort(self, dim, descending=largest)
    first = (slice(None),) * dim + (slice(0, k),)
    return Sorted(values[first], indices[first])


def var(self, dim=None, unbiased=True, keepdim=False, *, correction=None):
    """The variance over `dim` (all elements when None), divided by n - correction: correction 1 (the
    default, unbiased=True) or 0 (unbiased=False), as PyTorch's. Floats only."""
    if self.dtype.kind != "f":
        raise RuntimeError(f"var(): expects a floating-point tensor, got {self.dtype} (as in PyTorch)")
    correction = (1 if unbiased else 0) if correction is None else correction
    axes = tuple(range(self.ndim)) if dim is None else (dim,) if isinstance(dim, int) else tuple(dim)
    count = int(np.prod([self.shape[a] for a in axes]))
    deviation = self - self.mean(axis=axes, keepdims=True)
    return (deviation * deviation).sum(axis=axes, keepdims=keepdim) * (1.0 / max(count - correction, 0))


def std(self, dim=None, unbiased=True, keepdim=False, *, correction=None):
    """The square root of var(...) (same arguments)."""
    return var(self, dim, unbiased, keepdim, correction=correction) ** 0.5


def clamp(self, min=None, max=None):
    """Values below `min` become min and above `max` become max; the gradient is 1 between them
    (boundaries included) and 0 outside, as in PyTorch."""
    if min is None and max is None:
        raise ValueError("clamp: give min, max or both")
    out = self
    if min is not None:
        out = Where.apply(out < min, min, out)
    if max is not None:
        out = Where.apply(out > max, max, out)
    return out


def argmax(self, dim=None, keepdim=False):
    """Index of the largest value (of the flattened tensor when dim is None), int64; the first one on ties."""
    if dim is None:
        index = np.asarray(self._data.argmax())
        return Tensor._from_op(index.reshape((1,) * self.ndim) if keepdim else index, None)
    return Tensor._from_op(self._data.argmax(axis=dim, keepdims=keepdim), None)


def gather(self, dim, index):
    """out[i][j][k] = self[index[i][j][k]][j][k] for dim 0 (and so on): numpy's take_along_axis,
    through indexing so each picked element gets its gradient (repeats accumulate)."""
    index = index._data if isinstance(index, Tensor) else np.asarray(index)
    where = list(np.indices(index.shape, sparse=True))
    where[_dim(dim, self.ndim, "gather")] = index
    return self[tuple(where)]


def index_select(self, dim, index):
    """The slices at positions `index` (1-D) along `dim`."""
    index = index._data if isinstance(index, Tensor) else np.asarray(index)
    return self[(slice(None),) * _dim(dim, self.ndim, "index_select") + (index,)]


# ---- copies, bitwise operators, tests ------------------------------------------------------------
def clone(self):
    """A copy with its own memory; the gradient flows back to self, as PyTorch's."""
    return self * 1 if self.requires_grad else Tensor._from_op(self._data.copy(), None)


def _logical(ufunc, symbol):
    """&, |, ^ and ~ of bool or integer tensors (bitwise, as PyTorch's); never recorded, floats refused."""
    def operator(self, other=None):
        operands = [self] if other is None else [self, other]
        arrays = [x._data if isinstance(x, Tensor) else np.asarray(x) for x in operands]
        if any(a.dtype.kind == "f" for a in arrays):
            raise TypeError(f"`{symbol}`: expects bool or integer tensors, got {[str(a.dtype) for a in arrays]}")
        return Tensor._from_op(np.asarray(ufunc(*arrays)), None)
    return operator


def _test(ufunc):
    def test(self):
        return Tensor._from_op(ufunc(self._data), None)
    test.__name__ = ufunc.__name__
    test.__doc__ = f"A bool tensor, numpy's {ufunc.__name__} elementwise (not recorded)."
    return test


NAMES = {
    # aliases of the engine's own methods
    "view": "reshape",
    "mm": mm, "matmul": matmul, "bmm": matmul,
    "t": t, "permute": permute, "unsqueeze": unsqueeze, "squeeze": squeeze, "expand": expand,
    "contiguous": contiguous, "cpu": cpu, "tolist": tolist,
    "dim": dim, "nelement": "numel", "tril": tril, "triu": triu, "movedim": movedim, "moveaxis": movedim,
    # dtypes
    "float": _to_dtype(np.float32), "double": _to_dtype(np.float64), "long": _to_dtype(np.int64),
    "int": _to_dtype(np.int32), "bool": _to_dtype(np.bool_), "byte": _to_dtype(np.uint8),
    "to": to, "type_as": type_as,
    # arithmetic by name
    "add": add, "sub": sub, "mul": mul, "div": div, "pow": pow, "sqrt": sqrt,
    "clamp": clamp, "clip": clamp, "argmax": argmax, "gather": gather, "index_select": index_select,
    "abs": abs, "min": min, "var": var, "std": std, "flatten": flatten, "split": split, "chunk": chunk,
    "clone": clone, "__setitem__": setitem, "rsqrt": rsqrt, "norm": norm, "repeat": repeat,
    "maximum": maximum, "minimum": minimum, "sort": sort, "topk": topk,
    "isnan": _test(np.isnan), "isinf": _test(np.isinf), "isfinite": _test(np.isfinite),
    "__and__": _logical(np.bitwise_and, "&"), "__or__": _logical(np.bitwise_or, "|"),
    "__xor__": _logical(np.bitwise_xor, "^"), "__invert__": _logical(np.invert, "~"),
    # in place
    "zero_": zero_, "add_": in_place(np.add, "add_", "+"), "sub_": in_place(np.subtract, "sub_", "-"),
    "mul_": in_place(np.multiply, "mul_", "*"), "div_": in_place(np.true_divide, "div_", "/"),
    "fill_": fill_, "requires_grad_": requires_grad_, "detach_": detach_,
}

__all__ = ["NAMES"]
