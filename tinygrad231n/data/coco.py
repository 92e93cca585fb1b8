"""Read CS231n's COCO captioning files (h5py, the `coco` extra): VGG-16 fc7 features of COCO 2014 images
and their captions as word indices, as assignment 3 (2024) and assignment 2 (2025, 2026) use them.

    data = load_coco_data()                       # coco_captioning/ under the data folder
    captions, features, urls = sample_coco_minibatch(data, batch_size=25)
    decode_captions(captions, data["idx_to_word"])  # ['<START> a man riding a horse <END>', ...]

The folder (``coco_captioning/``, as `tinygrad231n download coco` unpacks it) holds

- ``coco2014_captions.h5``: ``train_captions`` and ``val_captions``, int arrays (n, 17) of word
  indices, each ``<START> word ... <END>`` padded with ``<NULL>``; ``train_image_idxs`` and
  ``val_image_idxs``, int arrays (n,): the image (row of the features) each caption describes;
- ``train2014_vgg16_fc7_pca.h5`` and ``val2014_vgg16_fc7_pca.h5``: a float ``features`` dataset, one
  row per image, 512 columns (PCA of fc7); the files without ``_pca``: the 4096 fc7 values;
- ``coco2014_vocab.json``: ``idx_to_word`` (list) and ``word_to_idx`` (dict); ``<NULL>`` is 0,
  ``<START>`` 1, ``<END>`` 2, ``<UNK>`` 3 (a word outside the vocabulary);
- ``train2014_urls.txt`` and ``val2014_urls.txt``: one image URL a line, in feature-row order.

Every file is checked as it is read: a missing or damaged one is a DataError of one line naming it.
A folder written by `coco_synthetic` (marked synthetic in its files) loads too, with a warning that
it is not COCO.
"""
import contextlib
import json
import warnings
from pathlib import Path

import numpy as np

from tinygrad231n.data.cifar10 import DataError, DataNotFoundError
from tinygrad231n.data.folder import default_data_dir
from tinygrad231n.errors import InputError
from tinygrad231n.extras import require

COCO_DIR = "coco_captioning"
CAPTIONS_FILE = "coco2014_captions.h5"
VOCAB_FILE = "coco2014_vocab.json"
SPLITS = ("train", "val")
SPECIAL_TOKENS = ("<NULL>", "<START>", "<END>", "<UNK>")  # indices 0, 1, 2, 3
HOW_TO_GET_COCO = "run `tinygrad231n download coco` (or tinygrad231n.data.download_coco()) to fetch it"


class SyntheticCocoWarning(UserWarning):
    """The folder holds the synthetic stand-in that coco_synthetic writes, not COCO."""


def default_coco_dir():
    """``coco_captioning/`` under the data folder (``$TINYGRAD231N_DATA``, else ``~/.cache/tinygrad231n``)."""
    return default_data_dir() / COCO_DIR


def features_file(split, pca_features=True):
    """The name of a split's feature file: ``train2014_vgg16_fc7_pca.h5`` and the like."""
    return f"{split}2014_vgg16_fc7{'_pca' if pca_features else ''}.h5"


def urls_file(split):
    return f"{split}2014_urls.txt"


def load_coco_data(base_dir=None, max_train=None, pca_features=True):
    """The assignment's captioning data, as a dict of

    - ``train_captions`` (n_train, T), ``val_captions`` (n_val, T): int word indices (int32 in the files);
    - ``train_image_idxs`` (n_train,), ``val_image_idxs`` (n_val,): the feature row of each caption;
    - ``train_features``, ``val_features``: float32 (images, 512) with ``pca_features``, else (images, 4096);
    - ``idx_to_word`` (list of str), ``word_to_idx`` (dict str -> int);
    - ``train_urls``, ``val_urls``: str arrays (images,).

    ``base_dir`` None means default_coco_dir(), looked up at each call. ``max_train`` keeps that many
    training captions (with their image indices), drawn with replacement by ``np.random.randint``, as
    the assignment does, so ``np.random.seed`` before the call picks the same ones. Raises
    DataNotFoundError (a file is missing) or DataError (a file is damaged or disagrees with the others).
    """
    folder = Path(base_dir).expanduser() if base_dir is not None else default_coco_dir()
    data = read_captions(folder)
    for split in SPLITS:
        data[f"{split}_features"] = read_features(folder / features_file(split, pca_features))
    data.update(read_vocab(folder / VOCAB_FILE))
    for split in SPLITS:
        data[f"{split}_urls"] = read_urls(folder / urls_file(split))
    check_agreement(folder, data, {split: data[f"{split}_features"].shape for split in SPLITS})
    if is_synthetic(folder):
        warnings.warn(f"{folder} holds SYNTHETIC captions made by tinygrad231n.data.coco_synthetic, not COCO",
                      SyntheticCocoWarning, stacklevel=2)
    if max_train is not None:
        chosen = np.random.randint(len(data["train_captions"]), size=max_train)
        data["train_captions"] = data["train_captions"][chosen]
        data["train_image_idxs"] = data["train_image_idxs"][chosen]
    return data


