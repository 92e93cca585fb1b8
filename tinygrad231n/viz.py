"""Draw the graph behind a tensor with Graphviz: tensors as boxes, ops as ellipses.

    dot = loss.to_dot(show_grad=True)     # a Diagram: a graphviz.Digraph that notebooks display
    render(dot, "loss.svg")               # .svg always; .png and .pdf need Graphviz's `dot` program
    svg_text = to_svg(dot)

The graph is described in DOT (the `graphviz` package) and laid out by Graphviz itself, with
one of two renderers:
- "system": Graphviz's `dot` program, when it is on PATH;
- "wasm": Graphviz compiled to WebAssembly, installed by pip with this package (graphviz_wasm.py).
`renderer=None` (the default everywhere) reads $TINYGRAD231N_GRAPHVIZ ("auto", "system" or
"wasm"; unset means auto: the system program if there is one, else wasm). Setting it to "wasm"
makes a machine with Graphviz exercise the fallback too, as the tests do.
"""
import functools
import inspect
import os
import shutil
import subprocess

import graphviz
import numpy as np

from . import graphviz_wasm
from .atomic import atomic_write
from .errors import InputError
from .tensor import Tensor

RENDERER_VARIABLE = "TINYGRAD231N_GRAPHVIZ"
RENDERERS = ("auto", "system", "wasm")


class GraphvizMissing(InputError, RuntimeError):
    """The system Graphviz's `dot` is needed (asked for, or for .png/.pdf) and is not installed."""

STYLE = {
    "parameter": dict(shape="box", style="filled,rounded", fillcolor="#cfe2ff"),  # leaf that requires grad
    "constant": dict(shape="box", style="filled,rounded", fillcolor="#eeeeee"),   # leaf that does not
    "intermediate": dict(shape="box", style="rounded"),
    "output": dict(shape="box", style="filled,rounded,bold", fillcolor="#ffd8b0"),
    "op": dict(shape="ellipse", style="filled", fillcolor="#fff3bf"),
    "layer": dict(shape="box", style="filled,bold", fillcolor="#d9f2d9"),  # a collapsed nn layer
}


class Diagram(graphviz.Digraph):
    """A `graphviz.Digraph` that Jupyter displays with whichever renderer is available.

    graphviz's own display runs the `dot` program and fails without it; this one goes through
    `to_svg`, so `loss.to_dot()` as the last line of a cell shows the graph on any machine.
    """

    def _repr_mimebundle_(self, include=None, exclude=None, **_):
        wanted = (set(include) if include is not None else {"image/svg+xml"}) - set(exclude or ())
        return {"image/svg+xml": to_svg(self)} if "image/svg+xml" in wanted else {}

    def _repr_svg_(self):
        return to_svg(self)


def to_dot(tensor, show_data=False, show_grad=False, rankdir="TB", collapse=False):
    """A `Diagram` with one node per tensor and per op of the graph behind `tensor`.

    Tensor nodes show the name (if any), shape and dtype, and optionally a summary of the
    values (`show_data`) and gradient (`show_grad`); `tensor` itself is labelled by its name,
    else "loss" if it has one element, else "output". Plain numbers and arrays given to an op
    are constants: a number shows its value, an array the op's name for that input (`y` of
    cross_entropy, say) with its shape and dtype. `rankdir` "TB" stacks the graph from inputs
    at the top to the result at the bottom, which keeps long graphs narrow; "LR" lays it sideways.

    `collapse=True` draws each call of an nn layer (a Module with no modules inside it) as one
    box, hiding the ops, tensors, parameters and constants used only inside it, so a deep net
    stays readable; ops outside every layer (the loss, the penalty) are drawn as usual. It reads
    the calls that nn.Module records on the ops they make (`ctx.module_calls`, innermost first,
    each with a `.module`); ops without that record are drawn as usual.
    """
    dot = Diagram("graph", graph_attr=dict(rankdir=rankdir, nodesep="0.25", ranksep="0.35"),
                  node_attr=dict(fontname="Helvetica", fontsize="11"), edge_attr=dict(arrowsize="0.7"))
    tensors = _tensors_behind(tensor)
    box_of = _layer_call if collapse else (lambda ctx: None)
    hidden_in = _hidden_tensors(tensor, tensors, box_of)
    drawn = set()  # layer boxes and their edges: a box takes a tensor through several ops, drawn once
    for node in tensors:
        if id(node) not in hidden_in:
            label = _tensor_label(node, show_data, show_grad, root=node is tensor)
            dot.node(_tensor_id(node), label, **STYLE[_kind(node, tensor)])
        ctx = node._ctx
        if ctx is None:
            continue
        box = box_of(ctx)
        if box is not None:
            _draw_layer_op(dot, node, ctx, box, hidden_in, drawn)
            continue
        op = f"op{id(ctx)}"
        dot.node(op, ctx.function.__name__, **STYLE["op"])
        dot.edge(op, _tensor_id(node))
        input_names = _input_names(ctx.function)
        for position, parent in enumerate(ctx.parents):
            if isinstance(parent, Tensor):
                dot.edge(_tensor_id(parent), op)
            else:
                constant = f"{op}_const{position}"
                name = input_names[position] if position < len(input_names) else ""
                dot.node(constant, _constant_label(np.asarray(parent), name), **STYLE["constant"])
                dot.edge(constant, op)
    return dot


