"""Matrix product on BLAS (numpy's matmul). Batched and broadcast over leading axes like np.matmul."""
import numpy as np

from ..function import Function, register
from ..kernels.split import between_slices
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
            return _shaped(_product(_rows(a), b), a.shape[:-1] + b.shape[-1:])
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        if b.ndim == 2:
            grad_rows = _rows(grad)
            grad_a = _shaped(_product(grad_rows, b.T), a.shape) if ctx.needs_input_grad[0] else None
            grad_b = _product(_rows(a).T, grad_rows) if ctx.needs_input_grad[1] else None
            return grad_a, grad_b
        grad_a = unbroadcast(grad @ b.swapaxes(-1, -2), a.shape) if ctx.needs_input_grad[0] else None
        grad_b = unbroadcast(a.swapaxes(-1, -2) @ grad, b.shape) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


def _product(a, b):
    """a @ b, on one BLAS thread while a conv net's slices run around it (kernels/split.py): BLAS's own
    threads would keep spinning after it and take the cores from the slices that follow (ConvNet's
    2-thread step took 96-101 ms with its last layer's products on BLAS's two threads, 64-65 ms with
    them on one thread each; a timing script, 3 runs each). Slicing the product itself did not pay:
    alone, (rows, 2048) @ (2048, 10) ran 0.51-0.94x as fast sliced as on BLAS's threads, up to 1,024 rows."""
    with between_slices():
        return a @ b


def _shaped(x, shape):
    """x reshaped to `shape`, or x itself if it has it: a reshaped view would make backprop copy a leaf's gradient."""
    return x if x.shape == shape else x.reshape(shape)


def _rows(x):
    """x (..., k) as one (rows, k) matrix (a view when x is contiguous)."""
    return x.reshape(-1, x.shape[-1])
