"""The tape's building block: a `Function` is one differentiable op, a forward/backward pair.

As in PyTorch's `autograd.Function`, `forward(ctx, *arrays)` computes with plain numpy arrays and
saves on `ctx` what `backward(ctx, grad)` needs; `backward` returns one gradient per input (None
for inputs that need none). `Function.apply` runs forward on the inputs' data and, when any input
requires a gradient, records the call on the output tensor: that record *is* the tape.
"""
import contextlib

_grad_enabled = True
open_module_calls = []  # the ModuleCalls running now, outermost first (nn.Module.__call__ keeps it)


def is_grad_enabled():
    return _grad_enabled


class no_grad(contextlib.ContextDecorator):
    """`with no_grad():` (or `@no_grad()`) records nothing: outputs are constants, as in PyTorch."""

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = False

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._previous
        return False


class ModuleCall:
    """One call of a module (an nn layer, say). nn.Module.__call__ pushes one on `open_module_calls`
    while it runs; the ops recorded meanwhile note the calls around them, innermost first, in
    `ctx.module_calls`, so a diagram can draw all one layer call did as one box
    (viz.to_dot(collapse=True)). The core knows nothing of modules beyond this note."""

    __slots__ = ("module",)

    def __init__(self, module):
        self.module = module


class Context:
    """What one recorded call keeps for its backward pass.

    `saved` holds the arrays forward chose to keep; backward frees them (sets None), so a second
    backward through the same graph is an error rather than a silent reuse, as in PyTorch.
    `needs_input_grad[i]` tells backward whether input i wants a gradient: skip work when not.
    `clock` is Tensor's write clock when the op ran: backward compares it to find tensors written
    in place since (see tensor.py), at the cost of one integer per op.
    """

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self.saved = ()
        self.function = None
        self.parents = ()
        self.clock = Tensor._writes

    def save(self, *arrays):
        self.saved = arrays


class Function:
    """Base class of every op; subclasses define `forward` and `backward` as staticmethods."""

    @staticmethod
    def forward(ctx, *inputs, **options):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **options):
        """Run the op on Tensors (or plain numbers/arrays, taken as constants); return a Tensor."""
        needs = tuple(isinstance(x, Tensor) and x.requires_grad for x in inputs)
        record = _grad_enabled and any(needs)
        ctx = Context(needs)
        data = cls.forward(ctx, *[x._data if isinstance(x, Tensor) else x for x in inputs], **options)
        if not record:
            return Tensor._from_op(data, None)
        ctx.function = cls
        ctx.parents = inputs
        if open_module_calls:
            ctx.module_calls = tuple(reversed(open_module_calls))
        return Tensor._from_op(data, ctx)


from .tensor import Tensor  # noqa: E402  (tensor.py imports the ops, which import this module)
