"""torchvision.datasets: CIFAR-10, read from its official batches."""
from tinygrad231n.torchvision.datasets.cifar import CIFAR10

__all__ = ["CIFAR10"]


def __getattr__(name):
    raise AttributeError(f"tinygrad231n.torchvision.datasets has no `{name}` (not in the supported subset; "
                         "see tinygrad231n/torch/SUPPORTED or README)")
