"""The notebooks' timing cells, first call in a fresh process: tinygrad231n.cs231n's fast versions vs its naive loops.

    python benchmarks/bench_cs231n_first_call.py [--threads N] [--cold]

A notebook imports the cs231n modules, then times ONE call of the naive version and ONE call of
the fast one (conv and max pooling: x 100x3x31x31, w 25x3x3x3, stride 2, pad 1; pooling
100x3x32x32, 2x2, stride 2; the linear losses on a 500 x 3073 dev set; kNN on 500 x 5,000 x 3,072).
This script does the same, each notebook in a fresh Python process, and prints both times and the
speedup. The import time includes loading the numba kernels (cs231n/_warmup.py): with --cold,
numba's cache points at an empty folder, so it is the very first compile on a machine.
Every library is pinned to --threads threads (tinygrad231n.threads; default 1, the most repeatable on
a shared machine).
Targets: conv and pooling >= 10x faster than the naive loops; a vectorized loss faster than its
naive loop; kNN's no-loops faster than its loop versions.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

NOTEBOOKS = {
    "ConvolutionalNetworks": """
from tinygrad231n.cs231n.layers import (conv_backward_naive, conv_forward_naive, max_pool_backward_naive,
                                        max_pool_forward_naive)
from tinygrad231n.cs231n.fast_layers import (conv_backward_fast, conv_forward_fast, max_pool_backward_fast,
                                             max_pool_forward_fast)
imported()
np.random.seed(231)
x, w, b = np.random.randn(100, 3, 31, 31), np.random.randn(25, 3, 3, 3), np.random.randn(25,)
dout = np.random.randn(100, 25, 16, 16)
conv_param = {"stride": 2, "pad": 1}
_, cache_naive = timed("conv forward", "naive", conv_forward_naive, x, w, b, conv_param)
_, cache_fast = timed("conv forward", "fast", conv_forward_fast, x, w, b, conv_param)
timed("conv backward", "naive", conv_backward_naive, dout, cache_naive)
timed("conv backward", "fast", conv_backward_fast, dout, cache_fast)
x, dout = np.random.randn(100, 3, 32, 32), np.random.randn(100, 3, 16, 16)
pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
_, cache_naive = timed("max pool forward", "naive", max_pool_forward_naive, x, pool_param)
_, cache_fast = timed("max pool forward", "fast", max_pool_forward_fast, x, pool_param)
timed("max pool backward", "naive", max_pool_backward_naive, dout, cache_naive)
timed("max pool backward", "fast", max_pool_backward_fast, dout, cache_fast)
""",
    "svm / softmax": """
from tinygrad231n.cs231n.classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized
from tinygrad231n.cs231n.classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized
imported()
rng = np.random.default_rng(0)
W, X_dev, y_dev = rng.standard_normal((3073, 10)) * 0.0001, rng.standard_normal((500, 3073)), rng.integers(0, 10, 500)
timed("svm loss", "naive", svm_loss_naive, W, X_dev, y_dev, 0.000005)
timed("svm loss", "fast", svm_loss_vectorized, W, X_dev, y_dev, 0.000005)
timed("softmax loss", "naive", softmax_loss_naive, W, X_dev, y_dev, 0.000005)
timed("softmax loss", "fast", softmax_loss_vectorized, W, X_dev, y_dev, 0.000005)
""",
    "knn": """
from tinygrad231n.cs231n.classifiers.k_nearest_neighbor import KNearestNeighbor
imported()
rng = np.random.default_rng(0)
classifier = KNearestNeighbor()
classifier.train(rng.random((5000, 3072)) * 255, rng.integers(0, 10, 5000))
X_test = rng.random((500, 3072)) * 255
timed("kNN two loops vs no loops", "naive", classifier.compute_distances_two_loops, X_test)
timed("kNN one loop vs no loops", "naive", classifier.compute_distances_one_loop, X_test)
timed("kNN two loops vs no loops", "fast", classifier.compute_distances_no_loops, X_test)
times["kNN one loop vs no loops"]["fast"] = times["kNN two loops vs no loops"]["fast"]  # the same first call
""",
}

CHILD_HEADER = """
import json, sys, time
import numpy as np
from tinygrad231n.threads import pin_threads
pin_threads(int(sys.argv[1]))
start = time.perf_counter()
times = {}
def imported():
    times["import"] = time.perf_counter() - start
def timed(cell, version, fn, *args):
    begin = time.perf_counter()
    result = fn(*args)
    times.setdefault(cell, {})[version] = time.perf_counter() - begin
    return result
"""
CHILD_FOOTER = "\nprint(json.dumps(times))\n"
TARGETS = {"conv forward": 10, "conv backward": 10, "max pool forward": 10, "max pool backward": 10}


def run_notebook(name, threads, cold):
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        if cold:
            env["NUMBA_CACHE_DIR"] = cache
        done = subprocess.run([sys.executable, "-c", CHILD_HEADER + NOTEBOOKS[name] + CHILD_FOOTER, str(threads)],
                              env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name}: the notebook's cells failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="threads for BLAS and numba")
    parser.add_argument("--cold", action="store_true", help="an empty numba cache: the very first compile")
    args = parser.parse_args()
    print(f"first calls in a fresh process, {args.threads} thread(s), numba cache {'empty' if args.cold else 'as is'}")
    failed = []
    for name in NOTEBOOKS:
        times = run_notebook(name, args.threads, args.cold)
        print(f"\n{name}: import (with the kernels' warm-up) {times.pop('import'):.2f} s")
        for cell, versions in times.items():
            speedup = versions["naive"] / versions["fast"]
            target = TARGETS.get(cell, 1)
            verdict = "ok" if speedup >= target else f"BELOW the {target}x target"
            if speedup < target:
                failed.append(cell)
            print(f"  {cell:<26} naive {versions['naive'] * 1e3:9.1f} ms   fast {versions['fast'] * 1e3:8.1f} ms"
                  f"   {speedup:7.1f}x  (target {target}x: {verdict})")
    if failed:
        print(f"\nbelow target: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
