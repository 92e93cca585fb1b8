"""CS231n's coco_utils (2024's assignment 3; 2025 and 2026's assignment 2), a view over tinygrad231n.data.coco.

    data = load_coco_data(pca_features=True)    # from coco_captioning/ under the data folder
    captions, features, urls = sample_coco_minibatch(data, batch_size=100, split="train")
    decode_captions(captions, data["idx_to_word"])

The assignment reads ``cs231n/datasets/coco_captioning`` beside its code; here ``BASE_DIR`` (None)
means ``coco_captioning/`` under the data folder (``$TINYGRAD231N_DATA``, else ``~/.cache/tinygrad231n``),
looked up at each call, where ``tinygrad231n download coco`` puts it. Reading needs h5py (the
``coco`` extra). A missing or damaged file is one line naming it (tinygrad231n.data.DataError).
"""
from tinygrad231n.data import coco
from tinygrad231n.data.coco import decode_captions, sample_coco_minibatch

__all__ = ["BASE_DIR", "load_coco_data", "sample_coco_minibatch", "decode_captions"]

BASE_DIR = None  # None: the data folder's coco_captioning/, found when load_coco_data is called


def load_coco_data(base_dir=BASE_DIR, max_train=None, pca_features=True):
    """The assignment's data dict (see tinygrad231n.data.coco.load_coco_data for its keys, shapes and
    checks). Prints the folder it reads, as the assignment does; ``max_train`` draws with replacement
    from numpy's global random state, as the assignment does, so the notebooks' seeds pick the same captions."""
    folder = base_dir if base_dir is not None else coco.default_coco_dir()
    print("base dir ", folder)
    return coco.load_coco_data(folder, max_train=max_train, pca_features=pca_features)
