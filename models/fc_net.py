"""CS231n's FullyConnectedNet: {affine - [batchnorm] - relu - [dropout]} x (L - 1) - affine - softmax.

    model = FullyConnectedNet([512, 256], normalization="batchnorm", dropout_keep_ratio=0.8, reg=1e-3)
    scores = model.loss(X)              # (N, C) numpy array, eval mode
    loss, grads = model.loss(X, y)      # train mode; grads: {name: array} like model.params

The layers are nn modules in one nn.Sequential (`model.network`). `model.params` shows their
weights under CS231n's names, a live view that the Solver reads and writes in place:

    W1, b1, ..., WL, bL           affine layer i: W{i} (D_{i-1}, D_i), b{i} (D_i,)
    gamma1, beta1, ...            batch norm after hidden layer i (i < L), each (D_i,)

The penalty is 0.5 * reg * sum_i sum(W{i}**2), over the affine weights only: CS231n's convention
for its nets (the linear classifiers use reg * sum W**2).

`dropout_keep_ratio` is CS231n's KEEP probability; nn.Dropout takes the drop probability, so each
hidden layer gets nn.Dropout(1 - dropout_keep_ratio), and none at all when the ratio is 1.
"""
from collections.abc import MutableMapping

import numpy as np

import tinygrad231n.nn.functional as F
from models.inputs import batch_rows
from tinygrad231n import nn, no_grad

NORMALIZATIONS = (None, "batchnorm")


