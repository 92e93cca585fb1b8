"""Samplers: which dataset indices a DataLoader reads, in what order, and how they group into batches.

    SequentialSampler(ds)              0, 1, ..., len(ds) - 1
    RandomSampler(ds)                  a fresh permutation of range(len(ds)) every epoch
    SubsetRandomSampler(range(a, b))   the given indices, each once per epoch, in a fresh random order
    BatchSampler(sampler, 64, False)   lists of up to 64 of the sampler's indices

As in torch.utils.data.sampler. The random ones draw, when an epoch starts, from the `generator`
they were given (a numpy Generator) or else from the front's generator (tinygrad231n.torch.random,
which torch.manual_seed reseeds): the orders differ from PyTorch's for the same seed.
"""
import operator

import numpy as np

from tinygrad231n.errors import InputError
from tinygrad231n.torch._unsupported import unsupported
from tinygrad231n.torch.random import generator_or_default

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler"]


def _positive_int(value, name, owner):
    """`value` as an int if it is a positive integer (not a bool); else an InputError in PyTorch's words."""
    try:
        number = None if isinstance(value, bool) else operator.index(value)
    except TypeError:
        number = None
    if number is None or number <= 0:
        raise InputError(f"{owner}: {name} should be a positive integer value, but got {name}={value!r}")
    return number


def _check_bool(value, name, owner):
    if not isinstance(value, bool):
        raise InputError(f"{owner}: {name} should be a boolean value, but got {name}={value!r}")


class Sampler:
    """Base class: a sampler is an iterable of dataset indices, usually with a length."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__ (yield the indices of one epoch)")


class SequentialSampler(Sampler):
    """The indices 0 .. len(data_source) - 1 in order, every epoch."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """Random indices into `data_source`, drawn anew each epoch.

    Without replacement: a permutation of all n indices (num_samples > n chains further permutations
    and cuts the last one short). With replacement: num_samples independent draws from 0..n-1.
    num_samples defaults to n.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        _check_bool(replacement, "replacement", "RandomSampler")
        if num_samples is not None:
            num_samples = _positive_int(num_samples, "num_samples", "RandomSampler")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n, wanted = len(self.data_source), self.num_samples
        rng = generator_or_default(self.generator)
        if self.replacement:
            order = rng.integers(0, n, size=wanted)
        else:
            full, rest = divmod(wanted, n) if n else (0, 0)
            order = np.concatenate([rng.permutation(n) for _ in range(full)] + [rng.permutation(n)[:rest]])
        return iter(order.tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given `indices` (any sequence: a range, a list, an array), each once per epoch, in a random order."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        order = generator_or_default(self.generator).permutation(len(self.indices))
        return (self.indices[i] for i in order.tolist())

    def __len__(self):
        return len(self.indices)


class BatchSampler(Sampler):
    """Groups the indices `sampler` yields into lists of `batch_size`.

    The last list is shorter when the epoch does not divide evenly, or dropped with drop_last=True;
    so len() is ceil(n / batch_size), or floor with drop_last.
    """

    def __init__(self, sampler, batch_size, drop_last):
        self.batch_size = _positive_int(batch_size, "batch_size", "BatchSampler")
        _check_bool(drop_last, "drop_last", "BatchSampler")
        self.sampler = sampler
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return -(-len(self.sampler) // self.batch_size)


__getattr__ = unsupported(__name__)
