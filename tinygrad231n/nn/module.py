"""`Module`, `Parameter` and `Sequential`: layers that own their weights, as in PyTorch.

    class TwoLayer(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))

        def forward(self, x):
            return self.layers(x)

Assigning a `Parameter` or a `Module` to an attribute registers it, so `parameters()`,
`named_parameters()` ("layers.0.weight", ...), `state_dict()`, `train()`/`eval()` and
`zero_grad()` reach everything below. Registration also names each parameter with its dotted
path, so graph diagrams (`loss.to_dot()`) label weights by where they live in the model.

Buffers (`register_buffer`) are arrays that belong to the state but are not trained, such as
batch norm's running mean: they are saved by `state_dict()` and never get gradients.

CS231n's `model.params` (a dict of arrays named W1, b1, ...) is not part of a Module: it is a view
over one that lives in tinygrad231n.cs231n, the assignment's adapter.
"""
import numpy as np

from ..tensor import Tensor
from ..function import ModuleCall, open_module_calls


class Parameter(Tensor):
    """A Tensor that is a model weight: requires_grad=True, and a Module registers it on assignment."""

    __slots__ = ()

    def __init__(self, data, dtype=None, name=None):
        super().__init__(data, requires_grad=True, dtype=dtype, name=name)

    def __repr__(self):
        return "Parameter" + super().__repr__()[len("Tensor"):]


