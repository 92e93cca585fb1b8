"""log_softmax along an axis, shifted by the max so large logits never overflow."""
import numpy as np

from ..function import Function, register


@register(method="log_softmax", functional="log_softmax")
class LogSoftmax(Function):
    """log(softmax(x)) along `axis`: x - log(sum(exp(x), axis)), shifted by the max so large logits
    stay finite. Backward: grad - softmax(x) * sum(grad, axis)."""

    @staticmethod
    def forward(ctx, x, axis=-1):
        shifted = x - x.max(axis=axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.save(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved
        return grad - np.exp(out) * grad.sum(axis=ctx.axis, keepdims=True)
