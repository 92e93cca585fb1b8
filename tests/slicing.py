"""Forcing kernels/split.py to cut batches into slices, whatever this machine's thread count and the thresholds."""
import contextlib
from unittest import mock

from tinygrad231n.kernels import split


@contextlib.contextmanager
def sliced(*thresholds, threads=3):
    """in_slices as with `threads` threads, and each (module, constant name) in `thresholds` at 1:
    every batch of two or more images those thresholds guard is cut into slices that run on the pool."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(split, "_thread_count", lambda: threads))
        for module, name in thresholds:
            stack.enter_context(mock.patch.object(module, name, 1))
        yield
