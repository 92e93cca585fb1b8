"""What the nets of models/ share as classifiers: CS231n's loss with its weight penalty, predictions
in evaluation mode, and their repr. A net mixes it in ahead of nn.Module and sets `reg` and `dtype`:

    class TwoLayerNet(ClassifierMixin, nn.Module):
        ...

The penalty is CS231n's convention for its nets, 0.5 * reg * sum(W**2) over every conv and affine
weight (not biases, not batch or layer norm's gamma and beta); the linear classifiers use reg * sum W**2.
"""
import numpy as np

import tinygrad231n.nn.functional as F
from tinygrad231n import nn, no_grad


class ClassifierMixin:
    """loss, predict and extra_repr for an nn.Module whose forward gives (N, C) class scores."""

    def loss(self, X, y):
        """Softmax cross-entropy of the scores, averaged over N, plus 0.5 * reg * sum of W**2 over the
        conv and affine weights. In training mode it draws new dropout masks and moves batch norm's
        running averages (and augments, where the net does)."""
        loss = F.cross_entropy(self(X), y)
        if self.reg:  # with reg 0 the penalty would only cost passes over the weights and their gradients
            loss = loss + 0.5 * self.reg * F.sum_of_squares(*self.penalized_weights())
        return loss

    def penalized_weights(self):
        return [layer.weight for layer in self.modules() if isinstance(layer, (nn.Conv2d, nn.Linear))]

    def predict(self, X, batch_size=500):
        """(N, ...) inputs -> (N,) int64 labels, in evaluation mode, batch_size inputs at a time."""
        self.eval()
        with no_grad():
            labels = [np.argmax(self(X[i:i + batch_size]).data, axis=1) for i in range(0, len(X), batch_size)]
        return np.concatenate(labels) if labels else np.zeros(0, dtype=np.int64)

    def extra_repr(self):
        return f"reg={self.reg}, dtype={self.dtype.name}"
