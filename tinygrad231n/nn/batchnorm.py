"""Batch norm layers: each feature (BatchNorm1d) or channel (BatchNorm2d) normalized over the batch,
with running averages kept for evaluation. Both are F.batch_norm (ops/batchnorm.py, ops/norm.py)."""
import numpy as np

from ..tensor import as_tensor
from . import functional as F
from .module import Module, Parameter


class _BatchNorm(Module):
    """What BatchNorm1d and BatchNorm2d share: learned scale and shift, running averages, the update.

    Training: normalize with the batch's mean and biased variance (np.var), then update

        running = momentum * running + (1 - momentum) * batch_statistic

    This is CS231n's convention (momentum=0.9 keeps 90% of the old value); PyTorch writes the
    same update with its momentum = 1 - ours (its default 0.1), and its running_var uses the
    unbiased variance where ours, like CS231n's, uses the biased one. Evaluation: normalize with
    the running averages. running_mean starts at 0 and running_var at 1 (as in PyTorch; CS231n
    starts both at 0). `weight` and `bias` (gamma and beta in CS231n) start at 1 and 0.
    A subclass says which inputs it takes: `input_ndim`, and `input_form` for the error message.
    """

    input_ndim, input_form = None, None

    def __init__(self, num_features, eps=1e-5, momentum=0.9, dtype=np.float64):
        super().__init__()
        if not 0 <= momentum <= 1:
            raise ValueError(f"{type(self).__name__}: momentum must be in [0, 1] (the share of the old running "
                             f"value kept at each step, CS231n's convention; PyTorch's 0.1 is our 0.9), got {momentum}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(np.ones(num_features), dtype=dtype)
        self.bias = Parameter(np.zeros(num_features), dtype=dtype)
        self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", np.ones(num_features, dtype=dtype))

    def forward(self, x):
        x = as_tensor(x)
        if x.ndim != self.input_ndim or x.shape[1] != self.num_features:
            expected = self.input_form.format(self.num_features)
            raise ValueError(f"{self!r}: input has shape {x.shape}, expected {expected}")
        return F.batch_norm(x, self.weight, self.bias, self.running_mean, self.running_var,
                            training=self.training, momentum=self.momentum, eps=self.eps)

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Batch normalization of x (N, num_features), per feature over the batch, with learned scale
    and shift. The forward and backward pass are one fused op (ops/batchnorm.py)."""

    input_ndim, input_form = 2, "(N, {})"


class BatchNorm2d(_BatchNorm):
    """Spatial batch norm of x (N, num_features, H, W): each channel normalized over N, H and W,
    in numba passes (ops/norm.py's SpatialBatchNorm)."""

    input_ndim, input_form = 4, "images (N, {}, H, W)"


class BatchNorm2dPoolReLU(BatchNorm2d):
    """BatchNorm2d, then 2x2 max pooling (stride 2), then relu, as one fused op (ops/norm_pool_relu.py):
    the numbers of nn.Sequential(BatchNorm2d(C), MaxPool2d(2), ReLU()) in fewer passes and less memory.
    Its parameters and buffers are BatchNorm2d's (a checkpoint holds gamma, beta and the running
    averages as for BatchNorm2d)."""

    def forward(self, x):
        x = as_tensor(x)
        if x.ndim != 4 or x.shape[1] != self.num_features:
            expected = self.input_form.format(self.num_features)
            raise ValueError(f"{self!r}: input has shape {x.shape}, expected {expected}")
        return F.batch_norm_pool_relu(x, self.weight, self.bias, self.running_mean, self.running_var,
                                      training=self.training, momentum=self.momentum, eps=self.eps)
