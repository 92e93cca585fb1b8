"""Recurrent nets at captioning sizes against PyTorch CPU and numpy, timed in one run, at 1 and 2 threads.

    python benchmarks/bench_rnn.py [--rounds 7] [--threads 1 2] [--no-memory]

(a) LSTM forward+backward, N=50, T=16, D=256, H=512, float32: our nn.LSTM(batch_first=True) (one
    op, ops.Lstm) against torch.nn.LSTM with the same weights (goal: within 1.5x); beside them the
    same net composed of ops step by step, ours (F.lstm(fused=False)) and CS231n's loop in torch;
(b) temporal softmax loss forward+backward, N=100, T=16, V=1004, float32 and float64: our
    F.temporal_cross_entropy on the tape against CS231n's vectorized numpy (goal: no slower);
(c) one CaptioningRNN (LSTM) training step, N=50, T=16, D=512 features, W=256, H=512, V=1004,
    float32 (forward, loss, backward): models/captioning_rnn.py against the same model in torch
    (nn.LSTM inside; goal: within 1.5x).
Each side's time is its best round; the sides take turns round by round (common.interleaved_rounds),
and every ratio is against a baseline timed in the same run: the ratio of the best rounds, and the
median over rounds of the ratio within a round (steadier on a shared machine whose load comes and goes). BLAS, OpenMP and numba are limited
through tinygrad231n.threads, torch with torch.set_num_threads.

Peak memory: each side of (a) and (c) runs alone in a fresh process (one thread) that imports only
its own library (torch, or tinygrad231n with numpy and numba), runs a tiny LSTM and captioning
step (so numba's kernels and torch's lazy start are loaded), notes its resident set, builds the
side and takes 4 steps; it reports the peak resident set (VmHWM in /proc/self/status, which counts
numpy's and torch's allocations alike; getrusage's ru_maxrss would report the parent's size, carried
over the fork) and its rise over that resident set: the weights, activations, gradients and
temporaries.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import numpy as np  # noqa: E402

from common import cs231n_temporal_softmax_loss, interleaved_rounds, report  # noqa: E402

N, T, D, H = 50, 16, 256, 512                    # (a)
LOSS_N, LOSS_T, V = 100, 16, 1004                 # (b), and (c)'s vocabulary
FEATURES, WORDVEC, HIDDEN, BATCH = 512, 256, 512, 50  # (c)


# ---- (a) LSTM -------------------------------------------------------------------------------------
def lstm_weights(seed=0):
    """PyTorch's layout and init: weight_ih (4H, D), weight_hh (4H, H), biases (4H,), U(-1/sqrt(H), 1/sqrt(H))."""
    rng = np.random.default_rng(seed)
    bound = 1 / np.sqrt(H)
    shapes = {"weight_ih_l0": (4 * H, D), "weight_hh_l0": (4 * H, H), "bias_ih_l0": (4 * H,), "bias_hh_l0": (4 * H,)}
    return {k: rng.uniform(-bound, bound, s).astype(np.float32) for k, s in shapes.items()}


