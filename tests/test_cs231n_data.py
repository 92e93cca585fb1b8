"""tinygrad231n.cs231n.data_utils: the shipped sample in place of a download, and the assignment's other loaders."""
import io
import os
import pickle
import warnings

import numpy as np
import pytest
from PIL import Image

from tinygrad231n.cs231n.data_utils import (get_CIFAR10_data, load_CIFAR10, load_imagenet_val, load_models,
                                            load_pickle, load_tiny_imagenet)
from tinygrad231n.data import DataNotFoundError, load_cifar10_sample


def test_load_cifar10_sample_needs_no_download():
    X_train, y_train, X_test, y_test = load_CIFAR10("sample")
    raw = load_cifar10_sample()
    assert X_train.dtype == X_test.dtype == np.float64 and X_train.shape == (1200, 32, 32, 3)
    np.testing.assert_array_equal(X_train, raw[0])
    np.testing.assert_array_equal(y_test, raw[3])


def test_get_cifar10_data_on_the_sample_cuts_the_default_sizes_and_says_so():
    with pytest.warns(UserWarning, match="num_training=1000, num_validation=200, num_test=300"):
        data = get_CIFAR10_data(cifar10_dir="sample")
    shapes = {key: value.shape for key, value in data.items()}
    assert shapes == {"X_train": (1000, 3, 32, 32), "y_train": (1000,), "X_val": (200, 3, 32, 32), "y_val": (200,),
                      "X_test": (300, 3, 32, 32), "y_test": (300,)}
    X_train, y_train, _, _ = load_cifar10_sample()
    np.testing.assert_array_equal(data["y_val"], y_train[1000:1200])
    mean = X_train[:1000].mean(axis=0)
    np.testing.assert_allclose(data["X_val"], (X_train[1000:1200] - mean).transpose(0, 3, 1, 2))


def test_get_cifar10_data_on_the_sample_keeps_sizes_that_fit():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = get_CIFAR10_data(num_training=500, num_validation=50, num_test=100, subtract_mean=False,
                                cifar10_dir="sample")
    assert len(data["X_train"]) == 500 and len(data["X_val"]) == 50 and len(data["X_test"]) == 100
    assert data["X_train"].flags.c_contiguous and data["X_train"].max() > 200


def test_missing_data_points_at_the_sample(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYGRAD231N_DATA", str(tmp_path))
    with pytest.raises(DataNotFoundError, match="cifar10_dir='sample'"):
        get_CIFAR10_data()


class Payload:
    def __reduce__(self):
        return (os.system, ("echo should-not-run",))


def test_load_pickle_reads_plain_data_and_refuses_code():
    data = {"model": {"W": np.arange(3.0)}, "names": ["a", "b"]}
    loaded = load_pickle(io.BytesIO(pickle.dumps(data, protocol=2)))
    np.testing.assert_array_equal(loaded["model"]["W"], data["model"]["W"])
    assert loaded["names"] == ["a", "b"]
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        load_pickle(io.BytesIO(pickle.dumps(Payload())))


def test_load_models_keeps_the_model_entries_and_skips_other_files(tmp_path):
    (tmp_path / "net.pkl").write_bytes(pickle.dumps({"model": {"W1": np.ones(2)}}))
    (tmp_path / "evil.pkl").write_bytes(pickle.dumps(Payload()))
    models = load_models(tmp_path)
    assert list(models) == ["net.pkl"]
    np.testing.assert_array_equal(models["net.pkl"]["W1"], np.ones(2))


def write_tiny_imagenet(root):
    """Two classes with two training images each, two val and two test images (64x64; one grey)."""
    rng = np.random.default_rng(0)
    wnids = ["n01", "n02"]

    def save(folder, name, grey=False):
        folder.mkdir(parents=True, exist_ok=True)
        shape = (64, 64) if grey else (64, 64, 3)
        Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8)).save(folder / name)

    root.mkdir()
    (root / "wnids.txt").write_text("\n".join(wnids) + "\n")
    (root / "words.txt").write_text("n01\tgoldfish, Carassius auratus\nn02\tshark\nn99\tunused\n")
    for wnid in wnids:
        names = [f"{wnid}_{i}.png" for i in range(2)]
        for name in names:
            save(root / "train" / wnid / "images", name, grey=name == "n02_1.png")
        (root / "train" / wnid / f"{wnid}_boxes.txt").write_text("".join(f"{n}\t0\t0\t63\t63\n" for n in names))
    for name in ("val_0.png", "val_1.png"):
        save(root / "val" / "images", name)
    (root / "val" / "val_annotations.txt").write_text("val_0.png\tn02\t0\t0\t1\t1\nval_1.png\tn01\t0\t0\t1\t1\n")
    for name in ("test_1.png", "test_0.png"):
        save(root / "test" / "images", name)
    return root


def test_load_tiny_imagenet_reads_the_layout(tmp_path):
    root = write_tiny_imagenet(tmp_path / "tiny")
    raw = load_tiny_imagenet(root, subtract_mean=False)
    assert raw["class_names"] == [["goldfish", "Carassius auratus"], ["shark"]]
    assert raw["X_train"].shape == (4, 3, 64, 64) and raw["X_train"].dtype == np.float32
    np.testing.assert_array_equal(raw["y_train"], [0, 0, 1, 1])
    np.testing.assert_array_equal(raw["y_val"], [1, 0])
    assert raw["y_test"] is None and raw["X_test"].shape == (2, 3, 64, 64)
    expected = np.asarray(Image.open(root / "train" / "n01" / "images" / "n01_1.png")).transpose(2, 0, 1)
    np.testing.assert_array_equal(raw["X_train"][1], expected)
    grey = raw["X_train"][3]
    assert np.array_equal(grey[0], grey[1]) and np.array_equal(grey[1], grey[2])

    (root / "test" / "test_annotations.txt").write_text("test_0.png\tn02\ntest_1.png\tn01\n")
    centred = load_tiny_imagenet(root, dtype=np.float64)
    np.testing.assert_array_equal(centred["y_test"], [1, 0])  # test files in sorted order
    np.testing.assert_allclose(centred["mean_image"], raw["X_train"].mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(centred["X_val"], raw["X_val"] - centred["mean_image"], rtol=1e-6)


def test_load_imagenet_val_from_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYGRAD231N_DATA", str(tmp_path))
    with pytest.raises(DataNotFoundError, match="imagenet_val_25.npz"):
        load_imagenet_val()
    X = np.zeros((3, 4, 4, 3), dtype=np.uint8)
    np.savez(tmp_path / "imagenet_val_25.npz", X=X, y=np.array([5, 6, 7]), label_map={5: "a", 6: "b", 7: "c"})
    X2, y, names = load_imagenet_val(num=2)
    assert X2.shape == (2, 4, 4, 3) and list(y) == [5, 6] and names[7] == "c"
