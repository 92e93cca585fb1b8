"""Datasets: anything with `len(ds)` and `ds[i]` -> one sample, as torch.utils.data.Dataset.

    ds = TensorDataset(X, y)      # ds[i] == (X[i], y[i]); len(ds) == X.shape[0]

A DataLoader asks a dataset for samples one index at a time and collates them into batches.
"""
from tinygrad231n.errors import InputError

__all__ = ["Dataset", "TensorDataset"]


class Dataset:
    """Base class of map-style datasets: subclasses define `__getitem__(index)` and `__len__()`."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index) (return one sample)")


class TensorDataset(Dataset):
    """Samples are the i-th rows of the given tensors (or arrays): `ds[i] == tuple(t[i] for t in tensors)`.

    Every tensor must have the same first dimension, the number of samples.
    """

    def __init__(self, *tensors):
        if not tensors:
            raise InputError("TensorDataset: give at least one tensor (the samples along its first dimension)")
        sizes = [tensor.shape[0] if len(tensor.shape) else None for tensor in tensors]
        if None in sizes or len(set(sizes)) > 1:
            shapes = ", ".join(str(tuple(tensor.shape)) for tensor in tensors)
            raise InputError(f"TensorDataset: size mismatch between tensors: every tensor needs the same first "
                             f"dimension (the number of samples); got shapes {shapes}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(tensor[index] for tensor in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]
