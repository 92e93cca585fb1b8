"""Recurrent nets as small graphs of ops: CS231n's vanilla RNN and LSTM, one step and over time.

    h = F.rnn(x, h0, Wx, Wh, b)                      # x (N, T, D), h0 (N, H) -> h (N, T, H)
    h, c = F.lstm(x, h0, Wx, Wh, b)                  # h (N, T, H), c the last cell state (N, H)

Shapes follow CS231n: x (N, T, D) batch first, h (N, H), Wx (D, G), Wh (H, G), b (G,) with G = H
for the RNN and G = 4H for the LSTM, whose four gates come from one product and are sliced off it.
`gate_order` says how the 4H columns are laid out: "ifog" (input, forget, output, candidate g:
CS231n's order) or "ifgo" (PyTorch's). Nothing here but F.lstm's default has its own backward:
every step is matmuls, adds, slices and activations on the tape, so backpropagation through time is
the tape walking back over T steps, and the graph of a 3-step LSTM can be drawn and read.

The input projection x @ Wx + b is one (N*T, D) @ (D, G) product for all steps; only h @ Wh has to
wait for the step before. F.lstm runs by default as one op, ops.Lstm (ops/lstm.py: the slices'
backward passes, a zero array of the whole tensor each, made the composition 1.5-2x slower than
torch.nn.LSTM); F.lstm(..., fused=False) is the composition, which the tests hold the op to.
"""
import numpy as np

from .. import ops
from ..errors import InputError
from ..ops.lstm import GATE_ORDERS, gate_slices  # noqa: F401 (GATE_ORDERS: the orders gate_order takes)
from ..tensor import Tensor, as_tensor


def rnn_step(x, prev_h, Wx, Wh, b, nonlinearity="tanh"):
    """next_h = tanh(x @ Wx + prev_h @ Wh + b): x (N, D), prev_h (N, H), Wx (D, H), Wh (H, H), b (H,).
    nonlinearity="relu" puts relu in tanh's place (PyTorch's nn.RNN offers both)."""
    x, prev_h, Wx, Wh, b = map(as_tensor, (x, prev_h, Wx, Wh, b))
    activation = _activation("rnn_step", nonlinearity)
    _check_shapes("rnn_step", x.shape, prev_h.shape, Wx, Wh, b, gates=1)
    return activation(x @ Wx + prev_h @ Wh + b)


def rnn(x, h0, Wx, Wh, b, nonlinearity="tanh"):
    """Vanilla RNN over a sequence: x (N, T, D), h0 (N, H) -> every step's hidden state (N, T, H).
    nonlinearity: "tanh" (CS231n's) or "relu"."""
    x, h0, Wx, Wh, b = map(as_tensor, (x, h0, Wx, Wh, b))
    activation = _activation("rnn", nonlinearity)
    _check_sequence("rnn", x, h0, Wx, Wh, b, gates=1)
    h, hs = h0, []
    for x_t in _projected_inputs(x, Wx, b):
        h = activation(x_t + h @ Wh)
        hs.append(h)
    return _stack_time(hs)


NONLINEARITIES = {"tanh": Tensor.tanh, "relu": Tensor.relu}


