"""The runnable examples under examples/: they run, and the README's picture is what its example draws."""
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def svg_texts(svg):
    """The text of every label in an SVG drawn by Graphviz (layout aside)."""
    return sorted(re.findall(r"<text[^>]*>([^<]*)</text>", svg))


def test_pytorch_loop_trains_and_draws_its_graph(tmp_path):
    example = load_example("pytorch_loop")
    first = example.train_steps(steps=1).item()
    last = example.train_steps(steps=10).item()
    assert last < 0.5 * first  # ten steps on one batch: the loss falls
    out = tmp_path / "loop.svg"
    example.main(["--out", str(out)])
    texts = svg_texts(out.read_text())
    for label in ("0.weight", "3.weight", "Conv2d", "Matmul", "CrossEntropy", "loss"):
        assert label in texts


def test_the_readmes_graph_is_the_examples(tmp_path):
    out = tmp_path / "loop.svg"
    load_example("pytorch_loop").main(["--out", str(out)])
    assert svg_texts((ROOT / "docs" / "pytorch_loop.svg").read_text()) == svg_texts(out.read_text())
