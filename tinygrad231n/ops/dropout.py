"""Inverted dropout as one op: a random keep-mask, scaled so the expected output equals the input."""
from ..function import Function, register


@register()  # nn.Dropout applies it in training
class Dropout(Function):
    """x * mask, where mask is 1/(1-p) with probability 1-p and 0 otherwise (p = drop probability).

    Scaling the kept units by 1/(1-p) at train time ("inverted" dropout) keeps E[output] = x, so
    evaluation needs no rescaling: the layer is the identity there (nn.Dropout skips this op).
    `rng` (a numpy Generator) draws the mask: element kept when rng.random() < 1 - p. Backward
    multiplies by the same saved mask. Shapes and dtype follow x.
    """

    @staticmethod
    def forward(ctx, x, p, rng):
        if not 0 <= p < 1:
            raise ValueError(f"dropout: p is the probability of dropping a unit and must be in [0, 1), got {p}")
        keep = 1.0 - p
        mask = (rng.random(x.shape) < keep) * x.dtype.type(1.0 / keep)  # bool * float32 stays float32
        ctx.save(mask)
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved
        return grad * mask
