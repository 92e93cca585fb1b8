"""CS231n's CaptioningSolverTransformer (2024, assignment 3), on the PyTorch-flavoured front.

    solver = CaptioningSolverTransformer(model, data, idx_to_word=data["idx_to_word"], num_epochs=100,
                                         batch_size=25, learning_rate=0.001, verbose=True, print_every=10)
    solver.train()
    plt.plot(solver.loss_history)

`model` is a front nn.Module mapping (features (N, D), captions (N, T)) to scores (N, T, V), as
classifiers.transformer.CaptioningTransformer; `data` is load_coco_data's dict. Each iteration draws
batch_size captions with replacement (sample_coco_minibatch: np.random.choice, so np.random.seed
repeats a run; models.captioning.CaptionBatches draws them), predicts captions[:, 1:] from
captions[:, :-1] and takes one torch.optim.Adam step (PyTorch's defaults, lr = learning_rate).
An epoch is max(len(train_captions) // batch_size, 1) iterations. The options are the starter's:
learning_rate (0.001), batch_size (100), num_epochs (10), print_every (10), verbose (True).

The loss is the starter's transformer_temporal_softmax_loss: cross-entropy at every step, zeroed
where the target is <NULL>, then averaged over all N * T steps (padding included), so it is the
captioning RNN's loss (summed over steps, averaged over N) divided by T.
"""
import numpy as np

import tinygrad231n.torch as torch
from models.captioning import CaptionBatches

__all__ = ["CaptioningSolverTransformer"]


class CaptioningSolverTransformer(CaptionBatches):
    """Train a captioning transformer on load_coco_data's dict; loss_history holds every iteration's loss."""

    def __init__(self, model, data, idx_to_word, **kwargs):
        self.model = model
        self._take_data(data)
        self.idx_to_word = idx_to_word
        self.learning_rate = kwargs.pop("learning_rate", 0.001)
        self.batch_size = kwargs.pop("batch_size", 100)
        self.num_epochs = kwargs.pop("num_epochs", 10)
        self.print_every = kwargs.pop("print_every", 10)
        self.verbose = kwargs.pop("verbose", True)
        if kwargs:
            raise ValueError(f"CaptioningSolverTransformer: unrecognized argument(s) {sorted(kwargs)}; the valid "
                             "ones are learning_rate, batch_size, num_epochs, print_every, verbose")
        self.optim = torch.optim.Adam(self.model.parameters(), self.learning_rate)
        self._reset()

    def _reset(self):
        self.epoch = 0
        self.loss_history = []

    def _step(self):
        """One Adam step on a fresh minibatch; its loss goes to loss_history."""
        features, captions = self._minibatch()
        captions_in, captions_out = captions[:, :-1], captions[:, 1:]
        mask = captions_out != self.model._null
        logits = self.model(torch.tensor(features), torch.tensor(captions_in, dtype=torch.long))
        loss = self.transformer_temporal_softmax_loss(logits, torch.tensor(captions_out, dtype=torch.long),
                                                      torch.tensor(mask, dtype=torch.long))
        self.loss_history.append(loss.detach().numpy())
        self.optim.zero_grad()
        loss.backward()
        self.optim.step()

    def train(self):
        """num_epochs epochs of Adam steps, printing the loss every print_every iterations when verbose."""
        iterations_per_epoch = max(self.num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        for t in range(num_iterations):
            self._step()
            if self.verbose and t % self.print_every == 0:
                print("(Iteration %d / %d) loss: %f" % (t + 1, num_iterations, self.loss_history[-1]))
            if (t + 1) % iterations_per_epoch == 0:
                self.epoch += 1

    def transformer_temporal_softmax_loss(self, x, y, mask):
        """x (N, T, V) scores, y (N, T) target indices, mask (N, T) 1 where a step counts -> the scalar
        sum of the counted steps' cross-entropies / (N * T)."""
        n, t, v = x.shape
        losses = torch.nn.functional.cross_entropy(x.reshape(n * t, v), y.reshape(n * t), reduction="none")
        return torch.mean(torch.mul(losses, mask.reshape(n * t)))
