"""The main job end to end on the shipped sample (with the registry's quick settings), and the command line."""
import dataclasses
import functools
import json
import os
import subprocess
import sys
from html import escape as html_escape

import numpy as np
import pytest

from models import registry
from models.fitting import FIGURES
from tinygrad231n.cli import main
from tinygrad231n.data import load_cifar10_sample
from tinygrad231n.reproduce.lock import LOCK_NAME, RunLocked, run_lock
from tinygrad231n.reproduce.run import reproduce

QUICK = {spec.name: dict(spec.quick) for spec in registry.specs()}
QUICK["svm"] = {"num_iters": 30}  # enough steps that the checkpoint test means something


# The README's run trains the classifiers; the captioning models need COCO (tests/test_reproduce_captioning.py).
CLASSIFIERS = [spec for spec in registry.specs() if spec.data == "cifar10"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:  # a data folder without COCO, whatever this machine holds
        patch.setenv("TINYGRAD231N_DATA", str(tmp_path_factory.mktemp("no-coco")))
        reproduce(sample=True, out=str(out), verbose=False, overrides=QUICK)
    return out


def test_writes_results_checkpoints_and_report(run_dir):
    results = json.loads((run_dir / "results.json").read_text())
    assert list(results) == [spec.name for spec in CLASSIFIERS]
    for name, record in results.items():
        assert 0 <= record["val_acc"] <= 1 and 0 <= record["test_acc"] <= 1 and record["seconds"] > 0
        assert record["hyperparameters"] and record["data"] == "the sample shipped in the package"
        for setting, value in registry.get(name).check(QUICK[name]).items():
            assert record["hyperparameters"][setting] == value  # the override reached the recipe
    for spec in CLASSIFIERS:
        assert (run_dir / f"{spec.name}.npz").exists() == bool(spec.checkpoint)
    html = (run_dir / "report.html").read_text()
    assert html.count("<svg") == sum(spec.graph for spec in CLASSIFIERS)  # one loss graph each
    figures = sum(len(spec.figures) for spec in CLASSIFIERS) + 3  # + the data, the best model's two
    assert html.count("data:image/png;base64,") == figures
    for spec in CLASSIFIERS:
        assert html_escape(spec.title) in html
    for text in ("Confusion matrix", "Cross-validation", "weights as images", "First-layer weights", "0.376"):
        assert text in html
    assert not [f for f in os.listdir(run_dir) if f.endswith(".tmp")] and LOCK_NAME not in os.listdir(run_dir)


def test_the_report_on_the_sample_says_what_its_numbers_are(run_dir):
    html = (run_dir / "report.html").read_text()
    assert "small sample shipped in the package" in html and "not from the full data" in html
    assert "Best model by validation accuracy" in html and "Chosen by validation accuracy" in html
    assert "first 300" in html and "first 500" not in html  # the sample has 300 test images
    assert "<caption>Split sizes</caption>" in html and "<caption>Hyperparameters</caption>" in html
    assert "{'" not in html  # settings are tables, not Python dicts
    assert " s" in html and ".00 s" not in html  # seconds as a person reads them


def test_every_declared_figure_is_drawn(run_dir):
    from tinygrad231n.reproduce.material import load_material
    for spec in registry.specs():
        assert all(kind in FIGURES for kind in spec.figures)
    for spec in CLASSIFIERS:
        assert [type(f) for f in load_material(str(run_dir), spec.name).figures] == list(spec.figures), spec.name


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
        assert sorted(a.files) == ["W1", "W2", "b1", "b2", "bias", "layout", "mean_image", "std_image"]
        hidden = np.maximum(model_input(a, X_test) @ a["W1"] + a["b1"], 0)
        accuracy = np.mean(np.argmax(hidden @ a["W2"] + a["b2"], axis=1) == y_test)
    assert accuracy == pytest.approx(results["twolayer"]["test_acc"])


def test_fcnet_checkpoint_holds_cs231n_names_and_running_averages(run_dir):
    with np.load(run_dir / "fcnet.npz") as a:
        assert {"W1", "b1", "gamma1", "beta1", "running_mean1", "running_var1", "W3", "b3"} <= set(a.files)


def test_a_crash_mid_run_leaves_only_whole_files(tmp_path, monkeypatch):
    def crash(*args):
        raise RuntimeError("simulated crash")
    monkeypatch.setitem(registry._MODELS, "softmax", dataclasses.replace(registry.get("softmax"), fit=crash))
    with pytest.raises(RuntimeError, match="simulated crash"):
        reproduce(sample=True, out=str(tmp_path), only="svm,softmax", verbose=False, overrides=QUICK)
    assert sorted(os.listdir(tmp_path)) == ["report_material", "results.json", "svm.npz"]  # no report, no temporaries
    assert list(json.loads((tmp_path / "results.json").read_text())) == ["svm"]


def test_a_run_adds_to_the_results_already_in_its_folder(tmp_path, capsys):
    out = str(tmp_path)
    reproduce(sample=True, out=out, only="svm", verbose=False, overrides=QUICK)
    svm = json.loads((tmp_path / "results.json").read_text())["svm"]
    assert main(["reproduce", "--sample", "--out", out, "--only", "knn"]) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert list(results) == ["knn", "svm"] and results["svm"] == svm  # kNN added, the SVM kept as it was
    html = (tmp_path / "report.html").read_text()
    assert registry.get("svm").title in html and "svm weights as images" in html  # from the stored material
    assert html.count("<svg") == 1


def test_results_on_other_data_are_not_merged(tmp_path, capsys):
    (tmp_path / "results.json").write_text(json.dumps({"svm": {"val_acc": 0.4, "data": "/data/cifar"}}))
    assert main(["reproduce", "--sample", "--out", str(tmp_path), "--only", "knn"]) == 2
    assert "holds results on /data/cifar, but this run uses the sample" in capsys.readouterr().err


def test_a_second_run_into_a_busy_folder_is_refused(tmp_path, capsys):
    with run_lock(str(tmp_path)):
        assert main(["reproduce", "--sample", "--out", str(tmp_path), "--only", "knn"]) == 2
    assert "is in use by another run" in capsys.readouterr().err
    assert not (tmp_path / "results.json").exists()
    (tmp_path / LOCK_NAME).write_text("999999999\n")  # a lock left by a process that is gone
    with run_lock(str(tmp_path)):
        assert (tmp_path / LOCK_NAME).read_text().strip() == str(os.getpid())


def test_a_run_killed_while_holding_the_lock_does_not_block_the_next(tmp_path):
    code = ("import sys, time; from tinygrad231n.reproduce.lock import run_lock\n"
            "with run_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunLocked, match="in use by another run"):
            with run_lock(str(tmp_path)):
                pass
    finally:
        holder.kill()  # SIGKILL: no chance to clean up
        holder.wait()
    with run_lock(str(tmp_path)):
        assert (tmp_path / LOCK_NAME).read_text().strip() == str(os.getpid())


# ---- the command line ---------------------------------------------------------------------
def test_train_writes_checkpoint_and_result_and_says_so(tmp_path, capsys):
    assert main(["train", "svm", "--sample", "--out", str(tmp_path), "--params", "num_iters=5"]) == 0
    assert (tmp_path / "svm.npz").exists() and json.loads((tmp_path / "svm.json").read_text())["val_acc"] >= 0
    out = capsys.readouterr().out
    assert "svm: val" in out and str(tmp_path / "svm.npz") in out and str(tmp_path / "svm.json") in out


def test_train_help_shows_the_default_output_folder(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    assert "(default: runs/train)" in " ".join(capsys.readouterr().out.split())  # argparse wraps lines


def test_graph_renders_an_svg(tmp_path):
    assert main(["graph", "twolayer", "--out", str(tmp_path / "g.svg")]) == 0
    svg = (tmp_path / "g.svg").read_text()
    assert "<svg" in svg and "W1" in svg and "CrossEntropy" in svg


def test_sweep_through_the_cli_records_each_configuration(tmp_path, capsys):
    results = tmp_path / "sweep.jsonl"
    args = ["sweep", "features_svm", "--sample", "--grid", "num_iters=5,10 seed=0,1", "--results", str(results),
            "--jobs", "1"]
    assert main(args) == 0
    records = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted((r["config"]["num_iters"], r["config"]["seed"]) for r in records) == [(5, 0), (5, 1), (10, 0), (10, 1)]
    assert all(r["status"] == "ok" for r in records) and "best" in capsys.readouterr().out


def test_a_diverging_configuration_is_recorded_as_failed(tmp_path):
    from tinygrad231n.reproduce.tasks import sweep_task
    from tinygrad231n.sweep import run_sweep
    task = functools.partial(sweep_task, "svm", None, True)
    with np.errstate(all="ignore"):
        records = run_sweep(task, [{"learning_rate": 1e300, "num_iters": 5}, {"num_iters": 2}],
                            str(tmp_path / "s.jsonl"), n_jobs=1, progress=False)
    failed, ok = records
    assert failed["status"] == "failed" and "TrainingDiverged" in failed["error"] and "iteration" in failed["error"]
    assert ok["status"] == "ok"


def test_a_diverging_train_exits_non_zero_and_writes_no_weights(tmp_path, capsys):
    with np.errstate(all="ignore"):
        code = main(["train", "svm", "--sample", "--out", str(tmp_path), "--params", "learning_rate=1e300 num_iters=5"])
    assert code == 1 and not (tmp_path / "svm.npz").exists()
    assert "the loss became" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["reproduce", "--data", "/no/such/folder"], "tinygrad231n download"),
    (["reproduce", "--sample", "--only", "knn,resnet"], "unknown model 'resnet'; choose from knn, svm"),
    (["reproduce", "--sample", "--only", ","], "names no model"),
    (["train", "svm", "--sample", "--params", "momentum_typo=1"], "svm has no setting 'momentum_typo'"),
    (["train", "svm", "--sample", "--params", "num_iters=1,2"], "one value per setting"),
    (["train", "twolayer", "--sample", "--params", "learning_rate=abc"],
     "twolayer: learning_rate must be a positive number, got 'abc'"),
    (["train", "twolayer", "--sample", "--params", "seed=abc"],
     "twolayer: seed must be an integer >= 0 and <= 4294967295, got 'abc'"),
    (["train", "fcnet", "--sample", "--params", "hidden_dims=100"],
     "fcnet: hidden_dims must be a list of integers >= 1 like [512,256], got 100"),
    (["train", "knn", "--sample", "--params", "k_choices=3"], "knn: k_choices must be a list of integers >= 1"),
    (["train", "twolayer", "--sample", "--params", "dtype=float16"],
     "twolayer: dtype must be one of float32, float64, got 'float16'"),
    (["train", "svm", "--sample", "--params", "learning_rate=nan"], "NaN or infinite"),
    (["train", "svm", "--sample", "--params", "learning_rate=-1"], "svm: learning_rate must be a positive number"),
    (["sweep", "fcnet", "--sample", "--grid", "hidden_dims=[512],100"], "fcnet: hidden_dims must be a list"),
    (["sweep", "svm", "--sample", "--grid", "learning_rate=1e-3,inf"], "NaN or infinite"),
    (["graph", "knn"], "invalid choice"),
])
def test_bad_input_gets_one_clear_line_before_any_data_is_loaded(argv, message, capsys, monkeypatch):
    from tinygrad231n.reproduce import dataset
    if "--data" not in argv:
        monkeypatch.setattr(dataset, "load_cifar10_sample", _no_data)
    try:
        code = main(argv)
    except SystemExit as exit:  # argparse's own errors (unknown choices) exit with 2
        code = exit.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) <= 3


def _no_data():
    raise AssertionError("data was loaded before the input was checked")
