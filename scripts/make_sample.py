#!/usr/bin/env python3
"""Build the CIFAR-10 sample shipped in tinygrad231n/data/sample/ from the full official data.

    python scripts/make_sample.py --data /tmp/cifar/cifar-10-batches-py

Takes the first --train training images and the first --test test images (each official split is
already shuffled, so these are mixed classes), checks that every class appears in both, and writes
them with np.savez_compressed: uint8 X_train (n, 32, 32, 3), y_train (n,), X_test, y_test, and
label_names. Fails, leaving no file, if the result is over --max-mb megabytes.

The defaults (1200 + 300) are what fits in 5 MB: CIFAR images barely compress (about 0.93 bytes per
pixel value with zlib), so 2000 + 500 would take about 7.1 MB.
"""
import argparse
import sys
from pathlib import Path

import numpy as np

from tinygrad231n.data.cifar10 import CLASSES, SAMPLE_PATH, load_cifar10, load_label_names


def make_sample(data, out, n_train, n_test, max_mb):
    """Write the sample to ``out``; returns its size in bytes. Raises SystemExit on a bad sample."""
    X_train, y_train, X_test, y_test = load_cifar10(data)
    if n_train > len(X_train) or n_test > len(X_test):
        sys.exit(f"asked for {n_train} train + {n_test} test images, the data has {len(X_train)} + {len(X_test)}")
    X_train, y_train, X_test, y_test = X_train[:n_train], y_train[:n_train], X_test[:n_test], y_test[:n_test]
    for split, y in (("train", y_train), ("test", y_test)):
        missing = sorted(set(range(len(CLASSES))) - set(y.tolist()))
        if missing:
            sys.exit(f"the first {len(y)} {split} images lack classes {missing}; take more images")
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, X_train=X_train, y_train=y_train.astype(np.uint8), X_test=X_test,
                        y_test=y_test.astype(np.uint8), label_names=np.array(load_label_names(data)))
    size = out.stat().st_size
    if size > max_mb * 1e6:
        out.unlink()
        sys.exit(f"the sample is {size / 1e6:.2f} MB, over the {max_mb} MB limit; take fewer images")
    return size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="the cifar-10-batches-py folder or its parent")
    parser.add_argument("--out", default=SAMPLE_PATH, type=Path, help="where to write the .npz")
    parser.add_argument("--train", type=int, default=1200, help="number of training images")
    parser.add_argument("--test", type=int, default=300, help="number of test images")
    parser.add_argument("--max-mb", type=float, default=5.0, help="largest allowed file size, in MB")
    args = parser.parse_args()
    size = make_sample(args.data, args.out, args.train, args.test, args.max_mb)
    print(f"wrote {args.out}: {args.train} train + {args.test} test images, {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
