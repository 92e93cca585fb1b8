"""tinygrad231n.torchvision: CIFAR10 over the official batch format, and the transforms.

The data sets here are a few tiny batches in the official pickle format (test_data's writer, with
IMAGES_PER_BATCH lowered as test_data does); nothing needs the real CIFAR-10. PyTorch's numbers for
the transforms (to_tensor's and normalize's documented formulas in torch, torch's padding modes)
are kept in tests/data/torch_data_fixtures.npz (scripts/make_torch_data_fixtures.py); torchvision
itself is not installed here.
"""
from pathlib import Path

import numpy as np
import pytest
from test_data import PER_BATCH, make_archive, write_batches
from test_torch_data import assert_offers_exactly_what_supported_lists

import tinygrad231n.torchvision as torchvision
import tinygrad231n.torchvision.datasets as dset
import tinygrad231n.torchvision.transforms as T
from tinygrad231n.data import cifar10 as cifar10_module
from tinygrad231n.data.cifar10 import CLASSES, DataError, DataNotFoundError
from tinygrad231n.tensor import Tensor
from tinygrad231n.torch import random as front_random
from tinygrad231n.torch.utils.data import DataLoader, sampler
from tinygrad231n.torchvision.datasets import cifar as cifar_module

FIXTURES = np.load(Path(__file__).parent / "data" / "torch_data_fixtures.npz", allow_pickle=False)
MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)  # PyTorch.ipynb's


@pytest.fixture(autouse=True)
def tiny_batches(monkeypatch):
    monkeypatch.setattr(cifar10_module, "IMAGES_PER_BATCH", PER_BATCH)


@pytest.fixture
def cifar_root(tmp_path):
    """A root holding cifar-10-batches-py; returns (root, rows (24, 3072) uint8, labels (24,))."""
    rows, labels = write_batches(tmp_path / "cifar-10-batches-py")
    return tmp_path, rows, labels


def as_images(rows):
    """Official rows (red plane, green plane, blue plane) -> (n, 32, 32, 3), written out independently."""
    return np.stack([rows[:, c * 1024:(c + 1) * 1024].reshape(-1, 32, 32) for c in range(3)], axis=-1)


# ---------------------------------------------------------------- CIFAR10

@pytest.mark.parametrize("train", [True, False])
def test_cifar10_holds_the_split_as_torchvision_does(cifar_root, train):
    root, rows, labels = cifar_root
    dataset = dset.CIFAR10(str(root), train=train)
    split = slice(0, 5 * PER_BATCH) if train else slice(5 * PER_BATCH, None)
    assert dataset.data.dtype == np.uint8 and dataset.data.shape == (len(labels[split]), 32, 32, 3)
    np.testing.assert_array_equal(dataset.data, as_images(rows[split]))
    assert dataset.targets == labels[split].tolist() and all(type(t) is int for t in dataset.targets)
    assert dataset.train is train and len(dataset) == len(labels[split])
    assert dataset.classes == list(CLASSES) and dataset.class_to_idx["cat"] == 3


def test_cifar10_item_is_the_uint8_image_and_its_label_through_the_transforms(cifar_root):
    root, rows, labels = cifar_root
    plain = dset.CIFAR10(root)
    img, target = plain[2]
    assert img.shape == (32, 32, 3) and img.dtype == np.uint8 and target == labels[2]
    np.testing.assert_array_equal(img, as_images(rows[2:3])[0])
    seen = []
    transformed = dset.CIFAR10(root, transform=lambda x: seen.append(x) or "image", target_transform=lambda y: -y)
    assert transformed[2] == ("image", -labels[2])
    np.testing.assert_array_equal(seen[0], img)  # the transform gets the uint8 (32, 32, 3) image


