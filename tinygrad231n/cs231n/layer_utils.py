"""CS231n's "sandwich" layers: common layer sequences composed from layers.py and fast_layers.py.

Each layer keeps its own tape (see _tape.py), so a sandwich's cache is the tuple of its layers'
caches and its backward runs their backwards in reverse order, handing the gradient along as an
array, as the assignment does. As in the assignment's file, everything in layers and fast_layers
comes with it: `from tinygrad231n.cs231n.layer_utils import *` brings affine_forward & co.
"""
from .fast_layers import *  # noqa: F401,F403
from .fast_layers import __all__ as _fast_layer_names
from .fast_layers import conv_backward_fast, conv_forward_fast, max_pool_backward_fast, max_pool_forward_fast
from .layers import *  # noqa: F401,F403
from .layers import __all__ as _layer_names
from .layers import (affine_backward, affine_forward, relu_backward, relu_forward, spatial_batchnorm_backward,
                     spatial_batchnorm_forward)

__all__ = [
    "affine_relu_forward", "affine_relu_backward", "conv_relu_forward", "conv_relu_backward",
    "conv_bn_relu_forward", "conv_bn_relu_backward", "conv_relu_pool_forward", "conv_relu_pool_backward",
    *_layer_names, *_fast_layer_names,
]


def affine_relu_forward(x, w, b):
    """An affine transform followed by a ReLU: x (N, d_1, ..., d_k), w (D, M), b (M,) -> (out (N, M), cache)."""
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """dout (N, M), cache from affine_relu_forward -> (dx like x, dw (D, M), db (M,))."""
    fc_cache, relu_cache = cache
    return affine_backward(relu_backward(dout, relu_cache), fc_cache)


def conv_relu_forward(x, w, b, conv_param):
    """A convolution followed by a ReLU: x (N, C, H, W), w (F, C, HH, WW), b (F,) -> (out (N, F, H', W'), cache)."""
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    out, relu_cache = relu_forward(a)
    return out, (conv_cache, relu_cache)


def conv_relu_backward(dout, cache):
    """dout (N, F, H', W'), cache from conv_relu_forward -> (dx, dw, db)."""
    conv_cache, relu_cache = cache
    return conv_backward_fast(relu_backward(dout, relu_cache), conv_cache)


def conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param):
    """Convolution, spatial batch norm (gamma, beta (F,); bn_param as in batchnorm_forward), ReLU."""
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    an, bn_cache = spatial_batchnorm_forward(a, gamma, beta, bn_param)
    out, relu_cache = relu_forward(an)
    return out, (conv_cache, bn_cache, relu_cache)


def conv_bn_relu_backward(dout, cache):
    """dout, cache from conv_bn_relu_forward -> (dx, dw, db, dgamma, dbeta)."""
    conv_cache, bn_cache, relu_cache = cache
    dan, dgamma, dbeta = spatial_batchnorm_backward(relu_backward(dout, relu_cache), bn_cache)
    dx, dw, db = conv_backward_fast(dan, conv_cache)
    return dx, dw, db, dgamma, dbeta


def conv_relu_pool_forward(x, w, b, conv_param, pool_param):
    """Convolution, ReLU, then max pooling (pool_param as in max_pool_forward_fast)."""
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    s, relu_cache = relu_forward(a)
    out, pool_cache = max_pool_forward_fast(s, pool_param)
    return out, (conv_cache, relu_cache, pool_cache)


def conv_relu_pool_backward(dout, cache):
    """dout, cache from conv_relu_pool_forward -> (dx, dw, db)."""
    conv_cache, relu_cache, pool_cache = cache
    ds = max_pool_backward_fast(dout, pool_cache)
    return conv_backward_fast(relu_backward(ds, relu_cache), conv_cache)
