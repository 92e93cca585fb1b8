"""CS231n's COCO captioning files: loading, minibatches, decoding, the errors a broken folder gives,
`download coco`, the synthetic stand-in, and image_from_url without a network.

Everything runs on the synthetic set (tinygrad231n/data/coco_synthetic.py), written once per session;
nothing needs the real COCO files or a network. Tests that damage a folder damage their own copy.
"""
import json
import shutil
import socket
import sys
import time
import zipfile

import h5py
import numpy as np
import pytest

from tinygrad231n import cli
from tinygrad231n.cs231n import coco_utils
from tinygrad231n.cs231n.image_utils import image_from_url
from tinygrad231n.data import (DataError, DataNotFoundError, SyntheticCocoWarning, decode_captions, download_coco,
                               load_coco_data, sample_coco_minibatch)
from tinygrad231n.data import coco
from tinygrad231n.data import download as download_module
from tinygrad231n.data.coco_synthetic import CAPTION_LENGTH, NOTE, vocabulary, write_synthetic_coco
from tinygrad231n.errors import InputError

pytestmark = pytest.mark.filterwarnings("ignore::tinygrad231n.data.SyntheticCocoWarning")

N_TRAIN, N_VAL = 300, 100
KEYS = ["train_captions", "train_image_idxs", "val_captions", "val_image_idxs", "train_features", "val_features",
        "idx_to_word", "word_to_idx", "train_urls", "val_urls"]
FILES = ["coco2014_captions.h5", "coco2014_vocab.json", "train2014_vgg16_fc7_pca.h5", "val2014_vgg16_fc7_pca.h5",
         "train2014_urls.txt", "val2014_urls.txt"]


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory):
    """A synthetic coco_captioning folder, shared: tests must not change it (see `copy`)."""
    return write_synthetic_coco(tmp_path_factory.mktemp("coco") / "coco_captioning", N_TRAIN, N_VAL, seed=0)


@pytest.fixture
def copy(synthetic, tmp_path):
    """A copy of the synthetic folder that a test may damage."""
    return shutil.copytree(synthetic, tmp_path / "coco_captioning")


# ---- loading -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("pca_features, columns", [(True, 512), (False, 4096)])
def test_load_gives_the_assignments_keys_shapes_and_dtypes(synthetic, pca_features, columns):
    data = load_coco_data(synthetic, pca_features=pca_features)
    assert list(data) == KEYS
    assert data["train_captions"].shape == (N_TRAIN, CAPTION_LENGTH) and data["train_captions"].dtype == np.int32
    assert data["val_captions"].shape == (N_VAL, CAPTION_LENGTH) and data["val_image_idxs"].dtype == np.int32
    assert data["train_features"].shape == (N_TRAIN, columns) and data["train_features"].dtype == np.float32
    assert data["val_features"].shape == (N_VAL, columns)
    assert data["train_urls"].shape == (N_TRAIN,) and data["train_urls"].dtype.kind == "U"
    assert data["idx_to_word"][:4] == ["<NULL>", "<START>", "<END>", "<UNK>"]
    assert all(data["word_to_idx"][word] == i for i, word in enumerate(data["idx_to_word"]))
    assert (data["train_captions"][:, 0] == 1).all()  # every caption starts with <START>


def test_max_train_draws_captions_with_replacement_as_the_assignment_does(synthetic):
    full = load_coco_data(synthetic)
    np.random.seed(231)
    small = load_coco_data(synthetic, max_train=50)
    np.random.seed(231)
    chosen = np.random.randint(N_TRAIN, size=50)  # the assignment's draw, from the global random state
    np.testing.assert_array_equal(small["train_captions"], full["train_captions"][chosen])
    np.testing.assert_array_equal(small["train_image_idxs"], full["train_image_idxs"][chosen])
    assert small["train_features"].shape == full["train_features"].shape  # the images stay
    np.testing.assert_array_equal(small["val_captions"], full["val_captions"])


@pytest.mark.parametrize("split, size", [("train", N_TRAIN), ("val", N_VAL)])
def test_a_minibatch_pairs_each_caption_with_its_images_features_and_url(synthetic, split, size):
    data = load_coco_data(synthetic)
    np.random.seed(0)
    captions, features, urls = sample_coco_minibatch(data, batch_size=25, split=split)
    np.random.seed(0)
    chosen = np.random.choice(size, 25)
    image_idxs = data[f"{split}_image_idxs"][chosen]
    assert captions.shape == (25, CAPTION_LENGTH) and captions.dtype == np.int32
    assert features.shape == (25, 512) and features.dtype == np.float32 and urls.shape == (25,)
    np.testing.assert_array_equal(captions, data[f"{split}_captions"][chosen])
    np.testing.assert_array_equal(features, data[f"{split}_features"][image_idxs])
    assert [url.rsplit("/", 1)[1] for url in urls] == [f"{i:06d}.jpg" for i in image_idxs]


