"""CS231n's captioning transformer (2024, assignment 3) as an nn.Module: a transformer decoder that
writes a caption for an image from its feature vector.

    model = CaptioningTransformer(data["word_to_idx"], input_dim=512, wordvec_dim=256, seed=0)
    loss = model.loss(features, captions)       # scalar Tensor: loss.backward() fills each .grad
    captions = model.sample(features)           # (N, 30) word indices, greedy, in eval mode

The image's features (N, D) are projected to one vector of W (the decoder's "memory", of length 1);
the caption's words are looked up in an embedding table (V, W), get the sinusoidal positional
encoding, and go through num_layers decoder layers (masked self-attention over the words so far,
attention over the image, feed-forward: nn.TransformerDecoderLayer); a last Linear gives scores
over the V words at every step.

Initial weights as CS231n's: every Linear but the last and the embedding are normal with std
0.02, biases 0, layer norms 1 and 0; the output layer's weights keep PyTorch's default scale
(uniform in +-1/sqrt(W), std 1/sqrt(3W); drawn normal here with that std, and its bias starts at 0).

The loss is CS231n's temporal softmax loss (F.temporal_cross_entropy): summed over the steps whose
target is not <NULL>, averaged over the N captions, as the captioning RNN's. CS231n's transformer
solver averages over all N*T steps instead, so its figures are ours divided by T.

Declared at the bottom as `captioning_transformer` (group `captioning`, trained on COCO by the
shared recipe in models/captioning.py with the notebook's settings: models/kept/captioning_transformer.json).
"""
import math

import numpy as np

import tinygrad231n.nn.functional as F
from models.captioning import CAPTIONING_SETTINGS, captioning_recipe
from models.fitting import SampledCaptions, TrainingCurves
from models.registry import Kept, ModelSpec, register
from models.settings import DTYPE, SEED, Integer, Number
from tinygrad231n import Tensor, nn, no_grad
from tinygrad231n.errors import InputError
from tinygrad231n.nn.random import generator

INIT_STD = 0.02  # CS231n's _init_weights


