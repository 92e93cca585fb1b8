"""The functional API (`import tinygrad231n.nn.functional as F`): losses and activations as calls.

Each takes Tensors (plain arrays are wrapped as constants) and returns a Tensor on the tape.
"""
import functools
import operator

from .. import ops
from ..kernels.channel_norm import channel_mean_var
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


# ---- images (NCHW) ------------------------------------------------------------------------------

def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Cross-correlation of x (N, C, H, W) with weight (F, C, kh, kw), plus bias (F,) -> (N, F, H', W').
    stride, padding: an int or a (height, width) pair; the windows must tile the padded input."""
    return ops.Conv2d.apply(as_tensor(x), weight, bias, stride=stride, padding=padding)


def max_pool2d(x, kernel_size, stride=None):
    """The max of each window of x (N, C, H, W); stride defaults to kernel_size. Ties: first maximum."""
    return ops.MaxPool2d.apply(as_tensor(x), kernel_size, stride=stride)


def avg_pool2d(x, kernel_size, stride=None):
    """The mean of each window of x (N, C, H, W); stride defaults to kernel_size."""
    return ops.AvgPool2d.apply(as_tensor(x), kernel_size, stride=stride)


def batch_norm(x, weight, bias, running_mean=None, running_var=None, training=True, momentum=0.9, eps=1e-5):
    """Batch norm of rows x (N, D) per feature, or of images x (N, C, H, W) per channel over N, H, W;
    weight (gamma) and bias (beta) are (D,) or (C,).

    training: normalize with the batch's mean and biased variance and, if running_mean /
    running_var (numpy arrays shaped like weight) are given, update them in place,
    running = momentum * running + (1 - momentum) * batch (CS231n's convention; PyTorch's
    momentum is 1 - ours). Otherwise normalize with running_mean and running_var.
    """
    x = as_tensor(x)
    if x.ndim not in _BATCH_NORMS:
        raise ValueError(f"batch_norm: x must be rows (N, D) or images (N, C, H, W), got shape {x.shape}")
    op, batch_mean_var = _BATCH_NORMS[x.ndim]
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation (training=False) normalizes with running_mean and "
                             "running_var; pass both")
        return op.apply(x, weight, bias, running_mean, running_var, eps=eps, batch_statistics=False)
    mean, var = batch_mean_var(x.data)
    out = op.apply(x, weight, bias, mean, var, eps=eps, batch_statistics=True)  # checks shapes
    for running, batch in ((running_mean, mean), (running_var, var)):
        if running is not None:  # in place, so a module's buffers keep their identity and dtype
            running *= momentum
            running += (1 - momentum) * batch
    return out


def _feature_mean_var(rows):
    """Per-column mean and biased variance of rows (N, D)."""
    return rows.mean(axis=0), rows.var(axis=0)


# x.ndim -> the op that normalizes it and how to compute its batch statistics
_BATCH_NORMS = {2: (ops.BatchNorm, _feature_mean_var), 4: (ops.SpatialBatchNorm, channel_mean_var)}


def batch_norm2d(x, weight, bias, running_mean=None, running_var=None, training=True, momentum=0.9, eps=1e-5):
    """batch_norm of images x (N, C, H, W): per channel over N, H, W; weight, bias (C,)."""
    x = as_tensor(x)
    if x.ndim != 4:
        raise ValueError(f"batch_norm2d: x must be a batch of images (N, C, H, W), got shape {x.shape}")
    return batch_norm(x, weight, bias, running_mean, running_var, training=training, momentum=momentum, eps=eps)


def layer_norm(x, weight, bias, eps=1e-5):
    """Normalize each sample of x over its trailing weight.ndim axes (x (N, D), weight and bias (D,)),
    then scale by weight (gamma) and shift by bias (beta)."""
    return ops.LayerNorm.apply(as_tensor(x), weight, bias, eps=eps)


def group_norm(x, num_groups, weight, bias, eps=1e-5):
    """Group norm of x (N, C, H, W): per image, each group of C / num_groups consecutive channels
    normalized over its channels and pixels; weight, bias (C,) or (1, C, 1, 1)."""
    return ops.GroupNorm.apply(as_tensor(x), weight, bias, num_groups, eps=eps)
