"""One training epoch of CS231n's two-layer net: tinygrad231n's Solver against PyTorch and numpy.

    python benchmarks/bench_train.py [--threads 1] [--repeats 5] [--reg 0.0] [--profile]

An epoch: 245 iterations over 49,000 random (N, 3072) inputs with 10 classes, each iteration
drawing a minibatch of 200 rows, running forward and backward of affine(3072 -> 100) - relu -
affine(100 -> 10) - softmax cross-entropy, and applying SGD to W1, b1, W2, b2. Contenders, in the
same run with the same data, dtype, initial weights and threads:

  tinygrad231n   the Solver's own iteration (`Solver._step`: np.random.choice, TwoLayerNet.loss on
                 the tape, the `sgd` rule for each parameter), exactly what `Solver.train` runs;
  pytorch        the same net as a few torch ops, loss.backward(), `p -= lr * p.grad`;
  numpy by hand  forward and backward written out in numpy, CS231n's in-place `w -= lr * dw`.

All three use the same minibatches: one index array per epoch, drawn by np.random.choice after
np.random.seed(SEED) just as the Solver draws them; the Solver redraws them from the same seed
(about 1 ms of its epoch), and the benchmark checks that its losses match numpy's. With --reg > 0
every contender adds 0.5 * reg * (sum W1**2 + sum W2**2); with reg 0 the hand-written ones skip it.
Each round times one epoch of every contender, in rotating order, so load on a shared machine
hits them alike; the best round of each counts. Targets: tinygrad231n within 1.15x of PyTorch and
within 1.10x of numpy by hand, in float64 and float32.

Minor page faults per iteration are printed too: each W1-sized (3072 x 100) temporary that glibc's
malloc hands back to the OS and maps again costs 600 (float64) faults, a few ms per iteration. To
see the timings without that effect, fix glibc's thresholds for the run:
    MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=268435456 python benchmarks/bench_train.py

    --profile   also print cProfile's top entries for one tinygrad231n epoch
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import set_threads  # noqa: E402  (pins threads at run time, through threadpoolctl and numba)

THREADS = set_threads()

import argparse  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from common import report  # noqa: E402

from models.checkpoint import cs231n_parameters  # noqa: E402
from models.two_layer import TwoLayerNet  # noqa: E402
from tinygrad231n.optim import Solver  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

NUM_TRAIN, INPUT_DIM, HIDDEN_DIM, NUM_CLASSES, BATCH_SIZE = 49_000, 3 * 32 * 32, 100, 10, 200
ITERATIONS = NUM_TRAIN // BATCH_SIZE  # 245, the Solver's iterations per epoch
LEARNING_RATE = 1e-3
SEED = 231


def make_problem(dtype, reg):
    """Random data (inputs ~ N(0, 1), as after mean subtraction), one epoch's minibatch indices
    (ITERATIONS, BATCH_SIZE) and a TwoLayerNet whose initial weights every contender starts from."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((NUM_TRAIN, INPUT_DIM), dtype=dtype)
    y = rng.integers(0, NUM_CLASSES, NUM_TRAIN)
    np.random.seed(SEED)
    batches = np.stack([np.random.choice(NUM_TRAIN, BATCH_SIZE) for _ in range(ITERATIONS)])
    model = TwoLayerNet(INPUT_DIM, HIDDEN_DIM, NUM_CLASSES, weight_scale=1e-2, reg=reg, dtype=dtype, seed=0)
    return X, y, batches, model


def tinygrad_epoch(X, y, model, initial):
    """The Solver's iterations; it draws the same batches as `batches` from np.random.seed(SEED)."""
    data = {"X_train": X, "y_train": y, "X_val": X[:1], "y_val": y[:1]}
    solver = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": LEARNING_RATE},
                    batch_size=BATCH_SIZE, num_epochs=1, verbose=False)

    def epoch(iterations=ITERATIONS):
        for name, parameter in cs231n_parameters(model).items():
            parameter.data = initial[name].copy()
        solver.loss_history = []
        np.random.seed(SEED)
        for t in range(iterations):
            solver._step(t, iterations)
        return solver.loss_history
    return epoch


def numpy_epoch(X, y, batches, initial, reg):
    def epoch(iterations=ITERATIONS):
        W1, b1, W2, b2 = (initial[name].copy() for name in ("W1", "b1", "W2", "b2"))
        losses = []
        for rows in batches[:iterations]:
            Xb, yb = X[rows], y[rows]
            hidden = Xb @ W1 + b1
            relu = np.maximum(hidden, 0)
            scores = relu @ W2 + b2
            shifted = scores - scores.max(axis=1, keepdims=True)
            exp = np.exp(shifted)
            total = exp.sum(axis=1, keepdims=True)
            loss = np.mean(np.log(total[:, 0]) - shifted[np.arange(BATCH_SIZE), yb])
            dscores = exp / total
            dscores[np.arange(BATCH_SIZE), yb] -= 1
            dscores /= BATCH_SIZE
            dW2, db2 = relu.T @ dscores, dscores.sum(axis=0)
            dhidden = (dscores @ W2.T) * (hidden > 0)
            dW1, db1 = Xb.T @ dhidden, dhidden.sum(axis=0)
            if reg:
                loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
                dW1 += reg * W1
                dW2 += reg * W2
            losses.append(float(loss))
            for w, dw in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2)):
                w -= LEARNING_RATE * dw
        return losses
    return epoch


