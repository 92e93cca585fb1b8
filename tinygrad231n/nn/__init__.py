"""Neural-network building blocks: modules with parameters, layers, and the functional API (F).

    from tinygrad231n import nn
    import tinygrad231n.nn.functional as F

    model = nn.Sequential(nn.Linear(3072, 100), nn.BatchNorm1d(100), nn.ReLU(), nn.Dropout(0.1),
                          nn.Linear(100, 10))
    loss = F.cross_entropy(model(X), y)
"""
from . import functional
from .attention import MultiHeadAttention, PositionalEncoding, TransformerDecoderLayer, causal_mask
from .augment import RandomFlipCrop
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm2dPoolReLU
from .conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
from .embedding import Embedding
from .layers import Dropout, Linear, ReLU
from .module import Module, ModuleList, Parameter, Sequential
from .norm import GroupNorm, LayerNorm
from .rnn import LSTM, RNN
from .whitening import PatchWhitening

__all__ = ["functional", "Module", "ModuleList", "Parameter", "Sequential", "Linear", "ReLU", "Dropout", "BatchNorm1d",
           "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "BatchNorm2d", "BatchNorm2dPoolReLU", "LayerNorm",
           "GroupNorm",
           "RandomFlipCrop", "MultiHeadAttention", "PositionalEncoding", "TransformerDecoderLayer", "causal_mask",
           "Embedding", "RNN", "LSTM", "PatchWhitening"]
