"""Matrix product on BLAS (numpy's matmul). Batched and broadcast over leading axes like np.matmul."""
import numpy as np

from ..function import Function, register
from .broadcasting import unbroadcast


@register(operator="matmul")
class Matmul(Function):
    """a @ b for a (..., n, k) and b (..., k, m) -> (..., n, m).

    dA = grad @ B^T and dB = A^T @ grad; each is computed only if that input needs it (for
    `X @ W` with data X, skipping dX saves a third of a training step's flops).
    """

    @staticmethod
    def forward(ctx, a, b):
        a, b = np.asarray(a), np.asarray(b)
        if a.ndim < 2 or b.ndim < 2:
            raise ValueError(f"matmul: both operands need at least 2 dimensions, got shapes {a.shape} and "
                             f"{b.shape}; reshape a vector to (1, n) or (n, 1)")
        if a.shape[-1] != b.shape[-2]:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align "
                             f"({a.shape[-1]} != {b.shape[-2]})")
        ctx.save(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        grad_a = unbroadcast(grad @ b.swapaxes(-1, -2), a.shape) if ctx.needs_input_grad[0] else None
        grad_b = unbroadcast(a.swapaxes(-1, -2) @ grad, b.shape) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b