def torch_epoch(X, y, batches, initial, reg):
    tX, ty, tbatches = torch.from_numpy(X), torch.from_numpy(y), torch.from_numpy(batches)

    def epoch(iterations=ITERATIONS):
        params = [torch.tensor(initial[name], requires_grad=True) for name in ("W1", "b1", "W2", "b2")]
        W1, b1, W2, b2 = params
        losses = []
        for rows in tbatches[:iterations]:
            # index_select: single-threaded, it gathers rows about 2.5x faster than tX[rows].
            scores = torch.relu(tX.index_select(0, rows) @ W1 + b1) @ W2 + b2
            loss = torch.nn.functional.cross_entropy(scores, ty.index_select(0, rows))
            if reg:
                loss = loss + 0.5 * reg * ((W1 * W1).sum() + (W2 * W2).sum())
            loss.backward()
            losses.append(loss.item())
            with torch.no_grad():
                for p in params:
                    p -= LEARNING_RATE * p.grad
                    p.grad = None
        return losses
    return epoch


def best_of_rounds(epochs, repeats):
    """Best seconds per epoch of each contender over `repeats` rounds, one epoch each per round, and
    the fewest minor page faults an epoch of it took (a count that, unlike time, load cannot disturb).

    Rounds interleave the contenders (rotating who goes first) rather than timing one contender's
    repeats back to back: an epoch takes seconds, and load on a shared machine drifts over that long.
    """
    names = list(epochs)
    best, faults = dict.fromkeys(names, float("inf")), dict.fromkeys(names, float("inf"))
    for round_ in range(repeats):
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:
            faults_before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            start = time.perf_counter()
            epochs[name]()
            best[name] = min(best[name], time.perf_counter() - start)
            faults[name] = min(faults[name], resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults_before)
    return best, faults


def check_same_work(epochs, dtype):
    """Every contender's losses over a few iterations agree: same batches, same weights, same math."""
    losses = {name: np.array(epoch(iterations=5)) for name, epoch in epochs.items()}
    reference = losses["numpy by hand"]
    tolerance = 1e-10 if dtype == np.float64 else 1e-4
    for name, values in losses.items():
        if not np.allclose(values, reference, rtol=tolerance, atol=0):
            raise AssertionError(f"bench_train: {name} losses {values} differ from numpy's {reference}: "
                                 "the contenders are not doing the same work")


def profile_epoch(epoch, title):
    profiler = cProfile.Profile()
    profiler.enable()
    epoch()
    profiler.disable()
    print(f"\ncProfile of one {title} epoch (top 25 by own time):")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="(read by common.set_threads)")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds; the best of each counts")
    parser.add_argument("--reg", type=float, default=0.0, help="L2 strength (the notebook's TwoLayerNet: 0)")
    parser.add_argument("--dtypes", nargs="+", default=["float64", "float32"])
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if torch is not None:
        torch.set_num_threads(THREADS)
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}, threads {THREADS}, "
          f"cpus {os.cpu_count()}; {ITERATIONS} iterations of batch {BATCH_SIZE} from {NUM_TRAIN} x {INPUT_DIM}, "
          f"hidden {HIDDEN_DIM}, reg {args.reg}")
    baseline = "pytorch" if torch is not None else "numpy by hand"
    for dtype in map(np.dtype, args.dtypes):
        X, y, batches, model = make_problem(dtype, args.reg)
        initial = {name: p.data.copy() for name, p in cs231n_parameters(model).items()}
        epochs = {"tinygrad231n": tinygrad_epoch(X, y, model, initial),
                  "numpy by hand": numpy_epoch(X, y, batches, initial, args.reg)}
        if torch is not None:
            epochs["pytorch"] = torch_epoch(X, y, batches, initial, args.reg)
        check_same_work(epochs, dtype)  # also the warm-up: numba's kernels load, BLAS starts
        timings, faults = best_of_rounds(epochs, args.repeats)
        report(f"one epoch ({ITERATIONS} SGD iterations), {dtype.name}, best of {args.repeats}", timings, baseline)
        print("  minor page faults per iteration: " + ", ".join(f"{name} {count / ITERATIONS:.0f}"
                                                               for name, count in faults.items()))
        print(f"  => tinygrad231n / numpy by hand: {timings['tinygrad231n'] / timings['numpy by hand']:.3f}x "
              "(target <= 1.10x)")
        if torch is not None:
            print(f"  => tinygrad231n / pytorch: {timings['tinygrad231n'] / timings['pytorch']:.3f}x (target <= 1.15x)")
        if args.profile:
            profile_epoch(epochs["tinygrad231n"], f"tinygrad231n {dtype.name}")
        del X, epochs


if __name__ == "__main__":
    main()