class CaptioningTransformer(nn.Module):
    """word_to_idx: the vocabulary, V words including <NULL> (padding) and <START>; input_dim D:
    the image features' size; wordvec_dim W (a multiple of num_heads, and even); max_length: the
    longest caption (input steps) the positional encoding covers. dim_feedforward and dropout are
    the decoder layers' (CS231n's: 2048 and 0.1). dtype float32 or float64; seed fixes the initial
    weights and the dropout masks (or a generator to draw them from).
    """

    def __init__(self, word_to_idx, input_dim=512, wordvec_dim=256, num_heads=4, num_layers=2, max_length=50,
                 dim_feedforward=2048, dropout=0.1, dtype=np.float32, seed=None):
        super().__init__()
        for token in ("<NULL>", "<START>"):
            if token not in word_to_idx:
                raise InputError(f"CaptioningTransformer: word_to_idx has no {token} token; the vocabulary must "
                                 "hold <NULL> (padding) and <START> (each caption's first word)")
        rng = generator(seed)
        vocab_size = len(word_to_idx)
        self._null, self._start = word_to_idx["<NULL>"], word_to_idx["<START>"]
        self.input_dim, self.max_length, self.dtype = input_dim, max_length, np.dtype(dtype)
        small = dict(weight_scale=INIT_STD, dtype=dtype, rng=rng)
        self.visual_projection = nn.Linear(input_dim, wordvec_dim, **small)
        self.embedding = nn.Parameter(INIT_STD * rng.standard_normal((vocab_size, wordvec_dim)), dtype=dtype)
        self.positional_encoding = nn.PositionalEncoding(wordvec_dim, dropout=dropout, max_len=max_length, rng=rng)
        # Held as a list of layers: each takes (tgt, memory, mask), so forward calls them in turn
        # (Sequential's own forward passes one input).
        self.transformer = nn.Sequential(*(nn.TransformerDecoderLayer(wordvec_dim, num_heads, dim_feedforward,
                                                                      dropout, **small) for _ in range(num_layers)))
        self.output = nn.Linear(wordvec_dim, vocab_size, weight_scale=1 / math.sqrt(3 * wordvec_dim),
                                dtype=dtype, rng=rng)

    def forward(self, features, captions):
        """features (N, D), captions (N, T) word indices -> scores (N, T, V); the scores at step t
        see only the words up to t (a causal mask) and the image."""
        features, captions = self._check_inputs(features, captions)
        n, t = captions.shape
        words = self.positional_encoding(F.embedding(captions, self.embedding))          # (N, T, W)
        memory = self.visual_projection(features).reshape(n, 1, -1)                       # (N, 1, W)
        mask = nn.causal_mask(t)
        for layer in self.transformer:
            words = layer(words, memory, tgt_mask=mask)
        return self.output(words)                                          # (N, T, V)

    def loss(self, features, captions):
        """features (N, D), captions (N, T + 1) from <START> -> the scalar loss of predicting
        captions[:, 1:] from captions[:, :-1]; steps whose target is <NULL> do not count."""
        captions = np.asarray(captions)
        if captions.ndim != 2 or captions.shape[1] < 2:
            raise InputError(f"CaptioningTransformer.loss: captions must be (N, T + 1) word indices with T >= 1, "
                             f"got shape {captions.shape}")
        captions_in, captions_out = captions[:, :-1], captions[:, 1:]
        return F.temporal_cross_entropy(self(features, captions_in), captions_out, captions_out != self._null)

    def sample(self, features, max_length=30):
        """Greedy captions (N, max_length) int64 for features (N, D), in eval mode (no dropout; the
        mode is restored after): starting from <START>, each step runs the decoder on the words so
        far and appends the highest-scoring next word. As CS231n's, it does not stop at <END>."""
        if not 1 <= max_length <= self.max_length:
            raise InputError(f"CaptioningTransformer.sample: max_length must be in 1..{self.max_length} (the "
                             f"positional encoding's length), got {max_length}")
        training = self.training
        self.eval()
        try:
            with no_grad():
                features = self._features(features)
                words = np.full((features.shape[0], 1), self._start, dtype=np.int64)
                for _ in range(max_length):
                    scores = self(features, words).data[:, -1]                             # (N, V)
                    words = np.concatenate([words, scores.argmax(axis=1)[:, None]], axis=1)
        finally:
            self.train(training)
        return words[:, 1:]

    def _features(self, features):
        """(N, D) features as a constant Tensor of the model's dtype."""
        array = features.data if isinstance(features, Tensor) else np.asarray(features)
        if array.ndim != 2 or array.shape[1] != self.input_dim:
            raise InputError(f"CaptioningTransformer: features must be (N, {self.input_dim}), got shape "
                             f"{array.shape}")
        return Tensor(array.astype(self.dtype, copy=False), name="features")

    def _check_inputs(self, features, captions):
        features, captions = self._features(features), np.asarray(getattr(captions, "data", captions))
        if captions.ndim != 2 or captions.shape[0] != features.shape[0]:
            raise InputError(f"CaptioningTransformer: captions must be (N, T) word indices with N = "
                             f"{features.shape[0]} as in features, got shape {captions.shape}")
        if captions.shape[1] > self.max_length:
            raise InputError(f"CaptioningTransformer: captions have {captions.shape[1]} steps, more than "
                             f"max_length = {self.max_length}")
        return features, captions


# ---- its declaration ----------------------------------------------------------------------------
register(ModelSpec(
    name="captioning_transformer", title="Image captioning, transformer (CS231n CaptioningTransformer)", order=130,
    groups=("captioning",), data="coco", fit=captioning_recipe(CaptioningTransformer),
    settings={"wordvec_dim": Integer(2), "num_heads": Integer(1), "num_layers": Integer(1), "max_length": Integer(1),
              "dim_feedforward": Integer(1), "dropout": Number(low=0, high=0.99), "dtype": DTYPE,
              **CAPTIONING_SETTINGS, "seed": SEED},
    kept=Kept.load("captioning_transformer"),
    quick={"num_epochs": 1, "max_train": 50, "batch_size": 25, "wordvec_dim": 8, "num_heads": 2, "num_layers": 1,
           "dim_feedforward": 16},
    checkpoint="visual_projection.weight (D, W) .bias, embedding (V, W), per layer i transformer.{i}.self_attn and "
               ".multihead_attn (each query, key, value, proj: .weight (W, W) .bias), .linear1 (W, F) .linear2 (F, W), "
               ".norm1-3 (W,); output.weight (W, V) .bias; idx_to_word (V,), the vocabulary",
    figures=(TrainingCurves, SampledCaptions, SampledCaptions),  # loss; captions of train, of val
))
