"""kNN's L2 distances against a bare matrix product of the same size, measured in the same run.

    python benchmarks/bench_knn.py [--threads N] [--data /tmp/cifar/cifar-10-batches-py] [--repeats 3]

500 test x 5,000 train x 3,072 features, the notebook's sizes: random float64 data, or with --data
the notebook's rows of CIFAR-10 (first 500 test, first 5,000 training images, flattened float64).
Every library is pinned to --threads threads (default 1, the most repeatable on a shared machine).
Each version is called once first (numba compiles or loads its cache), then timed best-of-repeats.
Targets: no loops within 1.2x of `X_test @ X_train.T`, the numba one- and two-loop kernels within
10x. The assignment's Python loops would take minutes: they are timed on a few test rows and
EXTRAPOLATED to the full size, and labelled so.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import set_threads  # noqa: E402  (pins threads at run time, through threadpoolctl and numba)

THREADS = set_threads(default=1)

import numpy as np  # noqa: E402

from common import best_time, report  # noqa: E402
from tinygrad231n.kernels import distances as D  # noqa: E402

NUM_TEST, NUM_TRAIN, NUM_FEATURES = 500, 5000, 3072
BASELINE = "matmul X_test @ X_train.T"
TARGETS = {"no loops (BLAS identity)": 1.2, "one loop (numba)": 10.0, "two loops (numba)": 10.0}


def python_two_loops(X_test, X_train):
    """The assignment's two loops: Python over every pair, numpy over the features."""
    dists = np.zeros((len(X_test), len(X_train)))
    for i in range(len(X_test)):
        for j in range(len(X_train)):
            dists[i, j] = np.sqrt(np.sum(np.square(X_test[i] - X_train[j])))
    return dists


def python_one_loop(X_test, X_train):
    """The assignment's one loop: Python over test rows, numpy over all training rows at once."""
    dists = np.zeros((len(X_test), len(X_train)))
    for i in range(len(X_test)):
        dists[i] = np.sqrt(np.sum(np.square(X_train - X_test[i]), axis=1))
    return dists


def load_rows(data):
    """(X_test (500, 3072), X_train (5000, 3072)) float64, and where they came from."""
    if data is None:
        rng = np.random.default_rng(0)
        return rng.random((NUM_TEST, NUM_FEATURES)), rng.random((NUM_TRAIN, NUM_FEATURES)), "random"
    from tinygrad231n.data import load_cifar10
    X_train, _, X_test, _ = load_cifar10(data)
    flat = lambda images, n: images[:n].reshape(n, -1).astype(np.float64)  # noqa: E731
    return flat(X_test, NUM_TEST), flat(X_train, NUM_TRAIN), f"CIFAR-10 from {data}"


def extrapolated(fn, X_test, X_train, rows):
    """Seconds for `fn` on the first `rows` test rows, scaled to all of X_test."""
    start = time.perf_counter()
    fn(X_test[:rows], X_train)
    return (time.perf_counter() - start) * len(X_test) / rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="CIFAR-10 folder; random data without it")
    parser.add_argument("--threads", type=int, default=1, help="threads for BLAS and numba (read at start-up)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--python-rows", type=int, default=2, help="test rows for the Python loops (0: skip)")
    args = parser.parse_args()
    X_test, X_train, source = load_rows(args.data)
    print(f"{source}: {X_test.shape} x {X_train.shape} float64, {THREADS} thread(s)")

    versions = {
        BASELINE: lambda: X_test @ X_train.T,
        "no loops (BLAS identity)": lambda: D.l2_distances_no_loops(X_test, X_train),
        "one loop (numba)": lambda: D.l2_distances_one_loop(X_test, X_train),
        "two loops (numba)": lambda: D.l2_distances_two_loops(X_test, X_train),
    }
    timings = {name: best_time(fn, repeats=args.repeats, number=1) for name, fn in versions.items()}
    if args.python_rows:
        timings["python one loop EXTRAPOLATED"] = extrapolated(python_one_loop, X_test, X_train, args.python_rows)
        timings["python two loops EXTRAPOLATED"] = extrapolated(python_two_loops, X_test, X_train, args.python_rows)
    report(f"L2 distances, {NUM_TEST} x {NUM_TRAIN} x {NUM_FEATURES} float64, best of {args.repeats}",
           timings, BASELINE)

    print("\ntargets:")
    for name, target in TARGETS.items():
        ratio = timings[name] / timings[BASELINE]
        print(f"  {name:<28} {ratio:6.2f}x (target <= {target}x) {'ok' if ratio <= target else 'MISSED'}")
    loops = D.l2_distances_two_loops(X_test, X_train)
    print(f"max |no loops - two loops| = {np.abs(D.l2_distances_no_loops(X_test, X_train) - loops).max():.1e}, "
          f"max |one loop - two loops| = {np.abs(D.l2_distances_one_loop(X_test, X_train) - loops).max():.1e}")


if __name__ == "__main__":
    main()
