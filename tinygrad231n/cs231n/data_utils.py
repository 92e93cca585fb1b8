"""CS231n's data_utils, as thin wrappers over tinygrad231n.data (plus the assignment's ImageNet loaders).

    X_train, y_train, X_test, y_test = load_CIFAR10(cifar10_dir)   # float64 (N, 32, 32, 3), 0..255
    data = get_CIFAR10_data()                                      # NCHW splits, mean-subtracted

No download needed: `"sample"` in place of a folder means the 1,200 training and 300 test
images shipped in the package (`load_CIFAR10("sample")`, `get_CIFAR10_data(cifar10_dir="sample")`).

Unlike the original, pickles are read with a loader that refuses pickles carrying code, and a
missing folder is an error that says how to get the data.
"""
import os
import pickle
import warnings
from pathlib import Path

import numpy as np

from tinygrad231n.extras import require

from tinygrad231n.data import (DataNotFoundError, default_data_dir, load_batch, load_cifar10, load_cifar10_sample,
                               map_images, mean_image, split_train_val_test, to_nchw)
from tinygrad231n.data import subtract_mean as subtract_mean_image
from tinygrad231n.data.cifar10 import _BatchUnpickler

Image = require("PIL.Image", extra="cs231n", needed_for="reading Tiny ImageNet (cs231n.data_utils)")

__all__ = ["load_pickle", "load_CIFAR_batch", "load_CIFAR10", "get_CIFAR10_data", "load_tiny_imagenet",
           "load_models", "load_imagenet_val"]

SAMPLE = "sample"  # a ROOT / cifar10_dir that means the CIFAR-10 sample shipped in the package


def load_pickle(f):
    """Unpickle an open binary file written by Python 2 or 3 (latin1 for Python 2 str).

    Only plain data (dicts, lists, strings, numbers, numpy arrays) is accepted: a pickle that
    names any other Python object raises pickle.UnpicklingError instead of running its code.
    """
    return _BatchUnpickler(f, encoding="latin1").load()


def load_CIFAR_batch(filename):
    """One official batch file -> X float64 (n, 32, 32, 3) with values 0..255, Y int64 (n,)."""
    X, Y = load_batch(filename)
    return X.astype(np.float64), Y


def load_CIFAR10(ROOT):
    """All of CIFAR-10 from ROOT (the cifar-10-batches-py folder, or its parent), or the shipped
    sample for ROOT = "sample".

    Returns Xtr (50000, 32, 32, 3), Ytr (50000,), Xte (10000, 32, 32, 3), Yte (10000,) (the sample:
    1,200 and 300): images float64 in 0..255, labels int64.
    """
    if str(ROOT) == SAMPLE:
        return load_cifar10_sample(dtype=np.float64)
    return load_cifar10(ROOT, dtype=np.float64)


def get_CIFAR10_data(num_training=49000, num_validation=1000, num_test=1000, subtract_mean=True,
                     cifar10_dir=None):
    """The assignment's ready-made splits: a dict of X_train, y_train, X_val, y_val, X_test, y_test.

    train = the first num_training training images, val = the num_validation after them, test =
    the first num_test test images. With subtract_mean, the training mean image is subtracted
    from all three. Images come back float64 channels-first (N, 3, 32, 32); labels int64.
    `cifar10_dir` None means default_data_dir() / "cifar-10-batches-py"; "sample" means the
    shipped sample, where sizes that do not fit are cut (with a warning) to at most
    1,000 / 200 / 300: at most a sixth of its training images go to validation.
    """
    if cifar10_dir is None:
        cifar10_dir = default_data_dir() / "cifar-10-batches-py"
    try:
        X_train, y_train, X_test, y_test = load_CIFAR10(cifar10_dir)
    except DataNotFoundError as err:
        raise DataNotFoundError(f"{err}; or pass cifar10_dir={SAMPLE!r} for the shipped sample") from None
    if str(cifar10_dir) == SAMPLE:
        num_training, num_validation, num_test = _fit_sample(num_training, num_validation, num_test,
                                                             len(X_train), len(X_test))
    data = split_train_val_test(X_train, y_train, X_test, y_test, num_training=num_training,
                                num_validation=num_validation, num_test=num_test, num_dev=0)
    data = {key: value for key, value in data.items() if not key.endswith("_dev")}
    if subtract_mean:
        data = subtract_mean_image(data, mean_image(data["X_train"]))
    return map_images(data, to_nchw)


