"""Batch normalization of rows as one fused op, with the simplified backward formula.

For x of shape (N, D), per feature (column) d:

    xhat = (x - mean) / sqrt(var + eps)          out = gamma * xhat + beta

In training the op computes the batch's own mean and biased variance; they depend on x, and
differentiating through them collapses to (sums and means over the batch axis; dxhat = grad * gamma):

    dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sqrt(var + eps)

(ops/norm.py's standardize_backward, which layer and group norm use over their own axes).

In evaluation the statistics are the running averages, constants, and
dx = dxhat / sqrt(var + eps). Either way dgamma = sum(grad * xhat) and dbeta = sum(grad).
"""
import numpy as np

from ..function import Function, register
from .norm import batch_statistics, standardize_backward


@register()  # nn.functional.batch_norm picks this op or SpatialBatchNorm by x.ndim
class BatchNorm(Function):
    """Batch norm of x (N, D) per feature, then scale by gamma and shift by beta (D,).

    training=True: normalize with the batch's own mean and biased variance (np.var) and, when
    running_mean and running_var ((D,) arrays) are given, update them in place as
    running = momentum * running + (1 - momentum) * batch (CS231n's momentum; PyTorch's is 1 - it).
    training=False: normalize with running_mean and running_var (both required), as constants.
    """

    @staticmethod
    def forward(ctx, x, gamma, beta, running_mean=None, running_var=None, training=True, momentum=0.9, eps=1e-5):
        if x.ndim != 2 or not gamma.shape == beta.shape == (x.shape[1],):
            raise ValueError(f"batchnorm: x must be (N, D) with gamma and beta (D,); got x {x.shape}, "
                             f"gamma {gamma.shape}, beta {beta.shape}")
        mean, var = batch_statistics("batchnorm", x, running_mean, running_var, training, momentum,
                                     lambda rows: (rows.mean(axis=0), rows.var(axis=0)))
        inv_std = 1.0 / np.sqrt(var + eps)
        xhat = (x - mean) * inv_std
        ctx.save(xhat, inv_std, gamma)
        ctx.training = training
        return gamma * xhat + beta

    @staticmethod
    def backward(ctx, grad):
        xhat, inv_std, gamma = ctx.saved
        dxhat = grad * gamma
        if ctx.training:
            dx = standardize_backward(dxhat, xhat, inv_std, axes=(0,))
        else:
            dx = dxhat * inv_std
        return dx, (grad * xhat).sum(axis=0), grad.sum(axis=0), None, None
