"""CS231n's two-layer net: affine - relu - affine - softmax, as an nn.Module.

    model = TwoLayerNet(hidden_dim=100, reg=0.1)
    scores = model(X)                   # (N, C) Tensor
    loss = model.loss(X, y)             # scalar Tensor: loss.backward() fills each parameter's .grad
    optim.Solver(model, data).train()

The weights are `fc1.weight` (D, H), `fc1.bias` (H,), `fc2.weight` (H, C), `fc2.bias` (C,); the
checkpoint and the CS231n adapter call them W1, b1, W2, b2 (models/checkpoint.py). The penalty is
0.5 * reg * (sum W1**2 + sum W2**2): CS231n's convention for its nets (the linear classifiers
use reg * sum W**2).
"""
import numpy as np

from models.checkpoint import label_like_cs231n
from models.classifier import ClassifierMixin
from models.fitting import (MOMENTUM_SETTINGS, PREPROCESSING_SETTINGS, SOLVER_SETTINGS, FirstLayerWeights,
                            TrainingCurves, pixel_net_recipe)
from models.inputs import batch_rows
from models.registry import Kept, ModelSpec, Reference, register
from models.settings import DTYPE, SEED, Integer, Number
from tinygrad231n import nn
from tinygrad231n.nn.random import generator


class TwoLayerNet(ClassifierMixin, nn.Module):
    """input_dim -> hidden_dim (ReLU) -> num_classes; W = weight_scale * randn, b = 0.

    seed fixes the initial weights (W1 then W2 from one generator); a generator itself may be given
    instead (see tinygrad231n.nn.random) to draw them from. dtype is float64 or float32.
    loss and predict: models/classifier.py.
    """

    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10, weight_scale=1e-3, reg=0.0,
                 dtype=np.float64, seed=None):
        super().__init__()
        rng = generator(seed)
        self.input_dim, self.num_classes = input_dim, num_classes
        self.reg, self.dtype = reg, np.dtype(dtype)
        self.fc1 = nn.Linear(input_dim, hidden_dim, weight_scale=weight_scale, dtype=dtype, rng=rng)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_dim, num_classes, weight_scale=weight_scale, dtype=dtype, rng=rng)
        label_like_cs231n(self)

    def forward(self, X):
        """(N, d1, ..., dk) inputs with d1 * ... * dk = input_dim -> (N, C) scores."""
        return self.fc2(self.relu(self.fc1(batch_rows(X, self.input_dim, self.dtype, "TwoLayerNet"))))


# ---- its declaration --------------------------------------------------------------------------
register(ModelSpec(
    name="twolayer", title="Two-layer net (raw pixels)", order=40,
    fit=pixel_net_recipe(TwoLayerNet),
    settings={**PREPROCESSING_SETTINGS, "hidden_dim": Integer(1), "weight_scale": Number(positive=True),
              "reg": Number(low=0), "dtype": DTYPE, **SOLVER_SETTINGS, **MOMENTUM_SETTINGS, "seed": SEED},
    kept=Kept.load("twolayer"),
    quick={"num_epochs": 1},
    checkpoint="W1 (D, H), b1, W2 (H, C), b2; mean_image, std_image, layout, bias",
    cs231n=Reference(val=0.533, test=0.528),
    figures=(TrainingCurves, FirstLayerWeights),
))
