"""torch.utils.data's map-style part: datasets, samplers, batching (see torch_api.md for the subset).

    from tinygrad231n.torch.utils.data import DataLoader, sampler
    loader = DataLoader(dataset, batch_size=64, sampler=sampler.SubsetRandomSampler(range(49000)))
"""
from tinygrad231n.torch._unsupported import unsupported
from tinygrad231n.torch.utils.data import sampler
from tinygrad231n.torch.utils.data.collate import default_collate, default_convert
from tinygrad231n.torch.utils.data.dataloader import DataLoader
from tinygrad231n.torch.utils.data.dataset import Dataset, TensorDataset
from tinygrad231n.torch.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)

__all__ = ["DataLoader", "Dataset", "TensorDataset", "default_collate", "default_convert", "sampler",
           "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "BatchSampler"]
__getattr__ = unsupported(__name__)
