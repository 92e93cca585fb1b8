"""One check for every training loop: a loss that is NaN or infinite stops training, saying where."""
import math


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite; the message names the step and the learning rate."""


def check_loss(owner, loss, step, learning_rate, hint="a lower learning_rate"):
    """Raise TrainingDiverged unless `loss` (a float) is finite.

    owner: who trains, for the message ("Solver", "LinearSVM.train"); step: where, in words
    ("epoch 1, iteration 3 / 4"). Checked before the backward pass and the update, so the weights
    keep their last finite values.
    """
    if not math.isfinite(loss):
        raise TrainingDiverged(f"{owner}: the loss became {loss} at {step}; training diverged. "
                               f"Try {hint} (learning_rate is now {learning_rate})")
