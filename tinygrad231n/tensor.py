"""`Tensor`: a numpy array that remembers the op that made it, and backpropagates through them.

Each op's output keeps a `Context` (see function.py) naming the op and its inputs: walking those
links backwards from a result is walking the tape (`backward()`, which backprop.py does).

In-place writes and the tape: an op's backward reads the arrays its forward saved, so writing a
tensor's array in place between forward and backward would silently give gradients of values the
graph never saw. Two guards:
- `.data` is read-only while an op that saved the tensor's array (an input it keeps, or its own
  output) waits for its backward: `t.data[...] = v` and `t.data -= v` fail at the line, in numpy.
  Each recorded op notes which tensors it holds so (function.Context.hold); its backward, or the
  graph being dropped, lets go. (retain_graph=True keeps holding: write after dropping the graph.)
- Writes that the Tensor API makes (`t.copy_(value)`, which the optimizers use) are stamped with a
  global write clock; each recorded op notes the clock, and backward raises if the op's output or
  an input was written since and its memory overlaps an array the op saved.
Not seen (numpy cannot tell us): writes through a reference to the array taken before the op ran
or by `t.numpy()`/`np.asarray(t)`, and writes through another tensor sharing the memory
(`t.detach()`). Replacing the array (`t.data = new_array`) is not a write: the graph keeps the old
array, as in PyTorch.
"""
from collections import namedtuple

import numpy as np

from .array_view import ArrayView

MaxResult = namedtuple("MaxResult", ["values", "indices"])  # what max(dim) gives, as torch.return_types.max


class Size(tuple):
    """What size() gives: the shape, a plain tuple (equal to one, hashed as one) that prints as PyTorch's
    torch.Size([64, 10]). (`.shape` stays numpy's plain tuple: it is read on every op.)"""

    __slots__ = ()

    def __repr__(self):
        return f"torch.Size({list(self)})"


def _comparison(ufunc, symbol):
    """Tensor.__eq__ and friends: elementwise, broadcast like numpy, a bool Tensor that records nothing.
    Anything that is not a number, an array or a Tensor (None, a string) compares as Python objects do."""
    def compare(self, other):
        if isinstance(other, Tensor):
            other = other._data
        elif not isinstance(other, (int, float, np.ndarray, np.generic, list, tuple)):
            return NotImplemented
        try:
            return Tensor._from_op(np.asarray(ufunc(self._data, other)), None)
        except ValueError:
            raise ValueError(f"{symbol}: shapes {self.shape} and {np.shape(other)} cannot be broadcast together "
                             "(sizes must match or be 1, aligned from the right)") from None
    compare.__name__ = compare.__qualname__ = f"__{ufunc.__name__}__"
    return compare


