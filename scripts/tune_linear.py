#!/usr/bin/env python3
"""Search learning rate and regularization for the linear SVM and softmax on CIFAR-10, print a table.

    python scripts/tune_linear.py --data /tmp/cifar                  # both models, the default grids
    python scripts/tune_linear.py --data /tmp/cifar --model softmax --learning-rates 5e-7,1e-6 --regs 500
    python scripts/tune_linear.py --data /tmp/cifar --kept           # re-check models/hyperparameters.py

The split and the search's preprocessing are the notebooks': train = the first 49,000 training
images, val = the next 1,000, test = the first 1,000 test images; pixels flattened (HWC order) to
float64, the training mean image subtracted from every split, then a column of ones appended (the
bias trick). KEPT records this as "preprocessing": {"layout": "HWC", "divide_by_std": False,
"bias": True} (models.inputs.ImagePreprocessor). Every configuration of the grid is trained once
with each of --seeds and scored on val; the winner has the highest mean val accuracy over the
seeds (one seed's final SGD iterate varies by about +-0.01). Only the winner is scored on test, so
the test set plays no part in choosing.
Each run takes about 15 s on one core: num_iters minibatches of (batch_size, 3073) @ (3073, 10).
"""
import argparse
import itertools
import os
import sys
import time
from pathlib import Path

# On a small shared machine, OpenBLAS threads fighting over the cores made the (200, 3073) @ (3073, 10)
# product 4-15x slower than one thread; pin the libraries before numpy is imported.
_THREADS = os.environ.get("TUNE_THREADS", "1")
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_variable, _THREADS)

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
from models.hyperparameters import KEPT  # noqa: E402
from models.inputs import ImagePreprocessor  # noqa: E402
from models.linear import LinearSVM, Softmax  # noqa: E402
from tinygrad231n.data import default_data_dir, load_cifar10, split_train_val_test  # noqa: E402

MODELS = {"svm": LinearSVM, "softmax": Softmax}
# The notebooks' preprocessing: HWC-flattened float64 pixels minus the training mean image, then the
# bias column. KEPT entries record it in this form; --kept uses what they record.
NOTEBOOK_PREPROCESSING = {"layout": "HWC", "divide_by_std": False, "bias": True}
# The grids around the winners; they were narrowed from coarser passes over lr 5e-8..2e-6, reg
# 1e2..2.5e4 and batch 200..1000 (CS231n's own grid: lr 1e-7, 5e-5; reg 2.5e4, 5e4).
DEFAULT_GRIDS = {
    "svm": {"learning_rates": [5e-8, 1e-7, 2e-7], "regs": [5e3, 1e4, 2e4]},
    "softmax": {"learning_rates": [5e-7, 1e-6, 2e-6], "regs": [2e2, 5e2, 1e3]},
}


def load_splits(root, preprocessing=NOTEBOOK_PREPROCESSING):
    """The notebooks' split, preprocessed: dict of X_* (N, 3073) float64 and y_* (N,) int64."""
    data = split_train_val_test(*load_cifar10(root), num_dev=0)
    prep = ImagePreprocessor(**preprocessing).fit(data["X_train"])
    splits = {}
    for split in ("train", "val", "test"):
        splits[f"X_{split}"], splits[f"y_{split}"] = prep.transform(data[f"X_{split}"]), data[f"y_{split}"]
    return splits


def accuracy(model, X, y):
    return float(np.mean(model.predict(X) == y))


def fit(name, data, config):
    """Train one configuration; returns (model, row of the table)."""
    model = MODELS[name]()
    start = time.perf_counter()
    history = model.train(data["X_train"], data["y_train"], learning_rate=config["learning_rate"],
                          reg=config["reg"], num_iters=config["num_iters"], batch_size=config["batch_size"],
                          seed=config["seed"])
    row = dict(config, loss=float(np.mean(history[-100:])), train=accuracy(model, data["X_train"], data["y_train"]),
               val=accuracy(model, data["X_val"], data["y_val"]), seconds=time.perf_counter() - start)
    return model, row


def print_row(name, row, test=None):
    text = (f"{name:8s} lr {row['learning_rate']:8.1e}  reg {row['reg']:8.1e}  iters {row['num_iters']:5d}  "
            f"batch {row['batch_size']:4d}  seed {row['seed']:3d}  loss {row['loss']:7.3f}  "
            f"train {row['train']:.3f}  val {row['val']:.3f}  {row['seconds']:5.1f}s")
    print(text + (f"  test {test:.3f}" if test is not None else ""), flush=True)


def train_seeds(name, data, config, seeds):
    """One run per seed, each printed; returns the trained models."""
    models = []
    for seed in seeds:
        model, row = fit(name, data, dict(config, seed=seed))
        print_row(name, row)
        models.append(model)
    return models


def summarize(label, name, data, config, models, with_test=False):
    val = [accuracy(model, data["X_val"], data["y_val"]) for model in models]
    text = (f"{label} {name:8s} lr {config['learning_rate']:8.1e}  reg {config['reg']:8.1e}  "
            f"val mean {np.mean(val):.3f} min {np.min(val):.3f} over {len(models)} seeds")
    if with_test:
        test = [accuracy(model, data["X_test"], data["y_test"]) for model in models]
        text += f"  test mean {np.mean(test):.3f} (each: {', '.join(f'{t:.3f}' for t in test)})"
    print(text, flush=True)
    return float(np.mean(val))


def search(name, data, args):
    """Every (learning rate, reg) of the grid, with every seed; the best mean val accuracy wins."""
    grid = DEFAULT_GRIDS[name]
    seeds = args.seeds or [0, 1, 2]
    best = None
    for learning_rate, reg in itertools.product(args.learning_rates or grid["learning_rates"],
                                                args.regs or grid["regs"]):
        config = dict(learning_rate=learning_rate, reg=reg, num_iters=args.num_iters, batch_size=args.batch_size)
        models = train_seeds(name, data, config, seeds)
        mean_val = summarize("    mean:", name, data, config, models)
        if best is None or mean_val > best[0]:
            best = mean_val, config, models
    _, config, models = best
    summarize("best:", name, data, config, models, with_test=True)


def check_kept(name, root, seeds=None):
    """Train KEPT[name] (with other seeds if given) on the preprocessing it records; score val and test."""
    kept = KEPT[name]
    data = load_splits(root, kept["preprocessing"])
    models = train_seeds(name, data, kept["train"], seeds or [kept["seed"]])
    summarize("kept:", name, data, kept["train"], models, with_test=True)


def floats(text):
    return [float(value) for value in text.split(",")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(default_data_dir()),
                        help="folder holding cifar-10-batches-py (or that folder itself)")
    parser.add_argument("--model", choices=["svm", "softmax", "both"], default="both")
    parser.add_argument("--learning-rates", type=floats, help="comma-separated; default: the model's grid")
    parser.add_argument("--regs", type=floats, help="comma-separated; default: the model's grid")
    parser.add_argument("--num-iters", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=400)
    parser.add_argument("--seeds", type=lambda text: [int(v) for v in text.split(",")],
                        help="comma-separated initialisation and sampling seeds (default: 0,1,2; with --kept, KEPT's)")
    parser.add_argument("--kept", action="store_true", help="train only the KEPT configurations and score them")
    args = parser.parse_args(argv)
    names = ["svm", "softmax"] if args.model == "both" else [args.model]
    if args.kept:
        for name in names:
            check_kept(name, args.data, args.seeds)
        return
    data = load_splits(args.data)
    for name in names:
        search(name, data, args)


if __name__ == "__main__":
    main()
