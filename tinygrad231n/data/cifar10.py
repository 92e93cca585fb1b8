"""Read CIFAR-10 from its official "python version" files, or the small sample shipped in the package.

The official layout is a folder ``cifar-10-batches-py/`` holding ``data_batch_1`` .. ``data_batch_5``
(10,000 training images each), ``test_batch`` (10,000 test images) and ``batches.meta`` (the 10 class
names). ``load_cifar10`` checks all of that: a batch of another size or a meta with other names is
a DataError, not a smaller data set. Each batch is a Python 2 pickle of a dict with

- ``data``: uint8 array (n, 3072); a row is 1024 red values, then 1024 green, then 1024 blue, each
  a 32x32 image in row-major order;
- ``labels``: a list of n ints in 0..9.

Everything here returns images as (N, 32, 32, 3) arrays (height, width, RGB channel), as the CS231n
notebooks use them, with pixel values left in 0..255, and labels as int64.
"""
import codecs
import pickle
from pathlib import Path

import numpy as np

from tinygrad231n.errors import InputError

BATCHES_DIR = "cifar-10-batches-py"
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
SAMPLE_PATH = Path(__file__).resolve().parent / "sample" / "cifar10_sample.npz"

HOW_TO_GET_DATA = (
    "run `tinygrad231n download` (or tinygrad231n.data.download_cifar10()) to fetch CIFAR-10, "
    "or use the small shipped sample with `--sample` / load_cifar10_sample()"
)
_ROW_LENGTH = 32 * 32 * 3
IMAGES_PER_BATCH = 10_000  # in every official batch, training and test alike


class DataError(InputError):
    """A data file is corrupt, truncated, or does not hold what it should (CIFAR-10 here, COCO in coco.py).

    The message is `problem`, then `advice` (what to do about it) if given. `problem` alone is kept
    for callers that give their own advice (download, whose temporary copy is gone by then).
    """

    def __init__(self, problem, advice=None):
        super().__init__(problem if advice is None else f"{problem}; {advice}")
        self.problem = problem


class DataNotFoundError(DataError, FileNotFoundError):
    """A data file or folder is missing."""


# Pickles can run arbitrary code when loaded; a CIFAR-10 batch only ever needs these globals.
# np.ndarray.__reduce__ names the function that rebuilds arrays, wherever this numpy version keeps it.
_reconstruct = np.empty(0).__reduce__()[0]
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,  # how numpy < 2 (and Python 2) named it
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,  # how numpy >= 2 names it
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): codecs.encode,  # Python 3 writes bytes this way in protocol-2 pickles
}


class _BatchUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}: a CIFAR-10 batch holds only numpy arrays")
        return _ALLOWED_GLOBALS[(module, name)]