class Tensor:
    """A numpy array (`.data`) with an optional gradient (`.grad`, same shape and dtype).

    The data is float32 or float64: float32 and float64 input keep their dtype; integer, bool and
    list input becomes float64; other floats (float16, longdouble) are refused, since the numba
    kernels run in float32 and float64 only. Integer and bool tensors (int64, int32, uint8, bool)
    exist when asked for (`dtype=np.int64`) or made by ops that give indices or truth values
    (comparisons); as in PyTorch they never require grad. `name` labels the tensor in graph
    diagrams (nn.Module sets it for parameters).
    """

    __slots__ = ("_data", "_grad", "requires_grad", "name", "_ctx", "_written_at", "_held")
    __array_ufunc__ = None  # make `ndarray + Tensor` call Tensor.__radd__ instead of looping elementwise
    _writes = 0  # the write clock: how many in-place writes through the Tensor API so far (module doc)

    def __init__(self, data, requires_grad=False, dtype=None, name=None):
        self._data = _as_array(data, dtype)
        self._grad = None
        self.requires_grad = bool(requires_grad)
        if self.requires_grad and self._data.dtype not in _FLOATS:
            raise RuntimeError(_NO_GRAD_FOR_DTYPE.format(self._data.dtype))
        self.name = name
        self._ctx = None
        self._written_at = 0
        self._held = 0  # how many recorded ops, not yet backpropagated, saved this tensor's array

    @classmethod
    def _from_op(cls, data, ctx):
        """Wrap an op's output without re-validating it (the hot path: one call per op)."""
        out = object.__new__(cls)
        out._data = data if type(data) is np.ndarray else np.asarray(data)
        out._grad = None
        out.requires_grad = ctx is not None
        out.name = None
        out._ctx = ctx
        out._written_at = 0
        out._held = 0
        return out

    # ---- the array, and writing it in place -------------------------------------------------
    @property
    def data(self):
        """The array, as an ArrayView (array_view.py): a view sharing the stored memory, with PyTorch's
        in-place `zero_()`, `fill_(v)` (and, with the front imported, `normal_`, `uniform_`); numpy
        arithmetic on it gives plain arrays. The engine itself reads the plain array, `_data`.

        Read-only while a recorded op that saved it waits for its backward: then `t.data[...] = v`,
        `t.data -= v` and `t.data.zero_()` fail at once (numpy: "assignment destination is
        read-only"): the op's backward would read the new values and give wrong gradients. Write
        after backward(), or with `t.copy_(v)`, which a later backward through that graph refuses;
        `t.data = new_array` replaces the array and is always allowed (the graph keeps the old one).
        Assigning a view of the whole stored array back (what `t.data -= x` does) marks a write.
        """
        view = self._data.view(ArrayView)
        if self._held or (self._ctx is not None and self._ctx.saves_output and self._ctx.saved is not None):
            view.flags.writeable = False
        return view

    @data.setter
    def data(self, value):
        if isinstance(value, np.ndarray) and _views_whole(value, self._data):
            self._mark_written()  # `t.data -= x`: numpy wrote the array in place, then Python assigns it back
        elif isinstance(value, Tensor):  # its dtype is one a Tensor may have: keep it (ints stay ints)
            self._data = value._data
        else:
            self._data = _as_array(value, None)

    def copy_(self, value):
        """Write `value` into `.data` in place (broadcast, same-kind casting, as np.copyto); returns self.

        Marks the write, so a backward through a graph that saved the old values raises.
        """
        np.copyto(self._data, value._data if isinstance(value, Tensor) else value, casting="same_kind")
        self._mark_written()
        return self

    def _mark_written(self):
        Tensor._writes += 1  # on Tensor itself: `type(self)._writes += 1` would give a subclass its own clock
        self._written_at = Tensor._writes

    # ---- the gradient ---------------------------------------------------------------------------
    @property
    def grad(self):
        """None, or the accumulated gradient as an ArrayView: a view of the stored array with
        PyTorch's in-place `zero_()` and `fill_(v)` (array_view.py). The engine itself reads the
        plain array, `_grad`."""
        grad = self._grad
        return None if grad is None else grad.view(ArrayView)

    @grad.setter
    def grad(self, value):
        if value is None or type(value) is np.ndarray:
            self._grad = value
        elif isinstance(value, Tensor):
            self._grad = value._data
        else:  # an ArrayView (p.grad = q.grad) or anything array-like: store a plain ndarray
            self._grad = np.asarray(value).view(np.ndarray)

    # ---- in-place arithmetic: t += v writes t's array, as in PyTorch ----------------------------
    def _write_in_place(self, ufunc, other, symbol):
        """`t op= v` computes into t's own array (numpy's same-kind casting) and returns t, so every
        name for t (an optimizer's parameter list, say) sees the new values. Refused where PyTorch
        refuses, and where the tape would lose track (see the messages); a graph that saved t's old
        values notices the write at its backward (the write clock)."""
        from .function import is_grad_enabled
        rewrite = f"write t = t {symbol[0]} v" if symbol.endswith("=") else "make a new tensor instead"
        if is_grad_enabled():
            if self.requires_grad and self._ctx is None:
                raise RuntimeError(f"`{symbol}`: a leaf tensor that requires grad is being used in an in-place "
                                   "operation; update parameters inside `with no_grad():` (as PyTorch requires)")
            if self._ctx is not None:
                raise RuntimeError(f"`{symbol}`: in-place ops on a recorded tensor are not supported; {rewrite}")
            if isinstance(other, Tensor) and other.requires_grad:
                raise RuntimeError(f"`{symbol}`: the right-hand side requires grad, and an in-place write would "
                                   f"drop it from the graph; {rewrite}")
        ufunc(self._data, other._data if isinstance(other, Tensor) else other, out=self._data, casting="same_kind")
        self._mark_written()
        return self

    def __iadd__(self, other):
        return self._write_in_place(np.add, other, "+=")

    def __isub__(self, other):
        return self._write_in_place(np.subtract, other, "-=")

    def __imul__(self, other):
        return self._write_in_place(np.multiply, other, "*=")

    def __itruediv__(self, other):
        return self._write_in_place(np.true_divide, other, "/=")

    # ---- plain attributes -------------------------------------------------------------------
    shape = property(lambda self: self._data.shape)
    dtype = property(lambda self: self._data.dtype)
    ndim = property(lambda self: self._data.ndim)
    is_leaf = property(lambda self: self._ctx is None)

    def size(self, dim=None):
        """PyTorch's size(): the shape as a Size (a tuple), or the length of axis `dim`. (The element
        count, numpy's `.size`, is numel().)"""
        return Size(self._data.shape) if dim is None else self._data.shape[dim]

    def numel(self):
        """How many elements (numpy's .size)."""
        return int(self._data.size)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """The largest values, in PyTorch's or numpy's words:
        - x.max(): the largest element, a 0-d tensor;
        - x.max(dim) or x.max(dim=d, keepdim=...) with an int: a namedtuple (values, indices), as
          PyTorch's (indices int64, not recorded);
        - x.max(axis=..., keepdims=...) (an int or a tuple, numpy's names) or x.max((0, 1)): the values.
        The gradient goes to one arg-max per group: the first in C order on ties (ops.Max)."""
        if axis is not None or keepdims is not None:
            if dim is not None:
                raise TypeError("max: give the axis once, as dim (PyTorch) or axis (numpy)")
            return ops.Max.apply(self, axis=axis, keepdims=bool(keepdims))
        if dim is None or isinstance(dim, (tuple, list)):
            return ops.Max.apply(self, axis=dim, keepdims=keepdim)
        values = ops.Max.apply(self, axis=dim, keepdims=keepdim)
        indices = self._data.argmax(axis=dim)  # the first maximum, as the op's gradient picks
        return MaxResult(values, Tensor._from_op(np.expand_dims(indices, dim) if keepdim else indices, None))

    def __len__(self):
        return len(self._data)

    def __array__(self, dtype=None, copy=None):
        """`np.asarray(tensor)` is the data (no copy unless a dtype change or copy=True asks for one)."""
        return np.array(self._data, dtype=dtype, copy=copy)

    def __bool__(self):
        """Like numpy: the truth of a one-element tensor; any other size is ambiguous."""
        if self._data.size != 1:
            raise ValueError(f"the truth value of a Tensor of shape {self.shape} is ambiguous; "
                             "use t.numpy().any() or t.numpy().all()")
        return bool(self._data)

    def numpy(self):
        return self._data

    def item(self):
        return self._one_element("item()")

    # Python numbers from one-element tensors, as in PyTorch: `float(num_correct)`, `int(t)`, `'%d' % t`.
    def __float__(self):
        return float(self._one_element("float()"))

    def __int__(self):
        return int(self._one_element("int()"))  # truncates toward zero, as int(3.7) and PyTorch do

    def __index__(self):
        """An integer tensor of one element as a list index or a range bound (PyTorch: integers only)."""
        if self._data.dtype.kind not in "iub":
            raise TypeError(f"only integer tensors of a single element can be converted to an index; "
                            f"this one is {self._data.dtype}")
        return int(self._one_element("__index__"))

    def _one_element(self, what):
        if self._data.size != 1:
            raise ValueError(f"{what}: only a tensor with one element converts to a Python number; "
                             f"this one has shape {self.shape}")
        return self._data.item()

    # Comparisons give bool tensors and are never recorded (they have no gradient). Defining __eq__
    # would make Tensors unhashable: hashing stays by identity, so sets and dicts of tensors work,
    # and code that looks tensors up in lists must compare by identity (`is`), never with ==.
    __hash__ = object.__hash__
    __eq__ = _comparison(np.equal, "==")
    __ne__ = _comparison(np.not_equal, "!=")
    __lt__ = _comparison(np.less, "<")
    __le__ = _comparison(np.less_equal, "<=")
    __gt__ = _comparison(np.greater, ">")
    __ge__ = _comparison(np.greater_equal, ">=")

    def detach(self):
        """The same data as a new leaf that records nothing (shares memory, like torch)."""
        return Tensor._from_op(self._data, None)

    def __repr__(self):
        parts = [np.array2string(self._data, precision=4, threshold=20, prefix="Tensor(")]
        if self._data.dtype != np.float64:
            parts.append(f"dtype={self._data.dtype}")
        if self._ctx is not None:
            parts.append(f"grad_fn={self._ctx.function.__name__}")
        elif self.requires_grad:
            parts.append("requires_grad=True")
        return f"Tensor({', '.join(parts)})"

    # ---- backpropagation --------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=False, grad=None):
        """Accumulate d(self)/d(leaf) * gradient into `.grad` of every leaf that requires grad (backprop.py).

        A one-element tensor seeds with 1; anything else needs `gradient` (PyTorch's name; `grad=`
        is the same) of exactly its shape.
        The walk frees the arrays each op saved, so a second backward through the graph is an error,
        unless `retain_graph=True` keeps them (as in PyTorch): then it may run any number of times
        (CS231n's caches do; each walk adds to `.grad` again).
        """
        if not self.requires_grad:
            raise RuntimeError("backward(): this tensor does not require grad and was not computed from one "
                               "that does; create leaves with Tensor(..., requires_grad=True)")
        if grad is not None:
            if gradient is not None:
                raise TypeError("backward(): pass the gradient once, as gradient= (or its other name grad=)")
            gradient = grad
        backpropagate(self, gradient, retain_graph)

    def to_dot(self, **options):
        """The graph behind this tensor as a `graphviz.Digraph` (options: see tinygrad231n.viz.to_dot)."""
        from .viz import to_dot
        return to_dot(self, **options)

    # ---- the ops' methods and operators ------------------------------------------------------
    # Tensor.relu, Tensor.sum, `a + b`, `a @ b`, `x[key]`, ... are added by each op's declaration
    # (@register in ops/, see function.py and _attach below): one place per op.

    T = property(lambda self: self.transpose(), doc="The axes reversed (a matrix's transpose).")