class Module:
    """Base class of every layer and model: subclasses call `super().__init__()`, define `forward`."""

    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    def forward(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *inputs, **options):
        open_module_calls.append(ModuleCall(self))  # the ops it records note this call (diagrams' boxes)
        try:
            return self.forward(*inputs, **options)
        finally:
            open_module_calls.pop()

    # ---- registration -----------------------------------------------------------------------
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() in __init__ before "
                                 f"assigning attributes (while setting {name!r})")
        if name in self._buffers and not isinstance(value, (Parameter, Module)):
            self._buffers[name] = np.asarray(value)  # a buffer stays a buffer when reassigned
            return
        self._forget(name)
        if isinstance(value, Parameter):
            value.name = name
            self._parameters[name] = value
        elif isinstance(value, Module):
            # Children are built before their parent, so prefixing here, at each level, leaves
            # every parameter named by its full path from the outermost module.
            for child_name, parameter in value.named_parameters():
                parameter.name = f"{name}.{child_name}"
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):  # only called when normal lookup fails
        for registry in ("_parameters", "_buffers", "_modules"):
            values = self.__dict__.get(registry, {})
            if name in values:
                return values[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def register_parameter(self, name, parameter):
        """Register `parameter` under `name`, which need not be a Python identifier (as in PyTorch)."""
        if not isinstance(parameter, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be a Parameter, got a {type(parameter).__name__}")
        self._forget(name)
        parameter.name = name
        self._parameters[name] = parameter

    def register_buffer(self, name, array):
        """Keep `array` (a numpy array) as state: in state_dict(), not in parameters()."""
        self._forget(name)
        self._buffers[name] = np.asarray(array)

    def _forget(self, name):
        """Drop any registration or plain attribute called `name`."""
        for registry in (self._parameters, self._buffers, self._modules):
            registry.pop(name, None)
        self.__dict__.pop(name, None)

    # ---- walking the tree -------------------------------------------------------------------
    def named_modules(self, prefix=""):
        """(dotted name, module) for this module ("") and all below ("layers", "layers.0", ...), parents first."""
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        return [module for _, module in self.named_modules()]

    def children(self):
        return list(self._modules.values())

    def apply(self, fn):
        """Call fn(module) on every module below this one and then on this one (children first, as
        PyTorch's, e.g. to re-initialize weights); returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def named_parameters(self, recurse=True):
        """(dotted name, Parameter) pairs, e.g. ("layers.0.weight", W); a shared one appears once.

        recurse=False: only this module's own parameters, not those of modules below it.
        """
        seen = set()
        for name, parameter in self._named_members("_parameters", recurse):
            if id(parameter) not in seen:
                seen.add(id(parameter))
                yield name, parameter

    def parameters(self):
        return [parameter for _, parameter in self.named_parameters()]

    def named_buffers(self, recurse=True):
        """(dotted name, numpy array) pairs, e.g. ("layers.1.running_mean", array); recurse as above."""
        return self._named_members("_buffers", recurse)

    def _named_members(self, registry, recurse=True):
        for module_name, module in (self.named_modules() if recurse else [("", self)]):
            for name, value in getattr(module, registry).items():
                yield (f"{module_name}.{name}" if module_name else name), value

    # ---- modes and gradients ----------------------------------------------------------------
    def train(self, mode=True):
        """Set `.training` on this module and all below (dropout and batch norm read it); returns self."""
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self):
        return self.train(False)

    def to(self, *args, device=None, dtype=None, non_blocking=False):
        """PyTorch's model.to(device), .to(dtype), .to(device=..., dtype=...); returns self.

        A device changes nothing (the engine computes in main memory): an argument numpy does not
        take as a dtype ('cpu', 'cuda', a torch.device) is a device. A float dtype casts every float
        parameter and buffer in place, keeping the same Parameter objects, as PyTorch does.
        """
        for arg in args:
            try:
                dtype = np.dtype(arg)
            except TypeError:
                device = arg  # noqa: F841 (accepted and ignored)
        if dtype is None:
            return self
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"{type(self).__name__}.to: a module's dtype must be a float dtype, got {dtype}")
        for parameter in self.parameters():
            parameter.data = parameter.data.astype(dtype, copy=False)
        for module in self.modules():
            for name, array in module._buffers.items():
                if array.dtype.kind == "f":
                    module._buffers[name] = array.astype(dtype, copy=False)
        return self

    def zero_grad(self):
        """Forget accumulated gradients (sets each `.grad` to None, as PyTorch does by default)."""
        for parameter in self.parameters():
            parameter.grad = None

    # ---- saving and loading -----------------------------------------------------------------
    def state_dict(self):
        """{dotted name: numpy array} of parameters and buffers, as copies (later training leaves them be)."""
        state = {name: parameter.data.copy() for name, parameter in self.named_parameters()}
        state.update((name, np.array(array, copy=True)) for name, array in self.named_buffers())
        return state

    def load_state_dict(self, state, strict=True):
        """Copy `state` (as from state_dict()) into this module's parameters and buffers, in place.

        strict: names must match exactly. strict=False loads the names both sides have and skips
        the rest (as PyTorch's), e.g. a Solver checkpoint, which holds parameters but no buffers.
        Each shape must match; nothing is changed unless all do. Values are cast to each target's dtype.
        """
        parameters = dict(self.named_parameters())
        buffers = dict(self.named_buffers())
        targets = {**{name: p.data for name, p in parameters.items()}, **buffers}
        missing = sorted(set(targets) - set(state))
        unexpected = sorted(set(state) - set(targets))
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: names do not match {type(self).__name__}'s state: "
                           f"missing {missing}, unexpected {unexpected}")
        loaded = [name for name in targets if name in state]
        for name in loaded:
            _check_shape("load_state_dict", name, targets[name].shape, np.shape(state[name]))
        for name in loaded:
            if name in parameters:
                parameters[name].copy_(state[name])  # marks the write, so a stale graph cannot backpropagate
            else:
                np.copyto(buffers[name], state[name], casting="same_kind")

    def __repr__(self):
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, child in self._modules.items():
            child_lines = repr(child).splitlines()
            lines.append(f"  ({name}): " + "\n  ".join(child_lines))
        return lines[0] + ")" if len(lines) == 1 else "\n".join(lines) + "\n)"

    def extra_repr(self):
        """The arguments shown inside the parentheses of repr(); layers override it."""
        return ""


class _Children:
    """Indexing, len() and iteration over a container module's children, in order."""

    def __getitem__(self, index):
        return list(self._modules.values())[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class ModuleList(_Children, Module):
    """A list of modules registered as children "0", "1", ... (parameters() sees them); no forward."""

    def __init__(self, modules=()):
        super().__init__()
        self.extend(modules)

    def append(self, module):
        setattr(self, str(len(self)), module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self


class Sequential(_Children, Module):
    """Modules applied in order: Sequential(a, b, c)(x) is c(b(a(x))). Children are named "0", "1", ...
    or, given one dict (an OrderedDict, as in PyTorch), by its keys in its order."""

    def __init__(self, *modules):
        super().__init__()
        named = modules[0].items() if len(modules) == 1 and isinstance(modules[0], dict) else enumerate(modules)
        for name, module in named:
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: argument {name} is a {type(module).__name__}, not a Module")
            setattr(self, str(name), module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x


def _check_shape(where, name, expected, got):
    if tuple(expected) != tuple(got):
        raise ValueError(f"{where}: {name!r} has shape {tuple(expected)} but the value given has shape {tuple(got)}")