def _tensors_behind(tensor):
    """Every tensor `tensor` was computed from, itself first, each once (an iterative walk)."""
    seen, order, stack = set(), [], [tensor]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        if node._ctx is not None:
            stack.extend(parent for parent in node._ctx.parents if isinstance(parent, Tensor))
    return order


def _layer_call(ctx):
    """The call of a layer (a module without submodules) that made this op, or None."""
    calls = getattr(ctx, "module_calls", ())
    if calls and not calls[0].module.children():
        return calls[0]
    return None


def _hidden_tensors(root, tensors, box_of):
    """{id(tensor): the box it disappears into}: tensors that one box makes and only it uses, and
    a layer's own weights when only that box uses them (the input, a constant leaf, stays)."""
    made_in = {}
    used_in = {}  # id(tensor) -> {id(box) or None: box or None}; boxes need not be hashable
    for t in tensors:
        if t._ctx is not None:
            box = made_in[id(t)] = box_of(t._ctx)
            for parent in t._ctx.parents:
                if isinstance(parent, Tensor):
                    used_in.setdefault(id(parent), {})[id(box) if box is not None else None] = box
    hidden = {}
    for t in tensors:
        uses = list(used_in.get(id(t), {}).values())
        if t is root or len(uses) != 1:
            continue
        (box,) = uses
        if box is None:
            continue
        if made_in.get(id(t)) is box or (t._ctx is None and any(p is t for p in box.module.parameters())):
            hidden[id(t)] = box
    return hidden


def _draw_layer_op(dot, node, ctx, box, hidden_in, drawn):
    """One op inside a collapsed layer: the layer's box, and the edges that cross its border."""
    box_id = f"layer{id(box)}"
    if box_id not in drawn:  # the first op of this call seen: draw the box itself
        drawn.add(box_id)
        dot.node(box_id, _layer_label(box.module), **STYLE["layer"])
    crossings = [] if id(node) in hidden_in else [(box_id, _tensor_id(node))]
    crossings += [(_tensor_id(p), box_id) for p in ctx.parents
                  if isinstance(p, Tensor) and id(p) not in hidden_in and not _made_by(p, box)]
    for edge in crossings:
        if edge not in drawn:
            drawn.add(edge)
            dot.edge(*edge)


def _made_by(tensor, box):
    return tensor._ctx is not None and _layer_call(tensor._ctx) is box


def _layer_label(module):
    """The layer's class, then where its weights live ("layers.0") or their names ("W1, b1")."""
    names = [p.name for p in module.parameters() if p.name]
    common = os.path.commonprefix([name.split(".")[:-1] for name in names]) if names else []
    where = ".".join(common) if common else ", ".join(names)
    return f"{type(module).__name__}\n{where}".strip()


# ---- rendering ------------------------------------------------------------------------------
def renderer_for(renderer=None):
    """"system" or "wasm": the renderer that `renderer` (or $TINYGRAD231N_GRAPHVIZ, or auto) means."""
    choice = renderer or os.environ.get(RENDERER_VARIABLE) or "auto"
    if choice not in RENDERERS:
        source = "renderer" if renderer else f"${RENDERER_VARIABLE}"
        raise InputError(f"{source} must be one of {', '.join(RENDERERS)}, got {choice!r}")
    has_dot = shutil.which("dot") is not None
    if choice == "system" and not has_dot:
        raise GraphvizMissing(_MISSING_DOT)
    if choice == "auto":
        return "system" if has_dot else "wasm"
    return choice


