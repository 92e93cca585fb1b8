"""Convolutional nets' speed and memory against PyTorch CPU, measured in the same run.

    python benchmarks/bench_conv.py [--threads 1 2] [--repeats 5] [--batch 128] [--skip-naive] [--clock cpu]

(a) forward + backward of one conv 3x3, N=128, 32 -> 32 channels, 32x32, padding 1 (float32 and
    float64), and forward alone;
(b) forward + backward of 2x2 max pooling, stride 2, on (128, 32, 32, 32), float32;
(c) CS231n's naive loops (tinygrad231n.cs231n.naive_layers: conv_forward/backward_naive) against
    the same op, on a small problem (N=2, 3 -> 8 channels, 16x16);
(d) one training step of models.convnet.ConvNet (channels 32-64-128, batch norm, no augmentation:
    a random crop would differ between the two), float32, batch 128: forward, cross-entropy,
    backward, SGD update, from the same weights on the same batch. The step's peak memory is
    reported next to PyTorch's: each runs in a fresh process, warms up on a batch of 16 (numba's
    kernels, serial and threaded, and torch's code load), and reports how far one full step raises
    the process's peak resident set (VmHWM, reset through /proc/self/clear_refs) above what it held before the step.
Each thread count given to --threads runs (a) to (d) in a fresh process of its own, one after the other
(BLAS, OpenMP and numba limited through tinygrad231n.threads, torch with torch.set_num_threads); the
load average is printed at the start, for each thread count and at the end. Beside each time of (a) and (d) stands
its rate of convolution work, GFLOP/s: direct-convolution FLOPs (2 * N * F * C * kh * kw * Hout * Wout
per product; forward + backward is three products, dx and dw each as costly as the output; a
scheme needing fewer multiplies counts at the direct cost) over the time, and that rate as a share
of numpy's float32 sgemm timed in the same run (SGEMM_SIZE^3, the same thread count).
Targets (issue 17): (d) at most 0.75x PyTorch at 1 and 2 threads; (a) float32 >= 80 GFLOP/s on one
thread. Contenders are timed in interleaved rounds (rotating who goes first) and the best round of
each counts, so load on a shared machine hits them alike.
Before timing, each pair is checked to compute the same numbers.

    --clock cpu   time the process's CPU seconds instead of wall seconds: with one thread on a
                  loaded machine the steadier measure (waiting for a core does not count)
    --default-malloc  leave glibc's malloc as it comes; by default both contenders run with the command
                  line's settings (tinygrad231n.threads.reuse_freed_memory)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from common import set_threads  # noqa: E402  (pins threads at run time, through threadpoolctl and numba)
from tinygrad231n.threads import calm_numba_workers, reuse_freed_memory  # noqa: E402

calm_numba_workers()  # numba's threads as the command line has them (workqueue), before any parallel kernel
if "--default-malloc" not in sys.argv:
    reuse_freed_memory()  # and malloc as the command line has it (for both contenders)
THREADS = set_threads()

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from common import report  # noqa: E402

import tinygrad231n.nn.functional as F  # noqa: E402
from models.convnet import ConvNet  # noqa: E402
from tinygrad231n import Tensor, nn  # noqa: E402
from tinygrad231n.cs231n.naive_layers import conv_backward_naive, conv_forward_naive  # noqa: E402
from tinygrad231n.threads import limited_threads  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

LEARNING_RATE = 1e-2
SGEMM_SIZE = 1024  # the reference product: (1024, 1024) @ (1024, 1024), float32


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = CLOCKS["wall"]


def interleaved_best(contenders, repeats):
    """Best seconds per call of each contender over `repeats` rounds of one call each (after a warm-up)."""
    names = list(contenders)
    for fn in contenders.values():
        fn()
    best = dict.fromkeys(names, float("inf"))
    for round_ in range(repeats):
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:
            start = clock()
            contenders[name]()
            best[name] = min(best[name], clock() - start)
    return best


def check_close(name, ours, theirs, dtype):
    tolerance = 1e-9 if dtype == np.float64 else 2e-3
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    error = np.abs(ours - theirs).max() / max(np.abs(theirs).max(), 1e-30)
    if not error <= tolerance:
        raise AssertionError(f"bench_conv: {name} differs from PyTorch's by {error:.3g} (relative to its largest "
                             f"value; tolerance {tolerance}): the contenders are not doing the same work")


def conv_layer(dtype, batch, repeats):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 32, 32, 32)).astype(dtype)
    w = (0.1 * rng.standard_normal((32, 32, 3, 3))).astype(dtype)
    b, grad = np.zeros(32, dtype), rng.standard_normal((batch, 32, 32, 32)).astype(dtype)
    ours = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    torch_grad = torch.from_numpy(grad)

    def ours_step():
        out = F.conv2d(*ours, padding=1)
        out.backward(grad)
        return [out.data] + [t.grad for t in ours]

    def torch_step():
        out = torch.nn.functional.conv2d(*theirs, padding=1)
        out.backward(torch_grad)
        return [out.detach().numpy()] + [t.grad.numpy() for t in theirs]

    for name, a, t in zip(("output", "dx", "dw", "db"), ours_step(), torch_step()):
        check_close(f"conv {name}", a, t, dtype)

    def clear(tensors):
        for t in tensors:
            t.grad = None

    timings = interleaved_best({
        "tinygrad231n": lambda: (ours_step(), clear(ours)),
        "pytorch": lambda: (torch_step(), clear(theirs)),
        "tinygrad231n forward": lambda: F.conv2d(*(t.detach() for t in ours), padding=1),
        "pytorch forward": lambda: torch.nn.functional.conv2d(*(t.detach() for t in theirs), padding=1),
    }, repeats)
    return timings


def max_pool_layer(batch, repeats):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 32, 32, 32)).astype(np.float32)
    grad = rng.standard_normal((batch, 32, 16, 16)).astype(np.float32)
    ours, theirs, torch_grad = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True), torch.from_numpy(grad)

    def ours_step():
        F.max_pool2d(ours, 2).backward(grad)
        ours.grad = None

    def torch_step():
        torch.nn.functional.max_pool2d(theirs, 2).backward(torch_grad)
        theirs.grad = None

    return interleaved_best({"tinygrad231n": ours_step, "pytorch": torch_step}, repeats)


def naive_loops(repeats):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 16, 16)), rng.standard_normal((8, 3, 3, 3)), rng.standard_normal(8)
    grad = rng.standard_normal((2, 8, 16, 16))
    ours = [Tensor(a, requires_grad=True) for a in (x, w, b)]

    def naive_step():
        out, cache = conv_forward_naive(x, w, b, {"stride": 1, "pad": 1})
        return (out,) + conv_backward_naive(grad, cache)

    def ours_step():
        out = F.conv2d(*ours, padding=1)
        out.backward(grad)
        result = [out.data] + [t.grad for t in ours]
        for t in ours:
            t.grad = None
        return result

    for name, a, t in zip(("output", "dx", "dw", "db"), ours_step(), naive_step()):
        check_close(f"naive conv {name}", a, t, np.float64)
    return interleaved_best({"tinygrad231n": ours_step, "naive loops": naive_step}, repeats)


def torch_convnet(model):
    """The same architecture in torch.nn, holding copies of `model`'s weights."""
    layers = []
    for layer in model.network:
        if isinstance(layer, nn.Conv2d):
            copy = torch.nn.Conv2d(layer.in_channels, layer.out_channels, 3, padding=1, bias=False)
            copy.weight.data = torch.tensor(layer.weight.data)
        elif isinstance(layer, nn.BatchNorm2d):
            copy = torch.nn.BatchNorm2d(layer.num_features, momentum=1 - layer.momentum)  # PyTorch's convention
            copy.weight.data, copy.bias.data = torch.tensor(layer.weight.data), torch.tensor(layer.bias.data)
            if isinstance(layer, nn.BatchNorm2dPoolReLU):  # our one fused layer is three of torch's
                layers += [copy, torch.nn.MaxPool2d(2)]
                copy = torch.nn.ReLU()
        elif isinstance(layer, nn.MaxPool2d):
            copy = torch.nn.MaxPool2d(2)
        elif isinstance(layer, nn.ReLU):
            copy = torch.nn.ReLU()
        elif isinstance(layer, nn.Flatten):
            copy = torch.nn.Flatten()
        else:
            copy = torch.nn.Linear(*layer.weight.shape)
            copy.weight.data = torch.tensor(layer.weight.data.T.copy())  # ours is (in, out), torch's (out, in)
            copy.bias.data = torch.tensor(layer.bias.data)
        layers.append(copy)
    return torch.nn.Sequential(*layers)


