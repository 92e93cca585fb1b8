"""The library's imports run one way: core <- nn, optim, gradcheck, viz <- models <- the faces.

    core      tinygrad231n/{__init__, tensor, function, checks}.py, ops/, kernels/
    support   data/, atomic.py, paths.py, threads.py: below models, importing at most the core
    library   nn/, optim/, gradcheck.py, viz.py (and graphviz_wasm.py), testing/
    models    models/ (the top-level package: the classifiers and their declarations)
    faces     reproduce/, sweep/, cli.py, __main__.py, report.py, plots.py, cs231n/, and the PyTorch-flavoured
              front torch/ and torchvision/ (PyTorch's names over the engine, nn, optim and data)

A module may import its own level or any level below it, never one above. Every import statement
counts, those inside functions too: a lazy import is still a dependency.
"""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
LEVELS = ("core", "support", "library", "models", "faces")

# Where each module lives, by the longest matching prefix of its dotted name.
PLACES = {
    "tinygrad231n": "core", "tinygrad231n.tensor": "core", "tinygrad231n.function": "core",
    "tinygrad231n.checks": "core", "tinygrad231n.ops": "core", "tinygrad231n.kernels": "core",
    "tinygrad231n.data": "support", "tinygrad231n.atomic": "support", "tinygrad231n.paths": "support",
    "tinygrad231n.threads": "support",
    "tinygrad231n.nn": "library", "tinygrad231n.optim": "library", "tinygrad231n.gradcheck": "library",
    "tinygrad231n.viz": "library", "tinygrad231n.graphviz_wasm": "library", "tinygrad231n.testing": "library",
    "models": "models",
    "tinygrad231n.reproduce": "faces", "tinygrad231n.sweep": "faces", "tinygrad231n.cli": "faces",
    "tinygrad231n.__main__": "faces", "tinygrad231n.report": "faces", "tinygrad231n.plots": "faces",
    "tinygrad231n.cs231n": "faces", "tinygrad231n.torch": "faces", "tinygrad231n.torchvision": "faces",
}
# Known exceptions, each with its reason. A stale entry (the import is gone) fails the test too.
ALLOWED = {
    ("tinygrad231n.tensor", "tinygrad231n.viz"): "Tensor.to_dot() is a shortcut for viz.to_dot(tensor), "
                                                 "imported when called",
}


def level_of(module):
    """The level of a dotted module name of this project, or None for outside modules (numpy, ...)."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        place = PLACES.get(".".join(parts[:end]))
        if place is not None:
            return place
    return None


def module_name(path, root):
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path, root):
    """Every module `path` imports (absolute dotted names, relative imports resolved)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import sub` may name a submodule: count the deepest name that exists as one.
            yield from (f"{base}.{alias.name}" if level_of(f"{base}.{alias.name}") else base for alias in node.names)


def violations(root, allowed=ALLOWED):
    """(module, imported module, why) for each import that goes up a level, plus stale allowances."""
    found, seen = [], set()
    for path in sorted(root.glob("tinygrad231n/**/*.py")) + sorted(root.glob("models/**/*.py")):
        importer = module_name(path, root)
        for imported in imports_of(path, root):
            low, high = level_of(importer), level_of(imported)
            if low is None or high is None or LEVELS.index(high) <= LEVELS.index(low):
                continue
            key = (importer, _owner(imported))
            seen.add(key)
            if key not in allowed:
                found.append((importer, imported, f"{low} imports {high}"))
    found += [(a, b, "allowed in ALLOWED but no longer imported: remove the entry") for a, b in set(allowed) - seen]
    return found


def _owner(module):
    """The module an import names, cut to the part PLACES knows (tinygrad231n.viz.to_dot -> tinygrad231n.viz)."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in PLACES:
            return ".".join(parts[:end])
    return module


def test_every_module_of_the_project_has_a_level():
    unplaced = [module_name(path, ROOT) for path in sorted(ROOT.glob("tinygrad231n/**/*.py"))
                + sorted(ROOT.glob("models/**/*.py")) if level_of(module_name(path, ROOT)) is None]
    assert not unplaced, f"give these modules a level in PLACES: {unplaced}"


def test_imports_run_one_way():
    found = violations(ROOT)
    assert not found, "imports against the direction core <- library <- models <- faces:\n" + "\n".join(
        f"  {importer} imports {imported} ({why})" for importer, imported, why in found)


@pytest.mark.parametrize("source, expected", [
    ("import tinygrad231n.reproduce\n", "tinygrad231n.reproduce"),                 # plain import
    ("def f():\n    from ..cs231n import solver\n", "tinygrad231n.cs231n.solver"),  # relative, inside a function
    ("from models import registry\n", "models.registry"),                           # the models package
])
def test_a_back_import_is_caught(tmp_path, source, expected):
    """The checker itself: a copy of the optim package with one import that goes up is reported."""
    package = tmp_path / "tinygrad231n" / "optim"
    package.mkdir(parents=True)
    (tmp_path / "tinygrad231n" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "solver.py").write_text(source)
    assert violations(tmp_path, allowed={}) == [("tinygrad231n.optim.solver", expected, f"library imports "
                                                                                        f"{level_of(expected)}")]
