"""CS231n's two-layer net: affine - relu - affine - softmax, as a graph of core ops.

    model = TwoLayerNet(hidden_dim=100, reg=0.1)
    scores = model.loss(X)              # (N, C) numpy array
    loss, grads = model.loss(X, y)      # grads: dict like model.params

The weights live in `model.params` (W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)) as plain numpy
arrays, so CS231n's Solver, checkpoints and notebooks can read and replace them freely. The
penalty is 0.5 * reg * (sum W1**2 + sum W2**2): CS231n's convention for its nets (the linear
classifiers use reg * sum W**2).
"""
import numpy as np

import tinygrad231n.nn.functional as F
from models.inputs import batch_rows
from tinygrad231n import Tensor, no_grad

PARAM_NAMES = ("W1", "b1", "W2", "b2")


class TwoLayerNet:
    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10, weight_scale=1e-3, reg=0.0,
                 dtype=np.float64, seed=None):
        rng = np.random.default_rng(seed)
        self.input_dim, self.num_classes = input_dim, num_classes
        self.reg, self.dtype = reg, np.dtype(dtype)
        self.params = {
            "W1": (weight_scale * rng.standard_normal((input_dim, hidden_dim))).astype(dtype),
            "b1": np.zeros(hidden_dim, dtype=dtype),
            "W2": (weight_scale * rng.standard_normal((hidden_dim, num_classes))).astype(dtype),
            "b2": np.zeros(num_classes, dtype=dtype),
        }

    def loss_graph(self, X, y, weights=None):
        """The loss on the tape (scalar Tensor); `weights` are the parameter Tensors to use
        (default: fresh leaves over `params`, named W1 b1 W2 b2 for diagrams)."""
        w = weights or self.weight_tensors()
        loss = F.cross_entropy(self._scores(self._flatten(X), w), y)
        if self.reg:  # with reg 0 the penalty would only cost two passes over W1 and its gradient
            loss = loss + 0.5 * self.reg * (F.l2(w["W1"]) + F.l2(w["W2"]))
        return loss

    def weight_tensors(self):
        """{name: leaf Tensor sharing memory with params[name]}, ready to collect gradients."""
        return {name: Tensor(self.params[name], requires_grad=True, name=name) for name in PARAM_NAMES}

    def loss(self, X, y=None):
        """Scores (N, C) when y is None; else (loss, grads) with grads shaped like params."""
        if y is None:
            with no_grad():
                return self._scores(self._flatten(X), self.params).data
        weights = self.weight_tensors()
        loss = self.loss_graph(X, y, weights)
        loss.backward()
        return loss.item(), {name: t.grad for name, t in weights.items()}

    def predict(self, X):
        return np.argmax(self.loss(X), axis=1)

    @staticmethod
    def _scores(X, w):
        hidden = (X @ w["W1"] + w["b1"]).relu()
        return hidden @ w["W2"] + w["b2"]

    def _flatten(self, X):
        return batch_rows(X, self.input_dim, self.dtype, "TwoLayerNet")
