"""`tinygrad231n reproduce`: every classifier of the assignment, its checkpoint and one report.

Writes into the run folder, each file atomically (a crash leaves the previous version or none):
results.json (updated after every model), <model>.npz checkpoints, report_material/<model>.npz
(what the report shows of each model) and report.html. A run into a folder that already holds
results adds to them: `--only MODEL` retrains MODEL and the report still covers every model there.
One run at a time per folder (a lock file).
"""
import json
import os

from models import registry
from tinygrad231n.atomic import save_npz, write_json
from tinygrad231n.errors import InputError
from tinygrad231n.paths import check_output_files
from tinygrad231n.viz import check_renderer, to_svg

from .dataset import load_splits
from .lock import run_lock
from .material import FOLDER as MATERIAL_FOLDER, load_material, material_path, save_material

RESULTS = "results.json"


def result_record(fitted, splits):
    """What results.json keeps of a model: accuracies, settings, time, any further scores, and the data."""
    return {"val_acc": fitted.val_acc, "test_acc": fitted.test_acc, "hyperparameters": fitted.hyperparameters,
            "seconds": round(fitted.seconds, 2), **fitted.scores, "data": splits.source}


def check_overrides(overrides):
    """{model: {setting: value}} with every value checked against its model's declared types."""
    return {name: registry.get(name).check(settings) for name, settings in (overrides or {}).items()}


def reproduce(data=None, sample=False, out="runs/reproduce", only=None, verbose=True, overrides=None):
    """Train and score every model `only` names (default: all); returns the results of the whole folder.

    `overrides` ({model: {setting: value}}) changes kept hyperparameters, e.g. for quick tests.
    Bad input (unknown model, a setting of the wrong type, an unwritable --out) fails before any data
    is loaded, and so does a missing report extra (matplotlib draws the report's figures).
    """
    from .sections import format_table, write_report  # imports matplotlib: MissingExtra now, not after training
    names = registry.select(only)
    overrides = check_overrides(overrides)
    check_output_files(out, written_files(names), what="--out")
    if any(registry.get(name).graph for name in names):
        check_renderer()  # a run that draws diagrams fails now, not after its training
    with run_lock(out):
        results = read_results(out)
        splits = load_splits(data, sample)
        check_same_data(out, results, splits)
        print(f"Data: {splits.source}; sizes {splits.sizes()}")
        for name in names:
            print(f"\n== {name}")
            spec = registry.get(name)
            fitted = spec.train(splits, overrides.get(name), verbose=verbose)
            results[name] = result_record(fitted, splits)
            if fitted.checkpoint:
                save_npz(os.path.join(out, f"{name}.npz"), **fitted.checkpoint)
            graph = to_svg(fitted.loss_graph().to_dot(collapse=True)) if spec.graph and fitted.loss_graph else None
            save_material(out, fitted, graph)
            results = in_run_order(results)
            write_json(os.path.join(out, RESULTS), results)
            print(f"{name}: val {fitted.val_acc:.3f}, test {fitted.test_acc:.3f} ({fitted.seconds:.1f} s)")
        print("\n" + format_table(results))
        materials = {name: load_material(out, name) for name in results
                     if name in registry.names() and os.path.exists(material_path(out, name))}
        report = os.path.join(out, "report.html")
        write_report(report, splits, results, materials)
    print(f"\nWrote {os.path.join(out, RESULTS)}, {report} and the checkpoints in {out}")
    return results


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


def check_same_data(out, results, splits):
    """Results on other data (the sample beside full data) must not share one table."""
    others = {record.get("data") for record in results.values()} - {splits.source}
    if others:
        raise InputError(f"{os.path.join(out, RESULTS)} holds results on {', '.join(map(str, sorted(others, key=str)))}, "
                         f"but this run uses {splits.source}; choose another --out")


def in_run_order(results):
    """Registered models in run order, then any others the file held (left as they were)."""
    order = registry.names()
    return {**{name: results[name] for name in order if name in results},
            **{name: record for name, record in results.items() if name not in order}}


def _refuse_constant(name):
    raise ValueError(f"{name} is not strict JSON")
