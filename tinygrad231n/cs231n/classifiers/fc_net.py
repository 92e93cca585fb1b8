"""CS231n's fully-connected nets: models.two_layer.TwoLayerNet and models.fc_net.FullyConnectedNet
behind the assignment's constructors and protocol.

    np.random.seed(231)
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-3)
    scores = model.loss(X)              # (N, C)
    loss, grads = model.loss(X, y)      # grads shaped like model.params
    model.save("two_layer_net.npz"); model.load("two_layer_net.npz")

`model.params` is a live view of the module's weights under CS231n's names (W1, b1, ..., gamma1,
beta1, ...); `model.module` is the nn.Module. As in the assignment's file, the layers and
sandwich layers come with it: `from ...classifiers.fc_net import *` brings affine_forward & co.

The assignment draws the initial weights with np.random.randn, so `np.random.seed(...)` in a
notebook fixes them. Here too: the models draw W1, W2, ... from numpy's global state in the
assignment's order (protocol.NUMPY_GLOBAL_RANDOM), so the same seed gives the assignment's very
weights, and the dropout masks (without `seed`) come from np.random as the assignment's do.
FullyConnectedNet's `seed` argument, as in the assignment, fixes only the dropout masks: while it
is given, every training forward pass drops the same units (the model's dropout_seed), so the
Dropout notebook's gradient check sees one loss function.
"""
import numpy as np

from models import fc_net, two_layer

from ..layer_utils import *  # noqa: F401,F403  (the assignment's fc_net.py does the same)
from ..layers import *  # noqa: F401,F403
from ..protocol import NUMPY_GLOBAL_RANDOM, ModuleModel


class TwoLayerNet(ModuleModel):
    """affine - relu - affine - softmax; weights W1 (D, H), b1 (H,), W2 (H, C), b2 (C,), float64."""

    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10, weight_scale=1e-3, reg=0.0):
        super().__init__(two_layer.TwoLayerNet(input_dim, hidden_dim, num_classes, weight_scale, reg,
                                               seed=NUMPY_GLOBAL_RANDOM))


class FullyConnectedNet(ModuleModel):
    """{affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax (see models.fc_net)."""

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None):
        super().__init__(fc_net.FullyConnectedNet(hidden_dims, input_dim, num_classes, dropout_keep_ratio,
                                                  normalization, reg, weight_scale, dtype,
                                                  seed=NUMPY_GLOBAL_RANDOM, dropout_seed=seed))
