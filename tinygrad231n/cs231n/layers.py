"""CS231n's layers as forward/backward function pairs on numpy arrays, computed by the core's tape.

    out, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)

Each forward wraps its inputs in fresh Tensors that require grad, runs the core ops, and returns
the output array with a cache holding the tape: the output Tensor and the input Tensors. Each
backward seeds the tape with `dout` and reads the inputs' `.grad`. So the math lives once, in the
core's ops; these functions only translate between the two calling conventions.

A cache can be backpropagated ONCE: the tape frees its saved arrays on the way back, and a
second backward on the same cache raises instead of silently returning wrong (accumulated)
gradients. Call the forward again for a new cache. As in the assignment, the cache refers to the
input arrays without copying them: change x in place after the forward and the backward sees it.
"""
import numpy as np

import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor


def affine_forward(x, w, b):
    """out = x.reshape(N, D) @ w + b.

    x (N, d_1, ..., d_k) with D = d_1 * ... * d_k, w (D, M), b (M,) -> (out (N, M), cache).
    """
    x, w, b = _leaves(x, w, b)
    if w.ndim != 2 or b.shape != (w.shape[1],):
        raise ValueError(f"affine_forward: expected w (D, M) and b (M,), got w {w.shape} and b {b.shape}")
    flat = x.reshape(x.shape[0], -1)
    if flat.shape[1] != w.shape[0]:
        raise ValueError(f"affine_forward: each of the N = {x.shape[0]} inputs of shape {x.shape[1:]} has "
                         f"D = {flat.shape[1]} values, but w {w.shape} expects D = {w.shape[0]}")
    out = flat @ w + b
    return out.data, (out, (x, w, b))


def affine_backward(dout, cache):
    """dout (N, M), cache from affine_forward -> (dx like x, dw (D, M), db (M,))."""
    return _backpropagate("affine_backward", dout, cache)


def relu_forward(x):
    """out = max(x, 0) elementwise; x of any shape -> (out like x, cache)."""
    (x,) = _leaves(x)
    out = F.relu(x)
    return out.data, (out, (x,))


def relu_backward(dout, cache):
    """dout like x, cache from relu_forward -> dx like x (0 where x <= 0, as the assignment's x > 0 mask)."""
    (dx,) = _backpropagate("relu_backward", dout, cache)
    return dx


def svm_loss(x, y):
    """Multiclass SVM loss, margin 1, averaged over N: x (N, C) scores, y (N,) labels in 0..C-1.

    Returns (loss as a float, dx (N, C)): the core's fused F.multiclass_hinge.
    """
    return _loss_and_gradient(F.multiclass_hinge, x, y)


def softmax_loss(x, y):
    """Softmax cross-entropy averaged over N: x (N, C) scores, y (N,) labels in 0..C-1.

    Returns (loss as a float, dx (N, C)): the core's fused F.cross_entropy.
    """
    return _loss_and_gradient(F.cross_entropy, x, y)


def _leaves(*arrays):
    """Fresh leaf Tensors (no copy of float data) that collect gradients: a new tape per forward call."""
    return tuple(Tensor(a, requires_grad=True) for a in arrays)


def _backpropagate(name, dout, cache):
    out, inputs = cache
    dout = np.asarray(dout)
    if dout.shape != out.shape:
        raise ValueError(f"{name}: dout has shape {dout.shape} but the forward output had shape {out.shape}; "
                         "they must match")
    try:
        out.backward(dout)
    except RuntimeError as err:  # the tape's saved arrays were freed by an earlier backward
        raise RuntimeError(f"{name}: this cache was already backpropagated (a cache can be used once); "
                           "call the forward function again to get a new cache") from err
    return tuple(t.grad for t in inputs)


def _loss_and_gradient(loss_fn, x, y):
    (scores,) = _leaves(x)
    loss = loss_fn(scores, y)
    loss.backward()
    return loss.item(), scores.grad
