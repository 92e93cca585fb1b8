"""The one translation every cs231n layer makes: arrays in, a tape inside, (out, cache) out.

A forward wraps its inputs in fresh leaf Tensors that require grad (`leaves`), runs the core's
ops on them, and returns the output array with `(out_tensor, input_tensors)` as the cache. The
matching backward (`backpropagate`) seeds the tape with dout and reads the inputs' `.grad`.
As in the assignment, where a cache is plain data, a cache can be backpropagated any number of
times (a notebook compares two backward implementations on one cache; gradient checks call
backward again and again): the walk keeps the tape (retain_graph=True) and starts from zero
gradients each time. The leaves share the caller's arrays (no copy), so writing into x after
the forward changes what its backward sees, as with the assignment's caches; a tensor's own
`.data` stays read-only while the tape holds it (tensor.py).
"""
import numpy as np

from tinygrad231n import Tensor


def leaves(*arrays):
    """Fresh leaf Tensors (no copy of float data) that collect gradients: a new tape per forward call."""
    return tuple(Tensor(a, requires_grad=True) for a in arrays)


def forward_result(out, inputs):
    """(out array, cache) for a forward that computed Tensor `out` from the leaf Tensors `inputs`."""
    return out.data, (out, tuple(inputs))


def backpropagate(name, dout, cache):
    """Gradients (one per input of the forward, in order) for the upstream gradient dout."""
    out, inputs = cache
    dout = np.asarray(dout)
    if dout.shape != out.shape:
        raise ValueError(f"{name}: dout has shape {dout.shape} but the forward output had shape {out.shape}; "
                         "they must match")
    for t in inputs:  # this call's gradients only, not the sum over every call on this cache
        t.grad = None
    out.backward(dout, retain_graph=True)
    return tuple(t.grad if t.grad is not None else np.zeros(t.shape, dtype=t.dtype) for t in inputs)


def loss_and_gradient(loss_fn, x, y):
    """(loss as a float, dx) of loss_fn(Tensor x, y), a scalar loss of scores x."""
    (scores,) = leaves(x)
    loss = loss_fn(scores, y)
    loss.backward()
    return loss.item(), scores.grad
