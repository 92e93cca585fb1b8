"""CS231n's CaptioningRNN (2024's assignment 3): models.captioning_rnn.CaptioningRNN behind the
assignment's constructor and protocol.

    np.random.seed(231)
    model = CaptioningRNN(data["word_to_idx"], input_dim=512, wordvec_dim=256, hidden_dim=512, cell_type="lstm")
    loss, grads = model.loss(features, captions)   # features (N, D), captions (N, T + 1); grads like params
    captions = model.sample(features)              # (N, 30) word indices, greedy
    solver = CaptioningSolver(model, data, update_rule="adam", ...)

`model.params` is a live view of the module's weights under the assignment's names: W_embed (V, W),
W_proj (D, H), b_proj (H,), Wx (W, G), Wh (H, G), b (G,), W_vocab (H, V), b_vocab (V,), with G = H
(rnn) or 4H (lstm); `model.params[k] = array` copies into the weight (shapes must match);
`model.module` is the nn.Module. The loss reads captions[:, :-1], is scored on captions[:, 1:] where
they are not <NULL>, and is summed over time and averaged over N, without regularization.

The assignment draws the initial weights with np.random.randn, so `np.random.seed(...)` fixes them.
Here too: the module draws W_embed, W_proj, Wx, Wh, W_vocab from numpy's global state in the
assignment's order (protocol.NUMPY_GLOBAL_RANDOM). As in the assignment's file, the recurrent
layers come with it (`from ...classifiers.rnn import *`).
"""
import numpy as np

from models import captioning_rnn

from ..protocol import NUMPY_GLOBAL_RANDOM, ModuleModel
from ..rnn_layers import *  # noqa: F401,F403  (the assignment's rnn.py does the same)
from ..rnn_layers import __all__ as _layer_names

__all__ = ["CaptioningRNN", *_layer_names]


class CaptioningRNN(ModuleModel):
    """word_to_idx: the vocabulary (V words -> 0..V-1) with <NULL>, <START> and <END>; input_dim D,
    wordvec_dim W, hidden_dim H; cell_type "rnn" or "lstm"; dtype float32 (training) or float64
    (gradient checks). The attributes the assignment's class has (word_to_idx, idx_to_word,
    cell_type, dtype, _null, _start, _end) are the module's."""

    def __init__(self, word_to_idx, input_dim=512, wordvec_dim=128, hidden_dim=128, cell_type="rnn",
                 dtype=np.float32):
        module = captioning_rnn.CaptioningRNN(word_to_idx, input_dim, wordvec_dim, hidden_dim, cell_type, dtype,
                                              seed=NUMPY_GLOBAL_RANDOM)
        super().__init__(module, parameters=module.named_parameters())  # already the assignment's names, in its order

    def loss(self, features, captions):
        """features (N, D), captions (N, T + 1) word indices -> (loss as a float, {name: gradient like params[name]})."""
        return super().loss(features, captions)

    def sample(self, features, max_length=30):
        """Greedy captions (N, max_length) of word indices for features (N, D), starting after <START>.
        As in the assignment every step is taken; decode_captions stops at the first <END>."""
        return self.module.sample(features, max_length)