def peak_rise_bytes(fn):
    """How far one call of fn raises the process's peak resident memory above what it held before."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # resets VmHWM to the current resident size
    before = _status_kib("VmRSS")
    fn()
    return (_status_kib("VmHWM") - before) * 1024


def _status_kib(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"bench_conv: no {field} in /proc/self/status")


def step_memory(name, batch, threads):
    """Peak memory rise of one ConvNet step of contender `name`, measured in a fresh process."""
    command = [sys.executable, __file__, "--memory-of", name, "--batch", str(batch), "--threads", str(threads)]
    command += ["--default-malloc"] if "--default-malloc" in sys.argv else []
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return int(result.stdout.split()[-1])


def convnet_steps(batch, seed=0):
    """(tinygrad231n step, torch step, X, y): one SGD step each, from the same weights, on one batch."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    model = ConvNet(augment=False, dtype=np.float32, seed=0).train()
    twin = torch_convnet(model).train()
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)

    def ours_step(X=X, y=y):
        model.zero_grad()
        loss = model.loss(X, y)
        loss.backward()
        for p in model.parameters():
            p.data -= LEARNING_RATE * p.grad
        return loss.item()

    def torch_step(X=tX, y=ty):
        loss = torch.nn.functional.cross_entropy(twin(X), y)
        loss.backward()
        with torch.no_grad():
            for p in twin.parameters():
                p -= LEARNING_RATE * p.grad
                p.grad = None
        return loss.item()

    return ours_step, torch_step, X, y


