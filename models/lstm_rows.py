"""A sequence model of CIFAR-10 images: an LSTM reads each image top to bottom, one row at a time.

    model = LSTMRows(hidden_dim=128)
    scores = model.eval()(X)            # X images (N, 32, 32, 3) or rows (N, 3072) in H, W, C order
    loss = model.train().loss(X, y)     # scalar Tensor on the tape: backpropagation through 32 steps

Each image is a length-32 sequence whose step t is row t of the image, its 32 pixels x 3 channels
as one vector of 96 values (H, W, C order: an image's HWC rows are exactly these steps one after
another). The LSTM (F.lstm, CS231n's layout and gate order "ifog") runs over the 32 rows from a
zero state; the class scores come from an affine layer on the last hidden state (`pool="last"`)
or on the hidden states averaged over the rows (`pool="mean"`).

Parameters in CS231n's names (the captioning net's): Wx (96, 4H), Wh (H, 4H), b (4H,) for the
LSTM, then W1 (H, C), b1 (C,) for the affine layer to the scores. The penalty 0.5 * reg * sum(W**2)
covers Wx, Wh and W1.

Declared at the bottom as `lstm_rows`; its kept settings and the sweep that found them are in
models/kept/lstm_rows.json.
"""
import numpy as np

import tinygrad231n.nn.functional as F
from models.checkpoint import label_like_cs231n
from models.classifier import ClassifierMixin
from models.convnet import SCHEDULED_SOLVER_SETTINGS
from models.fitting import MOMENTUM_SETTINGS, PREPROCESSING_SETTINGS, TrainingCurves, fit_net, pixel_inputs
from models.registry import Kept, ModelSpec, register
from models.settings import DTYPE, SEED, Choice, Flag, Integer, Number
from tinygrad231n import Tensor, nn
from tinygrad231n.errors import InputError
from tinygrad231n.nn.augment import RandomFlipCrop

POOLS = ("last", "mean")  # which hidden states the scores are read from


