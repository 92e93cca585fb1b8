"""Changing a tensor's dtype: between float32 and float64 a differentiable op (PyTorch's `.float()`,
`.double()`, `.to(dtype=...)`); to or from an integer or bool dtype a plain conversion with no gradient."""
import numpy as np

from ..function import Function, register


@register()  # reached through cast() below, which the front's .float()/.double()/.to() call
class Cast(Function):
    """x as another float dtype; the gradient goes back in the input's dtype."""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.dtype, copy=False)


def cast(x, dtype):
    """`x` (a Tensor) as `dtype`, as PyTorch's `x.to(dtype)`: x itself when it has that dtype already;
    between floats a recorded Cast; otherwise a new tensor that records nothing (integers have no
    gradient, so a cast to one cuts the graph, as in PyTorch). The dtype must be one a Tensor holds."""
    from ..tensor import _FLOATS, _NON_FLOATS, Tensor

    dtype = np.dtype(dtype)
    if dtype not in _FLOATS and dtype not in _NON_FLOATS:
        raise TypeError(f"cast: dtype must be one of float32, float64, int64, int32, uint8, bool; got {dtype}")
    if dtype == x.dtype:
        return x
    if dtype.kind == "f" and x.dtype.kind == "f":
        return Cast.apply(x, dtype=dtype)
    return Tensor._from_op(x._data.astype(dtype), None)
