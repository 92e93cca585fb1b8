"""Normalization of images and rows: spatial batch norm, layer norm and group norm.

All three standardize x over some axes, then scale and shift with learned gamma and beta:

    xhat = (x - mean) / sqrt(var + eps)          out = gamma * xhat + beta

and, when mean and var are x's own statistics (always, but for batch norm in evaluation, which
uses its running averages), share ops/batchnorm.py's backward formula
(means over the same axes; dxhat = grad * gamma):

    dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sqrt(var + eps)

They differ in the axes a statistic runs over and the shape of gamma and beta:

    spatial batch norm   x (N, C, H, W)   per channel, over N, H, W        gamma (C,)
    layer norm           x (N, D)         per row, over D (the trailing     gamma (D,)
                                          axes gamma covers)
    group norm           x (N, C, H, W)   per image and group of C/G        gamma (C,) or (1, C, 1, 1)
                                          channels, over them and H, W

Spatial batch norm runs in numba passes (kernels/channel_norm.py): it sits after every
convolution of a ConvNet, on its largest activations. The other two are numpy.
"""
import numpy as np

from ..checks import check_float
from ..function import Function, register
from ..kernels.channel_norm import channel_affine, channel_cross_sums, channel_mean_var


def batch_statistics(op_name, x, running_mean, running_var, training, momentum, mean_var):
    """The (mean, var) a batch norm normalizes with: in training x's own, `mean_var(x)`, after which
    the running averages (if given) move towards them in place (they keep their identity and dtype:
    a module's buffers, CS231n's bn_param arrays); in evaluation the running averages."""
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError(f"{op_name}: evaluation (training=False) normalizes with running_mean and "
                             "running_var; pass both")
        return running_mean, running_var
    mean, var = mean_var(x)
    for running, batch in ((running_mean, mean), (running_var, var)):
        if running is not None:
            if np.shape(running) != np.shape(batch):
                raise ValueError(f"{op_name}: running averages must have shape {np.shape(batch)}, one per "
                                 f"feature, got {np.shape(running)}")
            running *= momentum
            running += (1 - momentum) * batch
    return mean, var


