"""RandomFlipCrop: the standard CIFAR-10 augmentation as a layer that is active only in training mode."""
import numpy as np

from ..tensor import Tensor, as_tensor
from .module import Module


class RandomFlipCrop(Module):
    """In training mode, each image of x (N, C, H, W) is mirrored left-right with probability 1/2
    (`flip`) and shifted by up to `padding` pixels each way: zero-padded, then cropped back to
    H x W at a random offset (so pixels that leave on one side come back as zeros on the other).
    In evaluation mode it is the identity.

    Meant for input images (after mean subtraction, zero is the mean colour): the result is a
    constant, so it refuses an input that needs a gradient. `rng`: a numpy Generator or a seed.
    """

    def __init__(self, padding=4, flip=True, rng=None):
        super().__init__()
        if padding < 0:
            raise ValueError(f"RandomFlipCrop: padding must be >= 0, got {padding}")
        self.padding, self.flip = int(padding), bool(flip)
        self.rng = np.random.default_rng(rng)

    def forward(self, x):
        x = as_tensor(x)
        if not self.training or (self.padding == 0 and not self.flip):
            return x
        if x.requires_grad:
            raise ValueError(f"{self!r}: augments input images only; this input requires a gradient, which "
                             "the random crops would not pass back")
        if x.ndim != 4:
            raise ValueError(f"{self!r}: expected images (N, C, H, W), got shape {x.shape}")
        n, _, h, w = x.shape
        p = self.padding
        padded = np.pad(x.data, ((0, 0), (0, 0), (p, p), (p, p)))
        if self.flip:
            mirrored = self.rng.random(n) < 0.5
            padded[mirrored] = padded[mirrored, :, :, ::-1]
        top, left = self.rng.integers(0, 2 * p + 1, size=(2, n))
        out = np.empty_like(x.data)
        for i in range(n):
            out[i] = padded[i, :, top[i]:top[i] + h, left[i]:left[i] + w]
        return Tensor(out, name=f"{x.name} (augmented)" if x.name else None)

    def extra_repr(self):
        return f"padding={self.padding}, flip={self.flip}"
