"""The report's pages for each model: its figures, its loss graph, and the accuracy table."""
import numpy as np

from models.linear import class_templates
from tinygrad231n import plots
from tinygrad231n.viz import to_svg

# CS231n's notebook figures, the numbers to beat.
CS231N = {
    "knn": {"val": None, "test": 0.274},
    "svm": {"val": 0.376, "test": 0.351},
    "softmax": {"val": 0.343, "test": 0.339},
    "twolayer": {"val": 0.533, "test": 0.528},
    "fcnet": {"val": None, "test": None},
    "features_svm": {"val": 0.421, "test": 0.413},
    "features_net": {"val": None, "test": 0.598},
}
TITLES = {
    "knn": "k-nearest neighbours (raw pixels)", "svm": "Linear SVM (raw pixels)", "softmax": "Softmax (raw pixels)",
    "twolayer": "Two-layer net (raw pixels)", "fcnet": "Fully connected net (raw pixels)",
    "features_svm": "Linear SVM on HOG + hue features", "features_net": "Two-layer net on HOG + hue features",
}
TABLE_HEADERS = ["model", "val acc", "test acc", "CS231n val", "CS231n test", "seconds"]


def table_rows(results):
    return [[name, r["val_acc"], r["test_acc"], CS231N[name]["val"], CS231N[name]["test"], round(r["seconds"], 1)]
            for name, r in results.items()]


def format_table(results):
    """The accuracy table as fixed-width text for the terminal."""
    lines = ["{:<14}{:>9}{:>10}{:>12}{:>13}{:>9}".format(*TABLE_HEADERS)]
    for row in table_rows(results):
        cells = ["-" if v is None else f"{v:.3f}" if isinstance(v, float) and i < 5 else str(v)
                 for i, v in enumerate(row)]
        lines.append("{:<14}{:>9}{:>10}{:>12}{:>13}{:>9}".format(*cells))
    return "\n".join(lines)


def add_model(report, fitted, splits):
    """One section per model: what it reached, its pictures, and the graph of its loss."""
    report.section(TITLES[fitted.name])
    report.text(f"validation accuracy {fitted.val_acc:.3f}, test accuracy {fitted.test_acc:.3f} "
                f"({fitted.seconds:.1f} s). Hyperparameters: {fitted.hyperparameters}")
    FIGURES.get(fitted.name, _curves)(report, fitted, splits)
    if fitted.loss_graph is not None:
        report.svg(to_svg(fitted.loss_graph().to_dot()), f"The graph of the {fitted.name} loss on a batch of 8")


def add_best_model(report, fitted, splits):
    report.section(f"Best model: {TITLES[fitted.name]}")
    report.figure(plots.confusion_matrix(splits.y_test, fitted.test_predictions, splits.class_names),
                  "Confusion matrix on the test split")
    report.figure(plots.misclassified(splits.X_test, splits.y_test, fitted.test_predictions, splits.class_names),
                  "Test images it got wrong (true -> predicted)")


def _knn(report, fitted, splits):
    extras = fitted.extras
    best_k = fitted.hyperparameters["best_k"]
    report.text(f"Best k from cross-validation: {best_k}. On the notebook's first {splits.knn_test} "
                f"test images: k=1 accuracy {extras['k1_test_acc_notebook']:.3f}, best-k accuracy "
                f"{extras['best_k_test_acc_notebook']:.3f}.")
    report.figure(plots.distance_matrix(extras["dists"]), "Test-to-train L2 distances (rows: test images)")
    report.figure(plots.cross_validation(extras["k_to_accuracies"]), "Cross-validation accuracy against k")


def _linear(report, fitted, splits):
    _curves(report, fitted, splits)
    templates = class_templates(fitted.extras["W"])
    report.figure(plots.image_row(templates, list(splits.class_names), "learned templates"),
                  f"{fitted.name} weights as images, one per class")


def _first_layer(report, fitted, splits):
    _curves(report, fitted, splits)
    W1 = np.asarray(fitted.extras["W1"], dtype=np.float64)
    layout = str(fitted.checkpoint.get("layout", "HWC"))
    images = W1.T.reshape(-1, 32, 32, 3) if layout == "HWC" else W1.T.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    report.figure(plots.image_grid(images[:100], "first-layer weights"), "First-layer weights (up to 100 units)")


def _curves(report, fitted, splits):
    curves = fitted.curves
    report.figure(plots.training_curves(curves["loss_history"], curves.get("train_acc_history"),
                                        curves.get("val_acc_history"), title=fitted.name), "Training curves")


FIGURES = {"knn": _knn, "svm": _linear, "softmax": _linear, "twolayer": _first_layer, "fcnet": _first_layer}