def add_names(table):
    """Give Tensor more names (the front's PyTorch spellings, tinygrad231n/torch/tensor_names.py).

    `table` maps a name to a function taking the tensor first, or to the name of an attribute Tensor
    already has (an alias: "view" -> "reshape"). Additive only: a name Tensor already has is refused,
    unless it is the very function being installed (installing the same table twice is harmless).
    """
    resolved = {name: getattr(Tensor, target) if isinstance(target, str) else target for name, target in table.items()}
    for name, function in resolved.items():
        # What Tensor's instances have: `Tensor.__or__` would find type's (int | None), which they lack.
        existing = next((vars(cls)[name] for cls in Tensor.__mro__ if name in vars(cls)), None)
        if existing is not None and existing is not function:
            raise ValueError(f"add_names: Tensor.{name} is already defined; the name table cannot replace it")
    for name, function in resolved.items():
        setattr(Tensor, name, function)


def _views_whole(view, array):
    """Whether `view` is `array` or a view of all of it, element for element (same memory, layout, dtype)."""
    if view is array:
        return True
    return (view.shape == array.shape and view.strides == array.strides and view.dtype == array.dtype
            and view.__array_interface__["data"][0] == array.__array_interface__["data"][0])


def as_tensor(x):
    """Tensors pass through unchanged; anything else (arrays, lists, numbers) becomes a constant Tensor."""
    return x if isinstance(x, Tensor) else Tensor(x)


