"""The assignment's API as a contract: every module of CS231n's starter `cs231n` package exists under
tinygrad231n.cs231n with the same public names and signatures, star-imported names included.

tests/data/cs231n_starter_api.json lists, for each edition (2024, 2025, 2026) of assignment 1
(`-a1`) and assignment 2 (`-a2`), and 2024's assignment 3 (`-a3`), every module with what it defines (functions with their
parameters and defaults, classes with their public methods, aliases `name = other`) and the
modules it star-imports. Where editions differ, the adapter offers the union: each entry below
is checked once, and its test id names the editions that list it.

A signature matches when our parameters begin with the assignment's, in order, with the same
names and equal defaults; anything we add after them must have a default (or be *args /
**kwargs), so every call written for the assignment means the same thing here.
"""
import ast
import importlib
import importlib.util
import inspect
import json
from pathlib import Path

import numpy as np
import pytest

API_FILE = Path(__file__).parent / "data" / "cs231n_starter_api.json"
API = json.loads(API_FILE.read_text())


def ours(module):
    """The adapter's name for the assignment's module: cs231n.x.y -> tinygrad231n.cs231n.x.y."""
    return "tinygrad231n." + module


def _is_package(edition, module):
    return any(other.startswith(module + ".") for other in API[edition])


def star_target(edition, module, relative):
    """The absolute module name of `from <relative> import *` written inside `module`."""
    package = module if _is_package(edition, module) else module.rpartition(".")[0]
    return importlib.util.resolve_name(relative, package)


def star_exported(edition, module):
    """{name: the module defining it} for every name `from module import *` gives in the assignment:
    what it defines, and what it star-imports in turn (the starter modules have no __all__)."""
    info = API[edition][module]
    names = {}
    for relative in info["star_imports"]:
        names.update(star_exported(edition, star_target(edition, module, relative)))
    names.update(dict.fromkeys(info["defines"], module))
    return names


def collect_entries():
    """{(kind, module, name, spec): {editions}} over every edition, deduplicated."""
    entries = {}
    for edition, modules in API.items():
        for module, info in modules.items():
            entries.setdefault(("module", module, "", ""), set()).add(edition)
            for name, spec in info["defines"].items():
                entries.setdefault(("define", module, name, json.dumps(spec, sort_keys=True)), set()).add(edition)
            for relative in info["star_imports"]:
                for name, origin in star_exported(edition, star_target(edition, module, relative)).items():
                    entries.setdefault(("star", module, name, origin), set()).add(edition)
    return entries


ENTRIES = collect_entries()


# Modules of the contract not built yet, with the issue that builds them: their entries are expected
# to fail (strictly: an entry that starts passing fails the run, so the line goes when the module comes).
PENDING = {}


def _param(entry):
    (kind, module, name, spec), editions = entry
    label = f"{module}:{name or '<module>'}" + (f"<-{spec}" if kind == "star" else "") + f"[{','.join(sorted(editions))}]"
    marks = [pytest.mark.xfail(strict=True, reason=f"not built yet: {PENDING[module]}")] if module in PENDING else []
    return pytest.param(kind, module, name, spec, id=label, marks=marks)


PARAMS = [_param(entry) for entry in sorted(ENTRIES.items())]


# ---- signatures ------------------------------------------------------------------------------------

_NO_DEFAULT = object()


def expected_parameters(text, names=None):
    """'def(x, w, b, conv_param)' or '(self, X, y=None)' -> [(name, default or _NO_DEFAULT)].

    Defaults are the starter code's source text ('3 * 32 * 32', 'np.float32'), evaluated here; a
    module-level name of the starter's ('base_dir=BASE_DIR') is read from `names`, our module's namespace.
    """
    tree = ast.parse(f"def f{text.removeprefix('def')}: pass").body[0].args
    if tree.vararg or tree.kwonlyargs or tree.posonlyargs:
        raise AssertionError(f"the contract's signature {text!r} uses a parameter kind this test does not read")
    defaults = [_NO_DEFAULT] * (len(tree.args) - len(tree.defaults))
    namespace = {**(names or {}), "np": np}
    for node in tree.defaults:
        try:
            defaults.append(eval(compile(ast.Expression(node), "<default>", "eval"), namespace))
        except NameError as error:
            raise AssertionError(f"{text}: the default {ast.unparse(node)} names {error.name!r}, "
                                 "which our module does not define") from None
    return [(arg.arg, default) for arg, default in zip(tree.args, defaults)]


def _same_default(expected, actual):
    if expected is _NO_DEFAULT or actual is inspect.Parameter.empty:
        return expected is _NO_DEFAULT and actual is inspect.Parameter.empty
    return type(expected) is type(actual) and expected == actual


