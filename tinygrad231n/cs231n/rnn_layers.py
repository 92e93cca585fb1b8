"""CS231n's recurrent layers (2024's assignment 3) as forward/backward pairs on numpy arrays.

    next_h, cache = rnn_step_forward(x, prev_h, Wx, Wh, b)
    dx, dprev_h, dWx, dWh, db = rnn_step_backward(dnext_h, cache)
    h, cache = lstm_forward(x, h0, Wx, Wh, b)          # x (N, T, D) -> h (N, T, H)
    dx, dh0, dWx, dWh, db = lstm_backward(dh, cache)

As in layers.py, each forward runs the core's ops on fresh leaf Tensors and returns the output with
the tape as its cache (see _tape.py); each backward seeds the tape with the upstream gradient. The
recurrences are the core's F.rnn_step, F.rnn, F.lstm_step and F.lstm (nn/recurrent.py), in the
assignment's layout: batch first, Wx (D, G), Wh (H, G), b (G,), with G = H for the vanilla RNN and
G = 4H for the LSTM, whose gates are the columns i, f, o, g in that order. A cache can be
backpropagated any number of times, each call giving that call's gradients.

Kept from the assignment: lstm_forward starts the cell state at zero; word_embedding_backward
returns dW only (the word indices get no gradient); temporal_softmax_loss sums over the time steps
where mask is True and divides by N; affine_forward / affine_backward are layers.py's.
"""
import numpy as np

import tinygrad231n.nn.functional as F

from ._tape import backpropagate, forward_result, leaves, loss_and_gradient
from .layers import affine_backward, affine_forward

__all__ = [
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward", "word_embedding_forward",
    "word_embedding_backward", "sigmoid", "lstm_step_forward", "lstm_step_backward", "lstm_forward",
    "lstm_backward", "temporal_affine_forward", "temporal_affine_backward", "temporal_softmax_loss",
    "affine_forward", "affine_backward",
]


# ---- vanilla RNN ---------------------------------------------------------------------------------

def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """next_h = tanh(x @ Wx + prev_h @ Wh + b): x (N, D), prev_h (N, H), Wx (D, H), Wh (H, H), b (H,)
    -> (next_h (N, H), cache)."""
    inputs = leaves(x, prev_h, Wx, Wh, b)
    return forward_result(F.rnn_step(*inputs), inputs)


def rnn_step_backward(dnext_h, cache):
    """dnext_h (N, H), cache from rnn_step_forward -> (dx, dprev_h, dWx, dWh, db)."""
    return backpropagate("rnn_step_backward", dnext_h, cache)


def rnn_forward(x, h0, Wx, Wh, b):
    """The vanilla RNN over T steps: x (N, T, D), h0 (N, H) -> (h (N, T, H), every step's hidden state; cache)."""
    inputs = leaves(x, h0, Wx, Wh, b)
    return forward_result(F.rnn(*inputs), inputs)


def rnn_backward(dh, cache):
    """dh (N, T, H), the upstream gradient of every hidden state; cache from rnn_forward
    -> (dx (N, T, D), dh0 (N, H), dWx (D, H), dWh (H, H), db (H,))."""
    return backpropagate("rnn_backward", dh, cache)


# ---- word embeddings -----------------------------------------------------------------------------

def word_embedding_forward(x, W):
    """out[n, t] = W[x[n, t]]: x (N, T) integers in 0..V-1, W (V, D) -> (out (N, T, D), cache)."""
    (W,) = leaves(W)  # the indices stay an array: they take no gradient
    return forward_result(F.embedding(x, W), (W,))


def word_embedding_backward(dout, cache):
    """dout (N, T, D), cache from word_embedding_forward -> dW (V, D): a word used several times
    gets the sum of its gradients."""
    (dW,) = backpropagate("word_embedding_backward", dout, cache)
    return dW


# ---- LSTM ----------------------------------------------------------------------------------------

def sigmoid(x):
    """1 / (1 + exp(-x)) elementwise, stable for large |x| (the core's sigmoid op); an array like x."""
    return F.sigmoid(x).data


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One LSTM step: x (N, D), prev_h and prev_c (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,), gates i, f, o, g
    -> (next_h (N, H), next_c (N, H), cache)."""
    inputs = leaves(x, prev_h, prev_c, Wx, Wh, b)
    (next_h, next_c), cache = forward_result(F.lstm_step(*inputs), inputs)
    return next_h, next_c, cache


def lstm_step_backward(dnext_h, dnext_c, cache):
    """dnext_h and dnext_c (N, H), the upstream gradients of both outputs; cache from lstm_step_forward
    -> (dx, dprev_h, dprev_c, dWx, dWh, db)."""
    return backpropagate("lstm_step_backward", (dnext_h, dnext_c), cache)


def lstm_forward(x, h0, Wx, Wh, b):
    """The LSTM over T steps from h0 (N, H) and a zero cell state: x (N, T, D) -> (h (N, T, H), every
    step's hidden state; cache)."""
    inputs = leaves(x, h0, Wx, Wh, b)
    h, _ = F.lstm(*inputs)
    return forward_result(h, inputs)


def lstm_backward(dh, cache):
    """dh (N, T, H), cache from lstm_forward -> (dx (N, T, D), dh0 (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,))."""
    return backpropagate("lstm_backward", dh, cache)


# ---- from hidden states to word scores -----------------------------------------------------------

def temporal_affine_forward(x, w, b):
    """The same affine map at every step: out[n, t] = x[n, t] @ w + b; x (N, T, D), w (D, M), b (M,)
    -> (out (N, T, M), cache)."""
    x, w, b = leaves(x, w, b)
    if x.ndim != 3:
        raise ValueError(f"temporal_affine_forward: x must be a batch of sequences (N, T, D), got shape {x.shape}")
    D = x.shape[2]
    if w.ndim != 2 or w.shape[0] != D or b.shape != (w.shape[1],):
        raise ValueError(f"temporal_affine_forward: expected w (D, M) with D = {D} and b (M,), got w {w.shape} "
                         f"and b {b.shape}")
    return forward_result(x @ w + b, (x, w, b))  # matmul runs a stack against one matrix as one product


def temporal_affine_backward(dout, cache):
    """dout (N, T, M), cache from temporal_affine_forward -> (dx (N, T, D), dw (D, M), db (M,))."""
    return backpropagate("temporal_affine_backward", dout, cache)


def temporal_softmax_loss(x, y, mask, verbose=False):
    """Softmax cross-entropy at every step where mask is True, summed over time and averaged over N.

    x (N, T, V) scores, y (N, T) labels in 0..V-1 (read only where mask is True), mask (N, T) booleans
    -> (loss as a float, dx (N, T, V)). The core's fused F.temporal_cross_entropy.
    """
    loss, dx = loss_and_gradient(lambda scores, labels: F.temporal_cross_entropy(scores, labels, mask), x, y)
    if verbose:
        N, T, V = dx.shape
        print("dx_flat: ", (N * T, V))  # what the assignment prints: the shape of its (N*T, V) gradient
    return loss, dx
