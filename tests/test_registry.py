"""The registry: a model declared once reaches the command line and the report; typed settings; `keep`."""
import json

import numpy as np
import pytest

import tinygrad231n.nn.functional as F
from models import registry
from models.fitting import PREPROCESSING_SETTINGS, SOLVER_SETTINGS, FirstLayerWeights, TrainingCurves, pixel_net_recipe
from models.inputs import batch_rows
from models.settings import DTYPE, SEED, Choice, Flag, Integer, IntegerList, Number, SettingError
from tinygrad231n import nn
from tinygrad231n.cli import main


class ToyNet(nn.Module):
    """A model no file of the project knows: softmax regression on pixels, one nn.Linear."""

    def __init__(self, input_dim, reg=0.0, dtype=np.float64, seed=None):
        super().__init__()
        self.input_dim, self.reg, self.dtype = input_dim, reg, np.dtype(dtype)
        self.linear = nn.Linear(input_dim, 10, weight_scale=1e-3, dtype=dtype, rng=seed)

    def forward(self, X):
        return self.linear(batch_rows(X, self.input_dim, self.dtype, "ToyNet"))

    def loss(self, X, y):
        return F.cross_entropy(self(X), y) + self.reg * F.sum_of_squares(self.linear.weight)


TOY = registry.ModelSpec(  # the one declaration
    name="toy", title="Toy softmax regression", fit=pixel_net_recipe(ToyNet),
    settings={**PREPROCESSING_SETTINGS, "reg": Number(low=0), "dtype": DTYPE, **SOLVER_SETTINGS, "seed": SEED},
    kept=registry.Kept({"preprocessing": {"layout": "HWC", "divide_by_std": True, "bias": False},
                        "model": {"reg": 1e-4, "dtype": "float64"},
                        "solver": {"update_rule": "sgd", "optim_config": {"learning_rate": 1e-2}, "lr_decay": 1.0,
                                   "batch_size": 100, "num_epochs": 2},
                        "seed": 0}, found_by="written by hand for this test"),
    quick={"num_epochs": 1}, checkpoint="W1 (D, C), b1; mean_image, std_image, layout, bias",
    figures=(TrainingCurves, FirstLayerWeights), groups=("toys",),
)


@pytest.fixture
def toy():
    registry.register(TOY)
    yield TOY
    registry.unregister("toy")


def test_a_model_declared_once_runs_through_train_graph_sweep_reproduce_and_the_report(toy, tmp_path, capsys):
    assert "toy" in registry.names() and registry.groups()["toys"] == ("toy",)
    assert main(["train", "toy", "--sample", "--out", str(tmp_path / "train"), "--params", "num_epochs=1"]) == 0
    with np.load(tmp_path / "train" / "toy.npz") as checkpoint:
        assert checkpoint["W1"].shape == (3072, 10) and {"b1", "mean_image", "std_image"} <= set(checkpoint.files)
    assert main(["graph", "toy", "--out", str(tmp_path / "toy.svg")]) == 0
    assert "linear.weight" in (tmp_path / "toy.svg").read_text()  # its module name: it did not ask for W1
    assert main(["sweep", "toy", "--sample", "--grid", "learning_rate=1e-2,1e-3", "--jobs", "1",
                 "--results", str(tmp_path / "sweep.jsonl")]) == 0
    assert main(["reproduce", "--sample", "--out", str(tmp_path / "run"), "--only", "toys"]) == 0
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert list(results) == ["toy"] and results["toy"]["hyperparameters"]["num_epochs"] == 2
    html = (tmp_path / "run" / "report.html").read_text()
    assert "Toy softmax regression" in html and "First-layer weights" in html and html.count("<svg") == 1
    assert main(["train", "toy", "--sample", "--params", "dtype=float16"]) == 2
    assert "toy: dtype must be one of float32, float64" in capsys.readouterr().err


def test_a_declaration_is_checked_when_it_is_registered(toy):
    import dataclasses
    with pytest.raises(ValueError, match="already registered"):
        registry.register(dataclasses.replace(TOY))
    with pytest.raises(SettingError, match="no type for \\['reg'\\]"):
        registry.register(dataclasses.replace(TOY, name="toy2", settings={k: v for k, v in TOY.settings.items()
                                                                          if k != "reg"}))
    with pytest.raises(SettingError, match="toy3: num_epochs must be an integer >= 1, got 0"):
        registry.register(dataclasses.replace(TOY, name="toy3", quick={"num_epochs": 0}))
    with pytest.raises(ValueError, match="group 'svm' of 'toy4' is already a model's name"):
        registry.register(dataclasses.replace(TOY, name="toy4", groups=("svm",)))
    assert "toy2" not in registry.names() and "toy3" not in registry.names()


