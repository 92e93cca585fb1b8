"""CIFAR-10 loading, the shipped sample, downloading, and preprocessing.

Every dataset here is a few tiny batches in the official format, written by the helpers below;
nothing needs the real CIFAR-10. The loader expects 10,000 images per batch; the `tiny_batches`
fixture lowers that to PER_BATCH for every test here (one test checks the real number).
"""
import hashlib
import io
import os
import pickle
import struct
import tarfile

import numpy as np
import pytest

from tinygrad231n.data import (
    CLASSES,
    SAMPLE_PATH,
    DataError,
    DataNotFoundError,
    append_bias,
    default_data_dir,
    download_cifar10,
    flatten,
    load_batch,
    load_cifar10,
    load_cifar10_sample,
    load_label_names,
    map_images,
    mean_image,
    split_train_val_test,
    subtract_mean,
    to_nchw,
)
from tinygrad231n.data import cifar10 as cifar10_module
from tinygrad231n.data import download as download_module

PER_BATCH = 4  # images per tiny batch: 5 train batches -> 20 training images, 4 test images
OFFICIAL_IMAGES_PER_BATCH = cifar10_module.IMAGES_PER_BATCH


# ---------------------------------------------------------------- writing official-format batches

class _Py2Pickler(pickle._Pickler):
    """Writes str and bytes as Python 2 str and numpy globals under numpy.core, as the official files are."""

    dispatch = dict(pickle._Pickler.dispatch)

    def save_bytes(self, obj):
        head = pickle.SHORT_BINSTRING + bytes([len(obj)]) if len(obj) < 256 else (
            pickle.BINSTRING + struct.pack("<i", len(obj)))
        self.write(head + obj)
        self.memoize(obj)

    def save_str(self, obj):
        self.save_bytes(obj.encode("latin1"))

    def save_global(self, obj, name=None):
        module, name = obj.__module__, name or obj.__qualname__
        module = "numpy" if obj in (np.ndarray, np.dtype) else module.replace("numpy._core", "numpy.core")
        self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode())
        self.memoize(obj)

    dispatch[bytes] = save_bytes
    dispatch[str] = save_str
    dispatch[type] = save_global


def write_pickle(path, obj, style):
    """style: 'py2' (like the official files), 'str' (Python 3 str keys) or 'bytes' (keys b'data', ...)."""
    if style == "bytes":
        obj = {key.encode(): value for key, value in obj.items()}
    with open(path, "wb") as fh:
        (_Py2Pickler if style == "py2" else pickle.Pickler)(fh, protocol=2).dump(obj)