def standardize(x, axes, eps):
    """(xhat, 1 / sqrt(var + eps)) with mean and biased variance over `axes` (kept as size-1 axes)."""
    centered = x - x.mean(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt((centered * centered).mean(axis=axes, keepdims=True) + eps)
    return centered * inv_std, inv_std


def standardize_backward(dxhat, xhat, inv_std, axes):
    """d(loss)/dx from d(loss)/d(xhat) when xhat = standardize(x, axes)[0] (mean, var depend on x)."""
    return (dxhat - dxhat.mean(axis=axes, keepdims=True)
            - xhat * (dxhat * xhat).mean(axis=axes, keepdims=True)) * inv_std


def input_gradient_coefficients(scale, inv_std, mean, grad_sum, grad_centered_sum, count):
    """(b, e) per channel such that spatial batch norm's dx = scale * g + b * x + e in training, from
    the sums of g and g * (x - mean) over the `count` values of each channel (all float64 (C,)):
    dx = scale * (g - mean(g) - xhat * mean(g * xhat)) regrouped."""
    b = -scale * inv_std ** 2 * grad_centered_sum / count
    return b, -scale * grad_sum / count - b * mean


def check_images_and_affine(op_name, x, gamma, beta):
    """x (N, C, H, W) and gamma, beta (C,), all float: one clear error otherwise."""
    if x.ndim != 4 or not gamma.shape == beta.shape == (x.shape[1],):
        raise ValueError(f"{op_name}: x must be (N, C, H, W) with gamma and beta (C,); "
                         f"got x {x.shape}, gamma {gamma.shape}, beta {beta.shape}")
    check_float(op_name, x=x, gamma=gamma, beta=beta)


@register()  # nn.functional.batch_norm picks this op or BatchNorm by x.ndim
class SpatialBatchNorm(Function):
    """Batch norm of images x (N, C, H, W), per channel over N, H, W; gamma, beta (C,).

    As ops.BatchNorm: training=True normalizes with the batch's own per-channel mean and biased
    variance (one numba pass over memory, kernels.channel_norm.channel_mean_var) and moves running_mean
    and running_var ((C,) arrays, if given) in place; training=False normalizes with them.
    The output has x's dtype.
    """

    @staticmethod
    def forward(ctx, x, gamma, beta, running_mean=None, running_var=None, training=True, momentum=0.9, eps=1e-5):
        check_images_and_affine("spatial_batchnorm", x, gamma, beta)
        mean, var = batch_statistics("spatial_batchnorm", x, running_mean, running_var, training, momentum,
                                     channel_mean_var)
        mean, gamma64 = np.asarray(mean, dtype=np.float64), gamma.astype(np.float64)
        inv_std = 1.0 / np.sqrt(np.asarray(var, dtype=np.float64) + eps)
        scale = gamma64 * inv_std
        ctx.save(x, mean, inv_std, scale)
        ctx.training = training
        ctx.dtypes = gamma.dtype, beta.dtype
        return channel_affine(x, scale, d=beta - mean * scale)

    @staticmethod
    def backward(ctx, grad):
        x, mean, inv_std, scale = ctx.saved
        grad_sum, grad_centered_sum = channel_cross_sums(grad, x, mean)  # sum(g), sum(g * (x - mean))
        dgamma, dbeta = grad_centered_sum * inv_std, grad_sum
        dx = None
        if ctx.needs_input_grad[0] and ctx.training:
            count = x.size // x.shape[1]
            b, e = input_gradient_coefficients(scale, inv_std, mean, grad_sum, grad_centered_sum, count)
            dx = channel_affine(grad, scale, v=x, b=b, d=e)
        elif ctx.needs_input_grad[0]:
            dx = channel_affine(grad, scale)
        return dx, dgamma.astype(ctx.dtypes[0]), dbeta.astype(ctx.dtypes[1]), None, None


@register(functional="layer_norm")
class LayerNorm(Function):
    """Normalize each sample of x over its trailing gamma.ndim axes (CS231n: x (N, D), gamma, beta (D,)),
    then scale by gamma and shift by beta.

    The statistics are always the sample's own (no running averages, same in training and
    evaluation). gamma and beta have the shape of those trailing axes.
    """

    @staticmethod
    def forward(ctx, x, gamma, beta, eps=1e-5):
        k = gamma.ndim
        if beta.shape != gamma.shape or k == 0 or x.shape[x.ndim - k:] != gamma.shape or x.ndim <= k:
            raise ValueError(f"layernorm: gamma and beta must have the shape of x's trailing feature axes "
                             f"(x (N, D): gamma, beta (D,)); got x {x.shape}, gamma {gamma.shape}, beta {beta.shape}")
        check_float("layernorm", x=x, gamma=gamma, beta=beta)
        axes = tuple(range(x.ndim - k, x.ndim))
        xhat, inv_std = standardize(x, axes, eps)
        ctx.save(xhat, inv_std, gamma)
        ctx.axes = axes
        return gamma * xhat + beta

    @staticmethod
    def backward(ctx, grad):
        xhat, inv_std, gamma = ctx.saved
        samples = tuple(range(xhat.ndim - gamma.ndim))
        dx = standardize_backward(grad * gamma, xhat, inv_std, ctx.axes) if ctx.needs_input_grad[0] else None
        return dx, (grad * xhat).sum(axis=samples), grad.sum(axis=samples)


@register(functional="group_norm")
class GroupNorm(Function):
    """Group norm of x (N, C, H, W): the C channels form `num_groups` groups of C / groups consecutive
    channels, each image's group normalized over its channels and pixels; then per-channel gamma
    and beta, (C,) as in PyTorch or (1, C, 1, 1) as in CS231n (gradients keep their shape).
    """

    @staticmethod
    def forward(ctx, x, num_groups, gamma, beta, eps=1e-5):
        if x.ndim != 4 or gamma.size != x.shape[1] or beta.shape != gamma.shape \
                or gamma.shape not in ((x.shape[1],), (1, x.shape[1], 1, 1)):
            raise ValueError(f"groupnorm: x must be (N, C, H, W) with gamma, beta (C,) or (1, C, 1, 1); got x {x.shape}, "
                             f"gamma {gamma.shape}, beta {beta.shape}")
        if not isinstance(num_groups, (int, np.integer)) or num_groups < 1 or x.shape[1] % num_groups:
            raise ValueError(f"groupnorm: the {x.shape[1]} channels cannot be split into {num_groups!r} groups of equal "
                             "size (num_groups must be a positive divisor of C)")
        check_float("groupnorm", x=x, gamma=gamma, beta=beta)
        grouped = x.reshape(x.shape[0], num_groups, -1)
        xhat, inv_std = standardize(grouped, (2,), eps)
        xhat = xhat.reshape(x.shape)
        gamma4 = gamma.reshape(1, -1, 1, 1)
        ctx.save(xhat, inv_std, gamma4)
        ctx.gamma_shape, ctx.groups = gamma.shape, num_groups
        return gamma4 * xhat + beta.reshape(1, -1, 1, 1)

    @staticmethod
    def backward(ctx, grad):
        xhat, inv_std, gamma4 = ctx.saved
        dx = None
        if ctx.needs_input_grad[0]:
            n = xhat.shape[0]
            dxhat = (grad * gamma4).reshape(n, ctx.groups, -1)
            dx = standardize_backward(dxhat, xhat.reshape(n, ctx.groups, -1), inv_std, (2,)).reshape(xhat.shape)
        dgamma = (grad * xhat).sum(axis=(0, 2, 3)).reshape(ctx.gamma_shape)
        return dx, None, dgamma, grad.sum(axis=(0, 2, 3)).reshape(ctx.gamma_shape)
