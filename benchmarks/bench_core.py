"""Core speed against PyTorch CPU and hand-written numpy, measured in the same run.

    python benchmarks/bench_core.py            # needs torch (pip install -e '.[bench]')

(a) one SGD step of a two-layer net (200 x 3072 -> 100 -> 10, cross-entropy), float64 and float32;
(b) forward + backward of a 4-op graph on 10x10 tensors (pure per-op overhead);
(c) the fused loss kernels against vectorized numpy, N = 500 and 49,000, C = 10.
Targets: (a) within 1.15x of PyTorch, (b) no slower than PyTorch, (c) faster than numpy.

    --threads N   BLAS/torch/numba threads for every contender (default 1: on a small shared
                  machine, multi-threaded BLAS timings swing with whatever else is running)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import set_threads  # noqa: E402  (pins threads at run time, through threadpoolctl and numba)

THREADS = set_threads()

import numpy as np  # noqa: E402

from common import best_time, report  # noqa: E402

import tinygrad231n.nn.functional as F  # noqa: E402
from tinygrad231n import Tensor  # noqa: E402
from tinygrad231n.ops.cross_entropy import cross_entropy_kernel, cross_entropy_reference  # noqa: E402
from tinygrad231n.ops.multiclass_hinge import multiclass_hinge_kernel, multiclass_hinge_reference  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


def two_layer_step(dtype, lr=1e-3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((200, 3072)).astype(dtype)
    y = rng.integers(0, 10, 200)
    W1, b1 = (1e-2 * rng.standard_normal((3072, 100))).astype(dtype), np.zeros(100, dtype)
    W2, b2 = (1e-2 * rng.standard_normal((100, 10))).astype(dtype), np.zeros(10, dtype)
    steps = {}

    params = [Tensor(p, requires_grad=True) for p in (W1, b1, W2, b2)]
    Xt = Tensor(X)

    def tinygrad_step():
        w1, c1, w2, c2 = params
        loss = F.cross_entropy((Xt @ w1 + c1).relu() @ w2 + c2, y)
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
            p.grad = None
    steps["tinygrad231n"] = tinygrad_step

    np_params = [p.copy() for p in (W1, b1, W2, b2)]

    def numpy_step():
        w1, c1, w2, c2 = np_params
        hidden = X @ w1 + c1
        relu = np.maximum(hidden, 0)
        scores = relu @ w2 + c2
        shifted = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(shifted)
        probs /= probs.sum(axis=1, keepdims=True)
        probs[np.arange(200), y] -= 1
        dscores = probs / 200
        dw2, db2 = relu.T @ dscores, dscores.sum(axis=0)
        dhidden = (dscores @ w2.T) * (hidden > 0)
        dw1, db1 = X.T @ dhidden, dhidden.sum(axis=0)
        for p, g in zip(np_params, (dw1, db1, dw2, db2)):
            p -= lr * g
    steps["numpy by hand"] = numpy_step

    if torch is not None:
        tX, ty = torch.from_numpy(X), torch.from_numpy(y)
        tparams = [torch.tensor(p, requires_grad=True) for p in (W1, b1, W2, b2)]

        def torch_step():
            w1, c1, w2, c2 = tparams
            loss = torch.nn.functional.cross_entropy(torch.relu(tX @ w1 + c1) @ w2 + c2, ty)
            loss.backward()
            with torch.no_grad():
                for p in tparams:
                    p -= lr * p.grad
                    p.grad = None
        steps["pytorch"] = torch_step
    return steps


def tiny_graph():
    rng = np.random.default_rng(0)
    a, b, c = (rng.standard_normal((10, 10)) for _ in range(3))
    ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    tc = Tensor(c)

    def tinygrad_graph():
        ((ta * tb + tc).relu()).sum().backward()
        ta.grad = tb.grad = None
    steps = {"tinygrad231n": tinygrad_graph}
    if torch is not None:
        pa, pb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        pc = torch.tensor(c)

        def torch_graph():
            torch.relu(pa * pb + pc).sum().backward()
            pa.grad = pb.grad = None
        steps["pytorch"] = torch_graph
    return steps


def main():
    if torch is not None:
        torch.set_num_threads(THREADS)
    threads = THREADS
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'} "
          f"(threads {threads}), cpus {os.cpu_count()}")
    baseline = "pytorch" if torch is not None else "numpy by hand"
    for dtype in (np.float64, np.float32):
        timings = {name: best_time(fn) for name, fn in two_layer_step(dtype).items()}
        report(f"(a) two-layer SGD step, 200x3072 -> 100 -> 10, {np.dtype(dtype).name}", timings, baseline)
        if "pytorch" in timings:
            print(f"  => tinygrad231n / numpy by hand: {timings['tinygrad231n'] / timings['numpy by hand']:.2f}x")
    timings = {name: best_time(fn) for name, fn in tiny_graph().items()}
    report("(b) forward+backward of relu(a*b + c).sum() on 10x10 (overhead)",
           timings, "pytorch" if torch else "tinygrad231n")
    rng = np.random.default_rng(0)
    for n in (500, 49000):
        scores, y = rng.standard_normal((n, 10)), rng.integers(0, 10, n)
        timings = {
            "cross_entropy numba": best_time(lambda: cross_entropy_kernel(scores, y)),
            "cross_entropy numpy": best_time(lambda: cross_entropy_reference(scores, y)),
            "multiclass_hinge numba": best_time(lambda: multiclass_hinge_kernel(scores, y)),
            "multiclass_hinge numpy": best_time(lambda: multiclass_hinge_reference(scores, y)),
        }
        report(f"(c) fused loss + gradient, N={n}, C=10", timings, "cross_entropy numpy")
        print(f"  => cross_entropy numba / numpy: {timings['cross_entropy numba'] / timings['cross_entropy numpy']:.2f}x; "
              f"multiclass_hinge numba / numpy: "
              f"{timings['multiclass_hinge numba'] / timings['multiclass_hinge numpy']:.2f}x")


if __name__ == "__main__":
    main()