def measure_memory_here(name, batch):
    """The child's side of step_memory: warm up on 16 images, then one full step; prints the rise in bytes."""
    ours_step, torch_step, X, y = convnet_steps(batch)
    step = ours_step if name == "tinygrad231n" else lambda X, y: torch_step(torch.from_numpy(X), torch.from_numpy(y))
    step(X[:16], y[:16])
    print(peak_rise_bytes(lambda: step(X, y)))


def convnet_step(batch, repeats, threads):
    ours_step, torch_step, _, _ = convnet_steps(batch)
    check_close("ConvNet's first loss", ours_step(), torch_step(), np.float32)
    check_close("ConvNet's second loss", ours_step(), torch_step(), np.float32)  # after one identical update
    memory = {name: step_memory(name, batch, threads) for name in ("tinygrad231n", "pytorch")}
    return interleaved_best({"tinygrad231n": ours_step, "pytorch": torch_step}, repeats), memory


def conv_flops(batch, channels_in, channels_out, kernel, out_pixels):
    """Direct-convolution FLOPs of one product (the forward; dx and dw cost as much each)."""
    return 2 * batch * channels_out * channels_in * kernel * kernel * out_pixels


def convnet_step_flops(batch, input_dim=(3, 32, 32)):
    """Convolution FLOPs of one ConvNet training step: three products per conv, two for the first
    (no one needs the gradient of the images); the affine layer and the rest are left out."""
    model = ConvNet(augment=False, dtype=np.float32, seed=0)
    size, total = input_dim[1] * input_dim[2], 0
    for layer in model.network:
        if isinstance(layer, nn.Conv2d):
            products = 2 if total == 0 else 3
            total += products * conv_flops(batch, layer.in_channels, layer.out_channels, 3, size)
        elif isinstance(layer, (nn.MaxPool2d, nn.BatchNorm2dPoolReLU)):
            size //= 4
    return total