def test_select_resolves_models_and_groups_in_run_order():
    assert registry.select("features,svm") == ("svm", "features_svm", "features_net")
    assert registry.select(None) == registry.names()
    for bad, message in ((",", "names no model"), ("svm,,nope", "unknown model 'nope'")):
        with pytest.raises(ValueError, match=message):
            registry.select(bad)


def test_every_kept_file_is_strict_json_with_its_command():
    for spec in registry.specs():
        with open(spec.kept.path) as fh:
            record = json.load(fh, parse_constant=lambda name: pytest.fail(f"{spec.name}: {name}"))
        assert record["settings"] == spec.kept.settings and spec.kept.found_by.strip()


@pytest.mark.parametrize("kind, value, expected", [
    (Number(positive=True), "abc", "must be a positive number, got 'abc'"),
    (Number(positive=True), float("inf"), "must be a positive number, got inf"),
    (Number(0, 1), 1.5, "must be a number from 0 to 1, got 1.5"),
    (Number(positive=True, optional=True, none_means="He init"), [1], "or None (He init)"),
    (Integer(1), 2.5, "must be an integer >= 1, got 2.5"),
    (Integer(1), True, "must be an integer >= 1, got True"),
    (IntegerList(1), [512, 0], "must be a list of integers >= 1 like [512,256], got [512, 0]"),
    (Choice("HWC", "CHW"), "NHWC", "must be one of HWC, CHW, got 'NHWC'"),
    (Flag(), "maybe", "must be true or false, got 'maybe'"),
])
def test_a_value_that_does_not_fit_says_what_fits(kind, value, expected):
    with pytest.raises(ValueError) as error:
        kind.check(value)
    assert expected in str(error.value)


@pytest.mark.parametrize("kind, value, expected", [
    (Number(), 3, 3.0), (Number(optional=True), "None", None), (Integer(0), 1e3, 1000),
    (IntegerList(1), (512, 256.0), [512, 256]), (IntegerList(1), [], []), (Flag(), "false", False),
    (Flag(), 1, True), (Choice(None, "batchnorm"), "none", None),
])
def test_a_value_that_fits_comes_back_in_canonical_form(kind, value, expected):
    assert kind.check(value) == expected and type(kind.check(value)) is type(expected)


def test_overrides_land_where_each_setting_lives_and_aliases_work():
    spec = registry.get("fcnet")
    config = spec.config({"lr": 5e-4, "hidden_dims": [64], "weight_scale": "none", "epochs": 2})
    assert config["solver"]["optim_config"]["learning_rate"] == 5e-4 and config["solver"]["num_epochs"] == 2
    assert config["model"]["hidden_dims"] == [64] and config["model"]["weight_scale"] is None
    assert spec.kept.settings["model"]["hidden_dims"] == [512, 256]  # the kept settings are left alone


def test_keep_turns_a_sweeps_best_mean_over_seeds_into_the_kept_file(tmp_path, capsys):
    results = tmp_path / "sweep-svm.jsonl"
    rows = [({"learning_rate": 1e-7, "seed": 0}, 0.40), ({"learning_rate": 1e-7, "seed": 1}, 0.36),
            ({"learning_rate": 2e-7, "seed": 0}, 0.39), ({"learning_rate": 2e-7, "seed": 1}, 0.39),
            ({"learning_rate": 5e-7, "seed": 0}, 0.10)]
    results.write_text("".join(json.dumps({"config": config, "status": "ok", "seconds": 1.0,
                                           "result": {"val_acc": val, "test_acc": val - 0.02}}) + "\n"
                               for config, val in rows))
    out = tmp_path / "svm.json"
    assert main(["keep", "svm", "--results", str(results), "--out", str(out)]) == 0
    kept = json.loads(out.read_text())
    assert kept["settings"]["train"]["learning_rate"] == 2e-7  # mean 0.39 beats 0.38, though 0.40 was the best run
    assert kept["settings"]["seed"] == 0 and kept["settings"]["train"]["reg"] == registry.get("svm").kept.settings[
        "train"]["reg"]
    assert 'tinygrad231n sweep svm --grid "learning_rate=1e-07,2e-07,5e-07 seed=0,1"' in kept["found_by"]
    assert "val 0.390 (mean over seeds [0, 1]" in kept["seen"]
    assert str(out) in capsys.readouterr().out


def test_inputs_astype_converts_the_floats_and_copies_nothing_already_in_that_dtype():
    from models.fitting import Inputs
    X, y = np.ones((4, 3)), np.arange(4)
    inputs = Inputs(X, y, X[:2], y[:2], X[2:], y[2:])
    same = inputs.astype(np.float64)
    assert np.shares_memory(same.X_train, X) and np.shares_memory(same.X_test, X) and same.y_val is inputs.y_val
    single = inputs.astype(np.float32)
    assert single.X_val.dtype == np.float32 and single.y_train.dtype == y.dtype
