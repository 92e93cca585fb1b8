"""BatchNorm1d: normalize each feature over the batch, keeping running averages for evaluation."""
import numpy as np

from .. import ops
from ..tensor import as_tensor
from .module import Module, Parameter


class BatchNorm1d(Module):
    """Batch normalization of x (N, num_features), per feature, with learned scale and shift.

    Training: normalize with the batch's mean and biased variance (np.var), then update

        running = momentum * running + (1 - momentum) * batch_statistic

    This is CS231n's convention (momentum=0.9 keeps 90% of the old value); PyTorch writes the
    same update with its momentum = 1 - ours (its default 0.1), and its running_var uses the
    unbiased variance where ours, like CS231n's, uses the biased one. Evaluation: normalize with
    the running averages. running_mean starts at 0 and running_var at 1 (as in PyTorch; CS231n
    starts both at 0). `weight` and `bias` (gamma and beta in CS231n) start at 1 and 0.
    The forward and backward pass are one fused op (ops/batchnorm.py).
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.9, dtype=np.float64):
        super().__init__()
        if not 0 <= momentum <= 1:
            raise ValueError(f"BatchNorm1d: momentum must be in [0, 1] (the share of the old running value "
                             f"kept at each step, CS231n's convention), got {momentum}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(np.ones(num_features), dtype=dtype)
        self.bias = Parameter(np.zeros(num_features), dtype=dtype)
        self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", np.ones(num_features, dtype=dtype))

    def forward(self, x):
        x = as_tensor(x)
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(f"{self!r}: input has shape {x.shape}, expected (N, {self.num_features})")
        if not self.training:
            return ops.BatchNorm.apply(x, self.weight, self.bias, self.running_mean, self.running_var,
                                       eps=self.eps, batch_statistics=False)
        mean, var = x.data.mean(axis=0), x.data.var(axis=0)
        keep = self.momentum
        # In place, so the buffers keep their dtype whatever the input's.
        self.running_mean *= keep
        self.running_mean += (1 - keep) * mean
        self.running_var *= keep
        self.running_var += (1 - keep) * var
        return ops.BatchNorm.apply(x, self.weight, self.bias, mean, var, eps=self.eps, batch_statistics=True)

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"