class FullyConnectedNet:
    """Any number of hidden layers, CS231n's constructor and `loss(X, y=None)` protocol.

    hidden_dims: list of hidden sizes (may be empty: a linear softmax classifier).
    weight_scale: std of the initial weights, W = weight_scale * randn; None for He init
    (randn * sqrt(2 / fan_in)), which keeps deep ReLU nets' activations from shrinking.
    dtype: float32 (CS231n's default for this net, and faster) or float64 (gradient checks).
    seed: fixes the initial weights and the dropout masks (two independent streams).
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None):
        if normalization not in NORMALIZATIONS:
            raise ValueError(f"FullyConnectedNet: normalization must be one of {NORMALIZATIONS}, "
                             f"got {normalization!r} (layernorm is not implemented)")
        if not 0 < dropout_keep_ratio <= 1:
            raise ValueError(f"FullyConnectedNet: dropout_keep_ratio is the probability of KEEPING a unit "
                             f"and must be in (0, 1], got {dropout_keep_ratio}")
        self.input_dim, self.num_classes = input_dim, num_classes
        self.num_layers = len(hidden_dims) + 1
        self.normalization, self.dropout_keep_ratio = normalization, dropout_keep_ratio
        self.reg, self.dtype = reg, np.dtype(dtype)
        init_seed, mask_seed = np.random.SeedSequence(seed).spawn(2)
        self.network, names = self._build(list(hidden_dims), weight_scale, np.random.default_rng(init_seed),
                                          np.random.default_rng(mask_seed))
        self._parameters = names
        self._weights = [names[f"W{i}"] for i in range(1, self.num_layers + 1)]
        dotted = {id(parameter): name for name, parameter in self.network.named_parameters()}
        self._params = RenamedArrays(self.network.params, {name: dotted[id(p)] for name, p in names.items()})
        for name, parameter in names.items():
            parameter.name = name  # graph diagrams then label weights W1, gamma1, ... as CS231n does

    @property
    def params(self):
        """{CS231n name: numpy array}, live: writing an entry copies into the parameter in place."""
        return self._params

    @params.setter
    def params(self, values):
        """`model.params = {name: array}` loads the given arrays into the existing parameters."""
        for name, value in values.items():
            self._params[name] = value

    def _build(self, hidden_dims, weight_scale, init_rng, mask_rng):
        """The nn.Sequential and {CS231n name: Parameter} for it."""
        dims = [self.input_dim, *hidden_dims, self.num_classes]
        layers, names = [], {}
        for i in range(1, self.num_layers + 1):
            affine = nn.Linear(dims[i - 1], dims[i], weight_scale=weight_scale, dtype=self.dtype, rng=init_rng)
            layers.append(affine)
            names[f"W{i}"], names[f"b{i}"] = affine.weight, affine.bias
            if i == self.num_layers:
                break
            if self.normalization == "batchnorm":
                norm = nn.BatchNorm1d(dims[i], dtype=self.dtype)
                layers.append(norm)
                names[f"gamma{i}"], names[f"beta{i}"] = norm.weight, norm.bias
            layers.append(nn.ReLU())
            if self.dropout_keep_ratio < 1:
                layers.append(nn.Dropout(1 - self.dropout_keep_ratio, rng=mask_rng))
        return nn.Sequential(*layers), names

    def loss_graph(self, X, y):
        """The training-mode loss on the tape (scalar Tensor); y (N,) int labels in 0..C-1.

        Each call in training mode draws new dropout masks and moves batch norm's running averages.
        """
        self.network.train()
        scores = self.network(self._flatten(X))
        penalty = sum(F.l2(W) for W in self._weights)
        return F.cross_entropy(scores, y) + 0.5 * self.reg * penalty

    def loss(self, X, y=None):
        """Scores (N, C) in eval mode when y is None; else (loss float, {name: gradient array})."""
        if y is None:
            self.network.eval()
            with no_grad():
                return self.network(self._flatten(X)).data
        self.network.zero_grad()
        loss = self.loss_graph(X, y)
        loss.backward()
        return loss.item(), {name: parameter.grad for name, parameter in self._parameters.items()}

    def predict(self, X):
        """(N, ...) inputs -> (N,) int64 labels, in eval mode."""
        return np.argmax(self.loss(X), axis=1)

    def state_for_checkpoint(self):
        """Copies of every array the net needs to classify without this project.

        W{i}, b{i} for each affine layer; with batch norm also gamma{i}, beta{i}, running_mean{i},
        running_var{i} for each hidden layer i. To classify a row x (D,) with plain numpy:
            h = x @ W1 + b1
            h = gamma1 * (h - running_mean1) / sqrt(running_var1 + 1e-5) + beta1   # batch norm only
            h = max(h, 0)                  # dropout is the identity at test time; repeat per layer
            scores = h @ WL + bL
        """
        state = {name: np.array(parameter.data, copy=True) for name, parameter in self._parameters.items()}
        norms = [layer for layer in self.network if isinstance(layer, nn.BatchNorm1d)]
        for i, norm in enumerate(norms, start=1):
            state[f"running_mean{i}"] = np.array(norm.running_mean, copy=True)
            state[f"running_var{i}"] = np.array(norm.running_var, copy=True)
        return state

    def _flatten(self, X):
        return batch_rows(X, self.input_dim, self.dtype, "FullyConnectedNet")

    def __repr__(self):
        return f"FullyConnectedNet(reg={self.reg}, dtype={self.dtype.name})\n{self.network!r}"


class RenamedArrays(MutableMapping):
    """`model.params`: the network's live {dotted name: array} view (nn's `module.params`), under
    CS231n's names. `params["W1"] = array` copies into the parameter in place (shapes must match),
    which is how CS231n's Solver applies each update and restores the best weights.
    """

    def __init__(self, arrays, names):
        self._arrays, self._names = arrays, names  # names: {CS231n name: dotted name}

    def __getitem__(self, name):
        return self._arrays[self._dotted(name)]

    def __setitem__(self, name, value):
        dotted = self._dotted(name)
        expected = self._arrays[dotted].shape
        if np.shape(value) != expected:  # checked here too, so the error names the CS231n parameter
            raise ValueError(f"params: {name!r} has shape {expected} but the value given has shape {np.shape(value)}")
        self._arrays[dotted] = value

    def __delitem__(self, name):
        raise TypeError("params: a FullyConnectedNet's parameters cannot be deleted")

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)

    def _dotted(self, name):
        if name not in self._names:
            raise KeyError(f"params: no parameter named {name!r}; the parameters are {list(self._names)}")
        return self._names[name]
