"""CS231n's LinearClassifier, LinearSVM and Softmax: the assignment's API over models.linear.

    svm = LinearSVM()
    loss_hist = svm.train(X_train, y_train, learning_rate=1e-7, reg=2.5e4, num_iters=1500, verbose=True)
    y_val_pred = svm.predict(X_val)
    loss, grad = svm.loss(X_batch, y_batch, reg)
    svm.save("svm.npz"); svm.load("svm.npz")

`W` (D, C) is a plain numpy array, None until the first `train`, which creates 0.001 * randn(D, C)
and samples minibatches with replacement, as the assignment does. Both draw from numpy's global
random state (through one seed per `train` call), so `np.random.seed(...)` in a notebook makes a
run repeatable, as it does with the original.

Training is models.linear's `fit` (optim.SGD on the tape). A subclass that overrides `loss`
changes what `loss` returns but not what `train` optimizes: subclass models.linear.LinearClassifier
for that.
"""
import numpy as np

from models import linear

from ..protocol import linear_loss_and_gradient, load_arrays, save_arrays, seed_from_global_state

# As the assignment's file does: its losses come with it (2025 and later star-import softmax only).
from .linear_svm import svm_loss_naive, svm_loss_vectorized
from .softmax import softmax_loss_naive, softmax_loss_vectorized

__all__ = ["LinearClassifier", "LinearSVM", "Softmax", "svm_loss_naive", "svm_loss_vectorized",
           "softmax_loss_naive", "softmax_loss_vectorized"]


class LinearClassifier:
    """Base class; the assignment's LinearSVM and Softmax below say which model trains W."""

    model_class = linear.LinearClassifier

    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False):
        """Minibatch SGD on X (N, D), y (N,); returns the list of per-iteration losses."""
        model = self.model_class(self.W)
        seed = seed_from_global_state()  # so np.random.seed controls the run
        history = model.fit(X, y, learning_rate=learning_rate, reg=reg, num_iters=num_iters,
                            batch_size=batch_size, verbose=verbose, seed=seed)
        self.W = model.W.numpy()
        return history

    def predict(self, X):
        """(N, D) -> (N,) predicted labels, the argmax of X @ W."""
        return self.model_class(self.W).predict(X)

    def loss(self, X_batch, y_batch, reg):
        """(loss, dW) at the current W for one minibatch; dW has W's shape."""
        if self.W is None:
            raise RuntimeError(f"{type(self).__name__}.loss: W is None; call train first or set W")
        return linear_loss_and_gradient(self.model_class, self.W, X_batch, y_batch, reg)

    def save(self, fname):
        """Write W to `fname` (.npz with one array, "W"), atomically: save_arrays."""
        if self.W is None:
            raise RuntimeError(f"{type(self).__name__}.save: W is None; train the classifier first")
        save_arrays(fname, {"W": self.W})

    def load(self, fname):
        """Load W saved by `save` (fname with or without .npz); False, with a message, if there is none."""
        arrays = load_arrays(fname)
        if arrays is None:
            return False
        self.W = arrays["W"]
        return True


class LinearSVM(LinearClassifier):
    """A subclass that uses the multiclass SVM loss (models.linear.LinearSVM)."""

    model_class = linear.LinearSVM


class Softmax(LinearClassifier):
    """A subclass that uses the softmax + cross-entropy loss (models.linear.Softmax)."""

    model_class = linear.Softmax
