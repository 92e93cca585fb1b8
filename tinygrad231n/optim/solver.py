"""CS231n's Solver: minibatch training of a classifier, with the assignment's arguments and defaults.

    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 1e-3},
                    lr_decay=0.95, num_epochs=10, batch_size=100)
    solver.train()
    solver.loss_history, solver.train_acc_history, solver.val_acc_history, solver.best_val_acc

`lr_schedule` ("one_cycle", "cosine", a name in schedules.SCHEDULES, or a function (iteration,
num_iterations) -> factor) sets each iteration's learning rate to optim_config's learning_rate
times the factor (times lr_decay ** epoch), so the rate follows the schedule over the whole run.

The model is an nn.Module with
  - `named_parameters()`: the weights to train; each gets its own copy of optim_config, by name;
  - `loss(X, y)` -> the minibatch's training loss, a scalar Tensor on the tape (regularization
    included); the Solver puts the module in training mode first;
  - `model(X)` -> scores (N, C) as a Tensor, called in eval mode (no dropout, batch norm on
    running averages) under no_grad to measure accuracy.
`data` holds "X_train", "y_train", "X_val", "y_val" (y: int labels).

CS231n's own protocol (a `params` dict and `loss(X, y=None)` returning (loss, grads)) is served by
tinygrad231n.cs231n.solver, which adapts such a model into a Module and runs this Solver.
"""
import numpy as np

from ..atomic import save_npz
from ..function import no_grad
from ..progress import progress as show_progress
from .divergence import check_loss
from .rules import RULES
from .schedules import SCHEDULES

DEFAULTS = {
    "update_rule": "sgd",        # a name in rules.RULES, or a function (w, dw, config) -> (next_w, config)
    "optim_config": {},          # hyperparameters handed to the rule (each parameter gets its own copy)
    "lr_decay": 1.0,             # learning_rate is multiplied by this at the end of every epoch
    "lr_schedule": None,         # None, a name in schedules.SCHEDULES, or a function (iteration, num_iterations) -> factor
    "batch_size": 100,
    "num_epochs": 10,
    "num_train_samples": 1000,   # training accuracy is estimated on this many samples (None: all)
    "num_val_samples": None,     # validation accuracy on this many samples (None: all)
    "checkpoint_name": None,     # if set, write {checkpoint_name}_epoch_{epoch}.npz at each accuracy check
    "print_every": 10,
    "verbose": True,
}
DATA_KEYS = ("X_train", "y_train", "X_val", "y_val")
PARAMS_PREFIX = "params/"  # checkpoint entries under this prefix are the model's parameters


