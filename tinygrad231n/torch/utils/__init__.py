"""torch.utils: only its `data` part (DataLoader, datasets, samplers) is in the front."""
from tinygrad231n.torch._unsupported import unsupported
from tinygrad231n.torch.utils import data

__all__ = ["data"]
__getattr__ = unsupported(__name__)
