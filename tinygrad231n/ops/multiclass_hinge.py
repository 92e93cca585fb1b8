"""CS231n's multiclass SVM (hinge) loss fused into one numba pass: loss and d(loss)/d(scores).

loss = (1/N) sum_i sum_{j != y_i} max(0, s_ij - s_iy + margin). Each positive margin adds
+1/N to dscores_ij and -1/N to dscores_iy. A margin of exactly 0 counts as inactive.

NaN propagates as in numpy's np.maximum: a NaN margin makes the loss NaN, and its gradient (at
dscores_ij and at the row's label column dscores_iy) NaN, since max(0, NaN) has no slope.
"""
import numba
import numpy as np

from ..function import Function, register
from ..checks import check_scores_and_labels
from ..kernels.sized import SizedKernel
from ..kernels.thresholds import LOSS_MIN_ROWS


def _hinge_rows(scores, y, margin):
    n, c = scores.shape
    dscores = np.empty_like(scores)
    row_loss = np.empty(n, dtype=np.float64)
    for i in numba.prange(n):
        label = y[i]
        correct = scores[i, label]
        total = 0.0
        active = 0
        undefined = False  # some margin is NaN
        for j in range(c):
            slack = scores[i, j] - correct + margin
            if j == label or slack <= 0:
                dscores[i, j] = 0.0
            elif slack > 0:
                dscores[i, j] = 1.0 / n
                total += slack
                active += 1
            else:  # NaN: neither <= 0 nor > 0
                dscores[i, j] = np.nan
                total += slack
                undefined = True
        dscores[i, label] = np.nan if undefined else -active / n
        row_loss[i] = total
    return row_loss.sum() / n, dscores


_kernel = SizedKernel(_hinge_rows, LOSS_MIN_ROWS)


def multiclass_hinge_kernel(scores, y, margin=1.0):
    """(N, C) float scores, (N,) int64 labels -> (mean loss as float64, dscores like scores)."""
    return _kernel(np.ascontiguousarray(scores), y, float(margin))


def multiclass_hinge_reference(scores, y, margin=1.0):
    """The same loss and gradient in vectorized numpy; the tests hold the kernel to it."""
    n = scores.shape[0]
    rows = np.arange(n)
    margins = scores - scores[rows, y][:, None] + margin
    margins[rows, y] = 0
    active = margins > 0
    loss = np.maximum(margins, 0).sum() / n  # np.maximum keeps NaN
    dscores = active.astype(scores.dtype) / n
    dscores[rows, y] = -active.sum(axis=1) / n
    undefined = np.isnan(margins)
    dscores[undefined] = np.nan
    dscores[rows[undefined.any(axis=1)], y[undefined.any(axis=1)]] = np.nan
    return loss, dscores


@register(functional="multiclass_hinge")
class MulticlassHinge(Function):
    """CS231n's SVM loss: mean over i of sum_{j != y_i} max(0, s_ij - s_iy + margin);
    scores (N, C), y (N,) int labels in 0..C-1 -> a scalar."""

    @staticmethod
    def forward(ctx, scores, y, margin=1.0):
        labels = check_scores_and_labels("multiclass_hinge", scores, y)
        loss, dscores = multiclass_hinge_kernel(scores, labels, margin)
        ctx.save(dscores)
        return np.asarray(loss, dtype=scores.dtype)

    @staticmethod
    def backward(ctx, grad):
        (dscores,) = ctx.saved
        return grad * dscores, None
