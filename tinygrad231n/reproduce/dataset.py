"""The data of a run: CIFAR-10 split the way the CS231n notebooks split it, and COCO's captions.

Full data: 49,000 train / 1,000 val (the training images after the first 49,000) / 1,000 test
(the first of test_batch). The shipped sample (1,200 + 300 images) is split 1,000 / 200 / 300.
The captioning models read CS231n's coco_captioning folder as it is (its train and val splits),
from --coco DIR or, when `tinygrad231n download coco` put it there, the data folder's coco_captioning/.
"""
import warnings
from pathlib import Path

from models.captioning import CaptionData
from models.fitting import Splits
from tinygrad231n.data import default_data_dir, find_batches_dir, load_cifar10, load_cifar10_sample, split_train_val_test
from tinygrad231n.data.coco import CAPTIONS_FILE, SyntheticCocoWarning, default_coco_dir, is_synthetic, load_coco_data
from tinygrad231n.errors import InputError

FULL_SIZES = dict(num_training=49000, num_validation=1000, num_test=1000)
SAMPLE_SIZES = dict(num_training=1000, num_validation=200, num_test=300)
SAMPLE_SOURCE = "the sample shipped in the package"
HOW_TO_GET_COCO = "give --coco DIR (CS231n's coco_captioning folder) or run `tinygrad231n download coco` first"


def load_splits(data=None, sample=False):
    """The splits of the full data in `data` (or the default data place), or of the shipped sample."""
    if sample:
        arrays, sizes, source = load_cifar10_sample(), SAMPLE_SIZES, SAMPLE_SOURCE
    else:
        root = data if data is not None else default_data_dir()
        source = str(find_batches_dir(root))  # a missing folder: DataNotFoundError saying how to get it
        arrays, sizes = load_cifar10(root), FULL_SIZES
    parts = split_train_val_test(*arrays, **sizes, num_dev=0)
    return Splits(parts["X_train"], parts["y_train"], parts["X_val"], parts["y_val"], parts["X_test"],
                  parts["y_test"], source, sample=sample)


def find_coco(coco=None):
    """The COCO captioning folder of a run: `coco` if given (it must exist), else the data folder's
    coco_captioning/ if it holds the captions file, else None (no captioning data)."""
    if coco is not None:
        folder = Path(coco).expanduser()
        if not folder.is_dir():
            raise InputError(f"--coco {coco}: no such folder; {HOW_TO_GET_COCO}")
        return folder
    folder = default_coco_dir()
    return folder if (folder / CAPTIONS_FILE).is_file() else None


def load_captions(folder):
    """CaptionData of the folder (a missing or damaged file: one line naming it). The synthetic stand-in
    is said to be one in its source, so that results.json and the report say so too."""
    synthetic = is_synthetic(folder)
    with warnings.catch_warnings():
        if synthetic:  # said once, in the source, rather than as a warning on every load
            warnings.simplefilter("ignore", SyntheticCocoWarning)
        data = load_coco_data(folder)
    source = f"{folder} (SYNTHETIC captions, not COCO)" if synthetic else str(folder)
    return CaptionData(data, source, synthetic)
