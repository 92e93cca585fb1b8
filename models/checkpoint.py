"""CS231n's names for a net's weights, which checkpoints use and the cs231n adapter shows as `params`.

Layers are numbered in the order they run: the i-th layer with weights (Linear or Conv2d) holds
W{i} and b{i}; a normalization layer after it holds gamma{i} and beta{i}, and batch norm's running
averages are running_mean{i} and running_var{i}. So the two-layer net is W1 b1 W2 b2, and
FullyConnectedNet([512, 256], normalization="batchnorm") is W1 b1 gamma1 beta1 W2 ... W3 b3,
whatever the attributes that hold the layers are called. A parameter a model holds under a name
other than weight or bias already has its CS231n name and keeps it (an LSTM's Wx, Wh, b).
"""
import numpy as np

from tinygrad231n import nn

# Normalization layers: their weight and bias are CS231n's gamma and beta.
NORM_LAYERS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm, nn.GroupNorm)


def _numbered_layers(module):
    """(index, is_norm, layer, {own parameter name: Parameter}) for each layer with parameters, in run order."""
    index = 0
    for _, layer in module.named_modules():
        own = dict(layer.named_parameters(recurse=False))
        is_norm = isinstance(layer, NORM_LAYERS)
        if "weight" in own and not is_norm:
            index += 1
        if own:
            yield index, is_norm, layer, own


def cs231n_parameters(module):
    """{CS231n name: Parameter} of every layer below `module`, in the order the layers run."""
    names = {}
    for index, is_norm, _, own in _numbered_layers(module):
        for own_name, parameter in own.items():
            if own_name not in ("weight", "bias"):
                names[own_name] = parameter
            elif is_norm:
                names[f"{'gamma' if own_name == 'weight' else 'beta'}{index}"] = parameter
            else:
                names[f"{'W' if own_name == 'weight' else 'b'}{index}"] = parameter
    return names


def checkpoint_arrays(module):
    """Copies of the weights under CS231n's names, plus a norm layer's buffers: running_mean{i}, running_var{i}.

    To classify a row x (D,) of a fully connected net with plain numpy:
        h = x @ W1 + b1
        h = gamma1 * (h - running_mean1) / sqrt(running_var1 + 1e-5) + beta1   # batch norm only
        h = max(h, 0)                  # dropout is the identity at test time; repeat per layer
        scores = h @ WL + bL
    """
    arrays = {name: np.array(parameter.data, copy=True) for name, parameter in cs231n_parameters(module).items()}
    for index, is_norm, layer, _ in _numbered_layers(module):
        if is_norm:
            arrays.update((f"{name}{index}", np.array(array, copy=True))
                          for name, array in layer.named_buffers(recurse=False))
    return arrays


def label_like_cs231n(module):
    """Name each parameter W1, b1, gamma1, ... so graph diagrams label weights as the assignment does."""
    for name, parameter in cs231n_parameters(module).items():
        parameter.name = name
