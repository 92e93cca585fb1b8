"""PyTorch.ipynb, Part V (open-ended): a CIFAR-10 conv net written as a student writes it in the
notebook's cell, on tinygrad231n's PyTorch-flavoured front (the imports rewritten as the README's
"PyTorch-flavoured front" shows; everything below them is plain PyTorch).

    python examples/pytorch_notebook_part5.py --data /tmp/cifar --epochs 10

The notebook's bar: at least 70% validation accuracy within 10 epochs. The data: the official
python batches under DATA/cifar-10-batches-py (`tinygrad231n download`); the notebook's split, the
first 49,000 training images to train on and the last 1,000 to validate. The net: three blocks of
conv3x3 - batch norm - 2x2 max pool - relu (32, 64, 128 channels), then one linear layer; SGD with
Nesterov momentum, its learning rate rising for the first 20% of the steps and falling linearly to
0 after (set by hand through optimizer.param_groups), random crops and flips.
"""
import argparse
import sys
import time

import tinygrad231n.torch as torch
import tinygrad231n.torch.nn as nn
import tinygrad231n.torch.nn.functional as F
import tinygrad231n.torch.optim as optim
import tinygrad231n.torchvision.datasets as dset
import tinygrad231n.torchvision.transforms as T
from tinygrad231n.data import DataError
from tinygrad231n.torch.utils.data import DataLoader, sampler

NUM_TRAIN = 49000
MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)  # the notebook's Normalize


def loaders(root, batch_size):
    """The notebook's loaders over CIFAR10(root): train (crops and flips) and val (the last 1,000)."""
    augment = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(), T.Normalize(MEAN, STD)])
    plain = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])
    train = dset.CIFAR10(root, train=True, download=False, transform=augment)
    val = dset.CIFAR10(root, train=True, download=False, transform=plain)
    return (DataLoader(train, batch_size=batch_size, sampler=sampler.SubsetRandomSampler(range(NUM_TRAIN))),
            DataLoader(val, batch_size=256, sampler=sampler.SubsetRandomSampler(range(NUM_TRAIN, 50000))))


def conv_block(in_channels, out_channels):
    # the convolution's bias would be cancelled by batch norm's mean: leave it out
    return [nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False), nn.BatchNorm2d(out_channels),
            nn.MaxPool2d(2), nn.ReLU()]


def make_model():
    return nn.Sequential(*conv_block(3, 32), *conv_block(32, 64), *conv_block(64, 128),
                         nn.Flatten(), nn.Linear(128 * 4 * 4, 10))


def check_accuracy(loader, model):
    """The notebook's check_accuracy_part34: the fraction of `loader`'s images classified correctly."""
    num_correct, num_samples = 0, 0
    model.eval()
    with torch.no_grad():
        for x, y in loader:
            scores = model(x)
            _, preds = scores.max(1)
            num_correct += (preds == y).sum()
            num_samples += preds.size(0)
    return float(num_correct) / num_samples


def train(model, optimizer, loader_train, loader_val, epochs, peak_lr):
    """train_part34's loop, with the learning rate set per step (warm up, then down to 0)."""
    steps, step = epochs * len(loader_train), 0
    warmup = max(1, int(0.2 * steps))
    start = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        for x, y in loader_train:
            lr = peak_lr * (step + 1) / warmup if step < warmup else peak_lr * (steps - step) / (steps - warmup)
            for group in optimizer.param_groups:
                group["lr"] = lr
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
        acc = check_accuracy(loader_val, model)
        print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.4f}, val acc {acc:.4f}, "
              f"{time.perf_counter() - start:.0f} s", flush=True)
    return acc


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="folder holding cifar-10-batches-py")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.1, help="the peak learning rate")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or not args.lr > 0:
        parser.exit(2, f"{parser.prog}: error: --epochs and --batch-size must be >= 1 and --lr > 0\n")
    torch.manual_seed(args.seed)
    try:
        loader_train, loader_val = loaders(args.data, args.batch_size)
    except DataError as err:
        parser.exit(2, f"{parser.prog}: error: {err}\n")
    model = make_model()
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    start = time.perf_counter()
    acc = train(model, optimizer, loader_train, loader_val, args.epochs, args.lr)
    print(f"final val acc {acc:.4f} after {args.epochs} epochs, {time.perf_counter() - start:.0f} s of training")
    return 0


if __name__ == "__main__":
    sys.exit(main())
