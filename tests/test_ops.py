"""Every op, one line each: forward values against numpy, gradients against numerical differences.

Each case draws its inputs from tinygrad231n.testing.strategies: shapes with size-1 axes,
broadcasting pairs, and values kept away from each op's kinks.
"""
from typing import Callable, NamedTuple

import numpy as np
import pytest
from hypothesis import given, strategies as hs

import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor, ops
from tinygrad231n.gradcheck import gradcheck
from tinygrad231n.ops.cross_entropy import cross_entropy_reference
from tinygrad231n.ops.lstm import lstm_reference
from tinygrad231n.ops.multiclass_hinge import multiclass_hinge_reference
from tinygrad231n.ops.temporal_cross_entropy import temporal_cross_entropy_reference
from tinygrad231n.testing import strategies as st


class Case(NamedTuple):
    name: str
    inputs: hs.SearchStrategy  # draws a tuple of op arguments (float arrays become Tensors)
    op: Callable               # on Tensors
    reference: Callable        # on numpy arrays


def pair(first=st.arrays, second=st.arrays):
    """Two arrays whose shapes broadcast together."""
    return st.broadcastable_shapes().flatmap(lambda shapes: hs.tuples(first(shapes[0]), second(shapes[1])))


def one(strategy=st.arrays, **shape_options):
    return st.shapes(**shape_options).flatmap(lambda s: hs.tuples(strategy(s)))


@hs.composite
def with_axis(draw, strategy=st.arrays):
    """(x, axis, keepdims) with axis None, an int (maybe negative) or a tuple of axes."""
    x = draw(strategy(st.shapes()))
    axis = draw(hs.one_of(
        hs.none(),
        hs.integers(-x.ndim, x.ndim - 1),
        hs.lists(hs.integers(0, x.ndim - 1), unique=True, min_size=1).map(tuple),
    ))
    return x, axis, draw(hs.booleans())


@hs.composite
def matmul_pair(draw, batch_dims=0):
    """a (*batch, n, k) and b (k, m): a stack of matrices against one matrix when batch_dims > 0."""
    n, k, m = draw(hs.integers(1, 4)), draw(hs.integers(1, 4)), draw(hs.integers(1, 4))
    batch = tuple(draw(hs.integers(1, 3)) for _ in range(batch_dims))
    return draw(st.arrays(batch + (n, k))), draw(st.arrays((k, m)))


@hs.composite
def index_case(draw):
    x = draw(st.arrays(st.shapes(min_dims=2, max_dims=3)))
    rows = draw(hs.lists(hs.integers(0, x.shape[0] - 1), min_size=1, max_size=6))  # repeats allowed
    return x, np.array(rows)


