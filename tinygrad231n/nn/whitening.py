"""PatchWhitening: a frozen first conv whose filters whiten the images' k x k patches (airbench's first layer).

    whiten = PatchWhitening(3, kernel_size=3).fit(X_train[:5000])   # X (N, 3, H, W), preprocessed pixels
    h = whiten(x)                                                    # (N, 27, H, W): decorrelated patch coordinates

The filters are the principal directions of the training images' patches, each divided by the square
root of its variance (PCA whitening): over the training patches, the outputs have unit variance and
no correlation. A net learns faster on such inputs (every direction of a patch, the fine detail as well
as the mean colour, starts on the same scale). The filters are fitted, never trained: they are a
buffer, not a Parameter, so the conv's backward computes no weight gradient (and no input gradient:
the input is the data).
"""
import numpy as np

from .. import ops
from ..tensor import Tensor, as_tensor
from .module import Module


def whitening_filters(images, kernel_size, eps=1e-2):
    """Filters (C*k*k, C, k, k), float64, that whiten the k x k patches of images (N, C, H, W).

    Row j is the j-th principal direction of the patches (largest variance first) divided by
    sqrt(variance_j + eps); eps keeps the directions of nearly no variance from being blown up.
    Patches are taken without padding, so every one is made of real pixels.
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 4 or min(images.shape[2:]) < kernel_size:
        raise ValueError(f"whitening_filters: images must be (N, C, H, W) with H, W >= {kernel_size}, "
                         f"got shape {images.shape}")
    if not np.isfinite(images).all():
        raise ValueError("whitening_filters: images hold NaN or infinite values")
    c, k = images.shape[1], kernel_size
    patches = np.lib.stride_tricks.sliding_window_view(images, (k, k), axis=(2, 3))  # (N, C, H', W', k, k)
    patches = patches.transpose(0, 2, 3, 1, 4, 5).reshape(-1, c * k * k)
    patches = patches - patches.mean(axis=0)
    covariance = patches.T @ patches / len(patches)
    variances, directions = np.linalg.eigh(covariance)  # ascending
    order = np.argsort(variances)[::-1]
    filters = directions[:, order].T / np.sqrt(np.maximum(variances[order], 0) + eps)[:, None]
    return filters.reshape(c * k * k, c, k, k)


class PatchWhitening(Module):
    """x (N, in_channels, H, W) -> (N, in_channels * k * k, H, W): the whitened coordinates of the
    k x k patch around each pixel (zero padding (k - 1) // 2, so H and W stay; k odd).

    `weight` (in_channels*k*k, in_channels, k, k) is a buffer, zero until `fit(images)` sets it
    (see whitening_filters): it is saved in state_dict() and never trained.
    """

    def __init__(self, in_channels, kernel_size=3, eps=1e-2, dtype=np.float64):
        super().__init__()
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"PatchWhitening: kernel_size must be odd (so the padding keeps H and W), "
                             f"got {kernel_size}")
        self.in_channels, self.kernel_size, self.eps = in_channels, kernel_size, eps
        self.out_channels = in_channels * kernel_size ** 2
        self.register_buffer("weight", np.zeros((self.out_channels, in_channels, kernel_size, kernel_size),
                                                dtype=dtype))

    def fit(self, images):
        """Set the filters from training images (N, in_channels, H, W); returns self."""
        images = np.asarray(images)
        if images.ndim != 4 or images.shape[1] != self.in_channels:
            raise ValueError(f"{self!r}: fit takes images (N, {self.in_channels}, H, W), got shape {images.shape}")
        self.weight = whitening_filters(images, self.kernel_size, self.eps).astype(self.weight.dtype)
        return self

    def forward(self, x):
        x = as_tensor(x)
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"{self!r}: input has shape {x.shape}, expected images (N, {self.in_channels}, H, W)")
        weight = Tensor(self.weight, dtype=x.dtype, name="whitening filters")
        return ops.Conv2d.apply(x, weight, None, padding=(self.kernel_size - 1) // 2)

    def extra_repr(self):
        return f"{self.in_channels}, kernel_size={self.kernel_size}, eps={self.eps}"
