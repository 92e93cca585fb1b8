"""CS231n's data_utils for CIFAR-10, as thin wrappers over tinygrad231n.data.

    X_train, y_train, X_test, y_test = load_CIFAR10(cifar10_dir)   # float64 (N, 32, 32, 3), 0..255
    data = get_CIFAR10_data()                                      # NCHW splits, mean-subtracted

Unlike the original, the files are read with a loader that refuses pickles carrying code, and a
missing folder is an error that says how to get the data.
"""
import numpy as np

from tinygrad231n.data import (default_data_dir, load_batch, load_cifar10, map_images, mean_image,
                               split_train_val_test, to_nchw)
from tinygrad231n.data import subtract_mean as subtract_mean_image


def load_CIFAR_batch(filename):
    """One official batch file -> X float64 (n, 32, 32, 3) with values 0..255, Y int64 (n,)."""
    X, Y = load_batch(filename)
    return X.astype(np.float64), Y


def load_CIFAR10(ROOT):
    """All of CIFAR-10 from ROOT (the cifar-10-batches-py folder, or its parent).

    Returns Xtr (50000, 32, 32, 3), Ytr (50000,), Xte (10000, 32, 32, 3), Yte (10000,): images
    float64 in 0..255, labels int64.
    """
    return load_cifar10(ROOT, dtype=np.float64)


def get_CIFAR10_data(num_training=49000, num_validation=1000, num_test=1000, subtract_mean=True,
                     cifar10_dir=None):
    """The assignment's ready-made splits: a dict of X_train, y_train, X_val, y_val, X_test, y_test.

    train = the first num_training training images, val = the num_validation after them, test =
    the first num_test test images. With subtract_mean, the training mean image is subtracted
    from all three. Images come back float64 channels-first (N, 3, 32, 32); labels int64.
    `cifar10_dir` None means default_data_dir() / "cifar-10-batches-py".
    """
    if cifar10_dir is None:
        cifar10_dir = default_data_dir() / "cifar-10-batches-py"
    data = split_train_val_test(*load_CIFAR10(cifar10_dir), num_training=num_training,
                                num_validation=num_validation, num_test=num_test, num_dev=0)
    data = {key: value for key, value in data.items() if not key.endswith("_dev")}
    if subtract_mean:
        data = subtract_mean_image(data, mean_image(data["X_train"]))
    return map_images(data, to_nchw)
