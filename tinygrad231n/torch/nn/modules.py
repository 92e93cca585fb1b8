"""PyTorch's layers on the engine's Module (tinygrad231n.nn.Module IS torch.nn.Module here).

Where the engine's layer already has PyTorch's layout it is reused, defaulting to float32 and the
front's generator (`_front_defaults`). Where they differ, the front's layer says how:
  Linear       weight (out, in) as PyTorch (the engine's is (in, out)); x @ weight.T + bias.
  Linear, Conv2d  PyTorch's init: weight kaiming_uniform_(a=sqrt(5)), i.e. U(+-1/sqrt(fan_in)),
               bias U(+-1/sqrt(fan_in)) (the engine's is He normal and zero bias).
  BatchNorm    PyTorch's momentum (the share of the NEW batch statistic, default 0.1; the engine's
               is 1 - it), running_var updated with the unbiased batch variance, and the buffer
               num_batches_tracked, as PyTorch.
"""
import math

import numpy as np

import tinygrad231n.nn as _nn
import tinygrad231n.nn.functional as _F
from tinygrad231n.errors import InputError
from tinygrad231n.nn.module import Module, ModuleList, Parameter  # noqa: F401 (ModuleList: the engine's)
from tinygrad231n.tensor import as_tensor
from tinygrad231n.torch import random as _random
from tinygrad231n.torch.nn import functional as F
from tinygrad231n.torch.nn import init

Flatten = _nn.Flatten


def _front_defaults(engine_class, dtype=True):
    """A subclass of the engine's layer whose weights default to float32 and the front's generator."""
    def __init__(self, *args, **kwargs):
        if dtype:
            kwargs.setdefault("dtype", np.float32)
        engine_class.__init__(self, *args, rng=_random.default_generator(), **kwargs)
    return type(engine_class.__name__, (engine_class,), {"__init__": __init__, "__doc__": engine_class.__doc__,
                                                          "__module__": __name__})


Embedding = _front_defaults(_nn.Embedding)  # weight N(0, 1), as PyTorch's
RNN = _front_defaults(_nn.RNN)  # weights U(+-1/sqrt(hidden_size)), as PyTorch's
LSTM = _front_defaults(_nn.LSTM)
Dropout = _front_defaults(_nn.Dropout, dtype=False)  # masks from the front's generator


class ReLU(_nn.ReLU):
    """max(x, 0); `inplace` is accepted and changes nothing (the result is the same)."""

    def __init__(self, inplace=False):
        super().__init__()


class LayerNorm(_nn.LayerNorm):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, dtype=np.float32):
        if not elementwise_affine:
            raise InputError("LayerNorm: elementwise_affine=False is not supported (weight 1 and bias 0 "
                             "with requires_grad_(False) do the same)")
        super().__init__(normalized_shape, eps=eps, dtype=dtype)


def _reset_uniform(weight, bias, fan_in):
    """PyTorch's Linear/Conv init: weight kaiming_uniform_(a=sqrt(5)), bias U(+-1/sqrt(fan_in))."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        init.uniform_(bias, -bound, bound)


class Linear(Module):
    """x @ weight.T + bias: x (..., in_features) -> (..., out_features), weight (out_features, in_features)."""

    def __init__(self, in_features, out_features, bias=True, dtype=np.float32):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.zeros((out_features, in_features), dtype=dtype))
        self.bias = Parameter(np.zeros(out_features, dtype=dtype)) if bias else None
        _reset_uniform(self.weight, self.bias, in_features)

    def forward(self, x):
        x = as_tensor(x)
        if x.ndim < 1 or x.shape[-1] != self.in_features:
            raise InputError(f"{self!r}: input has shape {tuple(x.shape)}, expected (N, {self.in_features})")
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Conv2d(_nn.Conv2d):
    """The engine's Conv2d (weight (out, in, kh, kw)) with PyTorch's init and float32 default. Windows
    that do not tile the padded input drop the remainder, as PyTorch's (F.conv2d)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True, dtype=np.float32):
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, padding=padding, bias=bias,
                         weight_scale=0.0, dtype=dtype, rng=0)  # zeros; PyTorch's values follow
        _reset_uniform(self.weight, self.bias, int(np.prod(self.weight.shape[1:])))

    def forward(self, x):
        x = as_tensor(x)
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"{self!r}: input has shape {x.shape}, expected images (N, {self.in_channels}, H, W)")
        return F.conv2d(x, self.weight, self.bias, stride=self.stride, padding=self.padding)


