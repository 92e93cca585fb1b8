"""Where each numba kernel's threaded variant starts to beat its serial one (kernels/thresholds.py).

    python benchmarks/bench_parallel_thresholds.py [--threads 2] [--layer omp|workqueue] [--only hog,pooling]
                                                   [--after-gemm]

Each SizedKernel (kernels/sized.py) is compiled twice; this times `.serial` and `.parallel` on the
same arguments over a range of sizes, each alone and warm (best of several rounds), and prints the
serial/parallel time ratio per size and the crossover: the smallest size measured from which the
threaded variant wins at every larger size. The size is what the kernel's threshold counts
(images, rows, or values for pooling). --layer picks numba's threading layer: a notebook gets numba's
default (OpenMP when available), the command line "workqueue" (tinygrad231n/threads.calm_numba_workers).

"slices" times the callers of kernels/split.py (the conv op, the fused batch norm passes): the batch in one piece (on one BLAS thread, as in_slices runs a batch too small to
share out) against the batch cut into slices on --threads threads (every threshold at 1, so the
slices are as many as in_slices makes); the crossover counts images (rows) in all, the thresholds per thread.
The command line's malloc settings (tinygrad231n.threads.reuse_freed_memory) apply throughout.

Alone, a kernel's threads pay early. In a training step each kernel call is followed by a matrix
product whose BLAS threads want the same cores, and numba's OpenMP workers keep spinning after a
parallel loop: --after-gemm times each call followed by a float64 (64, 576) @ (576, 1024) product
(a conv chunk's GEMM), serial+GEMM against parallel+GEMM, to show that cost.
"""
import argparse
import sys
from unittest import mock
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import best_time  # noqa: E402

POWERS = [2 ** k for k in range(11)]  # 1 .. 1024


def _conv_case(channels, side, kernel):
    """im2col and col2im on (n, channels, side, side) float64 images, stride 1, 'same' padding."""
    from tinygrad231n.kernels import im2col as module
    pad = (kernel - 1) // 2

    def im2col_args(n):
        x = np.random.default_rng(0).standard_normal((n, channels, side, side))
        cols = np.empty((n, channels * kernel * kernel, side * side))
        return (x, kernel, kernel, 1, 1, pad, pad, cols)

    def col2im_args(n):
        cols = np.random.default_rng(0).standard_normal((n, channels * kernel * kernel, side * side))
        return (np.empty((n, channels, side, side)), cols, kernel, kernel, 1, 1, pad, pad)

    where = f"{channels}x{side}x{side}, {kernel}x{kernel}"
    return [(f"im2col ({where})", module._im2col_kernel, "images", im2col_args),
            (f"col2im ({where})", module._col2im_kernel, "images", col2im_args)]


