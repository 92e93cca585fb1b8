"""Attention as modules built from ops: CS231n's (2024, assignment 3) MultiHeadAttention,
PositionalEncoding and TransformerDecoderLayer, and the causal mask a decoder needs.

    attn = nn.MultiHeadAttention(embed_dim=8, num_heads=2)
    out = attn(x, x, x, attn_mask=nn.causal_mask(T))     # self-attention: x (N, T, 8) -> (N, T, 8)
    out = attn(x, memory, memory)                         # cross-attention over memory (N, M, 8)

Conventions are CS231n's. Sequences are batch first: query (N, S, E), key and value (N, T, E). A mask
is (S, T), True (or 1) where query position i may attend key position j and False (or 0) where it
may not, as for torch's F.scaled_dot_product_attention; a boolean mask for torch's nn.MultiheadAttention
or nn.TransformerDecoderLayer means the opposite (True: may not attend). Heads split E into H pieces of E/H: (N, S, E) -> (N, H, S, E/H), so every head's products
are one batched matmul over (N, H). A query row whose mask allows no key at all gets attention
weights of zero, so its output is the projection's bias (as torch's scaled_dot_product_attention
gives zeros there); CS231n's masked_fill with -inf would make that row NaN.

Nothing here has its own backward: projections, matmuls, softmax, masked fills, dropout, layer norm
and their gradients are the ops', on the tape.
"""
import math

import numpy as np

from ..checks import as_mask
from ..errors import InputError
from ..tensor import as_tensor
from .layers import Dropout, Linear, ReLU
from .module import Module
from .norm import LayerNorm
from .random import generator


def causal_mask(length):
    """(length, length) bool, True on and below the diagonal: step i may attend steps 0..i only."""
    return np.tril(np.ones((length, length), dtype=bool))


def scaled_dot_product_attention(q, k, v, attn_mask=None, dropout=None):
    """softmax(q @ k^T / sqrt(d), over keys) @ v for q (..., S, d), k and v (..., T, d) -> (..., S, d).

    attn_mask (S, T): True where a query may attend a key (see the module docstring; an all-False
    row gets weights 0). dropout: a module applied to the weights (nn.Dropout), or None.
    """
    q, k, v = as_tensor(q), as_tensor(k), as_tensor(v)
    scores = (q @ k.transpose(_swap_last_two(k.ndim))) * (1.0 / math.sqrt(q.shape[-1]))  # (..., S, T)
    weights = masked_softmax(scores, attn_mask)
    if dropout is not None:
        weights = dropout(weights)
    return weights @ v


def masked_softmax(scores, allowed=None):
    """softmax of scores (..., S, T) over the last axis, over the keys `allowed` (S, T) only.

    Disallowed scores become -inf before the softmax, so they get weight exactly 0 and no gradient.
    A row with no allowed key is left unmasked for the softmax (which stays finite) and its weights
    are then set to 0, so neither its output nor its gradient holds a NaN.
    """
    if allowed is None:
        return scores.softmax(axis=-1)
    allowed = as_mask("attention", getattr(allowed, "data", allowed), name="attn_mask")
    if allowed.shape != scores.shape[-2:]:
        raise InputError(f"attention: attn_mask has shape {allowed.shape}, expected {scores.shape[-2:]}: "
                         "(S, T), one row per query position and one column per key position")
    empty_rows = ~allowed.any(axis=-1, keepdims=True)  # (S, 1)
    weights = scores.masked_fill(~allowed & ~empty_rows, -np.inf).softmax(axis=-1)
    return weights.masked_fill(empty_rows, 0.0) if empty_rows.any() else weights


def _swap_last_two(ndim):
    return tuple(range(ndim - 2)) + (ndim - 1, ndim - 2)


