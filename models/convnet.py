"""Convolutional nets for CIFAR-10 images (N, 3, 32, 32), as nn.Modules.

    model = ThreeLayerConvNet(reg=1e-3)            # CS231n assignment 2's net
    model = ConvNet(channels=(32, 64, 128))        # deeper: conv-bn-relu blocks, pooling, augmentation
    model = WhitenedConvNet().fit_whitening(X)     # airbench's tricks: whitened patches, smoothed labels, flip TTA
    scores = model.eval()(X)                       # (N, 10) Tensor
    loss = model.train().loss(X, y)                # scalar Tensor: loss.backward() fills each .grad

All take X as images (N, C, H, W), or as rows (N, C*H*W) flattened in C, H, W order (CS231n's
NCHW; a "CHW" layout in models/inputs.py). All add CS231n's penalty 0.5 * reg * sum(W**2) over
their conv and affine weights (not biases, not batch norm's gamma and beta, not the frozen whitening).

Declared at the bottom as `convnet3` (ThreeLayerConvNet with the notebook's settings: 1 epoch of
Adam, lr 1e-3, batch 50), `convnet_deep` (ConvNet trained by SGD with Nesterov momentum on a
one-cycle learning-rate schedule sized to a fixed number of epochs) and `convnet_whitened`
(WhitenedConvNet, the same optimizer); `reproduce --only convnet` trains all three. Their kept
settings and how they were found: models/kept/convnet3.json, convnet_deep.json, convnet_whitened.json.
"""
import numpy as np

from models.checkpoint import label_like_cs231n
from models.classifier import ClassifierMixin
from models.fitting import (MOMENTUM_SETTINGS, PREPROCESSING_SETTINGS, SOLVER_SETTINGS, FirstLayerWeights,
                            TrainingCurves, fit_net, pixel_inputs, pixel_net_recipe, weight_images)
from models.registry import Kept, ModelSpec, register
from models.settings import DTYPE, SEED, Choice, Flag, Integer, IntegerList, Number
import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor, nn
from tinygrad231n.nn.augment import RandomFlipCrop
from tinygrad231n.nn.random import generator
from tinygrad231n.nn.whitening import PatchWhitening
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


def check_pooled_input(model_name, input_dim, blocks):
    """Each of `blocks` blocks halves H and W with a 2x2 pool: they must be multiples of 2**blocks."""
    _, h, w = input_dim
    if h % 2 ** blocks or w % 2 ** blocks:
        raise ValueError(f"{model_name}: {blocks} blocks halve H and W {blocks} times, so they must be "
                         f"multiples of {2 ** blocks}; got input_dim {tuple(input_dim)}")


def weights_and_augment_generators(seed, augment):
    """(the generator the weights are drawn from, the augmentation layer or None), two streams of one seed."""
    init_seed, augment_seed = np.random.SeedSequence(seed).spawn(2)
    augmentation = RandomFlipCrop(padding=4, rng=np.random.default_rng(augment_seed)) if augment else None
    return np.random.default_rng(init_seed), augmentation


def affine_head(channels, input_dim, blocks, num_classes, dtype, rng):
    """Flatten, then one affine layer from the last block's maps (channels, H / 2**blocks, W / 2**blocks)."""
    _, h, w = input_dim
    return [nn.Flatten(), nn.Linear(channels * (h >> blocks) * (w >> blocks), num_classes, dtype=dtype, rng=rng)]


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
        c = input_dim[0]
        check_pooled_input("ConvNet", input_dim, len(channels))
        rng, self.augment = weights_and_augment_generators(seed, augment)
        self.input_dim, self.reg, self.dtype = tuple(input_dim), reg, np.dtype(dtype)
        layers = []
        for out_channels in channels:
            for i in range(convs_per_block):
                layers.append(nn.Conv2d(c, out_channels, 3, padding=1, bias=False, dtype=dtype, rng=rng))
                if i == convs_per_block - 1:  # batch norm, 2x2 max pool and relu fused in one layer
                    layers.append(nn.BatchNorm2dPoolReLU(out_channels, dtype=dtype))
                else:
                    layers += [nn.BatchNorm2d(out_channels, dtype=dtype), nn.ReLU()]
                c = out_channels
        layers += affine_head(c, input_dim, len(channels), num_classes, dtype, rng)
        self.network = nn.Sequential(*layers)
        label_like_cs231n(self)

    def forward(self, X):
        """Images (N, C, H, W) or rows (N, C*H*W) -> (N, num_classes) scores, in the current mode."""
        x = batch_images(X, self.input_dim, self.dtype, "ConvNet")
        if self.augment is not None:
            x = self.augment(x)
        return self.network(x)



