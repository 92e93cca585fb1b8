#!/usr/bin/env python3
"""Write tests/data/torch_transformer_fixtures.npz: what PyTorch computes for 2024 assignment 3's
transformer modules on fixed inputs, so tests/test_cs231n_transformer.py can hold
tinygrad231n.cs231n's front versions to it where torch is not installed.

    .venv/bin/python scripts/make_torch_transformer_fixtures.py   # needs torch; run once, commit the npz

The starter's modules (MultiHeadAttention, PositionalEncoding, TransformerDecoderLayer,
TransformerDecoder, CaptioningTransformer) are written out here in torch with the assignment's
semantics, float64, in eval mode (the notebook's own expected values were taken in training mode,
so they hold PyTorch's dropout draws, which no other generator reproduces).

- `scores`: the notebook's scores cell, every parameter filled as it fills them (p.data =
  linspace(-1.4, 1.3, p.numel()), in parameters() order), its linspace features and captions.
  Those weights saturate every softmax (all steps score alike, most gradients are 0), so
- the attention outputs (`attn.self`, `attn.masked`, `attn.cross`) and the solver's loss
  (`loss`) with the gradients of a few parameters (`grad.<name>`) use smooth weights instead:
  sin(0.37 * i**2 + k) for element i of the k-th parameter, over sqrt(its last dimension) for a
  matrix and times 0.3 for a vector, and sinusoidal inputs.
- `pe.output`: PositionalEncoding(6) of fixed inputs; `names` and `shapes`: parameters() order.
"""
import argparse
import copy
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "torch_transformer_fixtures.npz"
N, D, W, T, HEADS = 4, 20, 30, 3, 2                         # the notebook's scores cell
WORD_TO_IDX = {"<NULL>": 0, "cat": 2, "dog": 3}
ATTN_N, ATTN_T, ATTN_E = 1, 3, 8                            # the notebook's attention cell
ATTN_MASK = np.array([[1, 0, 1], [1, 1, 0], [0, 1, 1]], dtype=bool)
GRADIENTS = ("visual_projection.weight", "embedding.weight", "transformer.layers.0.self_attn.query.weight",
             "transformer.layers.1.linear2.bias", "transformer.layers.1.norm3.weight", "output.weight")


class PositionalEncoding(nn.Module):
    def __init__(self, embed_dim, dropout=0.1, max_len=5000):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        angle = torch.arange(max_len, dtype=torch.float64)[:, None] * 10000 ** (
            -torch.arange(0, embed_dim, 2, dtype=torch.float64) / embed_dim)
        pe = torch.zeros(1, max_len, embed_dim, dtype=torch.float64)
        pe[0, :, 0::2], pe[0, :, 1::2] = torch.sin(angle), torch.cos(angle)
        self.register_buffer("pe", pe)

    def forward(self, x):
        return self.dropout(x + self.pe[:, :x.shape[1]])


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, dropout=0.1):
        super().__init__()
        self.key, self.query = nn.Linear(embed_dim, embed_dim), nn.Linear(embed_dim, embed_dim)
        self.value, self.proj = nn.Linear(embed_dim, embed_dim), nn.Linear(embed_dim, embed_dim)
        self.attn_drop = nn.Dropout(dropout)
        self.heads = num_heads

    def forward(self, query, key, value, attn_mask=None):
        (n, s, e), t = query.shape, value.shape[1]

        def heads(x, length):
            return x.view(n, length, self.heads, e // self.heads).transpose(1, 2)

        q, k, v = heads(self.query(query), s), heads(self.key(key), t), heads(self.value(value), t)
        scores = q @ k.transpose(2, 3) / math.sqrt(e / self.heads)
        if attn_mask is not None:
            scores = scores.masked_fill(attn_mask == 0, float("-inf"))
        weights = self.attn_drop(torch.softmax(scores, dim=-1))
        return self.proj((weights @ v).transpose(1, 2).reshape(n, s, e))


class TransformerDecoderLayer(nn.Module):
    def __init__(self, input_dim, num_heads, dim_feedforward=2048, dropout=0.1):
        super().__init__()
        self.self_attn = MultiHeadAttention(input_dim, num_heads, dropout)
        self.multihead_attn = MultiHeadAttention(input_dim, num_heads, dropout)
        self.linear1 = nn.Linear(input_dim, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, input_dim)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(input_dim) for _ in range(3))
        self.dropout1, self.dropout2, self.dropout3 = (nn.Dropout(dropout) for _ in range(3))

    def forward(self, tgt, memory, tgt_mask=None):
        tgt = self.norm1(tgt + self.dropout1(self.self_attn(tgt, tgt, tgt, tgt_mask)))
        tgt = self.norm2(tgt + self.dropout2(self.multihead_attn(tgt, memory, memory)))
        return self.norm3(tgt + self.dropout3(self.linear2(self.dropout(torch.relu(self.linear1(tgt))))))


class TransformerDecoder(nn.Module):
    def __init__(self, decoder_layer, num_layers):
        super().__init__()
        self.layers = nn.ModuleList([copy.deepcopy(decoder_layer) for _ in range(num_layers)])

    def forward(self, tgt, memory, tgt_mask=None):
        for layer in self.layers:
            tgt = layer(tgt, memory, tgt_mask)
        return tgt


