"""Graph diagrams: the DOT structure, and a real SVG render by Graphviz's `dot`."""
import re

import numpy as np
import pytest

import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor
from tinygrad231n.viz import render, to_dot, to_svg


@pytest.fixture
def loss_and_w():
    w = Tensor(np.ones((3, 2)), requires_grad=True, name="W")
    x = Tensor(np.ones((4, 3)))
    loss = F.cross_entropy(x @ w, np.array([0, 1, 0, 1])) + 0.1 * F.l2(w)
    return loss, w


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


def test_show_grad_summarises_gradients(loss_and_w):
    loss, w = loss_and_w
    loss.backward()
    source = loss.to_dot(show_grad=True, show_data=True, rankdir="TB").source
    assert "rankdir=TB" in source and "grad mean" in source and "data mean" in source


def test_renders_a_real_svg(tmp_path, loss_and_w):
    loss, _ = loss_and_w
    path = render(loss.to_dot(), str(tmp_path / "loss.svg"))
    text = open(path).read()
    assert text.lstrip().startswith("<?xml") and "<svg" in text and "Matmul" in text
    assert "CrossEntropy" in to_svg(loss.to_dot())


def test_missing_dot_program_says_to_install_graphviz(monkeypatch, tmp_path, loss_and_w):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: no `dot`
    with pytest.raises(RuntimeError, match="install Graphviz"):
        render(loss_and_w[0].to_dot(), str(tmp_path / "x.svg"))
