"""`tinygrad231n reproduce`: every model of the assignments, its checkpoint and one report.

Writes into the run folder, each file atomically (a crash leaves the previous version or none):
results.json (updated after every model), <model>.npz checkpoints, report_material/<model>.npz
(what the report shows of each model) and report.html. A run into a folder that already holds
results adds to them: `--only MODEL` retrains MODEL and the report still covers every model there.
One run at a time per folder (a lock file). The captioning models train on COCO's captions when the
run has them (--coco DIR, or the data folder's coco_captioning/) and are skipped, saying so, otherwise.
"""
import json
import os

from models import registry
from tinygrad231n.atomic import save_npz, write_json
from tinygrad231n.errors import InputError
from tinygrad231n.paths import check_output_files
from tinygrad231n.viz import check_renderer, to_svg

from .dataset import HOW_TO_GET_COCO, find_coco, load_captions, load_splits
from .lock import run_lock
from .material import FOLDER as MATERIAL_FOLDER, load_material, material_path, save_material

RESULTS = "results.json"


def result_record(fitted, source):
    """What results.json keeps of a model: accuracies (null for a captioning model), settings, time, any
    further scores, and the data (`source`: the Splits or CaptionData it trained on)."""
    return {"val_acc": fitted.val_acc, "test_acc": fitted.test_acc, "hyperparameters": fitted.hyperparameters,
            "seconds": round(fitted.seconds, 2), **fitted.scores, "data": source.source}


def summary(fitted):
    """One line of what a model reached: its accuracies, or the scores of a model that does not classify."""
    if fitted.val_acc is not None:
        return f"val {fitted.val_acc:.3f}, test {fitted.test_acc:.3f}"
    return ", ".join(f"{key} {value:.3f}" for key, value in fitted.scores.items())


def check_overrides(overrides):
    """{model: {setting: value}} with every value checked against its model's declared types."""
    return {name: registry.get(name).check(settings) for name, settings in (overrides or {}).items()}


def runnable(names, only, coco_dir):
    """(`names` to train, those skipped): without COCO data the captioning models are skipped in a run of
    every model, and a run that asked for them by --only fails at once (InputError)."""
    captioning = [name for name in names if registry.get(name).data == "coco"]
    if not captioning or coco_dir is not None:
        return names, ()
    if only is not None:
        raise InputError(f"--only {only}: {', '.join(captioning)} train on COCO captions, and none were found; "
                         f"{HOW_TO_GET_COCO}")
    return tuple(name for name in names if name not in captioning), tuple(captioning)


def reproduce(data=None, sample=False, out="runs/reproduce", only=None, verbose=True, overrides=None, coco=None):
    """Train and score every model `only` names (default: all); returns the results of the whole folder.

    `coco`: CS231n's coco_captioning folder for the captioning models (default: the data folder's, if
    there; without one they are skipped, or refused if `only` names them).
    `overrides` ({model: {setting: value}}) changes kept hyperparameters, e.g. for quick tests.
    Bad input (unknown model, a setting of the wrong type, an unwritable --out) fails before any data
    is loaded, and so does a missing report extra (matplotlib draws the report's figures).
    """
    from .sections import format_table, write_report  # imports matplotlib: MissingExtra now, not after training
    coco_dir = find_coco(coco)
    names, skipped = runnable(registry.select(only), only, coco_dir)
    overrides = check_overrides(overrides)
    check_output_files(out, written_files(names), what="--out")
    if any(registry.get(name).graph for name in names):
        check_renderer()  # a run that draws diagrams fails now, not after its training
    with run_lock(out):
        results = read_results(out)
        datasets = load_datasets(names, results, data, sample, coco_dir)
        check_same_data(out, results, datasets)
        for source in datasets.values():
            print(f"Data: {source.source}; sizes {source.sizes()}")
        if skipped:
            print(f"Skipping {', '.join(skipped)}: no COCO captioning data; to include them, {HOW_TO_GET_COCO}")
        for name in names:
            print(f"\n== {name}")
            spec = registry.get(name)
            source = datasets[spec.data]
            fitted = spec.train(source, overrides.get(name), verbose=verbose)
            results[name] = result_record(fitted, source)
            if fitted.checkpoint:
                save_npz(os.path.join(out, f"{name}.npz"), **fitted.checkpoint)
            graph = to_svg(fitted.loss_graph().to_dot(collapse=True)) if spec.graph and fitted.loss_graph else None
            save_material(out, fitted, graph)
            results = in_run_order(results)
            write_json(os.path.join(out, RESULTS), results)
            print(f"{name}: {summary(fitted)} ({fitted.seconds:.1f} s)")
        print("\n" + format_table(results))
        materials = {name: load_material(out, name) for name in results
                     if name in registry.names() and os.path.exists(material_path(out, name))}
        report = os.path.join(out, "report.html")
        write_report(report, datasets, results, materials)
    print(f"\nWrote {os.path.join(out, RESULTS)}, {report} and the checkpoints in {out}")
    return results


def load_datasets(names, results, data, sample, coco_dir):
    """{data kind: Splits or CaptionData} for the models `names` to train; CIFAR-10 also when the folder
    already holds CIFAR-10 results, whose report sections show its images."""
    kinds = {registry.get(name).data for name in names}
    if any(kind_of(name) == "cifar10" for name in results):
        kinds.add("cifar10")
    datasets = {}
    if "cifar10" in kinds:
        datasets["cifar10"] = load_splits(data, sample)
    if "coco" in kinds:
        datasets["coco"] = load_captions(coco_dir)
    return datasets


def kind_of(name):
    """The data kind a model of results.json trained on; a model no longer registered counts as CIFAR-10's."""
    return registry.get(name).data if name in registry.names() else "cifar10"


def written_files(names):
    """The files a run of the models `names` writes in its folder (so each is checked before the run)."""
    checkpoints = [f"{name}.npz" for name in names if registry.get(name).checkpoint]
    materials = [os.path.join(MATERIAL_FOLDER, f"{name}.npz") for name in names]
    return [RESULTS, "report.html", *checkpoints, *materials]


def read_results(out):
    """The results.json already in the run folder ({} if none), checked to be strict JSON."""
    path = os.path.join(out, RESULTS)
    if not os.path.exists(path):
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            results = json.load(fh, parse_constant=_refuse_constant)
    except (ValueError, OSError) as error:  # not JSON, not UTF-8, a folder, unreadable
        raise InputError(f"{path} is not a results file this run can add to ({error}); "
                         f"move it away or choose another --out") from None
    if not isinstance(results, dict) or not all(isinstance(r, dict) and "val_acc" in r for r in results.values()):
        raise InputError(f"{path} is not a results file ({{model: {{val_acc, ...}}}}); "
                         f"move it away or choose another --out")
    return results


def check_same_data(out, results, datasets):
    """Results on other data (the sample beside full data; another COCO folder) must not share one table."""
    for kind, source in datasets.items():
        others = {record.get("data") for name, record in results.items() if kind_of(name) == kind} - {source.source}
        if others:
            held = ", ".join(map(str, sorted(others, key=str)))
            raise InputError(f"{os.path.join(out, RESULTS)} holds results on {held}, but this run uses "
                             f"{source.source}; choose another --out")


def in_run_order(results):
    """Registered models in run order, then any others the file held (left as they were)."""
    order = registry.names()
    return {**{name: results[name] for name in order if name in results},
            **{name: record for name, record in results.items() if name not in order}}


def _refuse_constant(name):
    raise ValueError(f"{name} is not strict JSON")
