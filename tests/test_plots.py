"""The report's figures: what a student sees on them, and that importing them leaves a notebook's
matplotlib alone."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tinygrad231n import plots

CLASSES = [f"class{i}" for i in range(10)]


def drawn(fig):
    fig.canvas.draw()  # ticks and layout are decided at draw time
    return fig


def tick_values(axis):
    low, high = axis.get_view_interval()
    return [t for t in axis.get_major_locator()() if low <= t <= high]


def test_importing_the_plots_keeps_the_notebook_backend_and_its_figures():
    """cs231n.vis_utils (which the notebooks import) imports plots: it must not switch the backend,
    which would close the student's figures and stop inline plots."""
    code = textwrap.dedent("""
        import matplotlib
        matplotlib.use("svg")
        import matplotlib.pyplot as plt
        plt.figure()
        import tinygrad231n.cs231n.vis_utils, tinygrad231n.plots, tinygrad231n.report
        fig = tinygrad231n.plots.training_curves([3.0, 2.0, 1.0])
        print(matplotlib.get_backend(), plt.get_fignums())
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["svg", "[1]"]  # same backend, the open figure kept, ours not added


def test_misclassified_labels_each_image_and_adds_no_title_over_them():
    X = np.zeros((12, 32, 32, 3))
    y = np.arange(12) % 10
    fig = plots.misclassified(X, y, (y + 1) % 10, CLASSES, count=10)
    assert fig._suptitle is None
    assert [ax.get_title() for ax in fig.axes] == [f"class{i}\n-> class{(i + 1) % 10}" for i in range(10)]


def test_misclassified_with_nothing_wrong_says_so():
    y = np.arange(10)
    fig = plots.misclassified(np.zeros((10, 32, 32, 3)), y, y, CLASSES)
    assert [t.get_text() for t in fig.texts] == ["every test image was classified correctly"]


def test_distance_matrix_has_a_colourbar():
    fig = plots.distance_matrix(np.arange(12.0).reshape(3, 4))
    image_axes, colourbar_axes = fig.axes
    assert colourbar_axes.get_ylabel() == "L2 distance"
    assert colourbar_axes.get_ylim() == pytest.approx((0, 11))  # the scale spans the distances


def test_epochs_and_iterations_are_whole_numbers():
    fig = drawn(plots.training_curves([2.3, 2.0, 1.9, 1.8, 1.7], [0.1, 0.2, 0.3], [0.1, 0.15, 0.2]))
    loss_axes, accuracy_axes = fig.axes[:2]
    for ticks in (tick_values(accuracy_axes.xaxis), tick_values(loss_axes.xaxis)):
        assert ticks and all(float(t).is_integer() for t in ticks)
    assert accuracy_axes.lines[0].get_xdata().tolist() == [0, 1, 2]  # entry i: after epoch i
    assert loss_axes.lines[0].get_xdata().tolist() == [1, 2, 3, 4, 5]


def test_a_loss_that_starts_far_above_the_rest_gets_a_log_axis():
    losses = 800 * np.exp(-np.arange(300) / 10) + 5 + np.random.default_rng(0).random(300)
    ax = plots.training_curves(losses, title="svm").axes[0]
    assert ax.get_yscale() == "log" and ax.get_title() == "svm loss (log scale)"


def test_a_gently_falling_loss_keeps_a_linear_axis():
    ax = plots.training_curves(np.linspace(2.3, 1.5, 100)).axes[0]
    assert ax.get_yscale() == "linear" and ax.get_title() == "loss"


def test_a_loss_that_cannot_be_logged_is_clipped_instead():
    losses = np.concatenate([[500.0], np.linspace(1.0, -1.0, 99)])
    ax = plots.training_curves(losses).axes[0]
    assert ax.get_yscale() == "linear" and ax.get_title().endswith("(first iterations clipped)")
    low, high = ax.get_ylim()
    assert low <= -1.0 and 0 < high < 10  # the tail fills the axis; the spike runs off the top


def test_a_loss_with_nan_still_plots():
    ax = plots.training_curves([2.0, float("nan"), 1.5, 1.4, float("inf")]).axes[0]
    assert len(ax.lines[0].get_xdata()) == 5


def test_figures_are_not_kept_by_pyplot():
    plt = pytest.importorskip("matplotlib.pyplot")
    before = plt.get_fignums()
    plots.confusion_matrix(np.array([0, 1]), np.array([1, 1]), CLASSES)
    plots.class_samples(np.zeros((20, 32, 32, 3)), np.arange(20) % 10, CLASSES, per_class=2)
    assert plt.get_fignums() == before  # nothing for a long run to leak, nothing for a notebook to pop up
