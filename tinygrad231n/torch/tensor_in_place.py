"""PyTorch's in-place Tensor names, for the front's name table (tensor_names.py): writes into a
tensor's own array (`fill_`, `zero_`, `add_`/`sub_`/`mul_`/`div_`, `t[key] = v`), all under the rules
of `t += v` (Tensor._write_in_place: refused on a leaf that requires grad outside no_grad, on a
recorded tensor, and with a right-hand side that requires grad), and the leaf flags
(`requires_grad_`, `detach_`).
"""
import numpy as np

from ..tensor import Tensor, _NO_GRAD_FOR_DTYPE


def zero_(self):
    return fill_(self, 0)


def fill_(self, value):
    """Every element set to `value` in place (the rules of `t -= v`: see Tensor._write_in_place)."""
    return self._write_in_place(_fill, value, "fill_")


def _fill(array, value, out, casting):
    np.copyto(out, value, casting="unsafe" if isinstance(value, (int, float, bool)) else casting)


def setitem(self, key, value):
    """t[key] = value, in place, under the rules of `t += v`: on a constant or a buffer (a positional
    encoding table: `pe[:, 0::2] = torch.sin(position * div_term)`), or under no_grad; refused on a
    leaf that requires grad, on a recorded tensor, and with a right-hand side that requires grad."""
    key = tuple(k._data if isinstance(k, Tensor) else k for k in key) if isinstance(key, tuple) else (
        key._data if isinstance(key, Tensor) else key)

    def assign(array, value, out, casting):
        out[key] = value  # numpy casts into the tensor's dtype, as PyTorch does
    return self._write_in_place(assign, value, "t[key] = v")


def in_place(ufunc, name, symbol):
    def method(self, other):
        return self._write_in_place(ufunc, other, name)
    method.__name__ = name
    method.__doc__ = f"t.{name}(v) writes t in place as `t {symbol}= v` does (the same rules); returns self."
    return method


def requires_grad_(self, requires_grad=True):
    """Start (or stop) recording gradients for this leaf; returns self. Floats only, as PyTorch."""
    if requires_grad and self.dtype.kind != "f":
        raise RuntimeError(_NO_GRAD_FOR_DTYPE.format(self.dtype))
    if not requires_grad and self._ctx is not None:
        raise RuntimeError("requires_grad_(False): only a leaf can stop requiring grad; use detach()")
    self.requires_grad = bool(requires_grad)
    return self


def detach_(self):
    """Make this tensor a leaf that records nothing, in place; returns self."""
    self._ctx = None
    self.requires_grad = False
    return self


__all__ = ["detach_", "fill_", "in_place", "requires_grad_", "setitem", "zero_"]
