"""Elementwise ops of one input: negation, exp, log, the activations, sin and cos."""
import numpy as np

from ..function import Function, register


@register(method="__neg__")
class Neg(Function):
    """-x."""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


@register(method="exp")
class Exp(Function):
    """e**x; its gradient is its output, so the output is what we save."""

    @staticmethod
    def forward(ctx, x):
        out = np.exp(x)
        ctx.save(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved
        return grad * out


@register(method="log")
class Log(Function):
    """Natural log; x <= 0 gives -inf/nan exactly as numpy does."""

    @staticmethod
    def forward(ctx, x):
        ctx.save(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad / x


@register(method="relu", functional="relu")
class Relu(Function):
    """max(x, 0). The gradient at exactly 0 is taken as 0 (as PyTorch does)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save(x > 0)
        return np.maximum(x, 0)

    @staticmethod
    def backward(ctx, grad):
        (positive,) = ctx.saved
        return grad * positive


@register(method="sigmoid", functional="sigmoid")
class Sigmoid(Function):
    """1 / (1 + e**-x), computed as (1 + tanh(x/2)) / 2, which never overflows."""

    @staticmethod
    def forward(ctx, x):
        out = 0.5 * (1 + np.tanh(0.5 * x))
        ctx.save(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved
        return grad * out * (1 - out)


@register(method="tanh", functional="tanh")
class Tanh(Function):
    """tanh(x); d/dx = 1 - tanh(x)**2."""

    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved
        return grad * (1 - out * out)


@register(method="sin")
class Sin(Function):
    """sin(x); d/dx = cos(x) (the positional encodings of attention use both)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * np.cos(x)


@register(method="cos")
class Cos(Function):
    """cos(x); d/dx = -sin(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return -grad * np.sin(x)
