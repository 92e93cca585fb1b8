"""torchvision.datasets: CIFAR-10, read from its official batches."""
from tinygrad231n.torch._unsupported import unsupported
from tinygrad231n.torchvision.datasets.cifar import CIFAR10

__all__ = ["CIFAR10"]
__getattr__ = unsupported(__name__)
