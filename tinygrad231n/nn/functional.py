"""The functional API (`import tinygrad231n.nn.functional as F`): losses, activations and layers as calls.

Each takes Tensors (plain arrays are wrapped as constants) and returns a Tensor on the tape.
Most functions here are an op's declared name (`@register(functional=...)` in ops/: relu,
sigmoid, tanh, log_softmax, cross_entropy, multiclass_hinge, conv2d, max_pool2d, avg_pool2d,
layer_norm, group_norm), made by `_add` below with the op's docstring and signature. Written out
here are the functions that are more than one op: sum_of_squares and batch_norm.
"""
import functools
import operator

from .. import ops
from ..function import describe_as, on_register
from ..tensor import as_tensor

# What `from tinygrad231n.nn.functional import *` gives: the functions written here, then (from _add)
# every op's declared functional name.
__all__ = ["sum_of_squares", "l2", "batch_norm", "batch_norm2d"]


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
