"""From uint8 CIFAR images (N, 32, 32, 3) to the float rows a classifier takes, and back again.

    prep = ImagePreprocessor(layout="HWC", divide_by_std=True, bias=True).fit(X_train_images)
    X_train = prep.transform(X_train_images)     # (N, 3072 + 1) float64
    np.savez(path, W=W, **prep.checkpoint_fields())

The fitted statistics travel in checkpoints (`mean_image`, `std_image`, `layout`, `bias`), so a
checkpoint alone says how to turn a raw image into the model's input, without this project:
    x = image.reshape(-1) if layout == "HWC" else image.transpose(2, 0, 1).reshape(-1)
    x = (x - mean_image) / std_image          # std_image only if present
    x = np.append(x, 1.0)                     # only if bias
"""
import numpy as np

from tinygrad231n import Tensor
from tinygrad231n.data import append_bias

LAYOUTS = ("HWC", "CHW")


def flatten_images(images, layout="HWC"):
    """(N, H, W, C) -> (N, H*W*C) float64, flattened in `layout` order ("CHW" matches CS231n's NCHW nets)."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"flatten_images: expected images (N, H, W, 3), got shape {images.shape}")
    if layout not in LAYOUTS:
        raise ValueError(f"flatten_images: layout must be one of {LAYOUTS}, got {layout!r}")
    ordered = images if layout == "HWC" else images.transpose(0, 3, 1, 2)
    return ordered.reshape(len(images), -1).astype(np.float64)


def batch_rows(X, input_dim, dtype, model_name):
    """A net's input (N, d1, ..., dk) as an (N, D) Tensor of `dtype`; D must equal input_dim."""
    X = np.asarray(X.data if isinstance(X, Tensor) else X)
    if X.ndim < 2:
        raise ValueError(f"{model_name}: X must be a batch (N, ...) of inputs, got shape {X.shape}")
    flat = X.reshape(X.shape[0], int(np.prod(X.shape[1:])))  # not -1: an empty batch has no size to infer
    if flat.shape[1] != input_dim:
        raise ValueError(f"{model_name}: each input has {flat.shape[1]} values (shape {X.shape[1:]}) but the "
                         f"model expects input_dim={input_dim}")
    return Tensor(flat, dtype=dtype, name="X")


class ImagePreprocessor:
    """Flatten, subtract the training mean image, optionally divide by the training std image
    (per pixel and channel), optionally append the bias column of ones."""

    def __init__(self, layout="HWC", divide_by_std=False, bias=False):
        self.layout, self.divide_by_std, self.bias = layout, divide_by_std, bias
        self.mean_image = self.std_image = None

    def fit(self, images):
        flat = flatten_images(images, self.layout)
        self.mean_image = flat.mean(axis=0)
        if self.divide_by_std:
            std = flat.std(axis=0)
            self.std_image = np.where(std > 0, std, 1.0)  # a constant pixel is only centred
        return self

    def transform(self, images, dtype=np.float64):
        if self.mean_image is None:
            raise RuntimeError("ImagePreprocessor.transform: call fit(training_images) first")
        flat = flatten_images(images, self.layout)
        if flat.shape[1] != self.mean_image.size:
            raise ValueError(f"ImagePreprocessor.transform: images have {flat.shape[1]} values each but the "
                             f"preprocessor was fitted on images of {self.mean_image.size}")
        flat -= self.mean_image
        if self.std_image is not None:
            flat /= self.std_image
        return (append_bias(flat) if self.bias else flat).astype(dtype, copy=False)

    def checkpoint_fields(self):
        """What a checkpoint needs to redo this preprocessing: arrays and strings for np.savez."""
        fields = {"mean_image": self.mean_image, "layout": np.array(self.layout), "bias": np.array(self.bias)}
        if self.std_image is not None:
            fields["std_image"] = self.std_image
        return fields