def assert_signature(where, function, text, names=None):
    expected = expected_parameters(text, names)
    actual = list(inspect.signature(function).parameters.values())
    shown = f"{where}: expected {text.removeprefix('def')}, ours is {inspect.signature(function)}"
    assert len(actual) >= len(expected), shown
    for (name, default), parameter in zip(expected, actual):
        assert parameter.name == name and parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, shown
        assert _same_default(default, parameter.default), shown
    if "**" in text:  # the assignment takes **kwargs (Solver's options): ours must take them too
        assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in actual), f"{shown} (no **kwargs)"
    for parameter in actual[len(expected):]:
        optional = parameter.default is not inspect.Parameter.empty or parameter.kind in (
            inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        assert optional, f"{shown} (our extra parameter {parameter.name!r} needs a default)"


# ---- the contract ----------------------------------------------------------------------------------

def star_namespace(module_name):
    namespace = {}
    exec(f"from {module_name} import *", namespace)  # noqa: S102  exactly what a notebook cell runs
    return namespace


@pytest.mark.parametrize("kind, module, name, spec", PARAMS)
def test_the_assignment_api(kind, module, name, spec):
    mod = importlib.import_module(ours(module))
    if kind == "module":
        return  # importing it is the test
    if kind == "star":
        target = importlib.import_module(ours(spec))
        namespace = star_namespace(ours(module))
        assert name in namespace, f"`from {ours(module)} import *` does not give {name!r} (defined in {ours(spec)})"
        assert namespace[name] is getattr(target, name), f"{ours(module)}.{name} is not {ours(spec)}.{name}"
        return
    spec = json.loads(spec)
    assert hasattr(mod, name), f"{ours(module)} has no {name!r}"
    value = getattr(mod, name)
    if isinstance(spec, str) and spec.startswith("= "):
        other = spec.removeprefix("= ")
        assert value is getattr(mod, other, None), f"{ours(module)}.{name} should be the same object as {other}"
    elif isinstance(spec, str):
        assert callable(value), f"{ours(module)}.{name} should be a function"
        assert_signature(f"{ours(module)}.{name}", value, spec, vars(mod))
    else:
        assert inspect.isclass(value), f"{ours(module)}.{name} should be a class"
        for method, text in spec["class"].items():
            assert hasattr(value, method), f"{ours(module)}.{name} has no method {method!r}"
            assert_signature(f"{ours(module)}.{name}.{method}", getattr(value, method), text, vars(mod))
    assert name in star_namespace(ours(module)), f"`from {ours(module)} import *` leaves out {name!r}"


# ---- the checker itself ----------------------------------------------------------------------------

def test_the_contract_file_is_the_shared_one_when_it_is_there():
    shared = Path(__file__).resolve().parents[2] / "shared" / "cs231n" / "starter_api.json"
    if not shared.exists():
        pytest.skip("no ../shared checkout next to this clone (a user's clone has none)")
    assert json.loads(shared.read_text()) == API


def test_signature_check_accepts_extra_defaults_and_rejects_real_differences():
    def same(x, w, b, conv_param, extra=None, **kwargs):
        pass

    assert_signature("same", same, "def(x, w, b, conv_param)")
    assert_signature("dtype", lambda dtype=np.float32: None, "def(dtype=np.float32)")
    assert_signature("expr", lambda input_dim=3072: None, "def(input_dim=3 * 32 * 32)")
    assert_signature("module name", lambda base_dir=None: None, "def(base_dir=BASE_DIR)", {"BASE_DIR": None})
    for wrong, text in [(lambda x, w: None, "def(x, w, b)"),                  # too few
                        (lambda x, b, w: None, "def(x, w, b)"),               # renamed / reordered
                        (lambda x, y=2: None, "def(x, y=1)"),                 # another default
                        (lambda x, y=1.0: None, "def(x, y=1)"),               # another type
                        (lambda x, y: None, "def(x, y=1)"),                   # default missing
                        (lambda x, *, y=1: None, "def(x, y=1)"),              # keyword-only
                        (lambda x, extra: None, "def(x)"),                    # extra without default
                        (lambda base_dir=None: None, "def(base_dir=BASE_DIR)")]:  # no BASE_DIR of ours
        with pytest.raises(AssertionError):
            assert_signature("wrong", wrong, text)


def test_star_imports_are_followed_through_modules():
    # fc_net star-imports layer_utils, which in assignment 2 star-imports layers and fast_layers,
    # which star-imports im2col: all of those names reach fc_net.
    names = star_exported("2025-a2", "cs231n.classifiers.fc_net")
    assert {"FullyConnectedNet", "affine_forward", "conv_relu_forward", "conv_forward_fast", "im2col_naive"} <= set(names)
    assert names["im2col_naive"] == "cs231n.im2col" and names["conv_relu_forward"] == "cs231n.layer_utils"
    assert star_target("2024-a1", "cs231n.classifiers", ".linear_classifier") == "cs231n.classifiers.linear_classifier"
    assert star_target("2024-a1", "cs231n.classifiers.linear_classifier", "..classifiers.softmax") == \
        "cs231n.classifiers.softmax"
