"""The pictures of a run, as matplotlib figures.

Images are (N, 32, 32, 3) in 0..255 unless said otherwise; class names label the axes.

Figures are made with `matplotlib.figure.Figure`, not pyplot: they need no screen and no backend
(`savefig` picks its own), pyplot never holds on to them, and importing this module leaves the
backend alone, so a notebook that imports it (through cs231n.vis_utils) keeps its inline plots.
A notebook shows a returned figure by ending a cell with it, or with `display(fig)`.
matplotlib comes with the `report` extra; without it, importing this module says so in one line.
"""
import math

import numpy as np

from .extras import require

_FIGURES = "the report's figures (tinygrad231n.plots)"
_figure = require("matplotlib.figure", extra="report", needed_for=_FIGURES)
_ticker = require("matplotlib.ticker", extra="report", needed_for=_FIGURES)
Figure, LogFormatter, MaxNLocator = _figure.Figure, _ticker.LogFormatter, _ticker.MaxNLocator


def visualize_grid(Xs, ubound=255.0, padding=1):
    """Tile (N, H, W, C) images into one (G*H + pad, G*W + pad, C) image, G = ceil(sqrt(N)).

    Each image is rescaled by its own min and max to [0, ubound] (CS231n's vis_utils
    convention); gaps between tiles are 0.
    """
    n, h, w, c = Xs.shape
    side = int(math.ceil(math.sqrt(n)))
    grid = np.zeros((h * side + padding * (side - 1), w * side + padding * (side - 1), c))
    for index, image in enumerate(Xs):
        row, col = divmod(index, side)
        low, high = float(np.min(image)), float(np.max(image))
        scaled = ubound * (image - low) / (high - low) if high > low else np.zeros_like(image, dtype=float)
        top, left = row * (h + padding), col * (w + padding)
        grid[top:top + h, left:left + w] = scaled
    return grid


def class_samples(X, y, class_names, per_class=7, seed=0):
    """A grid with `per_class` random images of each class, one column per class."""
    rng = np.random.default_rng(seed)
    fig = Figure(figsize=(len(class_names), per_class * 1.05), layout="constrained")
    axes = fig.subplots(per_class, len(class_names), squeeze=False)
    for cls, name in enumerate(class_names):
        members = np.flatnonzero(y == cls)
        chosen = rng.choice(members, size=min(per_class, len(members)), replace=False)
        for row in range(per_class):
            ax = axes[row, cls]
            ax.axis("off")
            if row < len(chosen):
                ax.imshow(X[chosen[row]].astype(np.uint8))
            if row == 0:
                ax.set_title(name, fontsize=8)
    return fig


