"""CS231n's fully-connected nets: models.two_layer.TwoLayerNet and models.fc_net.FullyConnectedNet
with the assignment's constructors.

    np.random.seed(231)
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-3)
    scores = model.loss(X)              # (N, C)
    loss, grads = model.loss(X, y)      # grads shaped like model.params

The assignment draws the initial weights with np.random.randn, so `np.random.seed(...)` in a
notebook fixes them. Here each constructor draws one seed from numpy's global state and hands it
to the model, so the same seed gives the same net on every run (though not the same numbers as
the assignment's randn draws). FullyConnectedNet's `seed` argument, when given, fixes both the
weights and the dropout masks instead (the assignment's fixes only the masks).
"""
import numpy as np

from models import fc_net, two_layer


def _seed_from_global_state():
    return np.random.randint(2**31 - 1)


class TwoLayerNet(two_layer.TwoLayerNet):
    """affine - relu - affine - softmax; weights W1 (D, H), b1 (H,), W2 (H, C), b2 (C,), float64."""

    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10, weight_scale=1e-3, reg=0.0):
        super().__init__(input_dim, hidden_dim, num_classes, weight_scale, reg, seed=_seed_from_global_state())


class FullyConnectedNet(fc_net.FullyConnectedNet):
    """{affine - [batchnorm] - relu - [dropout]} x (L - 1) - affine - softmax (see models.fc_net)."""

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None):
        seed = _seed_from_global_state() if seed is None else seed
        super().__init__(hidden_dims, input_dim, num_classes, dropout_keep_ratio, normalization, reg,
                         weight_scale, dtype, seed)
