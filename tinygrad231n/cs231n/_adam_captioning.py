"""What the starter's two PyTorch-written captioning solvers share (captioning_solver_pytorch of
2025/2026, captioning_solver_transformer of 2024): their five options and defaults, a
torch.optim.Adam made in the constructor, and the training loop.

Each iteration draws batch_size captions with replacement (models.captioning.CaptionBatches:
sample_coco_minibatch's np.random.choice, so np.random.seed repeats a run), takes the subclass's
loss on them and one Adam step; an epoch is max(len(train_captions) // batch_size, 1) iterations.
loss_history holds each iteration's loss as a 0-d numpy array (loss.detach().numpy()); epoch counts
the epochs done (the starters compute where an epoch ends but leave the counter at 0).
"""
import tinygrad231n.torch as torch
from models.captioning import CaptionBatches

DEFAULTS = {"learning_rate": 0.001, "batch_size": 100, "num_epochs": 10, "print_every": 10, "verbose": True}


class AdamCaptioningSolver(CaptionBatches):
    """Subclasses call _setup from their own constructor (the starters' signatures differ) and give
    _loss(features, captions) -> a scalar tensor for one minibatch (numpy arrays in)."""

    def _setup(self, model, data, parameters, options):
        unknown = sorted(set(options) - set(DEFAULTS))
        if unknown:
            raise ValueError(f"{type(self).__name__}: unrecognized argument(s) {unknown}; the valid ones are "
                             f"{list(DEFAULTS)}")
        self.model = model
        self._take_data(data)
        for name, default in DEFAULTS.items():
            setattr(self, name, options.get(name, default))
        self.optim = torch.optim.Adam(list(parameters), self.learning_rate)
        self._reset()

    def _reset(self):
        self.epoch = 0
        self.loss_history = []

    def _loss(self, features, captions):
        raise NotImplementedError

    def _step(self):
        """One Adam update on a fresh minibatch; its loss goes to loss_history."""
        features, captions = self._minibatch()
        loss = self._loss(features, captions)
        self.optim.zero_grad()
        loss.backward()
        self.optim.step()
        self.loss_history.append(loss.detach().numpy())

    def train(self):
        """num_epochs epochs of Adam steps, printing the loss every print_every iterations when verbose."""
        iterations_per_epoch = max(self.num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        for t in range(num_iterations):
            self._step()
            if self.verbose and t % self.print_every == 0:
                print(f"(Iteration {t + 1} / {num_iterations}) loss: {float(self.loss_history[-1]):f}")
            if (t + 1) % iterations_per_epoch == 0:
                self.epoch += 1