def lstm_data(seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((N, T, D)).astype(np.float32), rng.standard_normal((N, T, H)).astype(np.float32)


def lstm_ours():
    from tinygrad231n import Tensor, nn
    lstm = nn.LSTM(D, H, batch_first=True, dtype=np.float32)
    for name, array in lstm_weights().items():
        getattr(lstm, name).data = array
    x, upstream = lstm_data()
    x, upstream = Tensor(x, requires_grad=True), Tensor(upstream)

    def step():
        output, _ = lstm(x)
        (output * upstream).sum().backward()
        lstm.zero_grad()
        x.grad = None
    return step


def lstm_ours_composed():
    """The same net as F.lstm(fused=False): matmuls, slices and activations, step by step on the tape."""
    import tinygrad231n.nn.functional as F
    from tinygrad231n import Tensor
    weights = {k: Tensor(v, requires_grad=True) for k, v in lstm_weights().items()}
    x, upstream = lstm_data()
    x, upstream = Tensor(x, requires_grad=True), Tensor(upstream)
    h0 = np.zeros((N, H), np.float32)

    def step():
        b = weights["bias_ih_l0"] + weights["bias_hh_l0"]
        h, _ = F.lstm(x, h0, weights["weight_ih_l0"].T, weights["weight_hh_l0"].T, b, gate_order="ifgo", fused=False)
        (h * upstream).sum().backward()
        for w in weights.values():
            w.grad = None
        x.grad = None
    return step


def lstm_torch():
    import torch
    lstm = torch.nn.LSTM(D, H, batch_first=True)
    with torch.no_grad():
        for name, array in lstm_weights().items():
            getattr(lstm, name).copy_(torch.from_numpy(array))
    x, upstream = (torch.from_numpy(a) for a in lstm_data())
    x.requires_grad_(True)

    def step():
        output, _ = lstm(x)
        (output * upstream).sum().backward()
        lstm.zero_grad()
        x.grad = None
    return step


def lstm_torch_loop():
    """CS231n's LSTM as a loop of torch ops: one input product, then per step h @ Wh, four gates."""
    import torch
    weights = {k: torch.from_numpy(v).requires_grad_(True) for k, v in lstm_weights().items()}
    x, upstream = (torch.from_numpy(a) for a in lstm_data())
    x.requires_grad_(True)

    def step():
        Wx, Wh = weights["weight_ih_l0"].T, weights["weight_hh_l0"].T
        projected = x @ Wx + (weights["bias_ih_l0"] + weights["bias_hh_l0"])
        h = c = torch.zeros(N, H)
        hs = []
        for t in range(T):
            i, f, g, o = (projected[:, t] + h @ Wh).chunk(4, dim=1)
            c = f.sigmoid() * c + i.sigmoid() * g.tanh()
            h = o.sigmoid() * c.tanh()
            hs.append(h)
        (torch.stack(hs, dim=1) * upstream).sum().backward()
        for w in weights.values():
            w.grad = None
        x.grad = None
    return step


def check_lstm_sides_agree():
    """The two LSTMs compute the same function before their times are compared."""
    import torch
    from tinygrad231n import nn
    ours = nn.LSTM(D, H, batch_first=True, dtype=np.float32)
    theirs = torch.nn.LSTM(D, H, batch_first=True)
    with torch.no_grad():
        for name, array in lstm_weights().items():
            getattr(ours, name).data = array
            getattr(theirs, name).copy_(torch.from_numpy(array))
    x, _ = lstm_data()
    difference = np.abs(ours(x)[0].data - theirs(torch.from_numpy(x))[0].detach().numpy()).max()
    assert difference < 1e-4, f"our LSTM and torch's disagree by {difference}"


# ---- (b) temporal softmax loss --------------------------------------------------------------------
def temporal_loss_sides(dtype):
    import tinygrad231n.nn.functional as F
    from tinygrad231n import Tensor
    rng = np.random.default_rng(2)
    x = rng.standard_normal((LOSS_N, LOSS_T, V)).astype(dtype)
    y = rng.integers(0, V, (LOSS_N, LOSS_T))
    mask = np.arange(LOSS_T) < rng.integers(4, LOSS_T + 1, LOSS_N)[:, None]  # captions of random lengths
    scores = Tensor(x, requires_grad=True)

    def ours():
        F.temporal_cross_entropy(scores, y, mask).backward()
        scores.grad = None

    loss = F.temporal_cross_entropy(scores, y, mask)
    loss.backward()
    ref_loss, ref_dx = cs231n_temporal_softmax_loss(x, y, mask)
    assert np.isclose(float(loss.data), ref_loss, rtol=1e-4) and np.allclose(scores.grad, ref_dx, atol=1e-6)
    scores.grad = None
    return {"ours, on the tape": ours, "numpy as CS231n": lambda: cs231n_temporal_softmax_loss(x, y, mask)}


# ---- (c) a captioning model's training step ---------------------------------------------------------
def captioning_data(seed=3):
    """Features (N, 512) and captions (N, T + 1): <START>, words, <END>, <NULL> padding."""
    rng = np.random.default_rng(seed)
    features = rng.standard_normal((BATCH, FEATURES)).astype(np.float32)
    lengths = rng.integers(4, T, BATCH)
    captions = rng.integers(3, V, (BATCH, T + 1))
    captions[:, 0] = 1                                           # <START>
    captions[np.arange(BATCH), lengths] = 2                      # <END>
    captions[np.arange(T + 1) > lengths[:, None]] = 0            # <NULL>
    return features, captions


def vocabulary():
    words = ["<NULL>", "<START>", "<END>"] + [f"w{i}" for i in range(V - 3)]
    return {w: i for i, w in enumerate(words)}


def captioning_ours():
    from models.captioning_rnn import CaptioningRNN
    model = CaptioningRNN(vocabulary(), input_dim=FEATURES, wordvec_dim=WORDVEC, hidden_dim=HIDDEN, cell_type="lstm",
                          dtype=np.float32, seed=0)
    features, captions = captioning_data()

    def step():
        model.loss(features, captions).backward()
        model.zero_grad()
    return step


def captioning_torch():
    """The same model in torch: h0 from the features, word vectors, nn.LSTM, scores, masked
    cross-entropy summed over time and averaged over N."""
    import torch
    rng = np.random.default_rng(0)

    def draw(shape, scale):
        return torch.tensor(rng.standard_normal(shape) * scale, dtype=torch.float32, requires_grad=True)

    W_embed, W_proj = draw((V, WORDVEC), 0.01), draw((FEATURES, HIDDEN), FEATURES ** -0.5)
    W_vocab = draw((HIDDEN, V), HIDDEN ** -0.5)
    b_proj, b_vocab = torch.zeros(HIDDEN, requires_grad=True), torch.zeros(V, requires_grad=True)
    lstm = torch.nn.LSTM(WORDVEC, HIDDEN, batch_first=True)
    leaves = [W_embed, W_proj, W_vocab, b_proj, b_vocab, *lstm.parameters()]
    features, captions = (torch.from_numpy(a) for a in captioning_data())
    captions_in, captions_out = captions[:, :-1], captions[:, 1:]
    mask = (captions_out != 0).float()

    def step():
        h0 = (features @ W_proj + b_proj).unsqueeze(0)
        h, _ = lstm(W_embed[captions_in], (h0, torch.zeros_like(h0)))
        scores = h @ W_vocab + b_vocab
        losses = torch.nn.functional.cross_entropy(scores.reshape(-1, V), captions_out.reshape(-1), reduction="none")
        ((losses * mask.reshape(-1)).sum() / BATCH).backward()
        for leaf in leaves:
            leaf.grad = None
    return step


SIDES = {"lstm/ours": lstm_ours, "lstm/ours-composed": lstm_ours_composed, "lstm/torch": lstm_torch,
         "lstm/torch-loop": lstm_torch_loop,
         "captioning/ours": captioning_ours, "captioning/torch": captioning_torch}


# ---- peak memory, one side per process ------------------------------------------------------------
def measure_peak_memory(side):
    """Run in a fresh process: import one side's library, warm up, note the resident set, build `side`
    and take 4 steps; print JSON with the peak resident set (VmHWM) and its rise over the noted one."""
    if "torch" in side:
        import torch
        torch.set_num_threads(1)
    _warm_up_on_tiny_inputs(side)
    after_imports = _status_kib("VmRSS")
    step = SIDES[side]()
    for _ in range(4):
        step()
    peak = _status_kib("VmHWM")  # this process's own peak: ru_maxrss would carry over the parent's at fork
    print(json.dumps({"side": side, "imports_mib": after_imports / 1024, "peak_mib": peak / 1024,
                      "rise_mib": (peak - after_imports) / 1024}))


def _warm_up_on_tiny_inputs(side):
    """One tiny LSTM and captioning step, so that what loads at a library's first call (numba's
    compiled kernels with LLVM, torch's lazy start) is counted with the imports, not the step."""
    if "torch" in side:
        import torch
        output, _ = torch.nn.LSTM(2, 3)(torch.zeros(4, 1, 2))
        torch.nn.functional.cross_entropy(output.reshape(4, 3), torch.zeros(4, dtype=torch.long)).backward()
        return
    from models.captioning_rnn import CaptioningRNN
    from tinygrad231n import nn
    output, _ = nn.LSTM(2, 3, dtype=np.float32)(np.zeros((4, 1, 2), np.float32))
    output.sum().backward()
    model = CaptioningRNN({"<NULL>": 0, "<START>": 1, "<END>": 2}, input_dim=2, wordvec_dim=2, hidden_dim=3,
                          cell_type="lstm", seed=0)
    model.loss(np.zeros((1, 2), np.float32), np.array([[1, 2, 0]])).backward()


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def peak_memory(side):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", NUMBA_NUM_THREADS="1")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run([sys.executable, os.path.abspath(__file__), "--peak-memory", side], env=env,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---- the run ----------------------------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory processes")
    parser.add_argument("--peak-memory", metavar="SIDE", choices=sorted(SIDES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak_memory:
        return measure_peak_memory(args.peak_memory)

    import torch
    from tinygrad231n.threads import limited_threads
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # models/
    print(f"numpy {np.__version__}, torch {torch.__version__}, cpus {os.cpu_count()}, "
          f"load average {_load()} at the start")
    check_lstm_sides_agree()
    for threads in args.threads:
        torch.set_num_threads(threads)
        with limited_threads(threads):
            print(f"\n=== {threads} thread{'s' if threads > 1 else ''} (load average {_load()})")
            sides = {name: SIDES[f"lstm/{name}"]() for name in ("ours", "ours-composed", "torch", "torch-loop")}
            report_rounds(f"(a) LSTM forward+backward, N={N}, T={T}, D={D}, H={H}, float32",
                          interleaved_rounds(sides, rounds=args.rounds), "torch")
            for dtype in (np.float32, np.float64):
                report_rounds(f"(b) temporal softmax loss + gradient, N={LOSS_N}, T={LOSS_T}, V={V}, "
                              f"{np.dtype(dtype).name}", interleaved_rounds(temporal_loss_sides(dtype), rounds=args.rounds),
                              "numpy as CS231n")
            sides = {name: SIDES[f"captioning/{name}"]() for name in ("ours", "torch")}
            report_rounds(f"(c) CaptioningRNN (LSTM) training step, N={BATCH}, T={T}, D={FEATURES}, W={WORDVEC}, "
                          f"H={HIDDEN}, V={V}, float32", interleaved_rounds(sides, rounds=args.rounds), "torch")
    if not args.no_memory:
        print("\nPeak memory, each side alone in a fresh process, 1 thread: resident set after the imports and a "
              "tiny warm-up, peak resident set (VmHWM) over building it and 4 steps, and the rise")
        for side in SIDES:
            m = peak_memory(side)
            print(f"  {side:<20} imports {m['imports_mib']:7.1f} MiB   peak {m['peak_mib']:7.1f} MiB   "
                  f"rise {m['rise_mib']:7.1f} MiB")
    print(f"\nload average {_load()} at the end")


def report_rounds(title, rounds, baseline):
    """Each side's best round and its ratio to the baseline's best (common.report), then the median
    over rounds of the ratio within a round: the sides ran one after the other in each round, so a
    load that came and went hit both, where the two best rounds may come from calm and busy moments."""
    report(title, {name: min(times) for name, times in rounds.items()}, baseline)
    medians = [f"{name} {np.median(np.array(times) / np.array(rounds[baseline])):.2f}x"
               for name, times in rounds.items() if name != baseline]
    print(f"  median ratio within a round ({len(rounds[baseline])} rounds): {', '.join(medians)}")


def _load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
