"""The backward walk: gradients from a result back to the leaves that require them.

`backpropagate(output, gradient, retain_graph)` (what `Tensor.backward()` runs) orders the graph
behind `output` topologically (iteratively, so a 20,000-op chain is fine), then hands each node's
gradient to its op's backward in reverse order. Gradients accumulate into `.grad` of leaf tensors
that require them, as in PyTorch; intermediate results never keep a `.grad`, and their saved arrays
are freed on the way (unless retain_graph). Before an op's backward runs, the write clock (tensor.py's
module doc) says whether an array it saved was written in place since its forward.
"""
import numpy as np

from .tensor import Tensor


def backpropagate(output, gradient, retain_graph):
    """Accumulate d(output)/d(leaf) * gradient into `.grad` of every leaf behind `output` that requires
    grad (gradient None: 1, for a one-element output)."""
    seed = _seed_gradient(output, gradient)
    grads = {id(output): seed}
    handed_out = {id(seed)}  # arrays already stored in some .grad: never store one twice (aliasing)
    summed = set()  # arrays this walk made by adding contributions: nobody else holds them yet
    for node in reversed(_topological_order(output)):
        g = grads.pop(id(node), None)
        if g is None:
            continue
        summed.discard(id(g))  # from here on an op may pass it on to several inputs
        ctx = node._ctx
        if ctx is None:
            _accumulate_leaf(node, g, handed_out)
            continue
        if ctx.saved is None:
            raise RuntimeError("backward(): this graph was already backpropagated and its saved arrays freed; "
                               "run the forward pass again to build a new graph, or pass retain_graph=True "
                               "to the first backward")
        if ctx.clock != Tensor._writes:  # some tensor was written since this op ran: was it one it saved?
            _check_saved_not_written(node, ctx)
        input_grads = ctx.function.backward(ctx, g)
        if not retain_graph:
            ctx.free()
        if type(input_grads) is not tuple:
            input_grads = (input_grads,)
        for parent, parent_grad, needed in zip(ctx.parents, input_grads, ctx.needs_input_grad):
            if needed:
                _add_contribution(grads, summed, id(parent), parent_grad)


def _seed_gradient(output, grad):
    if grad is None:
        if output._data.size != 1:
            raise ValueError(f"backward(): the output has shape {output.shape}, not a single value; pass "
                             f"gradient= an array of shape {output.shape} (the gradient of something w.r.t. it)")
        return np.ones_like(output._data)
    grad = np.asarray(grad._data if isinstance(grad, Tensor) else grad, dtype=output.dtype)
    if grad.shape != output.shape:
        raise ValueError(f"backward(): grad has shape {grad.shape} but the output has shape {output.shape}; "
                         "they must match")
    return grad


def _add_contribution(grads, summed, key, grad):
    """grads[key] += grad, in place when the array is one this walk made (saves a big temporary
    per extra use of a weight), else into a new array; a first contribution is stored as is."""
    if key not in grads:
        grads[key] = grad
    elif id(grads[key]) in summed:
        grads[key] += grad
    else:
        total = grads[key] + grad
        summed.add(id(total))
        grads[key] = total


def _accumulate_leaf(leaf, grad, handed_out):
    """leaf.grad += grad, as an ndarray of the leaf's dtype (a float64 op downstream of a float32
    leaf, or a 0-d op returning a numpy scalar, must not change what .grad is)."""
    dtype = leaf._data.dtype
    if type(grad) is not np.ndarray or grad.dtype != dtype:
        grad = np.array(grad, dtype=dtype)  # a fresh array, owned by nobody else
    elif grad.base is not None or id(grad) in handed_out:  # a view or shared array: store our own copy
        grad = grad.copy()
    handed_out.add(id(grad))
    leaf._grad = grad if leaf._grad is None else leaf._grad + grad


def _check_saved_not_written(node, ctx):
    """Raise if the output or an input of `ctx`'s op was written in place (through the Tensor API)
    after the op ran, and its memory overlaps an array the op saved for backward."""
    tensors = [("output", node)] + [(f"input {i}", x) for i, x in enumerate(ctx.parents) if isinstance(x, Tensor)]
    written = [(role, tensor) for role, tensor in tensors if tensor._written_at > ctx.clock]
    saved = [array for array in ctx.saved if isinstance(array, np.ndarray)] if written else []
    for role, tensor in written:
        if any(np.may_share_memory(tensor._data, array) for array in saved):
            label = f"{role}" + (f" {tensor.name!r}" if tensor.name else "") + f" of shape {tensor.shape}"
            raise RuntimeError(f"backward(): the {label} of {ctx.function.__name__} was modified in place after "
                               "the forward pass saved it, so its gradient would be computed from the new "
                               "values; modify tensors after backward(), or run the forward pass again")


def _topological_order(root):
    """Every tensor that `root` depends on and that requires grad, inputs before outputs.

    Iterative depth-first post-order: an explicit stack instead of recursion, so graph depth
    is limited by memory, not by Python's recursion limit.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        if node._ctx is not None:
            for parent in node._ctx.parents:
                if isinstance(parent, Tensor) and parent.requires_grad and id(parent) not in visited:
                    stack.append((parent, False))
    return order