def distance_matrix(dists):
    """The (num_test, num_train) distance matrix as an image, dark = close, with its scale."""
    fig = Figure(figsize=(8, 3), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(dists, interpolation="none", aspect="auto", cmap="gray")
    fig.colorbar(image, ax=ax, label="L2 distance")
    ax.set_xlabel("training image")
    ax.set_ylabel("test image")
    ax.set_title("kNN L2 distances")
    return fig


def cross_validation(k_to_accuracies):
    """Accuracy per fold against k, with the mean and one standard deviation as error bars."""
    ks = sorted(k_to_accuracies)
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    for k in ks:
        ax.scatter([k] * len(k_to_accuracies[k]), k_to_accuracies[k], color="tab:blue", s=10)
    means = [np.mean(k_to_accuracies[k]) for k in ks]
    stds = [np.std(k_to_accuracies[k]) for k in ks]
    ax.errorbar(ks, means, yerr=stds, color="tab:red")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("k")
    ax.set_ylabel("cross-validation accuracy")
    ax.set_title("Cross-validation on k")
    return fig


def training_curves(loss_history, train_acc_history=None, val_acc_history=None, title=""):
    """Loss per iteration, and train/val accuracy per epoch when given (entry i: after epoch i,
    entry 0 before training, as CS231n's Solver records them)."""
    with_accuracy = bool(train_acc_history) or bool(val_acc_history)
    fig = Figure(figsize=(10 if with_accuracy else 6, 3.5), layout="constrained")
    axes = fig.subplots(1, 2 if with_accuracy else 1, squeeze=False)
    loss_axis = axes[0, 0]
    loss_axis.plot(np.arange(1, len(loss_history) + 1), loss_history, linewidth=0.7)
    loss_axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    loss_axis.set_xlabel("iteration")
    loss_axis.set_ylabel("loss")
    scale_note = _fit_loss_scale(loss_axis, np.asarray(loss_history, dtype=np.float64))
    loss_axis.set_title(f"{title} loss{scale_note}".strip())
    if with_accuracy:
        ax = axes[0, 1]
        for history, label in ((train_acc_history, "train"), (val_acc_history, "val")):
            if history:
                ax.plot(np.arange(len(history)), history, "-o", label=label, markersize=3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy")
        ax.set_title(f"{title} accuracy".strip())
        ax.legend()
    return fig


def _fit_loss_scale(ax, losses):
    """Keep the tail of a loss curve readable when the first iterations are far above it (a linear
    classifier with a large reg starts in the hundreds and settles near 5): a log axis when every
    loss is positive and the largest is over 5 times the largest of the second half; with
    non-positive losses, the axis clipped above that half instead. Returns a note for the title."""
    finite = losses[np.isfinite(losses)]
    if finite.size < 4:
        return ""
    tail = finite[len(finite) // 2:]
    low, high = float(tail.min()), float(tail.max())
    if finite.min() > 0:
        if finite.max() <= 5 * high:
            return ""
        ax.set_yscale("log")
        # plain numbers (2, 3, 4, 6, 10) rather than powers of ten: a loss of "6 x 10^0" reads badly
        ax.yaxis.set_major_formatter(LogFormatter())
        ax.yaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.5)))
        return " (log scale)"
    margin = (high - low) or abs(high) or 1.0
    if finite.max() <= high + 4 * margin:
        return ""
    ax.set_ylim(float(finite.min()) - 0.05 * margin, high + margin)
    return " (first iterations clipped)"


def image_row(images, titles, title=""):
    """Images (N, H, W, 3) in 0..255 side by side with a title each, and an overall title if given."""
    fig = Figure(figsize=(1.2 * len(images), 1.9 if title else 1.6), layout="constrained")
    axes = fig.subplots(1, len(images), squeeze=False)
    for ax, image, name in zip(axes[0], images, titles):
        ax.imshow(np.clip(image, 0, 255).astype(np.uint8))
        ax.set_title(name, fontsize=8)
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return fig


def image_grid(images, title=""):
    """Many images (N, H, W, 3) tiled with visualize_grid (each rescaled to 0..255)."""
    fig = Figure(figsize=(6, 6), layout="constrained")
    ax = fig.subplots()
    padding = max(1, np.shape(images)[1] // 10)  # a thin gap: 3 pixels between 32x32 images, 1 between 3x3 filters
    ax.imshow(visualize_grid(images, padding=padding).astype(np.uint8))
    ax.axis("off")
    ax.set_title(title)
    return fig


def confusion_matrix(y_true, y_pred, class_names):
    """Counts of (true class, predicted class), with the counts written in the cells."""
    c = len(class_names)
    counts = np.zeros((c, c), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    fig = Figure(figsize=(6.5, 5.5), layout="constrained")
    ax = fig.subplots()
    ax.imshow(counts, cmap="Blues")
    for i in range(c):
        for j in range(c):
            ax.text(j, i, counts[i, j], ha="center", va="center", fontsize=7,
                    color="white" if counts[i, j] > counts.max() / 2 else "black")
    ax.set_xticks(range(c), class_names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(c), class_names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return fig


def misclassified(X, y_true, y_pred, class_names, count=10):
    """The first `count` test images the model got wrong, each labelled 'true -> predicted'
    (no overall title: the report's caption says what they are)."""
    wrong = np.flatnonzero(y_true != y_pred)[:count]
    if wrong.size == 0:
        fig = Figure(figsize=(4, 0.6))
        fig.text(0.5, 0.5, "every test image was classified correctly", ha="center", va="center")
        return fig
    titles = [f"{class_names[y_true[i]]}\n-> {class_names[y_pred[i]]}" for i in wrong]
    return image_row(X[wrong], titles)
