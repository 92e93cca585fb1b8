"""Write tests/data/torch_data_fixtures.npz: what torch.utils.data (and the torch ops torchvision's
transforms are made of) give for fixed inputs, so tests/test_torch_data.py and
tests/test_torchvision.py hold the front to PyTorch without torch.

    python scripts/make_torch_data_fixtures.py      # needs torch (run once; the tests only read the file)

Keys:
- "batches/n{n}_b{b}_{drop|keep}": the sizes of the batches a DataLoader over n samples gives with
  batch_size b, drop_last on or off, in order; "batches/*/len" is len(loader).
- "sequential/labels": the labels of a sequential (unshuffled) loader's batches, concatenated.
- "notebook/len_train", "notebook/len_val", "notebook/len_test": len() of PyTorch.ipynb's three loaders
  (SubsetRandomSampler(range(49000)), range(49000, 50000), and the 10,000-image test set; batch 64).
- "subset/sorted": SubsetRandomSampler(SUBSET_INDICES)'s epoch, sorted (each index once per listing).
- "random_counts/sorted": how often RandomSampler(range(4), num_samples=10) gives each index, sorted.
- "batch_sampler/{keep|drop}": BatchSampler(range(10), 3, drop_last)'s batches, padded with -1.
- "collate/<case>/<k>": default_collate of the samples COLLATE_CASES[case] builds, position k of the
  result (one array for a Tensor result); "collate/<case>/kind" the result's container type.
- "tensor_dataset/<index>/<k>": TensorDataset(arange(6) int64, rows float32 (6, 2))[index], element k.
- "seed/<s>": torch.initial_seed() after torch.manual_seed(s), for seeds at and past the ends of its range.
- "transforms/*": to_tensor and normalize by their documented formulas in torch, torch.nn.functional.pad
  in the modes torchvision uses for "constant", "edge" (replicate) and "reflect", on IMAGE.
"""
import json
import os

import numpy as np
import torch
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SubsetRandomSampler, TensorDataset
from torch.utils.data import default_collate

from collate_samples import collate_samples  # this folder's, shared with the tests

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "torch_data_fixtures.npz")
BATCH_CASES = [(10, 3), (10, 5), (7, 8), (1, 1), (64, 64), (65, 64)]
SUBSET_INDICES = [9, 2, 2, 5, 30, 7]
# Each case: how its samples are made from the rows of one small array (see collate_samples). The file
# keeps both (collate_form/, collate_input/); tests/test_torch_data.py builds the same samples in the front's types.
COLLATE_CASES = {
    "python_ints": ("int", np.arange(4)),
    "python_floats": ("float", np.array([0.5, -1.25, 3.0])),
    "python_bools": ("bool", np.array([True, False, True])),
    "numpy_float32_scalars": ("numpy", np.array([1.5, 2.5], np.float32)),
    "numpy_uint8_images": ("numpy", np.arange(3 * 2 * 2 * 3, dtype=np.uint8).reshape(3, 2, 2, 3)),
    "float32_tensors": ("tensor", np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 2, 2)),
    "int64_tensors": ("tensor", np.arange(6, dtype=np.int64).reshape(3, 2)),
    "image_label_pairs": ("pair", np.linspace(0, 1, 3 * 4, dtype=np.float32).reshape(3, 4)),
    "dicts": ("dict", np.arange(3 * 2, dtype=np.float64).reshape(3, 2)),
    "lists_of_ints": ("list", np.arange(6).reshape(3, 2)),
}
IMAGE = np.arange(3 * 4 * 5, dtype=np.float32).reshape(3, 4, 5)  # (C, H, W)
PADDING = (1, 2, 3, 1)  # left, top, right, bottom (torchvision's order)
SEEDS = (0, 231, -1, -(2 ** 63), 2 ** 64 - 1)
MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)


def store(out, key, result):
    """`result` of default_collate under key/: arrays at key/0, key/1, ... and its container's kind."""
    if isinstance(result, torch.Tensor):
        out[f"{key}/kind"], parts = np.array("tensor"), {"0": result}
    elif isinstance(result, dict):
        out[f"{key}/kind"], parts = np.array("dict"), result
    else:
        out[f"{key}/kind"], parts = np.array(type(result).__name__), {str(k): v for k, v in enumerate(result)}
    for name, value in parts.items():
        out[f"{key}/{name}"] = value.numpy()


