"""CS231n's CaptioningSolver (2024's assignment 3): the Solver's loop on COCO captioning minibatches.

    solver = CaptioningSolver(model, data, update_rule="adam", optim_config={"learning_rate": 5e-3},
                              lr_decay=0.995, num_epochs=50, batch_size=25, print_every=10)
    solver.train()
    plt.plot(solver.loss_history)

`data` is load_coco_data's dict; each iteration draws batch_size captions with replacement
(coco_utils.sample_coco_minibatch, np.random.choice as in the assignment, so np.random.seed makes
a run reproducible), and an epoch is max(len(train_captions) // batch_size, 1) iterations, after
which every learning rate is multiplied by lr_decay. `model` follows the assignment's protocol:
`model.params` {name: array} and `model.loss(features, captions)` -> (loss, {name: gradient}), as
classifiers.rnn.CaptioningRNN and a student's own model do. The options are the assignment's:
update_rule (a name in cs231n.optim), optim_config, lr_decay, batch_size, num_epochs, print_every,
verbose. As in the assignment, training measures no accuracy: train_acc_history and
val_acc_history stay empty, and model.params end as the last update left them.

The loop is cs231n.solver.Solver's (tinygrad231n.optim.Solver over the model seen as a module);
the data it keeps and the minibatches it draws are models.captioning.CaptionBatches', which the
captioning models of the registry train with too.
"""
import numpy as np

from models.captioning import CaptionBatches

from .solver import ProtocolModule, Solver

__all__ = ["CaptioningSolver"]

OPTIONS = ("update_rule", "optim_config", "lr_decay", "batch_size", "num_epochs", "print_every", "verbose")


class CaptioningSolver(CaptionBatches, Solver):
    """Train a captioning model on load_coco_data's dict; loss_history holds every iteration's loss."""

    def __init__(self, model, data, **kwargs):
        unknown = sorted(set(kwargs) - set(OPTIONS))
        if unknown:
            raise ValueError(f"CaptioningSolver: unrecognized argument(s) {unknown}; the valid ones are {list(OPTIONS)}")
        super().__init__(model, data, **kwargs)

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of the words of captions y (N, T) that the model's greedy captions of features X (N, D)
        get right at their position: y[:, 1:] where it is not <NULL>, against model.sample(X, T - 1).
        (The assignment leaves this method a stub that returns 0.0.) With num_samples set and smaller
        than N, that many captions drawn with replacement by np.random.choice; batch_size at a time."""
        X, y = np.asarray(X), np.asarray(y)
        n = X.shape[0]
        if y.ndim != 2 or y.shape[0] != n or y.shape[1] < 2:
            raise ValueError(f"CaptioningSolver.check_accuracy: y must be (N, T) captions with T >= 2 for the "
                             f"N = {n} rows of X, got shape {y.shape}")
        if num_samples is not None and n > num_samples:
            rows = np.random.choice(n, num_samples)
            X, y, n = X[rows], y[rows], num_samples
        if isinstance(self.module, ProtocolModule):
            self.module.push()  # the updated weights, into the model that samples
        targets = y[:, 1:]
        sampled = np.concatenate([self.model.sample(X[start:start + batch_size], max_length=targets.shape[1])
                                  for start in range(0, n, batch_size)])
        counted = targets != self.data["word_to_idx"]["<NULL>"]
        return float(np.mean(sampled[counted] == targets[counted])) if counted.any() else 0.0
