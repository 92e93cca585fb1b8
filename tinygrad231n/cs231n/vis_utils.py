"""CS231n's vis_utils: images tiled into one image for plt.imshow.

    plt.imshow(visualize_grid(W1.reshape(3, 32, 32, -1).transpose(3, 1, 2, 0), padding=3).astype("uint8"))

`visualize_grid` (each image rescaled to [0, ubound] on its own) is tinygrad231n.plots.visualize_grid.
`vis_grid` and `vis_nn` rescale the whole tiling at once to [0, 1], as the assignment's do.
"""
import math

import numpy as np

from tinygrad231n.plots import visualize_grid

__all__ = ["visualize_grid", "vis_grid", "vis_nn"]


def vis_grid(Xs):
    """(N, H, W, C) images in a ceil(sqrt(N)) x ceil(sqrt(N)) grid with one-pixel gaps, filled with
    the smallest pixel value, then rescaled as a whole to [0, 1]: (A*H + A, A*W + A, C)."""
    n = Xs.shape[0]
    side = int(math.ceil(math.sqrt(n)))
    rows = [list(Xs[start:start + side]) for start in range(0, n, side)]
    return _rescale(_tile(rows, (side, side), Xs.shape[1:], Xs.dtype, fill=np.min(Xs)))


def vis_nn(rows):
    """A list of N rows, each a list of D (H, W, C) images, tiled with one-pixel gaps of value 1 and
    rescaled as a whole to [0, 1]: (N*H + N, D*W + D, C)."""
    first = np.asarray(rows[0][0])
    return _rescale(_tile(rows, (len(rows), len(rows[0])), first.shape, first.dtype, fill=1))


def _tile(rows, grid_shape, image_shape, dtype, fill):
    """Rows of (H, W, C) images in a grid of grid_shape (rows, columns) cells on a background of
    `fill`, each image followed by a one-pixel gap; cells past the last image stay background."""
    (h, w, c), (num_rows, num_columns) = image_shape, grid_shape
    grid = np.full((num_rows * (h + 1), num_columns * (w + 1), c), fill, dtype=dtype)
    for y, row in enumerate(rows):
        for x, image in enumerate(row):
            grid[y * (h + 1):y * (h + 1) + h, x * (w + 1):x * (w + 1) + w] = image
    return grid


def _rescale(grid):
    """grid rescaled to [0, 1] as a whole; a constant grid becomes all zeros (the original divides by 0)."""
    low, high = grid.min(), grid.max()
    if high == low:
        return np.zeros(grid.shape)
    return (grid - low) / (high - low)
