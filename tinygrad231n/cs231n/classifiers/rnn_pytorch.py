"""CS231n's CaptioningRNN written against PyTorch (2025/2026 assignment 2), on tinygrad231n.torch:
models.captioning_rnn.CaptioningRNN behind the starter's constructor, params dict and methods.

    torch.manual_seed(231)
    model = CaptioningRNN(data["word_to_idx"], input_dim=512, wordvec_dim=256, hidden_dim=512)
    loss = model.loss(features, captions)          # a scalar tensor; loss.backward() fills params' .grad
    captions = model.sample(features)              # (N, 30) int64 tensor of word indices, greedy

`model.params` holds the starter's tensors under its names: W_embed (V, W), W_proj (D, H),
b_proj (H,), Wx (W, G), Wh (H, G), b (G,), W_vocab (H, V), b_vocab (V,), with G = H (rnn) or 4H
(lstm, gates i, f, o, g). As in the starter they start without requires_grad: CaptioningSolverPytorch
turns it on for training and off after, and the notebook's gradient check does the same itself.

Why a view over the model rather than the starter's composition of rnn_layers_pytorch: the model's
forward already is that composition (embedding, rnn or lstm, the affine map to the vocabulary, the
masked loss, on the same engine ops), and its greedy sampling and input checks come with it, so
this file adds only the starter's face. `params` reads and rebinds the model's own tensors
(ModuleTensors): `model.params["Wx"] = torch.from_numpy(...)`, as the notebook's checks write it,
changes what loss() computes with, and an optimizer's in-place steps on `params.values()` are the
model's weights. The initial weights are torch.randn's draws in the starter's order (W_embed, W_proj,
Wx, Wh, W_vocab) and scales (1/100, 1/sqrt(fan_in)), taken from the front's generator, so
`torch.manual_seed(...)` fixes them (with numpy's numbers, not PyTorch's). As in the assignment's
file, the layers come with it (`from ..rnn_layers_pytorch import *`).
"""
from collections.abc import MutableMapping

import tinygrad231n.torch as torch
from models import captioning_rnn
from tinygrad231n.errors import InputError
from tinygrad231n.tensor import Tensor

from ..rnn_layers_pytorch import *  # noqa: F401,F403  (the starter's rnn_pytorch.py does the same)
from ..rnn_layers_pytorch import __all__ as _layer_names

__all__ = ["CaptioningRNN", *_layer_names]


class ModuleTensors(MutableMapping):
    """{name: tensor} for the named weights of a module: reading gives the tensor the module computes
    with, writing a tensor makes it the module's (not a copy), as assigning into the starter's dict does."""

    def __init__(self, module, names):
        self._module, self._names = module, tuple(names)

    def __getitem__(self, name):
        return getattr(self._module, self._known(name))

    def __setitem__(self, name, value):
        if not isinstance(value, Tensor):
            raise InputError(f"params[{name!r}]: expected a tensor (e.g. torch.from_numpy(array)), "
                             f"got {type(value).__name__}")
        setattr(self._module, self._known(name), value)

    def __delitem__(self, name):
        raise TypeError("params: a model's weights cannot be deleted")

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)

    def _known(self, name):
        if name not in self._names:
            raise KeyError(f"params: no weight named {name!r}; the weights are {list(self._names)}")
        return name


class CaptioningRNN:
    """word_to_idx: the vocabulary (V words -> 0..V-1) with <NULL>, and <START>/<END> to sample;
    input_dim D, wordvec_dim W, hidden_dim H; cell_type "rnn" or "lstm"; dtype torch.float32
    (training) or torch.float64 (gradient checks). The starter's attributes (word_to_idx,
    idx_to_word, cell_type, dtype, _null, _start, _end) are the model's; `module` is the model."""

    def __init__(self, word_to_idx, input_dim=512, wordvec_dim=128, hidden_dim=128, cell_type="rnn",
                 dtype=torch.float32):
        self.module = captioning_rnn.CaptioningRNN(word_to_idx, input_dim, wordvec_dim, hidden_dim, cell_type,
                                                   dtype, seed=torch.random.default_generator())
        names = []
        for name, weight in self.module.named_parameters():
            weight.requires_grad_(False)  # the starter's torch.randn / torch.zeros tensors do not require grad
            names.append(name)
        self.params = ModuleTensors(self.module, names)

    def loss(self, features, captions):
        """features (N, D) float tensor, captions (N, T + 1) long tensor (<START> w1 ... <END> <NULL> ...)
        -> the loss, a scalar tensor: the net reads captions[:, :-1] and is scored on captions[:, 1:]
        where they are not <NULL>, summed over time and averaged over N, without regularization."""
        return self.module.loss(features, captions)

    def sample(self, features, max_length=30):
        """Greedy captions for features (N, D): an int64 tensor (N, max_length) of word indices, the first
        read after <START>. As in the assignment every step is taken; decode_captions stops at <END>."""
        return torch.from_numpy(self.module.sample(features, max_length))

    def __getattr__(self, name):  # only when normal lookup fails: the model's attributes (cell_type, _null, ...)
        if name == "module":  # not set yet: do not recurse
            raise AttributeError(name)
        return getattr(self.module, name)
