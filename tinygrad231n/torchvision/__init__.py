"""The part of torchvision that CS231n's PyTorch notebooks use, PIL-free (see torch_api.md).

    import tinygrad231n.torchvision.datasets as dset
    import tinygrad231n.torchvision.transforms as T
"""
from tinygrad231n.torch._unsupported import unsupported
from tinygrad231n.torchvision import datasets, transforms

__all__ = ["datasets", "transforms"]
__getattr__ = unsupported(__name__)
