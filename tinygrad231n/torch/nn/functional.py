"""`torch.nn.functional` on the engine's ops: PyTorch's names and arguments (`dim`, `training`,
`reduction`), each a thin call into tinygrad231n.nn.functional / ops.

Weights are in PyTorch's layouts: linear's weight is (out_features, in_features) (the engine's
Linear holds (in, out)); conv2d's is (out_channels, in_channels, kh, kw), as the engine's.
"""
import numpy as np

import tinygrad231n.nn.functional as _F
from tinygrad231n import ops
from tinygrad231n.errors import InputError
from tinygrad231n.tensor import Tensor, as_tensor
from tinygrad231n.torch._unsupported import unsupported
from tinygrad231n.torch.random import default_generator

__all__ = ["avg_pool2d", "conv2d", "cross_entropy", "dropout", "embedding", "layer_norm", "linear",
           "log_softmax", "max_pool2d", "mse_loss", "one_hot", "relu", "softmax"]

relu = _F.relu


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """The engine's conv2d with PyTorch's arguments: weight (out_channels, in_channels, kh, kw); stride
    and padding an int or an (h, w) pair. `bias` goes to the op as an input (a keyword would reach its
    forward as an option, outside the graph). Dilation and groups other than 1 are not supported.

    Where the windows do not tile the padded input (a 3x3 kernel, stride 2, padding 1 on 32x32), PyTorch
    drops the last rows and columns no window reaches (Hout = floor((H + 2p - kh) / s) + 1) and so does
    this: the input is padded here and trimmed to what the windows cover, and the engine's op, which
    wants windows that tile exactly, runs on that."""
    if dilation not in (1, (1, 1)) or groups != 1:
        raise InputError(f"conv2d: dilation={dilation} and groups={groups} are not supported; "
                         "only dilation=1 and groups=1")
    input = as_tensor(input)
    stride, padding = _pair(stride), _pair(padding)
    if input.ndim == 4 and len(weight.shape) == 4:
        spare = [max(size + 2 * p - k, 0) % s
                 for size, k, s, p in zip(input.shape[2:], weight.shape[2:], stride, padding)]
        if any(spare):
            input, padding = _pad_and_trim(input, padding, spare), (0, 0)
    return _F.conv2d(input, weight, bias, stride=stride, padding=padding)


def max_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False):  # noqa: A002
    """The max of each kernel_size window (stride defaults to kernel_size); rows and columns no window
    reaches are dropped, as PyTorch (Hout = floor((H - kh) / s) + 1: MaxPool2d(2) on 7x7 gives 3x3)."""
    return _pool(_F.max_pool2d, "max_pool2d", input, kernel_size, stride, padding, ceil_mode)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False):  # noqa: A002
    """The mean of each kernel_size window (stride defaults to kernel_size); the remainder dropped as
    in max_pool2d."""
    return _pool(_F.avg_pool2d, "avg_pool2d", input, kernel_size, stride, padding, ceil_mode)


def _pool(engine_pool, name, input, kernel_size, stride, padding, ceil_mode):  # noqa: A002
    if padding not in (0, (0, 0)) or ceil_mode:
        raise InputError(f"{name}: padding={padding} and ceil_mode={ceil_mode} are not supported; "
                         "only padding=0 and ceil_mode=False")
    input = as_tensor(input)
    kernel = _pair(kernel_size)
    strides = kernel if stride is None else _pair(stride)
    if input.ndim == 4:
        spare = [max(size - k, 0) % s for size, k, s in zip(input.shape[2:], kernel, strides)]
        if any(spare):
            input = _pad_and_trim(input, (0, 0), spare)
    return engine_pool(input, kernel_size, stride=stride)


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def _pad_and_trim(x, padding, spare):
    """x (N, C, H, W) zero-padded by padding (ph, pw) on both sides, less the last spare (rh, rw) rows and
    columns of the result (recorded: the gradient flows back to x's rows and columns that remain)."""
    for axis, p, r in ((2, padding[0], spare[0]), (3, padding[1], spare[1])):
        if p:
            zeros = np.zeros(x.shape[:axis] + (p,) + x.shape[axis + 1:], dtype=x.dtype)
            x = _F.cat([zeros, x, zeros], axis)
        if r:
            x = x[(slice(None),) * axis + (slice(0, x.shape[axis] - r),)]
    return x


def softmax(input, dim):  # noqa: A002  (PyTorch's argument names)
    return as_tensor(input).softmax(axis=dim)  # the method: integer input is refused, as PyTorch's


def log_softmax(input, dim):  # noqa: A002
    return as_tensor(input).log_softmax(axis=dim)


