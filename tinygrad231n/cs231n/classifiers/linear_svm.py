"""CS231n's structured SVM loss: the naive reference with explicit loops, and the vectorized graph.

Both take W (D, C), X (N, D) with the bias column appended, y (N,) int labels in 0..C-1 and
reg, and return (loss, dW) with loss = mean over i of sum_{j != y_i} max(0, s_ij - s_iy_i + 1)
+ reg * sum(W * W) (no 0.5; dW has the matching 2 * reg * W).
"""
import numpy as np

from models.linear import LinearSVM

from .._warmup import warm_up_linear_loss
from ..protocol import linear_loss_and_gradient


def svm_loss_naive(W, X, y, reg):
    """The loss with loops over examples and classes, as the assignment writes it (the reference)."""
    dW = np.zeros(W.shape)
    num_classes = W.shape[1]
    num_train = X.shape[0]
    loss = 0.0
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1  # note delta = 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]       # the margin grows with s_j ...
                dW[:, y[i]] -= X[i]    # ... and shrinks with the correct class's score
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    """The same (loss, dW), computed by models.linear.LinearSVM's graph and backpropagated on the tape."""
    return linear_loss_and_gradient(LinearSVM, W, X, y, reg)


warm_up_linear_loss(svm_loss_vectorized)  # the notebook times this against the naive loops (see _warmup.py)