def test_the_notebooks_pipeline_gives_float32_images_and_int64_labels(cifar_root):
    root, rows, labels = cifar_root
    transform = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])
    train = dset.CIFAR10(str(root), train=True, download=True, transform=transform)
    loader = DataLoader(train, batch_size=8, sampler=sampler.SubsetRandomSampler(range(4, 20)))
    assert len(loader) == 2 and loader.dataset.train
    seen = []
    for t, (x, y) in enumerate(loader):
        assert isinstance(x, Tensor) and x.dtype == np.float32 and x.shape == (8, 3, 32, 32)
        assert isinstance(y, Tensor) and y.dtype == np.int64 and y.shape == (8,)
        seen += y.numpy().tolist()
    assert sorted(seen) == sorted(labels[4:20].tolist())
    x, y = next(iter(DataLoader(train, batch_size=8)))  # in order: the first 8 images, by the formula
    mean, std = (np.array(v, np.float32)[:, None, None] for v in (MEAN, STD))
    expected = (as_images(rows[:8]).transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255) - mean) / std
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-6, atol=1e-6)
    assert y.numpy().tolist() == labels[:8].tolist()


def test_a_missing_root_without_download_says_where_it_looked_and_what_to_do(tmp_path):
    with pytest.raises(DataNotFoundError) as err:
        dset.CIFAR10(tmp_path / "nowhere", train=True, download=False)
    message = str(err.value)
    assert "no CIFAR-10 batches in" in message and "cifar-10-batches-py" in message
    assert "download=True" in message and "\n" not in message


def test_broken_batches_without_download_are_one_clear_line(cifar_root):
    root, _, _ = cifar_root
    (root / "cifar-10-batches-py" / "data_batch_3").write_bytes(b"not a pickle")
    with pytest.raises(DataError) as err:
        dset.CIFAR10(root)
    assert "do not load" in str(err.value) and "data_batch_3" in str(err.value) and "\n" not in str(err.value)


def use_archive(monkeypatch, tmp_path, md5=None):
    archive, right_md5 = make_archive(tmp_path)
    monkeypatch.setattr(dset.CIFAR10, "url", str(archive))
    monkeypatch.setattr(dset.CIFAR10, "tgz_md5", md5 or right_md5)


def test_download_fetches_md5_checked_batches_when_missing(tmp_path, monkeypatch):
    use_archive(monkeypatch, tmp_path)
    dataset = dset.CIFAR10(tmp_path / "root", train=False, download=True)
    assert (tmp_path / "root" / "cifar-10-batches-py" / "test_batch").exists() and len(dataset) == PER_BATCH


def test_download_with_a_wrong_md5_installs_nothing(tmp_path, monkeypatch):
    use_archive(monkeypatch, tmp_path, md5="0" * 32)
    with pytest.raises(DataError, match="md5"):
        dset.CIFAR10(tmp_path / "root", download=True)
    assert not (tmp_path / "root" / "cifar-10-batches-py").exists()


def test_download_leaves_batches_that_load_alone(cifar_root, monkeypatch):
    root, _, labels = cifar_root
    monkeypatch.setattr(cifar_module, "download_cifar10", lambda *args, **kwargs: pytest.fail("downloaded again"))
    assert dset.CIFAR10(root, download=True).targets == labels[:5 * PER_BATCH].tolist()


def test_download_replaces_batches_that_do_not_load(cifar_root, monkeypatch):
    root, _, _ = cifar_root
    (root / "cifar-10-batches-py" / "test_batch").write_bytes(b"not a pickle")
    use_archive(monkeypatch, root / "archive")
    assert len(dset.CIFAR10(root, train=False, download=True)) == PER_BATCH


# ---------------------------------------------------------------- ToTensor, Normalize

def test_to_tensor_matches_its_formula_in_torch():
    out = T.ToTensor()(FIXTURES["transforms/uint8_hwc"])
    expected = FIXTURES["transforms/to_tensor"]
    assert isinstance(out, Tensor) and out.dtype == np.float32 and out.shape == expected.shape
    np.testing.assert_array_equal(out.numpy(), expected)


