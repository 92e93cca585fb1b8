"""A batch's images cut into slices that threads share out: each slice runs serial kernels.

    results = in_slices(lambda start, stop: kernel(x[start:stop], out[start:stop]), len(x), min_per_thread)

As many threads as numba's pool allows now (numba.get_num_threads(): tinygrad231n.threads pins
it) take the slices, a few per thread (SLICES_PER_THREAD, each of at least `min_per_thread`
images), the next free thread the next slice, so that a thread slowed by others on its core takes
fewer; this thread takes slices too. The work in a slice must release the GIL (numba kernels
compiled with nogil=True and numpy's matrix products do), and should take it back seldom: a few
large calls, not many small ones, since a thread waiting for the GIL may sleep, and waking it costs
this virtual machine up to half a millisecond (the im2col conv's slices paid only once their
chunks held several images, one stacked product each; ops/conv.py). While the slices run, BLAS is held to one
thread (threadpoolctl), so that each slice's products run on its own core, and it stays held for
the work between slices (`between_slices`: a batch too small to share out, the matrix product op)
while slices keep coming; work with no slices around keeps BLAS's own threads.

Why not numba's own threads (prange) and BLAS's: in a conv net's step every kernel sits between two
matrix products, and OpenBLAS's threads keep spinning for a while after each product they share,
taking the second core from whatever runs next. Threaded that way, a training step of
models.convnet.ConvNet (batch 128) took as long on two cores as on one (107 against 106 ms in a
timing script). Sliced here, with every product of the step on one BLAS thread, it took 69.4 ms on
two threads against 98.6 ms on one (`python benchmarks/bench_conv.py --threads 1 2 --repeats 7
--skip-naive`, one run, load average 1.0-1.3; PyTorch 99.3 and 145.3 ms in the same runs). Without
threadpoolctl installed (it comes with the cli extra), BLAS cannot be held to one thread, and
everything runs in one piece.
"""
import contextlib
import itertools
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait

import numba
import numpy as np

_pool = None
_pool_lock = threading.Lock()
_blas = None  # threadpoolctl's controllers of the loaded BLAS libraries (a list), found on first use
_slice_state = threading.local()
SLICES_PER_THREAD = 4  # a thread slowed by others on its core takes fewer slices
# How long after slices ran the work between them keeps BLAS on one thread (between_slices): longer than
# the gap between two training steps of a conv net.
SLICED_WORK_SECONDS = 1.0
_last_shared = float("-inf")  # perf_counter() when slices last ran


def in_slices(fn, n, min_per_thread):
    """[fn(start, stop) for each slice of range(n), in order]: the slices shared out among threads; see the module.
    Called from inside a slice, it runs fn(0, n) there (the threads are all taken)."""
    global _last_shared
    threads = 1 if inside_a_slice() else _thread_count()
    if threads == 1 or _blas_libraries() is None:
        return [fn(0, n)]
    slices = min(threads * SLICES_PER_THREAD, n // max(1, min_per_thread))
    if slices <= 1:  # too small to share out
        with between_slices():
            return [fn(0, n)]
    bounds = slice_bounds(n, slices)
    results = [None] * slices
    next_slice = itertools.count()  # each thread takes the next slice when done with one (next() holds the GIL)

    def take_slices():
        _slice_state.inside = True
        try:
            while (k := next(next_slice)) < slices:
                results[k] = fn(bounds[k], bounds[k + 1])
        finally:
            _slice_state.inside = False

    with one_blas_thread():
        helpers = [_executor().submit(take_slices) for _ in range(min(threads, slices) - 1)]
        try:
            take_slices()
        finally:
            for helper in helpers:  # a helper not started yet (its thread still waking up) has nothing left to do
                helper.cancel()
            wait(helpers)  # every slice done before BLAS gets its threads back, even if one failed
        for helper in helpers:
            if not helper.cancelled():
                helper.result()  # raises a helper's exception here
    _last_shared = time.perf_counter()
    return results


def between_slices():
    """For work that is not sliced (a matrix product, a batch too small to share out): BLAS held to one
    thread if slices ran in the last SLICED_WORK_SECONDS (more will follow, and BLAS's threads, once woken,
    would spin through them), else left to BLAS's own threads, which serve work with no slices around
    (a fully connected net's products) better than slices would."""
    if time.perf_counter() - _last_shared > SLICED_WORK_SECONDS or _thread_count() == 1 or inside_a_slice():
        return contextlib.nullcontext()
    return one_blas_thread()


@contextlib.contextmanager
def one_blas_thread():
    """BLAS held to one thread for the block (if threadpoolctl is installed); see the module for why.
    It sets each library's count directly (4 us) rather than through threadpoolctl's limit (13 us):
    products pass through here every step."""
    libraries = _blas_libraries() or []
    before = [library.get_num_threads() for library in libraries]
    if all(count == 1 for count in before):
        yield
        return
    for library in libraries:
        library.set_num_threads(1)
    try:
        yield
    finally:
        for library, count in zip(libraries, before):
            library.set_num_threads(count)


def inside_a_slice():
    """Whether this thread is running a slice now: kernels/sized.py then keeps numba's threads out (the
    command line's workqueue threads abort when two threads start parallel loops at once)."""
    return getattr(_slice_state, "inside", False)


def images_holding(values, batch):
    """The fewest of batch's images (at least 1) that hold `values` values: a threshold in values, for in_slices."""
    per_image = batch[0].size if len(batch) else 1
    return max(1, -(-values // max(1, per_image)))


def joined(results):
    """The slices' results, each a tuple of per-image arrays, joined in order: a tuple of (n, ...) arrays."""
    return tuple(np.concatenate(parts) for parts in zip(*results))


def slice_bounds(n, slices):
    """[0, ..., n]: `slices` (at least 1) contiguous slices of range(n), their sizes differing by at most one."""
    slices = max(1, min(slices, n))
    return [n * k // slices for k in range(slices + 1)]


def _thread_count():
    return numba.get_num_threads()


def _blas_libraries():
    """threadpoolctl's controller of each loaded BLAS library, or None without threadpoolctl."""
    global _blas
    if _blas is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _blas = False
        else:
            _blas = ThreadpoolController().select(user_api="blas").lib_controllers
    return _blas if _blas is not False else None


def _executor():
    """The worker threads, made on first use; a forked child makes its own (a fork keeps no threads)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=max(1, numba.config.NUMBA_NUM_THREADS - 1),
                                       thread_name_prefix="tinygrad231n-slice")
        return _pool


def _forget_pool_in_child():
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_pool_in_child)
