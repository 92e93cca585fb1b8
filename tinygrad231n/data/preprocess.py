"""The preprocessing steps of the CS231n assignment-1 notebooks, in plain numpy.

A typical linear-classifier pipeline, as in the SVM and softmax notebooks::

    data = split_train_val_test(*load_cifar10(root))          # images (N, 32, 32, 3) uint8
    data = map_images(data, flatten)                          # (N, 3072) float64
    data = subtract_mean(data, mean_image(data["X_train"]))   # zero-centre with the *training* mean
    data = map_images(data, append_bias)                      # (N, 3073): the bias trick
"""
import numpy as np


def split_train_val_test(X_train, y_train, X_test, y_test, num_training=49000, num_validation=1000,
                         num_test=1000, num_dev=500, seed=0):
    """Split CIFAR-10 into train / val / test / dev as the notebooks do.

    - train: the first ``num_training`` training images;
    - val: the ``num_validation`` training images right after them;
    - test: the first ``num_test`` test images;
    - dev: ``num_dev`` images drawn from the new train split without replacement, with
      ``np.random.default_rng(seed)``, for quick checks while developing.

    Takes images of any shape (N, ...) with labels (N,). Returns a dict with keys X_train, y_train,
    X_val, y_val, X_test, y_test, X_dev, y_dev; every entry is a copy, so editing it in place leaves
    the inputs alone. Raises ValueError if more images are asked for than exist.
    """
    _check_pair(X_train, y_train, "X_train", "y_train")
    _check_pair(X_test, y_test, "X_test", "y_test")
    for name, count in [("num_training", num_training), ("num_validation", num_validation),
                        ("num_test", num_test), ("num_dev", num_dev)]:
        if count < 0:
            raise ValueError(f"{name} must be >= 0, got {count}")
    if num_training + num_validation > len(X_train):
        raise ValueError(f"asked for {num_training} training + {num_validation} validation images, "
                         f"but X_train has only {len(X_train)}")
    if num_test > len(X_test):
        raise ValueError(f"asked for {num_test} test images, but X_test has only {len(X_test)}")
    if num_dev > num_training:
        raise ValueError(f"num_dev ({num_dev}) must be at most num_training ({num_training}): "
                         "the dev set is drawn from the training split")
    train, val = slice(0, num_training), slice(num_training, num_training + num_validation)
    dev = np.random.default_rng(seed).choice(num_training, num_dev, replace=False)
    return {
        "X_train": X_train[train].copy(), "y_train": y_train[train].copy(),
        "X_val": X_train[val].copy(), "y_val": y_train[val].copy(),
        "X_test": X_test[:num_test].copy(), "y_test": y_test[:num_test].copy(),
        "X_dev": X_train[dev], "y_dev": y_train[dev],  # fancy indexing already copies
    }


def _check_pair(X, y, x_name, y_name):
    if len(X) != len(y):
        raise ValueError(f"{x_name} has {len(X)} images but {y_name} has {len(y)} labels; expected one label per image")


def map_images(data, fn):
    """A new dict with ``fn`` applied to every image array (keys starting with ``X_``); labels are kept as they are."""
    return {key: fn(value) if key.startswith("X_") else value for key, value in data.items()}


def mean_image(X):
    """Mean over the first axis: (N, ...) -> (...), float64 whatever the input dtype."""
    if len(X) == 0:
        raise ValueError("mean_image: X has no images; expected shape (N, ...) with N >= 1")
    return np.mean(X, axis=0, dtype=np.float64)


def subtract_mean(data, mean):
    """A new dict with ``mean`` subtracted from every ``X_`` array (result float64); labels untouched.

    ``mean`` must have the shape of one image, e.g. ``mean_image(data["X_train"])``: the notebooks
    centre val, test and dev with the training mean, so they see no information from themselves.
    """
    mean = np.asarray(mean, dtype=np.float64)
    for key, X in data.items():
        if key.startswith("X_") and X.shape[1:] != mean.shape:
            raise ValueError(f"subtract_mean: {key} has images of shape {X.shape[1:]} but mean has shape "
                             f"{mean.shape}; expected the mean of images of the same shape")
    return map_images(data, lambda X: X - mean)


def flatten(X):
    """Each image as one row: (N, ...) -> (N, D) float64, D the product of the image dimensions."""
    X = np.asarray(X)
    if X.ndim < 1:
        raise ValueError("flatten: expected an array of shape (N, ...), got a scalar")
    # An explicit D, not -1: numpy cannot infer -1 for an empty batch (the dev split with num_dev=0).
    return X.reshape(len(X), int(np.prod(X.shape[1:]))).astype(np.float64)


def append_bias(X):
    """The bias trick: (N, D) -> (N, D + 1) float64 with a last column of ones, so ``X @ W`` includes the bias."""
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"append_bias: expected a 2-d array (N, D), got shape {X.shape}; flatten images first")
    out = np.ones((X.shape[0], X.shape[1] + 1), dtype=np.float64)
    out[:, :-1] = X
    return out


def to_nchw(X):
    """Channels-last images to channels-first: (N, H, W, C) -> (N, C, H, W), C-contiguous, same dtype."""
    X = np.asarray(X)
    if X.ndim != 4:
        raise ValueError(f"to_nchw: expected images of shape (N, H, W, C), got shape {X.shape}")
    return np.ascontiguousarray(X.transpose(0, 3, 1, 2))
