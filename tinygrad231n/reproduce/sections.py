"""The report of a run: the accuracy table (and the captioning models' scores), one section per model,
and the best classifier's mistakes.

Everything about a model comes from its declaration (title, CS231n's figures, which figures it
has) and from what its recipe returned (stored as report material, so a report can cover models
trained by earlier runs into the same folder).
"""
import numpy as np

from models import registry
from models.captioning import GRAPH_STEPS, SCORE_LABELS
from models.fitting import (GRAPH_BATCH, ClassTemplates, CrossValidation, DistanceMatrix, FirstLayerWeights,
                            SampledCaptions, TrainingCurves)
from tinygrad231n import plots
from tinygrad231n.report import Report, format_seconds

TABLE_HEADERS = ["model", "val acc", "test acc", "CS231n val", "CS231n test", "time"]
CAPTION_HEADERS = ["model", *SCORE_LABELS.values(), "time"]
SAMPLE_CAVEAT = ("These accuracies come from the small sample shipped in the package ({:,} training images), "
                 "not from the full data: they show that everything runs, not how well the models do. "
                 "CS231n's figures beside them were measured on the full data (49,000 training images).")


def classifiers(results):
    """The models of results.json that classify CIFAR-10 (they have accuracies), in run order."""
    return [name for name in registry.names() if name in results and registry.get(name).data == "cifar10"]


def captioners(results):
    """The captioning models of results.json, in run order."""
    return [name for name in registry.names() if name in results and registry.get(name).data == "coco"]


def table_rows(results):
    """[model, val, test, CS231n val, CS231n test, time] per classifier of results.json, in run order."""
    rows = []
    for name in classifiers(results):
        record, reference = results[name], registry.get(name).cs231n
        rows.append([name, record["val_acc"], record["test_acc"], reference.val, reference.test,
                     format_seconds(record["seconds"])])
    return rows


def caption_rows(results):
    """[model, train loss, val loss, val BLEU-1, time] per captioning model of results.json."""
    return [[name, *(results[name].get(key) for key in SCORE_LABELS), format_seconds(results[name]["seconds"])]
            for name in captioners(results)]


def format_table(results):
    """The accuracy table (and the captioning models' scores) as fixed-width text for the terminal."""
    width = max([16] + [len(name) + 2 for name in results])  # the model column fits the longest name
    lines = []
    if classifiers(results):
        row_format = "{:<%d}{:>9}{:>10}{:>12}{:>13}{:>10}" % width
        lines.append(row_format.format(*TABLE_HEADERS))
        for row in table_rows(results):
            lines.append(row_format.format(row[0], *map(_number, row[1:5]), row[5]))
    if captioners(results):
        row_format = "{:<%d}{:>12}{:>10}{:>12}{:>10}" % width
        lines.append(("\n" if lines else "") + row_format.format(*CAPTION_HEADERS))
        for row in caption_rows(results):
            lines.append(row_format.format(row[0], *map(_number, row[1:4]), row[4]))
    return "\n".join(lines)


def _number(value):
    return "-" if value is None else f"{value:.3f}"


def write_report(path, datasets, results, materials):
    """The whole report: `datasets` {data kind: Splits or CaptionData} of the run, `results` as in
    results.json, `materials` {model: reproduce.material.Material}."""
    splits = datasets.get("cifar10")
    report = Report("CS231n assignments, reproduced with tinygrad231n")
    if splits is not None:
        report.text(f"Data: {splits.source}.")
        report.key_values({"training images": len(splits.y_train), "validation images": len(splits.y_val),
                           "test images": len(splits.y_test)}, "Split sizes")
        if splits.sample:
            report.text(SAMPLE_CAVEAT.format(len(splits.y_train)))
    if classifiers(results):
        report.table(TABLE_HEADERS, table_rows(results))
        report.text("val acc: accuracy on the validation split (a model trained without one says in its section "
                    "what stands in for it); test acc: on the whole test split. CS231n's columns: the course "
                    "notebooks' numbers, \"-\" where a notebook reports none.")
    if captioners(results):
        sources = sorted({str(results[name].get("data")) for name in captioners(results)})
        report.text(f"Captioning data: {'; '.join(sources)}.")
        report.table(CAPTION_HEADERS, caption_rows(results))
        report.text("The captioning models write a caption for an image's features; they have no accuracy. "
                    "Losses: CS231n's (summed over a caption's words, averaged over captions); BLEU-1: the "
                    "share of a greedy caption's words found in the image's reference captions, with a "
                    "penalty for short captions (each model's section says more).")
    if splits is not None:
        report.section("The data")
        report.figure(plots.class_samples(splits.X_train, splits.y_train, splits.class_names),
                      "Random training images of each class")
    for name in (name for name in registry.names() if name in materials):
        add_model(report, registry.get(name), results[name], materials[name], splits)
    ranked = [name for name in classifiers(results) if name in materials]
    if ranked and splits is not None:
        best = max(ranked, key=lambda name: results[name]["val_acc"])
        add_best_model(report, registry.get(best), results[best], materials[best], splits)
    report.write(path)


def add_model(report, spec, record, material, splits):
    """One section per model: what it reached, its settings, its pictures, and the graph of its loss."""
    report.section(spec.title)
    if record["val_acc"] is not None:
        reached = f"Validation accuracy {record['val_acc']:.3f}, test accuracy {record['test_acc']:.3f}"
    else:
        reached = ", ".join(f"{label} {record[key]:.3f}" for key, label in SCORE_LABELS.items() if key in record)
    report.text(f"{reached[:1].upper()}{reached[1:]}; trained in {format_seconds(record['seconds'])}.")
    for note in material.notes:
        report.text(note)
    report.key_values(record["hyperparameters"], "Hyperparameters")
    for figure in material.figures:
        RENDER[type(figure)](report, figure, spec, splits)
    if material.graph_svg is not None:
        examples = (f"{GRAPH_BATCH} validation captions cut to {GRAPH_STEPS} words read" if spec.data == "coco"
                    else f"{GRAPH_BATCH} validation examples")
        report.svg(material.graph_svg, f"The graph of the {spec.name} loss on a batch of {examples}; each nn "
                                       f"layer, where the model has any, is one box "
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


def _captions(report, figure, spec, splits):
    split = str(figure.split)
    rows = [[i + 1, truth, sampled] for i, (truth, sampled) in enumerate(zip(figure.truth, figure.sampled))]
    which = "training captions (seen in training)" if split == "train" else "validation images (unseen)"
    report.table(["#", "ground truth", f"{spec.name} (greedy)"], rows, kind="text",
                 caption=f"Captions of the first {len(rows)} {which}")


RENDER = {TrainingCurves: _curves, ClassTemplates: _templates, FirstLayerWeights: _first_layer,
          DistanceMatrix: _distances, CrossValidation: _cross_validation, SampledCaptions: _captions}
