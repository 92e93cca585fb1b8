"""Where downloaded data lives by default, for every data set (CIFAR-10, COCO captioning)."""
import os
from pathlib import Path


def default_data_dir():
    """Where data goes by default: ``$TINYGRAD231N_DATA`` if set, else ``~/.cache/tinygrad231n``."""
    return Path(os.environ.get("TINYGRAD231N_DATA") or Path.home() / ".cache" / "tinygrad231n").expanduser()
