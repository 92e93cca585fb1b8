"""Pairwise distances between test rows and training rows, for k-nearest neighbours.

Every function takes X_test (M, D) and X_train (N, D) float arrays and returns (M, N) float64
distances. Three ways to the same L2 numbers, as in CS231n's kNN notebook:
  - two loops: an explicit loop over test rows, train rows and features (numba);
  - one loop: a loop over training rows, each against all test rows at once (numba). The
    notebook loops over test rows instead; looping over training rows reads each training row
    from memory once, while the test rows (500 x 3,072 floats, 12 MB) stay in cache;
  - no loops: |a|^2 + |b|^2 - 2 a.b, where the a.b term is one BLAS matrix product.
They are not differentiable: kNN does not train.
"""
import numba
import numpy as np

# Test rows handled together by the two-loop kernel: each training row, once loaded, is used
# this many times, so the kernel reads X_train M / TEST_BLOCK times instead of M times.
TEST_BLOCK = 8


@numba.njit(parallel=True, cache=True, fastmath=True)
def _l2_two_loops(X_test, X_train):
    m, n, d = X_test.shape[0], X_train.shape[0], X_test.shape[1]
    out = np.empty((m, n))
    for block in numba.prange((m + TEST_BLOCK - 1) // TEST_BLOCK):
        start = block * TEST_BLOCK
        stop = min(start + TEST_BLOCK, m)
        for j in range(n):
            for i in range(start, stop):
                total = 0.0
                for k in range(d):
                    diff = X_test[i, k] - X_train[j, k]
                    total += diff * diff
                out[i, j] = np.sqrt(total)
    return out


@numba.njit(parallel=True, cache=True, fastmath=True)
def _l2_one_loop(X_test, X_train):
    m, n, d = X_test.shape[0], X_train.shape[0], X_test.shape[1]
    out = np.empty((m, n))
    for j in numba.prange(n):
        row = X_train[j]
        # This training row against every test row at once (the inner loops are that "at once").
        for i in range(m):
            total = 0.0
            for k in range(d):
                diff = X_test[i, k] - row[k]
                total += diff * diff
            out[i, j] = np.sqrt(total)
    return out


@numba.njit(parallel=True, cache=True, fastmath=True)
def _l1(X_test, X_train):
    m, n, d = X_test.shape[0], X_train.shape[0], X_test.shape[1]
    out = np.empty((m, n))
    for block in numba.prange((m + TEST_BLOCK - 1) // TEST_BLOCK):
        start = block * TEST_BLOCK
        for j in range(n):
            for i in range(start, min(start + TEST_BLOCK, m)):
                total = 0.0
                for k in range(d):
                    total += abs(X_test[i, k] - X_train[j, k])
                out[i, j] = total
    return out


def l2_distances_two_loops(X_test, X_train):
    """sqrt(sum((a - b)**2)) for every (test row, train row) pair, by explicit loops (numba)."""
    X_test, X_train = _check_pair(X_test, X_train)
    return _l2_two_loops(X_test, X_train)


def l2_distances_one_loop(X_test, X_train):
    """The same distances with one loop over training rows, all test rows at a time (numba)."""
    X_test, X_train = _check_pair(X_test, X_train)
    return _l2_one_loop(X_test, X_train)


def l2_distances_no_loops(X_test, X_train, chunk_size=1024):
    """|a|^2 + |b|^2 - 2 a.b, clamped at 0 (rounding can make it slightly negative), then sqrt.

    Test rows go `chunk_size` at a time, so the temporaries stay at chunk_size x N: the output
    itself is M x N float64 (10,000 x 50,000 is 4 GB), the extra memory only ~2 chunks of it.
    The identity loses precision when two rows are nearly equal (a difference of large
    squares), about sqrt(eps) * |a| in the distance: fine for ranking neighbours.
    """
    X_test, X_train = _check_pair(X_test, X_train)
    train_sq = np.einsum("ij,ij->i", X_train, X_train)
    out = np.empty((X_test.shape[0], X_train.shape[0]))
    for start in range(0, X_test.shape[0], chunk_size):
        chunk = X_test[start:start + chunk_size]
        block = out[start:start + chunk_size]
        np.matmul(chunk, X_train.T, out=block)
        block *= -2.0
        block += np.einsum("ij,ij->i", chunk, chunk)[:, None]
        block += train_sq
        np.maximum(block, 0.0, out=block)
        np.sqrt(block, out=block)
    return out


def l1_distances(X_test, X_train):
    """sum |a - b| over features (numba, two loops blocked over test rows like the L2 kernel)."""
    X_test, X_train = _check_pair(X_test, X_train)
    return _l1(X_test, X_train)


def l2_distances_reference(X_test, X_train):
    """Plain numpy by broadcasting (M, 1, D) - (1, N, D): exact, but M*N*D memory; for small tests."""
    return np.sqrt(((X_test[:, None, :] - X_train[None, :, :]) ** 2).sum(axis=-1))


def _check_pair(X_test, X_train):
    """Both 2-D with the same number of features; integers (e.g. uint8 pixels) become float64."""
    arrays = []
    for name, X in (("X_test", X_test), ("X_train", X_train)):
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(f"distances: {name} must be 2-D (rows, features), got shape {X.shape}")
        if X.dtype.kind not in "fiub":
            raise TypeError(f"distances: {name} must be numeric, got dtype {X.dtype}")
        arrays.append(np.ascontiguousarray(X, dtype=np.float64))
    if arrays[0].shape[1] != arrays[1].shape[1]:
        raise ValueError(f"distances: X_test {arrays[0].shape} and X_train {arrays[1].shape} have different "
                         f"numbers of features ({arrays[0].shape[1]} != {arrays[1].shape[1]})")
    return arrays
