"""CS231n's CaptioningRNN: image features -> a caption, one word at a time, with a vanilla RNN or an LSTM.

    model = CaptioningRNN(data["word_to_idx"], input_dim=512, wordvec_dim=256, hidden_dim=512, cell_type="lstm")
    loss = model.loss(features, captions)         # scalar Tensor on the tape; loss.backward()
    captions = model.sample(features)             # (N, 30) int64 word indices, greedy

Shapes, as in the assignment: N captions, image features (N, D), captions (N, T + 1) of word
indices (<START> w1 ... <END> <NULL> ...), word vectors of size W, hidden state H, vocabulary V.
The parameters are Parameters under CS231n's names, so the adapter's `model.params["Wx"]` is
`model.Wx`:

    W_proj (D, H), b_proj (H,)        image features -> initial hidden state h0
    W_embed (V, W)                    word vectors
    Wx (W, G), Wh (H, G), b (G,)      the recurrent cell, G = H (rnn) or 4H (lstm, gates "ifog")
    W_vocab (H, V), b_vocab (V,)      hidden state -> scores over the vocabulary

The loss is CS231n's: the net reads captions[:, :-1] and is scored on predicting captions[:, 1:];
positions holding <NULL> are not counted; the sum over time is averaged over N. No regularization.
"""
import numpy as np

import tinygrad231n.nn.functional as F
from models.captioning import CAPTIONING_SETTINGS, captioning_recipe
from models.fitting import SampledCaptions, TrainingCurves
from models.registry import Kept, ModelSpec, register
from models.settings import DTYPE, SEED, Integer
from tinygrad231n import Tensor, nn, no_grad
from tinygrad231n.errors import InputError
from tinygrad231n.nn.random import generator

CELL_TYPES = {"rnn": 1, "lstm": 4}  # gates per hidden unit: Wx and Wh have H columns per gate


