"""Every differentiable op, each a `Function` with its forward and backward side by side.

Each op is declared once, in its own module, by `@register(...)` (function.py), which names the
Tensor method, operator or nn.functional function it provides. This package imports every module
in its folder and exports each declared op under its class name (`ops.Relu`); `__all__` lists
them. Adding an op is adding its file (and its row in tests/test_ops.py's table).
"""
import importlib
import pkgutil

from ..function import on_register

__all__ = []


def _export(declaration):
    name = declaration.op.__name__
    if globals().get(name, declaration.op) is not declaration.op:
        raise ValueError(f"register: two ops are named {name}; op classes need distinct names")
    globals()[name] = declaration.op
    if name not in __all__:
        __all__.append(name)


on_register(_export)
for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
