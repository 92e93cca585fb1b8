"""CS231n's model protocol, as a view over an nn.Module of models/.

The assignment's models keep their weights in `model.params`, a dict of numpy arrays named W1, b1,
..., and answer `model.loss(X)` with scores and `model.loss(X, y)` with (loss, {name: gradient}).
`ModuleModel` gives a module exactly that face:

    model = ModuleModel(models.two_layer.TwoLayerNet(...))
    model.params["W1"]                  # the module's first-layer weight array (live, not a copy)
    model.params["W1"] = new_array      # copied into the Parameter in place (shape must match)
    loss, grads = model.loss(X, y)      # training mode; grads has the keys of params
    scores = model.loss(X)              # eval mode: no dropout, batch norm on running averages

Names follow models/checkpoint.py (the same ones checkpoints use). The linear classifiers' protocol,
(loss, dW) for a weight array W, is `linear_loss_and_gradient` (layers' losses at the scores use
_tape.loss_and_gradient); both kinds save and load their arrays with `save_arrays` and `load_arrays`.
"""
import os
from collections.abc import MutableMapping

import numpy as np

from models.checkpoint import cs231n_parameters
from tinygrad231n import no_grad
from tinygrad231n.atomic import save_npz


class NumpyGlobalRandom:
    """numpy's global random state (what np.random.seed sets) as the generator a model draws from.

    The assignment's constructors draw W1, W2, ... as weight_scale * np.random.randn(shape), in
    order, and its dropout masks as np.random.rand(shape) < p. Handed this as their seed, the models
    draw in the same order through these two methods, so a notebook's np.random.seed(231) gives the
    assignment's very weights and gradient checks see the numbers its reference solution sees.
    """

    def standard_normal(self, size):
        return np.random.standard_normal(size)  # np.random.randn(*size), the same stream

    def random(self, size):
        return np.random.random_sample(size)  # np.random.rand(*size)


NUMPY_GLOBAL_RANDOM = NumpyGlobalRandom()


def seed_from_global_state():
    """One seed drawn from numpy's global random state, for a model or run that takes a seed: so
    `np.random.seed(...)` in a notebook fixes it, as it fixes the assignment's np.random draws."""
    return np.random.randint(2**31 - 1)


def linear_loss_and_gradient(model_class, W, X, y, reg):
    """(loss as a float, dW like W) of a models.linear classifier's regularized loss at the array W.

    W is not modified: the model's Parameter shares W's memory, and forward and backward only read it.
    """
    model = model_class(W)
    loss = model.loss(X, y, reg)
    loss.backward()
    return loss.item(), model.W.grad


def save_arrays(fname, arrays):
    """Write {name: array} to `fname` (np.savez's .npz; ".npz" added if missing), atomically, and say so
    as the assignment's `save` does. The assignment saves under cs231n/saved/; here `fname` is a path of
    your choosing."""
    save_npz(fname if str(fname).endswith(".npz") else f"{fname}.npz", **arrays)
    print(f"{fname} saved.")


def load_arrays(fname):
    """{name: array} from a file that save_arrays wrote (fname with or without .npz), saying "{fname}
    loaded."; None, after saying "{fname} not available.", when there is no such file."""
    path = fname if os.path.exists(fname) or str(fname).endswith(".npz") else f"{fname}.npz"
    if not os.path.exists(path):
        print(f"{fname} not available.")
        return None
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    print(f"{fname} loaded.")
    return arrays


class ParameterArrays(MutableMapping):
    """{CS231n name: numpy array} of a module's Parameters: reading gives each array, writing copies
    into it in place, so CS231n code that assigns `params[name] = next_w` updates the module."""

    def __init__(self, parameters):
        self._parameters = parameters  # {name: Parameter}

    def __getitem__(self, name):
        return self._parameter(name).numpy()  # the stored array itself (.data is a view)

    def __setitem__(self, name, value):
        parameter = self._parameter(name)
        if np.shape(value) != parameter.shape:  # checked here too, so the error names the CS231n parameter
            raise ValueError(f"params: {name!r} has shape {parameter.shape} but the value given has shape "
                             f"{np.shape(value)}")
        parameter.copy_(value)

    def __delitem__(self, name):
        raise TypeError("params: a model's parameters cannot be deleted")

    def __iter__(self):
        return iter(self._parameters)

    def __len__(self):
        return len(self._parameters)

    def _parameter(self, name):
        if name not in self._parameters:
            raise KeyError(f"params: no parameter named {name!r}; the parameters are {list(self._parameters)}")
        return self._parameters[name]


class ModuleModel:
    """A module of models/ behind CS231n's protocol; `module` is the nn.Module itself. `parameters`
    {CS231n name: Parameter}: by default models/checkpoint.py's numbering (W1, b1, ...); a module
    whose Parameters already carry the assignment's names (CaptioningRNN's W_proj, Wx, ...) passes
    its own named_parameters()."""

    def __init__(self, module, parameters=None):
        self.module = module
        self._parameters = cs231n_parameters(module) if parameters is None else dict(parameters)

    @property
    def params(self):
        """{CS231n name: numpy array}, live: writing an entry copies into the parameter in place."""
        return ParameterArrays(self._parameters)

    @params.setter
    def params(self, values):
        """`model.params = {name: array}` loads the given arrays into the existing parameters."""
        self.params.update(values)

    @property
    def reg(self):
        return self.module.reg

    @reg.setter
    def reg(self, value):
        self.module.reg = value

    def loss(self, X, y=None):
        """Scores (N, C) in eval mode when y is None; else (loss float, {name: gradient array}) in training mode."""
        if y is None:
            self.module.eval()
            with no_grad():
                return self.module(X).numpy()
        self.module.train()
        self.module.zero_grad()
        loss = self.module.loss(X, y)
        loss.backward()
        return loss.item(), {name: parameter.grad for name, parameter in self._parameters.items()}

    def save(self, fname):
        """Write params to `fname` (.npz, np.savez's format; one array per name): save_arrays."""
        save_arrays(fname, dict(self.params))

    def load(self, fname):
        """Load params saved by `save` (fname with or without .npz); False, with a message, if there is none."""
        arrays = load_arrays(fname)
        if arrays is None:
            return False
        self.params = arrays
        return True

    def __getattr__(self, name):  # only when normal lookup fails: the module's own attributes (num_layers, ...)
        if name == "module":  # not set yet (during unpickling): do not recurse
            raise AttributeError(name)
        return getattr(self.module, name)

    def __repr__(self):
        return f"{type(self).__name__}({self.module!r})"
