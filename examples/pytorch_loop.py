"""A PyTorch-style training loop on tinygrad231n, and the graph of its loss (the README's example).

    python examples/pytorch_loop.py --out docs/pytorch_loop.svg

Only the imports say tinygrad231n; the rest is PyTorch code. The graph is the engine's tape of the
last step: parameters (blue) by their state_dict names, the ops, the loss at the bottom.
"""
import argparse

import tinygrad231n.torch as torch
import tinygrad231n.torch.nn as nn
import tinygrad231n.torch.nn.functional as F
import tinygrad231n.torch.optim as optim
from tinygrad231n.viz import render


def train_steps(steps=10):
    """Ten SGD steps of a small conv net on one random batch; returns the last step's loss."""
    torch.manual_seed(0)
    x, y = torch.randn(64, 3, 32, 32), torch.randint(0, 10, (64,))   # a batch of images and labels
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 32 * 32, 10))
    optimizer = optim.SGD(model.parameters(), lr=1e-2, momentum=0.9, nesterov=True)
    for step in range(steps):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return loss


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="pytorch_loop.svg", help="the graph's file (.svg; .png/.pdf need Graphviz)")
    args = parser.parse_args(argv)
    loss = train_steps()
    print(f"loss after 10 steps: {loss.item():.4f}; graph: {render(loss.to_dot(), args.out)}")


if __name__ == "__main__":
    main()