def _activation(name, nonlinearity):
    if nonlinearity not in NONLINEARITIES:
        raise InputError(f"{name}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return NONLINEARITIES[nonlinearity]


def lstm_step(x, prev_h, prev_c, Wx, Wh, b, gate_order="ifog"):
    """One LSTM step -> (next_h, next_c), each (N, H): x (N, D), prev_h and prev_c (N, H),
    Wx (D, 4H), Wh (H, 4H), b (4H,).

        i, f, o = sigmoid of their gates, g = tanh of its gate
        next_c = f * prev_c + i * g,   next_h = o * tanh(next_c)
    """
    x, prev_h, prev_c, Wx, Wh, b = map(as_tensor, (x, prev_h, prev_c, Wx, Wh, b))
    _check_shapes("lstm_step", x.shape, prev_h.shape, Wx, Wh, b, gates=4)
    if prev_c.shape != prev_h.shape:
        raise InputError(f"lstm_step: prev_c has shape {prev_c.shape}, expected {prev_h.shape} like prev_h")
    return _lstm_cell(x @ Wx + prev_h @ Wh + b, prev_c, gate_slices(gate_order, prev_h.shape[1]))


def lstm(x, h0, Wx, Wh, b, c0=None, gate_order="ifog", fused=True):
    """LSTM over a sequence -> (h, c): every step's hidden state h (N, T, H) and the last cell state
    c (N, H). x (N, T, D), h0 (N, H), c0 (N, H) or None for zeros (CS231n's lstm_forward starts
    the cell at zero), Wx (D, 4H), Wh (H, 4H), b (4H,).

    fused=True runs it as one op (ops.Lstm, whose backward is CS231n's lstm_backward): fast.
    fused=False builds it from matmuls, slices and activations, step by step, on the tape: the graph
    to draw and read, and the reference the op is tested against."""
    x, h0, Wx, Wh, b = map(as_tensor, (x, h0, Wx, Wh, b))
    _check_sequence("lstm", x, h0, Wx, Wh, b, gates=4)
    slices = gate_slices(gate_order, h0.shape[1])
    c = Tensor(np.zeros(h0.shape, dtype=h0.dtype), name="c0") if c0 is None else as_tensor(c0)
    if c.shape != h0.shape:
        raise InputError(f"lstm: c0 has shape {c.shape}, expected {h0.shape} like h0")
    if fused:
        states = ops.Lstm.apply(x, h0, c, Wx, Wh, b, gate_order=gate_order)  # (2, N, T, H): h and c
        return states[0], states[1, :, -1]
    h, hs = h0, []
    for x_t in _projected_inputs(x, Wx, b):
        h, c = _lstm_cell(x_t + h @ Wh, c, slices)
        hs.append(h)
    return _stack_time(hs), c


def _lstm_cell(a, prev_c, slices):
    i, f, o, g = (a[:, s] for s in slices)
    next_c = f.sigmoid() * prev_c + i.sigmoid() * g.tanh()
    return o.sigmoid() * next_c.tanh(), next_c


def _check_sequence(name, x, h0, Wx, Wh, b, gates):
    if x.ndim != 3:
        raise InputError(f"{name}: x must be a batch of sequences (N, T, D), got shape {x.shape}")
    N, T, D = x.shape
    if T == 0:
        raise InputError(f"{name}: x has no time steps (shape {x.shape}); T must be at least 1")
    _check_shapes(name, (N, D), h0.shape, Wx, Wh, b, gates)


def _projected_inputs(x, Wx, b):
    """x @ Wx + b for every step, as T tensors (N, G), from one product."""
    N, T, D = x.shape
    projected = (x.reshape(N * T, D) @ Wx + b).reshape(N, T, Wx.shape[1])
    return [projected[:, t] for t in range(T)]


def _stack_time(hs):
    from .functional import stack  # functional imports this module's names
    return stack(hs, axis=1)


def _check_shapes(name, x_shape, h_shape, Wx, Wh, b, gates):
    """One clear line when the shapes of a step's input x (N, D), hidden state (N, H) and weights
    do not fit together."""
    if len(x_shape) != 2 or len(h_shape) != 2 or x_shape[0] != h_shape[0]:
        raise InputError(f"{name}: x must be (N, D) per step and the hidden state (N, H) with the same N; "
                         f"got {x_shape} and {h_shape}")
    (N, D), H = x_shape, h_shape[1]
    expected = {"Wx": (D, gates * H), "Wh": (H, gates * H), "b": (gates * H,)}
    for label, tensor in (("Wx", Wx), ("Wh", Wh), ("b", b)):
        if tensor.shape != expected[label]:
            raise InputError(f"{name}: {label} has shape {tensor.shape}, expected {expected[label]} for input size "
                             f"D={D} and hidden size H={H}" + (" (four gates)" if gates == 4 else ""))
