"""Graph diagrams: the DOT structure and labels, and real renders by both renderers (the system
`dot` where Graphviz is installed, the WebAssembly Graphviz always), and how one is chosen."""
import os
import re
import shutil
import stat
import subprocess
import sys

import numpy as np
import pytest

import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor, graphviz_wasm, nn
from tinygrad231n.viz import RENDERER_VARIABLE, Diagram, check_renderer, render, renderer_for, to_dot, to_svg

HAS_DOT = shutil.which("dot") is not None
RENDERERS = [pytest.param("system", marks=pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not "
                                                                                  "installed (.ci/run installs it)")),
             "wasm"]


@pytest.fixture
def loss_and_w():
    w = Tensor(np.ones((3, 2)), requires_grad=True, name="W")
    x = Tensor(np.ones((4, 3)))
    loss = F.cross_entropy(x @ w, np.array([0, 1, 0, 1])) + 0.1 * F.l2(w)
    return loss, w


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A PATH without Graphviz, and no renderer chosen by the environment."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv(RENDERER_VARIABLE, raising=False)
    return empty


def node_labels(source):
    return re.findall(r'label="?([^"\]]*?)"? ', source)


def test_dot_has_one_node_per_op_and_tensor(loss_and_w):
    loss, _ = loss_and_w
    source = to_dot(loss).source
    ops = re.findall(r"label=(\w+) fillcolor=\"#fff3bf\"", source)
    assert sorted(ops) == sorted(["Matmul", "CrossEntropy", "SumOfSquares", "Mul", "Add"])
    tensor_nodes = set(re.findall(r"^\t(t\d+) \[", source, flags=re.M))
    assert len(tensor_nodes) == 7  # x, W (used twice, drawn once), scores, ce, l2, 0.1*l2, output
    assert source.count("->") == 14  # each op: an edge per input (labels and 0.1 included) and one out
    assert 'label="W\n(3, 2) float64"' in source  # named parameter with shape and dtype
    assert "#ffd8b0" in source and "#cfe2ff" in source and "#eeeeee" in source  # output, parameter, constant
    assert "rankdir=TB" in source  # top to bottom by default: long graphs stay narrow


def test_inputs_and_the_loss_are_labelled_by_what_they_are(loss_and_w):
    loss, _ = loss_and_w
    source = loss.to_dot().source
    assert 'label="loss\n() float64"' in source  # the root, unnamed: a one-element result is the loss
    assert 'label="y\n[0 1 0 1]"' in source  # labels: cross_entropy's name for that input, and a few values
    scores = Tensor(np.ones((6, 2)), requires_grad=True)
    assert 'label="y\n(6,) int64"' in F.cross_entropy(scores, np.zeros(6, dtype=np.int64)).to_dot().source
    assert "label=0.1 " in source  # a number as itself
    named = Tensor(np.ones(3), requires_grad=True).sum()
    named.name = "total"
    assert 'label="total\n() float64"' in named.to_dot().source
    assert 'label="output\n(3,) float64"' in (Tensor(np.ones(3), requires_grad=True) * 2).to_dot().source


def test_numbers_read_as_numbers():
    w = Tensor(np.ones(2), requires_grad=True)
    labels = node_labels((5000.0 * w + 0.0025 * w).sum().to_dot().source)
    assert "5000" in labels and "0.0025" in labels and "5000." not in labels


def test_show_grad_summarises_gradients(loss_and_w):
    loss, w = loss_and_w
    loss.backward()
    source = loss.to_dot(show_grad=True, show_data=True, rankdir="LR").source
    assert "rankdir=LR" in source and "grad mean" in source and "data mean" in source


@pytest.mark.parametrize("renderer", RENDERERS)
def test_each_renderer_draws_every_node(renderer, loss_and_w):
    loss, _ = loss_and_w
    dot = loss.to_dot()
    svg = to_svg(dot, renderer=renderer)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "</svg>" in svg
    drawn = set(re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]+)</title>', svg))
    declared = set(re.findall(r"^\t(\w+) \[", dot.source, flags=re.M)) - {"graph", "node", "edge"}
    assert drawn == declared  # every node, nothing else
    for text in ("Matmul", "CrossEntropy", "loss", "y"):
        assert f">{text}</text>" in svg


@pytest.mark.parametrize("renderer", RENDERERS)
def test_render_writes_an_svg_file(renderer, tmp_path, loss_and_w):
    path = render(loss_and_w[0].to_dot(), str(tmp_path / "loss.svg"), renderer=renderer)
    assert path == str(tmp_path / "loss.svg")
    text = open(path).read()
    assert "<svg" in text and ">SumOfSquares</text>" in text
    assert os.listdir(tmp_path) == ["loss.svg"]  # written atomically: no temporary file left


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed (.ci/run installs it)")
def test_the_system_renderer_writes_png(tmp_path, loss_and_w):
    path = render(loss_and_w[0].to_dot(), str(tmp_path / "loss.png"), renderer="system")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_png_without_dot_says_to_install_graphviz(no_dot, tmp_path, loss_and_w):
    with pytest.raises(RuntimeError, match=r"as png needs Graphviz's `dot`.*apt-get install graphviz"):
        render(loss_and_w[0].to_dot(), str(tmp_path / "loss.png"))
    assert not (tmp_path / "loss.png").exists()