class WhitenedConvNet(ClassifierMixin, nn.Module):
    """airbench's recipe scaled down for a CPU: a frozen whitening first layer, then per block

        conv 3x3 - batch norm - 2x2 max pool - relu  [- conv 3x3 - batch norm - relu]   (second_conv)

    then one affine layer to the class scores:

        channels=(32, 64, 128): 3x32x32 -whiten-> 27x32x32 -> 32x16x16 -> 64x8x8 -> 128x4x4 -> 2048 -> 10

    `whiten` (nn.PatchWhitening, 3x3 patches, fitted on the training images by the recipe before
    training): the first learned conv sees decorrelated, equally scaled patch coordinates instead of
    raw pixels, which speeds up the first epochs. The second conv of a block runs after the pool, on
    a quarter of the pixels, so it adds depth for about half the cost of the first. In training
    mode the input is augmented (random flips, shifts of up to 4 pixels). The loss is cross-entropy
    against labels smoothed by `label_smoothing` (the true class gets 1 - s + s/C, every other s/C),
    plus CS231n's 0.5 * reg * sum(W**2). In evaluation mode with `flip_test`, the scores are the mean
    of the scores of each image and of its mirror image (test-time augmentation).

    Parameters in CS231n's names (convs and the affine layer numbered in the order they run): W{i},
    gamma{i}, beta{i} (and the buffers running_mean{i}, running_var{i}) for conv i; W{last}, b{last}.
    """

    def __init__(self, input_dim=(3, 32, 32), channels=(32, 64, 128), second_conv=True, whiten=True,
                 label_smoothing=0.2, flip_test=True, num_classes=10, reg=0.0, augment=True, dtype=np.float32,
                 seed=None):
        super().__init__()
        c = input_dim[0]
        check_pooled_input("WhitenedConvNet", input_dim, len(channels))
        if not 0 <= label_smoothing < 1:
            raise ValueError(f"WhitenedConvNet: label_smoothing must be in [0, 1), got {label_smoothing}")
        rng, self.augment = weights_and_augment_generators(seed, augment)
        self.input_dim, self.reg, self.dtype = tuple(input_dim), reg, np.dtype(dtype)
        self.label_smoothing, self.flip_test = float(label_smoothing), bool(flip_test)
        self.whiten = PatchWhitening(c, kernel_size=3, dtype=dtype) if whiten else None
        c = self.whiten.out_channels if whiten else c
        layers = []
        for out_channels in channels:
            layers += [nn.Conv2d(c, out_channels, 3, padding=1, bias=False, dtype=dtype, rng=rng),
                       nn.BatchNorm2dPoolReLU(out_channels, dtype=dtype)]
            if second_conv:
                layers += [nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False, dtype=dtype, rng=rng),
                           nn.BatchNorm2d(out_channels, dtype=dtype), nn.ReLU()]
            c = out_channels
        layers += affine_head(c, input_dim, len(channels), num_classes, dtype, rng)
        self.network = nn.Sequential(*layers)
        label_like_cs231n(self)

    def forward(self, X):
        """Images (N, C, H, W) or rows (N, C*H*W) -> (N, num_classes) scores, in the current mode."""
        x = batch_images(X, self.input_dim, self.dtype, "WhitenedConvNet")
        if self.training:
            return self._scores(self.augment(x) if self.augment is not None else x)
        if not self.flip_test:
            return self._scores(x)
        mirrored = Tensor(np.ascontiguousarray(x.data[..., ::-1]), name="X (mirrored)")
        return 0.5 * (self._scores(x) + self._scores(mirrored))

    def _scores(self, x):
        return self.network(self.whiten(x) if self.whiten is not None else x)

    def loss(self, X, y):
        """Cross-entropy against labels smoothed by label_smoothing, + 0.5 * reg * sum(W**2)."""
        loss = F.label_smoothed_cross_entropy(self(X), y, self.label_smoothing)
        if self.reg:
            loss = loss + 0.5 * self.reg * F.sum_of_squares(*self.penalized_weights())
        return loss

    def fit_whitening(self, X_train, count=5000):
        """Fit the whitening filters on the first `count` training images (rows or images); returns self."""
        if self.whiten is not None:
            self.whiten.fit(batch_images(X_train[:count], self.input_dim, np.float64, "WhitenedConvNet").data)
        return self

    def extra_repr(self):
        return f"{super().extra_repr()}, label_smoothing={self.label_smoothing}, flip_test={self.flip_test}"


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


