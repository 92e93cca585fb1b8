"""The shipped hypothesis strategies keep the promises their docstrings make."""
import numpy as np
from hypothesis import given

from tinygrad231n.testing import strategies as st


@given(st.away_from(st.shapes(), kinks=(0.0, 1.0), gap=0.05))
def test_away_from_keeps_every_value_off_the_kinks(x):
    assert np.all(np.abs(x) >= 0.05 - 1e-12) and np.all(np.abs(x - 1.0) >= 0.05 - 1e-12)


@given(st.distinct_arrays(st.shapes(), spacing=0.1))
def test_distinct_arrays_have_no_near_ties(x):
    values = np.sort(x.ravel())
    assert values.size < 2 or np.diff(values).min() >= 0.1 - 1e-9


@given(st.scores_and_labels())
def test_scores_and_labels_keep_hinge_margins_off_zero(scores_labels):
    scores, y = scores_labels
    n, c = scores.shape
    assert y.shape == (n,) and y.min() >= 0 and y.max() < c
    margins = scores - scores[np.arange(n), y][:, None] + 1.0
    margins[np.arange(n), y] = 1.0
    assert np.abs(margins).min() >= 0.02


@given(st.broadcastable_shapes())
def test_broadcastable_shapes_broadcast(shapes):
    np.broadcast_shapes(*shapes)


@given(st.arrays(st.shapes(), low=-2, high=2))
def test_arrays_are_finite_and_bounded(x):
    assert np.isfinite(x).all() and np.abs(x).max() <= 2