def linear(input, weight, bias=None):  # noqa: A002
    """input @ weight.T + bias, weight (out_features, in_features) as PyTorch's."""
    out = as_tensor(input) @ weight.T
    return out if bias is None else out + bias


def dropout(input, p=0.5, training=True):  # noqa: A002
    """Inverted dropout drawing its mask from the front's generator; the identity when not training."""
    if not 0 <= p < 1:
        raise InputError(f"dropout: p is the probability of dropping a unit and must be in [0, 1), got {p}")
    input = as_tensor(input)
    return ops.Dropout.apply(input, p=p, rng=default_generator()) if training and p > 0 else input


def one_hot(tensor, num_classes=-1):
    """Class indices (any shape, int64) -> (*shape, num_classes) int64 of 0s and 1s; num_classes=-1
    takes the largest index + 1, as PyTorch's."""
    labels = np.asarray(getattr(tensor, "data", tensor))
    if labels.dtype.kind not in "iu":
        raise InputError(f"one_hot: expects integer class indices, got {labels.dtype}")
    classes = int(labels.max()) + 1 if num_classes == -1 else num_classes
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise InputError(f"one_hot: class indices must lie in 0..{classes - 1}, got {labels.min()}..{labels.max()}")
    return Tensor._from_op(np.eye(classes, dtype=np.int64)[labels], None)


def embedding(input, weight):  # noqa: A002
    """weight[input]: indices of any shape -> (*shape, embedding_dim)."""
    return _F.embedding(input, weight)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):  # noqa: A002
    """Normalize over the trailing dims `normalized_shape`; weight and bias default to 1 and 0."""
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    input = as_tensor(input)
    if input.shape[input.ndim - len(shape):] != shape:
        raise InputError(f"layer_norm: input of shape {input.shape} does not end in normalized_shape {shape}")
    weight = np.ones(shape, dtype=input.dtype) if weight is None else weight
    bias = np.zeros(shape, dtype=input.dtype) if bias is None else bias
    return _F.layer_norm(input, weight, bias, eps=eps)


def _reduce(losses, reduction, where):
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    if reduction == "none":
        return losses
    raise InputError(f"{where}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def mse_loss(input, target, reduction="mean"):  # noqa: A002
    """(input - target)^2, averaged (mean), summed (sum) or elementwise (none)."""
    diff = as_tensor(input) - target
    return _reduce(diff * diff, reduction, "mse_loss")


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):  # noqa: A002
    """Softmax cross-entropy of scores input (N, C) against class indices target (N,), as PyTorch's.

    weight (C,): each row's loss scaled by its class's weight; 'mean' divides by the sum of the
    counted rows' weights. Rows whose target is ignore_index count for nothing (loss 0 under
    'none'). label_smoothing eps: the target is (1 - eps) one-hot + eps / C uniform.
    Supported: 2-d input with integer targets (not (N, C, d1, ...), not class probabilities).
    The common case (mean, no weight, nothing ignored) is the engine's fused op (and its smoothing).
    """
    input = as_tensor(input)
    labels = np.asarray(getattr(target, "data", target))
    if input.ndim != 2 or labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise InputError(f"cross_entropy: supported are scores (N, C) with integer class indices (N,); got "
                         f"input {input.shape} and target {labels.shape} {labels.dtype} (no (N, C, d1, ...) "
                         "inputs or class-probability targets)")
    counted = labels != ignore_index
    if reduction == "mean" and weight is None and counted.all():
        return _F.label_smoothed_cross_entropy(input, labels, label_smoothing)
    n, classes = input.shape
    row_labels = np.where(counted, labels, 0)
    if ((row_labels < 0) | (row_labels >= classes)).any():
        raise InputError(f"cross_entropy: targets must lie in 0..{classes - 1} (or be ignore_index "
                         f"{ignore_index}), got {labels[(row_labels < 0) | (row_labels >= classes)][:5].tolist()}")
    class_weight = np.ones(classes) if weight is None else np.asarray(getattr(weight, "data", weight), float)
    row_weight = (class_weight[row_labels] * counted).astype(input.dtype)
    log_p = -_F.log_softmax(input, axis=1)
    one_hot = np.zeros((n, classes), dtype=input.dtype)
    one_hot[np.arange(n), row_labels] = 1
    # Per row: sum_c (target_c * class_weight_c * -log p_c), zero for an ignored row.
    smoothed = (1.0 - label_smoothing) * one_hot * class_weight + label_smoothing / classes * class_weight
    losses = (log_p * (smoothed * counted[:, None]).astype(input.dtype)).sum(axis=1)
    if reduction == "mean":
        return losses.sum() / float(row_weight.sum())
    return _reduce(losses, reduction, "cross_entropy")


__getattr__ = unsupported(__name__)