class MaxPool2d(_nn.MaxPool2d):
    """The engine's MaxPool2d(kernel_size, stride=None); rows and columns no window reaches are dropped,
    as PyTorch's (F.max_pool2d)."""

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride)


class AvgPool2d(_nn.AvgPool2d):
    """The engine's AvgPool2d(kernel_size, stride=None); the remainder dropped as PyTorch's (F.avg_pool2d)."""

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride)


class _BatchNorm:
    """PyTorch's BatchNorm on the engine's: `momentum` is PyTorch's (weight of the new statistic) and
    running_var takes the unbiased batch variance. Mixed in before the engine's class."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 dtype=np.float32):
        name = type(self).__name__
        if momentum is None or not affine or not track_running_stats:
            raise InputError(f"{name}: momentum=None, affine=False and track_running_stats=False are not supported")
        if not 0 <= momentum <= 1:
            raise InputError(f"{name}: momentum (PyTorch's: the weight of the new batch statistic) must be in "
                             f"[0, 1], got {momentum}")
        super().__init__(num_features, eps=eps, momentum=1.0 - momentum, dtype=dtype)
        self.momentum = momentum
        self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))  # in PyTorch's state_dict

    def forward(self, x):
        return self._with_torch_statistics(as_tensor(x), super().forward)

    def _with_torch_statistics(self, x, engine_forward):
        """engine_forward(x) with the engine's momentum in place of PyTorch's, then PyTorch's running_var
        (unbiased) and num_batches_tracked."""
        torch_momentum = self.momentum
        kept = 1.0 - torch_momentum
        old_var = self.running_var.copy()
        self.momentum = kept  # the engine's forward reads its own convention
        try:
            out = engine_forward(x)
        finally:
            self.momentum = torch_momentum
        if self.training:
            self.num_batches_tracked += 1
            # The engine added (1 - kept) * biased variance; PyTorch adds the unbiased one, n/(n-1) times it.
            count = x.numel() // self.num_features
            if count > 1:
                self.running_var += (self.running_var - kept * old_var) * (1.0 / (count - 1))
        return out


class BatchNorm1d(_BatchNorm, _nn.BatchNorm1d):
    """Batch norm of x (N, num_features)."""


class BatchNorm2d(_BatchNorm, _nn.BatchNorm2d):
    """Batch norm of images x (N, num_features, H, W), per channel."""

    def pool_relu(self, x):
        """relu(max_pool2d(self(x), 2)) as the engine's one fused op (ops/norm_pool_relu.py), with the
        same numbers and running statistics; what Sequential runs for [BatchNorm2d, MaxPool2d(2), ReLU]."""
        return self._with_torch_statistics(as_tensor(x), self._engine_pool_relu)

    def _engine_pool_relu(self, x):
        if x.ndim != 4 or x.shape[1] != self.num_features:
            raise ValueError(f"{self!r}: input has shape {x.shape}, expected images (N, {self.num_features}, H, W)")
        return _F.batch_norm_pool_relu(x, self.weight, self.bias, self.running_mean, self.running_var,
                                       training=self.training, momentum=self.momentum, eps=self.eps)


class Sequential(_nn.Sequential):
    """PyTorch's nn.Sequential. Where BatchNorm2d is followed by MaxPool2d(2) and ReLU, in either
    order (relu and max commute), the three run as the engine's fused op (BatchNorm2d.pool_relu): a
    student's conv-bn-pool-relu blocks take the fast path of models.convnet.ConvNet. The layers, their
    parameters and the state_dict are the ones given."""

    def forward(self, x):
        layers = list(self._modules.values())
        i = 0
        while i < len(layers):
            if _fusable(layers[i:i + 3], np.shape(x)):
                x = layers[i].pool_relu(x)
                i += 3
            else:
                x = layers[i](x)
                i += 1
        return x


def _fusable(layers, shape):
    """[BatchNorm2d, MaxPool2d(2, stride 2), ReLU] or [BatchNorm2d, ReLU, MaxPool2d(2, stride 2)] (the
    fused op takes even heights and widths: Sequential checks the input's)."""
    if len(layers) != 3 or not isinstance(layers[0], BatchNorm2d) or len(shape) != 4 or shape[2] % 2 or shape[3] % 2:
        return False
    pools = [m for m in layers[1:] if isinstance(m, _nn.MaxPool2d) and m.kernel_size in (2, (2, 2))
             and m.stride in (None, 2, (2, 2))]
    return len(pools) == 1 and any(isinstance(m, _nn.ReLU) for m in layers[1:])
