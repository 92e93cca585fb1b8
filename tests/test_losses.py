"""The fused loss kernels: agreement with their numpy references, stability, and label checks."""
import numpy as np
import pytest
from hypothesis import given, strategies as hs

import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor
from tinygrad231n.kernels.thresholds import LOSS_MIN_ROWS
from tinygrad231n.ops import cross_entropy as ce, multiclass_hinge as mh
from tinygrad231n.testing import strategies as st

KERNELS = [
    (ce.cross_entropy_kernel, ce.cross_entropy_reference),
    (mh.multiclass_hinge_kernel, mh.multiclass_hinge_reference),
]


@pytest.mark.parametrize("kernel, reference", KERNELS, ids=["cross_entropy", "multiclass_hinge"])
@given(scores_labels=st.scores_and_labels(max_n=20, max_classes=12))
def test_kernel_matches_reference_to_1e_12(kernel, reference, scores_labels):
    scores, y = scores_labels
    loss, dscores = kernel(scores, y)
    ref_loss, ref_dscores = reference(scores, y)
    assert abs(loss - ref_loss) <= 1e-12 * max(1.0, abs(ref_loss))
    np.testing.assert_allclose(dscores, ref_dscores, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kernel, reference", KERNELS, ids=["cross_entropy", "multiclass_hinge"])
@pytest.mark.parametrize("n", [7, LOSS_MIN_ROWS + 3])  # the serial and the threaded compilation
def test_both_compilations_match_reference_on_random_scores(kernel, reference, n, rng):
    scores = rng.standard_normal((n, 10))
    y = rng.integers(0, 10, n)
    loss, dscores = kernel(scores, y)
    ref_loss, ref_dscores = reference(scores, y)
    assert abs(loss - ref_loss) <= 1e-12 * abs(ref_loss)
    np.testing.assert_allclose(dscores, ref_dscores, rtol=1e-12, atol=1e-15)


def test_cross_entropy_is_finite_for_logits_of_plus_minus_1000():
    scores = Tensor(np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]]), requires_grad=True)
    loss = F.cross_entropy(scores, np.array([1, 2]))
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(scores.grad).all()
    np.testing.assert_allclose(loss.item(), 1000.0)  # row 0 costs 2000, row 1 costs 0: mean 1000


def test_cross_entropy_of_uniform_scores_is_log_c():
    assert F.cross_entropy(Tensor(np.zeros((4, 10))), np.arange(4)).item() == pytest.approx(np.log(10))


def test_hinge_by_hand():
    scores = Tensor(np.array([[3.0, 1.0, 2.5], [0.0, 0.0, 0.0]]))
    # row 0 (y=0): max(0, 1-3+1) + max(0, 2.5-3+1) = 0 + 0.5; row 1 (y=2): 1 + 1 = 2; mean = 1.25
    assert F.multiclass_hinge(scores, np.array([0, 2])).item() == pytest.approx(1.25)
    assert F.multiclass_hinge(scores, np.array([0, 2]), margin=0.0).item() == pytest.approx(0.0)


def test_float32_kernels_keep_float32(rng):
    scores = Tensor(rng.standard_normal((5, 4)).astype(np.float32), requires_grad=True)
    loss = F.cross_entropy(scores, np.array([0, 1, 2, 3, 0])) + F.multiclass_hinge(scores, np.array([0, 1, 2, 3, 0]))
    loss.backward()
    assert loss.dtype == np.float32 and scores.grad.dtype == np.float32


@pytest.mark.parametrize("loss", [F.cross_entropy, F.multiclass_hinge])
@pytest.mark.parametrize("labels, error, message", [
    (np.array([0.0, 1.0]), TypeError, "labels must be an integer array, got dtype float64"),
    (np.array([0, 1, 2]), ValueError, r"labels must have shape \(2,\)"),
    (np.array([[0, 1]]), ValueError, r"labels must have shape \(2,\)"),
    (np.array([0, 3]), ValueError, r"label 3 is out of range for 3 classes \(expected 0..2\)"),
    (np.array([-1, 0]), ValueError, "label -1 is out of range"),
])
def test_bad_labels(loss, labels, error, message):
    with pytest.raises(error, match=message):
        loss(Tensor(np.zeros((2, 3))), labels)


