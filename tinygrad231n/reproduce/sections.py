"""The report of a run: the accuracy table, one section per model, and the best model's mistakes.

Everything about a model comes from its declaration (title, CS231n's figures, which figures it
has) and from what its recipe returned (stored as report material, so a report can cover models
trained by earlier runs into the same folder).
"""
import numpy as np

from models import registry
from models.fitting import (GRAPH_BATCH, ClassTemplates, CrossValidation, DistanceMatrix, FirstLayerWeights,
                            TrainingCurves)
from tinygrad231n import plots
from tinygrad231n.report import Report, format_seconds

TABLE_HEADERS = ["model", "val acc", "test acc", "CS231n val", "CS231n test", "time"]
SAMPLE_CAVEAT = ("These accuracies come from the small sample shipped in the package ({:,} training images), "
                 "not from the full data: they show that everything runs, not how well the models do. "
                 "CS231n's figures beside them were measured on the full data (49,000 training images).")


def table_rows(results):
    """[model, val, test, CS231n val, CS231n test, time] per model of results.json, in run order."""
    rows = []
    for name in (name for name in registry.names() if name in results):
        record, reference = results[name], registry.get(name).cs231n
        rows.append([name, record["val_acc"], record["test_acc"], reference.val, reference.test,
                     format_seconds(record["seconds"])])
    return rows


def format_table(results):
    """The accuracy table as fixed-width text for the terminal."""
    lines = ["{:<14}{:>9}{:>10}{:>12}{:>13}{:>10}".format(*TABLE_HEADERS)]
    for row in table_rows(results):
        cells = [row[0]] + ["-" if v is None else f"{v:.3f}" for v in row[1:5]] + [row[5]]
        lines.append("{:<14}{:>9}{:>10}{:>12}{:>13}{:>10}".format(*cells))
    return "\n".join(lines)


def write_report(path, splits, results, materials):
    """The whole report: `results` as in results.json, `materials` {model: reproduce.material.Material}."""
    report = Report("CS231n assignments 1 and 2, reproduced with tinygrad231n")
    report.text(f"Data: {splits.source}.")
    report.key_values({"training images": len(splits.y_train), "validation images": len(splits.y_val),
                       "test images": len(splits.y_test)}, "Split sizes")
    if splits.sample:
        report.text(SAMPLE_CAVEAT.format(len(splits.y_train)))
    report.table(TABLE_HEADERS, table_rows(results))
    report.text("val acc: accuracy on the validation split (a model trained without one says in its section "
                "what stands in for it); test acc: on the whole test split. CS231n's columns: the course "
                "notebooks' numbers, \"-\" where a notebook reports none.")
    report.section("The data")
    report.figure(plots.class_samples(splits.X_train, splits.y_train, splits.class_names),
                  "Random training images of each class")
    for name in (name for name in registry.names() if name in materials):
        add_model(report, registry.get(name), results[name], materials[name], splits)
    if materials:
        best = max(materials, key=lambda name: results[name]["val_acc"])
        add_best_model(report, registry.get(best), results[best], materials[best], splits)
    report.write(path)


def add_model(report, spec, record, material, splits):
    """One section per model: what it reached, its settings, its pictures, and the graph of its loss."""
    report.section(spec.title)
    report.text(f"Validation accuracy {record['val_acc']:.3f}, test accuracy {record['test_acc']:.3f}; "
                f"trained in {format_seconds(record['seconds'])}.")
    for note in material.notes:
        report.text(note)
    report.key_values(record["hyperparameters"], "Hyperparameters")
    for figure in material.figures:
        RENDER[type(figure)](report, figure, spec, splits)
    if material.graph_svg is not None:
        report.svg(material.graph_svg, f"The graph of the {spec.name} loss on a batch of {GRAPH_BATCH} validation "
                                       f"examples; each nn layer, where the model has any, is one box "
                                       f"(`tinygrad231n graph {spec.name}` draws every op)")


def add_best_model(report, spec, record, material, splits):
    report.section(f"Best model by validation accuracy: {spec.title}")
    report.text(f"Chosen by validation accuracy ({record['val_acc']:.3f}); its test accuracy is "
                f"{record['test_acc']:.3f}.")
    predictions = material.test_predictions
    report.figure(plots.confusion_matrix(splits.y_test, predictions, splits.class_names),
                  f"Confusion matrix on the {len(splits.y_test)} test images")
    report.figure(plots.misclassified(splits.X_test, splits.y_test, predictions, splits.class_names),
                  "Test images it got wrong (true -> predicted)")


def _curves(report, figure, spec, splits):
    train_acc = figure.train_acc_history.tolist() or None
    val_acc = figure.val_acc_history.tolist() or None
    report.figure(plots.training_curves(figure.loss_history.tolist(), train_acc, val_acc, title=spec.name),
                  "Training curves")


def _templates(report, figure, spec, splits):
    report.figure(plots.image_row(figure.images, list(splits.class_names), "learned templates"),
                  f"{spec.name} weights as images, one per class")


def _first_layer(report, figure, spec, splits):
    report.figure(plots.image_grid(figure.images, "first-layer weights"),
                  f"First-layer weights ({len(figure.images)} units)")


def _distances(report, figure, spec, splits):
    report.figure(plots.distance_matrix(figure.distances),
                  f"L2 distances from the first {len(figure.distances)} test images (rows) to the training images")


def _cross_validation(report, figure, spec, splits):
    k_to_accuracies = {int(k): list(np.atleast_1d(row)) for k, row in zip(figure.ks, figure.accuracies)}
    report.figure(plots.cross_validation(k_to_accuracies), "Cross-validation accuracy against k")


RENDER = {TrainingCurves: _curves, ClassTemplates: _templates, FirstLayerWeights: _first_layer,
          DistanceMatrix: _distances, CrossValidation: _cross_validation}