class Solver:
    """Train `model` on `data` with minibatch updates; keep the parameters with the best val accuracy.

    Minibatches are drawn with replacement by np.random.choice, as in CS231n, so np.random.seed
    makes a run reproducible. Accuracy is measured at the first iteration, at every epoch's end
    and at the last iteration; at the end of train() the best parameters seen are swapped in, with
    the model's buffers of that moment (batch norm's running averages: the weights were scored with
    them, and later ones would not fit the weights).
    """

    def __init__(self, model, data, **kwargs):
        unknown = sorted(set(kwargs) - set(DEFAULTS))
        if unknown:
            raise ValueError(f"Solver: unrecognized argument(s) {unknown}; the valid ones are {list(DEFAULTS)}")
        if not (hasattr(model, "named_parameters") and hasattr(model, "loss")):
            raise TypeError(f"Solver: the model must be an nn.Module with a loss(X, y) method, got a "
                            f"{type(model).__name__}; for a CS231n dict-of-arrays model use "
                            "tinygrad231n.cs231n.solver.Solver")
        options = {**DEFAULTS, **kwargs}
        self.model = self.module = model  # `module` is what trains; an adapter may show another `model`
        self._take_data(data)
        self.update_rule = _resolve_rule(options["update_rule"])
        self.optim_config = dict(options["optim_config"])
        self.lr_decay = options["lr_decay"]
        self.lr_schedule = _resolve_schedule(options["lr_schedule"])
        self.batch_size = options["batch_size"]
        self.num_epochs = options["num_epochs"]
        self.num_train_samples = options["num_train_samples"]
        self.num_val_samples = options["num_val_samples"]
        self.checkpoint_name = options["checkpoint_name"]
        self.print_every = options["print_every"]
        self.verbose = options["verbose"]
        if not (isinstance(self.batch_size, (int, np.integer)) and self.batch_size >= 1):
            raise ValueError(f"Solver: batch_size must be a positive integer, got {self.batch_size!r}")
        self._reset()

    def _take_data(self, data):
        """Keep the data and set num_train, the examples an epoch covers. A solver whose data is laid
        out otherwise (CS231n's CaptioningSolver) overrides this and _minibatch."""
        self.X_train, self.y_train, self.X_val, self.y_val = _check_data(data)
        self.num_train = self.X_train.shape[0]

    def _minibatch(self):
        """(X, y) of one training minibatch: batch_size rows drawn with replacement."""
        batch = np.random.choice(self.num_train, self.batch_size)
        return self.X_train[batch], self.y_train[batch]

    def _reset(self):
        """Fresh histories and one optim config per parameter (CS231n calls this from __init__)."""
        self.epoch = 0
        self.best_val_acc = 0
        self.best_params = {}
        self.best_buffers = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        self.parameters = dict(self.module.named_parameters())
        self.optim_configs = {name: dict(self.optim_config) for name in self.parameters}

    def _step(self, iteration, num_iterations):
        """One minibatch: loss and gradients, then each parameter's update. Returns the loss."""
        X, y = self._minibatch()
        if not self.module.training:  # after an accuracy check; walking the modules every step costs
            self.module.train()
        for parameter in self.parameters.values():
            parameter.grad = None
        loss = self.module.loss(X, y)
        value = loss.item()
        rate = next(iter(self.optim_configs.values()), {}).get("learning_rate")
        check_loss("Solver", value, f"epoch {self.epoch}, iteration {iteration + 1} / {num_iterations}", rate,
                   hint="a lower learning_rate in optim_config or a smaller weight_scale")
        loss.backward()
        self.loss_history.append(value)
        if self.lr_schedule is not None:
            self._schedule_rates(iteration, num_iterations)
        for name, parameter in self.parameters.items():
            if parameter.grad is None:
                raise KeyError(f"Solver: parameter {name!r} got no gradient: it takes no part in model.loss")
            next_w, self.optim_configs[name] = self.update_rule(parameter.data, parameter.grad,
                                                                self.optim_configs[name])
            # A new array, not a copy into the old one (CS231n's `params[name] = next_w`); the graph
            # that made the gradient is spent, so nothing else reads the old array.
            parameter.data = np.asarray(next_w, dtype=parameter.dtype)
        return value

    def _schedule_rates(self, iteration, num_iterations):
        """Each config's learning_rate for this iteration: the base rate times the schedule's factor."""
        if "learning_rate" not in self.optim_config:  # a custom rule may have no learning rate to schedule
            return
        factor = self.lr_schedule(iteration, num_iterations) * self.lr_decay ** self.epoch
        rate = self.optim_config["learning_rate"] * factor
        for config in self.optim_configs.values():
            config["learning_rate"] = rate

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of `X` classified as `y`, predicting `batch_size` rows at a time.

        With num_samples set and smaller than N, use that many rows drawn with replacement.
        """
        n = X.shape[0]
        if num_samples is not None and n > num_samples:
            rows = np.random.choice(n, num_samples)
            X, y, n = X[rows], y[rows], num_samples
        predictions = []
        self.module.eval()
        with no_grad():
            for start in range(0, n, batch_size):
                scores = self.module(X[start:start + batch_size])
                predictions.append(np.argmax(getattr(scores, "data", scores), axis=1))
        return float(np.mean(np.concatenate(predictions) == y))

    def train(self):
        """Run num_epochs epochs of max(N_train // batch_size, 1) iterations each."""
        iterations_per_epoch = max(self.num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        with show_progress(total=num_iterations, desc="Solver", unit="it", enabled=self.verbose) as progress:
            for t in range(num_iterations):
                loss = self._step(t, num_iterations)
                progress.update()
                if self.verbose:
                    progress.set_postfix(loss=f"{loss:.4f}", refresh=False)
                    if t % self.print_every == 0:
                        progress.write(f"(Iteration {t + 1} / {num_iterations}) loss: {loss:f}")
                epoch_end = (t + 1) % iterations_per_epoch == 0
                if epoch_end:
                    self._end_epoch()
                if t == 0 or t == num_iterations - 1 or epoch_end:
                    self._record_accuracy(progress)
        for name, value in self.best_params.items():
            self.parameters[name].copy_(value)
        for name, array in self.module.named_buffers():
            if name in self.best_buffers:
                np.copyto(array, self.best_buffers[name])

    def _end_epoch(self):
        self.epoch += 1
        for config in self.optim_configs.values():
            if "learning_rate" in config:  # a custom rule may have no learning rate to decay
                config["learning_rate"] *= self.lr_decay

    def _record_accuracy(self, progress):
        train_acc = self.check_accuracy(self.X_train, self.y_train, num_samples=self.num_train_samples)
        val_acc = self.check_accuracy(self.X_val, self.y_val, num_samples=self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        self._save_checkpoint()
        if self.verbose:
            progress.write(f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; val_acc: {val_acc:f}")
        # `not self.best_params`: keep some parameters even if validation accuracy stays 0.
        if val_acc > self.best_val_acc or not self.best_params:
            self.best_val_acc = val_acc
            self.best_params = {name: p.data.copy() for name, p in self.parameters.items()}
            self.best_buffers = {name: np.array(array, copy=True) for name, array in self.module.named_buffers()}

    def _save_checkpoint(self):
        """Write params and progress to {checkpoint_name}_epoch_{epoch}.npz, atomically (never half a file)."""
        if self.checkpoint_name is None:
            return
        arrays = {PARAMS_PREFIX + name: p.data for name, p in self.parameters.items()}
        arrays.update(
            epoch=self.epoch, update_rule=getattr(self.update_rule, "__name__", repr(self.update_rule)),
            lr_decay=self.lr_decay, batch_size=self.batch_size, loss_history=np.array(self.loss_history),
            train_acc_history=np.array(self.train_acc_history), val_acc_history=np.array(self.val_acc_history),
        )
        save_npz(f"{self.checkpoint_name}_epoch_{self.epoch}.npz", **arrays)


def load_checkpoint(path):
    """Read a Solver checkpoint: (params {name: array}, info {field: scalar or array}).

    Load the parameters back with `module.load_state_dict(params, strict=False)` (the checkpoint
    holds parameters, not buffers such as batch norm's running averages), or for a CS231n
    dict-of-arrays model `model.params.update(params)`.
    """
    with np.load(path) as archive:
        params = {key[len(PARAMS_PREFIX):]: archive[key] for key in archive.files if key.startswith(PARAMS_PREFIX)}
        info = {key: archive[key] for key in archive.files if not key.startswith(PARAMS_PREFIX)}
    return params, {key: value.item() if value.ndim == 0 else value for key, value in info.items()}


def _resolve_rule(update_rule):
    if callable(update_rule):
        return update_rule
    if update_rule not in RULES:
        raise ValueError(f"Solver: invalid update_rule {update_rule!r}; use one of {list(RULES)} "
                         "or a function (w, dw, config) -> (next_w, config)")
    return RULES[update_rule]


def _resolve_schedule(lr_schedule):
    if lr_schedule is None or callable(lr_schedule):
        return lr_schedule
    if lr_schedule not in SCHEDULES:
        raise ValueError(f"Solver: invalid lr_schedule {lr_schedule!r}; use one of {list(SCHEDULES)}, None "
                         "or a function (iteration, num_iterations) -> factor of the learning rate")
    return SCHEDULES[lr_schedule]


def _check_data(data):
    missing = [key for key in DATA_KEYS if key not in data]
    if missing:
        raise KeyError(f"Solver: data is missing {missing}; it needs {list(DATA_KEYS)}")
    X_train, y_train, X_val, y_val = (np.asarray(data[key]) for key in DATA_KEYS)
    for split, X, y in (("train", X_train, y_train), ("val", X_val, y_val)):
        if X.shape[0] == 0 or y.shape != (X.shape[0],):
            raise ValueError(f"Solver: X_{split} must hold N >= 1 examples and y_{split} one label each; "
                             f"got X_{split} {X.shape} and y_{split} {y.shape}")
    return X_train, y_train, X_val, y_val
