"""`tinygrad231n reproduce`: every classifier of the assignment, its checkpoint and one report.

Writes into the run folder, each file atomically (a crash leaves the previous version or none):
results.json (updated after every model), <model>.npz checkpoints, report.html.
"""
import os

from tinygrad231n import plots
from tinygrad231n.atomic import save_npz, write_json
from tinygrad231n.report import Report
from tinygrad231n.viz import check_renderer

from .config import MODELS, kept_config
from .dataset import load_splits
from .recipes import fit
from .sections import TABLE_HEADERS, add_best_model, add_model, format_table, table_rows

# --only takes these names; "features" is both feature models.
GROUPS = {"knn": ("knn",), "svm": ("svm",), "softmax": ("softmax",), "twolayer": ("twolayer",),
          "fcnet": ("fcnet",), "features": ("features_svm", "features_net")}


def models_for(only):
    """--only "svm,features" -> ("svm", "features_svm", "features_net"), in the assignment's order."""
    if not only:
        return MODELS
    chosen = set()
    for group in (part.strip() for part in only.split(",") if part.strip()):
        if group not in GROUPS:
            raise ValueError(f"--only: unknown model {group!r}; choose from {', '.join(GROUPS)}")
        chosen.update(GROUPS[group])
    return tuple(name for name in MODELS if name in chosen)


def result_record(fitted):
    """What results.json keeps of a model, plus any single-number extras (kNN's notebook scores)."""
    scalars = {key: value for key, value in fitted.extras.items() if isinstance(value, (int, float))}
    return {"val_acc": fitted.val_acc, "test_acc": fitted.test_acc, "hyperparameters": fitted.hyperparameters,
            "seconds": round(fitted.seconds, 2), **scalars}


def reproduce(data=None, sample=False, out="runs/reproduce", only=None, verbose=True, overrides=None):
    """Train and score every model in `only` (default: all); returns the results dict.

    `overrides` ({model: {setting: value}}) changes kept hyperparameters, e.g. for quick tests.
    """
    names = models_for(only)
    check_renderer()  # the report draws each loss graph: fail now, not after the training
    splits = load_splits(data, sample)
    os.makedirs(out, exist_ok=True)
    print(f"Data: {splits.source}; sizes {splits.sizes()}")
    results, fitted_models = {}, []
    for name in names:
        print(f"\n== {name}")
        fitted = fit(name, splits, kept_config(name, (overrides or {}).get(name)), verbose=verbose)
        fitted_models.append(fitted)
        results[name] = result_record(fitted)
        if fitted.checkpoint:
            save_npz(os.path.join(out, f"{name}.npz"), **fitted.checkpoint)
        write_json(os.path.join(out, "results.json"), results)
        print(f"{name}: val {fitted.val_acc:.3f}, test {fitted.test_acc:.3f} ({fitted.seconds:.1f} s)")
    print("\n" + format_table(results))
    write_report(os.path.join(out, "report.html"), splits, fitted_models, results)
    print(f"\nWrote {os.path.join(out, 'results.json')}, {os.path.join(out, 'report.html')} and the checkpoints")
    return results


def write_report(path, splits, fitted_models, results):
    report = Report("CS231n assignment 1, reproduced with tinygrad231n")
    report.text(f"Data: {splits.source}. Split sizes: {splits.sizes()}.")
    report.table(TABLE_HEADERS, table_rows(results))
    report.section("The data")
    report.figure(plots.class_samples(splits.X_train, splits.y_train, splits.class_names),
                  "Random training images of each class")
    for fitted in fitted_models:
        add_model(report, fitted, splits)
    if fitted_models:
        add_best_model(report, max(fitted_models, key=lambda f: f.val_acc), splits)
    report.write(path)