_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_NON_FLOATS = (np.dtype(np.int64), np.dtype(np.int32), np.dtype(np.uint8), np.dtype(np.bool_))
_NO_GRAD_FOR_DTYPE = "only floating-point tensors can require gradients; got {}"  # PyTorch's rule, and its words


def _as_array(data, dtype):
    """`data` as an array of a dtype a Tensor may hold. Without `dtype`, floats keep theirs and
    integers and bools become float64 (the engine's default); an explicit `dtype` may be any of
    _FLOATS and _NON_FLOATS."""
    if isinstance(data, Tensor):
        data = data._data
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype not in _FLOATS and dtype not in _NON_FLOATS:
            raise TypeError(f"Tensor: dtype must be one of float32, float64, int64, int32, uint8, bool; got {dtype}")
    try:
        array = np.asarray(data, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"Tensor: cannot make a numeric array from {type(data).__name__} data ({err})") from None
    if array.dtype in _FLOATS or dtype is not None:
        return array
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    if array.dtype.kind == "f":
        raise TypeError(f"Tensor: {array.dtype} data is not supported (the kernels run in float32 and float64); "
                        "convert it first, e.g. array.astype(np.float32)")
    raise TypeError(f"Tensor: data must be numeric (float, int or bool), got an array of dtype {array.dtype}")


