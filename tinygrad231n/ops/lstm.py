"""A whole LSTM over a sequence as one op: CS231n's lstm_forward and lstm_backward, on the tape as one node.

F.lstm runs this op; F.lstm(..., fused=False) builds the same net from matmuls, slices and
activations (nn/recurrent.py), and the tests hold this op to that composition and to numerical
gradients. Why one node: composed, each step's input is a slice projected[:, t] of one (N, T, 4H)
product and each gate a slice of a step's (N, 4H) sum, and the backward of every slice is a zero
array of the whole tensor with one part filled, summed with the others. Here the gates of all steps
live in one (T, N, 4H) array written in place, and backward gathers every step's gate gradients
before the weight gradients are taken as one product each (dWh = h_prev^T @ dgates over all N*T
rows). Forward+backward at captioning sizes (N=50, T=16, D=256, H=512, float32, one thread,
`python benchmarks/bench_rnn.py`): this op 1.32x torch.nn.LSTM, the composition 1.87x, and
torch's own composition of CS231n's loop 1.44x; what is left is mostly OpenBLAS's matmuls against
torch's.
"""
import numba
import numpy as np

from ..errors import InputError
from ..function import Function, register

GATE_ORDERS = ("ifog", "ifgo")  # CS231n's, PyTorch's


def gate_slices(gate_order, H):
    """Column slices of a (N, 4H) gate array for i, f, o, g, in that order: gate_order says how the
    4H columns are laid out, "ifog" (CS231n's) or "ifgo" (PyTorch's)."""
    if gate_order not in GATE_ORDERS:
        raise InputError(f"gate_order must be one of {', '.join(map(repr, GATE_ORDERS))} (CS231n's, PyTorch's), "
                         f"got {gate_order!r}")
    return tuple(slice(gate_order.index(name) * H, (gate_order.index(name) + 1) * H) for name in "ifog")


def _sigmoid(a):
    return 0.5 * (1 + np.tanh(0.5 * a))  # never overflows, unlike 1 / (1 + exp(-a)); as ops.Sigmoid


@numba.njit(cache=True)
def _cell_backward(a, prev_c, tanh_c, dh, dc, da, starts):
    """One step's elementwise backward, in one pass: a (N, 4H) the activated gates (`starts`: the
    first columns of i, f, o, g), dh and dc (N, H) every gradient that reaches this step's h and c.
    Writes the gates' gradients into da (N, 4H), and dc becomes the gradient that reaches prev_c
    (in place). As numpy expressions (lstm_step_reference's chain rule) the 16 steps' elementwise
    work took 8.4 ms, here 3.8 ms (N=50, H=512, float32, one thread), beside 27 ms of matmuls."""
    i0, f0, o0, g0 = starts
    for n in range(a.shape[0]):
        for j in range(prev_c.shape[1]):
            i, f, o, g = a[n, i0 + j], a[n, f0 + j], a[n, o0 + j], a[n, g0 + j]
            t = tanh_c[n, j]
            dc_total = dc[n, j] + dh[n, j] * o * (1 - t * t)
            da[n, i0 + j] = dc_total * g * i * (1 - i)
            da[n, f0 + j] = dc_total * prev_c[n, j] * f * (1 - f)
            da[n, o0 + j] = dh[n, j] * t * o * (1 - o)
            da[n, g0 + j] = dc_total * i * (1 - g * g)
            dc[n, j] = dc_total * f


def _product(a, W):
    """a @ W, taken as (W.T @ a.T).T when W is a transposed view of a row-major matrix: OpenBLAS is
    faster with a row-major matrix on the right. (50, 512) @ (512, 2048) in float32, one thread:
    1.8 ms with the transposed view on the right, 1.45 ms turned round; backward's 16 products
    dgates_t @ Wh.T took 8 ms less in all. It matters for the products of every step: nn.LSTM's
    Wh is the view weight_hh.T (forward), and backward multiplies by Wh.T (CS231n's layout)."""
    if not W.flags.c_contiguous and W.T.flags.c_contiguous:
        return (W.T @ a.T).T
    return a @ W


def lstm_step_reference(x, prev_h, prev_c, Wx, Wh, b, gate_order="ifog"):
    """One step in plain numpy, the textbook way -> (next_h, next_c); the tests hold the op to it."""
    gate = dict(zip(gate_order, np.split(x @ Wx + prev_h @ Wh + b, 4, axis=1)))
    next_c = _sigmoid(gate["f"]) * prev_c + _sigmoid(gate["i"]) * np.tanh(gate["g"])
    return _sigmoid(gate["o"]) * np.tanh(next_c), next_c