class CaptioningTransformer(nn.Module):
    def __init__(self, word_to_idx, input_dim, wordvec_dim, num_heads=4, num_layers=2, max_length=50):
        super().__init__()
        vocab_size = len(word_to_idx)
        self.visual_projection = nn.Linear(input_dim, wordvec_dim)
        self.embedding = nn.Embedding(vocab_size, wordvec_dim, padding_idx=word_to_idx["<NULL>"])
        self.positional_encoding = PositionalEncoding(wordvec_dim, max_len=max_length)
        self.transformer = TransformerDecoder(TransformerDecoderLayer(wordvec_dim, num_heads), num_layers)
        self.output = nn.Linear(wordvec_dim, vocab_size)

    def forward(self, features, captions):
        t = captions.shape[1]
        words = self.positional_encoding(self.embedding(captions))
        image = self.visual_projection(features).unsqueeze(1)
        return self.output(self.transformer(words, image, torch.ones(t, t).tril()))


def fill_linspace(module):
    """The notebook's fill: each parameter linspace(-1.4, 1.3) over its elements, float64."""
    for p in module.parameters():
        p.data = torch.tensor(np.linspace(-1.4, 1.3, num=p.numel()).reshape(*p.shape))


def fill_smooth(module):
    """Weights that keep the softmaxes unsaturated: sin(0.37 * i**2 + k) for element i of parameter k
    (a quadratic phase: a linear one would make every matrix rank 2), times 1 / sqrt(its last
    dimension) for a matrix and 0.3 for a vector."""
    for k, p in enumerate(module.parameters()):
        scale = 1 / math.sqrt(p.shape[-1]) if p.dim() == 2 else 0.3
        p.data = torch.tensor(scale * np.sin(0.37 * np.arange(p.numel(), dtype=np.float64) ** 2 + k).reshape(*p.shape))


def smooth(shape, phase):
    return torch.tensor(np.cos(0.7 * np.arange(int(np.prod(shape)), dtype=np.float64) ** 2 + phase).reshape(shape))


def linspace(shape, low, high):
    return torch.tensor(np.linspace(low, high, num=int(np.prod(shape))).reshape(shape))


def attention_arrays():
    attn = MultiHeadAttention(ATTN_E, num_heads=HEADS)
    fill_smooth(attn)
    attn.eval()
    data, other = smooth((ATTN_N, ATTN_T, ATTN_E), 0.0), smooth((ATTN_N, ATTN_T, ATTN_E), 1.0)
    mask = torch.from_numpy(ATTN_MASK)
    return {"attn.data": data.numpy(), "attn.other": other.numpy(), "attn.mask": ATTN_MASK,
            "attn.self": attn(data, data, data).detach().numpy(),
            "attn.masked": attn(data, data, data, attn_mask=mask).detach().numpy(),
            "attn.cross": attn(data, other, other).detach().numpy()}


def positional_arrays():
    encoder = PositionalEncoding(6).eval()
    data = linspace((1, 2, 6), -1.2, 1.7)
    return {"pe.data": data.numpy(), "pe.output": encoder(data).numpy()}


def notebook_model():
    return CaptioningTransformer(WORD_TO_IDX, input_dim=D, wordvec_dim=W, num_heads=HEADS, num_layers=2,
                                 max_length=30).eval()


def captioning_arrays():
    model = notebook_model()
    fill_linspace(model)
    features = linspace((N, D), -1.5, 0.3)
    captions = torch.tensor((np.arange(N * T) % len(WORD_TO_IDX)).reshape(N, T))
    scores = model(features, captions)
    named = dict(model.named_parameters())
    return {"names": np.array(list(named)), "shapes": np.array([list(p.shape) + [0] * (2 - p.dim())
                                                                for p in named.values()]),
            "features": features.numpy(), "captions": captions.numpy(), "scores": scores.detach().numpy()}


def loss_arrays():
    """The solver's loss: targets (some <NULL>), mask where the target is not <NULL>, mean over N * T."""
    model = notebook_model()
    fill_smooth(model)
    features = smooth((N, D), 2.0)
    captions = torch.tensor((np.arange(N * T) * 5 % len(WORD_TO_IDX)).reshape(N, T))
    targets = torch.tensor((np.arange(N * T) * 7 % len(WORD_TO_IDX)).reshape(N, T))
    scores = model(features, captions)
    losses = nn.functional.cross_entropy(scores.reshape(N * T, -1), targets.reshape(N * T), reduction="none")
    loss = torch.mean(losses * (targets != WORD_TO_IDX["<NULL>"]).long().reshape(N * T))
    loss.backward()
    named = dict(model.named_parameters())
    return {"loss.features": features.numpy(), "loss.captions": captions.numpy(), "loss.targets": targets.numpy(),
            "loss.scores": scores.detach().numpy(), "loss": loss.detach().numpy(),
            **{f"grad.{name}": named[name].grad.numpy() for name in GRADIENTS}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    arrays = {**attention_arrays(), **positional_arrays(), **captioning_arrays(), **loss_arrays(),
              "torch_version": np.array(torch.__version__)}
    np.savez_compressed(args.out, **arrays)
    print(f"wrote {len(arrays)} arrays ({args.out.stat().st_size} bytes) to {args.out} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
