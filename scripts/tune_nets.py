#!/usr/bin/env python3
"""Search and re-check the kept settings of the nets and the feature classifiers on CIFAR-10.

    python scripts/tune_nets.py --data /tmp/cifar --verify                     # re-run all three kept configs
    python scripts/tune_nets.py --data /tmp/cifar --verify fcnet --seed 1      # one of them, another seed
    python scripts/tune_nets.py --data /tmp/cifar --model fcnet \\
        --grid learning_rate 1e-3 5e-4 --grid hidden_dims "[512, 256]" "[1024, 512]" --set num_epochs 5

Models: "fcnet" (FullyConnectedNet on pixels), "features_svm" (LinearSVM on HOG + hue features with
the bias column) and "features_net" (TwoLayerNet on the same features, no bias column). Each run
starts from KEPT[model] in models/hyperparameters.py; --set and --grid change settings by their
innermost name (learning_rate, reg, hidden_dims, num_epochs, ...), values written as Python literals.

The split is the notebooks': train = the first 49,000 training images, val = the next 1,000,
test = the first 1,000 test images. Pixels go through models.inputs.ImagePreprocessor and features
through models.features (extracted once, cached as .npz under --cache, never in the repository).
Nets train under the Solver after np.random.seed(seed), so a run is reproducible; the Solver keeps
the parameters with the best val accuracy. A search prints val for every configuration and test
for the winner only, so the test set plays no part in choosing.
"""
import argparse
import ast
import copy
import itertools
import os
import sys
import time
from pathlib import Path

# On a small shared machine, BLAS threads fighting over the cores slow the matmuls down several
# times; pin the libraries to one thread (override with TUNE_THREADS) before numpy is imported.
_THREADS = os.environ.get("TUNE_THREADS", "1")
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_variable, _THREADS)

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
from models.fc_net import FullyConnectedNet  # noqa: E402
from models.features import FeatureNormalizer, extract_features  # noqa: E402
from models.hyperparameters import KEPT  # noqa: E402
from models.inputs import ImagePreprocessor  # noqa: E402
from models.linear import LinearSVM  # noqa: E402
from models.two_layer import TwoLayerNet  # noqa: E402
from tinygrad231n.data import default_data_dir, load_cifar10, split_train_val_test  # noqa: E402
from tinygrad231n.optim import Solver  # noqa: E402

MODELS = ("fcnet", "features_svm", "features_net")
SPLITS = ("train", "val", "test")


# ---- configurations ----------------------------------------------------------------------
def holders(config):
    """{setting name: the dict holding it} over a kept config's nested sections ("model", "solver", ...)."""
    found = {}
    for key, value in config.items():
        if isinstance(value, dict):
            found.update(holders(value))
        else:
            found[key] = config
    return found


def kept_config(name, changes=None):
    """A deep copy of KEPT[name] with `changes` ({innermost setting name: value}) applied."""
    config = copy.deepcopy(KEPT[name])
    places = holders(config)
    for key, value in (changes or {}).items():
        if key not in places:
            raise SystemExit(f"{name} has no setting {key!r}; its settings are {', '.join(sorted(places))}")
        places[key][key] = value
    return config


# ---- inputs -------------------------------------------------------------------------------
def load_images(root):
    """{split: (images (N, 32, 32, 3) uint8, labels (N,))} for train, val and test."""
    data = split_train_val_test(*load_cifar10(root), num_dev=0)
    return {split: (data[f"X_{split}"], data[f"y_{split}"]) for split in SPLITS}


def pixel_inputs(images, preprocessing, dtype):
    """{split: (X (N, D) in dtype, y)}, preprocessed with statistics fitted on the training images."""
    prep = ImagePreprocessor(**preprocessing).fit(images["train"][0])
    return {split: (prep.transform(X, dtype), y) for split, (X, y) in images.items()}


def raw_features(images, cache_dir):
    """{split: (HOG + hue features (N, 154) float64, y)}, read from cache_dir when already extracted."""
    path = Path(cache_dir) / "hog_hue10_features.npz"
    sizes = {split: len(y) for split, (_, y) in images.items()}
    if path.exists():
        with np.load(path) as cached:
            if all(cached[split].shape[0] == size for split, size in sizes.items()):
                return {split: (cached[split], images[split][1]) for split in SPLITS}
    start = time.perf_counter()
    features = {split: extract_features(X) for split, (X, _) in images.items()}
    print(f"extracted features {features['train'].shape[1]} per image in {time.perf_counter() - start:.0f}s; "
          f"cached in {path}", flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **features)
    return {split: (features[split], images[split][1]) for split in SPLITS}


def feature_inputs(features, bias, dtype=np.float64):
    """Features normalized with the training mean and std; with a last column of ones if bias."""
    normalizer = FeatureNormalizer().fit(features["train"][0])
    return {split: (normalizer.transform(X, bias=bias).astype(dtype), y) for split, (X, y) in features.items()}


# ---- training -----------------------------------------------------------------------------
def train_with_solver(model, inputs, config):
    """Solver training after np.random.seed(seed); returns (val accuracy, test accuracy, curves)."""
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = (inputs[split] for split in SPLITS)
    data = {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val}
    np.random.seed(config["seed"])  # the Solver samples minibatches with np.random, as CS231n's does
    solver = Solver(model, data, verbose=False, **config["solver"])
    solver.train()
    test_acc = float(np.mean(np.argmax(model.loss(X_test), axis=1) == y_test))
    return solver.check_accuracy(X_val, y_val), test_acc, {"val by epoch": solver.val_acc_history,
                                                           "train by epoch": solver.train_acc_history}