def _operand(x):
    """An operator's operand that is neither a Tensor nor a plain int or float: a numpy scalar becomes
    the Python number (PyTorch's rule: np.sqrt(2.0) * a float32 tensor stays float32), a bool stays a
    bool, anything else becomes a Tensor."""
    if isinstance(x, (np.number, np.bool_)):
        return x.item()
    if isinstance(x, (int, float)):
        return x
    return Tensor(x)


def _binary(function, a, b):
    # Python numbers stay numbers so that numpy keeps the tensor's dtype (float32 * 2.0 stays float32,
    # where a 0-d float64 array would widen it). Written out, with the common cases first and plain
    # attribute reads for the integer check: this runs per op.
    if not isinstance(a, Tensor) and a.__class__ is not float and a.__class__ is not int:
        a = _operand(a)
    if not isinstance(b, Tensor) and b.__class__ is not float and b.__class__ is not int:
        b = _operand(b)
    if (a.__class__ is Tensor and a._data.dtype.kind != "f") or (b.__class__ is Tensor and b._data.dtype.kind != "f"):
        a, b = _promote_integers(function, a, b)
    try:
        return function.apply(a, b)
    except ValueError as error:
        if "broadcast" not in str(error):  # the op's own message (matmul's "do not align") says it best
            raise
        shape_a, shape_b = np.shape(getattr(a, "data", a)), np.shape(getattr(b, "data", b))
        try:
            np.broadcast_shapes(shape_a, shape_b)
        except ValueError:
            raise ValueError(f"{function.__name__.lower()}: shapes {shape_a} and {shape_b} cannot be "
                             "broadcast together (sizes must match or be 1, aligned from the right)") from None
        raise


