"""The tape's building block: a `Function` is one differentiable op, a forward/backward pair.

As in PyTorch's `autograd.Function`, `forward(ctx, *arrays)` computes with plain numpy arrays and
saves on `ctx` what `backward(ctx, grad)` needs; `backward` returns one gradient per input (None
for inputs that need none). `Function.apply` runs forward on the inputs' data and, when any input
requires a gradient, records the call on the output tensor: that record *is* the tape.

An op is declared once, with `@register(...)` above its class: that declaration is where
`Tensor`'s methods and operators, `nn.functional`'s functions and `ops.__all__` come from.
"""
import contextlib
import inspect
from typing import NamedTuple, Optional

import numpy as np

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
    `held` are the input tensors whose arrays (or views of them) the op saved, and `saves_output`
    says whether it saved its output's array: while the saved arrays live, those tensors' `.data`
    is read-only (see tensor.py), so a write through it fails at the line that does it.
    """

    held = ()
    saves_output = False

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self.saved = ()
        self.function = None
        self.parents = ()
        self.clock = Tensor._writes

    def save(self, *arrays):
        self.saved = arrays

    def hold(self, inputs, output):
        """Note which tensors' arrays the op saved (called once forward has run and saved)."""
        saved = self.saved
        held = [x for x in inputs if isinstance(x, Tensor) and _saved_from(saved, x._data)]
        for x in held:
            x._held += 1
        if held:
            self.held = held
        if _saved_from(saved, output):
            self.saves_output = True

    def free(self):
        """Drop the saved arrays (backward is done with them); the tensors they came from are writable again."""
        self.saved = None
        self.release()

    def release(self):
        for x in self.held:
            x._held -= 1
        self.held = ()

    def __del__(self):  # a graph dropped without a backward: its tensors are writable again
        if self.held:
            self.release()


def _saved_from(saved, array):
    """Whether `saved` holds `array` itself or a view of the same memory (numpy's .base is the owner)."""
    owner = None
    for item in saved:
        if item is array:
            return True
        if type(item) is np.ndarray and item.base is not None:
            if owner is None:
                owner = array if array.base is None else array.base
            if item.base is owner:
                return True
    return False


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
        if ctx.saved:
            ctx.hold(inputs, data)
        if open_module_calls:
            ctx.module_calls = tuple(reversed(open_module_calls))
        return Tensor._from_op(data, ctx)


# ---- declaring an op once ------------------------------------------------------------------------

class Declaration(NamedTuple):
    """How users reach one op. `method`: Tensor.<method>(self, *args, **options) is
    op.apply(self, *args, **options). `functional`: nn.functional.<functional>(x, *args, **options),
    the same with x made a Tensor first. `operator`: "add" gives Tensor.__add__ and __radd__
    (Python numbers and arrays welcome on either side). Each wrapper shows the op's docstring and
    forward's signature, so help(Tensor) and tab completion list it like any method."""
    op: type
    method: Optional[str] = None
    functional: Optional[str] = None
    operator: Optional[str] = None


declarations = []  # every op declared so far, in order
_listeners = []    # who builds names from declarations: Tensor, nn.functional, ops (see on_register)


def register(method=None, functional=None, operator=None):
    """Class decorator declaring an op and the names it goes by (see Declaration):

        @register(method="relu", functional="relu")    # Tensor.relu and F.relu now exist
        class Relu(Function): ...

    Every op is declared, with or without names, so that ops.__all__ lists it."""
    def declare(op):
        declaration = Declaration(op, method, functional, operator)
        for listener in _listeners:  # a name already taken is refused here, and the import fails
            listener(declaration)
        declarations.append(declaration)
        return op
    return declare


def on_register(listener):
    """Call listener(declaration) for each op declared so far, and for each one declared later."""
    for declaration in declarations:
        listener(declaration)
    _listeners.append(listener)


def describe_as(wrapper, op, name, module, first=None):
    """Give a generated wrapper the name, docstring and signature a reader expects: forward's
    parameters without ctx, the first one called `first` ("self" for a method); with first=None
    the wrapper keeps its own signature (an operator's (self, other))."""
    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__module__ = module
    wrapper.__doc__ = op.__doc__
    if first is not None:
        parameters = list(inspect.signature(op.forward).parameters.values())[1:]
        if parameters:
            parameters[0] = parameters[0].replace(name=first)
        wrapper.__signature__ = inspect.Signature(parameters)
    wrapper.op = op  # the Function behind the name
    return wrapper


from .tensor import Tensor  # noqa: E402  (tensor.py imports the ops, which import this module)