def test_scores_must_be_a_matrix():
    with pytest.raises(ValueError, match=r"scores must have shape \(N, C\)"):
        F.cross_entropy(Tensor(np.zeros(3)), np.array([0]))


# ---- NaN is never dropped -----------------------------------------------------------------------
def scores_with_nan_at(shape, where):
    scores = np.random.default_rng(0).standard_normal(shape)
    scores[where] = np.nan
    return scores


@pytest.mark.parametrize("loss", [F.cross_entropy, F.multiclass_hinge])
@pytest.mark.parametrize("where", [(slice(None), slice(None)), (0, 2), (1, 0)],
                         ids=["all", "non-label column", "label column"])
def test_a_nan_score_makes_the_loss_and_that_rows_gradient_nan(loss, where):
    scores = Tensor(scores_with_nan_at((3, 4), where), requires_grad=True)
    y = np.array([0, 0, 1])  # (0, 2) is not row 0's label; (1, 0) is row 1's label
    out = loss(scores, y)
    out.backward()
    assert np.isnan(out.item())
    row = 0 if where[0] == slice(None) else where[0]
    assert np.isnan(scores.grad[row, y[row]])  # the row's label column: its margins have no slope


@pytest.mark.parametrize("n", [7, LOSS_MIN_ROWS + 3])  # the serial and the threaded compilation
def test_hinge_kernel_matches_reference_with_nan_and_inf(n, rng):
    scores = rng.standard_normal((n, 5))
    y = rng.integers(0, 5, n)
    scores[0, :] = np.nan
    scores[1, (y[1] + 1) % 5] = np.nan
    scores[2, y[2]] = np.nan
    scores[3, (y[3] + 1) % 5] = np.inf
    scores[4, y[4]] = -np.inf
    loss, dscores = mh.multiclass_hinge_kernel(scores, y)
    ref_loss, ref_dscores = mh.multiclass_hinge_reference(scores, y)
    assert np.isnan(loss) and np.isnan(ref_loss)
    np.testing.assert_array_equal(np.isnan(dscores), np.isnan(ref_dscores))
    np.testing.assert_allclose(dscores, ref_dscores, rtol=1e-12, atol=1e-15)  # NaN where the other has NaN
    finite_rows = slice(5, None)
    assert np.isfinite(dscores[finite_rows]).all()


@pytest.mark.parametrize("model", ["LinearSVM", "Softmax"])
def test_a_linear_classifier_on_nan_images_has_a_nan_loss(model, rng):
    import models.linear
    from tinygrad231n.cs231n import classifiers as cs231n_classifiers
    X = rng.standard_normal((6, 5))
    X[2, 3] = np.nan
    classifier = getattr(models.linear, model)(W=0.01 * rng.standard_normal((5, 3)))
    loss = classifier.loss(X, np.array([0, 1, 2, 0, 1, 2]), reg=0.1)
    assert np.isnan(loss.item())
    adapter = getattr(cs231n_classifiers, model)()  # the assignment's API: (loss, dW)
    adapter.W = classifier.W.data
    loss, dW = adapter.loss(X, np.array([0, 1, 2, 0, 1, 2]), 0.1)
    assert np.isnan(loss) and np.isnan(dW).any()


def test_scores_of_a_float_the_kernels_are_not_built_for_are_refused():
    from tinygrad231n.ops import CrossEntropy, MulticlassHinge
    for op, name in [(CrossEntropy, "cross_entropy"), (MulticlassHinge, "multiclass_hinge")]:
        with pytest.raises(TypeError, match=f"{name}: scores must be float32 or float64 .*got float16"):
            op.apply(np.zeros((2, 3), np.float16), np.array([0, 1]))  # a raw array skips Tensor's check
