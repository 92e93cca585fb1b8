"""torchvision.transforms' image transforms, without PIL: images are numpy arrays or Tensors.

    T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(),
               T.ToTensor(), T.Normalize((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010))])

Two kinds of image, told apart by type:
- a numpy array is an image in (H, W, C) or (H, W) layout: what datasets.CIFAR10 returns where
  torchvision returns a PIL image, so the transforms that torchvision applies to PIL images
  (RandomCrop, RandomHorizontalFlip before ToTensor) take it and return the same kind;
- a Tensor is in (..., H, W) layout (channels first), as in torchvision.
ToTensor turns the first kind into the second.

RandomCrop and RandomHorizontalFlip draw from the front's generator (tinygrad231n.torch.random,
reseeded by torch.manual_seed), or from the `generator` they are given: the same seed gives other
crops and flips than in PyTorch. They copy the image (no graph is recorded through them); Normalize
is Tensor arithmetic, recorded when its input requires grad.
"""
import numbers

import numpy as np

from tinygrad231n.errors import InputError
from tinygrad231n.tensor import Tensor
from tinygrad231n.torch._unsupported import unsupported
from tinygrad231n.torch.random import generator_or_default

__all__ = ["Compose", "ToTensor", "Normalize", "RandomCrop", "RandomHorizontalFlip"]


class Compose:
    """Applies `transforms` in order: Compose([f, g])(img) == g(f(img))."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for transform in self.transforms:
            img = transform(img)
        return img

    def __repr__(self):
        lines = "".join(f"\n    {transform}" for transform in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


class ToTensor:
    """A numpy image (H, W, C) or (H, W) -> a Tensor (C, H, W); uint8 0..255 becomes float32 in [0, 1].

    As torchvision: only uint8 is rescaled (x / 255 in float32); an array of another dtype keeps its
    dtype and values, only moved channels first.
    """

    def __call__(self, pic):
        if not isinstance(pic, np.ndarray):
            raise InputError(f"ToTensor: pic should be a numpy array (H, W, C) or (H, W) (the front has no PIL "
                             f"images), got {type(pic).__name__}")
        if pic.ndim not in (2, 3):
            raise InputError(f"ToTensor: pic should be 2/3 dimensional, (H, W) or (H, W, C); got shape {pic.shape}")
        chw = np.ascontiguousarray((pic[:, :, None] if pic.ndim == 2 else pic).transpose(2, 0, 1))
        if chw.dtype == np.uint8:
            return Tensor(chw.astype(np.float32) / np.float32(255))
        return Tensor(chw, dtype=chw.dtype)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Normalize:
    """(img - mean[c]) / std[c] for each channel c of a float Tensor (..., C, H, W); the input is unchanged.

    mean and std are sequences of C numbers (or one number for every channel), used in the
    image's dtype, as torchvision does. An input that requires grad goes through the engine's
    arithmetic (recorded); any other through the same arithmetic in numpy, without the tape's cost
    per op (it runs once per image of every epoch).
    """

    def __init__(self, mean, std, inplace=False):
        if inplace:
            raise InputError("Normalize: inplace=True is not supported (the engine's arithmetic makes a new "
                             "Tensor); use the default inplace=False")
        self.mean, self.std = mean, std
        self._constants = {}  # (dtype, channels) -> (mean, std) arrays shaped (C, 1, 1), checked once

    def __call__(self, tensor):
        if not isinstance(tensor, Tensor) or tensor.dtype.kind != "f":
            what = tensor.dtype if isinstance(tensor, Tensor) else type(tensor).__name__
            raise InputError(f"Normalize: expected a float Tensor image (..., C, H, W) (apply ToTensor first), "
                             f"got {what}")
        if tensor.ndim < 3:
            raise InputError(f"Normalize: expected a Tensor image of shape (..., C, H, W), got shape {tensor.shape}")
        key = (tensor.dtype, tensor.shape[-3])
        if key not in self._constants:
            self._constants[key] = self._per_channel(tensor)
        mean, std = self._constants[key]
        if tensor.requires_grad:
            return (tensor - Tensor(mean)) / Tensor(std)
        return Tensor((tensor.data - mean) / std)

    def _per_channel(self, tensor):
        """mean and std in the image's dtype, shaped (C, 1, 1) (or (1, 1, 1)) to broadcast over (..., C, H, W)."""
        arrays = []
        for name, values in (("mean", self.mean), ("std", self.std)):
            array = np.asarray(values, dtype=tensor.dtype).reshape(-1)
            channels = tensor.shape[-3]
            if array.size not in (1, channels):
                raise InputError(f"Normalize: {name} has {array.size} values for an image of {channels} channels "
                                 f"(shape {tensor.shape}); give one per channel")
            arrays.append(array.reshape(-1, 1, 1))
        if (arrays[1] == 0).any():
            raise InputError(f"Normalize: std evaluated to zero after conversion to {tensor.dtype}, "
                             "leading to division by zero")
        return tuple(arrays)

    def __repr__(self):
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


def _pair(size, name):
    """An int n -> (n, n); a sequence of one or two ints -> (h, w)."""
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = (size, size)
    elif isinstance(size, (tuple, list)) and len(size) in (1, 2):
        size = tuple(size) * (3 - len(size))
    else:
        raise InputError(f"{name}: size must be an int or a sequence (h, w), got {size!r}")
    if not all(isinstance(n, numbers.Integral) and n > 0 for n in size):
        raise InputError(f"{name}: the sizes must be positive integers, got {size!r}")
    return tuple(int(n) for n in size)


