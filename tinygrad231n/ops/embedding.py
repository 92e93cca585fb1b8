"""Row lookup (word embeddings): out[...] = weight[indices[...]], and its scatter-add backward.

A row picked several times (the same word twice in a caption) gets the sum of its gradients. The
scatter-add is a numba loop: at captioning sizes (800 indices into a 1004 x 256 table) it took
0.15 ms (float64) and 0.05 ms (float32) where np.add.at took 1.6-1.8 ms, the zeroed table alone
0.05 and 0.02 ms (one thread, `python benchmarks/bench_sequence_ops.py`, section a).
"""
import numba
import numpy as np

from ..checks import as_indices
from ..errors import InputError
from ..function import Function, register


@numba.njit(cache=True)
def _scatter_add_rows(table, rows, grad):
    """table[rows[i]] += grad[i] for each i in order, so repeated rows accumulate."""
    for i in range(rows.shape[0]):
        row = rows[i]
        for j in range(grad.shape[1]):
            table[row, j] += grad[i, j]


def scatter_add_rows(shape, rows, grad):
    """A zero table of `shape` (V, D) with each grad[i] (M, D) added into row rows[i] (M,) int64."""
    table = np.zeros(shape, dtype=grad.dtype)
    _scatter_add_rows(table, rows, np.ascontiguousarray(grad))
    return table


def scatter_add_rows_reference(shape, rows, grad):
    """The same with np.add.at; the tests hold the kernel to it."""
    table = np.zeros(shape, dtype=grad.dtype)
    np.add.at(table, rows, grad)
    return table


@register(functional="embedding")
class Embedding(Function):
    """weight[indices]: indices of any shape S (integers in 0..V-1; a Tensor of whole numbers
    too), weight (V, D) -> (*S, D), as PyTorch's F.embedding(input, weight).

    Backward adds each output row's gradient into the row of weight it came from (repeated indices
    accumulate); the indices get no gradient. An index outside 0..V-1 (negative ones included) is
    an InputError naming it; indices that are not whole numbers are a TypeError."""

    @staticmethod
    def forward(ctx, indices, weight):
        rows = as_indices("embedding", indices)
        if weight.ndim != 2:
            raise InputError(f"embedding: weight must be a table (V, D) of V rows, got shape {weight.shape}")
        vocabulary = weight.shape[0]
        if rows.size:
            low, high = rows.min(), rows.max()
            if low < 0 or high >= vocabulary:
                bad = low if low < 0 else high
                raise InputError(f"embedding: index {bad} is out of range for a vocabulary of {vocabulary} "
                                 f"rows (expected 0..{vocabulary - 1})")
        ctx.save(rows)
        ctx.weight_shape = weight.shape
        return weight.take(rows, axis=0)

    @staticmethod
    def backward(ctx, grad):
        (rows,) = ctx.saved
        dim = ctx.weight_shape[1]
        return None, scatter_add_rows(ctx.weight_shape, rows.reshape(-1), grad.reshape(-1, dim))
