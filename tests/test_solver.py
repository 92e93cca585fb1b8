"""Solver: CS231n's training loop on an nn.Module (tinygrad231n.optim) and, through the cs231n adapter,
on a dict-of-arrays model; its schedule, and its errors."""
import os

import numpy as np
import pytest

import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor, nn, optim
from tinygrad231n.cs231n.solver import Solver as CS231nSolver
from tinygrad231n.optim import Solver, load_checkpoint

DIMS, CLASSES = 5, 3


class SoftmaxModel:
    """CS231n's protocol on plain arrays: params {name: array}; loss(X) -> scores, loss(X, y) -> (loss, grads)."""

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        self.params = {"W": 0.01 * rng.standard_normal((DIMS, CLASSES)), "b": np.zeros(CLASSES)}

    def loss(self, X, y=None):
        W, b = (Tensor(self.params[name], requires_grad=True) for name in ("W", "b"))
        scores = Tensor(X) @ W + b
        if y is None:
            return scores.data
        loss = F.cross_entropy(scores, y)
        loss.backward()
        return loss.item(), {"W": W.grad, "b": b.grad}


class TinyNet(nn.Module):
    """A two-layer nn model: forward gives scores, loss(X, y) the training loss on the tape."""

    def __init__(self, hidden=32, seed=0):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(DIMS, hidden, rng=seed), nn.ReLU(), nn.Linear(hidden, CLASSES, rng=seed + 1))

    def forward(self, x):
        return self.net(x)

    def loss(self, X, y):
        return F.cross_entropy(self(X), y)


