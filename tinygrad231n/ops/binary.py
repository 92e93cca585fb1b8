"""Elementwise ops of two inputs: + - * / **. They broadcast like numpy; `unbroadcast` sums
each input's gradient back to that input's shape."""
import numpy as np

from ..function import Function, register
from .broadcasting import shape_of, unbroadcast


@register(operator="add")
class Add(Function):
    """a + b."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = shape_of(a), shape_of(b)
        return a + b

    @staticmethod
    def backward(ctx, grad):
        shape_a, shape_b = ctx.shapes
        return unbroadcast(grad, shape_a), unbroadcast(grad, shape_b)


@register(operator="sub")
class Sub(Function):
    """a - b."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = shape_of(a), shape_of(b)
        return a - b

    @staticmethod
    def backward(ctx, grad):
        shape_a, shape_b = ctx.shapes
        grad_b = unbroadcast(-grad, shape_b) if ctx.needs_input_grad[1] else None
        return unbroadcast(grad, shape_a), grad_b


@register(operator="mul")
class Mul(Function):
    """a * b."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        grad_a = unbroadcast(grad * b, shape_of(a)) if ctx.needs_input_grad[0] else None
        grad_b = unbroadcast(grad * a, shape_of(b)) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


@register(operator="truediv")
class Div(Function):
    """a / b."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        grad_over_b = grad / b
        grad_a = unbroadcast(grad_over_b, shape_of(a)) if ctx.needs_input_grad[0] else None
        grad_b = unbroadcast(-grad_over_b * a / b, shape_of(b)) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


@register(operator="pow")
class Pow(Function):
    """a ** b. d/da = b * a**(b-1); d/db = a**b * log(a) (only computed when b needs it)."""

    @staticmethod
    def forward(ctx, a, b):
        out = a ** b
        ctx.save(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved
        grad_a = unbroadcast(grad * b * a ** (b - 1), shape_of(a)) if ctx.needs_input_grad[0] else None
        grad_b = None
        if ctx.needs_input_grad[1]:
            log_a = np.log(np.asarray(a, dtype=out.dtype))  # a Python-number base must not widen float32
            grad_b = unbroadcast(grad * out * log_a, shape_of(b))
        return grad_a, grad_b