class CaptioningRNN(nn.Module):
    """word_to_idx: the vocabulary (V words -> 0..V-1), holding <NULL>, and <START>/<END> to sample.
    dtype: float32 (training) or float64 (gradient checks). seed: an int, None, or a generator
    (tinygrad231n.nn.random) that draws the initial weights in CS231n's order: W_embed, W_proj, Wx,
    Wh, W_vocab (biases start at zero)."""

    def __init__(self, word_to_idx, input_dim=512, wordvec_dim=128, hidden_dim=128, cell_type="rnn",
                 dtype=np.float32, seed=None):
        super().__init__()
        if cell_type not in CELL_TYPES:
            raise InputError(f"CaptioningRNN: cell_type must be 'rnn' or 'lstm', got {cell_type!r}")
        if "<NULL>" not in word_to_idx:
            raise InputError("CaptioningRNN: word_to_idx must hold '<NULL>' (the padding after <END>)")
        self.cell_type, self.dtype = cell_type, np.dtype(dtype)
        self.word_to_idx = dict(word_to_idx)
        self.idx_to_word = {i: w for w, i in word_to_idx.items()}
        self._null = word_to_idx["<NULL>"]
        self._start = word_to_idx.get("<START>")
        self._end = word_to_idx.get("<END>")
        V, D, W, H = len(word_to_idx), input_dim, wordvec_dim, hidden_dim
        G = CELL_TYPES[cell_type] * H
        rng = generator(seed)
        # Scales keep each product's output near unit variance (1/sqrt(fan_in)); word vectors
        # start small (randn / 100) so that early on the image, not the words, drives h.
        self.W_embed = self._draw(rng, (V, W), 1 / 100)
        self.W_proj = self._draw(rng, (D, H), 1 / np.sqrt(D))
        self.b_proj = self._zeros(H)
        self.Wx = self._draw(rng, (W, G), 1 / np.sqrt(W))
        self.Wh = self._draw(rng, (H, G), 1 / np.sqrt(H))
        self.b = self._zeros(G)
        self.W_vocab = self._draw(rng, (H, V), 1 / np.sqrt(H))
        self.b_vocab = self._zeros(V)

    def _draw(self, rng, shape, scale):
        return nn.Parameter((rng.standard_normal(shape) * float(scale)).astype(self.dtype))

    def _zeros(self, size):
        return nn.Parameter(np.zeros(size, dtype=self.dtype))

    def forward(self, features, captions_in):
        """Teacher-forced scores: features (N, D), captions_in (N, T) the words read -> (N, T, V) scores
        for the word after each."""
        features = self._features(features)
        h0 = features @ self.W_proj + self.b_proj                    # (N, H)
        x = F.embedding(captions_in, self.W_embed)                   # (N, T, W)
        if self.cell_type == "rnn":
            h = F.rnn(x, h0, self.Wx, self.Wh, self.b)               # (N, T, H)
        else:
            h, _ = F.lstm(x, h0, self.Wx, self.Wh, self.b)
        return self._temporal_affine(h)                              # (N, T, V)

    def loss(self, features, captions):
        """features (N, D) floats, captions (N, T + 1) ints -> the scalar loss Tensor."""
        features, captions = self._check(features, captions)
        captions_in, captions_out = captions[:, :-1], captions[:, 1:]
        mask = captions_out != self._null
        # self.forward rather than self(...): a module call is one box in collapsed diagrams, and the
        # whole model as one box would hide the math that the loss diagram is there to show.
        return F.temporal_cross_entropy(self.forward(features, captions_in), captions_out, mask)

    def _temporal_affine(self, h):
        """(N, T, H) -> (N, T, V) scores, as one (N*T, H) @ (H, V) product."""
        N, T, H = h.shape
        return (h.reshape(N * T, H) @ self.W_vocab + self.b_vocab).reshape(N, T, -1)

    @no_grad()
    def sample(self, features, max_length=30):
        """Greedy captions (N, max_length) int64: the first word is read from <START>, each next word is
        the argmax of the scores after the previous one. As in CS231n the caption does not stop at
        <END>: every step is taken, and decode_captions cuts at the first <END>."""
        if self._start is None:
            raise InputError("CaptioningRNN.sample: word_to_idx has no '<START>' to begin a caption with")
        features = self._features(features)
        N = features.shape[0]
        h = features @ self.W_proj + self.b_proj
        c = Tensor(np.zeros(h.shape, dtype=self.dtype))
        words = np.full(N, self._start, dtype=np.int64)
        captions = np.full((N, max_length), self._null, dtype=np.int64)
        for t in range(max_length):
            x = F.embedding(words, self.W_embed)                     # (N, W)
            if self.cell_type == "rnn":
                h = F.rnn_step(x, h, self.Wx, self.Wh, self.b)
            else:
                h, c = F.lstm_step(x, h, c, self.Wx, self.Wh, self.b)
            scores = h @ self.W_vocab + self.b_vocab                 # (N, V)
            words = scores.data.argmax(axis=1)
            captions[:, t] = words
        return captions

    def _features(self, features):
        """(N, D) features as a Tensor of the model's dtype (float32 data meets float64 weights in checks)."""
        array = features.data if isinstance(features, Tensor) else np.asarray(features)
        D = self.W_proj.shape[0]
        if array.ndim != 2 or array.shape[1] != D:
            raise InputError(f"CaptioningRNN: features must be (N, {D}) (input_dim={D}), got shape {array.shape}")
        return Tensor(array.astype(self.dtype, copy=False), name="features")

    def _check(self, features, captions):
        features = self._features(features)
        captions = np.asarray(captions.data if isinstance(captions, Tensor) else captions)
        if captions.ndim != 2 or captions.shape[0] != features.shape[0] or captions.shape[1] < 2:
            raise InputError(f"CaptioningRNN: captions must be (N, T + 1) word indices with T >= 1 and "
                             f"N={features.shape[0]} as in features, got shape {captions.shape}")
        return features, captions


# ---- its declarations --------------------------------------------------------------------------
MODEL_SETTINGS = {"hidden_dim": Integer(1), "wordvec_dim": Integer(1), "dtype": DTYPE}
QUICK = {"num_epochs": 1, "max_train": 50, "batch_size": 25, "hidden_dim": 16, "wordvec_dim": 8}
CHECKPOINT = ("W_proj (D, H) b_proj, W_embed (V, W), Wx (W, G) Wh (H, G) b (G,) with G = {gates}, "
              "W_vocab (H, V) b_vocab; idx_to_word (V,), the vocabulary")

for _cell, _title, _gates, _order in (("rnn", "vanilla RNN", "H", 110), ("lstm", "LSTM", "4H (gates i, f, o, g)", 120)):
    register(ModelSpec(
        name=f"captioning_{_cell}", title=f"Image captioning, {_title} (CS231n CaptioningRNN)", order=_order,
        groups=("captioning",), data="coco", fit=captioning_recipe(CaptioningRNN, cell_type=_cell),
        settings={**MODEL_SETTINGS, **CAPTIONING_SETTINGS, "seed": SEED},
        kept=Kept.load(f"captioning_{_cell}"), quick=QUICK, checkpoint=CHECKPOINT.format(gates=_gates),
        figures=(TrainingCurves, SampledCaptions, SampledCaptions),  # loss; captions of train, of val
    ))
