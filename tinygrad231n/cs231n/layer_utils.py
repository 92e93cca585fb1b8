"""CS231n's "sandwich" layers: common layer sequences composed from layers.py, as the assignment does.

Each layer keeps its own tape (see layers.py), so the composite's cache is the pair of caches and
its backward runs the two backwards in reverse order, handing the gradient along as an array.
"""
from .layers import affine_backward, affine_forward, relu_backward, relu_forward


def affine_relu_forward(x, w, b):
    """An affine transform followed by a ReLU: x (N, d_1, ..., d_k), w (D, M), b (M,) -> (out (N, M), cache)."""
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """dout (N, M), cache from affine_relu_forward -> (dx like x, dw (D, M), db (M,))."""
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return affine_backward(da, fc_cache)