def _pooling_cases():
    """Max and average pooling 2x2 stride 2 over (n, 32, 16, 16) float64 maps: 8,192 values an image."""
    from tinygrad231n.kernels import pooling as module

    def forward_args(values):
        x = np.random.default_rng(0).standard_normal((max(1, values // 8192), 32, 16, 16))
        out = np.empty(x.shape[:2] + (8, 8))
        return (x, 2, 2, 2, 2, out, np.empty(out.shape, np.uint8))

    def backward_args(values):
        forward = forward_args(values)
        module._max_pool_kernel.serial(*forward)  # the winners that backward indexes by
        x, *_, out, winner = forward
        return (np.empty_like(x), out, winner, 2, 2, 2, 2)

    def avg_backward_args(values):
        x, *_, out, _ = forward_args(values)
        return (np.zeros_like(x), out, 2, 2, 2, 2)

    sizes = [8192 * n for n in POWERS[:11]]
    return [("max_pool (32x16x16)", module._max_pool_kernel, "values", forward_args, sizes),
            ("max_pool_backward", module._max_pool_backward_kernel, "values", backward_args, sizes),
            ("avg_pool", module._avg_pool_kernel, "values", lambda v: forward_args(v)[:6], sizes),
            ("avg_pool_backward", module._avg_pool_backward_kernel, "values", avg_backward_args, sizes)]


def _feature_cases():
    """HOG and hue histograms of (n, 32, 32, 3) uint8 images (CIFAR's shape and type)."""
    from tinygrad231n.kernels import color_histogram, hog

    def images(n):
        return np.random.default_rng(0).integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)

    edges = np.linspace(0, 255, 11)
    return [("hog (32x32x3 uint8)", hog._hog_kernel, "images", lambda n: (images(n), np.zeros((n, 144)))),
            ("hue histogram", color_histogram._hue_histogram_kernel, "images",
             lambda n: (images(n), edges, 255.0, True, np.empty((n, 10)), np.zeros(n, np.bool_)))]


def _loss_cases():
    """Softmax cross-entropy and multiclass hinge on (n, 10) float64 scores."""
    from tinygrad231n.ops import cross_entropy, multiclass_hinge

    def scores(n):
        rng = np.random.default_rng(0)
        return rng.standard_normal((n, 10)), rng.integers(0, 10, n)

    sizes = [64 * 2 ** k for k in range(12)]
    return [("cross_entropy (N x 10)", cross_entropy._kernel, "rows", scores, sizes),
            ("multiclass_hinge", multiclass_hinge._kernel, "rows", lambda n: scores(n) + (1.0,), sizes)]


def cases():
    """name -> [(label, SizedKernel, unit, make_args(size), sizes)]; sizes default to 1..1024."""
    table = {"im2col": _conv_case(16, 8, 3) + _conv_case(3, 32, 7), "pooling": _pooling_cases(),
             "features": _feature_cases(), "losses": _loss_cases()}
    return {name: [case if len(case) == 5 else case + (POWERS,) for case in rows] for name, rows in table.items()}


def slice_cases():
    """[(label, module, thresholds constant, unit, make_call(size) -> fn)]: the callers of kernels/split.py's
    in_slices, each on float32 maps of a ConvNet's first or middle layer."""
    from tinygrad231n import Tensor, ops
    from tinygrad231n.kernels import channel_norm, norm_pool_relu

    def maps(n, channels=32, side=16, seed=0):
        return np.random.default_rng(seed).standard_normal((n, channels, side, side)).astype(np.float32)

    def conv_call(channels_in, side):
        def make(n):
            x, w = maps(n, channels_in, side), maps(32, channels_in, 3, 1)
            grad = maps(n, 32, side, 2)
            tensors = [Tensor(x), Tensor(w, requires_grad=True), Tensor(np.zeros(32, np.float32), requires_grad=True)]
            return lambda: ops.Conv2d.apply(*tensors, stride=1, padding=1).backward(grad)
        return make

    def fused(n):
        x, ones, zeros = maps(n), np.ones(32), np.zeros(32)
        out, winner = norm_pool_relu.norm_pool_relu(x, ones, zeros)
        return lambda: (norm_pool_relu.norm_pool_relu(x, ones, zeros),
                        norm_pool_relu.norm_pool_relu_gradient_sums(out, winner, x, zeros),
                        norm_pool_relu.norm_pool_relu_input_gradient(out, winner, x, ones, ones, zeros))

    def channel_passes(n):
        x, g, ones = maps(n), maps(n, seed=1), np.ones(32)
        return lambda: (channel_norm.channel_mean_var(x), channel_norm.channel_cross_sums(g, x, ones),
                        channel_norm.channel_affine(x, ones, g, ones, ones))

    from tinygrad231n.ops import conv, conv_winograd
    return [("winograd conv 32 -> 32, 16x16, forward + dw, db", conv_winograd, "WINOGRAD_MIN_IMAGES", "images",
             conv_call(32, 16)),
            ("im2col conv 3 -> 32, 32x32, forward + dw, db", conv, "IM2COL_CONV_MIN_IMAGES", "images",
             conv_call(3, 32)),
            ("norm_pool_relu forward, sums, input gradient", norm_pool_relu, "NORM_POOL_RELU_MIN_VALUES", "images",
             fused),
            ("channel moments, cross sums, affine", channel_norm, "CHANNEL_NORM_MIN_VALUES", "images", channel_passes)]


def measure_slices(label, module, constant, unit, make_call, threads, max_seconds):
    """The batch in one piece (BLAS held to one thread, as in_slices runs a batch too small to share out)
    against cut into slices on `threads` threads (every threshold at 1)."""
    from tinygrad231n.kernels import thresholds
    print(f"\n{label}: {constant} now {getattr(thresholds, constant):,}")
    print(f"  {unit:>10} {'one slice ms':>13} {'sliced ms':>10} {'one/sliced':>11}")
    measured, ratios = [], []
    for size in POWERS:
        call = make_call(size)
        with mock.patch.object(module, constant, 1 << 62):
            whole = best_time(call, repeats=5, budget=0.05)
        with mock.patch.object(module, constant, 1):
            sliced = best_time(call, repeats=5, budget=0.05)
        measured.append(size)
        ratios.append(whole / sliced)
        print(f"  {size:>10,} {whole * 1e3:13.4f} {sliced * 1e3:10.4f} {whole / sliced:11.2f}")
        if whole > max_seconds:
            break
    found = crossover(measured, ratios)
    print(f"  crossover: {'none measured' if found is None else f'{found:,} {unit} ({found / threads:g} a thread)'}")


def crossover(sizes, ratios):
    """The smallest size from which serial / parallel > 1 at every larger size measured (None if never)."""
    found = None
    for size, ratio in zip(reversed(sizes), reversed(ratios)):
        if ratio <= 1:
            break
        found = size
    return found


def _gemm():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((64, 576)), rng.standard_normal((576, 1024))
    return lambda: np.matmul(a, b)


def measure(label, kernel, unit, make_args, sizes, max_seconds, after=None):
    print(f"\n{label}: threshold now {kernel.parallel_min:,} {unit}" + (", each call followed by a GEMM" if after else ""))
    print(f"  {unit:>10} {'serial ms':>12} {'parallel ms':>12} {'serial/parallel':>16}")
    measured, ratios = [], []
    after = after or (lambda: None)
    for size in sizes:
        args = make_args(size)
        serial = best_time(lambda: (kernel.serial(*args), after()), repeats=5, budget=0.05)
        parallel = best_time(lambda: (kernel.parallel(*args), after()), repeats=5, budget=0.05)
        measured.append(size)
        ratios.append(serial / parallel)
        print(f"  {size:>10,} {serial * 1e3:12.4f} {parallel * 1e3:12.4f} {serial / parallel:16.2f}")
        if serial > max_seconds:  # larger sizes only take longer
            break
    found = crossover(measured, ratios)
    print(f"  crossover: {'none measured' if found is None else f'{found:,} {unit}'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--layer", choices=["default", "omp", "workqueue", "tbb"], default="default",
                        help="numba's threading layer (default: numba's choice, as in a notebook)")
    parser.add_argument("--only", default="", help="comma-separated groups: " + ", ".join(list(cases()) + ["slices"]))
    parser.add_argument("--max-seconds", type=float, default=0.05,
                        help="stop growing a kernel's size once its serial call takes this long")
    parser.add_argument("--after-gemm", action="store_true", help="follow each kernel call by a BLAS matrix product")
    args = parser.parse_args()
    if args.layer != "default":
        numba.config.THREADING_LAYER = args.layer  # before the first parallel call
    from tinygrad231n.threads import pin_threads, reuse_freed_memory
    reuse_freed_memory()
    pin_threads(args.threads)
    table = cases()
    groups = args.only.split(",") if args.only else list(table) + ["slices"]
    for group in groups:
        if group == "slices":
            for case in slice_cases():
                measure_slices(*case, args.threads, args.max_seconds)
            continue
        for label, kernel, unit, make_args, sizes in table[group]:
            measure(label, kernel, unit, make_args, sizes, args.max_seconds, _gemm() if args.after_gemm else None)
    print(f"\nnumba {numba.__version__}, threading layer {numba.threading_layer()}, {numba.get_num_threads()} threads")


if __name__ == "__main__":
    main()
