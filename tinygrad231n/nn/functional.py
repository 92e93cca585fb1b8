"""The functional API (`import tinygrad231n.nn.functional as F`): losses and activations as calls.

Each takes Tensors (plain arrays are wrapped as constants) and returns a Tensor on the tape.
"""
from .. import ops
from ..tensor import as_tensor


def relu(x):
    """max(x, 0) elementwise; gradient 0 at exactly 0."""
    return ops.Relu.apply(as_tensor(x))


def sigmoid(x):
    return ops.Sigmoid.apply(as_tensor(x))


def tanh(x):
    return ops.Tanh.apply(as_tensor(x))


def log_softmax(x, axis=-1):
    """log(softmax(x)) along `axis`, stable for large logits."""
    return ops.LogSoftmax.apply(as_tensor(x), axis=axis)


def cross_entropy(scores, y):
    """Softmax cross-entropy averaged over N: scores (N, C) Tensor, y (N,) int labels -> scalar.

    Fused (one numba pass for loss and gradient) and shifted by the row max, so it stays finite
    for logits of +-1000.
    """
    return ops.CrossEntropy.apply(as_tensor(scores), y)


def multiclass_hinge(scores, y, margin=1.0):
    """CS231n's SVM loss: mean over i of sum_{j != y_i} max(0, s_ij - s_iy + margin)."""
    return ops.MulticlassHinge.apply(as_tensor(scores), y, margin=margin)


def l2(W):
    """sum(W**2), the L2 penalty with no 0.5 in front (CS231n's linear-classifier convention)."""
    return ops.SumOfSquares.apply(as_tensor(W))