def check_coco_folder(folder):
    """Check a whole folder (both kinds of features) without reading the features' values; returns
    nothing, raises as load_coco_data does. `download coco` uses it to tell a good copy from a broken one."""
    folder = Path(folder)
    data = read_captions(folder)
    data.update(read_vocab(folder / VOCAB_FILE))
    for split in SPLITS:
        data[f"{split}_urls"] = read_urls(folder / urls_file(split))
    for pca_features in (True, False):
        shapes = {split: read_features(folder / features_file(split, pca_features), values=False)
                  for split in SPLITS}
        check_agreement(folder, data, shapes)


def sample_coco_minibatch(data, batch_size=100, split="train"):
    """``batch_size`` captions of ``split`` ('train' or 'val') drawn with replacement by
    ``np.random.choice``, as the assignment does. Returns ``captions`` (batch_size, T), the features of
    their images (batch_size, D) and their images' URLs (batch_size,)."""
    if split not in SPLITS:
        raise InputError(f"sample_coco_minibatch: split must be 'train' or 'val', got {split!r}")
    chosen = np.random.choice(data[f"{split}_captions"].shape[0], batch_size)
    captions = data[f"{split}_captions"][chosen]
    image_idxs = data[f"{split}_image_idxs"][chosen]
    return captions, data[f"{split}_features"][image_idxs], data[f"{split}_urls"][image_idxs]


def decode_captions(captions, idx_to_word):
    """Word indices (T,) or (N, T) -> one str, or a list of N str: the words joined by spaces, ``<NULL>``
    left out, up to and including the first ``<END>`` (``<START>`` kept), as the assignment shows them."""
    captions = np.asarray(captions)
    if captions.ndim == 1:
        return decode_captions(captions[None], idx_to_word)[0]
    decoded = []
    for caption in captions:
        words = []
        for index in caption:
            word = idx_to_word[index]
            if word != "<NULL>":
                words.append(word)
            if word == "<END>":
                break
        decoded.append(" ".join(words))
    return decoded


def is_synthetic(folder):
    """Whether the captions file of `folder` carries the mark coco_synthetic writes."""
    with _open_h5(Path(folder) / CAPTIONS_FILE) as f:
        return bool(f.attrs.get("synthetic", False))


# ---- reading and checking one file -------------------------------------------------------------------

def read_captions(folder):
    """{train_captions, train_image_idxs, val_captions, val_image_idxs} from ``coco2014_captions.h5``."""
    path = folder / CAPTIONS_FILE
    data = {}
    with _open_h5(path) as f:
        for split in SPLITS:
            captions = _read(f, f"{split}_captions", path)
            image_idxs = _read(f, f"{split}_image_idxs", path)
            if captions.ndim != 2 or captions.dtype.kind not in "iu":
                raise _damaged(path, f"'{split}_captions' should be a 2-D integer array, is {captions.dtype} "
                               f"of shape {captions.shape}")
            if image_idxs.shape != captions.shape[:1] or image_idxs.dtype.kind not in "iu":
                raise _damaged(path, f"'{split}_image_idxs' should be {captions.shape[0]} integers (one per caption), "
                               f"is {image_idxs.dtype} of shape {image_idxs.shape}")
            data[f"{split}_captions"], data[f"{split}_image_idxs"] = captions, image_idxs
    return data


def read_features(path, values=True):
    """The ``features`` dataset of `path`: a float array (images, D), or with ``values=False`` only its shape."""
    with _open_h5(path) as f:
        if "features" not in f:
            raise _damaged(path, f"no 'features' dataset (found {sorted(f)})")
        dataset = f["features"]
        if dataset.ndim != 2 or dataset.dtype.kind != "f":
            raise _damaged(path, f"'features' should be a 2-D float array, is {dataset.dtype} of shape {dataset.shape}")
        return _read(f, "features", path) if values else dataset.shape