class LSTMRows(ClassifierMixin, nn.Module):
    """An LSTM over an image's rows, then one affine layer to the class scores.

    image_shape: (H, W, C) of the images; the LSTM takes H steps of W*C values each.
    hidden_dim: H of the LSTM (the size of its hidden and cell states).
    pool: "last" scores the last hidden state, "mean" the average of all H hidden states.
    augment: in training mode, random left-right flips and shifts of up to 4 pixels
        (nn.RandomFlipCrop) before the image is cut into rows.
    Weights: Wx = randn / sqrt(W*C), Wh = randn / sqrt(hidden_dim) (CS231n's captioning init),
    b = 0 but for the forget gate's 1 (the cell starts out keeping what it has: gradients then
    reach the first rows); W1 by He init. seed fixes them and the augmentation's draws.
    """

    def __init__(self, image_shape=(32, 32, 3), hidden_dim=128, num_classes=10, pool="last", reg=0.0,
                 augment=True, dtype=np.float32, seed=None):
        super().__init__()
        if pool not in POOLS:
            raise ValueError(f"LSTMRows: pool must be one of {POOLS}, got {pool!r}")
        _, width, channels = image_shape
        init_seed, augment_seed = np.random.SeedSequence(seed).spawn(2)
        rng = np.random.default_rng(init_seed)
        self.image_shape, self.pool, self.reg, self.dtype = tuple(image_shape), pool, reg, np.dtype(dtype)
        row = width * channels
        self.Wx = nn.Parameter(rng.standard_normal((row, 4 * hidden_dim)) / np.sqrt(row), dtype=dtype)
        self.Wh = nn.Parameter(rng.standard_normal((hidden_dim, 4 * hidden_dim)) / np.sqrt(hidden_dim), dtype=dtype)
        bias = np.zeros(4 * hidden_dim)
        bias[hidden_dim:2 * hidden_dim] = 1.0  # the forget gate's columns in "ifog" order
        self.b = nn.Parameter(bias, dtype=dtype)
        self.head = nn.Linear(hidden_dim, num_classes, dtype=dtype, rng=rng)
        self.augment = RandomFlipCrop(padding=4, rng=np.random.default_rng(augment_seed)) if augment else None
        label_like_cs231n(self)

    def forward(self, X):
        """Images (N, H, W, C) or rows (N, H*W*C) in H, W, C order -> (N, num_classes) scores."""
        x = self._sequences(X)                                    # (N, T, W*C)
        h0 = Tensor(np.zeros((x.shape[0], self.Wh.shape[0]), dtype=self.dtype), name="h0")
        hidden, _ = F.lstm(x, h0, self.Wx, self.Wh, self.b)       # (N, T, H)
        features = hidden[:, -1] if self.pool == "last" else hidden.mean(axis=1)
        return self.head(features)

    def penalized_weights(self):
        return [self.Wx, self.Wh, self.head.weight]

    def _sequences(self, X):
        """X as an (N, H, W*C) Tensor of the model's dtype, augmented in training mode."""
        X = np.asarray(X.data if isinstance(X, Tensor) else X)
        steps, width, channels = self.image_shape
        size = steps * width * channels
        if X.ndim not in (2, 4) or X.shape[1:] not in ((size,), self.image_shape):
            raise InputError(f"LSTMRows: X must be images (N, {steps}, {width}, {channels}) or rows (N, {size}) "
                             f"in H, W, C order; got shape {X.shape}")
        images = X.reshape((len(X),) + self.image_shape)
        if self.augment is not None and self.training:
            # RandomFlipCrop works on (N, C, H, W): there and back again.
            images = self.augment(Tensor(images.transpose(0, 3, 1, 2))).data.transpose(0, 2, 3, 1)
        return Tensor(images.reshape(len(X), steps, width * channels), dtype=self.dtype, name="X")

    def extra_repr(self):
        return f"rows={self.image_shape[0]} of {self.image_shape[1] * self.image_shape[2]}, " \
               f"hidden_dim={self.Wh.shape[0]}, pool={self.pool}, " + super().extra_repr()


# ---- its declaration --------------------------------------------------------------------------
def fit_lstm_rows(splits, config, verbose):
    """LSTMRows on mean- (and std-) normalized pixels in HWC layout (the rows are the steps), by the Solver."""
    if config["preprocessing"]["layout"] != "HWC":
        raise InputError(f"lstm_rows reads images row by row: its pixels need layout HWC, "
                         f"got {config['preprocessing']['layout']}")
    if config["preprocessing"]["bias"]:
        raise InputError("lstm_rows: bias must be false (a column of ones is no pixel of any row)")
    options = dict(config["model"])
    dtype = np.dtype(options.pop("dtype"))
    inputs, fields = pixel_inputs(splits, config["preprocessing"], dtype)
    model = LSTMRows(image_shape=splits.X_train.shape[1:], dtype=dtype, seed=config["seed"], **options)
    return fit_net(model, inputs, config, fields, verbose)


register(ModelSpec(
    name="lstm_rows", title="LSTM over image rows (32 steps of 96 values)", order=100,
    fit=fit_lstm_rows,
    settings={**PREPROCESSING_SETTINGS, "hidden_dim": Integer(1), "pool": Choice(*POOLS), "reg": Number(low=0),
              "augment": Flag(), "dtype": DTYPE, **SCHEDULED_SOLVER_SETTINGS, **MOMENTUM_SETTINGS, "seed": SEED},
    kept=Kept.load("lstm_rows"),
    quick={"num_epochs": 1, "hidden_dim": 8, "batch_size": 100},
    checkpoint="Wx (96, 4H), Wh (H, 4H), b (4H,) of the LSTM (gates in CS231n's order i, f, o, g; rows of "
               "32 pixels x 3 channels as the steps), then the affine W1 (H, 10) b1 on the last or mean hidden "
               "state (pool); mean_image, std_image when pixels were divided by their std, layout (HWC), bias (False)",
    figures=(TrainingCurves,),
))