class MultiHeadAttention(Module):
    """CS231n's multi-head attention: query, key, value and proj are Linear(E, E) layers (weights
    (in, out), with biases), num_heads heads of E/H features each, scores scaled by 1/sqrt(E/H), a
    softmax over the keys, dropout on the attention weights (training mode only), then proj.

    forward(query (N, S, E), key (N, T, E), value (N, T, E), attn_mask (S, T) or None) -> (N, S, E).
    weight_scale: std of the initial weights (None: nn.Linear's He init); dtype float64 or float32;
    rng: a Generator or seed that draws the weights (key, query, value, proj, in CS231n's order) and
    then the dropout masks.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.1, weight_scale=None, dtype=np.float64, rng=None):
        super().__init__()
        if num_heads < 1 or embed_dim % num_heads:
            raise InputError(f"MultiHeadAttention: embed_dim ({embed_dim}) must be a multiple of num_heads "
                             f"({num_heads}), so that every head gets embed_dim / num_heads features")
        rng = generator(rng)
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        for name in ("key", "query", "value", "proj"):
            setattr(self, name, Linear(embed_dim, embed_dim, weight_scale=weight_scale, dtype=dtype, rng=rng))
        self.attn_drop = Dropout(dropout, rng=rng)

    def forward(self, query, key, value, attn_mask=None):
        query, key, value = as_tensor(query), as_tensor(key), as_tensor(value)
        self._check_shapes(query.shape, key.shape, value.shape)
        n, s, e = query.shape
        q = self._split_heads(self.query(query))  # (N, H, S, E/H)
        k = self._split_heads(self.key(key))  # (N, H, T, E/H)
        v = self._split_heads(self.value(value))
        out = scaled_dot_product_attention(q, k, v, attn_mask, dropout=self.attn_drop)  # (N, H, S, E/H)
        return self.proj(out.transpose(0, 2, 1, 3).reshape(n, s, e))

    def _split_heads(self, x):
        """(N, L, E) -> (N, H, L, E/H): head h holds features h*E/H .. (h+1)*E/H - 1."""
        n, length, _ = x.shape
        return x.reshape(n, length, self.num_heads, self.head_dim).transpose(0, 2, 1, 3)

    def _check_shapes(self, query, key, value):
        e = self.embed_dim
        if len(query) != 3 or query[2] != e:
            raise InputError(f"MultiHeadAttention: query has shape {query}, expected (N, S, {e})")
        if len(key) != 3 or key != value or key[0] != query[0] or key[2] != e:
            raise InputError(f"MultiHeadAttention: key {key} and value {value} must both be (N, T, {e}) with "
                             f"N = {query[0]} as in query {query}")

    def extra_repr(self):
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.attn_drop.p}"


class PositionalEncoding(Module):
    """x (N, S, D) -> dropout(x + pe[:S]), with CS231n's sinusoidal table pe (max_len, D), D even:

        pe[i, 2k] = sin(i * 10000 ** (-2k / D)),   pe[i, 2k + 1] = cos(i * 10000 ** (-2k / D))

    kept as the buffer `pe` (1, max_len, D) in float64 and added in x's dtype. No parameters.
    """

    def __init__(self, embed_dim, dropout=0.1, max_len=5000, rng=None):
        super().__init__()
        if embed_dim % 2:
            raise InputError(f"PositionalEncoding: embed_dim must be even (sines and cosines in pairs), "
                             f"got {embed_dim}")
        position = np.arange(max_len, dtype=np.float64)[:, None]
        angle = position * 10000.0 ** (-np.arange(0, embed_dim, 2) / embed_dim)  # (max_len, D/2)
        pe = np.zeros((1, max_len, embed_dim))
        pe[0, :, 0::2], pe[0, :, 1::2] = np.sin(angle), np.cos(angle)
        self.register_buffer("pe", pe)
        self.dropout = Dropout(dropout, rng=rng)

    def forward(self, x):
        x = as_tensor(x)
        _, max_len, dim = self.pe.shape
        if x.ndim != 3 or x.shape[2] != dim or x.shape[1] > max_len:
            raise InputError(f"PositionalEncoding: x has shape {x.shape}, expected (N, S, {dim}) with S <= "
                             f"max_len = {max_len}")
        return self.dropout(x + self.pe[:, :x.shape[1]].astype(x.dtype))

    def extra_repr(self):
        return f"{self.pe.shape[2]}, max_len={self.pe.shape[1]}"


class TransformerDecoderLayer(Module):
    """CS231n's decoder layer, post-norm: each block adds its output (after dropout) to its input,
    then normalizes.

        tgt = norm1(tgt + dropout1(self_attn(tgt, tgt, tgt, tgt_mask)))      masked self-attention
        tgt = norm2(tgt + dropout2(multihead_attn(tgt, memory, memory)))     cross-attention
        tgt = norm3(tgt + dropout3(linear2(dropout(relu(linear1(tgt))))))    feed-forward

    forward(tgt (N, T, D), memory (N, M, D), tgt_mask (T, T) or None) -> (N, T, D), D = input_dim.
    weight_scale, dtype and rng as in MultiHeadAttention (for every Linear here).
    """

    def __init__(self, input_dim, num_heads, dim_feedforward=2048, dropout=0.1, weight_scale=None,
                 dtype=np.float64, rng=None):
        super().__init__()
        rng = generator(rng)
        linear = dict(weight_scale=weight_scale, dtype=dtype, rng=rng)
        self.self_attn = MultiHeadAttention(input_dim, num_heads, dropout, **linear)
        self.multihead_attn = MultiHeadAttention(input_dim, num_heads, dropout, **linear)
        self.linear1 = Linear(input_dim, dim_feedforward, **linear)
        self.dropout = Dropout(dropout, rng=rng)
        self.linear2 = Linear(dim_feedforward, input_dim, **linear)
        for i in (1, 2, 3):
            setattr(self, f"norm{i}", LayerNorm(input_dim, dtype=dtype))
            setattr(self, f"dropout{i}", Dropout(dropout, rng=rng))
        self.activation = ReLU()

    def forward(self, tgt, memory, tgt_mask=None):
        tgt, memory = as_tensor(tgt), as_tensor(memory)
        tgt = self.norm1(tgt + self.dropout1(self.self_attn(tgt, tgt, tgt, attn_mask=tgt_mask)))
        tgt = self.norm2(tgt + self.dropout2(self.multihead_attn(tgt, memory, memory)))
        hidden = self.dropout(self.activation(self.linear1(tgt)))
        feedforward = self.linear2(hidden)
        return self.norm3(tgt + self.dropout3(feedforward))
