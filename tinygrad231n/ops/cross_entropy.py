"""Softmax cross-entropy fused into one numba pass: loss and d(loss)/d(scores) together.

Per row: shift by the max (exp never overflows, so logits of +-1000 stay finite), then
loss_i = log(sum_j exp(s_ij)) - s_iy, and dscores_ij = (softmax_ij - [j == y_i]) / N.
"""
import numba
import numpy as np

from ..function import Function, register
from ..checks import check_scores_and_labels
from ..kernels.sized import SizedKernel
from ..kernels.thresholds import LOSS_MIN_ROWS


def _cross_entropy_rows(scores, y):
    n, c = scores.shape
    dscores = np.empty_like(scores)
    row_loss = np.empty(n, dtype=np.float64)
    for i in numba.prange(n):
        row = scores[i]
        m = row[0]
        for j in range(1, c):
            m = max(m, row[j])
        total = 0.0
        for j in range(c):
            e = np.exp(row[j] - m)
            dscores[i, j] = e
            total += e
        row_loss[i] = np.log(total) + m - row[y[i]]
        for j in range(c):
            dscores[i, j] = dscores[i, j] / total / n
        dscores[i, y[i]] -= 1.0 / n
    return row_loss.sum() / n, dscores


_kernel = SizedKernel(_cross_entropy_rows, LOSS_MIN_ROWS)


def cross_entropy_kernel(scores, y):
    """(N, C) float scores, (N,) int64 labels -> (mean loss as float64, dscores like scores)."""
    return _kernel(np.ascontiguousarray(scores), y)


def cross_entropy_reference(scores, y):
    """The same loss and gradient in vectorized numpy; the tests hold the kernel to it."""
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(total[:, 0]) - shifted[np.arange(n), y])
    dscores = exp / total / n
    dscores[np.arange(n), y] -= 1.0 / n
    return loss, dscores


@register(functional="cross_entropy")
class CrossEntropy(Function):
    """Softmax cross-entropy averaged over N, mean_i -log softmax(scores_i)[y_i]:
    scores (N, C), y (N,) int labels in 0..C-1 -> a scalar.

    Fused (one numba pass for loss and gradient) and shifted by the row max, so it stays finite
    for logits of +-1000."""

    @staticmethod
    def forward(ctx, scores, y):
        labels = check_scores_and_labels("cross_entropy", scores, y)
        loss, dscores = cross_entropy_kernel(scores, labels)
        ctx.save(dscores)
        return np.asarray(loss, dtype=scores.dtype)

    @staticmethod
    def backward(ctx, grad):
        (dscores,) = ctx.saved
        return grad * dscores, None
