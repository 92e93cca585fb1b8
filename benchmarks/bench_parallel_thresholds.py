"""Where each numba kernel's threaded variant starts to beat its serial one (kernels/thresholds.py).

    python benchmarks/bench_parallel_thresholds.py [--threads 2] [--layer omp|workqueue] [--only hog,pooling]
                                                   [--after-gemm]

Each SizedKernel (kernels/sized.py) is compiled twice; this times `.serial` and `.parallel` on the
same arguments over a range of sizes, each alone and warm (best of several rounds), and prints the
serial/parallel time ratio per size and the crossover: the smallest size measured from which the
threaded variant wins at every larger size. The size is what the kernel's threshold counts
(images, rows, or values for pooling). --layer picks numba's threading layer: a notebook gets numba's
default (OpenMP when available), the command line "workqueue" (tinygrad231n/threads.calm_numba_workers).

Alone, a kernel's threads pay early. In a training step each kernel call is followed by a matrix
product whose BLAS threads want the same cores, and numba's OpenMP workers keep spinning after a
parallel loop: --after-gemm times each call followed by a float64 (64, 576) @ (576, 1024) product
(a conv chunk's GEMM), serial+GEMM against parallel+GEMM, to show that cost.
"""
import argparse
import sys
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
        cols = np.empty((channels * kernel * kernel, n, side * side))
        return (x, kernel, kernel, 1, 1, pad, pad, cols)

    def col2im_args(n):
        cols = np.random.default_rng(0).standard_normal((channels * kernel * kernel, n, side * side))
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


def _channel_norm_cases():
    """Spatial batch norm's passes over (n, 32, 16 * 16) float64 planes."""
    from tinygrad231n.kernels import channel_norm as module

    def planes(n, seed=0):
        return np.random.default_rng(seed).standard_normal((n, 32, 256))

    return [("channel moments (32x16x16)", module._moments, "images", lambda n: (planes(n),)),
            ("channel cross sums", module._cross_sums, "images", lambda n: (planes(n, 1), planes(n), np.zeros(32))),
            ("channel affine", module._affine, "images",
             lambda n: (planes(n), planes(n, 1), np.ones(32), np.ones(32), np.zeros(32), np.empty((n, 32, 256))))]


def _norm_pool_relu_cases():
    """Batch norm, 2x2 max pool and relu fused (kernels/norm_pool_relu.py) on (n, 32, 16, 16) float32 maps."""
    from tinygrad231n.kernels import norm_pool_relu as module

    def maps(n, seed=0):
        return np.random.default_rng(seed).standard_normal((n, 32, 16, 16)).astype(np.float32)

    def pooled(n):
        return maps(n, 1)[:, :, ::2, ::2].copy(), np.zeros((n, 32, 8, 8), module.WINNER_DTYPE)

    ones, zeros = np.ones(32), np.zeros(32)
    return [("norm_pool_relu forward (32x16x16 float32)", module._forward_kernel, "images",
             lambda n: (maps(n), ones, zeros) + pooled(n)),
            ("norm_pool_relu gradient sums", module._sums_kernel, "images", lambda n: pooled(n) + (maps(n), zeros)),
            ("norm_pool_relu input gradient", module._input_gradient_kernel, "images",
             lambda n: (np.empty((n, 32, 16, 16), np.float32),) + pooled(n) + (maps(n), ones, ones, zeros))]


def _winograd_cases():
    """Winograd's transforms (kernels/winograd.py) of (n, 32, 16, 16) float32 maps, padding 1: 8x8 tiles each."""
    from tinygrad231n.kernels import winograd as module

    def maps(n, seed=0):
        return np.random.default_rng(seed).standard_normal((n, 32, 16, 16)).astype(np.float32)

    def tiles(n, seed=0):
        return np.random.default_rng(seed).standard_normal((16, n * 64, 32)).astype(np.float32)

    def planes(n, side):  # each image's scratch plane, channels last, zero where no pixel lands
        return np.zeros((n, side, side, 32), np.float32)

    return [("winograd input transform (32x16x16 float32)", module._input_transform_kernel, "images",
             lambda n: (maps(n), 1, 8, 8, np.empty((16, n * 64, 32), np.float32), planes(n, 18))),
            ("winograd input transform adjoint", module._input_transform_adjoint_kernel, "images",
             lambda n: (np.empty((n, 32, 16, 16), np.float32), tiles(n), 1, 8, 8, planes(n, 18))),
            ("winograd output transform", module._output_transform_kernel, "images",
             lambda n: (np.empty((n, 32, 16, 16), np.float32), tiles(n), 8, 8, planes(n, 16))),
            ("winograd output transform adjoint", module._output_transform_adjoint_kernel, "images",
             lambda n: (maps(n), 8, 8, np.empty((16, n * 64, 32), np.float32), planes(n, 16)))]


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
             "channel_norm": _channel_norm_cases(), "norm_pool_relu": _norm_pool_relu_cases(),
             "winograd": _winograd_cases(),
             "features": _feature_cases(), "losses": _loss_cases()}
    return {name: [case if len(case) == 5 else case + (POWERS,) for case in rows] for name, rows in table.items()}


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
    parser.add_argument("--only", default="", help="comma-separated groups: " + ", ".join(cases()))
    parser.add_argument("--max-seconds", type=float, default=0.05,
                        help="stop growing a kernel's size once its serial call takes this long")
    parser.add_argument("--after-gemm", action="store_true", help="follow each kernel call by a BLAS matrix product")
    args = parser.parse_args()
    if args.layer != "default":
        numba.config.THREADING_LAYER = args.layer  # before the first parallel call
    from tinygrad231n.threads import pin_threads
    pin_threads(args.threads)
    table = cases()
    groups = args.only.split(",") if args.only else list(table)
    for group in groups:
        for label, kernel, unit, make_args, sizes in table[group]:
            measure(label, kernel, unit, make_args, sizes, args.max_seconds, _gemm() if args.after_gemm else None)
    print(f"\nnumba {numba.__version__}, threading layer {numba.threading_layer()}, {numba.get_num_threads()} threads")


if __name__ == "__main__":
    main()
