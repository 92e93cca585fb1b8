"""kNN distances against a bare matrix product of the same size, in one run.

    python benchmarks/bench_knn.py [--threads N] [--data DIR]

500 test x 5,000 train x 3,072 features (the notebook's sizes): random data, or the first
images of CIFAR-10 with --data. Targets: no loops within 1.2x of `X_test @ X_train.T`; the
numba two-loop and one-loop kernels within 10x (the assignment's Python loops: ~1,900x).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import set_threads  # noqa: E402  (before numpy)

THREADS = set_threads(default=2)

import numpy as np  # noqa: E402

from common import best_time, report  # noqa: E402
from tinygrad231n.ops import distances as D  # noqa: E402


def python_two_loops(X_test, X_train):
    """The assignment's version: a Python loop over every pair, numpy over features."""
    dists = np.zeros((len(X_test), len(X_train)))
    for i in range(len(X_test)):
        for j in range(len(X_train)):
            dists[i, j] = np.sqrt(np.sum((X_test[i] - X_train[j]) ** 2))
    return dists


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data")
    parser.add_argument("--threads")
    args = parser.parse_args()
    if args.data:
        from tinygrad231n.data import load_cifar10
        X_train, _, X_test, _ = load_cifar10(args.data, dtype=np.float64)
        X_test, X_train = X_test[:500].reshape(500, -1), X_train[:5000].reshape(5000, -1)
    else:
        rng = np.random.default_rng(0)
        X_test, X_train = rng.standard_normal((500, 3072)), rng.standard_normal((5000, 3072))
    print(f"{'CIFAR-10' if args.data else 'random'} data, {THREADS} thread(s)")
    timings = {
        "matmul X_test @ X_train.T": best_time(lambda: X_test @ X_train.T, repeats=5),
        "no loops (BLAS identity)": best_time(lambda: D.l2_distances_no_loops(X_test, X_train), repeats=5),
        "one loop (numba)": best_time(lambda: D.l2_distances_one_loop(X_test, X_train), repeats=3),
        "two loops (numba)": best_time(lambda: D.l2_distances_two_loops(X_test, X_train), repeats=3),
    }
    # The Python double loop takes minutes at full size: time 5 x 200 pairs and scale up.
    start = time.perf_counter()
    python_two_loops(X_test[:5], X_train[:200])
    timings["python loops (extrapolated)"] = (time.perf_counter() - start) * (500 * 5000) / (5 * 200)
    report("L2 distances, 500 x 5,000 x 3,072 float64", timings, "matmul X_test @ X_train.T")


if __name__ == "__main__":
    main()
