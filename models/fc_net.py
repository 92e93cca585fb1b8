"""CS231n's FullyConnectedNet: {affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax.

    model = FullyConnectedNet([512, 256], normalization="batchnorm", dropout_keep_ratio=0.8, reg=1e-3)
    scores = model.eval()(X)            # (N, C) Tensor: no dropout, batch norm on running averages
    loss = model.train().loss(X, y)     # scalar Tensor on the tape
    optim.Solver(model, data, update_rule="adam").train()

The layers are nn modules in one nn.Sequential (`model.network`). The checkpoint and the CS231n
adapter name the weights as CS231n does (models/checkpoint.py):

    W1, b1, ..., WL, bL           affine layer i: W{i} (D_{i-1}, D_i), b{i} (D_i,)
    gamma1, beta1, ...            batch or layer norm after hidden layer i (i < L), each (D_i,)

The penalty is 0.5 * reg * sum_i sum(W{i}**2), over the affine weights only: CS231n's convention
for its nets (the linear classifiers use reg * sum W**2).

`dropout_keep_ratio` is CS231n's KEEP probability; nn.Dropout takes the drop probability, so each
hidden layer gets nn.Dropout(1 - dropout_keep_ratio), and none at all when the ratio is 1.
"""
import numpy as np

from models.checkpoint import label_like_cs231n
from models.classifier import ClassifierMixin
from models.fitting import (PREPROCESSING_SETTINGS, SOLVER_SETTINGS, FirstLayerWeights, TrainingCurves,
                            pixel_net_recipe)
from models.inputs import batch_rows
from models.registry import Kept, ModelSpec, register
from models.settings import DTYPE, SEED, Choice, IntegerList, Number
from tinygrad231n import nn
from tinygrad231n.nn.random import generator

# CS231n's normalization names -> the nn layer after each hidden affine layer.
NORMALIZATIONS = {None: None, "batchnorm": nn.BatchNorm1d, "layernorm": nn.LayerNorm}


class FullyConnectedNet(ClassifierMixin, nn.Module):
    """Any number of hidden layers, with CS231n's constructor (loss and predict: models/classifier.py).

    hidden_dims: list of hidden sizes (may be empty: a linear softmax classifier).
    weight_scale: std of the initial weights, W = weight_scale * randn; None for He init
    (randn * sqrt(2 / fan_in)), which keeps deep ReLU nets' activations from shrinking.
    dtype: float32 (CS231n's default for this net, and faster) or float64 (gradient checks).
    seed: fixes the initial weights and the stream of dropout masks (two independent streams); or a
    generator (see tinygrad231n.nn.random) that draws both, the weights W1, W2, ... first.
    dropout_seed: when given, every training forward pass uses the same masks (CS231n's
    dropout_param["seed"]; gradient checks need it): hidden layer i's nn.Dropout draws its mask
    from default_rng([dropout_seed, i]) on each call.
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None, dropout_seed=None):
        super().__init__()
        if normalization not in NORMALIZATIONS:
            raise ValueError(f"FullyConnectedNet: normalization must be one of {tuple(NORMALIZATIONS)}, "
                             f"got {normalization!r}")
        if not 0 < dropout_keep_ratio <= 1:
            raise ValueError(f"FullyConnectedNet: dropout_keep_ratio is the probability of KEEPING a unit "
                             f"and must be in (0, 1], got {dropout_keep_ratio}")
        self.input_dim, self.num_classes = input_dim, num_classes
        self.num_layers = len(hidden_dims) + 1
        self.normalization, self.dropout_keep_ratio = normalization, dropout_keep_ratio
        self.reg, self.dtype, self.dropout_seed = reg, np.dtype(dtype), dropout_seed
        if generator(seed) is seed:  # a generator to draw from (CS231n's adapter: numpy's global state)
            init_rng = mask_rng = seed
        else:
            init_rng, mask_rng = map(np.random.default_rng, np.random.SeedSequence(seed).spawn(2))
        self.network = self._build(list(hidden_dims), weight_scale, init_rng, mask_rng)
        label_like_cs231n(self)

    def _build(self, hidden_dims, weight_scale, init_rng, mask_rng):
        """The layers, in one nn.Sequential."""
        dims = [self.input_dim, *hidden_dims, self.num_classes]
        layers = []
        for i in range(1, self.num_layers + 1):
            layers.append(nn.Linear(dims[i - 1], dims[i], weight_scale=weight_scale, dtype=self.dtype, rng=init_rng))
            if i == self.num_layers:
                break
            if self.normalization is not None:
                layers.append(NORMALIZATIONS[self.normalization](dims[i], dtype=self.dtype))
            layers.append(nn.ReLU())
            if self.dropout_keep_ratio < 1:
                layers.append(self._dropout(i, mask_rng))
        return nn.Sequential(*layers)

    def _dropout(self, i, mask_rng):
        """The dropout after hidden layer i: new masks from mask_rng, or one fixed mask per dropout_seed."""
        if self.dropout_seed is None:
            return nn.Dropout(1 - self.dropout_keep_ratio, rng=mask_rng)
        return nn.Dropout(1 - self.dropout_keep_ratio, seed=[self.dropout_seed, i])

    def forward(self, X):
        """(N, d1, ..., dk) inputs with d1 * ... * dk = input_dim -> (N, C) scores, in the current mode."""
        return self.network(batch_rows(X, self.input_dim, self.dtype, "FullyConnectedNet"))


# ---- its declaration --------------------------------------------------------------------------
register(ModelSpec(
    name="fcnet", title="Fully connected net (raw pixels)", order=50,
    fit=pixel_net_recipe(FullyConnectedNet),
    settings={**PREPROCESSING_SETTINGS, "hidden_dims": IntegerList(1), "normalization": Choice(*NORMALIZATIONS),
              "dropout_keep_ratio": Number(0.001, 1), "reg": Number(low=0),
              "weight_scale": Number(positive=True, optional=True, none_means="He init"), "dtype": DTYPE,
              **SOLVER_SETTINGS, "seed": SEED},
    kept=Kept.load("fcnet"),
    quick={"num_epochs": 1},
    checkpoint="W{i} b{i} per affine layer; with batch norm gamma{i} beta{i} running_mean{i} running_var{i}; "
               "mean_image, std_image, layout, bias",
    figures=(TrainingCurves, FirstLayerWeights),
))