def lstm_reference(x, h0, c0, Wx, Wh, b, gate_order="ifog"):
    """The op's output (2, N, T, H), h and c at every step, one step at a time in plain numpy."""
    h, c, states = h0, c0, []
    for t in range(x.shape[1]):
        h, c = lstm_step_reference(x[:, t], h, c, Wx, Wh, b, gate_order)
        states.append((h, c))
    return np.stack([np.stack(hs, axis=1) for hs in zip(*states)])


@register()  # F.lstm runs it
class Lstm(Function):
    """An LSTM over a sequence: x (N, T, D), h0 and c0 (N, H), Wx (D, 4H), Wh (H, 4H), b (4H,) ->
    every step's hidden and cell state, (2, N, T, H): out[0] is h, out[1] is c. Per step,
    a = x_t @ Wx + h @ Wh + b; i, f, o = sigmoid of their columns, g = tanh of its columns;
    c = f * c + i * g; h = o * tanh(c). Shapes are F.lstm's to check."""

    @staticmethod
    def forward(ctx, x, h0, c0, Wx, Wh, b, gate_order="ifog"):
        N, T, D = x.shape
        H = h0.shape[1]
        slices = gate_slices(gate_order, H)
        i, f, o, g = slices
        # sigmoid(a) = (1 + tanh(a / 2)) / 2: one tanh over all four gates, scaled before and after per column
        halve, shift = np.full(4 * H, 0.5, dtype=x.dtype), np.full(4 * H, 0.5, dtype=x.dtype)
        halve[g], shift[g] = 1, 0
        x_rows = x.transpose(1, 0, 2).reshape(T * N, D)   # time-major: step t is rows t*N..(t+1)*N
        gates = (x_rows @ Wx + b).reshape(T, N, 4 * H)  # x_t @ Wx + b for every step, activated in place
        h = np.empty((T + 1, N, H), dtype=gates.dtype)    # h[t], c[t]: the states before step t
        c = np.empty_like(h)
        tanh_c = np.empty((T, N, H), dtype=gates.dtype)
        h[0], c[0] = h0, c0
        for t in range(T):
            a = gates[t]
            a += _product(h[t], Wh)
            a *= halve
            np.tanh(a, out=a)
            a *= halve
            a += shift                                    # i, f, o: sigmoid; g: tanh
            np.multiply(a[:, f], c[t], out=c[t + 1])
            c[t + 1] += a[:, i] * a[:, g]
            np.tanh(c[t + 1], out=tanh_c[t])
            np.multiply(a[:, o], tanh_c[t], out=h[t + 1])
        ctx.save(x_rows, Wx, Wh, gates, h, c, tanh_c)
        ctx.starts = tuple(s.start for s in slices)       # first columns of i, f, o, g, for _cell_backward
        return np.stack((h[1:], c[1:])).transpose(0, 2, 1, 3).copy()  # (2, N, T, H)

    @staticmethod
    def backward(ctx, grad):
        x_rows, Wx, Wh, gates, h, c, tanh_c = ctx.saved
        T, N, G = gates.shape
        dh_out, dc_out = grad.transpose(0, 2, 1, 3)       # (T, N, H) each, step-major views
        dgates = np.empty_like(gates)
        dh = np.zeros(h.shape[1:], dtype=gates.dtype)     # from the step after: into h[t + 1], c[t + 1]
        dc = np.zeros_like(dh)
        for t in reversed(range(T)):
            dh = dh + dh_out[t]
            dc = dc + dc_out[t]
            _cell_backward(gates[t], c[t], tanh_c[t], dh, dc, dgates[t], ctx.starts)
            dh = _product(dgates[t], Wh.T)
        needs = ctx.needs_input_grad
        rows = dgates.reshape(T * N, G)
        dx = (rows @ Wx.T).reshape(T, N, -1).transpose(1, 0, 2) if needs[0] else None
        dWx = x_rows.T @ rows if needs[3] else None
        dWh = h[:-1].reshape(T * N, -1).T @ rows if needs[4] else None
        db = rows.sum(axis=0) if needs[5] else None
        return dx, dh, dc, dWx, dWh, db
