"""Every differentiable op, each a `Function` with its forward and backward side by side."""
from .batchnorm import BatchNorm
from .binary import Add, Div, Mul, Pow, Sub
from .conv import Conv2d
from .cross_entropy import CrossEntropy
from .dropout import Dropout
from .log_softmax import LogSoftmax
from .matmul import Matmul
from .movement import Index, Reshape, Transpose
from .multiclass_hinge import MulticlassHinge
from .norm import GroupNorm, LayerNorm, SpatialBatchNorm
from .pool import AvgPool2d, MaxPool2d
from .reduce import Max, Mean, Sum, SumOfSquares
from .unary import Exp, Log, Neg, Relu, Sigmoid, Tanh

__all__ = [
    "Add", "Sub", "Mul", "Div", "Pow", "Neg", "Exp", "Log", "Relu", "Sigmoid", "Tanh",
    "Sum", "Mean", "Max", "SumOfSquares", "Reshape", "Transpose", "Index", "Matmul",
    "LogSoftmax", "CrossEntropy", "MulticlassHinge", "Dropout", "BatchNorm",
    "Conv2d", "MaxPool2d", "AvgPool2d", "SpatialBatchNorm", "LayerNorm", "GroupNorm",
]
