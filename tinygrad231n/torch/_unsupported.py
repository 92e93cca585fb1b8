"""One error for every PyTorch name the front does not have, so a notebook stops at the line that
uses it with a sentence that says so. Each front module ends with

    __getattr__ = unsupported(__name__)

(Python calls a module's __getattr__ only for names the module lacks). The error is an
AttributeError, so `hasattr(torch, "name")` and `getattr(torch, "name", default)` work as usual.
"""


class UnsupportedName(AttributeError):
    """A PyTorch name outside the subset tinygrad231n.torch supports."""


def unsupported(module_name):
    """The module-level __getattr__ for the front module `module_name`."""
    def __getattr__(name):
        if name.startswith("__"):  # Python and tools probe dunders (__path__, __wrapped__): plain AttributeError
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        raise UnsupportedName(f"{module_name} has no `{name}` (not in the supported subset; "
                              "see tinygrad231n/torch/SUPPORTED or README)")
    return __getattr__
