"""tinygrad231n: a small, fast, readable autograd framework on numpy and numba.

    from tinygrad231n import Tensor, no_grad
    import tinygrad231n.nn.functional as F
"""
from .function import Function, is_grad_enabled, no_grad
from .tensor import Tensor, as_tensor

__all__ = ["Tensor", "as_tensor", "no_grad", "is_grad_enabled", "Function"]
__version__ = "0.1.0"
