"""Importing tinygrad231n.cs231n's modules, as a notebook does, changes no global state: not
matplotlib's backend (a notebook's inline plots would stop showing), not numpy's print options,
error handling or random state, not the warning filters. Each check runs in a fresh interpreter,
where the imports really happen."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tinygrad231n.cs231n.vis_utils import vis_grid, vis_nn, visualize_grid

CHECK = r"""
import importlib, json, pkgutil, sys, warnings
import matplotlib
import numpy as np

np.random.seed(1234)
np.random.rand(3)  # a state somewhere in the middle of the stream, not a fresh seed's

def snapshot():
    return {
        "matplotlib backend": matplotlib.get_backend(),
        "numpy print options": repr(sorted(np.get_printoptions().items())),
        "numpy error handling": repr(sorted(np.geterr().items())),
        "numpy random state": repr(np.random.get_state()[1].tolist()) + repr(np.random.get_state()[2:]),
        "warning filters": repr(warnings.filters),
    }

before = snapshot()
import tinygrad231n.cs231n as package
names = [info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    importlib.import_module(name)
after = snapshot()
print(json.dumps({"modules": names, "changed": {k: [before[k][:200], after[k][:200]]
                                                for k in before if before[k] != after[k]}}))
"""


def test_importing_every_cs231n_module_changes_no_global_state():
    # A backend other than Agg, as a notebook's inline backend is: matplotlib.use("Agg") would show.
    env = {**os.environ, "MPLBACKEND": "svg"}
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "tinygrad231n.cs231n.classifiers.k_nearest_neighbor" in result["modules"]
    assert "tinygrad231n.cs231n.vis_utils" in result["modules"]
    assert result["changed"] == {}, f"importing the cs231n modules changed: {result['changed']}"


# ---- vis_utils --------------------------------------------------------------------------------------

def test_vis_grid_tiles_a_square_grid_on_the_smallest_value_and_rescales_it_as_a_whole():
    Xs = np.arange(5 * 2 * 2 * 1, dtype=float).reshape(5, 2, 2, 1) + 10  # 5 images -> a 3 x 3 grid
    grid = vis_grid(Xs)
    assert grid.shape == (9, 9, 1)
    expected = np.full((9, 9, 1), 10.0)
    for n in range(5):
        y, x = divmod(n, 3)
        expected[y * 3:y * 3 + 2, x * 3:x * 3 + 2] = Xs[n]
    np.testing.assert_allclose(grid, (expected - 10) / (Xs.max() - 10))


def test_vis_nn_tiles_rows_of_images_with_gaps_of_one():
    a, b = np.full((2, 2, 3), 3.0), np.full((2, 2, 3), 5.0)
    grid = vis_nn([[a, b], [b, a]])
    assert grid.shape == (6, 6, 3)
    np.testing.assert_allclose(grid[0, 0], 0.5)  # a: (3 - 1) / (5 - 1)
    np.testing.assert_allclose(grid[0, 3], 1.0)  # b, the largest value
    np.testing.assert_allclose(grid[2, :, 0], 0.0)  # the gap row: 1, the smallest value
    assert not np.isnan(vis_nn([[np.ones((2, 2, 1))]])).any()  # constant input: no division by zero


def test_visualize_grid_rescales_each_image_to_ubound():
    Xs = np.stack([np.arange(4.0).reshape(2, 2, 1), 10 * np.arange(4.0).reshape(2, 2, 1)])
    grid = visualize_grid(Xs, ubound=255.0, padding=1)
    assert grid.shape == (5, 5, 1)
    np.testing.assert_allclose(grid[:2, :2, 0], [[0, 85], [170, 255]])
    np.testing.assert_allclose(grid[:2, 3:, 0], [[0, 85], [170, 255]])
