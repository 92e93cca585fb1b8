"""CS231n's layers as forward/backward function pairs on numpy arrays, computed by the core's tape.

    out, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)

Each forward wraps its inputs in fresh Tensors that require grad, runs the core's ops, and returns
the output array with a cache holding the tape (see _tape.py); each backward seeds the tape with
`dout` and reads the inputs' gradients. So the math lives once, in the core's ops; these
functions only translate between the two calling conventions. The exceptions are the naive
convolution and pooling loops (naive_layers.py), the assignment's own references.

As in the assignment, a cache can be backpropagated any number of times, each backward giving
that call's gradients (the tape is kept, not freed). As in the assignment too, the cache refers
to the input arrays without copying them (see _tape.py for what writing into them does).

Conventions kept from the assignment: `bn_param` / `ln_param` / `gn_param` / `dropout_param` are
dicts; batch norm keeps `running_mean` / `running_var` in bn_param (starting at zeros, updated in
place as `running = momentum * running + (1 - momentum) * batch statistic`, momentum 0.9, biased
variance);
eps defaults to 1e-5; dropout's `p` is the probability of KEEPING a unit.
"""
import numpy as np

import tinygrad231n.nn.functional as F
from tinygrad231n import ops

from ._tape import backpropagate, forward_result, leaves, loss_and_gradient
from .naive_layers import conv_backward_naive, conv_forward_naive, max_pool_backward_naive, max_pool_forward_naive

__all__ = [
    "affine_forward", "affine_backward", "relu_forward", "relu_backward", "svm_loss", "softmax_loss",
    "batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt", "layernorm_forward", "layernorm_backward",
    "dropout_forward", "dropout_backward", "conv_forward_naive", "conv_backward_naive", "max_pool_forward_naive",
    "max_pool_backward_naive", "spatial_batchnorm_forward", "spatial_batchnorm_backward",
    "spatial_groupnorm_forward", "spatial_groupnorm_backward",
]


def affine_forward(x, w, b):
    """out = x.reshape(N, D) @ w + b.

    x (N, d_1, ..., d_k) with D = d_1 * ... * d_k, w (D, M), b (M,) -> (out (N, M), cache).
    """
    x, w, b = leaves(x, w, b)
    if w.ndim != 2 or b.shape != (w.shape[1],):
        raise ValueError(f"affine_forward: expected w (D, M) and b (M,), got w {w.shape} and b {b.shape}")
    flat = x.reshape(x.shape[0], -1)
    if flat.shape[1] != w.shape[0]:
        raise ValueError(f"affine_forward: each of the N = {x.shape[0]} inputs of shape {x.shape[1:]} has "
                         f"D = {flat.shape[1]} values, but w {w.shape} expects D = {w.shape[0]}")
    return forward_result(flat @ w + b, (x, w, b))


def affine_backward(dout, cache):
    """dout (N, M), cache from affine_forward -> (dx like x, dw (D, M), db (M,))."""
    return backpropagate("affine_backward", dout, cache)


def relu_forward(x):
    """out = max(x, 0) elementwise; x of any shape -> (out like x, cache)."""
    (x,) = leaves(x)
    return forward_result(F.relu(x), (x,))


def relu_backward(dout, cache):
    """dout like x, cache from relu_forward -> dx like x (0 where x <= 0, as the assignment's x > 0 mask)."""
    (dx,) = backpropagate("relu_backward", dout, cache)
    return dx


def svm_loss(x, y):
    """Multiclass SVM loss, margin 1, averaged over N: x (N, C) scores, y (N,) labels in 0..C-1.

    Returns (loss as a float, dx (N, C)): the core's fused F.multiclass_hinge.
    """
    return loss_and_gradient(F.multiclass_hinge, x, y)


def softmax_loss(x, y):
    """Softmax cross-entropy averaged over N: x (N, C) scores, y (N,) labels in 0..C-1.

    Returns (loss as a float, dx (N, C)): the core's fused F.cross_entropy.
    """
    return loss_and_gradient(F.cross_entropy, x, y)


# ---- normalization -------------------------------------------------------------------------------

def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch norm of x (N, D) per feature: train mode uses the batch's mean and variance and moves
    bn_param's running averages; test mode uses the running averages.

    gamma, beta (D,); bn_param: mode ("train" or "test", required), eps, momentum, running_mean,
    running_var (written back). Returns (out (N, D), cache).
    """
    return _batchnorm_forward("batchnorm_forward", x, gamma, beta, bn_param, ndim=2, form="(N, D)")


def batchnorm_backward(dout, cache):
    """dout (N, D), cache from batchnorm_forward -> (dx (N, D), dgamma (D,), dbeta (D,))."""
    return backpropagate("batchnorm_backward", dout, cache)


def batchnorm_backward_alt(dout, cache):
    """The same gradients as batchnorm_backward. The assignment asks for a second, simplified
    derivation here; the core's BatchNorm op already uses the simplified formula (ops/batchnorm.py)."""
    return backpropagate("batchnorm_backward_alt", dout, cache)


