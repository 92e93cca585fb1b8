"""CIFAR-10: loading the official files or the shipped sample, downloading, and the notebooks' preprocessing;
CS231n's COCO captioning files (`coco`, h5py from the `coco` extra) and their synthetic stand-in for tests."""
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
from tinygrad231n.data.coco import (
    SyntheticCocoWarning,
    decode_captions,
    default_coco_dir,
    load_coco_data,
    sample_coco_minibatch,
)
from tinygrad231n.data.download import COCO_URL, OFFICIAL_MD5, OFFICIAL_URL, download_cifar10, download_coco
from tinygrad231n.data.folder import default_data_dir
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
    "SyntheticCocoWarning", "decode_captions", "default_coco_dir", "load_coco_data", "sample_coco_minibatch",
    "COCO_URL", "download_coco",
    "append_bias", "flatten", "map_images", "mean_image", "split_train_val_test", "subtract_mean", "to_nchw",
]
