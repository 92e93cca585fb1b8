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
learning_rate (0.001), batch_size (100), num_epochs (10), print_every (10), verbose (True); the loop
is the one CaptioningSolverPytorch runs too (_adam_captioning.py).

The loss is the starter's transformer_temporal_softmax_loss: cross-entropy at every step, zeroed
where the target is <NULL>, then averaged over all N * T steps (padding included), so it is the
captioning RNN's loss (summed over steps, averaged over N) divided by T.
"""
import tinygrad231n.torch as torch

from ._adam_captioning import AdamCaptioningSolver

__all__ = ["CaptioningSolverTransformer"]


class CaptioningSolverTransformer(AdamCaptioningSolver):
    """Train a captioning transformer on load_coco_data's dict; loss_history holds every iteration's loss."""

    def __init__(self, model, data, idx_to_word, **kwargs):
        self._setup(model, data, model.parameters(), kwargs)
        self.idx_to_word = idx_to_word

    def _loss(self, features, captions):
        captions_in, captions_out = captions[:, :-1], captions[:, 1:]
        mask = captions_out != self.model._null
        logits = self.model(torch.tensor(features), torch.tensor(captions_in, dtype=torch.long))
        return self.transformer_temporal_softmax_loss(logits, torch.tensor(captions_out, dtype=torch.long),
                                                      torch.tensor(mask, dtype=torch.long))

    def transformer_temporal_softmax_loss(self, x, y, mask):
        """x (N, T, V) scores, y (N, T) target indices, mask (N, T) 1 where a step counts -> the scalar
        sum of the counted steps' cross-entropies / (N * T)."""
        n, t, v = x.shape
        losses = torch.nn.functional.cross_entropy(x.reshape(n * t, v), y.reshape(n * t), reduction="none")
        return torch.mean(torch.mul(losses, mask.reshape(n * t)))