def test_a_minibatch_of_an_unknown_split_is_one_clear_error(synthetic):
    with pytest.raises(InputError, match="split must be 'train' or 'val', got 'test'"):
        sample_coco_minibatch(load_coco_data(synthetic), split="test")


def test_decode_captions_drops_null_and_stops_after_end():
    idx_to_word = ["<NULL>", "<START>", "<END>", "<UNK>", "a", "dog"]
    captions = np.array([[1, 4, 5, 2, 0, 0], [1, 4, 3, 2, 5, 5], [1, 0, 5, 0, 0, 0]])
    assert decode_captions(captions, idx_to_word) == ["<START> a dog <END>", "<START> a <UNK> <END>", "<START> dog"]
    assert decode_captions(captions[0], idx_to_word) == "<START> a dog <END>"  # one caption -> one string


def test_coco_utils_reads_the_data_folder_from_the_environment(synthetic, tmp_path, monkeypatch, capsys):
    shutil.copytree(synthetic, tmp_path / "coco_captioning")
    monkeypatch.setenv("TINYGRAD231N_DATA", str(tmp_path))  # set after import: read at each call
    assert coco.default_coco_dir() == tmp_path / "coco_captioning"
    np.testing.assert_array_equal(load_coco_data()["val_captions"], load_coco_data(synthetic)["val_captions"])
    data = coco_utils.load_coco_data(pca_features=True)
    assert list(data) == KEYS and f"base dir  {tmp_path / 'coco_captioning'}" in capsys.readouterr().out
    assert coco_utils.decode_captions is decode_captions and coco_utils.sample_coco_minibatch is sample_coco_minibatch


# ---- a missing or damaged file: one line naming it ----------------------------------------------------

@pytest.mark.parametrize("name", FILES)
def test_a_missing_file_is_one_line_naming_it_and_how_to_get_it(copy, name):
    (copy / name).unlink()
    with pytest.raises(DataNotFoundError) as err:
        load_coco_data(copy)
    message = str(err.value)
    assert message.startswith(f"{copy / name} does not exist") and "tinygrad231n download coco" in message
    assert "\n" not in message


def test_a_missing_folder_names_the_captions_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYGRAD231N_DATA", str(tmp_path))
    with pytest.raises(DataNotFoundError, match=f"{tmp_path / 'coco_captioning' / 'coco2014_captions.h5'} does not"):
        load_coco_data()


