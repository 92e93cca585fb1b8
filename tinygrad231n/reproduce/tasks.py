"""The commands `train`, `graph` and `sweep` in terms of the registry: one model at a time."""
import functools
import os

from models import registry
from tinygrad231n.atomic import save_npz, write_json
from tinygrad231n.errors import InputError
from tinygrad231n.paths import check_output_file, check_output_files
from tinygrad231n.threads import limited_threads
from tinygrad231n.viz import pipe, render

from .dataset import load_splits
from .run import result_record

GRAPH_FORMATS = ("svg", "png", "pdf")


@functools.lru_cache(maxsize=2)
def cached_splits(data, sample):
    """Splits loaded once per process: a sweep's tasks on one worker share them (and their features)."""
    return load_splits(data, sample)


def train_one(name, data=None, sample=False, out="runs/train", overrides=None, verbose=True):
    """Train one model with its kept settings (plus overrides); returns (Fitted, [paths written]).

    Writes <name>.npz (its checkpoint, if the model has one) and <name>.json (its results record).
    """
    spec = registry.get(name)
    overrides = spec.check(overrides)  # before loading any data
    check_output_files(out, [f"{name}.npz"] * bool(spec.checkpoint) + [f"{name}.json"], what="--out")
    splits = load_splits(data, sample)
    fitted = spec.train(splits, overrides, verbose=verbose)
    written = []
    if fitted.checkpoint:
        written.append(os.path.join(out, f"{name}.npz"))
        save_npz(written[-1], **fitted.checkpoint)
    written.append(os.path.join(out, f"{name}.json"))
    write_json(written[-1], result_record(fitted, splits))
    return fitted, written


def graph_models():
    """The models that have a loss to draw."""
    return tuple(spec.name for spec in registry.specs() if spec.graph)


def draw_graph(name, path):
    """Render the graph of `name`'s loss on a batch of 8 of the sample's validation images (models.fitting's
    GRAPH_BATCH) to `path` (.svg, .png, .pdf).

    The model is trained with its quick settings on the shipped sample: enough to build every part
    of the graph. A path that cannot be written, or a format other than those, fails before the training.
    """
    spec = registry.get(name)
    if not spec.graph:
        raise InputError(f"{name} has no loss graph to draw (it trains nothing); choose from "
                         f"{', '.join(graph_models())}")
    format = os.path.splitext(path)[1].lstrip(".").lower()
    if format not in GRAPH_FORMATS:
        raise InputError(f"--out {path}: a graph is drawn as {', '.join('.' + f for f in GRAPH_FORMATS)}; "
                         f"give a file name ending in one of them")
    check_output_file(path, what="--out")
    pipe("digraph { X -> loss }", format)  # the renderer can write this format (png, pdf: a system Graphviz)
    fitted = spec.train(cached_splits(None, True), spec.quick, verbose=False)
    return render(fitted.loss_graph().to_dot(), path)


def sweep_task(name, data, sample, overrides, threads=None):
    """One sweep configuration: train `name` with `overrides` and return its accuracies.

    threads: limit BLAS and numba to this many threads while it trains (None: leave them be).
    """
    with limited_threads(threads):
        fitted = registry.get(name).train(cached_splits(data, sample), overrides, verbose=False)
    return {"val_acc": fitted.val_acc, "test_acc": fitted.test_acc, "seconds": round(fitted.seconds, 2)}