def sgemm_rate(repeats):
    """numpy's float32 matrix product's FLOP/s at SGEMM_SIZE, best of `repeats` (at the current threads)."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((SGEMM_SIZE, SGEMM_SIZE)).astype(np.float32) for _ in range(2))
    seconds = interleaved_best({"sgemm": lambda: a @ b}, repeats)["sgemm"]
    return 2 * SGEMM_SIZE ** 3 / seconds


def report_rates(timings, names, flops, sgemm):
    """Each contender's GFLOP/s of convolution work and its share of the sgemm rate."""
    for name in names:
        rate = flops / timings[name]
        print(f"    {name:<26} {rate / 1e9:6.1f} GFLOP/s  {rate / sgemm:5.0%} of sgemm")


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_at(threads, args):
    """(a) to (d) at `threads` threads; returns {figure: ratio to PyTorch}."""
    sgemm = sgemm_rate(args.repeats)
    print(f"\n=== {threads} thread{'s' if threads > 1 else ''} (load average {load()}); numpy sgemm "
          f"{SGEMM_SIZE}^3 float32: {sgemm / 1e9:.1f} GFLOP/s")
    ratios = {}
    flops = 3 * conv_flops(args.batch, 32, 32, 3, 32 * 32)
    for dtype in (np.float32, np.float64):
        timings = conv_layer(dtype, args.batch, args.repeats)
        report(f"(a) conv 3x3, 32 -> 32 channels, 32x32, padding 1, {np.dtype(dtype).name}: forward + backward",
               {k: timings[k] for k in ("tinygrad231n", "pytorch")}, "pytorch")
        if dtype == np.float32:
            report_rates(timings, ("tinygrad231n", "pytorch"), flops, sgemm)
        report("    forward only", {k: timings[k] for k in ("tinygrad231n forward", "pytorch forward")}, "pytorch forward")
        if dtype == np.float32:
            report_rates(timings, ("tinygrad231n forward", "pytorch forward"), flops / 3, sgemm)
        ratios[f"conv fwd+bwd {np.dtype(dtype).name}"] = timings["tinygrad231n"] / timings["pytorch"]
    timings = max_pool_layer(args.batch, args.repeats)
    report("(b) max pool 2x2, stride 2, on (N, 32, 32, 32) float32: forward + backward", timings, "pytorch")
    ratios["max pool fwd+bwd float32"] = timings["tinygrad231n"] / timings["pytorch"]
    if not args.skip_naive:
        timings = naive_loops(max(1, args.repeats // 2))
        report("(c) conv 3x3, N=2, 3 -> 8 channels, 16x16, float64: forward + backward", timings, "tinygrad231n")
    timings, memory = convnet_step(args.batch, args.repeats, threads)
    report("(d) ConvNet training step (32-64-128, batch norm), float32", timings, "pytorch")
    report_rates(timings, ("tinygrad231n", "pytorch"), convnet_step_flops(args.batch), sgemm)
    print("    peak memory rise during one step: " + ", ".join(f"{name} {size / 2 ** 20:.0f} MiB"
                                                            for name, size in memory.items()))
    ratios["ConvNet step float32"] = timings["tinygrad231n"] / timings["pytorch"]
    return ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1], help="thread counts, each run in turn")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds; the best of each counts")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--skip-naive", action="store_true", help="leave out (c), the naive loops")
    parser.add_argument("--clock", choices=CLOCKS, default="wall", help="wall seconds or the process's CPU seconds")
    parser.add_argument("--default-malloc", action="store_true",
                        help="leave glibc's malloc as it comes (tinygrad231n.threads.reuse_freed_memory is skipped)")
    parser.add_argument("--memory-of", choices=("tinygrad231n", "pytorch"), help=argparse.SUPPRESS)
    parser.add_argument("--ratios-json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if torch is None:
        sys.exit("bench_conv: PyTorch is the baseline here; install it with pip install -e '.[bench]'")
    torch.set_num_threads(THREADS)
    if args.memory_of:
        return measure_memory_here(args.memory_of, args.batch)
    global clock
    clock = CLOCKS[args.clock]
    if len(args.threads) > 1:
        return run_each_in_its_own_process(args)
    threads = args.threads[0]
    print(f"numpy {np.__version__}, torch {torch.__version__}, threads {threads}, cpus {os.cpu_count()}, "
          f"batch {args.batch}, {args.clock} clock; load average {load()} at the start")
    torch.set_num_threads(threads)
    with limited_threads(threads):
        ratios = run_at(threads, args)
    print(f"\nload average {load()} at the end")
    if args.ratios_json:
        print(json.dumps(ratios))
        return
    print_ratios({threads: ratios})


def run_each_in_its_own_process(args):
    """Each thread count in a fresh process, one after the other, so that no count starts with thread
    pools (torch's OpenMP, OpenBLAS's, numba's) sized and warmed by another; the child prints its
    figures and, last, its ratios as JSON for the summary here."""
    print(f"load average {load()} at the start")
    ratios = {}
    for threads in args.threads:
        command = [sys.executable, __file__, "--threads", str(threads), "--repeats", str(args.repeats),
                   "--batch", str(args.batch), "--clock", args.clock, "--ratios-json"]
        command += ["--default-malloc"] if args.default_malloc else []
        lines = subprocess.run(command + (["--skip-naive"] if args.skip_naive else []), capture_output=True,
                               text=True, check=True).stdout.rstrip().splitlines()
        print(f"\n======== --threads {threads}\n" + "\n".join(lines[:-1]))
        ratios[threads] = json.loads(lines[-1])
    print(f"\nload average {load()} at the end")
    print_ratios(ratios)


def print_ratios(ratios):
    print("ratios to PyTorch (targets: the ConvNet step <= 0.75x at every thread count):")
    for threads, figures in ratios.items():
        for name, ratio in figures.items():
            print(f"  {threads} thread{'s' if threads > 1 else ' '}  {name:<28} {ratio:6.2f}x")


if __name__ == "__main__":
    main()
