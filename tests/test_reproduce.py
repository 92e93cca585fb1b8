"""The main job end to end on the shipped sample (with few iterations), and the command line."""
import json
import os

import numpy as np
import pytest

from tinygrad231n.cli import main
from tinygrad231n.data import load_cifar10_sample
from tinygrad231n.reproduce import recipes
from tinygrad231n.reproduce.run import reproduce

QUICK = {
    "knn": {"k_choices": [1, 3], "num_folds": 3},
    "svm": {"num_iters": 30}, "softmax": {"num_iters": 30}, "features_svm": {"num_iters": 30},
    "twolayer": {"num_epochs": 1, "hidden_dim": 16}, "fcnet": {"num_epochs": 1, "hidden_dims": [16, 16]},
    "features_net": {"num_epochs": 1},
}
CHECKPOINTS = ("svm", "softmax", "twolayer", "fcnet", "features_svm", "features_net")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    reproduce(sample=True, out=str(out), verbose=False, overrides=QUICK)
    return out


def test_writes_results_checkpoints_and_report(run_dir):
    results = json.loads((run_dir / "results.json").read_text())
    assert list(results) == ["knn", "svm", "softmax", "twolayer", "fcnet", "features_svm", "features_net"]
    for record in results.values():
        assert 0 <= record["val_acc"] <= 1 and 0 <= record["test_acc"] <= 1 and record["seconds"] > 0
        assert record["hyperparameters"]
    assert results["svm"]["hyperparameters"]["num_iters"] == 30  # the override reached the recipe
    for name in CHECKPOINTS:
        assert (run_dir / f"{name}.npz").exists()
    html = (run_dir / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 12 and html.count("<svg") == 6  # figures; one loss graph each
    for text in ("Confusion matrix", "Cross-validation", "weights as images", "First-layer weights", "0.376"):
        assert text in html
    assert not [f for f in os.listdir(run_dir) if f.endswith(".tmp")]


def raw_test_images():
    _, _, X_test, y_test = load_cifar10_sample()
    return X_test, y_test


def model_input(archive, images):
    """The checkpoint's own recipe for turning raw images into the model's input (plain numpy)."""
    layout = str(archive["layout"])
    x = images.reshape(len(images), -1) if layout == "HWC" else images.transpose(0, 3, 1, 2).reshape(len(images), -1)
    x = x.astype(np.float64) - archive["mean_image"]
    if "std_image" in archive:
        x = x / archive["std_image"]
    return np.hstack([x, np.ones((len(x), 1))]) if bool(archive["bias"]) else x


def test_linear_checkpoint_classifies_raw_images_without_the_project(run_dir):
    X_test, y_test = raw_test_images()
    results = json.loads((run_dir / "results.json").read_text())
    with np.load(run_dir / "svm.npz") as archive:
        assert archive["W"].shape == (3073, 10)  # bias row last
        accuracy = np.mean(np.argmax(model_input(archive, X_test) @ archive["W"], axis=1) == y_test)
    assert accuracy == pytest.approx(results["svm"]["test_acc"])


def test_two_layer_checkpoint_classifies_raw_images_without_the_project(run_dir):
    X_test, y_test = raw_test_images()
    results = json.loads((run_dir / "results.json").read_text())
    with np.load(run_dir / "twolayer.npz") as a:
        hidden = np.maximum(model_input(a, X_test) @ a["W1"] + a["b1"], 0)
        accuracy = np.mean(np.argmax(hidden @ a["W2"] + a["b2"], axis=1) == y_test)
    assert accuracy == pytest.approx(results["twolayer"]["test_acc"])


def test_a_crash_mid_run_leaves_only_whole_files(tmp_path, monkeypatch):
    def crash(*args):
        raise RuntimeError("simulated crash")
    monkeypatch.setitem(recipes.RECIPES, "softmax", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        reproduce(sample=True, out=str(tmp_path), only="svm,softmax", verbose=False, overrides=QUICK)
    assert sorted(os.listdir(tmp_path)) == ["results.json", "svm.npz"]  # no report, no temporaries
    assert list(json.loads((tmp_path / "results.json").read_text())) == ["svm"]


# ---- the command line ---------------------------------------------------------------------
def test_train_writes_checkpoint_and_result(tmp_path, capsys):
    assert main(["train", "svm", "--sample", "--out", str(tmp_path), "--params", "num_iters=5"]) == 0
    assert (tmp_path / "svm.npz").exists() and json.loads((tmp_path / "svm.json").read_text())["val_acc"] >= 0
    assert "svm: val" in capsys.readouterr().out


def test_graph_renders_an_svg(tmp_path):
    assert main(["graph", "twolayer", "--out", str(tmp_path / "g.svg")]) == 0
    svg = (tmp_path / "g.svg").read_text()
    assert "<svg" in svg and "W1" in svg and "CrossEntropy" in svg


def test_sweep_through_the_cli_records_each_configuration(tmp_path, capsys):
    results = tmp_path / "sweep.jsonl"
    args = ["sweep", "features_svm", "--sample", "--grid", "num_iters=5,10", "--results", str(results), "--jobs", "1"]
    assert main(args) == 0
    records = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(r["config"]["num_iters"] for r in records) == [5, 10] and all(r["status"] == "ok" for r in records)
    assert "best" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["reproduce", "--data", "/no/such/folder"], "tinygrad231n download"),
    (["reproduce", "--sample", "--only", "knn,resnet"], "unknown model 'resnet'; choose from knn, svm"),
    (["train", "svm", "--sample", "--params", "momentum_typo=1"], "svm has no setting 'momentum_typo'"),
    (["train", "svm", "--sample", "--params", "num_iters=1,2"], "one value per setting"),
    (["graph", "knn"], "invalid choice"),
])
def test_bad_input_gets_a_clear_message(argv, message, capsys):
    try:
        code = main(argv)
    except SystemExit as exit:  # argparse's own errors (unknown choices) exit with 2
        code = exit.code
    assert code == 2
    assert message in capsys.readouterr().err
