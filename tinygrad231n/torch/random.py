"""The front's random numbers: one numpy Generator that `torch.manual_seed(s)` reseeds.

    torch.manual_seed(231)                 # as in the notebooks
    gen = torch.random.default_generator() # a numpy Generator (PCG64); the same object after every reseed

Everything random in the front that is not handed a generator of its own draws from this one: the
DataLoader's shuffling, RandomSampler and SubsetRandomSampler, and torchvision's RandomCrop and
RandomHorizontalFlip. A seed makes a run repeat itself exactly, but the numbers are numpy's, not
PyTorch's: `manual_seed(0)` here and in PyTorch give different shuffles, crops and flips, so a check
that only PyTorch's own random numbers can pass cannot pass here. Until it is seeded the generator
starts from fresh entropy, as PyTorch's does.
"""
import operator

import numpy as np

from tinygrad231n.errors import InputError

# PyTorch takes seeds in [-2**63, 2**64 - 1] and maps a negative one to seed + 2**64.
_LOWEST_SEED, _SEED_SPAN = -(2 ** 63), 2 ** 64



class _SharedGenerator(np.random.Generator):
    """The front's one generator. `copy.deepcopy` of anything holding it (a module with Dropout, as
    CS231n's `clones`) gives back this very generator, not a twin: in PyTorch every copy draws from
    the global generator, so the copies' masks differ and torch.manual_seed still governs them."""

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self


_initial_seed = int(np.random.SeedSequence().entropy % _SEED_SPAN)
_generator = _SharedGenerator(np.random.PCG64(_initial_seed))


def manual_seed(seed):
    """Reseed the front's generator with the integer `seed`; returns that generator.

    It is reseeded in place, so a generator fetched earlier (default_generator()) follows.
    A seed outside PyTorch's range, or one that is not an integer, is an InputError.
    """
    global _initial_seed
    if isinstance(seed, bool):
        raise InputError(f"manual_seed: the seed must be an integer, got the bool {seed}")
    try:
        seed = operator.index(seed)
    except TypeError:
        raise InputError(f"manual_seed: the seed must be an integer, got {type(seed).__name__} {seed!r}") from None
    if not _LOWEST_SEED <= seed < _SEED_SPAN:
        raise InputError(f"manual_seed: the seed must lie in [-2**63, 2**64 - 1] (as in PyTorch), got {seed}")
    _initial_seed = seed % _SEED_SPAN
    _generator.bit_generator.state = np.random.PCG64(_initial_seed).state
    return _generator


def initial_seed():
    """The seed the generator was last started from (PyTorch's `torch.initial_seed()`), a non-negative int."""
    return _initial_seed


def default_generator():
    """The front's numpy Generator; draws with `.random()`, `.integers(low, high)`, `.permutation(n)`."""
    return _generator


def generator_or_default(generator):
    """`generator` (anything that draws like a numpy Generator) if given, else the front's generator.

    What the samplers and transforms call when they draw, so a manual_seed between epochs counts.
    """
    return _generator if generator is None else generator
