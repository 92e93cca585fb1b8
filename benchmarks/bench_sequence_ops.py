"""The sequence ops' speed at captioning sizes, as ratios against baselines timed in the same run.

    python benchmarks/bench_sequence_ops.py [--threads N]

(a) embedding backward (ops/embedding.py): 800 indices (N*T = 50*16) into a 1004 x 256 table, the
    numba scatter-add against np.add.at, float64 and float32;
(b) temporal softmax loss + gradient (ops/temporal_cross_entropy.py), N=100, T=16, V=1004, captions
    of random lengths (about 2/3 of the positions counted), float64 and float32: the fused kernel
    against CS231n's vectorized numpy (every position, then times the mask) and against the op's
    numpy reference (the counted rows only); target: no slower than vectorized numpy;
(c) an LSTM's gates, N=50, D=256, H=512, forward+backward on the tape: x @ Wx + h @ Wh + b as one
    (N, 4H) tensor, against the same product cut into four with F.split (what splitting costs);
(d) tape overhead per node: a chain of 200 elementwise ops on a 2x2 tensor, forward+backward,
    against the same arithmetic in plain numpy (forward only) and, if installed, in PyTorch.
Every library is pinned to --threads threads (default 1).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import set_threads  # noqa: E402  (pins threads at run time, through threadpoolctl and numba)

THREADS = set_threads()

import numpy as np  # noqa: E402

from common import best_time, cs231n_temporal_softmax_loss, report  # noqa: E402

import tinygrad231n.nn.functional as F  # noqa: E402
from tinygrad231n import Tensor  # noqa: E402
from tinygrad231n.ops import embedding, temporal_cross_entropy as tce  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


def embedding_backward(dtype, rng):
    vocabulary, dim = 1004, 256
    rows = rng.integers(0, vocabulary, 800)
    grad = rng.standard_normal((800, dim)).astype(dtype)
    shape = (vocabulary, dim)
    return {
        "numba scatter-add": lambda: embedding.scatter_add_rows(shape, rows, grad),
        "np.add.at": lambda: embedding.scatter_add_rows_reference(shape, rows, grad),
        "zeroed table alone": lambda: np.zeros(shape, dtype),
    }


def captions(rng, n=100, t=16, v=1004, dtype=np.float64):
    scores = rng.standard_normal((n, t, v)).astype(dtype)
    y = rng.integers(0, v, (n, t))
    lengths = rng.integers(4, t + 1, n)
    mask = np.arange(t) < lengths[:, None]
    return scores, y, mask


def temporal_loss(dtype, rng):
    scores, y, mask = captions(rng, dtype=dtype)
    loss, dscores = tce.temporal_cross_entropy_kernel(scores, y, mask)
    ref_loss, ref_dscores = cs231n_temporal_softmax_loss(scores, y, mask)
    assert np.isclose(loss, ref_loss, rtol=1e-5) and np.allclose(dscores, ref_dscores, atol=1e-6)
    return {
        "fused numba": lambda: tce.temporal_cross_entropy_kernel(scores, y, mask),
        "numpy as CS231n": lambda: cs231n_temporal_softmax_loss(scores, y, mask),
        "numpy, counted rows": lambda: tce.temporal_cross_entropy_reference(scores, y, mask),
    }


def lstm_gates(rng, n=50, d=256, h=512):
    x, prev_h = Tensor(rng.standard_normal((n, d))), Tensor(rng.standard_normal((n, h)))
    Wx = Tensor(0.01 * rng.standard_normal((d, 4 * h)), requires_grad=True)
    Wh = Tensor(0.01 * rng.standard_normal((h, 4 * h)), requires_grad=True)
    b = Tensor(np.zeros(4 * h), requires_grad=True)
    upstream = rng.standard_normal((n, 4 * h))
    parts = [Tensor(part) for part in np.split(upstream, 4, axis=1)]
    whole = Tensor(upstream)

    def one_tensor():
        ((x @ Wx + prev_h @ Wh + b) * whole).sum().backward()
        Wx.grad = Wh.grad = b.grad = None

    def split_in_four():
        gates = F.split(x @ Wx + prev_h @ Wh + b, h, axis=1)
        sum((g * p).sum() for g, p in zip(gates, parts)).backward()
        Wx.grad = Wh.grad = b.grad = None

    return {"gates as one tensor": one_tensor, "gates split in four": split_in_four}


def tape_overhead(length=200):
    a = Tensor(np.full((2, 2), 0.5), requires_grad=True)
    data = np.full((2, 2), 0.5)

    def on_tape():
        out = a
        for _ in range(length // 2):
            out = (out * 0.999) + 0.001
        out.sum().backward()
        a.grad = None

    def plain_numpy():
        out = data
        for _ in range(length // 2):
            out = (out * 0.999) + 0.001
        out.sum()

    steps = {"tape, fwd+bwd": on_tape, "numpy, fwd": plain_numpy}
    if torch is not None:
        t = torch.full((2, 2), 0.5, dtype=torch.float64, requires_grad=True)

        def pytorch():
            out = t
            for _ in range(length // 2):
                out = (out * 0.999) + 0.001
            out.sum().backward()
            t.grad = None
        steps["pytorch, fwd+bwd"] = pytorch
    return steps


def main():
    rng = np.random.default_rng(0)
    if torch is not None:
        torch.set_num_threads(THREADS)
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}, threads {THREADS}, "
          f"cpus {os.cpu_count()}")
    for dtype in (np.float64, np.float32):
        timings = {name: best_time(fn) for name, fn in embedding_backward(dtype, rng).items()}
        report(f"(a) embedding backward, 800 rows into 1004 x 256, {np.dtype(dtype).name}", timings, "np.add.at")
    for dtype in (np.float64, np.float32):
        timings = {name: best_time(fn) for name, fn in temporal_loss(dtype, rng).items()}
        report(f"(b) temporal softmax loss + gradient, N=100, T=16, V=1004, {np.dtype(dtype).name}",
               timings, "numpy as CS231n")
        print(f"  => fused / the faster numpy: "
              f"{timings['fused numba'] / min(timings['numpy as CS231n'], timings['numpy, counted rows']):.2f}x")
    timings = {name: best_time(fn) for name, fn in lstm_gates(rng).items()}
    report("(c) LSTM gates fwd+bwd, N=50, D=256, H=512, float64", timings, "gates as one tensor")
    timings = {name: best_time(fn) for name, fn in tape_overhead().items()}
    report("(d) a chain of 200 elementwise ops on 2x2", timings, "numpy, fwd")
    per_node = timings["tape, fwd+bwd"] / 200
    print(f"  => {per_node * 1e6:.1f} us per node, forward+backward "
          f"({(timings['tape, fwd+bwd'] - timings['numpy, fwd']) / 200 * 1e6:.1f} us above numpy's forward)")


if __name__ == "__main__":
    main()
