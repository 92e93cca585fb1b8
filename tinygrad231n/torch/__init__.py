"""A PyTorch-flavoured front on the engine: `import tinygrad231n.torch as torch` and CS231n's
PyTorch notebooks run with their imports changed (contract: /work/shared/cs231n/torch_api.md).

There is one tensor type: `torch.Tensor` IS `tinygrad231n.Tensor`. Importing this package gives it
PyTorch's method names (tensor_names.py, installed by tinygrad231n.tensor.add_names). Factories make
float32 by default, as PyTorch does (the engine's own `Tensor([1, 2])` stays float64). CPU only:
`cuda.is_available()` is False and a device changes nothing. `manual_seed` seeds the front's numpy
generator, so seeded numbers differ from PyTorch's (random.py). A name outside the supported subset
is one AttributeError saying so (_unsupported.py).

Dtypes are numpy dtypes: `torch.float32 is np.dtype(np.float32)`, so `x.dtype == torch.float32` and
`dtype=torch.long` work everywhere numpy's do.
"""
import os as _os
import types as _types

import numpy as np

import tinygrad231n.nn.functional as _F
from tinygrad231n.atomic import save_npz as _save_npz
from tinygrad231n.errors import InputError as _InputError
from tinygrad231n.function import is_grad_enabled, no_grad
from tinygrad231n.array_view import add_methods as _add_array_methods
from tinygrad231n.tensor import Size, Tensor, add_names as _add_names
from tinygrad231n.torch import random
from tinygrad231n.torch.array_methods import METHODS as _ARRAY_METHODS
from tinygrad231n.torch._unsupported import unsupported as _unsupported_names
from tinygrad231n.torch.random import initial_seed, manual_seed
from tinygrad231n.torch.tensor_names import NAMES as _NAMES

_add_names(_NAMES)
_add_array_methods(_ARRAY_METHODS)  # .data.normal_(...), .data.uniform_(...)

# ---- dtypes ---------------------------------------------------------------------------------------
float32 = float = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
int64 = long = np.dtype(np.int64)
int32 = int = np.dtype(np.int32)
uint8 = np.dtype(np.uint8)
bool = np.dtype(np.bool_)  # noqa: A001  (PyTorch's name; the builtin is `builtins.bool` below)
_DEFAULT_FLOAT = float32

import builtins as _builtins  # noqa: E402  (the dtype names above shadow float, int and bool here)


class _TensorType:
    """`torch.FloatTensor` and friends: a dtype to pass as `dtype=` or compare, and a constructor
    (`LongTensor([1, 2])` from data, `FloatTensor(2, 3)` of that shape, zero-filled here)."""

    def __init__(self, name, dtype):
        self.__name__, self.dtype = name, dtype

    def __call__(self, *args):
        if args and _builtins.all(isinstance(a, _builtins.int) for a in args):
            return zeros(*args, dtype=self.dtype)
        return tensor(args[0] if args else [], dtype=self.dtype)

    def __eq__(self, other):
        return other is self or other == self.dtype

    def __hash__(self):
        return hash(self.dtype)

    def __repr__(self):
        return f"torch.{self.__name__}"


FloatTensor = _TensorType("FloatTensor", float32)
DoubleTensor = _TensorType("DoubleTensor", float64)
LongTensor = _TensorType("LongTensor", int64)
IntTensor = _TensorType("IntTensor", int32)
BoolTensor = _TensorType("BoolTensor", bool)
ByteTensor = _TensorType("ByteTensor", uint8)


class device:  # noqa: N801  (PyTorch's name)
    """`torch.device('cpu')`: a label; every tensor lives in main memory whatever it says."""

    def __init__(self, type="cpu", index=None):  # noqa: A002
        self.type = type.split(":")[0] if isinstance(type, str) else type.type
        self.index = index

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):  # what print(device) shows, as PyTorch: "cpu", "cuda:0"
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        return f"device(type={self.type!r}" + (f", index={self.index})" if self.index is not None else ")")


cuda = _types.SimpleNamespace(
    is_available=lambda: False, device_count=lambda: 0, FloatTensor=FloatTensor, LongTensor=LongTensor,
    manual_seed=lambda seed: None, manual_seed_all=lambda seed: None)


# ---- making tensors -------------------------------------------------------------------------------
def _dtype(dtype, default=None):
    return default if dtype is None else np.dtype(dtype)


