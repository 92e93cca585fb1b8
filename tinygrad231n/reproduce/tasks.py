"""The commands `train`, `graph` and `sweep` in terms of the recipes: one model at a time."""
import functools
import os

from tinygrad231n.atomic import save_npz, write_json
from tinygrad231n.viz import render

from .config import kept_config
from .dataset import load_splits
from .recipes import fit
from .run import result_record

# The fewest steps that still build every part of a model's graph.
QUICK = {"svm": {"num_iters": 1}, "softmax": {"num_iters": 1}, "features_svm": {"num_iters": 1},
         "twolayer": {"num_epochs": 1}, "fcnet": {"num_epochs": 1}, "features_net": {"num_epochs": 1}}


@functools.lru_cache(maxsize=2)
def cached_splits(data, sample):
    """Splits loaded once per process: a sweep's tasks on one worker share them."""
    return load_splits(data, sample)


def train_one(name, data=None, sample=False, out="runs/train", overrides=None, verbose=True):
    """Train one model with its kept settings (plus overrides); write <name>.npz and <name>.json."""
    fitted = fit(name, load_splits(data, sample), kept_config(name, overrides), verbose=verbose)
    if fitted.checkpoint:
        save_npz(os.path.join(out, f"{name}.npz"), **fitted.checkpoint)
    write_json(os.path.join(out, f"{name}.json"), result_record(fitted))
    return fitted


def draw_graph(name, path):
    """Render the graph of `name`'s loss on a batch of 8 sample images to `path` (.svg, .png, .pdf)."""
    if name not in QUICK:
        raise ValueError(f"{name} has no loss graph to draw (kNN does not train); choose from {', '.join(QUICK)}")
    fitted = fit(name, cached_splits(None, True), kept_config(name, QUICK[name]), verbose=False)
    return render(fitted.loss_graph().to_dot(), path)


def sweep_task(name, data, sample, overrides):
    """One sweep configuration: train `name` with `overrides` and return its accuracies."""
    fitted = fit(name, cached_splits(data, sample), kept_config(name, overrides), verbose=False)
    return {"val_acc": fitted.val_acc, "test_acc": fitted.test_acc, "seconds": round(fitted.seconds, 2)}