def layernorm_forward(x, gamma, beta, ln_param):
    """Layer norm: each row of x (N, D) normalized over its D features (the same in train and
    test), then scaled by gamma (D,) and shifted by beta (D,). ln_param: eps. -> (out (N, D), cache)."""
    x, gamma, beta = leaves(x, gamma, beta)
    return forward_result(F.layer_norm(x, gamma, beta, eps=ln_param.get("eps", 1e-5)), (x, gamma, beta))


def layernorm_backward(dout, cache):
    """dout (N, D), cache from layernorm_forward -> (dx (N, D), dgamma (D,), dbeta (D,))."""
    return backpropagate("layernorm_backward", dout, cache)


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Batch norm of images x (N, C, H, W) per channel, over all N * H * W positions.

    gamma, beta (C,); bn_param as in batchnorm_forward. -> (out (N, C, H, W), cache).
    """
    return _batchnorm_forward("spatial_batchnorm_forward", x, gamma, beta, bn_param, ndim=4,
                              form="images (N, C, H, W)")


def spatial_batchnorm_backward(dout, cache):
    """dout (N, C, H, W), cache from spatial_batchnorm_forward -> (dx, dgamma (C,), dbeta (C,))."""
    return backpropagate("spatial_batchnorm_backward", dout, cache)


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Group norm: the C channels of each image in G groups of C // G, each group normalized over
    its channels and positions; then per-channel gamma, beta of shape (1, C, 1, 1).

    x (N, C, H, W), C divisible by G; gn_param: eps. -> (out (N, C, H, W), cache).
    """
    x, gamma, beta = leaves(x, gamma, beta)
    return forward_result(F.group_norm(x, G, gamma, beta, eps=gn_param.get("eps", 1e-5)), (x, gamma, beta))


def spatial_groupnorm_backward(dout, cache):
    """dout (N, C, H, W), cache from spatial_groupnorm_forward -> (dx, dgamma, dbeta (1, C, 1, 1))."""
    return backpropagate("spatial_groupnorm_backward", dout, cache)


def _batchnorm_forward(name, x, gamma, beta, bn_param, ndim, form):
    """(out, cache) of F.batch_norm on x, which must have `ndim` axes (`form`, for the error), in
    bn_param's mode, moving its running averages in place (the arrays in bn_param keep their
    identity, as the assignment's do)."""
    x, gamma, beta = leaves(x, gamma, beta)
    if x.ndim != ndim:
        raise ValueError(f"{name}: x must be {form}, got shape {x.shape}")
    mode, running_mean, running_var = _bn_state(name, bn_param, x.shape[1], x.dtype)
    out = F.batch_norm(x, gamma, beta, running_mean, running_var, training=mode == "train",
                       momentum=bn_param.get("momentum", 0.9), eps=bn_param.get("eps", 1e-5))
    return forward_result(out, (x, gamma, beta))


def _bn_state(name, bn_param, num_features, dtype):
    """bn_param's mode, and its running averages, created as zeros (as the assignment does) if absent."""
    mode = bn_param.get("mode")
    if mode not in ("train", "test"):
        raise ValueError(f'{name}: invalid bn_param["mode"] {mode!r}; expected "train" or "test"')
    running = [bn_param.setdefault(key, np.zeros(num_features, dtype=dtype)) for key in ("running_mean", "running_var")]
    return mode, *running


# ---- dropout -----------------------------------------------------------------------------------

def dropout_forward(x, dropout_param):
    """Inverted dropout: in train mode each unit is kept with probability p and scaled by 1 / p;
    in test mode out is x.

    dropout_param: p (keep probability, in (0, 1]), mode ("train" or "test"), seed (optional:
    the same seed gives the same mask; without one the mask follows numpy's global random state,
    so np.random.seed fixes it). -> (out like x, cache).
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    (x,) = leaves(x)
    if mode == "test":
        return forward_result(x.reshape(x.shape), (x,))  # the identity, on the tape so backward works as usual
    if mode != "train":
        raise ValueError(f'dropout_forward: invalid dropout_param["mode"] {mode!r}; expected "train" or "test"')
    if not 0 < p <= 1:
        raise ValueError(f"dropout_forward: p is the probability of KEEPING a unit and must be in (0, 1], got {p}")
    seed = dropout_param["seed"] if "seed" in dropout_param else np.random.randint(2**31 - 1)
    out = ops.Dropout.apply(x, 1.0 - p, np.random.default_rng(seed))
    return forward_result(out, (x,))


def dropout_backward(dout, cache):
    """dout like x, cache from dropout_forward -> dx like x (dout through the same mask and scale)."""
    (dx,) = backpropagate("dropout_backward", dout, cache)
    return dx
