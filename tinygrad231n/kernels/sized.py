"""Numba kernels compiled twice, serial and threaded, and called by input size.

A kernel's outer `numba.prange` loop over rows or images pays for itself only on large
inputs: starting the thread pool costs more than a small batch (one image, 500 scores) takes.
Where each kernel switches is measured, and set, in one place: kernels/thresholds.py.
"""
import types

import numba

from .split import inside_a_slice


class SizedKernel:
    """`fn` (a prange loop over axis 0 of its first argument) as a serial and a parallel kernel;
    calls go to the parallel one when `measure(first argument)` is at least `parallel_min`: by
    default the length of that axis (rows, images); `measure=np.size` counts values instead."""

    def __init__(self, fn, parallel_min, measure=len):
        self.parallel_min, self.measure = parallel_min, measure
        # nogil: a slice of a batch (kernels/split.py) calls the serial kernel from its own thread.
        self.serial = numba.njit(cache=True, nogil=True)(fn)
        # numba's on-disk cache names entries by function name and line, not by compile options:
        # the threaded twin gets a name of its own, or the two would load each other's code.
        renamed = {"co_name": fn.__name__ + "_parallel"}
        if hasattr(fn.__code__, "co_qualname"):  # Python 3.11+; on 3.10 the cache keys on co_name alone
            renamed["co_qualname"] = fn.__qualname__ + "_parallel"
        code = fn.__code__.replace(**renamed)
        twin = types.FunctionType(code, fn.__globals__, code.co_name, fn.__defaults__, fn.__closure__)
        self.parallel = numba.njit(cache=True, parallel=True)(twin)

    def __call__(self, *args):
        threaded = self.measure(args[0]) >= self.parallel_min and not inside_a_slice()
        kernel = self.parallel if threaded else self.serial
        return kernel(*args)