def run_net(model_class, inputs, config):
    options = dict(config["model"])
    dtype = np.dtype(options.pop("dtype", "float64"))
    inputs = {split: (X.astype(dtype, copy=False), y) for split, (X, y) in inputs.items()}
    model = model_class(input_dim=inputs["train"][0].shape[1], dtype=dtype, seed=config["seed"], **options)
    return train_with_solver(model, inputs, config)


def run_svm(inputs, config):
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = (inputs[split] for split in SPLITS)
    svm = LinearSVM()
    history = svm.train(X_train, y_train, seed=config["seed"], **config["train"])
    accuracy = {split: float(np.mean(svm.predict(X) == y)) for split, (X, y) in inputs.items()}
    return accuracy["val"], accuracy["test"], {"mean loss of the last 100 iterations": f"{np.mean(history[-100:]):.4f}",
                                               "train accuracy": f"{accuracy['train']:.3f}"}


class Runner:
    """Builds each model's inputs once (lazily) and trains configurations of it."""

    def __init__(self, root, cache_dir):
        self.root, self.cache_dir = root, cache_dir
        self._images = self._features = None
        self._pixels = {}

    def images(self):
        if self._images is None:
            self._images = load_images(self.root)
        return self._images

    def features(self):
        if self._features is None:
            self._features = raw_features(self.images(), self.cache_dir)
        return self._features

    def run(self, name, config):
        """Train one configuration of model `name`; returns (val accuracy, test accuracy, curves)."""
        if name == "fcnet":
            dtype = np.dtype(config["model"].get("dtype", "float64"))
            key = repr((sorted(config["preprocessing"].items()), dtype.name))
            if key not in self._pixels:  # one preprocessed copy at a time: 49,000 x 3072 is large
                self._pixels = {key: pixel_inputs(self.images(), config["preprocessing"], dtype)}
            return run_net(FullyConnectedNet, self._pixels[key], config)
        if name == "features_svm":
            return run_svm(feature_inputs(self.features(), bias=True), config)
        if name == "features_net":
            return run_net(TwoLayerNet, feature_inputs(self.features(), bias=False), config)
        raise ValueError(f"unknown model {name!r}; this script tunes {', '.join(MODELS)}")


# ---- command line -------------------------------------------------------------------------
def literal(text):
    """A Python literal ("1e-3", "[512, 256]", "None"), or the text itself as a string ("batchnorm")."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def report(name, changes, val, test, curves, seconds, show_test):
    settings = ", ".join(f"{key}={value!r}" for key, value in changes.items()) or "kept settings"
    test_text = f"  test {test:.3f}" if show_test else ""
    print(f"{name}: {settings}  ->  val {val:.3f}{test_text}  ({seconds:.0f}s)", flush=True)
    for label, values in curves.items():
        shown = " ".join(f"{v:.3f}" for v in values) if isinstance(values, list) else values
        print(f"    {label}: {shown}", flush=True)


def verify(runner, names, seed):
    for name in names:
        config = kept_config(name, {} if seed is None else {"seed": seed})
        start = time.perf_counter()
        val, test, curves = runner.run(name, config)
        report(name, {"seed": config["seed"]}, val, test, curves, time.perf_counter() - start, show_test=True)
        print(f"    settings: { {key: holder[key] for key, holder in holders(config).items()} }", flush=True)


def search(runner, name, fixed, grid):
    """Every combination of the grid (over the kept config with `fixed` applied); test for the winner."""
    keys = list(grid)
    best = None
    for values in itertools.product(*(grid[key] for key in keys)):
        changes = {**fixed, **dict(zip(keys, values))}
        start = time.perf_counter()
        val, test, curves = runner.run(name, kept_config(name, changes))
        report(name, changes, val, test, curves, time.perf_counter() - start, show_test=False)
        if best is None or val > best[1]:
            best = changes, val, test
    changes, val, test = best
    print(f"best {name}: {changes} -> val {val:.3f}  test {test:.3f}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(default_data_dir()),
                        help="folder holding cifar-10-batches-py (or that folder itself)")
    parser.add_argument("--cache", default="/tmp/tinygrad231n_features", help="where extracted features are kept")
    parser.add_argument("--verify", nargs="*", choices=MODELS, metavar="MODEL",
                        help=f"re-run the kept configs of these models (none named: all of {', '.join(MODELS)})")
    parser.add_argument("--seed", type=int, help="with --verify: train with this seed instead of the kept one")
    parser.add_argument("--model", choices=MODELS, help="the model to search over")
    parser.add_argument("--set", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="change one setting of the kept config for every run of the search")
    parser.add_argument("--grid", nargs="+", action="append", default=[], metavar="NAME VALUE",
                        help="a setting and the values to try: --grid learning_rate 1e-3 5e-4")
    args = parser.parse_args(argv)
    runner = Runner(args.data, args.cache)
    if args.verify is not None:
        verify(runner, args.verify or MODELS, args.seed)
        return
    if args.model is None:
        parser.error("give --verify [MODEL ...] or --model MODEL (with --set / --grid)")
    if any(len(entry) < 2 for entry in args.grid):
        parser.error("--grid needs a setting name and at least one value")
    fixed = {key: literal(value) for key, value in args.set}
    grid = {entry[0]: [literal(value) for value in entry[1:]] for entry in args.grid}
    search(runner, args.model, fixed, grid)


if __name__ == "__main__":
    main()