def test_without_dot_auto_draws_with_webassembly(no_dot, loss_and_w):
    assert renderer_for() == "wasm" and check_renderer() == "wasm"
    assert ">CrossEntropy</text>" in to_svg(loss_and_w[0].to_dot())


def test_auto_prefers_the_system_dot_and_the_variable_overrides_it(monkeypatch, no_dot):
    fake = no_dot / "dot"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    assert renderer_for() == "system"
    monkeypatch.setenv(RENDERER_VARIABLE, "wasm")
    assert renderer_for() == "wasm"
    assert renderer_for("system") == "system"  # an argument beats the variable


def test_forcing_the_system_renderer_without_dot_says_what_to_do(monkeypatch, no_dot, loss_and_w):
    monkeypatch.setenv(RENDERER_VARIABLE, "system")
    with pytest.raises(RuntimeError, match=r"`dot` program, which was not found on PATH.*apt-get install graphviz"):
        check_renderer()
    with pytest.raises(RuntimeError, match="not found on PATH"):
        to_svg(loss_and_w[0].to_dot())


def test_an_unknown_renderer_is_refused_in_one_line(monkeypatch):
    monkeypatch.setenv(RENDERER_VARIABLE, "cairo")
    with pytest.raises(ValueError, match=r"\$TINYGRAD231N_GRAPHVIZ must be one of auto, system, wasm, got 'cairo'"):
        renderer_for()
    with pytest.raises(ValueError, match="renderer must be one of"):
        renderer_for("dotty")


def test_notebooks_display_the_diagram_without_dot(no_dot, loss_and_w):
    dot = loss_and_w[0].to_dot()
    assert isinstance(dot, Diagram)
    bundle = dot._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"] and ">Matmul</text>" in bundle["image/svg+xml"]
    assert dot._repr_mimebundle_(exclude=["image/svg+xml"]) == {}


def test_webassembly_graphviz_reports_bad_input():
    with pytest.raises(RuntimeError, match="Graphviz could not render this graph"):
        graphviz_wasm.pipe("digraph { a -> ")
    with pytest.raises(ValueError, match="writes svg, dot, json, ps, not 'png'"):
        graphviz_wasm.pipe("digraph { a -> b }", "png")
    assert b'"name"' in graphviz_wasm.pipe("digraph { a -> b }", "json")  # the module still works after an error


def test_webassembly_graphviz_works_where_no_cache_can_be_written(tmp_path):
    """wasmtime's compilation cache lives under the home folder; a read-only one must not stop a render."""
    unwritable = tmp_path / "home"
    unwritable.mkdir()
    unwritable.chmod(0o500)
    env = {**os.environ, "HOME": str(unwritable / "missing"), "XDG_CACHE_HOME": "/proc/no-cache-here"}
    code = "from tinygrad231n import graphviz_wasm; print(graphviz_wasm.pipe('digraph { a -> b }')[:5])"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "b'<?xml'"


@pytest.fixture
def net_loss():
    """The loss of a two-layer net built from nn layers, with an L2 penalty on the first weight."""
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3))
    first = model.parameters()[0]
    X = Tensor(rng.standard_normal((6, 5)), name="X")
    return F.cross_entropy(model(X), np.arange(6) % 3) + 0.1 * F.l2(first)


def test_collapse_draws_each_layer_call_as_one_box(net_loss):
    expanded, collapsed = net_loss.to_dot().source, net_loss.to_dot(collapse=True).source
    boxes = [quoted or bare for quoted, bare in re.findall(r'label=(?:"([^"]*)"|(\w+)) fillcolor="#d9f2d9"', collapsed)]
    assert sorted(boxes) == ["Linear\n0", "Linear\n2", "ReLU"]  # with where each layer's weights live
    ops = re.findall(r"label=(\w+) fillcolor=\"#fff3bf\"", collapsed)
    assert sorted(ops) == ["Add", "CrossEntropy", "Mul", "SumOfSquares"]  # only what is outside the layers
    assert "0.weight" in collapsed  # also used by the penalty, outside its layer: still drawn
    assert "0.bias" not in collapsed and "2.weight" not in collapsed  # used inside one layer only: hidden
    assert "0.bias" in expanded and "Matmul" in expanded and "#d9f2d9" not in expanded
    assert 'label="X\n(6, 5) float64"' in collapsed


def test_a_collapsed_graph_still_connects_input_to_loss(net_loss):
    source = net_loss.to_dot(collapse=True).source
    edges = re.findall(r"^\t(\w+) -> (\w+)", source, flags=re.M)
    following = {}
    for start, end in edges:
        following.setdefault(start, set()).add(end)
    x_node = re.search(r'^\t(t\d+) \[label="X', source, flags=re.M).group(1)
    loss_node = re.search(r'^\t(t\d+) \[label="loss', source, flags=re.M).group(1)
    reached, frontier = {x_node}, [x_node]
    while frontier:
        for nxt in following.get(frontier.pop(), ()):
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert loss_node in reached
    assert len(edges) == len(set(edges))  # each crossing drawn once
    assert ">Linear</text>" in to_svg(net_loss.to_dot(collapse=True), renderer="wasm")
