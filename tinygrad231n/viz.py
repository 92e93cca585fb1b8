"""Draw the graph behind a tensor with Graphviz: tensors as boxes, ops as ellipses.

    dot = loss.to_dot(show_grad=True)     # a graphviz.Digraph
    render(dot, "loss.svg")               # needs the system `dot` program
"""
import os

import graphviz
import numpy as np

from .tensor import Tensor

STYLE = {
    "parameter": dict(shape="box", style="filled,rounded", fillcolor="#cfe2ff"),  # leaf that requires grad
    "constant": dict(shape="box", style="filled,rounded", fillcolor="#eeeeee"),   # leaf that does not
    "intermediate": dict(shape="box", style="rounded"),
    "output": dict(shape="box", style="filled,rounded,bold", fillcolor="#ffd8b0"),
    "op": dict(shape="ellipse", style="filled", fillcolor="#fff3bf"),
}


def to_dot(tensor, show_data=False, show_grad=False, rankdir="LR"):
    """A `graphviz.Digraph` with one node per tensor and per op of the graph behind `tensor`.

    Tensor nodes show the name (if any), shape and dtype, and optionally a summary of the
    values (`show_data`) and gradient (`show_grad`). Python numbers used in ops are constants.
    """
    dot = graphviz.Digraph("graph", graph_attr=dict(rankdir=rankdir), node_attr=dict(fontname="Helvetica"))
    seen, stack = set(), [tensor]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        dot.node(_tensor_id(node), _tensor_label(node, show_data, show_grad), **STYLE[_kind(node, tensor)])
        ctx = node._ctx
        if ctx is None:
            continue
        op = f"op{id(ctx)}"
        dot.node(op, _op_name(ctx.function), **STYLE["op"])
        dot.edge(op, _tensor_id(node))
        for position, parent in enumerate(ctx.parents):
            if isinstance(parent, Tensor):
                dot.edge(_tensor_id(parent), op)
                stack.append(parent)
            else:
                constant = f"{op}_const{position}"
                dot.node(constant, _constant_label(np.asarray(parent)), **STYLE["constant"])
                dot.edge(constant, op)
    return dot


def render(dot, path, format=None):
    """Write `dot` to `path` (format from the extension: .svg, .png, .pdf); returns the path."""
    stem, extension = os.path.splitext(path)
    try:
        return dot.render(outfile=path, format=format or extension.lstrip(".") or "svg", cleanup=True)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(_MISSING_DOT) from None


def to_svg(dot):
    """The diagram as SVG text (for embedding in HTML)."""
    try:
        return dot.pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        raise RuntimeError(_MISSING_DOT) from None


_MISSING_DOT = ("rendering a graph needs Graphviz's `dot` program, which was not found on PATH; install "
                "Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)")


def _kind(node, output):
    if node is output:
        return "output"
    if node._ctx is not None:
        return "intermediate"
    return "parameter" if node.requires_grad else "constant"


def _op_name(function):
    return function.__name__


def _tensor_id(node):
    return f"t{id(node)}"


def _tensor_label(node, show_data, show_grad):
    lines = [node.name] if node.name else []
    lines.append(f"{tuple(node.shape)} {node.dtype}")
    if show_data:
        lines.append("data " + _summary(node.data))
    if show_grad and node.grad is not None:
        lines.append("grad " + _summary(node.grad))
    return "\n".join(lines)


def _constant_label(array):
    """A number as itself; an array (labels, say) by its shape and dtype."""
    return _summary(array) if array.size <= 4 else f"{array.shape} {array.dtype}"


def _summary(array):
    """A few values in full, or mean/min/max of a larger array."""
    if array.size <= 4:
        return np.array2string(np.asarray(array).ravel() if array.ndim > 1 else array, precision=4)
    return f"mean {array.mean():.4g} [{array.min():.4g}, {array.max():.4g}]"
