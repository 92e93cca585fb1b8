"""A small SYNTHETIC stand-in for CS231n's COCO captioning files, in their layout, for tests. It is not COCO.

    folder = write_synthetic_coco(tmp_path / "coco_captioning", seed=0)
    data = load_coco_data(folder)          # warns SyntheticCocoWarning: it says so every time

Each made-up image has five attributes (a size or none, a colour, an animal, an action, a place);
its caption is "<START> a [size] colour animal is action on the place <END>" padded with <NULL> to 17,
and its features are the sum of one fixed random vector per attribute, plus a little noise. So the
caption is a function of the features: a captioning model can learn it, and overfit a few dozen
examples to a loss near zero, as the notebooks' overfit checks need. One place is written <UNK>, as
a word outside COCO's vocabulary is. One caption per image (COCO has about five), in shuffled order.

The same seed writes the same files. Every h5 file carries ``attrs["synthetic"] = True`` and a note,
the vocabulary a ``"synthetic"`` key, and the folder a README saying what it is; load_coco_data warns
on such a folder.
"""
import json
from pathlib import Path

import numpy as np

from tinygrad231n.data.cifar10 import DataError
from tinygrad231n.data.coco import CAPTIONS_FILE, SPECIAL_TOKENS, VOCAB_FILE, features_file, is_synthetic, urls_file
from tinygrad231n.errors import InputError
from tinygrad231n.extras import require

CAPTION_LENGTH = 17  # as in COCO's files: <START>, at most 15 words, <END>, padded with <NULL>
PCA_COLUMNS, RAW_COLUMNS = 512, 4096
NOTE = "SYNTHETIC captions and features made by tinygrad231n.data.coco_synthetic for tests; not COCO"

# Each attribute and its values; None: the word is left out (no size), "<UNK>": a word outside the vocabulary.
ATTRIBUTES = {
    "size": (None, "small", "big"),
    "colour": ("red", "blue", "green", "black", "white", "brown"),
    "animal": ("dog", "cat", "horse", "bird", "cow", "sheep"),
    "action": ("sitting", "standing", "eating", "sleeping", "running"),
    "place": ("grass", "beach", "street", "table", "snow", "<UNK>"),
}
FILLERS = ("a", "is", "on", "the")


def vocabulary():
    """idx_to_word: the special tokens at 0..3 (<NULL>, <START>, <END>, <UNK>), then every word."""
    words = [word for values in ATTRIBUTES.values() for word in values if word not in (None, "<UNK>")]
    return list(SPECIAL_TOKENS) + list(FILLERS) + words


def caption_words(size, colour, animal, action, place):
    """The words of one caption between <START> and <END>."""
    return ["a"] + ([size] if size else []) + [colour, animal, "is", action, "on", "the", place]


def write_synthetic_coco(folder, n_train=300, n_val=100, seed=0):
    """Write the synthetic set into `folder` (made if missing; an earlier synthetic set there is
    replaced, real COCO files are not: InputError); returns it as a Path.

    ``n_train`` and ``n_val`` images, one caption each. Captions are int32 (n, 17), image indices int32,
    features float32 (images, 512) in the ``_pca`` files and (images, 4096) >= 0 (as after fc7's ReLU)
    in the others, URLs under https://synthetic.invalid/ (a name that never resolves).
    """
    h5py = require("h5py", extra="coco", needed_for="writing the synthetic COCO captioning files")
    folder = Path(folder)
    if (folder / CAPTIONS_FILE).exists() and not _is_synthetic(folder):
        raise InputError(f"{folder} holds COCO captioning files that are not synthetic; "
                         "give another folder for the synthetic set")
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    idx_to_word = vocabulary()
    word_to_idx = {word: index for index, word in enumerate(idx_to_word)}
    # One fixed vector per attribute value, shared by both splits: the features mean the same words.
    pca_vectors = {name: rng.standard_normal((len(values), PCA_COLUMNS)) / 2 for name, values in ATTRIBUTES.items()}
    raw_vectors = {name: rng.standard_normal((len(values), RAW_COLUMNS)) for name, values in ATTRIBUTES.items()}
    captions = {}
    for split, images in (("train", n_train), ("val", n_val)):
        chosen = {name: rng.integers(len(values), size=images) for name, values in ATTRIBUTES.items()}
        pca = sum(pca_vectors[name][chosen[name]] for name in ATTRIBUTES)
        raw = sum(raw_vectors[name][chosen[name]] for name in ATTRIBUTES)
        pca = (pca + 0.05 * rng.standard_normal(pca.shape)).astype(np.float32)
        raw = np.maximum(raw + 0.05 * rng.standard_normal(raw.shape), 0).astype(np.float32)
        words = [caption_words(*(ATTRIBUTES[name][chosen[name][i]] for name in ATTRIBUTES)) for i in range(images)]
        order = rng.permutation(images)  # captions in another order than the images, as in COCO's files
        captions[f"{split}_captions"] = _encode([words[i] for i in order], word_to_idx)
        captions[f"{split}_image_idxs"] = order.astype(np.int32)
        for name, features in ((features_file(split, True), pca), (features_file(split, False), raw)):
            with h5py.File(folder / name, "w") as f:
                f.create_dataset("features", data=features)
                _mark(f, seed)
        urls = [f"https://synthetic.invalid/{split}2014/{i:06d}.jpg" for i in range(images)]
        (folder / urls_file(split)).write_text("".join(url + "\n" for url in urls), encoding="utf-8")
    with h5py.File(folder / CAPTIONS_FILE, "w") as f:
        for name, array in captions.items():
            f.create_dataset(name, data=array)
        _mark(f, seed)
    vocab = {"synthetic": NOTE, "idx_to_word": idx_to_word, "word_to_idx": word_to_idx}
    (folder / VOCAB_FILE).write_text(json.dumps(vocab), encoding="utf-8")
    (folder / "README.txt").write_text(f"{NOTE} (seed {seed}).\nThe images and their URLs do not exist.\n",
                                       encoding="utf-8")
    return folder


def _encode(captions, word_to_idx):
    """Lists of words -> int32 (n, CAPTION_LENGTH): <START>, the words, <END>, then <NULL>."""
    encoded = np.full((len(captions), CAPTION_LENGTH), word_to_idx["<NULL>"], dtype=np.int32)
    for row, words in enumerate(captions):
        tokens = ["<START>", *words, "<END>"]
        encoded[row, :len(tokens)] = [word_to_idx[token] for token in tokens]
    return encoded


def _mark(f, seed):
    f.attrs["synthetic"] = True
    f.attrs["note"] = f"{NOTE} (seed {seed})"


def _is_synthetic(folder):
    try:
        return is_synthetic(folder)
    except DataError:  # a damaged captions file: nothing worth keeping
        return True