def _promote_integers(function, a, b):
    """PyTorch's dtype for an operator with an integer or bool tensor, where numpy's differs:
    with a float tensor, the float tensor's dtype (numpy: float32 * int64 -> float64); with a
    Python float, or for `/` of integers, float32, the default float (numpy: float64). Integers
    with integers stay as numpy computes them (int64 + int64 -> int64, as PyTorch)."""
    floats = [x._data.dtype for x in (a, b) if isinstance(x, Tensor) and x._data.dtype.kind == "f"]
    if floats:
        dtype = floats[0]
    elif isinstance(a, float) or isinstance(b, float) or function.__name__ == "Div":
        dtype = np.dtype(np.float32)
    else:
        return a, b
    return tuple(_cast(x, dtype) if isinstance(x, Tensor) and x._data.dtype.kind != "f" else x for x in (a, b))


def _cast(x, dtype):
    """A non-float tensor's values as a new float tensor (never recorded: integer tensors need no grad)."""
    return Tensor._from_op(x._data.astype(dtype), None)


def _attach(declaration):
    """Add the Tensor method and operators an op declares (function.register)."""
    op = declaration.op
    names = {}  # name -> (wrapper, the name of its first parameter: None keeps the wrapper's signature)
    if declaration.method:
        names[declaration.method] = _method(op, declaration.method), "self"
    if declaration.operator:
        names[f"__{declaration.operator}__"] = _operator(op, reflected=False), None
        names[f"__r{declaration.operator}__"] = _operator(op, reflected=True), None
    for name, (wrapper, first) in names.items():
        if name in Tensor.__dict__ and getattr(Tensor.__dict__[name], "op", None) is not op:
            raise ValueError(f"register: Tensor.{name} is already defined; {op.__name__} cannot take the name")
    for name, (wrapper, first) in names.items():
        setattr(Tensor, name, describe_as(wrapper, op, name, __name__, first))


# PyTorch's rules for an integer or bool tensor where numpy's differ (numpy: float64 results):
# these methods give float32, the default float (torch.exp(torch.tensor([1, 2])) is float32) ...
_FLOAT32_FOR_INTEGERS = {"exp", "log", "sigmoid", "tanh", "sin", "cos"}
# ... and these refuse integers, as PyTorch's do ((a == b).float().mean() is the spelling).
_FLOATS_ONLY = {"mean", "softmax", "log_softmax"}


def _method(op, name):
    def method(self, *args, **options):
        if options:  # PyTorch's dim= and keepdim= are numpy's axis= and keepdims=
            options = _numpy_names(options)
        if self._data.dtype.kind != "f":
            self = _integer_input(self, name)
        return op.apply(self, *args, **options)
    return method


def _integer_input(x, name):
    """An integer or bool tensor as the method `name` takes it in PyTorch: cast to float32, or refused."""
    if name in _FLOAT32_FOR_INTEGERS:
        return _cast(x, np.dtype(np.float32))
    if name in _FLOATS_ONLY:
        raise RuntimeError(f"{name}(): expects a floating-point tensor, got {x._data.dtype} (as in PyTorch); "
                           f"convert first, e.g. x.float().{name}(...)")
    return x


_NUMPY_NAMES = {"dim": "axis", "keepdim": "keepdims"}


def _numpy_names(options):
    renamed = {}
    for name, value in options.items():
        numpy_name = _NUMPY_NAMES.get(name, name)
        if numpy_name in renamed:
            raise TypeError(f"give {numpy_name} once: as {numpy_name}= (numpy) or "
                            f"{next(k for k, v in _NUMPY_NAMES.items() if v == numpy_name)}= (PyTorch)")
        renamed[numpy_name] = value
    return renamed


def _operator(op, reflected):
    if reflected:
        def operator(self, other):
            return _binary(op, other, self)
    else:
        def operator(self, other):
            return _binary(op, self, other)
    return operator


from .backprop import backpropagate  # noqa: E402  (backprop.py imports Tensor from here)
from .function import describe_as, on_register  # noqa: E402  (function.py imports Tensor from here)
from . import ops  # noqa: E402  (the ops import Function, which imports Tensor from here)

on_register(_attach)
