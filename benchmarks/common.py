"""Shared timing helpers for the benchmarks: best-of-N wall time and a ratio table."""
import argparse
import time


def set_threads(default=1):
    """Read --threads N from the command line and pin BLAS, OpenMP and numba to it now (at run time,
    through tinygrad231n.threads, which imports numpy first); returns N. Each benchmark pins torch
    itself with torch.set_num_threads(N)."""
    from tinygrad231n.threads import pin_threads
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--threads", type=int, default=default)
    threads = parser.parse_known_args()[0].threads
    pin_threads(threads)
    return threads


def best_time(fn, repeats=7, number=None, budget=0.2):
    """Best per-call seconds of `fn()` over `repeats` rounds of `number` calls each.

    `number` defaults to as many calls as fit in about `budget` seconds, so fast functions are
    timed over many calls and slow ones are not repeated needlessly. The best round is the
    least disturbed by other processes on a shared machine.
    """
    fn()  # warm-up: numba compilation, BLAS thread start-up, allocator
    if number is None:
        start = time.perf_counter()
        fn()
        one = max(time.perf_counter() - start, 1e-7)
        number = max(1, int(budget / one))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def report(title, timings, baseline):
    """Print each timing and its ratio to `timings[baseline]` (ratio > 1 means slower)."""
    print(f"\n{title}")
    base = timings[baseline]
    for name, seconds in timings.items():
        print(f"  {name:<28} {seconds * 1e3:10.3f} ms   {seconds / base:6.2f}x {baseline}")


def interleaved_rounds(fns, rounds=7, budget=0.2):
    """{name: [per-call seconds in each round]} for a dict of callables timed in turns (one round of
    each, then the next round), so that a load that comes and goes on a shared machine falls on all
    of them alike, and round r of one is comparable with round r of another; each is called
    `number` times per round, as many as fit in about `budget` seconds."""
    numbers = {}
    for name, fn in fns.items():
        fn()  # warm-up: numba compilation, BLAS thread start-up, allocator
        start = time.perf_counter()
        fn()
        numbers[name] = max(1, int(budget / max(time.perf_counter() - start, 1e-7)))
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            for _ in range(numbers[name]):
                fn()
            times[name].append((time.perf_counter() - start) / numbers[name])
    return times


# ---- baselines more than one benchmark times ----------------------------------------------------
def cs231n_temporal_softmax_loss(x, y, mask):
    """CS231n's vectorized numpy: every position, the loss and gradient then multiplied by the mask."""
    import numpy as np  # here, not at the top: a benchmark may set thread variables before numpy loads
    n, t, v = x.shape
    x_flat, y_flat, mask_flat = x.reshape(n * t, v), y.reshape(n * t), mask.reshape(n * t)
    probs = np.exp(x_flat - np.max(x_flat, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    loss = -np.sum(mask_flat * np.log(probs[np.arange(n * t), y_flat])) / n
    dx_flat = probs.copy()
    dx_flat[np.arange(n * t), y_flat] -= 1
    dx_flat /= n
    dx_flat *= mask_flat[:, None]
    return loss, dx_flat.reshape(n, t, v)
