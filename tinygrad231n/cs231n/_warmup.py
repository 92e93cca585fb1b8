"""Loading the numba kernels at import, so that a notebook's timing cells time the code, not numba.

numba compiles a kernel on its first call with each argument type, or (after the very first run
on a machine) loads it from its on-disk cache; either way that first call is slow, tenths of a
second to seconds. A notebook times the first call of a vectorized function against a naive
loop, so the adapter modules make that first call themselves, at import, on tiny zero inputs of
each dtype the notebooks use. Nothing here reads random numbers or changes global state.
"""
import numpy as np

from tinygrad231n.ops.cross_entropy import PARALLEL_MIN_ROWS

DTYPES = (np.float64, np.float32)


def warm_up_linear_loss(loss_fn):
    """loss_fn(W, X, y, reg), as svm_loss_vectorized: in both dtypes, and below and above the batch
    size where the fused loss kernels switch from one thread to several."""
    for dtype in DTYPES:
        for rows in (1, PARALLEL_MIN_ROWS):
            loss_fn(np.zeros((1, 2), dtype), np.zeros((rows, 1), dtype), np.zeros(rows, np.int64), 0.0)
