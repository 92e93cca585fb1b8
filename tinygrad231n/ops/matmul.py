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
            return sliced_product(_rows(a), b).reshape(a.shape[:-1] + b.shape[-1:])
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        if b.ndim == 2:
            grad_rows = _rows(grad)
            grad_a = sliced_product(grad_rows, b.T).reshape(a.shape) if ctx.needs_input_grad[0] else None
            grad_b = sliced_product(_rows(a).T, grad_rows) if ctx.needs_input_grad[1] else None
            return grad_a, grad_b
        grad_a = unbroadcast(grad @ b.swapaxes(-1, -2), a.shape) if ctx.needs_input_grad[0] else None
        grad_b = unbroadcast(a.swapaxes(-1, -2) @ grad, b.shape) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


def sliced_product(a, b):
    """a (n, k) @ b (k, m), the larger of the output's two sides cut into slices that threads share out
    (kernels/split.py) when the product is large: rows of a, or columns of b. Each slice writes its own
    block of the output, so no slice's product is summed with another's."""
    n, m = a.shape[0], b.shape[1]
    out = np.empty((n, m), dtype=np.result_type(a, b))
    if n >= m:
        in_slices(lambda start, stop: np.matmul(a[start:stop], b, out=out[start:stop]), n, _min_rows(a.shape[1] * m))
    else:
        in_slices(lambda start, stop: np.matmul(a, b[:, start:stop], out=out[:, start:stop]), m,
                  _min_rows(a.shape[1] * n))
    return out


def _min_rows(multiplies_per_row):
    """Rows (or columns) of the output that make MATMUL_MIN_FLOPS_PER_THREAD, at least 1."""
    return -(-MATMUL_MIN_FLOPS_PER_THREAD // max(1, 2 * multiplies_per_row))


def _rows(x):
    """x (..., k) as one (rows, k) matrix (a view when x is contiguous)."""
    return x.reshape(-1, x.shape[-1])