def write_batches(folder, style="py2", per_batch=PER_BATCH, seed=0):
    """Write a tiny official-format CIFAR-10 into ``folder``; returns its rows and labels."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, 256, size=(6 * per_batch, 3072), dtype=np.uint8)
    labels = rng.integers(0, 10, size=6 * per_batch).tolist()
    names = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]
    for i, name in enumerate(names):
        part = slice(i * per_batch, (i + 1) * per_batch)
        write_pickle(folder / name, {"batch_label": name, "data": rows[part], "labels": labels[part],
                                     "filenames": [f"img_{j}.png" for j in range(per_batch)]}, style)
    write_pickle(folder / "batches.meta", {"label_names": list(CLASSES), "num_vis": 3072}, style)
    return rows, np.array(labels)


@pytest.fixture(autouse=True)
def tiny_batches(monkeypatch):
    monkeypatch.setattr(cifar10_module, "IMAGES_PER_BATCH", PER_BATCH)


@pytest.fixture
def cifar_root(tmp_path):
    write_batches(tmp_path / "cifar-10-batches-py")
    return tmp_path


# ---------------------------------------------------------------- loading

@pytest.mark.parametrize("style", ["py2", "str", "bytes"])
def test_load_cifar10_reads_every_pickle_style(tmp_path, style):
    rows, labels = write_batches(tmp_path / "cifar-10-batches-py", style=style)
    X_train, y_train, X_test, y_test = load_cifar10(tmp_path)
    n_train = 5 * PER_BATCH
    assert X_train.shape == (n_train, 32, 32, 3) and X_test.shape == (PER_BATCH, 32, 32, 3)
    assert X_train.dtype == np.uint8 and y_train.dtype == np.int64 and y_test.dtype == np.int64
    np.testing.assert_array_equal(y_train, labels[:n_train])
    np.testing.assert_array_equal(y_test, labels[n_train:])
    # A row is 1024 red, 1024 green, 1024 blue values, each image row-major: check one pixel per channel.
    for channel in range(3):
        np.testing.assert_array_equal(X_train[:, 2, 5, channel], rows[:n_train, channel * 1024 + 2 * 32 + 5])
        np.testing.assert_array_equal(X_test[:, 31, 0, channel], rows[n_train:, channel * 1024 + 31 * 32])
    assert load_label_names(tmp_path) == list(CLASSES)


def test_root_may_be_the_batches_folder_or_its_parent(cifar_root):
    from_parent = load_cifar10(cifar_root)
    from_folder = load_cifar10(cifar_root / "cifar-10-batches-py")
    for a, b in zip(from_parent, from_folder):
        np.testing.assert_array_equal(a, b)


def test_float_dtype_keeps_pixel_scale(cifar_root):
    X8, y8, Xt8, _ = load_cifar10(cifar_root)
    X64, y64, Xt64, _ = load_cifar10(cifar_root, dtype=np.float64)
    assert X64.dtype == np.float64 and Xt64.dtype == np.float64
    np.testing.assert_array_equal(X64, X8.astype(np.float64))
    np.testing.assert_array_equal(y64, y8)
    with pytest.raises(ValueError, match="dtype must be np.uint8 or a float"):
        load_cifar10(cifar_root, dtype=np.int32)


def test_load_batch_returns_images_and_int64_labels(cifar_root):
    X, y = load_batch(cifar_root / "cifar-10-batches-py" / "test_batch")
    assert X.shape == (PER_BATCH, 32, 32, 3) and X.dtype == np.uint8 and X.flags.c_contiguous
    assert y.shape == (PER_BATCH,) and y.dtype == np.int64


def test_truncated_file_error_names_the_file(cifar_root):
    path = cifar_root / "cifar-10-batches-py" / "data_batch_3"
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(DataError, match="data_batch_3 is truncated or corrupt") as err:
        load_cifar10(cifar_root)
    assert "tinygrad231n download" in str(err.value)


def test_official_batches_hold_10000_images():
    assert OFFICIAL_IMAGES_PER_BATCH == 10_000  # read before the tiny_batches fixture lowered it


@pytest.mark.parametrize("name", ["data_batch_4", "test_batch"])
@pytest.mark.parametrize("rows", [2, PER_BATCH + 1])
def test_a_batch_of_the_wrong_size_is_refused(tmp_path, name, rows):
    folder = tmp_path / "cifar-10-batches-py"
    write_batches(folder)
    write_pickle(folder / name, {"data": np.zeros((rows, 3072), np.uint8), "labels": [0] * rows}, "py2")
    with pytest.raises(DataError, match=rf"{name}: expected {PER_BATCH:,} images, as in every official "
                                        rf"CIFAR-10 batch, got {rows:,}; delete it"):
        load_cifar10(tmp_path)


@pytest.mark.parametrize("names", [list(CLASSES)[:9], list(CLASSES) + ["horse"], list(reversed(CLASSES))])
def test_a_meta_without_the_10_class_names_is_refused(tmp_path, names):
    folder = tmp_path / "cifar-10-batches-py"
    write_batches(folder)
    write_pickle(folder / "batches.meta", {"label_names": names}, "py2")
    with pytest.raises(DataError, match=rf"batches.meta: expected CIFAR-10's 10 label names .*, got {len(names)}"):
        load_cifar10(tmp_path)
    (folder / "batches.meta").unlink()
    with pytest.raises(DataNotFoundError, match="batches.meta does not exist"):
        load_cifar10(tmp_path)


def test_missing_file_error_says_how_to_get_the_data(cifar_root):
    (cifar_root / "cifar-10-batches-py" / "test_batch").unlink()
    with pytest.raises(FileNotFoundError, match="test_batch does not exist") as err:
        load_cifar10(cifar_root)
    assert isinstance(err.value, DataNotFoundError)
    assert "tinygrad231n download" in str(err.value) and "load_cifar10_sample()" in str(err.value)


def test_missing_folder_error_says_where_it_looked(tmp_path):
    with pytest.raises(DataNotFoundError, match="no CIFAR-10 batches in .*--sample"):
        load_cifar10(tmp_path / "nowhere")


@pytest.mark.parametrize("batch, expected", [
    ({"data": np.zeros((3, 100), np.uint8), "labels": [0, 1, 2]}, r"uint8 array of shape \(n, 3072\), got uint8 of shape \(3, 100\)"),
    ({"data": np.zeros((3, 3072), np.float32), "labels": [0, 1, 2]}, r"got float32"),
    ({"data": np.zeros((3, 3072), np.uint8), "labels": [0, 1]}, r"expected 3 labels"),
    ({"data": np.zeros((2, 3072), np.uint8), "labels": [0, 10]}, r"integers in 0..9, .* values 0..10"),
    ({"labels": [0]}, r"expected a dict with key 'data'"),
])
def test_bad_batch_contents_say_what_was_expected(tmp_path, batch, expected):
    write_pickle(tmp_path / "data_batch_1", batch, "str")
    with pytest.raises(DataError, match=expected):
        load_batch(tmp_path / "data_batch_1")


def test_pickles_that_would_run_code_are_refused(tmp_path):
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.mkdir, (str(marker),))

    with open(tmp_path / "data_batch_1", "wb") as fh:
        pickle.dump({"data": Evil(), "labels": []}, fh, protocol=2)
    with pytest.raises(DataError, match="refusing to load posix.mkdir|refusing to load nt.mkdir"):
        load_batch(tmp_path / "data_batch_1")
    assert not marker.exists()


# ---------------------------------------------------------------- the shipped sample

def test_sample_ships_small_with_every_class():
    assert SAMPLE_PATH.stat().st_size < 5_000_000
    X_train, y_train, X_test, y_test = load_cifar10_sample()
    assert X_train.shape[1:] == (32, 32, 3) and X_test.shape[1:] == (32, 32, 3)
    assert len(X_train) == len(y_train) >= 1000 and len(X_test) == len(y_test) >= 250
    assert X_train.dtype == np.uint8 and y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert set(y_train.tolist()) == set(range(10)) and set(y_test.tolist()) == set(range(10))
    assert X_train.std() > 30  # real photos, not a blank placeholder
    with np.load(SAMPLE_PATH) as sample:
        assert sample["label_names"].tolist() == list(CLASSES)


def test_sample_float_dtype():
    X, y, _, _ = load_cifar10_sample(dtype=np.float64)
    assert X.dtype == np.float64 and 0 <= X.min() and X.max() <= 255 and X.max() > 1


# ---------------------------------------------------------------- downloading

def make_archive(tmp_path, cut=None):
    """A tiny official-layout CIFAR-10 .tar.gz; ``cut`` keeps only that many bytes. Returns (path, md5)."""
    write_batches(tmp_path / "src" / "cifar-10-batches-py")
    path = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.add(tmp_path / "src" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    if cut is not None:
        path.write_bytes(path.read_bytes()[:cut])
    return path, hashlib.md5(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("as_url", [False, True], ids=["local-path", "file-url"])
def test_download_with_right_md5_installs_the_batches(tmp_path, as_url):
    archive, md5 = make_archive(tmp_path)
    url = archive.as_uri() if as_url else str(archive)
    folder = download_cifar10(tmp_path / "dest", url=url, md5=md5)
    assert folder == tmp_path / "dest" / "cifar-10-batches-py"
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == ["cifar-10-batches-py"]  # temp dir gone
    assert load_cifar10(folder)[0].shape == (5 * PER_BATCH, 32, 32, 3)


def test_download_skips_data_that_already_loads(tmp_path):
    archive, md5 = make_archive(tmp_path)
    folder = download_cifar10(tmp_path / "dest", url=str(archive), md5=md5, progress=False)
    assert download_cifar10(tmp_path / "dest", url=str(tmp_path / "no-such-file"), md5=md5) == folder


def test_download_replaces_a_broken_copy(tmp_path):
    archive, md5 = make_archive(tmp_path)
    broken = tmp_path / "dest" / "cifar-10-batches-py"
    broken.mkdir(parents=True)
    (broken / "data_batch_1").write_bytes(b"not a pickle")
    download_cifar10(tmp_path / "dest", url=str(archive), md5=md5, progress=False)
    assert load_cifar10(broken)[0].shape == (5 * PER_BATCH, 32, 32, 3)


def test_wrong_md5_says_expected_and_got_and_leaves_nothing(tmp_path):
    archive, md5 = make_archive(tmp_path)
    (tmp_path / "dest").mkdir()
    with pytest.raises(DataError, match=f"expected {'0' * 32} but got {md5}"):
        download_cifar10(tmp_path / "dest", url=str(archive), md5="0" * 32, progress=False)
    assert list((tmp_path / "dest").iterdir()) == []


@pytest.mark.parametrize("md5", ["not-an-md5", "0" * 31, "g" * 32, "0" * 33, 12345])
def test_a_malformed_md5_is_refused_before_downloading(tmp_path, monkeypatch, md5):
    def fetch(*args):
        raise AssertionError("downloaded although the md5 was malformed")

    monkeypatch.setattr(download_module, "_fetch", fetch)
    with pytest.raises(DataError, match=r"md5 must be the archive's md5 digest, 32 hexadecimal digits, got"):
        download_cifar10(tmp_path / "dest", url="https://example.invalid/cifar.tar.gz", md5=md5)
    assert not (tmp_path / "dest").exists()


def test_an_archive_with_a_broken_batch_names_the_member_not_a_deleted_temporary(tmp_path):
    folder = tmp_path / "src" / "cifar-10-batches-py"
    write_batches(folder)
    (folder / "data_batch_3").write_bytes(b"not a pickle")
    archive = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname="cifar-10-batches-py")
    (tmp_path / "dest").mkdir()
    with pytest.raises(DataError) as err:
        download_cifar10(tmp_path / "dest", url=str(archive), md5=None, progress=False)
    message = str(err.value)
    assert message.startswith(f"{archive}: the archive does not hold a valid CIFAR-10 "
                              "(cifar-10-batches-py/data_batch_3 is truncated or corrupt")
    assert message.endswith("nothing was installed")
    assert "delete it" not in message and ".cifar10-download-" not in message
    assert list((tmp_path / "dest").iterdir()) == []


def test_truncated_archive_is_a_clear_error_and_leaves_nothing(tmp_path):
    full, _ = make_archive(tmp_path)
    archive, md5 = make_archive(tmp_path, cut=full.stat().st_size // 2)
    (tmp_path / "dest").mkdir()
    with pytest.raises(DataError, match="truncated or not a .tar.gz"):
        download_cifar10(tmp_path / "dest", url=str(archive), md5=md5, progress=False)
    assert list((tmp_path / "dest").iterdir()) == []


def test_missing_source_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="could not download .*no-such-archive"):
        download_cifar10(tmp_path / "dest", url=str(tmp_path / "no-such-archive.tar.gz"), progress=False)
    assert list((tmp_path / "dest").iterdir()) == []


def test_members_escaping_the_folder_are_refused(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    (tmp_path / "dest").mkdir()
    with pytest.raises(DataError, match=r"refusing to extract '\.\./escaped\.txt'"):
        download_cifar10(tmp_path / "dest", url=str(archive), md5=None, progress=False)
    assert not (tmp_path / "escaped.txt").exists() and list((tmp_path / "dest").iterdir()) == []


def test_interrupt_leaves_nothing_behind(tmp_path, monkeypatch):
    archive, md5 = make_archive(tmp_path)

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(download_module, "_safe_extract", interrupted)
    (tmp_path / "dest").mkdir()
    with pytest.raises(KeyboardInterrupt):
        download_cifar10(tmp_path / "dest", url=str(archive), md5=md5, progress=False)
    assert list((tmp_path / "dest").iterdir()) == []


def test_default_data_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYGRAD231N_DATA", str(tmp_path))
    assert default_data_dir() == tmp_path
    monkeypatch.delenv("TINYGRAD231N_DATA")
    assert default_data_dir().parts[-2:] == (".cache", "tinygrad231n")


# ---------------------------------------------------------------- preprocessing

def labelled_images(n, shape=(2, 2, 3), offset=0):
    """n images whose pixels all equal their index (+ offset), so every split can be traced back."""
    X = np.broadcast_to((np.arange(n) + offset).reshape(-1, 1, 1, 1), (n, *shape)).astype(np.float64)
    return X, np.arange(n) + offset


def test_split_follows_the_notebooks():
    X_train, y_train = labelled_images(30)
    X_test, y_test = labelled_images(10, offset=100)
    data = split_train_val_test(X_train, y_train, X_test, y_test, num_training=20, num_validation=5,
                                num_test=4, num_dev=6, seed=1)
    np.testing.assert_array_equal(data["y_train"], np.arange(20))
    np.testing.assert_array_equal(data["y_val"], np.arange(20, 25))
    np.testing.assert_array_equal(data["y_test"], np.arange(100, 104))
    assert len(set(data["y_dev"].tolist())) == 6 and set(data["y_dev"].tolist()) <= set(range(20))
    for split in ("train", "val", "test", "dev"):  # images stay paired with their labels
        np.testing.assert_array_equal(data[f"X_{split}"][:, 0, 0, 0], data[f"y_{split}"])
    again = split_train_val_test(X_train, y_train, X_test, y_test, num_training=20, num_validation=5,
                                 num_test=4, num_dev=6, seed=1)
    np.testing.assert_array_equal(again["y_dev"], data["y_dev"])
    data["X_train"][:] = -1
    assert X_train.min() == 0  # the split holds copies


@pytest.mark.parametrize("sizes, expected", [
    (dict(num_training=28, num_validation=5), "28 training \\+ 5 validation images, but X_train has only 30"),
    (dict(num_test=11), "11 test images, but X_test has only 10"),
    (dict(num_dev=21), "num_dev \\(21\\) must be at most num_training \\(20\\)"),
    (dict(num_validation=-1), "num_validation must be >= 0"),
])
def test_split_asking_for_too_much_is_a_clear_error(sizes, expected):
    X_train, y_train = labelled_images(30)
    X_test, y_test = labelled_images(10)
    kwargs = dict(num_training=20, num_validation=5, num_test=4, num_dev=6) | sizes
    with pytest.raises(ValueError, match=expected):
        split_train_val_test(X_train, y_train, X_test, y_test, **kwargs)


def test_split_rejects_mismatched_labels():
    X, y = labelled_images(10)
    with pytest.raises(ValueError, match="X_train has 10 images but y_train has 9 labels"):
        split_train_val_test(X, y[:9], X, y, num_training=5, num_validation=1, num_test=1, num_dev=1)


def test_notebook_pipeline_centres_flattens_and_appends_bias():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(12, 4, 4, 3), dtype=np.uint8)
    data = split_train_val_test(X, np.arange(12), X[:4], np.arange(4), num_training=8, num_validation=2,
                                num_test=4, num_dev=3)
    data = map_images(data, flatten)
    assert data["X_train"].shape == (8, 48) and data["X_train"].dtype == np.float64
    mean = mean_image(data["X_train"])
    np.testing.assert_allclose(mean, X[:8].reshape(8, -1).mean(axis=0))
    data = subtract_mean(data, mean)
    np.testing.assert_allclose(data["X_train"].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(data["X_test"], X[:4].reshape(4, -1) - mean)  # centred with the *train* mean
    data = map_images(data, append_bias)
    assert data["X_val"].shape == (2, 49) and np.all(data["X_val"][:, -1] == 1)
    np.testing.assert_array_equal(data["y_val"], [8, 9])


def test_mean_image_is_float64_without_overflow():
    X = np.full((3, 2, 2, 3), 250, dtype=np.uint8)
    mean = mean_image(X)
    assert mean.shape == (2, 2, 3) and mean.dtype == np.float64 and np.all(mean == 250)
    with pytest.raises(ValueError, match="no images"):
        mean_image(X[:0])


def test_subtract_mean_rejects_a_mean_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"X_train has images of shape \(48,\) but mean has shape \(47,\)"):
        subtract_mean({"X_train": np.zeros((2, 48))}, np.zeros(47))


def test_append_bias_needs_flat_rows():
    out = append_bias(np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(out, [[0, 1, 2, 1], [3, 4, 5, 1]])
    with pytest.raises(ValueError, match="expected a 2-d array"):
        append_bias(np.zeros((2, 2, 2)))


def test_to_nchw_moves_channels_first():
    X = np.random.default_rng(0).integers(0, 256, size=(2, 4, 5, 3), dtype=np.uint8)
    out = to_nchw(X)
    assert out.shape == (2, 3, 4, 5) and out.dtype == np.uint8 and out.flags.c_contiguous
    assert out[1, 2, 3, 4] == X[1, 3, 4, 2]
    with pytest.raises(ValueError, match=r"expected images of shape \(N, H, W, C\), got shape \(4, 5, 3\)"):
        to_nchw(X[0])


def test_flatten_keeps_the_row_length_of_an_empty_batch():
    from tinygrad231n.data import flatten
    assert flatten(np.zeros((0, 32, 32, 3), dtype=np.uint8)).shape == (0, 3072)
