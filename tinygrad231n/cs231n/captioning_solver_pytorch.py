"""CS231n's CaptioningSolverPytorch (2025/2026 assignment 2): torch.optim.Adam on COCO captioning
minibatches, on tinygrad231n.torch.

    solver = CaptioningSolverPytorch(model, data, num_epochs=50, batch_size=25, learning_rate=5e-3,
                                     verbose=True, print_every=10)
    solver.train()
    plt.plot(solver.loss_history)

`model` follows the starter's protocol: `model.params`, a dict of tensors, and
`model.loss(features, captions)`, a scalar tensor (classifiers.rnn_pytorch.CaptioningRNN, or a
student's own). `data` is load_coco_data's dict. The options are the starter's, with its defaults:
learning_rate (1e-3), batch_size (100), num_epochs (10), print_every (10), verbose (True); any other
is a ValueError, as there. The starter has no learning-rate decay and measures no accuracy.

As in the starter: the optimizer is the front's torch.optim.Adam (PyTorch's update rule, not
cs231n.optim's adam) over list(model.params.values()), made in the constructor; train() sets
requires_grad on every params tensor, runs num_epochs * max(len(train_captions) // batch_size, 1)
iterations, each on batch_size captions drawn with replacement by np.random.choice
(sample_coco_minibatch; np.random.seed makes a run repeat), and clears requires_grad again at the end.
loss_history holds each iteration's loss as a 0-d numpy array (loss.detach().numpy()); epoch counts
the epochs done (the starter computes where an epoch ends but leaves its counter at 0). The data
checks and minibatches are models.captioning.CaptionBatches', which the other captioning solvers use.
"""
import tinygrad231n.torch as torch
from models.captioning import CaptionBatches

__all__ = ["CaptioningSolverPytorch"]

DEFAULTS = {"learning_rate": 0.001, "batch_size": 100, "num_epochs": 10, "print_every": 10, "verbose": True}


class CaptioningSolverPytorch(CaptionBatches):
    """Train a captioning model of the starter's protocol on load_coco_data's dict with Adam."""

    def __init__(self, model, data, **kwargs):
        unknown = sorted(set(kwargs) - set(DEFAULTS))
        if unknown:
            raise ValueError(f"CaptioningSolverPytorch: unrecognized argument(s) {unknown}; the valid ones are "
                             f"{list(DEFAULTS)}")
        self.model = model
        self._take_data(data)
        for name, default in DEFAULTS.items():
            setattr(self, name, kwargs.get(name, default))
        self.optim = torch.optim.Adam(list(model.params.values()), self.learning_rate)
        self._reset()

    def _reset(self):
        self.epoch = 0
        self.loss_history = []

    def _step(self):
        """One Adam update on a fresh minibatch; its loss goes to loss_history."""
        features, captions = self._minibatch()
        loss = self.model.loss(torch.from_numpy(features), torch.from_numpy(captions).long())
        self.optim.zero_grad()
        loss.backward()
        self.optim.step()
        self.loss_history.append(loss.detach().numpy())

    def train(self):
        """Run the optimization: num_epochs epochs of max(len(train_captions) // batch_size, 1) steps."""
        for tensor in self.model.params.values():
            tensor.requires_grad_()
        iterations_per_epoch = max(self.num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        for t in range(num_iterations):
            self._step()
            if self.verbose and t % self.print_every == 0:
                print(f"(Iteration {t + 1} / {num_iterations}) loss: {float(self.loss_history[-1]):f}")
            if (t + 1) % iterations_per_epoch == 0:
                self.epoch += 1
        for tensor in self.model.params.values():
            tensor.requires_grad_(False)
