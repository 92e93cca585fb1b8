"""Joining tensors along an axis: cat (an existing axis) and stack (a new one).

Both take any number of inputs, so neither is a method of one tensor: F.cat(tensors, axis) and
F.stack(tensors, axis) in nn/functional.py pass a list's tensors to these ops. Backward hands each
input its own part of the gradient, as views (no copies).
"""
import numpy as np

from ..errors import InputError
from ..function import Function, register


def _normalize_axis(op_name, axis, ndim):
    if not -ndim <= axis < ndim:
        raise InputError(f"{op_name}: axis {axis} is out of range for {ndim}-dimensional tensors "
                         f"(expected {-ndim}..{ndim - 1})")
    return axis % ndim


@register()  # F.cat
class Cat(Function):
    """Concatenate x0, x1, ... along `axis`: every size but axis's must match, as np.concatenate
    and PyTorch's cat; the output's size along axis is the sum of theirs."""

    @staticmethod
    def forward(ctx, *xs, axis=0):
        if not xs:
            raise InputError("cat: give at least one tensor")
        first = np.shape(xs[0])
        if len(first) == 0:
            raise InputError("cat: zero-dimensional tensors cannot be concatenated; use stack")
        axis = _normalize_axis("cat", axis, len(first))
        for i, x in enumerate(xs):
            shape = np.shape(x)
            if len(shape) != len(first) or shape[:axis] + shape[axis + 1:] != first[:axis] + first[axis + 1:]:
                raise InputError(f"cat: tensor {i} has shape {shape} but tensor 0 has shape {first}; every size "
                                 f"but that of axis {axis} must match")
        ctx.axis = axis
        ctx.ends = np.cumsum([np.shape(x)[axis] for x in xs])[:-1]
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.split(grad, ctx.ends, axis=ctx.axis))


@register()  # F.stack
class Stack(Function):
    """Stack x0, x1, ... of one shape S along a new `axis` (0..len(S), or negative from the end):
    k tensors give shape S with k inserted at axis, as np.stack and PyTorch's stack."""

    @staticmethod
    def forward(ctx, *xs, axis=0):
        if not xs:
            raise InputError("stack: give at least one tensor")
        first = np.shape(xs[0])
        axis = _normalize_axis("stack", axis, len(first) + 1)
        for i, x in enumerate(xs):
            if np.shape(x) != first:
                raise InputError(f"stack: tensor {i} has shape {np.shape(x)} but tensor 0 has shape {first}; "
                                 "stacked tensors must have one shape")
        ctx.axis = axis
        return np.stack(xs, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.moveaxis(grad, ctx.axis, 0))