class SoftmaxModule(nn.Module):
    """SoftmaxModel's math as a module, with the same initial weights."""

    def __init__(self, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.W = nn.Parameter(0.01 * rng.standard_normal((DIMS, CLASSES)))
        self.b = nn.Parameter(np.zeros(CLASSES))

    def forward(self, X):
        return Tensor(X) @ self.W + self.b

    def loss(self, X, y):
        return F.cross_entropy(self(X), y)


def blobs(n, seed):
    """Three Gaussian blobs in 5-D: mostly separable by a linear model."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, CLASSES, size=n)
    return rng.standard_normal((n, DIMS)) + 3 * np.eye(CLASSES, DIMS)[y], y


def make_data(n_train=200, n_val=60):
    (X_train, y_train), (X_val, y_val) = blobs(n_train, 1), blobs(n_val, 2)
    return {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val}


@pytest.fixture(autouse=True)
def seeded():
    np.random.seed(0)  # the Solver samples minibatches with np.random, as CS231n does


def test_nn_model_overfits_fifty_examples():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((50, DIMS))
    y = (np.sin(3 * X[:, 0]) + X[:, 1] * X[:, 2] > 0).astype(np.int64) + (X[:, 3] > 1)  # not linearly separable
    model = TinyNet(hidden=64)
    solver = Solver(model, {"X_train": X, "y_train": y, "X_val": X, "y_val": y}, update_rule="adam",
                    optim_config={"learning_rate": 1e-2}, batch_size=25, num_epochs=100, verbose=False)
    solver.train()
    assert solver.best_val_acc == 1.0
    assert solver.check_accuracy(X, y) == 1.0  # the best parameters are the ones left in the model
    assert np.mean(solver.loss_history[-10:]) < 0.1 * solver.loss_history[0]


def test_accuracy_is_recorded_at_the_first_iteration_and_every_epoch():
    solver = Solver(SoftmaxModule(), make_data(n_train=210), batch_size=50, num_epochs=3, verbose=False)
    solver.train()
    assert len(solver.loss_history) == 3 * (210 // 50)
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 1 + 3  # the last is an epoch end
    assert solver.epoch == 3


LEARNING_RATES = {"sgd": 0.1, "sgd_momentum": 0.1, "nesterov_momentum": 0.1, "rmsprop": 1e-2, "adam": 5e-2}


@pytest.mark.parametrize("rule", list(optim.RULES))
def test_every_update_rule_learns(rule):
    config = {"learning_rate": LEARNING_RATES[rule]}
    solver = Solver(SoftmaxModule(), make_data(), update_rule=rule, optim_config=config, batch_size=50,
                    num_epochs=5, verbose=False)
    solver.train()
    assert np.mean(solver.loss_history[-4:]) < 0.5 * solver.loss_history[0]
    assert solver.best_val_acc > 0.9


def test_learning_rate_decays_once_per_epoch():
    solver = Solver(SoftmaxModule(), make_data(), update_rule="sgd_momentum", optim_config={"learning_rate": 0.1},
                    lr_decay=0.5, batch_size=50, num_epochs=3, verbose=False)
    solver.train()
    assert set(solver.optim_configs) == {"W", "b"}
    for config in solver.optim_configs.values():
        assert config["learning_rate"] == pytest.approx(0.1 * 0.5 ** 3)
    assert solver.optim_config == {"learning_rate": 0.1}  # the template each parameter copied is untouched


@pytest.mark.parametrize("adapted", [False, True], ids=["module", "cs231n dict model"])
def test_best_parameters_are_swapped_in_at_the_end(adapted):
    model = SoftmaxModel() if adapted else SoftmaxModule()
    data = make_data()
    solver = (CS231nSolver if adapted else Solver)(model, data, optim_config={"learning_rate": 0.5}, batch_size=20,
                                                   num_epochs=4, verbose=False)
    solver.train()
    assert solver.model is model
    assert solver.best_val_acc == max(solver.val_acc_history)
    arrays = model.params if adapted else {name: p.data for name, p in model.named_parameters()}
    for name, value in solver.best_params.items():
        np.testing.assert_array_equal(arrays[name], value)
        assert arrays[name] is not value  # later training cannot change the best copy
    assert solver.check_accuracy(data["X_val"], data["y_val"]) == solver.best_val_acc
    scores = model.loss(data["X_val"]) if adapted else model(data["X_val"]).data  # the model itself, not the Solver
    assert np.mean(np.argmax(scores, axis=1) == data["y_val"]) == solver.best_val_acc


class ScriptedSolver(Solver):
    """A Solver whose val accuracies come from a script, and which notes the model's state at each check."""

    def __init__(self, *args, val_scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.val_scores, self.states = iter(val_scores), []

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        return next(self.val_scores) if X is self.X_val else 0.0

    def _record_accuracy(self, progress):
        super()._record_accuracy(progress)
        self.states.append(({name: p.data.copy() for name, p in self.parameters.items()},
                            {name: array.copy() for name, array in self.module.named_buffers()}))


def test_batch_norms_running_averages_come_back_with_the_best_parameters():
    """The best weights were scored with the running averages of their moment: both come back, not the
    weights alone beside the last averages (which cost a conv net 0.02 of val accuracy)."""
    model = nn.Sequential(nn.Linear(DIMS, 8, rng=0), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, CLASSES, rng=1))
    model.loss = lambda X, y: F.cross_entropy(model(Tensor(X)), y)
    solver = ScriptedSolver(model, make_data(), optim_config={"learning_rate": 0.5}, batch_size=20, num_epochs=3,
                            verbose=False, val_scores=[0.1, 0.9, 0.2, 0.3])  # checks: first step, then 3 epochs
    solver.train()
    best, last = solver.states[1], solver.states[-1]
    buffers = dict(model.named_buffers())
    assert set(buffers) == set(best[1]) and buffers
    for name, array in buffers.items():
        np.testing.assert_array_equal(array, best[1][name])
    assert any(not np.array_equal(best[1][name], last[1][name]) for name in buffers)  # they did move on
    for name, parameter in model.named_parameters():
        np.testing.assert_array_equal(parameter.data, best[0][name])


def test_a_module_and_its_dict_twin_train_to_the_same_weights():
    data = make_data()
    runs = []
    for solver_class, model in ((Solver, SoftmaxModule()), (CS231nSolver, SoftmaxModel())):
        np.random.seed(0)
        solver = solver_class(model, data, update_rule="adam", optim_config={"learning_rate": 1e-2}, batch_size=20,
                              num_epochs=2, verbose=False)
        solver.train()
        runs.append(solver)
    np.testing.assert_allclose(runs[0].loss_history, runs[1].loss_history, rtol=1e-12)
    for name in ("W", "b"):
        np.testing.assert_allclose(runs[0].best_params[name], runs[1].best_params[name], rtol=1e-12)


def test_checkpoints_are_whole_npz_files_that_load_back(tmp_path):
    model = TinyNet(hidden=8)
    data = make_data()
    solver = Solver(model, data, update_rule="adam", batch_size=50, num_epochs=2,
                    checkpoint_name=str(tmp_path / "run"), verbose=False)
    solver.train()
    assert sorted(os.listdir(tmp_path)) == ["run_epoch_0.npz", "run_epoch_1.npz", "run_epoch_2.npz"]  # no temp files
    params, info = load_checkpoint(tmp_path / "run_epoch_2.npz")
    assert info["epoch"] == 2 and info["update_rule"] == "adam" and info["batch_size"] == 50
    assert len(info["loss_history"]) == 8 and list(info["val_acc_history"]) == solver.val_acc_history
    fresh = TinyNet(hidden=8, seed=9)
    assert {name: p.shape for name, p in params.items()} == {name: p.shape for name, p in fresh.named_parameters()}
    fresh.load_state_dict(params, strict=False)
    restored = Solver(fresh, data, verbose=False)
    assert restored.check_accuracy(data["X_val"], data["y_val"]) == solver.val_acc_history[-1]


def test_verbose_prints_cs231n_progress_lines(capsys):
    Solver(SoftmaxModule(), make_data(), batch_size=50, num_epochs=2, print_every=3).train()
    out = capsys.readouterr().out
    assert "(Iteration 1 / 8) loss: " in out and "(Iteration 4 / 8) loss: " in out
    assert "(Iteration 2 / 8)" not in out
    assert "(Epoch 0 / 2) train acc: " in out and "(Epoch 2 / 2) train acc: " in out and "; val_acc: " in out


def test_unknown_arguments_and_update_rules_name_the_valid_ones():
    with pytest.raises(ValueError, match=r"unrecognized argument\(s\) \['learning_rate'\].*'update_rule'"):
        Solver(SoftmaxModule(), make_data(), learning_rate=1e-3)
    with pytest.raises(ValueError, match=r"invalid update_rule 'adagrad'.*'adam'"):
        CS231nSolver(SoftmaxModel(), make_data(), update_rule="adagrad")
    with pytest.raises(KeyError, match=r"missing \['y_val'\]"):
        Solver(SoftmaxModule(), {key: value for key, value in make_data().items() if key != "y_val"})
    with pytest.raises(TypeError, match="cs231n.solver.Solver"):
        Solver(SoftmaxModel(), make_data())  # a dict-of-arrays model needs the adapter


def test_a_function_can_be_the_update_rule():
    calls = []

    def halve(w, dw, config):
        calls.append(w.shape)
        return w / 2, config

    model = SoftmaxModel()
    model.params["b"] += 1.0
    CS231nSolver(model, make_data(), update_rule=halve, batch_size=200, num_epochs=1, verbose=False).train()
    assert sorted(calls) == [(CLASSES,), (DIMS, CLASSES)]
    np.testing.assert_allclose(model.params["b"], 0.5)


def test_a_diverging_loss_stops_training_with_a_hint():
    class DivergesOnThirdStep(SoftmaxModel):
        steps = 0

        def loss(self, X, y=None):
            if y is not None:
                self.steps += 1
                if self.steps == 3:
                    return float("nan"), {}
            return super().loss(X, y)

    solver = CS231nSolver(DivergesOnThirdStep(), make_data(), optim_config={"learning_rate": 3.0}, batch_size=100,
                          num_epochs=2, verbose=False)
    expected = r"loss became nan at epoch 1, iteration 3 / 4.*lower learning_rate.*3\.0"
    with pytest.raises(FloatingPointError, match=expected):
        solver.train()
    assert len(solver.loss_history) == 2


def test_labels_outside_the_models_classes_surface_the_loss_error():
    data = make_data()
    data["y_train"] = data["y_train"].copy()
    data["y_train"][:] = CLASSES  # every label is one past the last class
    with pytest.raises(ValueError, match=f"label {CLASSES} is out of range for {CLASSES} classes"):
        Solver(SoftmaxModule(), data, verbose=False).train()


def test_a_missing_gradient_is_named():
    class ForgetsB(SoftmaxModel):
        def loss(self, X, y=None):
            out = super().loss(X, y)
            return out if y is None else (out[0], {"W": out[1]["W"]})

    with pytest.raises(KeyError, match="no gradient for parameter 'b'"):
        CS231nSolver(ForgetsB(), make_data(), verbose=False).train()

    class Unused(SoftmaxModule):
        def __init__(self):
            super().__init__()
            self.spare = nn.Parameter(np.zeros(2))

    with pytest.raises(KeyError, match="'spare' got no gradient"):
        Solver(Unused(), make_data(), verbose=False).train()


def test_check_accuracy_batches_do_not_change_the_result():
    model, data = SoftmaxModule(seed=4), make_data()
    solver = Solver(model, data, verbose=False)
    expected = np.mean(np.argmax(model(data["X_val"]).data, axis=1) == data["y_val"])
    assert solver.check_accuracy(data["X_val"], data["y_val"], batch_size=7) == expected
    assert 0 <= solver.check_accuracy(data["X_val"], data["y_val"], num_samples=10) <= 1
