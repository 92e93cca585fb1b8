"""The pictures of a run, as matplotlib figures (Agg backend: no screen needed).

Images are (N, 32, 32, 3) in 0..255 unless said otherwise; class names label the axes.
"""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


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
    fig, axes = plt.subplots(per_class, len(class_names), figsize=(len(class_names), per_class * 1.05))
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
    """The (num_test, num_train) distance matrix as an image: dark = close."""
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.imshow(dists, interpolation="none", aspect="auto", cmap="gray")
    ax.set_xlabel("training image")
    ax.set_ylabel("test image")
    ax.set_title("kNN L2 distances")
    return fig


def cross_validation(k_to_accuracies):
    """Accuracy per fold against k, with the mean and one standard deviation as error bars."""
    ks = sorted(k_to_accuracies)
    fig, ax = plt.subplots(figsize=(6, 4))
    for k in ks:
        ax.scatter([k] * len(k_to_accuracies[k]), k_to_accuracies[k], color="tab:blue", s=10)
    means = [np.mean(k_to_accuracies[k]) for k in ks]
    stds = [np.std(k_to_accuracies[k]) for k in ks]
    ax.errorbar(ks, means, yerr=stds, color="tab:red")
    ax.set_xlabel("k")
    ax.set_ylabel("cross-validation accuracy")
    ax.set_title("Cross-validation on k")
    return fig


def training_curves(loss_history, train_acc_history=None, val_acc_history=None, title=""):
    """Loss per iteration, and train/val accuracy per epoch when given."""
    with_accuracy = bool(train_acc_history) or bool(val_acc_history)
    fig, axes = plt.subplots(1, 2 if with_accuracy else 1, figsize=(10 if with_accuracy else 6, 3.5), squeeze=False)
    axes[0, 0].plot(loss_history, linewidth=0.7)
    axes[0, 0].set_xlabel("iteration")
    axes[0, 0].set_ylabel("loss")
    axes[0, 0].set_title(f"{title} loss".strip())
    if with_accuracy:
        ax = axes[0, 1]
        if train_acc_history:
            ax.plot(train_acc_history, "-o", label="train", markersize=3)
        if val_acc_history:
            ax.plot(val_acc_history, "-o", label="val", markersize=3)
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy")
        ax.set_title(f"{title} accuracy".strip())
        ax.legend()
    fig.tight_layout()
    return fig


def image_row(images, titles, title=""):
    """Images (N, H, W, 3) in 0..255 side by side with a title each."""
    fig, axes = plt.subplots(1, len(images), figsize=(1.2 * len(images), 1.7), squeeze=False)
    for ax, image, name in zip(axes[0], images, titles):
        ax.imshow(np.clip(image, 0, 255).astype(np.uint8))
        ax.set_title(name, fontsize=8)
        ax.axis("off")
    fig.suptitle(title)
    return fig


def image_grid(images, title=""):
    """Many images (N, H, W, 3) tiled with visualize_grid (each rescaled to 0..255)."""
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.imshow(visualize_grid(images, padding=3).astype(np.uint8))
    ax.axis("off")
    ax.set_title(title)
    return fig


def confusion_matrix(y_true, y_pred, class_names):
    """Counts of (true class, predicted class), with the counts written in the cells."""
    c = len(class_names)
    counts = np.zeros((c, c), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    ax.imshow(counts, cmap="Blues")
    for i in range(c):
        for j in range(c):
            ax.text(j, i, counts[i, j], ha="center", va="center", fontsize=7,
                    color="white" if counts[i, j] > counts.max() / 2 else "black")
    ax.set_xticks(range(c), class_names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(c), class_names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.tight_layout()
    return fig


def misclassified(X, y_true, y_pred, class_names, count=10):
    """The first `count` test images the model got wrong, titled 'true -> predicted'."""
    wrong = np.flatnonzero(y_true != y_pred)[:count]
    titles = [f"{class_names[y_true[i]]}\n-> {class_names[y_pred[i]]}" for i in wrong]
    return image_row(X[wrong], titles, title="misclassified")
