"""The commands `train`, `graph` and `sweep` in terms of the registry: one model at a time."""
import functools
import os
import tempfile
from pathlib import Path

from models import registry
from tinygrad231n.atomic import save_npz, write_json
from tinygrad231n.data.coco_synthetic import write_synthetic_coco
from tinygrad231n.errors import InputError
from tinygrad231n.paths import check_output_file, check_output_files
from tinygrad231n.threads import limited_threads
from tinygrad231n.viz import pipe, render

from .dataset import HOW_TO_GET_COCO, find_coco, load_captions, load_splits
from .run import result_record

GRAPH_FORMATS = ("svg", "png", "pdf")


@functools.lru_cache(maxsize=2)
def cached_splits(data, sample):
    """Splits loaded once per process: a sweep's tasks on one worker share them (and their features)."""
    return load_splits(data, sample)


def train_one(name, data=None, sample=False, out="runs/train", overrides=None, verbose=True, coco=None):
    """Train one model with its kept settings (plus overrides); returns (Fitted, [paths written]).

    A captioning model reads `coco` (CS231n's coco_captioning folder; default: the data folder's).
    Writes <name>.npz (its checkpoint, if the model has one) and <name>.json (its results record).
    """
    spec = registry.get(name)
    overrides = spec.check(overrides)  # before loading any data
    coco_dir = find_coco(coco) if spec.data == "coco" else None
    if spec.data == "coco" and coco_dir is None:
        raise InputError(f"{name} trains on COCO captions, and none were found; {HOW_TO_GET_COCO}")
    check_output_files(out, [f"{name}.npz"] * bool(spec.checkpoint) + [f"{name}.json"], what="--out")
    source = load_captions(coco_dir) if spec.data == "coco" else load_splits(data, sample)
    fitted = spec.train(source, overrides, verbose=verbose)
    written = []
    if fitted.checkpoint:
        written.append(os.path.join(out, f"{name}.npz"))
        save_npz(written[-1], **fitted.checkpoint)
    written.append(os.path.join(out, f"{name}.json"))
    write_json(written[-1], result_record(fitted, source))
    return fitted, written


def graph_models():
    """The models that have a loss to draw."""
    return tuple(spec.name for spec in registry.specs() if spec.graph)


def draw_graph(name, path):
    """Render the graph of `name`'s loss on a batch of 8 of the sample's validation images (models.fitting's
    GRAPH_BATCH) to `path` (.svg, .png, .pdf).

    The model is trained with its quick settings on the shipped sample (a captioning model: on a small
    synthetic caption set written for the purpose): enough to build every part of the graph. A path
    that cannot be written, or a format other than those, fails before the training.
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
    if spec.data == "coco":
        with tempfile.TemporaryDirectory() as folder:
            captions = load_captions(write_synthetic_coco(Path(folder) / "coco_captioning", n_train=100, n_val=20))
        fitted = spec.train(captions, spec.quick, verbose=False)
    else:
        fitted = spec.train(cached_splits(None, True), spec.quick, verbose=False)
    return render(fitted.loss_graph().to_dot(), path)


def sweep_task(name, data, sample, overrides, threads=None):
    """One sweep configuration: train `name` with `overrides` and return its accuracies.

    threads: limit BLAS and numba to this many threads while it trains (None: leave them be).
    """
    with limited_threads(threads):
        fitted = registry.get(name).train(cached_splits(data, sample), overrides, verbose=False)
    return {"val_acc": fitted.val_acc, "test_acc": fitted.test_acc, "seconds": round(fitted.seconds, 2)}
