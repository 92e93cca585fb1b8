"""`torch.nn` of the front: `import tinygrad231n.torch.nn as nn`. The Module is the engine's
(registration, parameters(), named_parameters(), train/eval, zero_grad, state_dict, apply, ...);
the layers are PyTorch's names, layouts and inits over the engine's ops (modules.py).
`nn.functional` and `nn.init` are submodules, as in PyTorch.
"""
from tinygrad231n.nn.module import Module, Parameter
from tinygrad231n.torch._unsupported import unsupported
from tinygrad231n.torch.nn import functional, init
from tinygrad231n.torch.nn.modules import (LSTM, RNN, AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout,
                                           Embedding, Flatten, LayerNorm, Linear, MaxPool2d, ModuleList, ReLU,
                                           Sequential)

__all__ = ["AvgPool2d", "BatchNorm1d", "BatchNorm2d", "Conv2d", "Dropout", "Embedding", "Flatten", "LSTM",
           "LayerNorm", "Linear", "MaxPool2d", "Module", "ModuleList", "Parameter", "RNN", "ReLU", "Sequential",
           "functional", "init"]

__getattr__ = unsupported(__name__)
