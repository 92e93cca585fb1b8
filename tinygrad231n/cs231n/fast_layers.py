"""CS231n's fast convolution and max-pooling layers, on the core's conv and pooling ops.

    out, cache = conv_forward_fast(x, w, b, {"stride": 1, "pad": 1})
    dx, dw, db = conv_backward_fast(dout, cache)
    out, cache = max_pool_forward_fast(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    dx = max_pool_backward_fast(dout, cache)

The assignment ships several implementations under several names (im2col in Cython, as_strided,
reshape) and a Cython extension to build. Here every name runs the same core op (numba and BLAS:
nothing to build), kept under each of the assignment's names so notebook code runs unchanged.
As in the assignment, the windows must tile the padded input exactly: (H + 2 * pad - HH) must be
a multiple of the stride (the core's ops raise a ValueError naming the dimension otherwise).

Caches hold the tape (see _tape.py): pass them back unopened, any number of times. Importing this module loads
the numba kernels on tiny inputs (see _warmup.py), so a notebook's first timed call does not pay
for them.
"""
import tinygrad231n.nn.functional as F

from ._tape import backpropagate, forward_result, leaves
from ._warmup import warm_up_fast_layers
from .im2col import *  # noqa: F401,F403  the assignment's fast_layers star-imports im2col
from .im2col import __all__ as _im2col_names

__all__ = [
    "conv_forward_strides", "conv_backward_strides", "conv_forward_im2col", "conv_backward_im2col",
    "conv_forward_fast", "conv_backward_fast",
    "max_pool_forward_reshape", "max_pool_backward_reshape", "max_pool_forward_im2col", "max_pool_backward_im2col",
    "max_pool_forward_fast", "max_pool_backward_fast",
    *_im2col_names,
]


def conv_forward_strides(x, w, b, conv_param):
    """Convolution of x (N, C, H, W) with filters w (F, C, HH, WW) plus b (F,); conv_param: stride,
    pad -> (out (N, F, H', W'), cache), H' = 1 + (H + 2 * pad - HH) / stride."""
    x, w, b = leaves(x, w, b)
    out = F.conv2d(x, w, b, stride=conv_param["stride"], padding=conv_param["pad"])
    return forward_result(out, (x, w, b))


def conv_backward_strides(dout, cache):
    """dout (N, F, H', W'), cache from a conv forward -> (dx like x, dw like w, db (F,))."""
    return backpropagate("conv_backward_fast", dout, cache)


# One implementation under each of the assignment's names.
conv_forward_im2col, conv_backward_im2col = conv_forward_strides, conv_backward_strides
conv_forward_fast, conv_backward_fast = conv_forward_strides, conv_backward_strides


def max_pool_forward_fast(x, pool_param):
    """Max pooling of x (N, C, H, W) over pool_height x pool_width windows `stride` apart (no
    padding) -> (out (N, C, H', W'), cache), H' = 1 + (H - pool_height) / stride."""
    (x,) = leaves(x)
    kernel = (pool_param["pool_height"], pool_param["pool_width"])
    return forward_result(F.max_pool2d(x, kernel, stride=pool_param["stride"]), (x,))


def max_pool_backward_fast(dout, cache):
    """dout (N, C, H', W'), cache from a max-pool forward -> dx like x: each window's gradient goes
    to its maximum (the first one, in C order, when values tie)."""
    (dx,) = backpropagate("max_pool_backward_fast", dout, cache)
    return dx


max_pool_forward_reshape, max_pool_backward_reshape = max_pool_forward_fast, max_pool_backward_fast
max_pool_forward_im2col, max_pool_backward_im2col = max_pool_forward_fast, max_pool_backward_fast


# The notebook times these against the naive loops: load their kernels now (see _warmup.py).
warm_up_fast_layers(conv_forward_fast, conv_backward_fast, max_pool_forward_fast, max_pool_backward_fast)
