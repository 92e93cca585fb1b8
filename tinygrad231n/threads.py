"""How many threads the numeric libraries use, set at run time in one place.

    pin_threads(1)                      # BLAS/OpenMP (threadpoolctl) and numba's pool, from now on
    with limited_threads(2): ...        # the same for a block, then back as before

threadpoolctl (the `cli` extra) changes the thread pools of the BLAS and OpenMP libraries already loaded, so call
these after numpy (and torch, if used) are imported; numba's pool is limited with
numba.set_num_threads (at most the pool it started with, NUMBA_NUM_THREADS).
On a small shared machine one thread per process is often fastest: threads fighting over the cores
slow the matmuls down several times. Fewer BLAS threads also change the order of float32 sums,
so the last digits of a float32 net's results.
"""
import contextlib
import ctypes
import os

import numba
import numpy  # noqa: F401  (loaded first, so that threadpoolctl finds its BLAS)

from .extras import require


def pin_threads(threads):
    """Limit BLAS, OpenMP and numba to `threads` threads (an int >= 1) from now on."""
    _check(threads)
    _threadpool_limits()(limits=threads)
    _set_numba_threads(threads)


@contextlib.contextmanager
def limited_threads(threads):
    """`pin_threads(threads)` for the block, then the earlier limits again; None changes nothing."""
    if threads is None:
        yield
        return
    _check(threads)
    previous = numba.get_num_threads()
    with _threadpool_limits()(limits=threads):
        _set_numba_threads(threads)
        try:
            yield
        finally:
            numba.set_num_threads(previous)


def calm_numba_workers():
    """Run numba's parallel kernels on its "workqueue" threads, unless NUMBA_THREADING_LAYER says otherwise.

    numba's default (OpenMP) workers keep spinning after each parallel loop; on a small machine they
    then take the cores from BLAS's threads, and a conv net's training step measured 5x slower with
    2 threads than with 1. Workqueue threads sleep between loops. This only takes effect before
    numba's first parallel call in the process, so the command line calls it first thing; the
    library itself leaves a notebook's numba settings alone.
    """
    if "NUMBA_THREADING_LAYER" not in os.environ:
        numba.config.THREADING_LAYER = "workqueue"


# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_MAX, _M_ARENA_MAX = -1, -4, -8


def reuse_freed_memory():
    """Have glibc's malloc keep freed memory for the next arrays, instead of handing it back to the system.

    By default each large numpy array is a fresh mapping: every page faults in on first touch, and
    every free unmaps it, which, while a second thread of the process runs on another core, costs a
    TLB shootdown there. A conv net's step makes and frees dozens of such arrays: ConvNet's training
    step (batch 128, float32) on 2 threads took 89.0 ms with glibc's defaults and 63.9 ms with this
    (PyTorch's 108.3 and 75.0 ms in the same processes; `python benchmarks/bench_conv.py --threads 2
    --repeats 7 --skip-naive [--default-malloc]`, one run each, load average 0.5-1.0). Here large
    blocks come from the one heap (no separate mappings, one arena for all threads) and the heap's top
    is never trimmed: the process keeps its high-water mark. Like
    calm_numba_workers, the command line calls it first thing; the library leaves a notebook's
    allocator alone. Returns whether it applied (False off glibc).
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to set
        return False
    return all(mallopt(option, value) == 1 for option, value in
               ((_M_ARENA_MAX, 1), (_M_MMAP_MAX, 0), (_M_TRIM_THRESHOLD, 2 ** 31 - 1)))


def check_thread_control():
    """MissingExtra (naming the cli extra) now, if threadpoolctl is not installed, for a caller whose
    threads are limited later and elsewhere (each task of a local sweep), where it would fail once per task."""
    _threadpool_limits()


def _threadpool_limits():
    """threadpoolctl's threadpool_limits: it comes with the cli extra, as only pinning threads needs it."""
    return require("threadpoolctl", extra="cli", needed_for="setting the number of threads").threadpool_limits


def _set_numba_threads(threads):
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))  # numba refuses more than its pool


def _check(threads):
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be an integer >= 1, got {threads!r}")