def pipe(dot, format="svg", renderer=None):
    """The rendered graph as bytes; `dot` is a graphviz graph or DOT source text."""
    source = dot if isinstance(dot, str) else dot.source
    if renderer_for(renderer) == "wasm":
        if format not in graphviz_wasm.FORMATS:
            raise GraphvizMissing(f"rendering a graph as {format} needs Graphviz's `dot` program, which was not "
                               f"found on PATH (without it graphs render as {', '.join(graphviz_wasm.FORMATS)}); "
                               f"{_INSTALL}")
        return graphviz_wasm.pipe(source, format)
    try:
        return graphviz.pipe("dot", format, source.encode("utf-8"))
    except graphviz.ExecutableNotFound:  # removed from PATH since renderer_for looked
        raise GraphvizMissing(_MISSING_DOT) from None
    except subprocess.CalledProcessError as err:
        message = (err.stderr or b"").decode("utf-8", errors="replace").strip()
        raise RuntimeError(f"Graphviz's dot could not render this graph: {message}") from None


def to_svg(dot, renderer=None):
    """The diagram as SVG text (for embedding in HTML)."""
    return pipe(dot, "svg", renderer).decode("utf-8")


def render(dot, path, format=None, renderer=None):
    """Write `dot` to `path`, atomically; the format comes from the extension (.svg, .png, .pdf)
    unless given. Returns the path."""
    format = format or os.path.splitext(path)[1].lstrip(".").lower() or "svg"
    output = pipe(dot, format, renderer)
    with atomic_write(path, "wb") as fh:
        fh.write(output)
    return path


def check_renderer(renderer=None):
    """Render a two-node graph now, so a run that will draw diagrams fails before its training,
    not after; returns the renderer used ("system" or "wasm")."""
    chosen = renderer_for(renderer)
    to_svg("digraph { X -> loss }", chosen)
    return chosen


_INSTALL = "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)"
_MISSING_DOT = (f"rendering a graph with the system Graphviz needs its `dot` program, which was not found on "
                f"PATH; {_INSTALL}, or unset {RENDERER_VARIABLE} (or set it to wasm) to use the WebAssembly "
                f"Graphviz installed with this package")


# ---- labels ---------------------------------------------------------------------------------
def _kind(node, output):
    if node is output:
        return "output"
    if node._ctx is not None:
        return "intermediate"
    return "parameter" if node.requires_grad else "constant"


def _tensor_id(node):
    return f"t{id(node)}"


def _tensor_label(node, show_data, show_grad, root=False):
    name = node.name or (("loss" if node.numel() == 1 else "output") if root else None)
    lines = [name] if name else []
    lines.append(f"{tuple(node.shape)} {node.dtype}")
    if show_data:
        lines.append("data " + _summary(node.data))
    if show_grad and node.grad is not None:
        lines.append("grad " + _summary(node.grad))
    return "\n".join(lines)


@functools.lru_cache(maxsize=None)
def _input_names(function):
    """The names forward gives its inputs: CrossEntropy.forward(ctx, scores, y) -> ("scores", "y")."""
    parameters = list(inspect.signature(function.forward).parameters.values())[1:]  # after ctx
    return tuple(p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def _constant_label(array, name):
    """A number as itself (0.0025, 5000); an array by its input name, and its values if a few,
    else its shape and dtype."""
    if array.dtype.kind not in "biuf":  # not numbers: say what it is rather than print it
        return f"{name}\n{type(array.flat[0]).__name__}".strip() if array.size else name
    if array.size == 1:
        return f"{array.item():.4g}"
    detail = _summary(array) if array.size <= 4 else f"{array.shape} {array.dtype}"
    return f"{name}\n{detail}".strip()


def _summary(array):
    """A few values in full, or mean/min/max of a larger array."""
    if array.size <= 4:
        return np.array2string(np.asarray(array).ravel(), precision=4)
    return f"mean {array.mean():.4g} [{array.min():.4g}, {array.max():.4g}]"
