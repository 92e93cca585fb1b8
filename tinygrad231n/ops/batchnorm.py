"""Batch normalization as one fused op, with the simplified backward formula.

For x of shape (N, D), per feature (column) d:

    xhat = (x - mean) / sqrt(var + eps)          out = gamma * xhat + beta

With the batch's own statistics (training), mean and var depend on x, and differentiating
through them collapses to (sums and means over the batch axis; dxhat = grad * gamma):

    dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sqrt(var + eps)

(ops/norm.py's standardize_backward, which layer and group norm use over their own axes).

With fixed statistics (evaluation: the running averages) they are constants and
dx = dxhat / sqrt(var + eps). Either way dgamma = sum(grad * xhat) and dbeta = sum(grad).
"""
import numpy as np

from ..function import Function
from .norm import standardize_backward


class BatchNorm(Function):
    """Normalize x (N, D) with per-feature `mean`, `var` (D,), then scale by gamma and shift by beta (D,).

    `mean` and `var` are plain arrays the caller computes (nn.BatchNorm1d needs them anyway for
    its running averages). `batch_statistics=True` declares they are x's own column mean and
    biased variance (np.var), and backward then differentiates through them; False declares them
    constants. Passing batch_statistics=True with any other statistics gives wrong gradients.
    """

    @staticmethod
    def forward(ctx, x, gamma, beta, mean, var, eps=1e-5, batch_statistics=True):
        if x.ndim != 2 or not gamma.shape == beta.shape == mean.shape == var.shape == (x.shape[1],):
            raise ValueError(f"batchnorm: x must be (N, D) with gamma, beta, mean, var all (D,); got x {x.shape}, "
                             f"gamma {gamma.shape}, beta {beta.shape}, mean {np.shape(mean)}, var {np.shape(var)}")
        inv_std = 1.0 / np.sqrt(var + eps)
        xhat = (x - mean) * inv_std
        ctx.save(xhat, inv_std, gamma)
        ctx.batch_statistics = batch_statistics
        return gamma * xhat + beta

    @staticmethod
    def backward(ctx, grad):
        xhat, inv_std, gamma = ctx.saved
        dxhat = grad * gamma
        if ctx.batch_statistics:
            dx = standardize_backward(dxhat, xhat, inv_std, axes=(0,))
        else:
            dx = dxhat * inv_std
        return dx, (grad * xhat).sum(axis=0), grad.sum(axis=0), None, None