def _unpickle(path):
    """Load one batch file as a dict with str keys (the files may use str or bytes keys)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            # latin1 turns Python 2 str back into the raw bytes numpy stored in them.
            obj = _BatchUnpickler(fh, encoding="latin1").load()
    except FileNotFoundError:
        raise DataNotFoundError(f"{path} does not exist", HOW_TO_GET_DATA) from None
    except Exception as err:  # any unpickling failure means the same thing: this file is broken
        raise DataError(f"{path} is truncated or corrupt ({type(err).__name__}: {err})",
                        f"delete it and {HOW_TO_GET_DATA}") from err
    if not isinstance(obj, dict):
        raise DataError(f"{path}: expected a pickled dict, got {type(obj).__name__}")
    return {_as_str(key): value for key, value in obj.items()}


def _as_str(value):
    return value.decode("latin1") if isinstance(value, bytes) else value


def _field(batch, key, path):
    if key not in batch:
        raise DataError(f"{path}: expected a dict with key {key!r}, found keys {sorted(map(str, batch))}")
    return batch[key]


def _check_labels(labels, n, source):
    """Labels must be n integers in 0..9; returns them as int64."""
    labels = np.asarray(labels)
    if labels.shape != (n,):
        raise DataError(f"{source}: expected {n} labels (one per image), got an array of shape {labels.shape}")
    if n and (labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() > 9):
        raise DataError(f"{source}: labels must be integers in 0..9, got dtype {labels.dtype} "
                        f"with values {labels.min()}..{labels.max()}")
    return labels.astype(np.int64)


def _cast_images(X, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.uint8:
        return X
    if dtype.kind != "f":
        raise ValueError(f"dtype must be np.uint8 or a float dtype such as np.float64, got {dtype}")
    return X.astype(dtype)


def load_batch(path):
    """Read one official batch file (``data_batch_i`` or ``test_batch``).

    Returns ``X`` uint8 (n, 32, 32, 3) and ``y`` int64 (n,). Raises DataNotFoundError if the file is
    missing and DataError if it is truncated, corrupt, or holds the wrong shapes.
    """
    batch = _unpickle(path)
    data = np.asarray(_field(batch, "data", path))
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != _ROW_LENGTH:
        raise DataError(f"{path}: expected 'data' as a uint8 array of shape (n, {_ROW_LENGTH}), "
                        f"got {data.dtype} of shape {data.shape}")
    y = _check_labels(_field(batch, "labels", path), len(data), path)
    X = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # channel-planar rows -> (n, H, W, C)
    return np.ascontiguousarray(X), y


def find_batches_dir(root):
    """The ``cifar-10-batches-py`` folder, given either that folder or the folder holding it."""
    root = Path(root).expanduser()
    for candidate in (root, root / BATCHES_DIR):
        if (candidate / "batches.meta").exists() or (candidate / "data_batch_1").exists():
            return candidate
    raise DataNotFoundError(f"no CIFAR-10 batches in {root} (looked for data_batch_1 in it and in "
                            f"{root / BATCHES_DIR})", HOW_TO_GET_DATA)


def load_label_names(root):
    """The 10 class names from ``batches.meta``, as a list of str in label order (0 is 'airplane').

    They must be CIFAR-10's (``CLASSES``), in that order: every label this package reports means one.
    """
    path = find_batches_dir(root) / "batches.meta"
    names = [_as_str(name) for name in _field(_unpickle(path), "label_names", path)]
    if names != list(CLASSES):
        raise DataError(f"{path}: expected CIFAR-10's {len(CLASSES)} label names {list(CLASSES)}, got "
                        f"{len(names)}: {names}", f"delete it and {HOW_TO_GET_DATA}")
    return names


def load_cifar10(root, dtype=np.uint8):
    """Load all of CIFAR-10 from the official python-version files.

    ``root`` is the ``cifar-10-batches-py`` folder or its parent. Returns
    ``X_train (50000, 32, 32, 3), y_train (50000,), X_test (10000, 32, 32, 3), y_test (10000,)``:
    images as ``dtype`` (uint8 by default; a float dtype keeps the 0..255 scale), labels int64.
    Raises DataError unless every batch holds ``IMAGES_PER_BATCH`` images and ``batches.meta``
    CIFAR-10's 10 class names.
    """
    folder = find_batches_dir(root)
    load_label_names(folder)
    train = [_load_full_batch(folder / f"data_batch_{i}") for i in range(1, 6)]
    X_train = np.concatenate([X for X, _ in train])
    y_train = np.concatenate([y for _, y in train])
    X_test, y_test = _load_full_batch(folder / "test_batch")
    return _cast_images(X_train, dtype), y_train, _cast_images(X_test, dtype), y_test


def _load_full_batch(path):
    X, y = load_batch(path)
    if len(X) != IMAGES_PER_BATCH:
        raise DataError(f"{path}: expected {IMAGES_PER_BATCH:,} images, as in every official CIFAR-10 batch, "
                        f"got {len(X):,}", f"delete it and {HOW_TO_GET_DATA}")
    return X, y


def load_cifar10_sample(dtype=np.uint8):
    """Load the sample shipped in the package: the first images of each official split.

    Same return convention as load_cifar10, with fewer images (see ``SAMPLE_PATH``; built by
    ``scripts/make_sample.py``): ``X_train (n_train, 32, 32, 3), y_train, X_test, y_test``.
    """
    if not SAMPLE_PATH.exists():
        raise DataNotFoundError(f"the shipped sample {SAMPLE_PATH} is missing from this install; "
                                "rebuild it with scripts/make_sample.py or reinstall tinygrad231n")
    with np.load(SAMPLE_PATH, allow_pickle=False) as sample:
        arrays = {key: sample[key] for key in ("X_train", "y_train", "X_test", "y_test")}
    y_train = _check_labels(arrays["y_train"], len(arrays["X_train"]), SAMPLE_PATH)
    y_test = _check_labels(arrays["y_test"], len(arrays["X_test"]), SAMPLE_PATH)
    return _cast_images(arrays["X_train"], dtype), y_train, _cast_images(arrays["X_test"], dtype), y_test
