"""CS231n's ThreeLayerConvNet: models.convnet.ThreeLayerConvNet behind the assignment's constructor and protocol.

    model = ThreeLayerConvNet(num_filters=32, filter_size=7, hidden_dim=100, reg=0.001)
    scores = model.loss(X)              # X (N, 3, 32, 32) -> (N, 10)
    loss, grads = model.loss(X, y)      # grads shaped like model.params
    solver = Solver(model, data, update_rule="adam", ...)

conv - relu - 2x2 max pool - affine - relu - affine - softmax. `model.params` is a live view of
the module's weights under the assignment's names: W1 (F, C, HH, WW), b1 (F,), W2 (F*H/2*W/2,
hidden_dim), b2, W3 (hidden_dim, num_classes), b3; `model.module` is the nn.Module. The penalty is
0.5 * reg * sum of W**2 over W1, W2, W3. As in the assignment's file, the layers, fast layers and
sandwich layers come with it (`from ...classifiers.cnn import *`).

The assignment draws the initial weights with np.random.randn, so `np.random.seed(...)` in a
notebook fixes them. So does the module here: it draws W1, W2, W3 from numpy's global state in the
assignment's order (protocol.NUMPY_GLOBAL_RANDOM), giving the assignment's very numbers.
"""
import numpy as np

from models import convnet

from ..fast_layers import *  # noqa: F401,F403  (the assignment's cnn.py star-imports these three)
from ..layer_utils import *  # noqa: F401,F403
from ..layer_utils import __all__ as _layer_names  # layer_utils' names include layers' and fast_layers'
from ..layers import *  # noqa: F401,F403
from ..protocol import NUMPY_GLOBAL_RANDOM, ModuleModel

__all__ = ["ThreeLayerConvNet", *_layer_names]


class ThreeLayerConvNet(ModuleModel):
    """input_dim (C, H, W) with H and W even; the conv keeps H and W (stride 1, padding
    (filter_size - 1) // 2), the pool halves them. dtype: float32 (the default, faster) or float64
    (gradient checks)."""

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100, num_classes=10,
                 weight_scale=1e-3, reg=0.0, dtype=np.float32):
        super().__init__(convnet.ThreeLayerConvNet(input_dim, num_filters, filter_size, hidden_dim, num_classes,
                                                   weight_scale, reg, dtype, seed=NUMPY_GLOBAL_RANDOM))
