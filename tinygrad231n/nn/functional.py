"""The functional API (`import tinygrad231n.nn.functional as F`): losses, activations and layers as calls.

Each takes Tensors (plain arrays are wrapped as constants) and returns a Tensor on the tape.
Most functions here are an op's declared name (`@register(functional=...)` in ops/: relu,
sigmoid, tanh, softmax, log_softmax, cross_entropy, temporal_cross_entropy, multiclass_hinge,
embedding, where, masked_fill, conv2d, max_pool2d, avg_pool2d, layer_norm, group_norm), made by
`_add` below with the op's docstring and signature. Written out here are the functions that are
more than one op (sum_of_squares, label_smoothed_cross_entropy, batch_norm, split, chunk) or take a
list of tensors (cat, stack),
and, from nn/recurrent.py, the recurrent nets rnn_step, rnn, lstm_step, lstm.
"""
import functools
import operator

import numpy as np

from .. import ops
from ..function import describe_as, on_register
from ..tensor import Tensor, as_tensor
from .recurrent import lstm, lstm_step, rnn, rnn_step  # noqa: F401 (the recurrent nets, composed of ops)

# What `from tinygrad231n.nn.functional import *` gives: the functions written here, then (from _add)
# every op's declared functional name.
__all__ = ["sum_of_squares", "l2", "label_smoothed_cross_entropy", "batch_norm", "batch_norm2d", "cat", "stack", "split", "chunk",
           "rnn_step", "rnn", "lstm_step", "lstm"]


def sum_of_squares(*tensors):
    """sum(W**2) over every element of every tensor given, a scalar: the L2 penalty with no 0.5 in
    front (the linear classifiers use reg * sum_of_squares(W); CS231n's nets 0.5 * reg *
    sum_of_squares(W1, W2, ...)). Several tensors are added pairwise, with no constant 0 to start
    from (Python's sum would put one in the graph and its diagrams)."""
    if not tensors:
        raise TypeError("sum_of_squares: give at least one tensor")
    terms = [ops.SumOfSquares.apply(as_tensor(W)) for W in tensors]
    return functools.reduce(operator.add, terms)


# CS231n's word for this penalty ("L2 regularization"); the same function.
l2 = sum_of_squares


def label_smoothed_cross_entropy(scores, y, smoothing):
    """Cross-entropy of scores (N, C) against labels y (N,) smoothed by `smoothing` s (the true class's
    target is 1 - s + s/C, every other class's s/C), averaged over N: PyTorch's
    cross_entropy(scores, y, label_smoothing=s). Written as (1 - s) * cross_entropy(scores, y) +
    s * mean over N and C of -log_softmax(scores), the second term the cross-entropy against the
    uniform distribution; s = 0 is the fused cross_entropy alone."""
    loss = ops.CrossEntropy.apply(as_tensor(scores), y)
    if not smoothing:
        return loss
    uniform = -ops.LogSoftmax.apply(as_tensor(scores), axis=1).mean()
    return (1.0 - smoothing) * loss + smoothing * uniform


def batch_norm(x, weight, bias, running_mean=None, running_var=None, training=True, momentum=0.9, eps=1e-5):
    """Batch norm of rows x (N, D) per feature, or of images x (N, C, H, W) per channel over N, H, W;
    weight (gamma) and bias (beta) are (D,) or (C,).

    training: normalize with the batch's mean and biased variance and, if running_mean /
    running_var (numpy arrays shaped like weight) are given, update them in place,
    running = momentum * running + (1 - momentum) * batch (CS231n's convention; PyTorch's
    momentum is 1 - ours). Otherwise normalize with running_mean and running_var.
    The ops compute the statistics (ops/batchnorm.py for rows, ops/norm.py for images).
    """
    x = as_tensor(x)
    if x.ndim not in _BATCH_NORMS:
        raise ValueError(f"batch_norm: x must be rows (N, D) or images (N, C, H, W), got shape {x.shape}")
    return _BATCH_NORMS[x.ndim].apply(x, weight, bias, running_mean, running_var, training=training,
                                      momentum=momentum, eps=eps)