def main():
    out = {}
    for n, b in BATCH_CASES:
        for drop in (False, True):
            loader = DataLoader(TensorDataset(torch.arange(n)), batch_size=b, drop_last=drop)
            key = f"batches/n{n}_b{b}_{'drop' if drop else 'keep'}"
            out[key] = np.array([len(x) for (x,) in loader], dtype=np.int64)
            out[f"{key}/len"] = np.array(len(loader))
    out["sequential/labels"] = np.concatenate([x.numpy() for (x,) in DataLoader(TensorDataset(torch.arange(11)),
                                                                                batch_size=4)])
    cifar_like = TensorDataset(torch.arange(50000))
    out["notebook/len_train"] = np.array(len(DataLoader(cifar_like, 64, sampler=SubsetRandomSampler(range(49000)))))
    out["notebook/len_val"] = np.array(len(DataLoader(cifar_like, 64,
                                                      sampler=SubsetRandomSampler(range(49000, 50000)))))
    out["notebook/len_test"] = np.array(len(DataLoader(TensorDataset(torch.arange(10000)), batch_size=64)))
    out["subset/indices"] = np.array(SUBSET_INDICES)
    out["subset/sorted"] = np.sort(np.array(list(SubsetRandomSampler(SUBSET_INDICES))))
    out["random_counts/sorted"] = np.sort(np.bincount(list(RandomSampler(range(4), num_samples=10)), minlength=4))
    for drop in (False, True):
        batches = list(BatchSampler(range(10), 3, drop))
        padded = np.full((len(batches), 3), -1)
        for i, batch in enumerate(batches):
            padded[i, :len(batch)] = batch
        out[f"batch_sampler/{'drop' if drop else 'keep'}"] = padded
    for case, (form, rows) in COLLATE_CASES.items():
        out[f"collate_input/{case}"] = rows
        out[f"collate_form/{case}"] = np.array(form)
        store(out, f"collate/{case}", default_collate(collate_samples(form, rows, lambda r: torch.from_numpy(r.copy()))))
    dataset = TensorDataset(torch.arange(6), torch.arange(12, dtype=torch.float32).reshape(6, 2))
    for name, index in (("4", 4), ("-1", -1), ("1:3", slice(1, 3))):
        for k, value in enumerate(dataset[index]):
            out[f"tensor_dataset/{name}/{k}"] = value.numpy()
    uint8_image = (np.arange(4 * 5 * 3) * 17 % 256).astype(np.uint8).reshape(4, 5, 3)  # (H, W, C)
    out["transforms/uint8_hwc"] = uint8_image
    out["transforms/to_tensor"] = torch.from_numpy(uint8_image.transpose(2, 0, 1)).contiguous().float().div(255).numpy()
    chw = torch.from_numpy(out["transforms/to_tensor"])
    mean, std = torch.tensor(MEAN).view(-1, 1, 1), torch.tensor(STD).view(-1, 1, 1)
    out["transforms/normalize"] = chw.sub(mean).div(std).numpy()
    out["transforms/mean_std"] = np.array([MEAN, STD])
    out["transforms/image"] = IMAGE
    out["transforms/padding"] = np.array(PADDING)
    left, top, right, bottom = PADDING
    image = torch.from_numpy(IMAGE)
    for mode, torch_mode, extra in (("constant", "constant", dict(value=7.0)), ("edge", "replicate", {}),
                                    ("reflect", "reflect", {})):
        out[f"transforms/pad_{mode}"] = torch.nn.functional.pad(image, (left, right, top, bottom), mode=torch_mode,
                                                                **extra).numpy()
    out["transforms/hflip"] = torch.flip(image, [-1]).numpy()
    for seed in SEEDS:
        out[f"seed/{seed}"] = np.array(torch.manual_seed(seed).initial_seed(), dtype=np.uint64)
    out["versions"] = np.array(json.dumps({"torch": torch.__version__}))
    np.savez_compressed(OUT, **out)
    print(f"wrote {len(out)} arrays to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
