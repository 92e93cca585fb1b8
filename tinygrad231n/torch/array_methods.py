"""PyTorch's random in-place methods on the views `.data` and `.grad` give (tinygrad231n.array_view),
installed by tinygrad231n.array_view.add_methods when `tinygrad231n.torch` is imported:

    module.weight.data.normal_(mean=0.0, std=0.02)   # CS231n's transformer init
    w.data.uniform_(-0.1, 0.1)

They draw from the front's generator (random.py), so `torch.manual_seed(s)` repeats them, with
numpy's numbers, not PyTorch's. The core has no random numbers of its own; hence the hook.
"""
import math

from tinygrad231n.errors import InputError
from tinygrad231n.torch import random


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples of N(mean, std**2) in place, in the view's dtype; returns self."""
    mean, std = float(mean), float(std)
    if not (math.isfinite(mean) and math.isfinite(std)) or std < 0:
        raise InputError(f"normal_: expects a finite mean and a finite std >= 0, got mean={mean}, std={std}")
    self[...] = random.generator_or_default(generator).normal(mean, std, size=self.shape)
    return self


def uniform_(self, a=0.0, b=1.0, *, generator=None, **bounds):
    """Fill with samples of U[a, b) in place; returns self. PyTorch's keywords `from`/`to` work too
    (`uniform_(**{"from": -1})`, `uniform_(to=2)`)."""
    unknown = set(bounds) - {"from", "to"}
    if unknown:
        raise TypeError(f"uniform_: unexpected keyword {sorted(unknown)[0]!r}; expected from= and to= (or a, b)")
    a, b = float(bounds.get("from", a)), float(bounds.get("to", b))
    if not (math.isfinite(a) and math.isfinite(b)) or a > b:
        raise InputError(f"uniform_: expects finite bounds with from <= to, got from={a}, to={b}")
    self[...] = random.generator_or_default(generator).uniform(a, b, size=self.shape)
    return self


METHODS = {"normal_": normal_, "uniform_": uniform_}

__all__ = ["METHODS"]