def _borders(padding):
    """torchvision's padding forms -> (left, top, right, bottom): n for all four, (left/right, top/bottom),
    or (left, top, right, bottom)."""
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        padding = [padding]
    if not isinstance(padding, (tuple, list)) or len(padding) not in (1, 2, 4):
        raise InputError(f"RandomCrop: padding must be an int or a 1, 2, or 4 element sequence, got {padding!r}")
    if not all(isinstance(n, numbers.Integral) and n >= 0 for n in padding):
        raise InputError(f"RandomCrop: padding must be non-negative integers, got {padding!r}")
    if len(padding) == 1:
        return tuple(padding) * 4
    if len(padding) == 2:
        return tuple(padding) * 2
    return tuple(padding)


_NUMPY_PAD_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}


def _image_axes(img, owner):
    """(array, index of the H axis): (H, W[, C]) numpy images, (..., H, W) Tensors; `owner` names the
    transform in the error."""
    if isinstance(img, Tensor):
        return img.data, img.ndim - 2
    if isinstance(img, np.ndarray) and img.ndim in (2, 3):
        return img, 0
    raise InputError(f"{owner}: expected an image: a numpy array (H, W, C) or (H, W), or a Tensor (..., H, W); got "
                     f"{type(img).__name__} of shape {getattr(img, 'shape', None)}")


def _like(img, array):
    """`array` as the same kind of image as `img` (a Tensor of the same dtype, or a numpy array)."""
    return Tensor(array, dtype=array.dtype) if isinstance(img, Tensor) else array


class RandomCrop:
    """A random (h, w) window of the image, after padding its borders if asked (torchvision's RandomCrop).

    `padding`: an int (all four borders), (left/right, top/bottom) or (left, top, right, bottom);
    `padding_mode` "constant" (with `fill`: a number, or one per channel for (H, W, C) arrays),
    "edge", "reflect" or "symmetric". `pad_if_needed` pads an image smaller than the crop. The top
    row is drawn first, then the left column, uniformly among the windows that fit.
    """

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode="constant", generator=None):
        self.size = _pair(size, "RandomCrop")
        self.padding = padding
        self._borders = None if padding is None else _borders(padding)
        if padding_mode not in _NUMPY_PAD_MODES:
            raise InputError(f"RandomCrop: padding_mode must be one of {sorted(_NUMPY_PAD_MODES)}, "
                             f"got {padding_mode!r}")
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode
        self.generator = generator

    def _pad(self, array, h_axis, borders):
        """`array` with (left, top, right, bottom) more rows/columns around its H and W axes."""
        left, top, right, bottom = borders
        widths = [(0, 0)] * array.ndim
        widths[h_axis], widths[h_axis + 1] = (top, bottom), (left, right)
        if self.padding_mode != "constant":
            return np.pad(array, widths, mode=_NUMPY_PAD_MODES[self.padding_mode])
        out = np.empty([n + a + b for n, (a, b) in zip(array.shape, widths)], dtype=array.dtype)
        out[...] = np.asarray(self.fill, dtype=array.dtype)  # a per-channel fill broadcasts over the last axis
        out[tuple(slice(a, a + n) for n, (a, _) in zip(array.shape, widths))] = array
        return out

    def __call__(self, img):
        array, h_axis = _image_axes(img, "RandomCrop")
        if self._borders is not None:
            array = self._pad(array, h_axis, self._borders)
        th, tw = self.size
        height, width = array.shape[h_axis], array.shape[h_axis + 1]
        if self.pad_if_needed and width < tw:
            array = self._pad(array, h_axis, (tw - width, 0, tw - width, 0))
        if self.pad_if_needed and height < th:
            array = self._pad(array, h_axis, (0, th - height, 0, th - height))
        height, width = array.shape[h_axis], array.shape[h_axis + 1]
        if height < th or width < tw:
            raise InputError(f"RandomCrop: required crop size {(th, tw)} is larger than input image size "
                             f"{(height, width)}")
        top = left = 0
        if (height, width) != (th, tw):  # as torchvision: no draw when the only window is the whole image
            rng = generator_or_default(self.generator)
            top, left = int(rng.integers(0, height - th + 1)), int(rng.integers(0, width - tw + 1))
        window = [slice(None)] * array.ndim
        window[h_axis], window[h_axis + 1] = slice(top, top + th), slice(left, left + tw)
        return _like(img, np.ascontiguousarray(array[tuple(window)]))

    def __repr__(self):
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirrors the image left to right (the W axis) with probability p."""

    def __init__(self, p=0.5, generator=None):
        if not 0 <= p <= 1:
            raise InputError(f"RandomHorizontalFlip: p is a probability, in [0, 1]; got {p!r}")
        self.p = p
        self.generator = generator

    def __call__(self, img):
        array, h_axis = _image_axes(img, "RandomHorizontalFlip")
        if generator_or_default(self.generator).random() < self.p:
            return _like(img, np.ascontiguousarray(np.flip(array, axis=h_axis + 1)))
        return img

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


__getattr__ = unsupported(__name__)
