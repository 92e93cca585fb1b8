"""The data of a reproduction run: CIFAR-10 split the way the CS231n notebooks split it.

Full data: 49,000 train / 1,000 val (the training images after the first 49,000) / 1,000 test
(the first of test_batch); kNN uses the first 5,000 training and 500 test images. The shipped
sample (1,200 + 300 images) is split 1,000 / 200 / 300, and kNN uses 1,000 and 300.
"""
import dataclasses

import numpy as np

from tinygrad231n.data import (CLASSES, default_data_dir, find_batches_dir, load_cifar10,
                               load_cifar10_sample, split_train_val_test)

FULL_SIZES = dict(num_training=49000, num_validation=1000, num_test=1000, knn_train=5000, knn_test=500)
SAMPLE_SIZES = dict(num_training=1000, num_validation=200, num_test=300, knn_train=1000, knn_test=300)


@dataclasses.dataclass
class Splits:
    """uint8 images (N, 32, 32, 3) and int64 labels of each split, and where they came from."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    knn_train: int
    knn_test: int
    source: str
    class_names: tuple = tuple(CLASSES)
    cache: dict = dataclasses.field(default_factory=dict, repr=False)  # e.g. extracted features

    def sizes(self):
        return {"train": len(self.y_train), "val": len(self.y_val), "test": len(self.y_test),
                "knn_train": self.knn_train, "knn_test": self.knn_test}


def load_splits(data=None, sample=False):
    """The splits of the full data in `data` (or the default data place), or of the shipped sample."""
    if sample:
        arrays, sizes, source = load_cifar10_sample(), SAMPLE_SIZES, "the sample shipped in the package"
    else:
        root = data if data is not None else default_data_dir()
        source = str(find_batches_dir(root))  # a missing folder: DataNotFoundError saying how to get it
        arrays, sizes = load_cifar10(root), FULL_SIZES
    split_sizes = {k: v for k, v in sizes.items() if k.startswith("num_")}
    parts = split_train_val_test(*arrays, **split_sizes, num_dev=0)
    return Splits(parts["X_train"], parts["y_train"], parts["X_val"], parts["y_val"], parts["X_test"],
                  parts["y_test"], sizes["knn_train"], sizes["knn_test"], source)
