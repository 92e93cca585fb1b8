"""Every switch between one thread and several is set in kernels/thresholds.py, and measured.

A kernel module passes SizedKernel a constant it imports from thresholds.py; a number written back
into a kernel (SizedKernel(fn, 64), a local PARALLEL_MIN = 64, kernel.parallel_min = 64) fails here.
Likewise each caller of kernels/split.py's in_slices names a thresholds.py constant in the call.
"""
import ast
import importlib
import pathlib
import sys

import pytest

import tinygrad231n
from tinygrad231n.kernels import thresholds
from tinygrad231n.kernels.sized import SizedKernel

PACKAGE = pathlib.Path(tinygrad231n.__file__).parent
ROOT = PACKAGE.parent
CONSTANTS = {name: value for name, value in vars(thresholds).items() if name.isupper()}


def _module_name(path):
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _call_name(node):
    return getattr(node.func, "id", None) or getattr(node.func, "attr", None)


def _threshold_argument(call):
    if len(call.args) >= 2:
        return call.args[1]
    return next(keyword.value for keyword in call.keywords if keyword.arg == "parallel_min")


def _names_from_thresholds(tree):
    """Names the module imports from kernels/thresholds.py, and whether it imports the module itself."""
    names, module_alias = set(), None
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[-1] == "thresholds":
            names |= {alias.asname or alias.name for alias in node.names if alias.name in CONSTANTS}
        elif isinstance(node, ast.ImportFrom):
            module_alias = next((alias.asname or alias.name for alias in node.names if alias.name == "thresholds"),
                                module_alias)
    return names, module_alias


def _threshold_name(argument, names, module_alias):
    """The thresholds.py constant that `argument` names, or None if it is anything else."""
    if isinstance(argument, ast.Name) and argument.id in names:
        return argument.id
    if (isinstance(argument, ast.Attribute) and isinstance(argument.value, ast.Name)
            and argument.value.id == module_alias and argument.attr in CONSTANTS):
        return argument.attr
    return None


def _sized_kernel_sites():
    """{module name: [(line, thresholds constant or None)]} for every SizedKernel(...) in the package."""
    sites = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        names, module_alias = _names_from_thresholds(tree)
        rebound = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                   for target in node.targets if isinstance(target, ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) == "SizedKernel":
                name = _threshold_name(_threshold_argument(node), names - rebound, module_alias)
                sites.setdefault(_module_name(path), []).append((node.lineno, name))
    return sites


SITES = _sized_kernel_sites()


def _slice_sites():
    """{module name: [(line, thresholds constants named in the call's threshold argument)]} for every in_slices(...)."""
    sites = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        names, module_alias = _names_from_thresholds(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) == "in_slices" and len(node.args) == 3:
                named = {_threshold_name(part, names, module_alias) for part in ast.walk(node.args[2])} - {None}
                sites.setdefault(_module_name(path), []).append((node.lineno, named))
    return sites


SLICE_SITES = _slice_sites()


@pytest.mark.parametrize("module", sorted(SLICE_SITES))
def test_each_slice_site_takes_its_threshold_from_thresholds_py(module):
    blind = [line for line, named in SLICE_SITES[module] if not named]
    assert not blind, (f"{module}: in_slices at line(s) {blind} is given a threshold that names no constant "
                       f"of tinygrad231n/kernels/thresholds.py")


def test_the_scan_finds_the_kernels_it_should():
    # The modules the issue named; more may come, fewer means the scan went blind.
    expected = {"tinygrad231n.kernels.im2col", "tinygrad231n.kernels.pooling",
                "tinygrad231n.kernels.hog", "tinygrad231n.kernels.color_histogram",
                "tinygrad231n.ops.cross_entropy", "tinygrad231n.ops.multiclass_hinge"}
    assert expected <= set(SITES)
    sliced = {"tinygrad231n.kernels.channel_norm", "tinygrad231n.kernels.norm_pool_relu", "tinygrad231n.ops.conv",
              "tinygrad231n.ops.conv_winograd"}
    assert sliced <= set(SLICE_SITES)


@pytest.mark.parametrize("module", sorted(SITES))
def test_each_sized_kernel_takes_its_threshold_from_thresholds_py(module):
    local = [line for line, name in SITES[module] if name is None]
    assert not local, (f"{module}: SizedKernel at line(s) {local} is given a threshold that is not a constant "
                       f"imported from tinygrad231n/kernels/thresholds.py ({', '.join(CONSTANTS)})")


@pytest.mark.parametrize("module", sorted(SITES))
def test_each_sized_kernel_object_holds_the_named_constant(module):
    # The running objects agree with their source: as many kernels as call sites, each with its constant's value.
    kernels = [value for value in vars(importlib.import_module(module)).values() if isinstance(value, SizedKernel)]
    assert len(kernels) == len(SITES[module])
    assert sorted(k.parallel_min for k in kernels) == sorted(CONSTANTS[name] for _, name in SITES[module])


def test_no_module_sets_a_threshold_after_the_fact():
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            for target in targets:
                assert not (isinstance(target, ast.Attribute) and target.attr == "parallel_min"
                            and path.name != "sized.py"), f"{path}:{node.lineno} sets parallel_min"


def test_every_threshold_is_used_and_explained():
    used = {name for sites in SITES.values() for _, name in sites if name is not None}
    used |= {name for sites in SLICE_SITES.values() for _, named in sites for name in named}
    assert used == set(CONSTANTS), f"unused thresholds: {set(CONSTANTS) - used}"
    lines = pathlib.Path(thresholds.__file__).read_text().splitlines()
    for name in CONSTANTS:
        line = next(i for i, text in enumerate(lines) if text.startswith(name + " = "))
        assert lines[line - 1].startswith("#"), f"{name} has no comment giving its measurement"


def test_the_benchmark_measures_every_sized_kernel():
    benchmarks = str(ROOT / "benchmarks")
    sys.path.insert(0, benchmarks)
    try:
        bench = importlib.import_module("bench_parallel_thresholds")
    finally:
        while benchmarks in sys.path:  # the benchmark adds it too, for its `common`
            sys.path.remove(benchmarks)
    measured = {id(case[1]) for rows in bench.cases().values() for case in rows}
    sliced = {case[2] for case in bench.slice_cases()}
    assert sliced == {name for sites in SLICE_SITES.values() for _, named in sites for name in named}
    for module in SITES:
        for attr, value in vars(importlib.import_module(module)).items():
            if isinstance(value, SizedKernel):
                assert id(value) in measured, f"benchmarks/bench_parallel_thresholds.py does not time {module}.{attr}"
