"""PyTorch.ipynb's data pipeline on the front against torch.utils.data, timed in one run.

    python benchmarks/bench_data.py [--rounds 5] [--batches 100] [--threads 1]

One round reads `--batches` batches of 64 from a loader over 50,000 CIFAR-10-shaped uint8 images
(random pixels, in memory: reading the batch files is not timed), in a SubsetRandomSampler's order,
each image through ToTensor and Normalize as the notebook's transform does:
- front: tinygrad231n.torch.utils.data.DataLoader over a dataset that indexes like
  torchvision.datasets.CIFAR10 (.data[i], .targets[i], then the transform), with
  tinygrad231n.torchvision.transforms;
- torch: torch.utils.data.DataLoader (num_workers=0) over the same dataset with ToTensor and Normalize
  written as torchvision computes them (from_numpy(HWC -> CHW).float().div(255), then clone, sub_,
  div_): torchvision itself is not installed here;
- numpy, whole batch: the same 64 images indexed, cast and normalized at once (no per-image work):
  how much of the time is the per-image pipeline itself.
The sides take turns round by round (common.interleaved_rounds); ratios are against torch, timed in the
same run. Also printed: the seconds per 49,000-image epoch that each best round implies.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import interleaved_rounds, report, set_threads  # noqa: E402

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)
N_IMAGES, NUM_TRAIN, BATCH = 50000, 49000, 64


def images(seed=0):
    import numpy as np
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (N_IMAGES, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, N_IMAGES).tolist()


class Images:
    """What CIFAR10's __getitem__ does, over arrays in memory."""

    def __init__(self, data, targets, transform):
        self.data, self.targets, self.transform = data, targets, transform

    def __getitem__(self, index):
        return self.transform(self.data[index]), self.targets[index]

    def __len__(self):
        return len(self.data)


def reader(loader, batches):
    """A callable that reads `batches` batches from a fresh pass over `loader`."""
    def read():
        for k, (x, y) in enumerate(loader):
            if k + 1 == batches:
                break
    return read


def front(data, targets, batches):
    import tinygrad231n.torchvision.transforms as T
    from tinygrad231n.torch.utils.data import DataLoader, sampler
    transform = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])
    loader = DataLoader(Images(data, targets, transform), batch_size=BATCH,
                        sampler=sampler.SubsetRandomSampler(range(NUM_TRAIN)))
    return reader(loader, batches)


def torch_side(data, targets, batches):
    import torch
    from torch.utils.data import DataLoader, SubsetRandomSampler
    mean, std = torch.tensor(MEAN).view(-1, 1, 1), torch.tensor(STD).view(-1, 1, 1)

    def transform(img):  # torchvision's to_tensor and normalize, step for step
        tensor = torch.from_numpy(img.transpose(2, 0, 1)).contiguous().to(torch.float32).div(255)
        return tensor.clone().sub_(mean).div_(std)
    loader = DataLoader(Images(data, targets, transform), batch_size=BATCH,
                        sampler=SubsetRandomSampler(range(NUM_TRAIN)))
    return reader(loader, batches)


def numpy_whole_batch(data, targets, batches):
    import numpy as np
    mean, std = (np.array(v, np.float32)[:, None, None] for v in (MEAN, STD))
    labels = np.asarray(targets)
    rng = np.random.default_rng(0)

    def read():
        order = rng.permutation(NUM_TRAIN)[:batches * BATCH].reshape(batches, BATCH)
        for rows in order:
            x = (data[rows].transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255) - mean) / std
            y = labels[rows]
        return x, y
    return read


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    set_threads(args.threads)
    import torch
    torch.set_num_threads(args.threads)
    data, targets = images()
    sides = {"front DataLoader": front(data, targets, args.batches),
             "torch DataLoader": torch_side(data, targets, args.batches),
             "numpy, whole batch": numpy_whole_batch(data, targets, args.batches)}
    times = interleaved_rounds(sides, rounds=args.rounds, budget=0.0)
    best = {name: min(rounds) for name, rounds in times.items()}
    report(f"{args.batches} batches of {BATCH} (ToTensor + Normalize per image), {args.threads} thread(s), "
           f"torch {torch.__version__}", best, "torch DataLoader")
    images_read = args.batches * BATCH
    for name, seconds in best.items():
        print(f"  {name:<28} {seconds / images_read * NUM_TRAIN:6.2f} s per {NUM_TRAIN:,}-image epoch")


if __name__ == "__main__":
    main()