def _sizes(sizes):
    return tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else tuple(sizes)


def _make(array, requires_grad):
    return Tensor(array, dtype=array.dtype, requires_grad=requires_grad)


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of `data`. Without `dtype`: Python floats become float32 (the
    default float), Python ints int64, bools bool, and a numpy array or a Tensor keeps its dtype."""
    source = data._data if isinstance(data, Tensor) else data
    array = np.array(source, dtype=_dtype(dtype))
    if dtype is None and not isinstance(source, (np.ndarray, np.generic)) and array.dtype == float64:
        array = array.astype(_DEFAULT_FLOAT)
    return _make(array, requires_grad)


def from_numpy(array):
    """A tensor sharing `array`'s memory and dtype (writes to one show in the other), as PyTorch's."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor(array, dtype=array.dtype)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    return _make(np.zeros(_sizes(size), dtype=_dtype(dtype, _DEFAULT_FLOAT)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    return _make(np.ones(_sizes(size), dtype=_dtype(dtype, _DEFAULT_FLOAT)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    """Like zeros (PyTorch leaves the memory uninitialized; zeros are one of its possible contents)."""
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    """`size` filled with `fill_value`; without `dtype`, a bool gives bool, an int int64, a float float32."""
    if dtype is None:
        dtype = bool if isinstance(fill_value, _builtins.bool) else int64 if isinstance(
            fill_value, _builtins.int) else _DEFAULT_FLOAT
    return _make(np.full(_sizes((size,)), fill_value, dtype=np.dtype(dtype)), requires_grad)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None):
    """Standard normal samples from the front's generator (random.py; not PyTorch's numbers)."""
    draw = random.generator_or_default(generator)
    return _make(draw.standard_normal(_sizes(size)).astype(_dtype(dtype, _DEFAULT_FLOAT)), requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None):
    """Uniform samples in [0, 1) from the front's generator (random.py; not PyTorch's numbers)."""
    draw = random.generator_or_default(generator)
    return _make(draw.random(_sizes(size)).astype(_dtype(dtype, _DEFAULT_FLOAT)), requires_grad)


def randint(*args, size=None, dtype=None, device=None, requires_grad=False, generator=None):
    """Integers drawn uniformly from [low, high) (default int64), as PyTorch's randint(high, size) and
    randint(low, high, size); from the front's generator (random.py; not PyTorch's numbers)."""
    if size is None and args and isinstance(args[-1], (tuple, list)):
        args, size = args[:-1], args[-1]
    if size is None or len(args) not in (1, 2):
        raise TypeError(f"randint: expects (high, size) or (low, high, size) with size a tuple; "
                        f"got {args}, size={size}")
    low, high = (0, args[0]) if len(args) == 1 else args
    if high <= low:
        raise _InputError(f"randint: expects low < high, got low={low}, high={high}")
    draw = random.generator_or_default(generator)
    return _make(draw.integers(low, high, size=tuple(size)).astype(_dtype(dtype, int64)), requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    """start, start + step, ... below end; int64 when every bound is an int, else float32."""
    if end is None:
        start, end = 0, start
    integral = _builtins.all(isinstance(v, (_builtins.int, np.integer)) for v in (start, end, step))
    return _make(np.arange(start, end, step, dtype=_dtype(dtype, int64 if integral else _DEFAULT_FLOAT)),
                 requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """The (n, m) identity (m defaults to n), float32 by default."""
    return _make(np.eye(n, n if m is None else m, dtype=_dtype(dtype, _DEFAULT_FLOAT)), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """`steps` evenly spaced values from start to end, both included; float32 by default."""
    return _make(np.linspace(start, end, steps).astype(_dtype(dtype, _DEFAULT_FLOAT)), requires_grad)


def _like(factory):
    def like(input, dtype=None, device=None, requires_grad=False):
        return factory(input.shape, dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad)
    like.__name__ = f"{factory.__name__}_like"
    like.__doc__ = f"{factory.__name__} of `input`'s shape and (unless given) dtype."
    return like


zeros_like, ones_like, empty_like, randn_like, rand_like = map(_like, (zeros, ones, empty, randn, rand))


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    return full(input.shape, fill_value, dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad)


# ---- functions over tensors -----------------------------------------------------------------------
def cat(tensors, dim=0):
    return _F.cat(tensors, axis=dim)


def stack(tensors, dim=0):
    return _F.stack(tensors, axis=dim)


def where(condition, input, other):
    return _F.where(condition, input, other)


def _method(name):
    def function(input, *args, **options):
        return getattr(input if isinstance(input, Tensor) else tensor(input), name)(*args, **options)
    function.__name__ = name
    function.__doc__ = f"torch.{name}(input, ...) is input.{name}(...)."
    return function


tanh, sigmoid, exp, log, sqrt, relu, sin, cos = map(
    _method, ("tanh", "sigmoid", "exp", "log", "sqrt", "relu", "sin", "cos"))
matmul, mm, bmm, mul, add, sub, div, pow = map(_method, ("matmul", "mm", "bmm", "mul", "add", "sub", "div", "pow"))
argmax, mean, sum, clamp = map(_method, ("argmax", "mean", "sum", "clamp"))  # noqa: A001
maximum, minimum, sort, topk = map(_method, ("maximum", "minimum", "sort", "topk"))


def max(input, *args, **options):  # noqa: A001,A002
    """torch.max(x), torch.max(x, dim) as x.max(...); torch.max(x, other_tensor) is maximum(x, other)."""
    if args and isinstance(args[0], Tensor):
        return maximum(input, *args)
    return _method("max")(input, *args, **options)
softmax, log_softmax, numel = map(_method, ("softmax", "log_softmax", "numel"))
unsqueeze, squeeze, permute, transpose, reshape, gather = map(
    _method, ("unsqueeze", "squeeze", "permute", "transpose", "reshape", "gather"))
tril, triu, masked_fill, movedim, moveaxis = map(_method, ("tril", "triu", "masked_fill", "movedim", "moveaxis"))
abs, var, std, flatten, split, chunk, clone = map(  # noqa: A001
    _method, ("abs", "var", "std", "flatten", "split", "chunk", "clone"))


def min(input, *args, **options):  # noqa: A001,A002
    """torch.min(x), torch.min(x, dim) as x.min(...); torch.min(x, other_tensor) is minimum(x, other)."""
    if args and isinstance(args[0], Tensor):
        return minimum(input, *args)
    return _method("min")(input, *args, **options)


rsqrt, norm, isnan, isinf, isfinite = map(_method, ("rsqrt", "norm", "isnan", "isinf", "isfinite"))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):  # noqa: A002
    """Whether every |input - other| <= atol + rtol * |other| (numpy's allclose), a Python bool."""
    return _builtins.bool(np.allclose(np.asarray(input), np.asarray(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def is_tensor(obj):
    return isinstance(obj, Tensor)


# ---- saving a state_dict --------------------------------------------------------------------------
def save(obj, f):
    """Save a state_dict ({name: Tensor or array}) to `f` (a path or a binary file) as a numpy .npz:
    no pickle, so only such dicts; anything else is refused."""
    if not isinstance(obj, dict) or not _builtins.all(isinstance(k, str) for k in obj):
        raise TypeError(f"save: only a state_dict (a dict of name -> tensor) can be saved, got {type(obj).__name__}")
    arrays = {}
    for name, value in obj.items():
        if not isinstance(value, (Tensor, np.ndarray)):
            raise TypeError(f"save: state_dict entry {name!r} is a {type(value).__name__}; only tensors and arrays")
        arrays[name] = np.asarray(value)
    if isinstance(f, (str, _os.PathLike)):
        _save_npz(f, **arrays)  # atomically, at exactly that path (np.savez would append ".npz")
    else:
        np.savez(f, **arrays)


def load(f, map_location=None, weights_only=True):
    """The state_dict save() wrote, as {name: Tensor} in the saved order and dtypes."""
    with np.load(f, allow_pickle=False) as archive:
        return {name: Tensor(archive[name], dtype=archive[name].dtype) for name in archive.files}


from tinygrad231n.torch import utils  # noqa: E402  (utils.data imports torch.random, loaded above)
from tinygrad231n.torch import optim  # noqa: E402  (torch.optim.SGD without importing it first)
from tinygrad231n.torch import nn  # noqa: E402  (torch.nn.Linear and torch.nn.functional without importing them first)

__getattr__ = _unsupported_names(__name__)
