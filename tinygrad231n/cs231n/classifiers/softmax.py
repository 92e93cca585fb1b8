"""CS231n's softmax loss: the naive reference with explicit loops, and the vectorized graph.

Both take W (D, C), X (N, D) with the bias column appended, y (N,) int labels in 0..C-1 and
reg, and return (loss, dW) with loss = mean over i of -log softmax(X_i W)[y_i] + reg * sum(W * W)
(no 0.5; dW has the matching 2 * reg * W).
"""
import numpy as np

from models.linear import Softmax

from .._warmup import warm_up_linear_loss
from ..protocol import linear_loss_and_gradient


def softmax_loss_naive(W, X, y, reg):
    """The loss with loops over examples and classes (the reference), numerically stable.

    Each row of scores is shifted by its max before exp (softmax is unchanged by a shift, and
    exp then never overflows), and the loss is log(sum exp) - s_y rather than -log(p_y), which
    stays finite even when p_y underflows to 0.
    """
    loss = 0.0
    dW = np.zeros_like(W)
    num_classes = W.shape[1]
    num_train = X.shape[0]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores -= np.max(scores)
        exp_scores = np.exp(scores)
        total = np.sum(exp_scores)
        loss += np.log(total) - scores[y[i]]
        for j in range(num_classes):
            probability = exp_scores[j] / total
            dW[:, j] += (probability - (j == y[i])) * X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    """The same (loss, dW), computed by models.linear.Softmax's graph and backpropagated on the tape."""
    return linear_loss_and_gradient(Softmax, W, X, y, reg)


warm_up_linear_loss(softmax_loss_vectorized)  # the notebook times this against the naive loops (see _warmup.py)
