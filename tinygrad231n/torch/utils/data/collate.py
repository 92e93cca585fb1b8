"""Turning a list of samples into one batch: default_collate, as torch.utils.data.default_collate does.

    default_collate([(x0, 3), (x1, 5)])  ->  [Tensor stack([x0, x1]), Tensor([3, 5], int64)]

By the type of the first sample:
- Tensor or numpy array: stacked along a new first axis, keeping the dtype (uint8 stays uint8, a
  float32 image stays float32); numpy scalars likewise (an np.float32 per sample -> a float32 Tensor);
- Python int -> an int64 Tensor; Python bool -> a bool Tensor; Python float -> a float64 Tensor
  (PyTorch's rule: Python floats are doubles);
- str / bytes: left as a list;
- a dict: a dict of batches, key by key; a namedtuple: the same namedtuple of batches;
- any other sequence (a tuple or list per sample): a LIST of batches, one per position (PyTorch
  returns a list for tuples too), so `x, y = batch` unpacks either way.
Stacking copies the data into a new Tensor that records no graph, whatever the samples required.

default_convert (what a DataLoader with batch_size=None applies to each sample) turns numpy arrays
and scalars into Tensors of the same dtype and leaves everything else as it is, recursing into containers.
"""
import collections.abc

import numpy as np

from tinygrad231n.errors import InputError
from tinygrad231n.tensor import Tensor

__all__ = ["default_collate", "default_convert"]

_NOT_NUMBERS = "SaUO"  # numpy dtype kinds of strings and objects: nothing a Tensor can hold


def _unsupported(what):
    return InputError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                      f"found {what}")


def _tensor(array):
    """A Tensor holding `array` with its own dtype (the engine's default would turn ints into float64)."""
    return Tensor(array, dtype=array.dtype)


def _is_namedtuple(value):
    return isinstance(value, tuple) and hasattr(value, "_fields")


def default_collate(batch):
    """One batch from the list of samples `batch` (see the module's docstring for the rules)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _tensor(_stack([sample.data for sample in batch]))
    if isinstance(elem, (np.ndarray, np.generic)) and not isinstance(elem, (np.str_, np.bytes_)):
        if elem.dtype.kind in _NOT_NUMBERS:
            raise _unsupported(elem.dtype)
        return _tensor(_stack(batch) if isinstance(elem, np.ndarray) else np.asarray(batch))
    if isinstance(elem, float):
        return _tensor(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, int):  # bool is an int; a batch of bools stays bool, as in PyTorch
        values = np.asarray(batch)
        return _tensor(values if values.dtype == np.bool_ else values.astype(np.int64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _same_type(elem, {key: default_collate([sample[key] for sample in batch]) for key in elem})
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(list(column)) for column in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        sizes = {len(sample) for sample in batch}
        if len(sizes) > 1:
            raise InputError(f"default_collate: each element in list of batch should be of equal size; "
                             f"got sizes {sorted(sizes)}")
        return [default_collate(list(column)) for column in zip(*batch)]
    raise _unsupported(type(elem))


def _stack(arrays):
    """np.stack, with PyTorch's one-line complaint about samples of different shapes."""
    for k, array in enumerate(arrays):
        if np.shape(array) != np.shape(arrays[0]):
            raise InputError(f"default_collate: stack expects each sample to be of equal size, but got "
                             f"{np.shape(arrays[0])} at entry 0 and {np.shape(array)} at entry {k}")
    return np.stack(arrays)


def default_convert(data):
    """numpy arrays and scalars (not strings) -> Tensors of their dtype, inside dicts and sequences too;
    the rest unchanged."""
    if isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind not in _NOT_NUMBERS:
        return _tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return _same_type(data, {key: default_convert(value) for key, value in data.items()})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(value) for value in data))
    if isinstance(data, tuple):
        return [default_convert(value) for value in data]  # PyTorch's default_convert gives a list here
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _same_type(data, [default_convert(value) for value in data])
    return data


def _same_type(original, converted):
    """`converted` (a dict or list) rebuilt as the type of `original` where that type builds from it."""
    try:
        return type(original)(converted)
    except TypeError:
        return converted
