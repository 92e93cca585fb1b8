"""Layers: Linear (affine), ReLU and Dropout, each a Module whose forward is a line or two of ops."""
import numpy as np

from .. import ops
from ..tensor import as_tensor
from .module import Module, Parameter
from .random import generator


class Linear(Module):
    """x @ weight + bias, with weight (in_features, out_features): CS231n's layout, not torch's (out, in).

    x: (N, in_features) -> (N, out_features). bias starts at zeros. weight starts as
    `weight_scale * randn` when weight_scale is given (CS231n's init), else He init
    `randn * sqrt(2 / in_features)`, which keeps activations' variance steady through ReLU layers.
    `rng` is a numpy Generator or a seed (None: fresh entropy); `dtype` is float64 or float32.
    """

    def __init__(self, in_features, out_features, weight_scale=None, dtype=np.float64, rng=None):
        super().__init__()
        rng = generator(rng)
        scale = np.sqrt(2.0 / in_features) if weight_scale is None else weight_scale
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(scale * rng.standard_normal((in_features, out_features)), dtype=dtype)
        self.bias = Parameter(np.zeros(out_features), dtype=dtype)

    def forward(self, x):
        x = as_tensor(x)
        if x.ndim < 1 or x.shape[-1] != self.in_features:
            raise ValueError(f"{self!r}: input has shape {x.shape}, expected (N, {self.in_features}): "
                             f"its last axis must hold the {self.in_features} input features")
        return x @ self.weight + self.bias

    def extra_repr(self):
        return f"{self.in_features}, {self.out_features}"


class ReLU(Module):
    """max(x, 0) elementwise (gradient 0 at exactly 0)."""

    def forward(self, x):
        return ops.Relu.apply(as_tensor(x))


class Dropout(Module):
    """Inverted dropout: in training, zero each unit with probability p and scale the rest by 1/(1-p).

    `p` is the DROP probability, as in PyTorch; CS231n's assignment passes the KEEP probability
    (its dropout_param["p"]), so CS231n's p=0.75 is Dropout(0.25) here. In eval mode (and for
    p=0) the layer is the identity. `rng` (a numpy Generator or a seed) draws a new mask on each call.
    `seed` instead fixes the mask: each call draws it from a fresh np.random.default_rng(seed), so
    inputs of one shape lose the same units every time, as CS231n's dropout_param["seed"] does (a
    gradient check needs the loss to be one function of the weights). Give one of the two, not both.
    """

    def __init__(self, p=0.5, rng=None, seed=None):
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"Dropout: p is the probability of dropping a unit and must be in [0, 1), got {p} "
                             "(CS231n's keep probability q corresponds to p = 1 - q)")
        if rng is not None and seed is not None:
            raise ValueError("Dropout: give rng (a new mask on each call) or seed (the same mask on every call), "
                             "not both")
        self.p, self.seed = p, seed
        self.rng = generator(rng)

    def forward(self, x):
        x = as_tensor(x)
        if not self.training or self.p == 0:
            return x
        rng = self.rng if self.seed is None else np.random.default_rng(self.seed)
        return ops.Dropout.apply(x, p=self.p, rng=rng)

    def extra_repr(self):
        return f"p={self.p}" if self.seed is None else f"p={self.p}, seed={self.seed}"
