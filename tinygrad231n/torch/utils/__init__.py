"""torch.utils: only its `data` part (DataLoader, datasets, samplers) is in the front."""
from tinygrad231n.torch.utils import data

__all__ = ["data"]


def __getattr__(name):
    raise AttributeError(f"tinygrad231n.torch.utils has no `{name}` (not in the supported subset; "
                         "see tinygrad231n/torch/SUPPORTED or README)")
