"""tinygrad231n.torch.utils.data and tinygrad231n.torch.random, held to PyTorch.

What torch.utils.data gives for fixed inputs is kept in tests/data/torch_data_fixtures.npz (written by
scripts/make_torch_data_fixtures.py with torch; CI needs no torch). Random orders cannot match
PyTorch's (other generator); for them the tests check what PyTorch guarantees: each index once per
epoch, the same order after the same seed.
"""
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs

import tinygrad231n.torch.utils as utils
import tinygrad231n.torch.utils.data as data
from tinygrad231n.errors import InputError
from tinygrad231n.tensor import Tensor
from tinygrad231n.torch import random as front_random
from tinygrad231n.torch._unsupported import UnsupportedName
from tinygrad231n.torch.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    default_collate,
    sampler,
)

_spec = importlib.util.spec_from_file_location(
    "collate_samples", Path(__file__).resolve().parents[1] / "scripts" / "collate_samples.py")
_collate_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_collate_module)
collate_samples = _collate_module.collate_samples  # the fixture script's samples, in the front's types

FIXTURES = np.load(Path(__file__).parent / "data" / "torch_data_fixtures.npz", allow_pickle=False)
SUPPORTED = Path(__file__).resolve().parents[1] / "tinygrad231n" / "torch" / "SUPPORTED"


def fixture_keys(prefix):
    return sorted({key[len(prefix):].split("/")[0] for key in FIXTURES.files if key.startswith(prefix)})


def labels(n):
    """A dataset whose sample i is (the int64 Tensor i,), like TensorDataset(torch.arange(n))."""
    return TensorDataset(Tensor(np.arange(n), dtype=np.int64))


def epoch(loader):
    """The labels of one epoch of a loader over `labels(n)`, in the order they came."""
    return np.concatenate([x.numpy() for (x,) in loader]).tolist()


# ---------------------------------------------------------------- the front's generator

@pytest.mark.parametrize("seed", [int(key) for key in fixture_keys("seed/")])
def test_manual_seed_takes_pytorchs_range_and_maps_negative_seeds_as_it_does(seed):
    front_random.manual_seed(seed)
    assert front_random.initial_seed() == int(FIXTURES[f"seed/{seed}"])


def test_manual_seed_repeats_the_draws_and_reseeds_the_same_generator():
    held = front_random.default_generator()
    assert front_random.manual_seed(231) is held
    first = held.random(5)
    front_random.manual_seed(231)
    np.testing.assert_array_equal(held.random(5), first)
    front_random.manual_seed(232)
    assert not np.array_equal(held.random(5), first)


@pytest.mark.parametrize("seed, expected", [(1.5, "must be an integer, got float 1.5"), ("3", "got str '3'"),
                                            (True, "got the bool True"), (2 ** 64, "must lie in [-2**63, 2**64 - 1]"),
                                            (-(2 ** 63) - 1, "must lie in")])
def test_manual_seed_refuses_what_is_not_a_seed_in_one_line(seed, expected):
    with pytest.raises(InputError) as err:
        front_random.manual_seed(seed)
    assert expected in str(err.value) and "\n" not in str(err.value)


# ---------------------------------------------------------------- batches: counts and order

@pytest.mark.parametrize("case", fixture_keys("batches/"))
def test_batch_sizes_and_len_with_and_without_drop_last_match_pytorch(case):
    n, b, mode = case.split("_")
    loader = DataLoader(labels(int(n[1:])), batch_size=int(b[1:]), drop_last=mode == "drop")
    assert [len(x.numpy()) for (x,) in loader] == FIXTURES[f"batches/{case}"].tolist()
    assert len(loader) == int(FIXTURES[f"batches/{case}/len"])