def fit_whitened_convnet(splits, config, verbose):
    """WhitenedConvNet on mean- and std-normalized CHW pixels: its whitening filters are fitted on the
    training images before the Solver starts. Its checkpoint adds the filters (`whiten_W`, empty
    without whitening) and the flags that say how the layers run (`second_conv`, `flip_test`)."""
    options = dict(config["model"])
    dtype = np.dtype(options.pop("dtype"))
    inputs, fields = pixel_inputs(splits, config["preprocessing"], dtype)
    if config["preprocessing"]["layout"] != "CHW":
        raise ValueError(f"WhitenedConvNet takes images (3, 32, 32): its rows need layout CHW, "
                         f"got {config['preprocessing']['layout']}")
    model = WhitenedConvNet(input_dim=(3,) + splits.X_train.shape[1:3], dtype=dtype, seed=config["seed"], **options)
    model.fit_whitening(inputs.X_train)
    # With whitening, the first learned conv sees 27 channels, not colours: the filters shown are the whitening's.
    fitted = fit_net(model, inputs, config, fields, verbose, first_layer_layout=None if options["whiten"] else "CHW")
    whiten_W = model.whiten.weight if model.whiten is not None else np.zeros((0, 3, 3, 3), dtype=dtype)
    if options["whiten"]:
        fitted.figures.append(FirstLayerWeights(weight_images(whiten_W, "CHW")))
    fitted.checkpoint.update(whiten_W=np.array(whiten_W, copy=True), second_conv=np.array(options["second_conv"]),
                             flip_test=np.array(options["flip_test"]))
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
    name="convnet_deep", title="Conv net (conv-bn-relu blocks, augmentation)", order=90,
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

register(ModelSpec(
    name="convnet_whitened", title="Conv net (whitened patches, two convs a block, label smoothing, flip TTA)",
    order=95, groups=("convnet",), fit=fit_whitened_convnet,
    settings={**PREPROCESSING_SETTINGS, "channels": IntegerList(1, min_length=1, example="[32,64,128]"),
              "second_conv": Flag(), "whiten": Flag(), "label_smoothing": Number(0, 0.99), "flip_test": Flag(),
              "reg": Number(low=0), "augment": Flag(), "dtype": DTYPE,
              **SCHEDULED_SOLVER_SETTINGS, **MOMENTUM_SETTINGS, "seed": SEED},
    kept=Kept.load("convnet_whitened"),
    quick={"num_epochs": 1, "channels": [4, 8], "batch_size": 100},
    checkpoint="whiten_W (27, 3, 3, 3: frozen 3x3 whitening filters, padding 1; empty: none), then per block W{i} "
               "(3x3 conv, padding 1, no bias) gamma{i} beta{i} running_mean{i} running_var{i}, 2x2 max pool, relu, "
               "and when second_conv the same again without the pool; then the affine W{last} b{last}; flip_test: "
               "scores averaged with the mirrored image's; " + CHECKPOINT_FIELDS,
    figures=(TrainingCurves, FirstLayerWeights),
))