def read_vocab(path):
    """{idx_to_word: list of str, word_to_idx: dict} from the vocabulary JSON, each the other's inverse."""
    try:
        vocab = json.loads(_read_text(path))
    except json.JSONDecodeError as err:
        raise _damaged(path, f"not valid JSON ({err})") from err
    if not isinstance(vocab, dict) or not {"idx_to_word", "word_to_idx"} <= set(vocab):
        raise _damaged(path, "expected a JSON object with 'idx_to_word' and 'word_to_idx'")
    idx_to_word, word_to_idx = vocab["idx_to_word"], vocab["word_to_idx"]
    inverse = isinstance(idx_to_word, list) and isinstance(word_to_idx, dict) and len(idx_to_word) == len(word_to_idx)
    if not inverse or any(word_to_idx.get(word) != index for index, word in enumerate(idx_to_word)):
        raise _damaged(path, "'idx_to_word' (a list) and 'word_to_idx' (a dict) should be each other's inverse")
    missing = [token for token in SPECIAL_TOKENS[:3] if token not in word_to_idx]
    if missing:
        raise _damaged(path, f"the vocabulary lacks {', '.join(missing)}")
    return {"idx_to_word": idx_to_word, "word_to_idx": word_to_idx}


def read_urls(path):
    """One URL a line -> a str array (as the assignment's np.asarray of the stripped lines)."""
    return np.asarray([line.strip() for line in _read_text(path).splitlines()])


def check_agreement(folder, data, feature_shapes):
    """The files agree: every caption's word is in the vocabulary, every image index names a feature row
    and a URL, and train and val features have the same width. `feature_shapes`: {split: (rows, D)}."""
    captions_path, vocab_size = folder / CAPTIONS_FILE, len(data["idx_to_word"])
    for split in SPLITS:
        captions, image_idxs = data[f"{split}_captions"], data[f"{split}_image_idxs"]
        if captions.size and (captions.min() < 0 or captions.max() >= vocab_size):
            raise _damaged(captions_path, f"'{split}_captions' holds word indices {captions.min()}..{captions.max()}, "
                                          f"outside the vocabulary's 0..{vocab_size - 1} ({VOCAB_FILE})")
        rows, urls = feature_shapes[split][0], len(data[f"{split}_urls"])
        if image_idxs.size and (image_idxs.min() < 0 or image_idxs.max() >= min(rows, urls)):
            raise _damaged(captions_path, f"'{split}_image_idxs' holds {image_idxs.min()}..{image_idxs.max()}, but "
                                          f"there are {rows} rows of {split} features and {urls} URLs")
    if feature_shapes["train"][1] != feature_shapes["val"][1]:
        raise DataError(f"{folder}: train features have {feature_shapes['train'][1]} columns, val features "
                        f"{feature_shapes['val'][1]}; the two files should come from the same download",
                        f"delete the folder and {HOW_TO_GET_COCO}")


def _missing(path):
    return DataNotFoundError(f"{path} does not exist", HOW_TO_GET_COCO)


def _damaged(path, problem):
    return DataError(f"{path}: {problem}", f"delete it and {HOW_TO_GET_COCO}")


def _one_line(err):
    return " ".join(str(err).split())


@contextlib.contextmanager
def _open_h5(path):
    h5py = require("h5py", extra="coco", needed_for="reading CS231n's COCO captioning files")
    if not path.is_file():
        raise _missing(path)
    try:
        f = h5py.File(path, "r")
    except OSError as err:  # h5py's word for "not HDF5" and "truncated" alike
        raise _damaged(path, f"truncated or not an HDF5 file ({_one_line(err)})") from err
    with f:
        yield f


def _read(f, name, path):
    if name not in f or not hasattr(f[name], "dtype"):
        raise _damaged(path, f"no dataset {name!r} (found {sorted(f)})")
    try:
        return f[name][()]
    except OSError as err:  # a chunk past the end of a cut file, or one that does not decompress
        raise _damaged(path, f"dataset {name!r} cannot be read ({_one_line(err)})") from err


def _read_text(path):
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _missing(path) from None
    except UnicodeDecodeError as err:
        raise _damaged(path, f"not UTF-8 text ({err})") from err
