"""CS231n's Solver: minibatch training of a classifier, with the assignment's arguments and defaults.

    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 1e-3},
                    lr_decay=0.95, num_epochs=10, batch_size=100)
    solver.train()
    solver.loss_history, solver.train_acc_history, solver.val_acc_history, solver.best_val_acc

The model follows CS231n's protocol:
  - `model.params`: {name: numpy array}, read and written by name (a plain dict, or the live
    view an nn.Module offers as `module.params`);
  - `model.loss(X, y)` -> (loss as a float, {name: gradient array}) in training mode;
  - `model.loss(X)` -> scores (N, C), in test mode (no dropout, batch norm on running averages).
`data` holds "X_train", "y_train", "X_val", "y_val" (y: int labels).
"""
import numpy as np
from tqdm import tqdm

from ..atomic import save_npz
from .rules import RULES

DEFAULTS = {
    "update_rule": "sgd",        # a name in rules.RULES, or a function (w, dw, config) -> (next_w, config)
    "optim_config": {},          # hyperparameters handed to the rule (each parameter gets its own copy)
    "lr_decay": 1.0,             # learning_rate is multiplied by this at the end of every epoch
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
    and at the last iteration; at the end of train() the best parameters seen are swapped in.
    """

    def __init__(self, model, data, **kwargs):
        unknown = sorted(set(kwargs) - set(DEFAULTS))
        if unknown:
            raise ValueError(f"Solver: unrecognized argument(s) {unknown}; the valid ones are {list(DEFAULTS)}")
        options = {**DEFAULTS, **kwargs}
        self.model = model
        self.X_train, self.y_train, self.X_val, self.y_val = _check_data(data)
        self.update_rule = _resolve_rule(options["update_rule"])
        self.optim_config = dict(options["optim_config"])
        self.lr_decay = options["lr_decay"]
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

    def _reset(self):
        """Fresh histories and one optim config per parameter (CS231n calls this from __init__)."""
        self.epoch = 0
        self.best_val_acc = 0
        self.best_params = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        self.optim_configs = {name: dict(self.optim_config) for name in self.model.params}

    def _step(self, iteration, num_iterations):
        """One minibatch: loss and gradients, then each parameter's update. Returns the loss."""
        batch = np.random.choice(self.X_train.shape[0], self.batch_size)
        loss, grads = self.model.loss(self.X_train[batch], self.y_train[batch])
        if not np.isfinite(loss):
            rate = next(iter(self.optim_configs.values()), {}).get("learning_rate")
            raise FloatingPointError(
                f"Solver: the loss became {loss} at epoch {self.epoch}, iteration {iteration + 1} / "
                f"{num_iterations}; training diverged. Try a lower learning_rate in optim_config "
                f"(now {rate}) or a smaller weight_scale")
        self.loss_history.append(loss)
        params = self.model.params
        for name, w in params.items():
            if name not in grads:
                raise KeyError(f"Solver: model.loss returned no gradient for parameter {name!r} "
                               f"(it returned gradients for {sorted(grads)})")
            params[name], self.optim_configs[name] = self.update_rule(w, grads[name], self.optim_configs[name])
        return loss

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of `X` classified as `y`, predicting `batch_size` rows at a time.

        With num_samples set and smaller than N, use that many rows drawn with replacement.
        """
        n = X.shape[0]
        if num_samples is not None and n > num_samples:
            rows = np.random.choice(n, num_samples)
            X, y, n = X[rows], y[rows], num_samples
        predictions = []
        for start in range(0, n, batch_size):
            scores = self.model.loss(X[start:start + batch_size])
            predictions.append(np.argmax(getattr(scores, "data", scores), axis=1))
        return float(np.mean(np.concatenate(predictions) == y))

    def train(self):
        """Run num_epochs epochs of max(N_train // batch_size, 1) iterations each."""
        iterations_per_epoch = max(self.X_train.shape[0] // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        with tqdm(total=num_iterations, desc="Solver", unit="it", disable=not self.verbose) as progress:
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
        params = self.model.params
        for name, value in self.best_params.items():
            params[name] = value.copy()

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
            self.best_params = {name: np.array(w, copy=True) for name, w in self.model.params.items()}

    def _save_checkpoint(self):
        """Write params and progress to {checkpoint_name}_epoch_{epoch}.npz, atomically (never half a file)."""
        if self.checkpoint_name is None:
            return
        arrays = {PARAMS_PREFIX + name: w for name, w in self.model.params.items()}
        arrays.update(
            epoch=self.epoch, update_rule=getattr(self.update_rule, "__name__", repr(self.update_rule)),
            lr_decay=self.lr_decay, batch_size=self.batch_size, loss_history=np.array(self.loss_history),
            train_acc_history=np.array(self.train_acc_history), val_acc_history=np.array(self.val_acc_history),
        )
        save_npz(f"{self.checkpoint_name}_epoch_{self.epoch}.npz", **arrays)


def load_checkpoint(path):
    """Read a Solver checkpoint: (params {name: array}, info {field: scalar or array}).

    Load the parameters back with `model.params.update(params)` (dict models) or
    `module.params = params`.
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
