"""The data of a run: CIFAR-10 split the way the CS231n notebooks split it.

Full data: 49,000 train / 1,000 val (the training images after the first 49,000) / 1,000 test
(the first of test_batch). The shipped sample (1,200 + 300 images) is split 1,000 / 200 / 300.
"""
from models.fitting import Splits
from tinygrad231n.data import default_data_dir, find_batches_dir, load_cifar10, load_cifar10_sample, split_train_val_test

FULL_SIZES = dict(num_training=49000, num_validation=1000, num_test=1000)
SAMPLE_SIZES = dict(num_training=1000, num_validation=200, num_test=300)
SAMPLE_SOURCE = "the sample shipped in the package"


def load_splits(data=None, sample=False):
    """The splits of the full data in `data` (or the default data place), or of the shipped sample."""
    if sample:
        arrays, sizes, source = load_cifar10_sample(), SAMPLE_SIZES, SAMPLE_SOURCE
    else:
        root = data if data is not None else default_data_dir()
        source = str(find_batches_dir(root))  # a missing folder: DataNotFoundError saying how to get it
        arrays, sizes = load_cifar10(root), FULL_SIZES
    parts = split_train_val_test(*arrays, **sizes, num_dev=0)
    return Splits(parts["X_train"], parts["y_train"], parts["X_val"], parts["y_val"], parts["X_test"],
                  parts["y_test"], source, sample=sample)
