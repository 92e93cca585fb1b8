"""Pairwise L2 (Euclidean) and L1 distances between the rows of two matrices, for kNN.

    D = l2_distances_no_loops(X_test, X_train)     # (num_test, num_train)
    D[i, j] = sqrt(sum_d (X_test[i, d] - X_train[j, d])**2)

Not differentiable: plain numpy arrays in and out. Three L2 versions, as in CS231n's assignment:

- `l2_distances_two_loops`: numba, one (test row, train row) pair at a time, the pairs visited in
  tiles so that the rows of a tile are read from cache rather than memory.
- `l2_distances_one_loop`: numba, one loop over test rows, a block of them at a time, each block
  against every training row.
- `l2_distances_no_loops`: numpy and BLAS, through |a - b|^2 = |a|^2 + |b|^2 - 2 a.b.

`l1_distances` (sum_d |X_test[i, d] - X_train[j, d]|) is the two-loop kernel with the other metric;
L1 has no matrix-product form. The `*_reference` functions broadcast to (num_test, num_train, D):
clear, slow and memory-hungry, for small inputs; the tests hold every version to them.

Inputs (every function): X_test (num_test, D) and X_train (num_train, D). float32 and float64 are
used as they are (float32 only if both are float32; a mix computes in float64). Integer and
boolean inputs (e.g. uint8 pixels) are converted to float64 first, because uint8 differences wrap
around and their squares overflow. The result has the computing dtype. The loop kernels sum in
float64 whatever the input dtype. NaN or infinite inputs are a ValueError: a NaN distance would
only sort last and drop out of a kNN vote unseen.
"""
import numba
import numpy as np

from ..checks import check_finite

L2, L1 = 2, 1  # the `metric` argument of the numba kernels

# Tile sizes of the loop kernels. For CIFAR rows (3072 float64 = 24 KB each), a block of 16 test
# rows and 8 training rows is about 0.6 MB: it stays in L2/L3 cache while its 128 pairs are done,
# so each training row comes from memory once per 16 test rows instead of once per test row.
TEST_BLOCK = 16
TRAIN_BLOCK = 8

# Test rows per BLAS call in `l2_distances_no_loops`: the notebook's 500 in one call.
DEFAULT_CHUNK_ROWS = 1024

# Reassociation lets LLVM split each sum over SIMD lanes and contraction allows FMA; unlike
# fastmath=True, NaN and inf keep their meaning (inputs are checked finite anyway).
_FASTMATH = {"reassoc", "contract"}


def _as_float_pair(name, X_test, X_train):
    """Check two (rows, D) matrices and return them C-contiguous in one float dtype (see module doc)."""
    X_test, X_train = np.asarray(X_test), np.asarray(X_train)
    if X_test.ndim != 2 or X_train.ndim != 2:
        raise ValueError(f"{name}: X_test and X_train must be 2-D (num_rows, num_features), got shapes "
                         f"{X_test.shape} and {X_train.shape}")
    if X_test.shape[1] != X_train.shape[1]:
        raise ValueError(f"{name}: X_test {X_test.shape} and X_train {X_train.shape} have different numbers "
                         f"of features ({X_test.shape[1]} != {X_train.shape[1]})")
    X_test, X_train = _as_float(name, X_test, X_train), _as_float(name, X_train, X_test)
    check_finite(name, X_test, "X_test")
    check_finite(name, X_train, "X_train")
    dtype = np.result_type(X_test, X_train)
    return np.ascontiguousarray(X_test, dtype=dtype), np.ascontiguousarray(X_train, dtype=dtype)


def _as_float(name, X, other):
    if X.dtype in (np.float32, np.float64):
        return X
    if X.dtype.kind in "biuf":  # float16 too: numba has no float16 arithmetic
        return X.astype(np.float64)
    raise TypeError(f"{name}: expected real numbers (float32, float64, or integers/bools, which become "
                    f"float64), got dtypes {X.dtype} and {other.dtype}")


# ---------------------------------------------------------------- numba kernels


@numba.njit(cache=True, fastmath=_FASTMATH)
def _pair_distance(a, b, metric):
    """Distance between two 1-D rows of equal length: L2 (with the sqrt) or L1."""
    total = 0.0  # float64 even for float32 rows
    if metric == L2:
        for d in range(a.shape[0]):
            diff = a[d] - b[d]
            total += diff * diff
        return np.sqrt(total)
    for d in range(a.shape[0]):
        total += abs(a[d] - b[d])
    return total


@numba.njit(cache=True, parallel=True, fastmath=_FASTMATH)
def _two_loops_kernel(X_test, X_train, out, metric):
    """out[i, j] = distance(X_test[i], X_train[j]), tile by tile; the tiles of a row of tiles go to one thread."""
    num_test, num_train = out.shape
    num_row_blocks = (num_test + TEST_BLOCK - 1) // TEST_BLOCK
    for block in numba.prange(num_row_blocks):
        i_start = block * TEST_BLOCK
        i_stop = min(i_start + TEST_BLOCK, num_test)
        for j_start in range(0, num_train, TRAIN_BLOCK):
            j_stop = min(j_start + TRAIN_BLOCK, num_train)
            for i in range(i_start, i_stop):
                for j in range(j_start, j_stop):
                    out[i, j] = _pair_distance(X_test[i], X_train[j], metric)


