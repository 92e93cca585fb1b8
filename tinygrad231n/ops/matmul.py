"""Matrix product on BLAS (numpy's matmul). Batched and broadcast over leading axes like np.matmul."""
import numpy as np

from ..function import Function, register
from ..kernels.split import in_slices
from ..kernels.thresholds import MATMUL_MIN_FLOPS_PER_THREAD
from .broadcasting import unbroadcast


@register(operator="matmul")
class Matmul(Function):
    """a @ b for a (..., n, k) and b (..., k, m) -> (..., n, m).

    dA = grad @ B^T and dB = A^T @ grad; each is computed only if that input needs it (for
    `X @ W` with data X, skipping dX saves a third of a training step's flops).

    A stack against one matrix, a (..., n, k) @ b (k, m) (a Linear layer at every position of a
    sequence), is computed as one (rows, k) @ (k, m) product, forward and backward: numpy's batched
    matmul over transposed views is slower than one BLAS call, and dB summed over the stack that way
    took 20 ms at (25, 16, 2048) x (2048, 256) float32 against 3.8 ms as one 2-D product (one thread,
    numpy 2.4, best of 5).
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
        if b.ndim == 2:
            return row_product(_rows(a), b).reshape(a.shape[:-1] + b.shape[-1:])
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        if b.ndim == 2:
            grad_rows = _rows(grad)
            grad_a = row_product(grad_rows, b.T).reshape(a.shape) if ctx.needs_input_grad[0] else None
            grad_b = rows_transposed_product(_rows(a), grad_rows) if ctx.needs_input_grad[1] else None
            return grad_a, grad_b
        grad_a = unbroadcast(grad @ b.swapaxes(-1, -2), a.shape) if ctx.needs_input_grad[0] else None
        grad_b = unbroadcast(a.swapaxes(-1, -2) @ grad, b.shape) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


def row_product(a, b):
    """a (n, k) @ b (k, m), the rows of a split over threads (kernels/split.py) when the product is large."""
    out = np.empty((a.shape[0], b.shape[1]), dtype=np.result_type(a, b))
    in_slices(lambda start, stop: np.matmul(a[start:stop], b, out=out[start:stop]), len(a), _min_rows(b.size))
    return out


def rows_transposed_product(a, g):
    """a (n, k)^T @ g (n, m): the sum over the rows, split over threads as row_product, the slices' products summed."""
    return sum(in_slices(lambda start, stop: a[start:stop].T @ g[start:stop], len(a), _min_rows(a.shape[1] * g.shape[1])))


def _min_rows(multiplies_per_row):
    return -(-MATMUL_MIN_FLOPS_PER_THREAD // max(1, 2 * multiplies_per_row))


def _rows(x):
    """x (..., k) as one (rows, k) matrix (a view when x is contiguous)."""
    return x.reshape(-1, x.shape[-1])