@given(n=hs.integers(1, 40), batch_size=hs.integers(1, 12), drop_last=hs.booleans(), shuffle=hs.booleans())
def test_every_epoch_reads_each_sample_once_in_full_batches_but_the_last(n, batch_size, drop_last, shuffle):
    loader = DataLoader(labels(n), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)
    batches = [x.numpy().tolist() for (x,) in loader]
    read = sum(batches, [])
    kept = n - n % batch_size if drop_last else n  # the rule the fixtures' cases hold to PyTorch's
    assert len(read) == kept and len(set(read)) == kept and set(read) <= set(range(n))
    assert all(len(b) == batch_size for b in batches[:-1]) and len(batches) == len(loader)
    if not shuffle:
        assert read == list(range(kept))


def test_without_a_sampler_or_shuffle_the_order_is_sequential_as_in_pytorch():
    assert epoch(DataLoader(labels(11), batch_size=4)) == FIXTURES["sequential/labels"].tolist()
    assert list(SequentialSampler(range(5))) == [0, 1, 2, 3, 4] and len(SequentialSampler(range(5))) == 5


def test_the_notebooks_loaders_have_pytorchs_number_of_batches():
    train = labels(50000)
    assert len(DataLoader(train, batch_size=64, sampler=sampler.SubsetRandomSampler(range(49000)))) == \
        int(FIXTURES["notebook/len_train"])
    assert len(DataLoader(train, batch_size=64, sampler=sampler.SubsetRandomSampler(range(49000, 50000)))) == \
        int(FIXTURES["notebook/len_val"])
    assert len(DataLoader(labels(10000), batch_size=64)) == int(FIXTURES["notebook/len_test"])


@pytest.mark.parametrize("drop", ["keep", "drop"])
def test_batch_sampler_groups_as_pytorchs(drop):
    expected = [[i for i in row if i >= 0] for row in FIXTURES[f"batch_sampler/{drop}"].tolist()]
    batches = BatchSampler(range(10), 3, drop_last=drop == "drop")
    assert list(batches) == expected and len(batches) == len(expected)


# ---------------------------------------------------------------- random samplers

def test_subset_random_sampler_gives_each_listed_index_once_per_epoch():
    indices = FIXTURES["subset/indices"].tolist()  # with a repeated index: it comes as often as listed
    chosen = SubsetRandomSampler(indices)
    for _ in range(3):
        assert sorted(chosen) == FIXTURES["subset/sorted"].tolist()
    assert len(chosen) == len(indices)


def test_a_notebook_style_loader_reads_each_sample_of_its_range_once_per_epoch_in_a_new_order():
    loader = DataLoader(labels(100), batch_size=8, sampler=sampler.SubsetRandomSampler(range(20, 70)))
    front_random.manual_seed(0)
    first, second = epoch(loader), epoch(loader)
    assert sorted(first) == sorted(second) == list(range(20, 70))
    assert first != second  # 50! orders: equal only by a bug
    front_random.manual_seed(0)
    assert epoch(loader) == first  # the seed, set between epochs, decides the order


def test_shuffle_gives_a_permutation_every_epoch_and_a_generator_of_its_own_decides_it():
    loader = DataLoader(labels(40), batch_size=6, shuffle=True, generator=np.random.default_rng(5))
    orders = [epoch(loader) for _ in range(2)]
    assert all(sorted(order) == list(range(40)) for order in orders) and orders[0] != orders[1]
    again = DataLoader(labels(40), batch_size=6, shuffle=True, generator=np.random.default_rng(5))
    assert epoch(again) == orders[0]
    assert isinstance(loader.sampler, RandomSampler)


def test_random_sampler_past_one_epoch_chains_permutations_as_pytorchs():
    counts = np.bincount(list(RandomSampler(range(4), num_samples=10)), minlength=4)
    assert sorted(counts.tolist()) == FIXTURES["random_counts/sorted"].tolist()
    with_replacement = list(RandomSampler(range(3), replacement=True, num_samples=50))
    assert len(with_replacement) == 50 and set(with_replacement) <= {0, 1, 2}


# ---------------------------------------------------------------- default_collate

