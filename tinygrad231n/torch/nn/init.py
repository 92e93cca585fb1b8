"""`torch.nn.init`: fill a weight in place with PyTorch's initial values, drawn from the front's
generator (tinygrad231n/torch/random.py, reseeded by torch.manual_seed), so the numbers are numpy's
draws with PyTorch's distributions. Each function writes the tensor's data in place (copy_, so a
graph that saved the old values cannot backpropagate) and returns the tensor, as PyTorch's.

Fans as PyTorch counts them: for a weight (out, in, *kernel), fan_in = in * prod(kernel) and
fan_out = out * prod(kernel); a Linear weight (out, in) has fan_in = in.
"""
import math

import numpy as np

from tinygrad231n.errors import InputError
from tinygrad231n.torch._unsupported import unsupported
from tinygrad231n.torch.random import default_generator

__all__ = ["calculate_gain", "constant_", "kaiming_normal_", "kaiming_uniform_", "normal_", "ones_",
           "uniform_", "xavier_normal_", "xavier_uniform_", "zeros_"]

_LINEAR_GAINS = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0, "sigmoid": 1.0,
                 "tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4}


def calculate_gain(nonlinearity, param=None):
    """PyTorch's recommended gain: relu sqrt(2), tanh 5/3, leaky_relu sqrt(2 / (1 + a^2)) (a=param, default 0.01)."""
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity not in _LINEAR_GAINS:
        raise InputError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}; expected one of "
                         f"{sorted(_LINEAR_GAINS) + ['leaky_relu']}")
    return _LINEAR_GAINS[nonlinearity]


def _fans(tensor):
    if tensor.ndim < 2:
        raise InputError(f"init: fan in and fan out need a weight of at least 2 dimensions, got shape {tensor.shape}")
    receptive = int(np.prod(tensor.shape[2:]))
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fill(tensor, values):
    return tensor.copy_(values)


def uniform_(tensor, a=0.0, b=1.0):
    """Draws from U(a, b)."""
    return _fill(tensor, default_generator().uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0):
    """Draws from N(mean, std^2)."""
    return _fill(tensor, default_generator().normal(mean, std, tensor.shape))


def constant_(tensor, val):
    return _fill(tensor, val)


def zeros_(tensor):
    return _fill(tensor, 0)


def ones_(tensor):
    return _fill(tensor, 1)


def _kaiming_std(tensor, a, mode, nonlinearity):
    if mode not in ("fan_in", "fan_out"):
        raise InputError(f"kaiming init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """He init, uniform: U(-b, b) with b = gain * sqrt(3 / fan).

    Defaults as PyTorch's: fan_in, leaky_relu with a=0, so gain sqrt(2)."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """He init, normal: N(0, std^2) with std = gain / sqrt(fan) (defaults as kaiming_uniform_)."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity))


def xavier_uniform_(tensor, gain=1.0):
    """Glorot init, uniform: U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain=1.0):
    """Glorot init, normal: std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


__getattr__ = unsupported(__name__)
