"""The part of torchvision that CS231n's PyTorch notebooks use, PIL-free (see torch_api.md).

    import tinygrad231n.torchvision.datasets as dset
    import tinygrad231n.torchvision.transforms as T
"""
from tinygrad231n.torchvision import datasets, transforms

__all__ = ["datasets", "transforms"]


def __getattr__(name):
    raise AttributeError(f"tinygrad231n.torchvision has no `{name}` (not in the supported subset; "
                         "see tinygrad231n/torch/SUPPORTED or README)")
