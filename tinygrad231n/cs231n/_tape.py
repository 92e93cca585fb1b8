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

A forward with several outputs (lstm_step_forward's next_h and next_c) hands forward_result a tuple
of Tensors and gets a tuple of arrays; its backward passes one upstream gradient per output, and
the inputs' gradients are the sum of one walk per output (leaves add up what each walk brings).
"""
import numpy as np

from tinygrad231n import Tensor


def leaves(*arrays):
    """Fresh leaf Tensors (no copy of float data) that collect gradients: a new tape per forward call."""
    return tuple(Tensor(a, requires_grad=True) for a in arrays)


def forward_result(out, inputs):
    """(out array, cache) for a forward that computed Tensor `out` from the leaf Tensors `inputs`;
    for a tuple of output Tensors, (tuple of arrays, cache)."""
    data = tuple(t.data for t in out) if isinstance(out, tuple) else out.data
    return data, (out, tuple(inputs))


def backpropagate(name, dout, cache):
    """Gradients (one per input of the forward, in order) for the upstream gradient dout: an array
    like the output, or for a forward with several outputs a tuple of arrays, one like each."""
    out, inputs = cache
    outs, douts = (out, dout) if isinstance(out, tuple) else ((out,), (dout,))
    douts = tuple(np.asarray(d) for d in douts)
    for t, d in zip(outs, douts):
        if d.shape != t.shape:
            raise ValueError(f"{name}: dout has shape {d.shape} but the forward output had shape {t.shape}; "
                             "they must match")
    for t in inputs:  # this call's gradients only, not the sum over every call on this cache
        t.grad = None
    for t, d in zip(outs, douts):
        t.backward(d, retain_graph=True)
    return tuple(t.grad if t.grad is not None else np.zeros(t.shape, dtype=t.dtype) for t in inputs)


def loss_and_gradient(loss_fn, x, y):
    """(loss as a float, dx) of loss_fn(Tensor x, y), a scalar loss of scores x."""
    (scores,) = leaves(x)
    loss = loss_fn(scores, y)
    loss.backward()
    return loss.item(), scores.grad