def test_to_tensor_adds_a_channel_to_gray_images_and_keeps_other_dtypes():
    gray = T.ToTensor()(np.full((2, 3), 255, np.uint8))
    assert gray.shape == (1, 2, 3) and np.all(gray.numpy() == 1)
    kept = T.ToTensor()(np.arange(12, dtype=np.float64).reshape(2, 2, 3))
    assert kept.dtype == np.float64 and kept.numpy()[2, 1, 0] == 8  # moved, not rescaled (as torchvision)


@pytest.mark.parametrize("pic, expected", [(np.zeros((2, 2, 2, 3), np.uint8), "2/3 dimensional"),
                                           (Tensor(np.zeros((3, 2, 2))), "got Tensor")])
def test_to_tensor_refuses_what_is_not_an_hwc_array(pic, expected):
    with pytest.raises(ValueError, match=expected):
        T.ToTensor()(pic)


def test_normalize_matches_its_formula_in_torch_and_leaves_the_input_alone():
    image = Tensor(FIXTURES["transforms/to_tensor"].copy())
    before = image.numpy().copy()
    mean, std = FIXTURES["transforms/mean_std"]
    out = T.Normalize(tuple(mean), tuple(std))(image)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), FIXTURES["transforms/normalize"])  # float32 throughout, as torch
    np.testing.assert_array_equal(image.numpy(), before)


def test_normalize_is_recorded_for_inputs_that_require_grad_with_the_same_values():
    values = np.random.default_rng(0).random((2, 3, 2, 2)).astype(np.float32)
    image = Tensor(values, requires_grad=True)
    out = T.Normalize(MEAN, STD)(image)
    np.testing.assert_array_equal(out.numpy(), T.Normalize(MEAN, STD)(Tensor(values)).numpy())
    out.sum().backward()
    np.testing.assert_allclose(image.grad[0, :, 0, 0], 1 / np.array(STD, np.float32), rtol=1e-6)


@pytest.mark.parametrize("image, mean, std, expected", [
    (np.zeros((3, 2, 2), np.float32), MEAN, STD, "expected a float Tensor image"),
    (Tensor(np.zeros((3, 2, 2)), dtype=np.int64), MEAN, STD, "got int64"),
    (Tensor(np.zeros((2, 2), np.float32)), MEAN, STD, "shape (..., C, H, W), got shape (2, 2)"),
    (Tensor(np.zeros((2, 4, 4), np.float32)), MEAN, STD, "mean has 3 values for an image of 2 channels"),
    (Tensor(np.zeros((3, 4, 4), np.float32)), MEAN, (1, 0, 1), "std evaluated to zero"),
])
def test_normalize_refuses_bad_input_in_one_line(image, mean, std, expected):
    with pytest.raises(ValueError) as err:
        T.Normalize(mean, std)(image)
    assert expected in str(err.value) and "\n" not in str(err.value)


# ---------------------------------------------------------------- RandomCrop, RandomHorizontalFlip

@pytest.mark.parametrize("mode", ["constant", "edge", "reflect"])
@pytest.mark.parametrize("kind", ["tensor_chw", "array_hwc"])
def test_random_crop_pads_as_torchs_padding_modes(mode, kind):
    image, padded = FIXTURES["transforms/image"], FIXTURES[f"transforms/pad_{mode}"]
    crop = T.RandomCrop(padded.shape[1:], padding=tuple(FIXTURES["transforms/padding"].tolist()), fill=7.0,
                        padding_mode=mode)  # the whole padded image: the one window, nothing drawn
    if kind == "tensor_chw":
        out = crop(Tensor(image))
        assert isinstance(out, Tensor) and out.dtype == np.float32
        np.testing.assert_array_equal(out.numpy(), padded)
    else:
        out = crop(image.transpose(1, 2, 0))
        assert isinstance(out, np.ndarray)
        np.testing.assert_array_equal(out, padded.transpose(1, 2, 0))


@pytest.mark.parametrize("mode, expected", [("reflect", [3, 2, 1, 2, 3, 4, 3, 2]),
                                            ("symmetric", [2, 1, 1, 2, 3, 4, 4, 3])])