def log_softmax_numpy(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax_numpy(x, axis):
    exp = np.exp(x - x.max(axis=axis, keepdims=True))
    return exp / exp.sum(axis=axis, keepdims=True)


@hs.composite
def softmax_case(draw):
    """(x, axis): softmax along any axis, negative ones included."""
    x = draw(st.arrays(st.shapes()))
    return x, draw(hs.integers(-x.ndim, x.ndim - 1))


@hs.composite
def joined_case(draw, new_axis=False):
    """(x0, ..., xk, axis), 1 to 3 arrays that cat (sizes may differ along axis) or, with new_axis,
    stack (one shape) along axis."""
    shape = draw(st.shapes(max_side=3))
    count = draw(hs.integers(1, 3))
    if new_axis:
        axis = draw(hs.integers(-len(shape) - 1, len(shape)))
        return tuple(draw(st.arrays(shape)) for _ in range(count)) + (axis,)
    axis = draw(hs.integers(-len(shape), len(shape) - 1))
    arrays = []
    for _ in range(count):
        own = list(shape)
        own[axis] = draw(hs.integers(1, 3))
        arrays.append(draw(st.arrays(tuple(own))))
    return tuple(arrays) + (axis,)


@hs.composite
def split_case(draw, chunks=False):
    """(x, how, axis): how is a piece size or a list of sizes adding up to the axis (zeros allowed),
    or with chunks, a number of chunks."""
    x = draw(st.arrays(st.shapes(max_side=5)))
    axis = draw(hs.integers(-x.ndim, x.ndim - 1))
    length = x.shape[axis]
    if chunks:
        return x, draw(hs.integers(1, length + 1)), axis
    if draw(hs.booleans()):
        return x, draw(hs.integers(1, length + 1)), axis
    cuts = sorted(draw(hs.lists(hs.integers(0, length), max_size=3)))
    return x, list(np.diff([0] + cuts + [length])), axis


def numpy_split(x, how, axis):
    """PyTorch's split, in numpy: pieces of size `how` (the last smaller), or of the sizes listed."""
    if isinstance(how, list):
        return np.split(x, np.cumsum(how)[:-1], axis=axis)
    return np.split(x, range(how, x.shape[axis], how), axis=axis)


def numpy_chunk(x, chunks, axis):
    return numpy_split(x, -(-x.shape[axis] // chunks), axis)


def weighted_cat(pieces, axis, cat=np.concatenate):
    """Piece i times (i + 1), joined again: values and gradients tell the pieces apart."""
    return cat([piece * (i + 1) for i, piece in enumerate(pieces)], axis=axis)


@hs.composite
def where_case(draw):
    """(mask, a, b), all three broadcasting together."""
    mask_shape, a_shape, b_shape = draw(st.broadcastable_shapes(num_shapes=3))
    return draw(st.bool_masks(mask_shape)), draw(st.arrays(a_shape)), draw(st.arrays(b_shape))


@hs.composite
def masked_fill_case(draw):
    """(x, mask) with mask broadcasting to x's shape: some axes of x's shape set to 1, some
    leading ones dropped."""
    x = draw(st.arrays(st.shapes()))
    mask_shape = tuple(1 if draw(hs.booleans()) else side for side in x.shape)
    mask_shape = mask_shape[draw(hs.integers(0, x.ndim)):]
    return x, draw(st.bool_masks(mask_shape))


@hs.composite
def attention_case(draw, broadcast_keys=False):
    """(q, k, v) of shape (N, heads, T, d); with broadcast_keys, k and v have batch 1."""
    n, heads, t, d = (draw(hs.integers(1, 2)), draw(hs.integers(1, 2)), draw(hs.integers(1, 4)),
                      draw(hs.integers(1, 3)))
    kv_batch = 1 if broadcast_keys else n
    return (draw(st.arrays((n, heads, t, d))), draw(st.arrays((kv_batch, heads, t, d))),
            draw(st.arrays((kv_batch, heads, t, d))))


def causal(t):
    """(T, T) True above the diagonal: query t may not look at keys after t."""
    return np.triu(np.ones((t, t), dtype=bool), k=1)


def causal_attention(q, k, v, use_where=False):
    """softmax(q k^T / sqrt(d), hiding the future) v on Tensors, per batch and head."""
    t, d = q.shape[-2], q.shape[-1]
    scores = (q @ k.transpose(0, 1, 3, 2)) * d ** -0.5  # a Python float: float32 stays float32
    if use_where:
        scores = F.where(~causal(t), scores, -np.inf)
    else:
        scores = scores.masked_fill(causal(t), -np.inf)
    return scores.softmax(axis=-1) @ v


def causal_attention_numpy(q, k, v):
    t, d = q.shape[-2], q.shape[-1]
    scores = np.where(causal(t), -np.inf, (q @ k.transpose(0, 1, 3, 2)) * d ** -0.5)
    return softmax_numpy(scores, -1) @ v


@hs.composite
def lstm_case(draw):
    """(x, h0, c0, Wx, Wh, b, gate_order) for ops.Lstm; N = 1 and T = 1 come up."""
    x, h0, Wx, Wh, b = draw(st.recurrent_inputs(gates=4))
    c0 = draw(st.arrays(h0.shape))
    return x, h0, c0, Wx, Wh, b, draw(hs.sampled_from(["ifog", "ifgo"]))


CASES = [
    Case("add", pair(), lambda a, b: a + b, np.add),
    Case("sub", pair(), lambda a, b: a - b, np.subtract),
    Case("mul", pair(), lambda a, b: a * b, np.multiply),
    Case("div", pair(st.arrays, st.positive_arrays), lambda a, b: a / b, np.divide),
    Case("pow", pair(st.positive_arrays, st.arrays), lambda a, b: a ** b, np.power),
    Case("pow_scalar", one(st.positive_arrays), lambda x: x ** 2.5, lambda x: x ** 2.5),
    Case("rpow_scalar", one(), lambda x: 2.0 ** x, lambda x: 2.0 ** x),
    Case("rsub_scalar", one(), lambda x: 3.0 - x, lambda x: 3.0 - x),
    Case("rdiv_scalar", one(st.positive_arrays), lambda x: 2.0 / x, lambda x: 2.0 / x),
    Case("radd_rmul_scalar", one(), lambda x: 1.5 * x + 2, lambda x: 1.5 * x + 2),
    Case("neg", one(), lambda x: -x, np.negative),
    Case("exp", one(), lambda x: x.exp(), np.exp),
    Case("log", one(st.positive_arrays), lambda x: x.log(), np.log),
    Case("relu", one(st.away_from), lambda x: x.relu(), lambda x: np.maximum(x, 0)),
    Case("F.relu", one(st.away_from), F.relu, lambda x: np.maximum(x, 0)),
    Case("sigmoid", one(), lambda x: x.sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    Case("tanh", one(), lambda x: x.tanh(), np.tanh),
    Case("sin", one(), lambda x: x.sin(), np.sin),
    Case("cos", one(), lambda x: x.cos(), np.cos),
    Case("sum", with_axis(), lambda x, a, k: x.sum(a, k), lambda x, a, k: np.sum(x, a, keepdims=k)),
    Case("mean", with_axis(), lambda x, a, k: x.mean(a, k), lambda x, a, k: np.mean(x, a, keepdims=k)),
    Case("max", with_axis(st.distinct_arrays), lambda x, a, k: x.max(axis=a, keepdims=k),
         lambda x, a, k: np.max(x, a, keepdims=k)),
    Case("Cast_widen_and_back", one(), lambda x: ops.Cast.apply(ops.Cast.apply(x, dtype=np.float64) * 2.0,
                                                              dtype=x.dtype), lambda x: x * 2.0),
    Case("reshape", one(), lambda x: x.reshape(-1, 1), lambda x: x.reshape(-1, 1)),
    Case("T", one(), lambda x: x.T, lambda x: x.T),
    Case("transpose", one(min_dims=3, max_dims=3), lambda x: x.transpose(1, 2, 0), lambda x: x.transpose(1, 2, 0)),
    Case("slice", one(min_dims=2), lambda x: x[1:, ::2], lambda x: x[1:, ::2]),
    Case("index_repeated", index_case(), lambda x, rows: x[rows], lambda x, rows: x[rows]),
    Case("matmul", matmul_pair(), lambda a, b: a @ b, np.matmul),
    Case("matmul_batched", matmul_pair(batch_dims=1), lambda a, b: a @ b, np.matmul),
    Case("matmul_batched_2d", matmul_pair(batch_dims=2), lambda a, b: a @ b, np.matmul),
    Case("log_softmax", one(min_dims=2, max_dims=2), lambda x: x.log_softmax(), lambda x: log_softmax_numpy(x, -1)),
    Case("F.log_softmax_axis0", one(min_dims=2, max_dims=2), lambda x: F.log_softmax(x, axis=0),
         lambda x: log_softmax_numpy(x, 0)),
    Case("F.cross_entropy", st.scores_and_labels(), F.cross_entropy, lambda s, y: cross_entropy_reference(s, y)[0]),
    Case("F.multiclass_hinge", st.scores_and_labels(), F.multiclass_hinge,
         lambda s, y: multiclass_hinge_reference(s, y)[0]),
    Case("F.l2", one(), F.l2, lambda w: np.sum(w ** 2)),
    Case("affine_relu_chain", hs.tuples(st.arrays((4, 3)), st.arrays((3, 2)), st.away_from((2,))),
         lambda x, w, b: ((x @ w) + b).tanh().sum(axis=1),
         lambda x, w, b: np.tanh(x @ w + b).sum(axis=1)),
    # sequences: word embeddings, joining and cutting along an axis, masks, softmax, attention
    Case("F.embedding", st.embedding_inputs(), F.embedding, lambda indices, weight: weight[indices]),
    Case("F.cat", joined_case(), lambda *xs: F.cat(xs[:-1], axis=xs[-1]),
         lambda *xs: np.concatenate(xs[:-1], axis=xs[-1])),
    Case("F.stack", joined_case(new_axis=True), lambda *xs: F.stack(xs[:-1], axis=xs[-1]),
         lambda *xs: np.stack(xs[:-1], axis=xs[-1])),
    Case("F.split", split_case(), lambda x, how, axis: weighted_cat(F.split(x, how, axis), axis, F.cat),
         lambda x, how, axis: weighted_cat(numpy_split(x, how, axis), axis)),
    Case("F.chunk", split_case(chunks=True), lambda x, n, axis: weighted_cat(F.chunk(x, n, axis), axis, F.cat),
         lambda x, n, axis: weighted_cat(numpy_chunk(x, n, axis), axis)),
    Case("F.where", where_case(), F.where, np.where),
    Case("F.where_number", hs.tuples(st.bool_masks((3, 4)), st.arrays((4,))), lambda m, a: F.where(m, a, 0.5),
         lambda m, a: np.where(m, a, 0.5)),
    Case("masked_fill", masked_fill_case(), lambda x, m: x.masked_fill(m, -2.0), lambda x, m: np.where(m, -2.0, x)),
    Case("softmax", softmax_case(), lambda x, axis: x.softmax(axis), softmax_numpy),
    Case("F.temporal_cross_entropy", st.temporal_scores_labels_mask(), F.temporal_cross_entropy,
         lambda s, y, mask: temporal_cross_entropy_reference(s, y, mask)[0]),
    Case("matmul_4d", attention_case(broadcast_keys=True).map(lambda qkv: qkv[:2]),
         lambda q, k: q @ k.transpose(0, 1, 3, 2), lambda q, k: q @ k.transpose(0, 1, 3, 2)),
    Case("attention_causal_masked_fill", attention_case(), causal_attention, causal_attention_numpy),
    Case("attention_causal_where", attention_case(), lambda q, k, v: causal_attention(q, k, v, use_where=True),
         causal_attention_numpy),
    Case("Lstm", lstm_case(), lambda *args: ops.Lstm.apply(*args[:-1], gate_order=args[-1]),
         lambda *args: lstm_reference(*args[:-1], gate_order=args[-1])),
]


def as_tensors(args, dtype=None):
    return [Tensor(a, dtype=dtype) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in args]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@given(data=hs.data())
def test_forward_matches_numpy(case, data):
    args = data.draw(case.inputs)
    out = case.op(*as_tensors(args))
    np.testing.assert_allclose(out.data, case.reference(*args), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@given(data=hs.data())
def test_gradient_matches_numerical(case, data):
    args = data.draw(case.inputs)
    assert gradcheck(case.op, *args)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@given(data=hs.data())
def test_float32_stays_float32(case, data):
    args = [a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
            for a in data.draw(case.inputs)]
    tensors = [Tensor(a, requires_grad=True) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
               for a in args]
    out = case.op(*tensors)
    assert out.dtype == np.float32
    out.sum().backward()
    for t in tensors:
        if isinstance(t, Tensor):
            assert t.grad.dtype == np.float32 and t.grad.shape == t.shape
    np.testing.assert_allclose(out.data, case.reference(*args), rtol=1e-4, atol=1e-4)
