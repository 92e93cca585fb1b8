"""Embedding: a table of word vectors looked up by index, as PyTorch's nn.Embedding."""
import numpy as np

from .. import ops
from ..checks import as_indices
from ..errors import InputError
from . import functional as F
from .module import Module, Parameter
from .random import generator


class Embedding(Module):
    """weight[indices]: indices of any shape S (integers 0..num_embeddings-1) -> (*S, embedding_dim).

    weight (num_embeddings, embedding_dim) starts as N(0, 1) draws, as PyTorch's. `padding_idx`
    (negative counts from the end, as in PyTorch) names a row that starts at zeros and never gets a
    gradient, so a caption's <NULL> padding stays what it is while the other words learn; its
    output is still whatever that row holds. `rng` is a numpy Generator or a seed (None: fresh
    entropy); `dtype` is float64 or float32.
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, dtype=np.float64, rng=None):
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise InputError(f"Embedding: padding_idx {padding_idx} is out of range for {num_embeddings} rows "
                                 f"(expected {-num_embeddings}..{num_embeddings - 1})")
            padding_idx %= num_embeddings
        self.num_embeddings, self.embedding_dim, self.padding_idx = num_embeddings, embedding_dim, padding_idx
        weight = generator(rng).standard_normal((num_embeddings, embedding_dim))
        if padding_idx is not None:
            weight[padding_idx] = 0
        self.weight = Parameter(weight, dtype=dtype)

    def forward(self, indices):
        out = F.embedding(indices, self.weight)
        if self.padding_idx is None:
            return out
        padding = as_indices("embedding", getattr(indices, "data", indices)) == self.padding_idx
        if not padding.any():
            return out
        # The padding positions show the row's values as a constant: no gradient flows back to it.
        return ops.Where.apply(padding[..., None], self.weight.data[self.padding_idx], out)

    def extra_repr(self):
        padding = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"
