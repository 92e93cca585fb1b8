"""softmax along an axis, shifted by the max so large logits never overflow."""
import numpy as np

from ..function import Function, register


@register(method="softmax", functional="softmax")
class Softmax(Function):
    """exp(x) / sum(exp(x), axis) along `axis` (default the last), computed from x - max(x, axis)
    so logits of +-1000 stay finite; a row of -inf but one entry (a masked attention row) gives 1
    there. Backward: y * (grad - sum(grad * y, axis)), y the output."""

    @staticmethod
    def forward(ctx, x, axis=-1):
        out = np.exp(x - x.max(axis=axis, keepdims=True))
        out /= out.sum(axis=axis, keepdims=True)
        ctx.save(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved
        return out * (grad - (grad * out).sum(axis=ctx.axis, keepdims=True))
