"""nn.RNN and nn.LSTM: PyTorch's recurrent layers, with its names, layouts and outputs, on F.rnn / F.lstm.

    lstm = nn.LSTM(input_size=256, hidden_size=512, num_layers=2, batch_first=True)
    output, (h_n, c_n) = lstm(x)        # x (N, T, 256) -> output (N, T, 512), h_n and c_n (2, N, 512)

Parameters are PyTorch's, per layer k: weight_ih_l{k} (G*H, in), weight_hh_l{k} (G*H, H), bias_ih_l{k}
and bias_hh_l{k} (G*H,), with G = 1 (RNN) or 4 (LSTM, gates in PyTorch's order i, f, g, o), all
drawn from uniform(-1/sqrt(H), 1/sqrt(H)) as PyTorch does; so a PyTorch state_dict's arrays copy
straight in. Each layer runs as F.rnn / F.lstm (nn/recurrent.py) with Wx = weight_ih.T,
Wh = weight_hh.T and b = bias_ih + bias_hh: CS231n's layout seen through a transpose.
"""
import warnings

import numpy as np

from .. import ops
from ..errors import InputError
from ..tensor import Tensor, as_tensor
from . import functional as F
from .module import Module, Parameter
from .random import generator


class _Recurrent(Module):
    """What RNN and LSTM share: the parameters, the input's layouts, the stack of layers, dropout."""

    gates = 1  # G: how many H-wide blocks the weights stack (LSTM: 4)

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, dtype=np.float64, rng=None):
        super().__init__()
        name = type(self).__name__
        if bidirectional:
            raise NotImplementedError(f"{name}: bidirectional=True is not supported; run two "
                                      f"{name}s, one on the reversed sequence, and join their outputs")
        if num_layers < 1 or hidden_size < 1 or input_size < 1:
            raise InputError(f"{name}: input_size, hidden_size and num_layers must be at least 1, got "
                             f"{input_size}, {hidden_size} and {num_layers}")
        if not 0 <= dropout < 1:
            raise InputError(f"{name}: dropout is the probability of dropping a unit and must be in [0, 1), "
                             f"got {dropout}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: dropout={dropout} acts between layers, after all but the last, so with "
                          "num_layers=1 it does nothing (as in PyTorch)", stacklevel=2)
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, dropout
        rng = generator(rng)
        bound = 1.0 / np.sqrt(hidden_size)
        rows = self.gates * hidden_size
        for layer in range(num_layers):
            shapes = {"weight_ih": (rows, input_size if layer == 0 else hidden_size),
                      "weight_hh": (rows, hidden_size)}
            if bias:
                shapes.update(bias_ih=(rows,), bias_hh=(rows,))
            for kind, shape in shapes.items():  # PyTorch's order, so one seed draws alike layer by layer
                uniform = bound * (2 * rng.random(shape) - 1)
                setattr(self, f"{kind}_l{layer}", Parameter(uniform, dtype=dtype))
        self.rng = rng  # dropout's masks

    def forward(self, input, hx=None):
        """input (T, N, in), or (N, T, in) with batch_first, or one sequence (T, in) -> output as
        PyTorch's: (output, h_n) for RNN, (output, (h_n, c_n)) for LSTM; output has the input's
        layout with H features, h_n and c_n are (num_layers, N, H) ((num_layers, H) for one sequence)."""
        x = as_tensor(input)
        name = type(self).__name__
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            layout = "(N, T, input_size)" if self.batch_first else "(T, N, input_size)"
            raise InputError(f"{name}: input must be {layout} or one sequence (T, input_size) with input_size="
                             f"{self.input_size}, got shape {x.shape}")
        batched = x.ndim == 3
        x = self._batch_first(x, batched)
        states = self._initial_states(hx, x.shape[0], batched, x.dtype)
        out, finals = x, []
        for layer in range(self.num_layers):
            if layer > 0 and self.training and self.dropout > 0:
                out = ops.Dropout.apply(out, p=self.dropout, rng=self.rng)
            out, final = self._layer(layer, out, [state[layer] for state in states])
            finals.append(final)
        finals = [F.stack(parts, axis=0) for parts in zip(*finals)]  # each (num_layers, N, H)
        if not batched:
            finals = [state.reshape(self.num_layers, self.hidden_size) for state in finals]
        return self._batch_first(out, batched, back=True), self._pack(finals)

    def _batch_first(self, x, batched, back=False):
        """The input's layout to F.rnn's (N, T, features), or with back=True, the output back to the input's."""
        if not batched:
            return x.reshape(x.shape[1:]) if back else x.reshape(1, *x.shape)
        return x if self.batch_first else x.transpose(1, 0, 2)

    def _weights(self, layer):
        """Wx (in, G*H), Wh (H, G*H), b (G*H,): CS231n's layout of this layer's PyTorch parameters."""
        Wx, Wh = getattr(self, f"weight_ih_l{layer}").T, getattr(self, f"weight_hh_l{layer}").T
        if self.bias:
            b = getattr(self, f"bias_ih_l{layer}") + getattr(self, f"bias_hh_l{layer}")
        else:
            b = Tensor(np.zeros(Wh.shape[1], dtype=Wh.dtype))
        return Wx, Wh, b

    def _initial_states(self, hx, batch, batched, dtype):
        """The initial states as (num_layers, N, H) tensors, one per kind (h; or h and c); zeros if hx is None."""
        name = type(self).__name__
        kinds = ("h_0",) if self.gates == 1 else ("h_0", "c_0")
        if hx is None:
            zeros = Tensor(np.zeros((self.num_layers, batch, self.hidden_size), dtype=dtype))
            return [zeros] * len(kinds)
        given = (hx,) if self.gates == 1 else hx
        if len(kinds) > 1 and (not isinstance(given, (tuple, list)) or len(given) != len(kinds)):
            raise InputError(f"{name}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
        expected = (self.num_layers, batch, self.hidden_size) if batched else (self.num_layers, self.hidden_size)
        states = []
        for kind, state in zip(kinds, given):
            state = as_tensor(state)
            if state.shape != expected:
                raise InputError(f"{name}: {kind} has shape {state.shape}, expected (num_layers, "
                                 f"{'N, ' if batched else ''}hidden_size) = {expected}")
            states.append(state if batched else state.reshape(self.num_layers, 1, self.hidden_size))
        return states


class RNN(_Recurrent):
    """Elman RNN, h_t = nonlinearity(x_t @ W_ih.T + b_ih + h_{t-1} @ W_hh.T + b_hh), as PyTorch's
    nn.RNN; nonlinearity "tanh" or "relu". forward(input, hx=None) -> (output, h_n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, dtype=np.float64, rng=None):
        if nonlinearity not in ("tanh", "relu"):
            raise InputError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype, rng)
        self.nonlinearity = nonlinearity

    def _layer(self, layer, x, states):
        (h0,) = states
        out = F.rnn(x, h0, *self._weights(layer), nonlinearity=self.nonlinearity)
        return out, (out[:, -1],)

    def _pack(self, finals):
        return finals[0]

    def extra_repr(self):
        return _describe(self) + (", nonlinearity='relu'" if self.nonlinearity == "relu" else "")


class LSTM(_Recurrent):
    """Long short-term memory, as PyTorch's nn.LSTM (gates i, f, g, o in that order in the weights'
    rows). forward(input, hx=None) with hx = (h_0, c_0) -> (output, (h_n, c_n))."""

    gates = 4

    def _layer(self, layer, x, states):
        h0, c0 = states
        out, c = F.lstm(x, h0, *self._weights(layer), c0=c0, gate_order="ifgo")
        return out, (out[:, -1], c)

    def _pack(self, finals):
        return tuple(finals)

    def extra_repr(self):
        return _describe(self)


def _describe(module):
    extras = [f"num_layers={module.num_layers}"] if module.num_layers > 1 else []
    extras += [] if module.bias else ["bias=False"]
    extras += ["batch_first=True"] if module.batch_first else []
    extras += [f"dropout={module.dropout}"] if module.dropout else []
    return ", ".join([f"{module.input_size}, {module.hidden_size}"] + extras)
