"""Learning-rate schedules over a run of a known length: the factor the base learning rate is
multiplied by at each iteration.

    factor = SCHEDULES["one_cycle"](iteration, num_iterations)      # iteration in 0 .. num_iterations - 1
    Solver(model, data, optim_config={"learning_rate": 0.05}, lr_schedule="one_cycle")

A schedule that knows where the run ends fits a fixed time budget: the rate is large while the
weights are far from good and anneals to nearly 0 by the last step, whatever the number of epochs.
"""
import math

WARMUP_FRACTION = 0.2  # one_cycle's linear rise: the first fifth of the run


def constant(iteration, num_iterations):
    """1 throughout: the base rate (with the Solver's per-epoch lr_decay, CS231n's schedule)."""
    return 1.0


def one_cycle(iteration, num_iterations):
    """A linear rise from 1/warm-up to 1 over the first WARMUP_FRACTION of the iterations, then a linear
    fall to 1/(rest) at the last: the warm-up keeps the first large steps from throwing batch norm's
    statistics and Adam's moments off, and the long fall anneals."""
    warmup = max(1, int(WARMUP_FRACTION * num_iterations))
    if iteration < warmup:
        return (iteration + 1) / warmup
    return (num_iterations - iteration) / max(1, num_iterations - warmup)


def cosine(iteration, num_iterations):
    """Half a cosine, from 1 at the first iteration to nearly 0 at the last (no warm-up)."""
    return 0.5 * (1 + math.cos(math.pi * iteration / max(1, num_iterations)))


SCHEDULES = {"constant": constant, "one_cycle": one_cycle, "cosine": cosine}
