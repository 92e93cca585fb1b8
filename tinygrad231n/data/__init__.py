"""CIFAR-10: loading the official files or the shipped sample, downloading, and the notebooks' preprocessing."""
from tinygrad231n.data.cifar10 import (
    CLASSES,
    SAMPLE_PATH,
    DataError,
    DataNotFoundError,
    find_batches_dir,
    load_batch,
    load_cifar10,
    load_cifar10_sample,
    load_label_names,
)
from tinygrad231n.data.download import OFFICIAL_MD5, OFFICIAL_URL, default_data_dir, download_cifar10
from tinygrad231n.data.preprocess import (
    append_bias,
    flatten,
    map_images,
    mean_image,
    split_train_val_test,
    subtract_mean,
    to_nchw,
)

__all__ = [
    "CLASSES", "SAMPLE_PATH", "DataError", "DataNotFoundError", "find_batches_dir", "load_batch",
    "load_cifar10", "load_cifar10_sample", "load_label_names",
    "OFFICIAL_MD5", "OFFICIAL_URL", "default_data_dir", "download_cifar10",
    "append_bias", "flatten", "map_images", "mean_image", "split_train_val_test", "subtract_mean", "to_nchw",
]