def _cut_in_half(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _replace_dataset(path, name, array):
    with h5py.File(path, "a") as f:
        del f[name]
        f.create_dataset(name, data=array)


DAMAGE = [
    ("coco2014_captions.h5", _cut_in_half, "truncated or not an HDF5 file"),
    ("train2014_vgg16_fc7_pca.h5", lambda p: p.write_bytes(b"not hdf5 at all"), "truncated or not an HDF5 file"),
    ("coco2014_captions.h5", lambda p: _replace_dataset(p, "val_image_idxs", np.zeros(3, np.int32)),
     "'val_image_idxs' should be 100 integers"),
    ("coco2014_captions.h5", lambda p: _replace_dataset(p, "train_captions", np.full((N_TRAIN, 17), 999, np.int32)),
     "'train_captions' holds word indices 999..999, outside the vocabulary's 0..31"),
    ("coco2014_captions.h5", lambda p: _replace_dataset(p, "val_image_idxs", np.arange(N_VAL, dtype=np.int32) + 1),
     "'val_image_idxs' holds 1..100, but there are 100 rows of val features and 100 URLs"),
    ("val2014_vgg16_fc7_pca.h5", lambda p: _replace_dataset(p, "features", np.zeros((N_VAL, 512), np.int64)),
     "'features' should be a 2-D float array"),
    ("coco2014_vocab.json", lambda p: p.write_text('{"idx_to_word": ['), "not valid JSON"),
    ("coco2014_vocab.json", lambda p: p.write_text(json.dumps({"idx_to_word": ["a"], "word_to_idx": {"b": 0}})),
     "should be each other's inverse"),
    ("train2014_urls.txt", lambda p: p.write_bytes(b"\xff\xfe\xfa"), "not UTF-8 text"),
]


@pytest.mark.parametrize("name, damage, problem", DAMAGE, ids=[f"{n}:{p[:24]}" for n, _, p in DAMAGE])
def test_a_damaged_file_is_one_line_naming_it(copy, name, damage, problem):
    damage(copy / name)
    with pytest.raises(DataError) as err:
        load_coco_data(copy)
    message = str(err.value)
    assert message.startswith(f"{copy / name}: ") and problem in message, message
    assert "\n" not in message and "tinygrad231n download coco" in message


def test_h5py_missing_is_one_line_naming_the_extra(synthetic, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'tinygrad231n\[coco\]'"):
        load_coco_data(synthetic)


# ---- the synthetic set ---------------------------------------------------------------------------------

def test_the_synthetic_set_says_what_it_is(synthetic):
    for name in ("coco2014_captions.h5", "train2014_vgg16_fc7.h5", "val2014_vgg16_fc7_pca.h5"):
        with h5py.File(synthetic / name) as f:
            assert f.attrs["synthetic"] and "SYNTHETIC" in f.attrs["note"]
    assert "SYNTHETIC" in (synthetic / "README.txt").read_text()
    assert json.loads((synthetic / "coco2014_vocab.json").read_text())["synthetic"] == NOTE
    with pytest.warns(SyntheticCocoWarning, match="SYNTHETIC captions .* not COCO"):
        load_coco_data(synthetic)
    assert all(url.startswith("https://synthetic.invalid/") for url in load_coco_data(synthetic)["val_urls"])


def test_the_same_seed_writes_the_same_set_and_another_seed_another(synthetic, tmp_path):
    first = load_coco_data(synthetic)
    again = load_coco_data(write_synthetic_coco(tmp_path / "again", N_TRAIN, N_VAL, seed=0))
    other = load_coco_data(write_synthetic_coco(tmp_path / "other", N_TRAIN, N_VAL, seed=1))
    for key in ("train_captions", "train_image_idxs", "train_features", "val_features"):
        np.testing.assert_array_equal(first[key], again[key])
    assert not np.array_equal(first["train_captions"], other["train_captions"])
    assert first["idx_to_word"] == other["idx_to_word"] == vocabulary()


def test_the_synthetic_captions_are_learnable_from_the_features(synthetic):
    """Which words a caption holds is a linear function of its image's features: least squares fitted
    on train predicts every val caption's words. Lengths vary (a size word or not); <UNK> appears."""
    data = load_coco_data(synthetic)

    def features_and_words(split):
        captions = data[f"{split}_captions"]
        words = np.zeros((len(captions), len(data["idx_to_word"])))
        np.put_along_axis(words, captions, 1.0, axis=1)
        return data[f"{split}_features"][data[f"{split}_image_idxs"]], words

    X_train, words_train = features_and_words("train")
    X_val, words_val = features_and_words("val")
    W = np.linalg.lstsq(X_train, words_train, rcond=None)[0]
    assert (((X_val @ W) > 0.5) == (words_val > 0)).all(axis=1).mean() > 0.95
    lengths = (data["train_captions"] != 0).sum(axis=1)
    assert lengths.min() < lengths.max() <= CAPTION_LENGTH and (data["train_captions"] == 3).any()


def test_the_synthetic_writer_leaves_real_files_alone(copy):
    with h5py.File(copy / "coco2014_captions.h5", "a") as f:
        del f.attrs["synthetic"]  # as COCO's own file: no mark
    with pytest.raises(InputError, match="holds COCO captioning files that are not synthetic"):
        write_synthetic_coco(copy)


# ---- download coco ---------------------------------------------------------------------------------------

def make_zip(folder, path, extra=()):
    """`folder`'s files under coco_captioning/ in a .zip, as the course's archive holds them."""
    with zipfile.ZipFile(path, "w") as zipped:
        for file in sorted(folder.iterdir()):
            zipped.write(file, f"coco_captioning/{file.name}")
        for name, data in extra:
            zipped.writestr(name, data)
    return path


@pytest.mark.parametrize("as_url", [False, True], ids=["local-path", "file-url"])
def test_download_coco_installs_the_folder_and_leaves_nothing_else(synthetic, tmp_path, as_url):
    archive = make_zip(synthetic, tmp_path / "coco_captioning.zip")
    folder = download_coco(tmp_path / "dest", url=archive.as_uri() if as_url else str(archive), progress=False)
    assert folder == tmp_path / "dest" / "coco_captioning"
    assert [p.name for p in (tmp_path / "dest").iterdir()] == ["coco_captioning"]  # the temporary folder is gone
    np.testing.assert_array_equal(load_coco_data(folder)["train_captions"], load_coco_data(synthetic)["train_captions"])


def test_download_coco_skips_a_copy_that_loads_and_replaces_a_broken_one(synthetic, tmp_path):
    archive = make_zip(synthetic, tmp_path / "coco_captioning.zip")
    folder = download_coco(tmp_path / "dest", url=str(archive), progress=False)
    assert download_coco(tmp_path / "dest", url=str(tmp_path / "no-such.zip"), progress=False) == folder
    (folder / "val2014_vgg16_fc7.h5").write_bytes(b"broken")
    download_coco(tmp_path / "dest", url=str(archive), progress=False)
    coco.check_coco_folder(folder)


def test_the_command_line_downloads_coco_into_the_data_folder(synthetic, tmp_path, monkeypatch, capsys):
    archive = make_zip(synthetic, tmp_path / "coco_captioning.zip")
    monkeypatch.setenv("TINYGRAD231N_DATA", str(tmp_path / "data"))
    assert cli.main(["download", "coco", "--url", archive.as_uri()]) == 0
    assert f"COCO captioning is in {tmp_path / 'data' / 'coco_captioning'}" in capsys.readouterr().out
    assert list(load_coco_data()) == KEYS


def test_a_truncated_zip_is_one_line_and_installs_nothing(synthetic, tmp_path):
    archive = make_zip(synthetic, tmp_path / "coco_captioning.zip")
    _cut_in_half(archive)
    (tmp_path / "dest").mkdir()
    with pytest.raises(DataError, match="the archive is truncated or not a .zip"):
        download_coco(tmp_path / "dest", url=str(archive), progress=False)
    assert list((tmp_path / "dest").iterdir()) == []


def test_an_archive_with_a_damaged_file_names_the_member(copy, tmp_path):
    _cut_in_half(copy / "train2014_vgg16_fc7.h5")  # the raw features: load_coco_data's default skips them
    archive = make_zip(copy, tmp_path / "coco_captioning.zip")
    (tmp_path / "dest").mkdir()
    with pytest.raises(DataError) as err:
        download_coco(tmp_path / "dest", url=str(archive), progress=False)
    message = str(err.value)
    assert message.startswith(f"{archive}: the archive does not hold a valid COCO captioning "
                              "(coco_captioning/train2014_vgg16_fc7.h5: truncated or not an HDF5 file")
    assert message.endswith("nothing was installed") and ".coco-download-" not in message
    assert list((tmp_path / "dest").iterdir()) == []


def test_zip_members_escaping_the_folder_are_refused(synthetic, tmp_path):
    archive = make_zip(synthetic, tmp_path / "evil.zip", extra=[("../escaped.txt", b"bad")])
    (tmp_path / "dest").mkdir()
    with pytest.raises(DataError, match=r"refusing to extract '\.\./escaped\.txt'"):
        download_coco(tmp_path / "dest", url=str(archive), progress=False)
    assert not (tmp_path / "escaped.txt").exists() and list((tmp_path / "dest").iterdir()) == []


def test_an_interrupted_coco_download_leaves_nothing(synthetic, tmp_path, monkeypatch):
    archive = make_zip(synthetic, tmp_path / "coco_captioning.zip")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(download_module, "_safe_unzip", interrupted)
    (tmp_path / "dest").mkdir()
    with pytest.raises(KeyboardInterrupt):
        download_coco(tmp_path / "dest", url=str(archive), progress=False)
    assert list((tmp_path / "dest").iterdir()) == []


def test_download_coco_without_h5py_says_which_extra_before_fetching(synthetic, tmp_path, monkeypatch, capsys):
    archive = make_zip(synthetic, tmp_path / "coco_captioning.zip")
    monkeypatch.setitem(sys.modules, "h5py", None)  # as if not installed
    assert cli.main(["download", "coco", "--dest", str(tmp_path / "dest"), "--url", str(archive)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.endswith("pip install 'tinygrad231n[coco]'") and not (tmp_path / "dest").exists()


# ---- image_from_url without a network --------------------------------------------------------------------

def test_image_from_url_at_a_closed_port_is_one_line_and_none(capsys):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert image_from_url(f"http://127.0.0.1:{port}/a.jpg", timeout=5) is None
    out = capsys.readouterr().out
    assert out.startswith("URL Error: ") and f"127.0.0.1:{port}/a.jpg" in out and out.count("\n") == 1


def test_image_from_url_gives_up_on_a_server_that_never_answers(capsys):
    with socket.socket() as silent:  # accepts connections (the backlog) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        start = time.monotonic()
        assert image_from_url(f"http://127.0.0.1:{silent.getsockname()[1]}/a.jpg", timeout=0.5) is None
        assert time.monotonic() - start < 3
    out = capsys.readouterr().out
    assert out.startswith("URL Error: ") and ("timed out" in out or "no answer within 0.5 s" in out)
    assert out.count("\n") == 1


def test_image_from_url_gives_up_on_a_name_lookup_that_hangs(monkeypatch, capsys):
    # Without a network a resolver may wait far longer than any socket timeout; the limit covers it too.
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: time.sleep(30))
    start = time.monotonic()
    assert image_from_url("http://images.example/a.jpg", timeout=0.5) is None
    assert time.monotonic() - start < 3
    assert capsys.readouterr().out == "URL Error:  no answer within 0.5 s http://images.example/a.jpg\n"