@numba.njit(cache=True, fastmath=_FASTMATH)
def _rows_against_all(rows, X_train, out_rows, metric):
    """out_rows[r, :] = distances from rows[r] to every training row.

    Training row j is read from memory once, then served from cache to all the rows.
    """
    for j in range(X_train.shape[0]):
        train_row = X_train[j]
        for r in range(rows.shape[0]):
            out_rows[r, j] = _pair_distance(rows[r], train_row, metric)


@numba.njit(cache=True, parallel=True, fastmath=_FASTMATH)
def _one_loop_kernel(X_test, X_train, out, metric):
    """The one loop: over test rows, TEST_BLOCK at a time (one test row at a time would read all of
    X_train from memory once per test row, and memory speed would be the limit)."""
    num_test = X_test.shape[0]
    for block in numba.prange((num_test + TEST_BLOCK - 1) // TEST_BLOCK):
        start = block * TEST_BLOCK
        stop = min(start + TEST_BLOCK, num_test)
        _rows_against_all(X_test[start:stop], X_train, out[start:stop], metric)


def _run_kernel(name, kernel, X_test, X_train, metric):
    X_test, X_train = _as_float_pair(name, X_test, X_train)
    out = np.empty((X_test.shape[0], X_train.shape[0]), dtype=X_test.dtype)
    kernel(X_test, X_train, out, metric)
    return out


def l2_distances_two_loops(X_test, X_train):
    """(num_test, D), (num_train, D) -> (num_test, num_train) L2 distances; numba loops over i, j, d."""
    return _run_kernel("l2_distances_two_loops", _two_loops_kernel, X_test, X_train, L2)


def l2_distances_one_loop(X_test, X_train):
    """(num_test, D), (num_train, D) -> (num_test, num_train) L2 distances; numba loop over test rows."""
    return _run_kernel("l2_distances_one_loop", _one_loop_kernel, X_test, X_train, L2)


def l1_distances(X_test, X_train):
    """(num_test, D), (num_train, D) -> (num_test, num_train) L1 distances sum_d |a_d - b_d|; numba."""
    return _run_kernel("l1_distances", _two_loops_kernel, X_test, X_train, L1)


# ---------------------------------------------------------------- BLAS


def l2_distances_no_loops(X_test, X_train, chunk_size=DEFAULT_CHUNK_ROWS):
    """(num_test, D), (num_train, D) -> (num_test, num_train) L2 distances via BLAS.

    Uses |a - b|^2 = |a|^2 + |b|^2 - 2 a.b, clamped at 0 before the sqrt: rounding can make the
    right side slightly negative when a and b are (nearly) equal. The price of the identity is
    precision there: its absolute error in |a - b|^2 is about eps * (|a|^2 + |b|^2), so a distance
    between near-equal rows is known only to about sqrt(eps) * |a| (the loop kernels, which
    subtract first, have no such loss). In float32 (about 7 significant digits) that is coarse;
    pass float64 if it matters.

    Memory: the output, num_test * num_train * itemsize (4 GB for 10,000 x 50,000 float64), the
    squared norms of the rows, and a scaled copy of `chunk_size` test rows; no temporary of the
    output's size (the one-line broadcast formula would make three). The output is filled
    `chunk_size` test rows at a time: BLAS writes -2 a.b straight into those rows and the norms are
    added in place. Fewer, larger chunks are faster (each BLAS call repacks X_train).
    """
    X_test, X_train = _as_float_pair("l2_distances_no_loops", X_test, X_train)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise ValueError(f"l2_distances_no_loops: chunk_size must be a positive integer, got {chunk_size!r}")
    test_sq = np.einsum("ij,ij->i", X_test, X_test)  # (num_test,), without a squared copy of X
    train_sq = np.einsum("ij,ij->i", X_train, X_train)
    out = np.empty((X_test.shape[0], X_train.shape[0]), dtype=X_test.dtype)
    for start in range(0, X_test.shape[0], chunk_size):
        stop = min(start + chunk_size, X_test.shape[0])
        block = out[start:stop]
        # -2 scales the small factor, not the big product (and scaling by -2 is exact)
        np.matmul(-2 * X_test[start:stop], X_train.T, out=block)
        block += test_sq[start:stop, None]
        block += train_sq
        np.maximum(block, 0, out=block)
        np.sqrt(block, out=block)
    return out


# ---------------------------------------------------------------- references


def _differences(name, X_test, X_train):
    """(num_test, num_train, D) array of X_test[i] - X_train[j]."""
    X_test, X_train = _as_float_pair(name, X_test, X_train)
    return X_test[:, None, :] - X_train[None, :, :]


def l2_distances_reference(X_test, X_train):
    """L2 distances by broadcasting, num_test * num_train * D memory: the definition, for small inputs."""
    diff = _differences("l2_distances_reference", X_test, X_train)
    return np.sqrt((diff * diff).sum(axis=2))


def l1_distances_reference(X_test, X_train):
    """L1 distances by broadcasting, num_test * num_train * D memory: the definition, for small inputs."""
    return np.abs(_differences("l1_distances_reference", X_test, X_train)).sum(axis=2)
