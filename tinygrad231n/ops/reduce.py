"""Reductions: sum, mean, max over an axis (int, negative int or tuple) or over everything.

Backward puts the reduced axes back (as size 1) and broadcasts the gradient over them.
"""
import numpy as np

from ..function import Function, register


def normalize_axes(axis, ndim, op_name="reduce"):
    """None -> all axes; an int or a tuple/list of ints (negatives allowed) -> a sorted tuple of distinct axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if _is_int(axis) else tuple(axis) if isinstance(axis, (tuple, list)) else None
    if axes is None or not all(_is_int(a) for a in axes):
        raise TypeError(f"{op_name}: axis must be None, an int or a tuple of ints, got {axis!r}")
    normalized = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{op_name}: axis {a} is out of range for a tensor with {ndim} dimension(s)")
        normalized.append(int(a) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op_name}: axis {axis} repeats an axis")
    return tuple(sorted(normalized))


def _is_int(a):
    return isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_))


def expand_to(grad, shape, axes):
    """Broadcast a reduced gradient back over the reduced `axes` of `shape` (read-only view)."""
    return np.broadcast_to(np.expand_dims(grad, axes) if grad.ndim < len(shape) else grad, shape)


@register(method="sum")
class Sum(Function):
    """x.sum(axis, keepdims). Each input element gets the gradient of the sum it fed."""

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.axes, ctx.shape = normalize_axes(axis, x.ndim, "sum"), x.shape
        return x.sum(axis=ctx.axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        return expand_to(grad, ctx.shape, ctx.axes)


@register(method="mean")
class Mean(Function):
    """x.mean(axis, keepdims): a sum divided by the number of elements reduced."""

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        ctx.axes, ctx.shape = normalize_axes(axis, x.ndim, "mean"), x.shape
        ctx.count = int(np.prod([x.shape[a] for a in ctx.axes]))
        return x.mean(axis=ctx.axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, grad):
        return expand_to(grad / ctx.count, ctx.shape, ctx.axes)


@register()  # Tensor.max (tensor.py) applies it, taking PyTorch's dim= as well as numpy's axis=
class Max(Function):
    """x.max(axis, keepdims). The whole gradient goes to one arg-max per reduced group.

    Tie rule: among equal maxima, the first in C order over the reduced axes wins (what
    np.argmax picks), so gradients stay sparse and deterministic; the others get 0.
    """

    @staticmethod
    def forward(ctx, x, axis=None, keepdims=False):
        axes = normalize_axes(axis, x.ndim, "max")
        group_size = int(np.prod([x.shape[a] for a in axes]))
        if group_size == 0:
            raise ValueError(f"max: cannot take the max over axis {axis} of a tensor of shape {x.shape}: "
                             "the reduced axes are empty, and max has no value for nothing")
        kept = tuple(a for a in range(x.ndim) if a not in axes)
        # Move the reduced axes last and flatten them, so one argmax finds each group's winner.
        # (The group size is spelled out: -1 cannot be inferred when a kept axis is empty.)
        grouped = x.transpose(kept + axes).reshape([x.shape[a] for a in kept] + [group_size])
        winner = grouped.argmax(axis=-1)[..., None]
        ctx.save(winner)
        ctx.layout = x.shape, kept, axes, grouped.shape
        out = np.take_along_axis(grouped, winner, axis=-1)[..., 0]
        return out.reshape([1 if a in axes else n for a, n in enumerate(x.shape)]) if keepdims else out

    @staticmethod
    def backward(ctx, grad):
        (winner,) = ctx.saved
        shape, kept, axes, grouped_shape = ctx.layout
        grouped_grad = np.zeros(grouped_shape, dtype=grad.dtype)
        np.put_along_axis(grouped_grad, winner, grad.reshape(grouped_shape[:-1] + (1,)), axis=-1)
        unflattened = grouped_grad.reshape([shape[a] for a in kept + axes])
        return unflattened.transpose(np.argsort(kept + axes))


@register()  # F.sum_of_squares(*tensors) adds one per tensor
class SumOfSquares(Function):
    """sum(x**2) as one op (the L2 penalty): a dot product forward, 2 * x backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save(x)
        flat = x.reshape(-1)
        return np.dot(flat, flat)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return (2 * grad) * x
