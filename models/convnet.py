"""Convolutional nets for CIFAR-10 images (N, 3, 32, 32), as nn.Modules.

    model = ThreeLayerConvNet(reg=1e-3)            # CS231n assignment 2's net
    model = ConvNet(channels=(32, 64, 128))        # deeper: conv-bn-relu blocks, pooling, augmentation
    scores = model.eval()(X)                       # (N, 10) Tensor
    loss = model.train().loss(X, y)                # scalar Tensor: loss.backward() fills each .grad

Both take X as images (N, C, H, W), or as rows (N, C*H*W) flattened in C, H, W order (CS231n's
NCHW; a "CHW" layout in models/inputs.py). Both add CS231n's penalty 0.5 * reg * sum(W**2) over
their conv and affine weights (not biases, not batch norm's gamma and beta).

Declared at the bottom as `convnet3` (ThreeLayerConvNet with the notebook's settings: 1 epoch of
Adam, lr 1e-3, batch 50) and `convnet_deep` (ConvNet trained by SGD with Nesterov momentum on a
one-cycle learning-rate schedule sized to a fixed number of epochs); `reproduce --only convnet`
trains both. Their kept settings and how they were found: models/kept/convnet3.json, convnet_deep.json.
"""
import numpy as np

from models.checkpoint import label_like_cs231n
from models.classifier import ClassifierMixin
from models.fitting import (MOMENTUM_SETTINGS, PREPROCESSING_SETTINGS, SOLVER_SETTINGS, FirstLayerWeights,
                            TrainingCurves, pixel_net_recipe)
from models.registry import Kept, ModelSpec, register
from models.settings import DTYPE, SEED, Choice, Flag, Integer, IntegerList, Number
from tinygrad231n import Tensor, nn
from tinygrad231n.nn.augment import RandomFlipCrop
from tinygrad231n.nn.random import generator
from tinygrad231n.optim import SCHEDULES


def batch_images(X, input_dim, dtype, model_name):
    """A net's input, images (N, C, H, W) or rows (N, C*H*W), as an (N, C, H, W) Tensor of `dtype`."""
    X = np.asarray(X.data if isinstance(X, Tensor) else X)
    if X.ndim not in (2, 4) or X[0].size != int(np.prod(input_dim)) or (X.ndim == 4 and X.shape[1:] != input_dim):
        raise ValueError(f"{model_name}: X must be images (N, {', '.join(map(str, input_dim))}) or rows "
                         f"(N, {int(np.prod(input_dim))}) in C, H, W order; got shape {X.shape}")
    return Tensor(X.reshape((X.shape[0],) + tuple(input_dim)), dtype=dtype, name="X")