@pytest.mark.parametrize("case", fixture_keys("collate_form/"))
def test_default_collate_stacks_with_pytorchs_dtypes_and_containers(case):
    form, rows = str(FIXTURES[f"collate_form/{case}"]), FIXTURES[f"collate_input/{case}"]
    result = default_collate(collate_samples(form, rows, lambda r: Tensor(r, dtype=r.dtype)))
    kind = str(FIXTURES[f"collate/{case}/kind"])
    parts = {"tensor": lambda: {"0": result}, "dict": lambda: result,
             "list": lambda: {str(k): v for k, v in enumerate(result)}}[kind]()
    assert type(result).__name__ == ("Tensor" if kind == "tensor" else kind)
    expected = {key.rsplit("/", 1)[1]: FIXTURES[key] for key in FIXTURES.files
                if key.startswith(f"collate/{case}/") and not key.endswith("/kind")}
    assert sorted(parts) == sorted(expected)
    for name, value in parts.items():
        assert isinstance(value, Tensor) and not value.requires_grad
        assert value.dtype == expected[name].dtype, name
        np.testing.assert_array_equal(value.numpy(), expected[name])


def test_default_collate_leaves_strings_as_a_list():
    assert default_collate(["cat", "dog"]) == ["cat", "dog"]


@pytest.mark.parametrize("batch, expected", [
    ([[1, 2], [3]], "each element in list of batch should be of equal size; got sizes [1, 2]"),
    ([np.array(["a"]), np.array(["b"])],
     "batch must contain tensors, numpy arrays, numbers, dicts or lists; found <U1"),
    ([object()], "found <class 'object'>"),
    ([np.zeros(3), np.zeros(2)],
     "stack expects each sample to be of equal size, but got (3,) at entry 0 and (2,) at entry 1"),
    ([Tensor(np.zeros((1, 2))), Tensor(np.zeros((1, 2))), Tensor(np.zeros(2))],
     "got (1, 2) at entry 0 and (2,) at entry 2"),
])
def test_default_collate_refuses_what_cannot_be_batched_in_one_line(batch, expected):
    with pytest.raises(InputError) as err:
        default_collate(batch)
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_without_batching_each_sample_comes_alone_as_pytorch_converts_it():
    loader = DataLoader([(np.arange(3, dtype=np.int32), 1.5)], batch_size=None)
    ((x, y),) = list(loader)
    assert isinstance(x, Tensor) and x.dtype == np.int32 and y == 1.5 and len(loader) == 1


# ---------------------------------------------------------------- datasets

@pytest.mark.parametrize("name, index", [("4", 4), ("-1", -1), ("1:3", slice(1, 3))])
def test_tensor_dataset_indexes_every_tensor_as_pytorch(name, index):
    dataset = TensorDataset(Tensor(np.arange(6), dtype=np.int64), Tensor(np.arange(12, dtype=np.float32).reshape(6, 2)))
    sample = dataset[index]
    assert isinstance(sample, tuple) and len(sample) == 2 and len(dataset) == 6
    for k, value in enumerate(sample):
        expected = FIXTURES[f"tensor_dataset/{name}/{k}"]
        assert value.dtype == expected.dtype
        np.testing.assert_array_equal(value.numpy(), expected)


def test_a_loader_over_a_tensor_dataset_gives_float32_images_and_int64_labels():
    X = Tensor(np.random.default_rng(0).standard_normal((10, 3, 4, 4)).astype(np.float32))
    y = Tensor(np.arange(10) % 3, dtype=np.int64)
    x_batch, y_batch = next(iter(DataLoader(TensorDataset(X, y), batch_size=4)))
    assert x_batch.shape == (4, 3, 4, 4) and x_batch.dtype == np.float32
    assert y_batch.shape == (4,) and y_batch.dtype == np.int64
    np.testing.assert_array_equal(x_batch.numpy(), X.numpy()[:4])


