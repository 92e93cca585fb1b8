"""CS231n's recurrent layers written against PyTorch (2025/2026 assignment 2), on tinygrad231n.torch.

    import tinygrad231n.torch as torch
    from tinygrad231n.cs231n.rnn_layers_pytorch import *

    x = torch.from_numpy(np.random.randn(N, T, D)).requires_grad_()
    h = rnn_forward(x, h0, Wx, Wh, b)          # (N, T, H), a tensor on the tape
    h.backward(dh)                             # autograd gives x.grad, Wx.grad, ...

Every function takes the front's tensors (which are the engine's Tensor) and returns one, or a pair
for lstm_step_forward; there is no cache and no *_backward: the tape records the forward and
`backward()` walks it, as PyTorch's autograd does for the starter's student code. Each function is
the engine's own op or net (nn/recurrent.py, ops/embedding.py, ops/temporal_cross_entropy.py), so
this file and the numpy adapter (rnn_layers.py) run the same code.

The assignment's layout: batch first, Wx (D, G), Wh (H, G), b (G,), with G = H for the vanilla RNN and
G = 4H for the LSTM, whose gates are the columns i, f, o, g in that order; lstm_forward starts the
cell state at zero. temporal_softmax_loss sums the cross-entropy over the steps where mask is True
and divides by N (not by the number of steps counted).
"""
import tinygrad231n.nn.functional as F
import tinygrad231n.torch as torch  # noqa: F401  (the front's Tensor names, which the callers' code uses)

__all__ = [
    "affine_forward", "rnn_step_forward", "rnn_forward", "word_embedding_forward", "lstm_step_forward",
    "lstm_forward", "temporal_affine_forward", "temporal_softmax_loss",
]


def affine_forward(x, w, b):
    """x (N, d_1, ..., d_k) flattened to (N, D), w (D, M), b (M,) -> out (N, M) = x @ w + b."""
    return x.reshape(x.shape[0], -1) @ w + b


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """next_h = tanh(x @ Wx + prev_h @ Wh + b): x (N, D), prev_h (N, H), Wx (D, H), Wh (H, H), b (H,)
    -> next_h (N, H)."""
    return F.rnn_step(x, prev_h, Wx, Wh, b)


def rnn_forward(x, h0, Wx, Wh, b):
    """The vanilla RNN over T steps: x (N, T, D), h0 (N, H) -> h (N, T, H), every step's hidden state."""
    return F.rnn(x, h0, Wx, Wh, b)


def word_embedding_forward(x, W):
    """out[n, t] = W[x[n, t]]: x (N, T) integers in 0..V-1, W (V, D) -> out (N, T, D). A word used
    several times gets the sum of its gradients in W.grad; the indices get none."""
    return F.embedding(x, W)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One LSTM step: x (N, D), prev_h and prev_c (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,), gates i, f, o, g
    -> (next_h (N, H), next_c (N, H))."""
    return F.lstm_step(x, prev_h, prev_c, Wx, Wh, b)


def lstm_forward(x, h0, Wx, Wh, b):
    """The LSTM over T steps from h0 (N, H) and a zero cell state: x (N, T, D) -> h (N, T, H), every
    step's hidden state (the cell state stays inside, as in the assignment)."""
    h, _ = F.lstm(x, h0, Wx, Wh, b)
    return h


def temporal_affine_forward(x, w, b):
    """The same affine map at every step: x (N, T, D), w (D, M), b (M,) -> out (N, T, M), one product."""
    return x @ w + b


def temporal_softmax_loss(x, y, mask, verbose=False):
    """Softmax cross-entropy at every step where mask is True, summed over time and averaged over N.

    x (N, T, V) scores, y (N, T) labels in 0..V-1 (read only where mask is True), mask (N, T) booleans
    -> the loss, a scalar tensor. verbose is the starter's parameter; its PyTorch version prints nothing.
    """
    return F.temporal_cross_entropy(x, y, mask)