def test_padding_modes_follow_torchvisions_documented_examples(mode, expected):
    row = Tensor(np.array([[[1, 2, 3, 4]]]), dtype=np.int64)
    assert T.RandomCrop((1, 8), padding=(2, 0), padding_mode=mode)(row).numpy()[0, 0].tolist() == expected


def window_of(padded, crop):
    """The (top, left) where `crop` sits in `padded` (both (H, W, C)), or None."""
    h, w = crop.shape[:2]
    for top in range(padded.shape[0] - h + 1):
        for left in range(padded.shape[1] - w + 1):
            if np.array_equal(padded[top:top + h, left:left + w], crop):
                return top, left
    return None


def test_random_crop_reaches_every_window_and_repeats_after_manual_seed():
    image = np.arange(4 * 4 * 3, dtype=np.uint8).reshape(4, 4, 3) + 1  # every pixel unique and non-zero
    padded = np.zeros((6, 6, 3), np.uint8)
    padded[1:5, 1:5] = image
    crop = T.RandomCrop(4, padding=1)
    front_random.manual_seed(7)
    windows = [window_of(padded, crop(image)) for _ in range(200)]
    assert set(windows) == {(top, left) for top in range(3) for left in range(3)}
    front_random.manual_seed(7)
    assert [window_of(padded, crop(image)) for _ in range(20)] == windows[:20]


def test_random_crop_pads_when_needed_and_refuses_a_crop_larger_than_the_image():
    small = np.ones((2, 3, 3), np.uint8)
    assert T.RandomCrop(4, pad_if_needed=True)(small).shape == (4, 4, 3)
    with pytest.raises(ValueError, match=r"required crop size \(4, 4\) is larger than input image size \(2, 3\)"):
        T.RandomCrop(4)(small)


@pytest.mark.parametrize("settings, expected", [(dict(size=0), "positive integers"),
                                                (dict(size=4, padding=(1, 2, 3)), "1, 2, or 4 element"),
                                                (dict(size=4, padding_mode="wrap"), "padding_mode must be one of")])
def test_random_crop_refuses_bad_settings(settings, expected):
    with pytest.raises(ValueError, match=expected):
        T.RandomCrop(**settings)


def test_horizontal_flip_mirrors_the_width_as_torch_flip():
    image = FIXTURES["transforms/image"]
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1)(Tensor(image)).numpy(), FIXTURES["transforms/hflip"])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1)(image.transpose(1, 2, 0)),
                                  FIXTURES["transforms/hflip"].transpose(1, 2, 0))
    assert T.RandomHorizontalFlip(p=0)(image) is image


def test_horizontal_flip_flips_about_p_of_the_time_from_its_generator():
    image = np.arange(6, dtype=np.uint8).reshape(1, 2, 3)
    flip = T.RandomHorizontalFlip(p=0.5, generator=np.random.default_rng(0))
    flipped = sum(int(flip(image)[0, 0, 0] == 3) for _ in range(400))
    assert 160 < flipped < 240  # binomial(400, 0.5): 40 is over 4 standard deviations
    with pytest.raises(ValueError, match="p is a probability"):
        T.RandomHorizontalFlip(p=1.5)


def test_compose_applies_in_order():
    assert T.Compose([lambda x: x + 1, lambda x: x * 10])(1) == 20


@pytest.mark.parametrize("module", [torchvision, dset, T], ids=lambda m: m.__name__)
def test_supported_lists_each_modules_names_and_nothing_else_is_there(module):
    assert_offers_exactly_what_supported_lists(module, "ColorJitter")


@pytest.mark.parametrize("transform", [T.RandomCrop(2), T.RandomHorizontalFlip()], ids=["crop", "flip"])
def test_random_transforms_name_themselves_when_given_no_image(transform):
    with pytest.raises(ValueError, match=f"{type(transform).__name__}: expected an image"):
        transform(np.zeros((2, 2, 2, 3)))