def test_tensor_dataset_refuses_tensors_of_different_lengths_in_one_line():
    with pytest.raises(InputError, match=r"size mismatch between tensors.*\(3,\), \(4, 2\)"):
        TensorDataset(Tensor(np.zeros(3)), Tensor(np.zeros((4, 2))))


def test_a_dataset_subclass_must_define_getitem():
    class Empty(Dataset):
        def __len__(self):
            return 1

    with pytest.raises(NotImplementedError, match="Empty must define __getitem__"):
        next(iter(DataLoader(Empty())))


# ---------------------------------------------------------------- refused settings

@pytest.mark.parametrize("settings, expected", [
    (dict(sampler=SequentialSampler(range(4)), shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_size=0), "batch_size should be a positive integer value, but got batch_size=0"),
    (dict(batch_size=-1), "but got batch_size=-1"),
    (dict(batch_size=2.0), "but got batch_size=2.0"),
    (dict(batch_size=True), "but got batch_size=True"),
    (dict(drop_last=1), "drop_last should be a boolean value, but got drop_last=1"),
    (dict(batch_sampler=BatchSampler(range(4), 2, False), batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=BatchSampler(range(4), 2, False), drop_last=True),
     "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching"),
    (dict(num_workers=2), "num_workers=2 is not supported"),
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(multiprocessing_context="spawn"), "multiprocessing_context can only be used with multi-process loading"),
])
def test_settings_pytorch_refuses_are_refused_in_one_line(settings, expected):
    with pytest.raises(InputError) as err:
        DataLoader(labels(4), **settings)
    assert expected in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("make, expected", [
    (lambda: RandomSampler(range(5), num_samples=0), "num_samples should be a positive integer value"),
    (lambda: RandomSampler(range(5), replacement=1), "replacement should be a boolean value"),
    (lambda: BatchSampler(range(5), 0, False), "batch_size should be a positive integer value"),
])
def test_sampler_settings_pytorch_refuses_are_refused(make, expected):
    with pytest.raises(InputError, match=expected):
        make()


def test_settings_of_workers_pytorch_ignores_without_workers_are_ignored():
    loader = DataLoader(labels(5), 2, False, None, None, 0, None, True, True, 5, print, None,
                        np.random.default_rng(0), pin_memory_device="cpu", in_order=False)  # PyTorch's order
    assert epoch(loader) == [0, 1, 2, 3] and loader.drop_last and isinstance(loader.generator, np.random.Generator)


def test_a_batch_sampler_given_to_the_loader_decides_the_batches():
    loader = DataLoader(labels(7), batch_sampler=BatchSampler(SequentialSampler(range(7)), 3, drop_last=True))
    assert [x.numpy().tolist() for (x,) in loader] == [[0, 1, 2], [3, 4, 5]] and len(loader) == 2


def supported(namespace):
    """The names tinygrad231n/torch/SUPPORTED lists for `namespace`."""
    lines = (line.split(":", 1) for line in SUPPORTED.read_text().splitlines() if line and not line.startswith("#"))
    return {key: set(names.split()) for key, names in lines}[namespace]


def assert_offers_exactly_what_supported_lists(module, missing):
    """SUPPORTED's line for `module` is its __all__, each name is there, and `missing` (a PyTorch name
    outside the subset) fails as one UnsupportedName naming it."""
    assert supported(module.__name__.replace("tinygrad231n.", "")) == set(module.__all__)
    assert all(hasattr(module, name) for name in module.__all__)
    assert not hasattr(module, missing)
    with pytest.raises(UnsupportedName, match=f"{module.__name__} has no `{missing}` \\(not in the supported"):
        getattr(module, missing)


@pytest.mark.parametrize("module", [utils, data, sampler], ids=lambda m: m.__name__)
def test_supported_lists_each_modules_names_and_nothing_else_is_there(module):
    assert_offers_exactly_what_supported_lists(module, "IterableDataset")
