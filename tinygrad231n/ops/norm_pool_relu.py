"""Spatial batch norm, then 2x2 max pooling (stride 2), then relu, as one op:

    relu(max_pool2d(spatial_batch_norm(x, gamma, beta), 2))

the end of each block of models.convnet.ConvNet. It computes what the three ops compute (the
same statistics, running-average update and rounding; the same winner of each window), in one
numba pass forward after the statistics' one and two passes backward (kernels/norm_pool_relu.py); it
keeps x and one byte per window for backward where the three ops keep x, a byte per window and
the relu's mask, and make two more arrays the size of x on the way.
"""
import numpy as np

from ..function import Function, register
from ..kernels.channel_norm import channel_mean_var
from ..kernels.norm_pool_relu import (WINDOW, norm_pool_relu, norm_pool_relu_gradient_sums,
                                      norm_pool_relu_input_gradient)
from .conv import sliding_windows
from .norm import batch_statistics, check_images_and_affine, input_gradient_coefficients


@register(functional="batch_norm_pool_relu")
class BatchNormPoolRelu(Function):
    """x (N, C, H, W), H and W even, gamma, beta (C,) -> relu(max_pool2d(batch_norm2d(x, ...), 2)),
    (N, C, H / 2, W / 2).

    Batch norm as ops.SpatialBatchNorm (training=True: the batch's statistics, running_mean and
    running_var moved in place if given; training=False: the running averages). The output has
    x's dtype; ties in a window go to the first maximum in C order (as max_pool2d).
    """

    @staticmethod
    def forward(ctx, x, gamma, beta, running_mean=None, running_var=None, training=True, momentum=0.9, eps=1e-5):
        check_images_and_affine("batch_norm_pool_relu", x, gamma, beta)
        sliding_windows("batch_norm_pool_relu", x.shape[2:], WINDOW, WINDOW, 0)  # H and W even, or a clear error
        mean, var = batch_statistics("batch_norm_pool_relu", x, running_mean, running_var, training, momentum,
                                     channel_mean_var)
        mean = np.asarray(mean, dtype=np.float64)
        inv_std = 1.0 / np.sqrt(np.asarray(var, dtype=np.float64) + eps)
        scale = gamma.astype(np.float64) * inv_std
        x = np.ascontiguousarray(x)
        out, winner = norm_pool_relu(x, scale, beta - mean * scale)
        ctx.save(x, winner, mean, inv_std, scale)
        ctx.training = training
        ctx.dtypes = gamma.dtype, beta.dtype
        return out

    @staticmethod
    def backward(ctx, grad):
        x, winner, mean, inv_std, scale = ctx.saved
        grad = np.ascontiguousarray(grad, dtype=x.dtype)
        grad_sum, grad_centered_sum = norm_pool_relu_gradient_sums(grad, winner, x, mean)
        dx = None
        if ctx.needs_input_grad[0]:
            if ctx.training:
                b, e = input_gradient_coefficients(scale, inv_std, mean, grad_sum, grad_centered_sum,
                                                   x.size // x.shape[1])
            else:
                b = e = np.zeros_like(scale)
            dx = norm_pool_relu_input_gradient(grad, winner, x, scale, b, e)
        dgamma, dbeta = grad_centered_sum * inv_std, grad_sum
        return dx, dgamma.astype(ctx.dtypes[0]), dbeta.astype(ctx.dtypes[1]), None, None
