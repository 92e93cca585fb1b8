"""CS231n's temporal softmax loss, fused: loss and d(loss)/d(scores) in one numba pass over the rows.

scores (N, T, V), labels y (N, T), mask (N, T):
loss = (1/N) * sum over the (n, t) where mask is True of -log softmax(scores[n, t])[y[n, t]],
summed over time and averaged over the N sequences (not over the positions counted). Each row is
shifted by its max, as in ops/cross_entropy.py, so logits of +-1000 stay finite; a counted row's
gradient is (softmax - onehot(y)) / N. Positions where mask is False add nothing and get a zero
gradient, whatever their labels hold (padding may be any number), with one exception: a NaN score
there still makes the loss NaN and that position's gradient NaN, as in CS231n's vectorized numpy
(0 * NaN is NaN), so a NaN is never dropped without a trace.

The exponentials are numpy's: its SIMD exp takes a fraction of the time of numba's scalar one
(numba has no SVML here to vectorize it). So numpy computes each row's max and exp(scores - max),
and one numba pass over the rows does the rest in place: the sums, the loss, the scaling to a
gradient, the label's -1/N and the masked-out rows. At captioning's N=100, T=16, V=1004 that
took 0.34-0.45x the time of CS231n's vectorized numpy (float64) and 0.43-0.47x (float32); all in
numba, with its scalar exp, it had taken 0.7x and 1.3x (one thread, `python
benchmarks/bench_sequence_ops.py`, section b). The pass is serial: it is a fraction of the whole,
and numpy's part runs on one thread anyway.
"""
import numba
import numpy as np

from ..checks import as_mask
from ..errors import InputError
from ..function import Function, register


@numba.njit(cache=True, fastmath={"reassoc"})  # reassoc: the row sums vectorize; NaN and inf keep their meaning
def _finish_rows(scores, y, mask, shifts, exp, n):
    """exp (R, V) holds exp(scores - shifts[:, None]), shifts the row maxima; turn each row into
    its gradient in place and return the loss."""
    rows, v = exp.shape
    loss = 0.0
    scales = np.empty(rows, dtype=exp.dtype)  # in the scores' dtype, so float32 rows scale in float32
    for i in range(rows):
        row = exp[i]
        if mask[i]:
            total = 0.0
            for j in range(v):
                total += row[j]
            loss += np.log(total) + shifts[i] - scores[i, y[i]]
            scales[i] = 1.0 / (total * n)
            scale = scales[i]
            for j in range(v):
                row[j] *= scale
            row[y[i]] -= 1.0 / n
        else:
            fill = np.nan if np.isnan(shifts[i]) else 0.0  # numpy's max is NaN iff the row holds a NaN
            loss += fill
            for j in range(v):
                row[j] = fill
    return loss / n


def temporal_cross_entropy_kernel(scores, y, mask):
    """(N, T, V) float scores, (N, T) int64 labels, (N, T) bool mask -> (loss as float64, dscores
    like scores)."""
    n, t, v = scores.shape
    flat = scores.reshape(n * t, v)
    shifts = flat.max(axis=1)
    dscores = flat - shifts[:, None]
    np.exp(dscores, out=dscores)
    loss = _finish_rows(flat, y.reshape(-1), mask.reshape(-1), shifts, dscores, n)
    return loss, dscores.reshape(n, t, v)


def temporal_cross_entropy_reference(scores, y, mask):
    """The same loss and gradient in vectorized numpy, over the counted rows only; the tests hold
    the kernel to it."""
    n, t, v = scores.shape
    flat, labels, counted = scores.reshape(n * t, v), y.reshape(-1), mask.reshape(-1)
    rows = np.flatnonzero(counted)
    picked = flat[rows]
    shifted = picked - picked.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    loss = np.sum(np.log(total[:, 0]) - shifted[np.arange(rows.size), labels[rows]]) / n
    dscores = np.zeros_like(flat)
    dscores[rows] = exp / total / n
    dscores[rows, labels[rows]] -= 1.0 / n
    undefined = ~counted & np.isnan(flat).any(axis=1)
    if undefined.any():
        loss = np.nan
        dscores[undefined] = np.nan
    return loss, dscores.reshape(n, t, v)


def check_temporal_inputs(op_name, scores, y, mask):
    """Return (labels as int64, mask as bool) after checking they fit scores (N, T, V): labels and
    mask of shape (N, T), labels in 0..V-1 wherever mask is True. Says which input is wrong."""
    if scores.ndim != 3 or 0 in scores.shape:
        raise InputError(f"{op_name}: scores must have shape (N, T, V) with N, T, V >= 1, got {scores.shape}")
    if scores.dtype not in (np.float32, np.float64):
        raise TypeError(f"{op_name}: scores must be float32 or float64 (what the kernel is compiled for), "
                        f"got {scores.dtype}")
    n, t, v = scores.shape
    labels = np.asarray(y)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{op_name}: labels must be an integer array, got dtype {labels.dtype}")
    if labels.shape != (n, t):
        raise InputError(f"{op_name}: labels must have shape (N, T) = {(n, t)}, one per position of scores "
                         f"{scores.shape}, got {labels.shape}")
    mask = as_mask(op_name, mask)
    if mask.shape != (n, t):
        raise InputError(f"{op_name}: mask must have shape (N, T) = {(n, t)}, one per position of scores "
                         f"{scores.shape}, got {mask.shape}")
    out_of_range = mask & ((labels < 0) | (labels >= v))
    if out_of_range.any():
        where = tuple(int(k) for k in np.argwhere(out_of_range)[0])
        raise InputError(f"{op_name}: label {labels[where]} at (n, t) = {where} is out of range for {v} classes "
                         f"(expected 0..{v - 1} wherever mask is True)")
    return labels.astype(np.int64, copy=False), mask


@register(functional="temporal_cross_entropy")
class TemporalCrossEntropy(Function):
    """CS231n's temporal softmax loss: scores (N, T, V), y (N, T) int labels, mask (N, T) booleans
    -> a scalar, the sum over the masked-in (n, t) of -log softmax(scores[n, t])[y[n, t]], divided
    by N. Positions where mask is False count for nothing (their labels are not read); a NaN score
    anywhere makes the loss NaN.

    Fused (one numba pass for loss and gradient) and shifted by each row's max, so it stays
    finite for logits of +-1000."""

    @staticmethod
    def forward(ctx, scores, y, mask):
        labels, mask = check_temporal_inputs("temporal_cross_entropy", scores, y, mask)
        loss, dscores = temporal_cross_entropy_kernel(scores, labels, mask)
        ctx.save(dscores)
        return np.asarray(loss, dtype=scores.dtype)

    @staticmethod
    def backward(ctx, grad):
        (dscores,) = ctx.saved
        return grad * dscores, None, None
