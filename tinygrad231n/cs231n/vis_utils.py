"""CS231n's vis_utils: `visualize_grid(Xs, ubound=255.0, padding=1)` tiles (N, H, W, C) images into one.

It is tinygrad231n.plots.visualize_grid. The assignment's vis_grid and vis_nn (unused by
assignment 1's notebooks) are not provided.
"""
from tinygrad231n.plots import visualize_grid

__all__ = ["visualize_grid"]
