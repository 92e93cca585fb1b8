"""Every op, one line each: forward values against numpy, gradients against numerical differences.

Each case draws its inputs from tinygrad231n.testing.strategies: shapes with size-1 axes,
broadcasting pairs, and values kept away from each op's kinks.
"""
from typing import Callable, NamedTuple

import numpy as np
import pytest
from hypothesis import given, strategies as hs

import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor
from tinygrad231n.gradcheck import gradcheck
from tinygrad231n.ops.cross_entropy import cross_entropy_reference
from tinygrad231n.ops.multiclass_hinge import multiclass_hinge_reference
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
def matmul_pair(draw, batched=False):
    n, k, m = draw(hs.integers(1, 4)), draw(hs.integers(1, 4)), draw(hs.integers(1, 4))
    batch = (draw(hs.integers(1, 3)),) if batched else ()
    return draw(st.arrays(batch + (n, k))), draw(st.arrays((k, m)))


@hs.composite
def index_case(draw):
    x = draw(st.arrays(st.shapes(min_dims=2, max_dims=3)))
    rows = draw(hs.lists(hs.integers(0, x.shape[0] - 1), min_size=1, max_size=6))  # repeats allowed
    return x, np.array(rows)


def log_softmax_numpy(x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


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
    Case("sum", with_axis(), lambda x, a, k: x.sum(a, k), lambda x, a, k: np.sum(x, a, keepdims=k)),
    Case("mean", with_axis(), lambda x, a, k: x.mean(a, k), lambda x, a, k: np.mean(x, a, keepdims=k)),
    Case("max", with_axis(st.distinct_arrays), lambda x, a, k: x.max(a, k), lambda x, a, k: np.max(x, a, keepdims=k)),
    Case("reshape", one(), lambda x: x.reshape(-1, 1), lambda x: x.reshape(-1, 1)),
    Case("T", one(), lambda x: x.T, lambda x: x.T),
    Case("transpose", one(min_dims=3, max_dims=3), lambda x: x.transpose(1, 2, 0), lambda x: x.transpose(1, 2, 0)),
    Case("slice", one(min_dims=2), lambda x: x[1:, ::2], lambda x: x[1:, ::2]),
    Case("index_repeated", index_case(), lambda x, rows: x[rows], lambda x, rows: x[rows]),
    Case("matmul", matmul_pair(), lambda a, b: a @ b, np.matmul),
    Case("matmul_batched", matmul_pair(batched=True), lambda a, b: a @ b, np.matmul),
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