class ThreeLayerConvNet(ClassifierMixin, nn.Module):
    """CS231n's net: conv - relu - 2x2 max pool - affine - relu - affine - softmax.

    The conv has num_filters filters of filter_size x filter_size, stride 1 and padding
    (filter_size - 1) // 2, so it keeps H and W; the pool halves them. Weights start as
    weight_scale * randn, biases at 0 (CS231n's init); seed fixes them (or is the generator to draw
    them from, W1 then W2 then W3: see tinygrad231n.nn.random). Parameters, in CS231n's
    names: W1 (F, C, fs, fs), b1 (F,), W2 (F*H/2*W/2, hidden_dim), b2, W3 (hidden_dim, classes), b3.
    """

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100, num_classes=10,
                 weight_scale=1e-3, reg=0.0, dtype=np.float32, seed=None):
        super().__init__()
        c, h, w = input_dim
        rng = generator(seed)
        self.input_dim, self.reg, self.dtype = tuple(input_dim), reg, np.dtype(dtype)
        self.network = nn.Sequential(
            nn.Conv2d(c, num_filters, filter_size, padding=(filter_size - 1) // 2, weight_scale=weight_scale,
                      dtype=dtype, rng=rng),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(num_filters * (h // 2) * (w // 2), hidden_dim, weight_scale=weight_scale, dtype=dtype, rng=rng),
            nn.ReLU(),
            nn.Linear(hidden_dim, num_classes, weight_scale=weight_scale, dtype=dtype, rng=rng),
        )
        label_like_cs231n(self)

    def forward(self, X):
        """Images (N, C, H, W) or rows (N, C*H*W) -> (N, num_classes) scores."""
        return self.network(batch_images(X, self.input_dim, self.dtype, "ThreeLayerConvNet"))


class ConvNet(ClassifierMixin, nn.Module):
    """Blocks of [conv 3x3 (padding 1) - batch norm - relu] x convs_per_block, each block ending in a
    2x2 max pool, then one affine layer to the class scores:

        channels=(32, 64, 128), 32x32 input:  32x32x32 -> 64x16x16 -> 128x8x8 -> pool -> 2048 -> 10

    Built for accuracy per second on a CPU: the channels grow as the images shrink, so each block
    costs about the same; the first conv, on 3 channels, is cheap. The pool comes before the relu
    in each block (max and relu commute, and the relu then runs on a quarter of the values), and
    batch norm, pool and relu at the end of a block are one layer, nn.BatchNorm2dPoolReLU (one fused
    op, the same numbers). The convs have no bias (batch norm right after subtracts any constant).
    In training mode the input is augmented (`augment`): random left-right flips and shifts of up to
    4 pixels (nn.RandomFlipCrop); `augment=False` turns that off.

    Weights: He init (randn * sqrt(2 / fan_in)); seed fixes them and the augmentation's draws.
    Parameters in CS231n's names: W{i} for the i-th conv or affine weight (b{i} for the last's
    bias), gamma{i} and beta{i} for the batch norm after conv i.
    """

    def __init__(self, input_dim=(3, 32, 32), channels=(32, 64, 128), convs_per_block=1, num_classes=10,
                 reg=0.0, augment=True, dtype=np.float32, seed=None):
        super().__init__()
        c, h, w = input_dim
        if h % 2 ** len(channels) or w % 2 ** len(channels):
            raise ValueError(f"ConvNet: {len(channels)} blocks halve H and W {len(channels)} times, so they must be "
                             f"multiples of {2 ** len(channels)}; got input_dim {tuple(input_dim)}")
        init_seed, augment_seed = np.random.SeedSequence(seed).spawn(2)
        rng = np.random.default_rng(init_seed)
        self.input_dim, self.reg, self.dtype = tuple(input_dim), reg, np.dtype(dtype)
        self.augment = RandomFlipCrop(padding=4, rng=np.random.default_rng(augment_seed)) if augment else None
        layers = []
        for out_channels in channels:
            for i in range(convs_per_block):
                layers.append(nn.Conv2d(c, out_channels, 3, padding=1, bias=False, dtype=dtype, rng=rng))
                if i == convs_per_block - 1:  # batch norm, 2x2 max pool and relu fused in one layer
                    layers.append(nn.BatchNorm2dPoolReLU(out_channels, dtype=dtype))
                else:
                    layers += [nn.BatchNorm2d(out_channels, dtype=dtype), nn.ReLU()]
                c = out_channels
        scale = 2 ** len(channels)
        layers += [nn.Flatten(), nn.Linear(c * (h // scale) * (w // scale), num_classes, dtype=dtype, rng=rng)]
        self.network = nn.Sequential(*layers)
        label_like_cs231n(self)

    def forward(self, X):
        """Images (N, C, H, W) or rows (N, C*H*W) -> (N, num_classes) scores, in the current mode."""
        x = batch_images(X, self.input_dim, self.dtype, "ConvNet")
        if self.augment is not None:
            x = self.augment(x)
        return self.network(x)


# ---- their declarations ---------------------------------------------------------------------------
CHECKPOINT_FIELDS = "mean_image, std_image when pixels were divided by their std, layout (CHW), bias (False)"
SCHEDULED_SOLVER_SETTINGS = {**SOLVER_SETTINGS, "lr_schedule": Choice(*SCHEDULES)}
_fit_pixel_convnet = pixel_net_recipe(ConvNet, images=True)


def fit_convnet(splits, config, verbose):
    """ConvNet on mean- (and std-) normalized CHW pixels; its checkpoint also says where the pools are
    (`convs_per_block`), which the weights' shapes alone do not."""
    fitted = _fit_pixel_convnet(splits, config, verbose)
    fitted.checkpoint["convs_per_block"] = np.array(config["model"]["convs_per_block"])
    return fitted


register(ModelSpec(
    name="convnet3", title="Three-layer conv net (CS231n ThreeLayerConvNet)", order=80, groups=("convnet",),
    fit=pixel_net_recipe(ThreeLayerConvNet, images=True),
    settings={**PREPROCESSING_SETTINGS, "num_filters": Integer(1), "filter_size": Integer(1),
              "hidden_dim": Integer(1), "weight_scale": Number(positive=True), "reg": Number(low=0), "dtype": DTYPE,
              **SOLVER_SETTINGS, "seed": SEED},
    kept=Kept.load("convnet3"),
    quick={"num_epochs": 1, "num_filters": 4, "hidden_dim": 10},
    checkpoint="W1 (F, 3, fs, fs) b1, W2 (F*16*16, hidden) b2, W3 b3 (conv padding (fs - 1) // 2, 2x2 max pool); "
               + CHECKPOINT_FIELDS,
    figures=(TrainingCurves, FirstLayerWeights),
))

register(ModelSpec(
    name="convnet_deep", title="Conv net (conv-bn-relu blocks, augmentation)", order=90, groups=("convnet",),
    fit=fit_convnet,
    settings={**PREPROCESSING_SETTINGS, "channels": IntegerList(1, min_length=1, example="[32,64,128]"),
              "convs_per_block": Integer(1), "reg": Number(low=0), "augment": Flag(), "dtype": DTYPE,
              **SCHEDULED_SOLVER_SETTINGS, **MOMENTUM_SETTINGS, "seed": SEED},
    kept=Kept.load("convnet_deep"),
    quick={"num_epochs": 1, "channels": [4, 8], "batch_size": 100},
    checkpoint="W{i} (3x3 convs, padding 1, no bias) with gamma{i} beta{i} running_mean{i} running_var{i}, a 2x2 "
               "max pool ending each block of convs_per_block convs (stored too), then the affine W{last} b{last}; "
               + CHECKPOINT_FIELDS,
    figures=(TrainingCurves, FirstLayerWeights),
))
