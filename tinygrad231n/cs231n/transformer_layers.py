"""CS231n's `cs231n.transformer_layers` (2024, assignment 3), on the PyTorch-flavoured front:

    from tinygrad231n.cs231n.transformer_layers import *
    attn = MultiHeadAttention(embed_dim=8, num_heads=2)
    out = attn(query=x, key=x, value=x, attn_mask=torch.ones(T, T).tril())   # x (N, T, 8) -> (N, T, 8)
    out = PositionalEncoding(embed_dim=8)(x)                                   # x + pe[:T], then dropout

The computation is the engine's (tinygrad231n/nn/attention.py, checked there against torch); these
classes give it the starter's construction: PyTorch's nn.Linear (weight (out, in), PyTorch's init),
float32, and dropout masks and weights drawn from the front's generator (torch.manual_seed). So
`attn.parameters()` lists key, query, value and proj, weight then bias, in the starter's order and
shapes, which is what the notebook's checks fill. attn_mask (S, T) is the starter's: nonzero or True
where query i may attend key j. A query row that may attend nothing gets output proj's bias (the
starter's masked_fill with -inf gives NaN there).
"""
import math

import numpy as np

import tinygrad231n.torch as torch
import tinygrad231n.torch.nn as nn
from tinygrad231n.nn import attention
from tinygrad231n.torch.nn import functional as F
from tinygrad231n.torch.random import default_generator

# The starter has no __all__, so its star import also hands over the modules it imports: the
# notebook's cells call torch.manual_seed and torch.randn without importing torch themselves.
__all__ = ["MultiHeadAttention", "PositionalEncoding", "torch", "nn", "F", "math"]


class MultiHeadAttention(attention.MultiHeadAttention):
    """forward(query (N, S, E), key (N, T, E), value (N, T, E), attn_mask (S, T) or None) -> (N, S, E).
    Heads: num_heads of E / num_heads features; scores scaled by 1 / sqrt(E / num_heads); dropout
    (training mode only) on the attention weights. Also the starter's n_head, emd_dim, head_dim."""

    def __init__(self, embed_dim, num_heads, dropout=0.1):
        super().__init__(embed_dim, num_heads, dropout, dtype=np.float32, rng=default_generator())
        # PyTorch's layers in place of the engine's (in, out) ones. Reassigning registers a child anew,
        # at the end, so attn_drop goes after them again: the starter's order (printing, state_dict).
        for name in ("key", "query", "value", "proj"):
            setattr(self, name, nn.Linear(embed_dim, embed_dim))
        self.attn_drop = self.attn_drop  # registered anew, so last
        self.n_head, self.emd_dim = num_heads, embed_dim  # the starter's names (head_dim is the engine's too)


class PositionalEncoding(attention.PositionalEncoding):
    """forward(x (N, S, D)) -> dropout(x + pe[:, :S]) with the sinusoidal buffer pe (1, max_len, D):
    pe[i, 2k] = sin(i * 10000 ** (-2k / D)), pe[i, 2k + 1] = cos(the same). D must be even."""

    def __init__(self, embed_dim, dropout=0.1, max_len=5000):
        super().__init__(embed_dim, dropout=dropout, max_len=max_len, rng=default_generator())