def _fit_sample(num_training, num_validation, num_test, available_train, available_test):
    """The requested split sizes, or capped ones (with a warning) when they do not fit the sample."""
    if num_training + num_validation <= available_train and num_test <= available_test:
        return num_training, num_validation, num_test
    num_validation = min(num_validation, available_train // 6)
    fitted = min(num_training, available_train - num_validation), num_validation, min(num_test, available_test)
    warnings.warn(f"get_CIFAR10_data: the shipped sample has {available_train} training and {available_test} test "
                  f"images; using num_training={fitted[0]}, num_validation={fitted[1]}, num_test={fitted[2]}",
                  stacklevel=3)
    return fitted


def load_tiny_imagenet(path, dtype=np.float32, subtract_mean=True):
    """TinyImageNet (-100-A, -100-B or -200; they share one layout) from the folder `path`.

    Returns a dict: class_names (class_names[i] is the list of WordNet names of class i),
    X_train, X_val, X_test (N, 3, 64, 64) of `dtype`, y_train, y_val (N,) int64, y_test (N,) int64
    or None when test/test_annotations.txt is absent, and mean_image (3, 64, 64), the training mean
    (subtracted from all three splits when subtract_mean).
    """
    path = Path(path)
    wnids = _lines(path / "wnids.txt")
    wnid_to_label = {wnid: i for i, wnid in enumerate(wnids)}
    wnid_to_words = dict(line.split("\t", 1) for line in _lines(path / "words.txt"))
    class_names = [[word.strip() for word in wnid_to_words[wnid].split(",")] for wnid in wnids]

    X_train, y_train = [], []
    for i, wnid in enumerate(wnids):
        if (i + 1) % 20 == 0:
            print(f"loading training data for synset {i + 1} / {len(wnids)}")
        files = [line.split("\t")[0] for line in _lines(path / "train" / wnid / f"{wnid}_boxes.txt")]
        X_train.append(_load_images(path / "train" / wnid / "images", files, dtype))
        y_train.append(np.full(len(files), wnid_to_label[wnid], dtype=np.int64))
    X_train, y_train = np.concatenate(X_train), np.concatenate(y_train)

    val = [line.split("\t")[:2] for line in _lines(path / "val" / "val_annotations.txt")]
    X_val = _load_images(path / "val" / "images", [name for name, _ in val], dtype)
    y_val = np.array([wnid_to_label[wnid] for _, wnid in val], dtype=np.int64)

    test_files = sorted(os.listdir(path / "test" / "images"))
    X_test = _load_images(path / "test" / "images", test_files, dtype)
    y_test = None
    annotations = path / "test" / "test_annotations.txt"
    if annotations.is_file():
        wnid_of_file = dict(line.split("\t")[:2] for line in _lines(annotations))
        y_test = np.array([wnid_to_label[wnid_of_file[name]] for name in test_files], dtype=np.int64)

    mean = X_train.mean(axis=0)
    if subtract_mean:
        for X in (X_train, X_val, X_test):
            X -= mean
    return {"class_names": class_names, "X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val,
            "X_test": X_test, "y_test": y_test, "mean_image": mean}


def _lines(file):
    with open(file) as fh:
        return [line.rstrip("\n") for line in fh if line.strip()]


def _load_images(folder, names, dtype):
    """The named image files as (N, 3, H, W) of dtype; greyscale images are repeated over the 3 channels."""
    images = [np.asarray(Image.open(folder / name).convert("RGB")) for name in names]
    if not images:
        return np.zeros((0, 3, 64, 64), dtype=dtype)
    return np.stack(images).transpose(0, 3, 1, 2).astype(dtype)


def load_models(models_dir):
    """{file name: the "model" entry of that pickle} for every file in models_dir; files that are not
    pickles of plain data are skipped (as the original skips files that fail to unpickle)."""
    models = {}
    for name in sorted(os.listdir(models_dir)):
        with open(os.path.join(models_dir, name), "rb") as f:
            try:
                models[name] = load_pickle(f)["model"]
            except pickle.UnpicklingError:
                continue
    return models


def load_imagenet_val(num=None):
    """The assignment's 25 ImageNet validation images: (X (N, 224, 224, 3) uint8, y (N,), class_names dict).

    Read from default_data_dir() / "imagenet_val_25.npz" (the course's get_imagenet_val.sh fetches
    it); num keeps the first num images. The file stores class_names as a pickled dict, so it is
    opened with allow_pickle: use only the course's file.
    """
    path = default_data_dir() / "imagenet_val_25.npz"
    if not path.is_file():
        raise DataNotFoundError(f"{path} does not exist; fetch imagenet_val_25.npz with the course's "
                                "get_imagenet_val.sh and put it there (or set TINYGRAD231N_DATA to its folder)")
    with np.load(path, allow_pickle=True) as f:
        X, y, class_names = f["X"], f["y"], f["label_map"].item()
    if num is not None:
        X, y = X[:num], y[:num]
    return X, y, class_names
