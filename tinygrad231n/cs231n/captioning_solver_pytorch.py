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
the epochs done (the starter computes where an epoch ends but leaves its counter at 0). The loop is
the one the transformer's solver runs too (_adam_captioning.py).
"""
import tinygrad231n.torch as torch

from ._adam_captioning import AdamCaptioningSolver

__all__ = ["CaptioningSolverPytorch"]


class CaptioningSolverPytorch(AdamCaptioningSolver):
    """Train a captioning model of the starter's protocol on load_coco_data's dict with Adam."""

    def __init__(self, model, data, **kwargs):
        self._setup(model, data, model.params.values(), kwargs)

    def _loss(self, features, captions):
        return self.model.loss(torch.from_numpy(features), torch.from_numpy(captions).long())

    def train(self):
        """Run the optimization, with requires_grad on every params tensor while it runs (as the starter)."""
        for tensor in self.model.params.values():
            tensor.requires_grad_()
        super().train()
        for tensor in self.model.params.values():
            tensor.requires_grad_(False)
