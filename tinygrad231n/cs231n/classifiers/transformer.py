"""CS231n's `cs231n.classifiers.transformer` (2024, assignment 3), on the PyTorch-flavoured front:
the captioning transformer with the starter's modules, names and parameter layout.

    model = CaptioningTransformer(data["word_to_idx"], input_dim=512, wordvec_dim=256, num_heads=2)
    scores = model(torch.from_numpy(features), torch.from_numpy(captions))   # (N, T, V)
    captions = model.sample(features, max_length=30)                          # (N, 30) int32 word indices

The decoder layer's computation is the engine's (tinygrad231n/nn/attention.py: post-norm masked
self-attention, attention over the image, feed-forward); models/captioning_transformer.py is the
same model on the engine's own layers. Here the layers are the front's, so `model.parameters()`
lists what PyTorch's would, in its order and (out, in) shapes: visual_projection, embedding,
transformer.layers.{i} (self_attn, multihead_attn, linear1, linear2, norm1-3), output. Initial
weights as the starter's _init_weights: every Linear and the embedding N(0, 0.02^2) with zero biases,
layer norms 1 and 0; the output layer, made after it, keeps nn.Linear's init. As in the starter,
the model is in training mode when made (dropout on); call model.eval() for deterministic scores.
"""
import copy

import numpy as np

import tinygrad231n.torch as torch
import tinygrad231n.torch.nn as nn
from tinygrad231n.nn import attention

from ..transformer_layers import *  # noqa: F401,F403  (the starter star-imports them)
from ..transformer_layers import __all__ as _layer_names

__all__ = [*_layer_names, "CaptioningTransformer", "TransformerDecoderLayer", "TransformerDecoder", "clones"]


class CaptioningTransformer(nn.Module):
    """word_to_idx: the vocabulary (V words, with <NULL>; <START> to sample); input_dim D of the image
    features; wordvec_dim W (a multiple of num_heads, even); max_length: the longest caption it reads."""

    def __init__(self, word_to_idx, input_dim, wordvec_dim, num_heads=4, num_layers=2, max_length=50):
        super().__init__()
        self.vocab_size = len(word_to_idx)
        self._null = word_to_idx["<NULL>"]
        self._start = word_to_idx.get("<START>", None)
        self._end = word_to_idx.get("<END>", None)
        self.visual_projection = nn.Linear(input_dim, wordvec_dim)
        self.embedding = nn.Embedding(self.vocab_size, wordvec_dim, padding_idx=self._null)
        self.positional_encoding = PositionalEncoding(wordvec_dim, max_len=max_length)  # noqa: F405
        decoder_layer = TransformerDecoderLayer(input_dim=wordvec_dim, num_heads=num_heads)
        self.transformer = TransformerDecoder(decoder_layer, num_layers=num_layers)
        self.apply(self._init_weights)
        self.output = nn.Linear(wordvec_dim, self.vocab_size)

    def _init_weights(self, module):
        """The starter's initial values, through the front's nn.init (its generator)."""
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.LayerNorm):
            nn.init.zeros_(module.bias)
            nn.init.ones_(module.weight)

    def forward(self, features, captions):
        """features (N, D), captions (N, T) word indices -> scores (N, T, V); step t sees the image and
        the words up to t only (a causal mask)."""
        n, t = captions.shape
        words = self.positional_encoding(self.embedding(captions))         # (N, T, W)
        image = self.visual_projection(features).unsqueeze(1)               # (N, 1, W): the decoder's memory
        out = self.transformer(words, image, tgt_mask=attention.causal_mask(t))
        return self.output(out)                                             # (N, T, V)

    def sample(self, features, max_length=30):
        """Greedy captions (N, max_length) int32 for features (N, D): from <START>, each step appends the
        highest-scoring next word given the words so far. As the starter: it does not stop at <END>,
        and it runs in whatever mode the model is in (call eval() first to sample without dropout)."""
        with torch.no_grad():
            features = torch.tensor(features)  # a copy, in its own dtype
            captions = np.full((features.shape[0], max_length), self._null, dtype=np.int32)
            partial = torch.full((features.shape[0], 1), self._start, dtype=torch.long)
            for t in range(max_length):
                word = torch.argmax(self.forward(features, partial)[:, -1, :], dim=1)   # (N,)
                captions[:, t] = word.numpy()
                partial = torch.cat([partial, word.unsqueeze(1)], dim=1)
        return captions


class TransformerDecoderLayer(attention.TransformerDecoderLayer):
    """forward(tgt (N, T, W), memory (N, S, W), tgt_mask (T, T) or None) -> (N, T, W), the engine's
    post-norm layer:
        tgt = norm1(tgt + dropout1(self_attn(tgt, tgt, tgt, tgt_mask)))
        tgt = norm2(tgt + dropout2(multihead_attn(tgt, memory, memory)))
        tgt = norm3(tgt + dropout3(linear2(dropout(relu(linear1(tgt))))))
    """

    def __init__(self, input_dim, num_heads, dim_feedforward=2048, dropout=0.1):
        # The engine's layer made of the front's layers, registered in the starter's order (which
        # parameters() follows); the engine's __init__ is skipped as it would build its own.
        nn.Module.__init__(self)
        self.self_attn = MultiHeadAttention(input_dim, num_heads, dropout)  # noqa: F405
        self.multihead_attn = MultiHeadAttention(input_dim, num_heads, dropout)  # noqa: F405
        self.linear1 = nn.Linear(input_dim, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, input_dim)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(input_dim) for _ in range(3))
        self.dropout1, self.dropout2, self.dropout3 = (nn.Dropout(dropout) for _ in range(3))
        self.activation = nn.ReLU()


def clones(module, N):
    """nn.ModuleList of N deep copies of `module` (own weights, equal at first), as the starter's. The
    copies' dropout draws from the front's one generator, as PyTorch's from its global one (a deepcopy
    gives that generator back itself: tinygrad231n/torch/random.py)."""
    return nn.ModuleList([copy.deepcopy(module) for _ in range(N)])


class TransformerDecoder(nn.Module):
    """num_layers copies of decoder_layer (clones), applied in turn: forward(tgt, memory, tgt_mask)."""

    def __init__(self, decoder_layer, num_layers):
        super().__init__()
        self.layers = clones(decoder_layer, num_layers)
        self.num_layers = num_layers

    def forward(self, tgt, memory, tgt_mask=None):
        for layer in self.layers:
            tgt = layer(tgt, memory, tgt_mask=tgt_mask)
        return tgt
