"""Packages that only some faces of tinygrad231n need, imported when used and named by their extra.

    plt_figure = require("matplotlib.figure", extra="report")   # the module, or MissingExtra

`pip install tinygrad231n` installs the engine's needs only (numpy, numba, Graphviz); the rest comes
with an extra (pyproject.toml's optional-dependencies): `report` (matplotlib, Pillow: the HTML report,
`tinygrad231n.plots`), `sweep` (joblib: local sweeps), `cluster` (Dask distributed: sweeps on a
cluster), `cli` (tqdm, threadpoolctl: progress bars, `--threads`), `coco` (h5py: CS231n's COCO
captioning files), and `all`. A face used without its extra raises MissingExtra, whose message is
the one line that says what to install.
"""
import importlib


class MissingExtra(ModuleNotFoundError):
    """A package of an extra is not installed; the message names the extra to install."""


def require(module, extra, needed_for=None):
    """Import and return `module` (a dotted name); MissingExtra naming `extra` if its package is missing.

    `needed_for` says what wanted it ("sweeps on a Dask cluster"); the default is the extra's name.
    Only a missing top-level package counts: an ImportError from inside an installed package is its own.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        package = module.partition(".")[0]
        if error.name is None or error.name.partition(".")[0] != package:
            raise
        what = needed_for or f"tinygrad231n's {extra} extra"
        raise MissingExtra(f"{what} needs {package}, which is not installed: "
                           f"pip install 'tinygrad231n[{extra}]'", name=package) from None
