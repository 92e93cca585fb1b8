"""Choosing elementwise by a boolean mask: where(mask, a, b) and masked_fill(x, mask, value).

A mask is a bool array (np.triu(np.ones((T, T), bool), 1) for a causal mask, say), or a Tensor of
0s and 1s, which is how a Tensor holds booleans here; it gets no gradient.
"""
import numpy as np

from ..checks import as_mask
from ..errors import InputError
from ..function import Function, register
from .broadcasting import shape_of, unbroadcast


@register(functional="where")
class Where(Function):
    """a where mask is True, b elsewhere, all three broadcast together (numpy's and PyTorch's
    where(condition, input, other)). a and b may be Tensors, arrays or numbers; each gets the
    gradient of the elements it gave, summed back to its own shape."""

    @staticmethod
    def forward(ctx, mask, a, b):
        mask = as_mask("where", mask)
        shapes = mask.shape, shape_of(a), shape_of(b)
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            raise InputError(f"where: mask {shapes[0]}, a {shapes[1]} and b {shapes[2]} cannot be broadcast "
                             "together (sizes must match or be 1, aligned from the right)") from None
        ctx.save(mask)
        ctx.shapes = shapes[1:]
        out = np.where(mask, a, b)
        return out if out.dtype.kind == "f" else out.astype(np.float64)  # numbers or ints alone: float64

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved
        shape_a, shape_b = ctx.shapes
        grad_a = unbroadcast(np.where(mask, grad, 0), shape_a) if ctx.needs_input_grad[1] else None
        grad_b = unbroadcast(np.where(mask, 0, grad), shape_b) if ctx.needs_input_grad[2] else None
        return None, grad_a, grad_b


@register(method="masked_fill", functional="masked_fill")
class MaskedFill(Function):
    """x with `value` (one number) wherever mask is True; mask broadcasts to x's shape, which the
    output keeps (PyTorch's masked_fill). masked_fill(scores, causal, -inf) before a softmax hides
    the future. Gradient: x's where mask is False, zero where it was filled; a Tensor value gets
    the sum of the filled elements' gradients."""

    @staticmethod
    def forward(ctx, x, mask, value):
        mask = as_mask("masked_fill", mask)
        if np.ndim(value) != 0:
            raise InputError(f"masked_fill: value must be one number, got shape {np.shape(value)}")
        try:
            fits = np.broadcast_shapes(mask.shape, x.shape) == x.shape
        except ValueError:
            fits = False
        if not fits:
            raise InputError(f"masked_fill: mask of shape {mask.shape} does not broadcast to x's shape {x.shape}")
        ctx.save(mask)
        return np.where(mask, np.asarray(value, dtype=x.dtype), x)

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved
        grad_value = np.where(mask, grad, 0).sum() if ctx.needs_input_grad[2] else None
        return np.where(mask, 0, grad), None, grad_value