_BATCH_NORMS = {2: ops.BatchNorm, 4: ops.SpatialBatchNorm}  # x.ndim -> the op that normalizes it


def batch_norm2d(x, weight, bias, running_mean=None, running_var=None, training=True, momentum=0.9, eps=1e-5):
    """batch_norm of images x (N, C, H, W): per channel over N, H, W; weight, bias (C,)."""
    x = as_tensor(x)
    if x.ndim != 4:
        raise ValueError(f"batch_norm2d: x must be a batch of images (N, C, H, W), got shape {x.shape}")
    return batch_norm(x, weight, bias, running_mean, running_var, training=training, momentum=momentum, eps=eps)


def cat(tensors, axis=0):
    """Concatenate a list of tensors along `axis` (PyTorch's torch.cat(tensors, dim)): every size but
    axis's must match. Each input gets its part of the gradient (ops.Cat)."""
    return ops.Cat.apply(*_tensor_list("cat", tensors), axis=axis)


def stack(tensors, axis=0):
    """Stack a list of tensors of one shape along a new `axis` (PyTorch's torch.stack(tensors, dim))."""
    return ops.Stack.apply(*_tensor_list("stack", tensors), axis=axis)


def _tensor_list(name, tensors):
    if isinstance(tensors, Tensor):  # iterating it would walk its rows and drop them from the graph
        raise TypeError(f"{name}: give a list or tuple of tensors, not one Tensor")
    return [as_tensor(t) for t in tensors]


def split(x, split_size_or_sections, axis=0):
    """Cut x along `axis` into a tuple of tensors, as PyTorch's torch.split: an int gives pieces of
    that size (the last one smaller if the size does not divide the axis), a list gives pieces of
    those sizes (which must add up to the axis's size). Each piece is a slice x[..., a:b, ...] on
    the tape, so the pieces' gradients land in their parts of x (an LSTM's four gates from one
    (N, 4H) product: split(gates, H, axis=1))."""
    x = as_tensor(x)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"split: axis {axis} is out of range for a tensor of shape {x.shape}")
    axis %= x.ndim
    length = x.shape[axis]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size < 1:
            raise ValueError(f"split: the piece size must be at least 1, got {size}")
        sizes = [min(size, length - start) for start in range(0, length, size)] or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != length or min(sizes, default=0) < 0:
            raise ValueError(f"split: sections {sizes} must be sizes >= 0 adding up to {length}, the size of "
                             f"axis {axis} of shape {x.shape}")
    ends = np.cumsum(sizes)
    before = (slice(None),) * axis
    return tuple(x[before + (slice(end - size, end),)] for size, end in zip(sizes, ends))


def chunk(x, chunks, axis=0):
    """Cut x along `axis` into `chunks` pieces of ceil(size / chunks) (the last smaller), as PyTorch's
    torch.chunk; like it, fewer pieces come back when the size does not allow that many (6 into 4
    gives 3 pieces of 2)."""
    x = as_tensor(x)
    if chunks < 1:
        raise ValueError(f"chunk: chunks must be at least 1, got {chunks}")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"chunk: axis {axis} is out of range for a tensor of shape {x.shape}")
    return split(x, max(1, -(-x.shape[axis] // chunks)), axis)


def _add(declaration):
    """F.<name>(x, *args, **options) = op.apply(as_tensor(x), *args, **options), for each op declared
    with functional=name."""
    name, op = declaration.functional, declaration.op
    if not name:
        return
    if getattr(globals().get(name), "op", op) is not op:
        raise ValueError(f"register: nn.functional.{name} is already defined; {op.__name__} cannot take the name")

    def function(x, *args, **options):
        return op.apply(as_tensor(x), *args, **options)

    globals()[name] = describe_as(function, op, name, __name__, first="x")
    if name not in __all__:
        __all__.append(name)


on_register(_add)
