"""kNN: every distance version against its numpy reference, the vote, cross-validation, bad input."""
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as hs

from models.knn import KNearestNeighbor, cross_validate_k
from tinygrad231n.kernels import distances as D
from tinygrad231n.testing import strategies as st

LOOP_KERNELS = [  # (kernel, its reference): the kernels that subtract before squaring
    (D.l2_distances_two_loops, D.l2_distances_reference),
    (D.l2_distances_one_loop, D.l2_distances_reference),
    (D.l1_distances, D.l1_distances_reference),
]
ALL_DISTANCES = [kernel for kernel, _ in LOOP_KERNELS] + [D.l2_distances_no_loops]
METRIC_METHODS = [("l2", "no_loops"), ("l2", "one_loop"), ("l2", "two_loops"), ("l1", "two_loops")]
name_of = lambda f: f.__name__  # noqa: E731


@hs.composite
def row_pairs(draw, dtype=np.float64):
    """(X_test (M, D), X_train (N, D)); M up to 2.5 TEST_BLOCKs and N up to 5 TRAIN_BLOCKs, so
    full and partial tiles both occur."""
    d = draw(hs.integers(1, 40))
    m = draw(hs.integers(1, 40))
    n = draw(hs.integers(1, 40))
    return draw(st.arrays((m, d), -50, 50, dtype)), draw(st.arrays((n, d), -50, 50, dtype))


def identity_tolerance(X_test, X_train):
    """A bound on the error of |a|^2 + |b|^2 - 2a.b in floating point: each of its sums of D terms
    is off by at most about D * eps times the sum of the magnitudes, which is <= |a|^2 + |b|^2;
    and each term under the smallest normal number (`tiny`) may underflow to 0. The `+ 2`: the sqrt
    and the squaring back in `assert_identity_close` each round once more, by eps * |a - b|^2
    <= 2 eps (|a|^2 + |b|^2) (with D = 1 this is most of the bound)."""
    info, d = np.finfo(X_test.dtype), X_test.shape[1]
    sq = lambda X: (X.astype(np.float64) ** 2).sum(axis=1)  # noqa: E731
    return 4 * (d + 2) * (info.eps * (sq(X_test)[:, None] + sq(X_train)[None, :]) + info.tiny)


def assert_identity_close(dists, X_test, X_train):
    # The identity cancels large squares, so near-equal rows lose most digits of their (small)
    # distance: hold it to the bound on the squared distance, not to a relative tolerance.
    expected = D.l2_distances_reference(X_test.astype(np.float64), X_train.astype(np.float64))
    error = np.abs(dists.astype(np.float64) ** 2 - expected**2)
    assert np.all(error <= identity_tolerance(X_test, X_train))


# ---- distances ------------------------------------------------------------------------------


@pytest.mark.parametrize("kernel, reference", LOOP_KERNELS, ids=lambda f: f.__name__)
@given(pair=row_pairs())
def test_loop_kernels_match_reference_float64(kernel, reference, pair):
    X_test, X_train = pair
    out = kernel(X_test, X_train)
    assert out.dtype == np.float64 and out.shape == (len(X_test), len(X_train))
    np.testing.assert_allclose(out, reference(X_test, X_train), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kernel, reference", LOOP_KERNELS, ids=lambda f: f.__name__)
@settings(max_examples=15)
@given(pair=row_pairs(dtype=np.float32))
def test_loop_kernels_match_reference_float32(kernel, reference, pair):
    X_test, X_train = pair
    out = kernel(X_test, X_train)
    assert out.dtype == np.float32
    # Summed in float64, so the only float32 roundings are each squared difference and the result.
    expected = reference(X_test.astype(np.float64), X_train.astype(np.float64))
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(data=hs.data())
def test_no_loops_matches_reference_within_the_identity_error(dtype, data):
    X_test, X_train = data.draw(row_pairs(dtype))
    chunk_size = data.draw(hs.integers(1, 50))  # several chunks, one chunk, or a partial one
    out = D.l2_distances_no_loops(X_test, X_train, chunk_size=chunk_size)
    assert out.dtype == dtype and out.shape == (len(X_test), len(X_train))
    assert_identity_close(out, X_test, X_train)


def test_no_loops_on_equal_rows_is_clamped_not_nan(rng):
    # Large, nearly equal rows: |a|^2 + |b|^2 - 2a.b is dominated by rounding and can come out negative.
    X = 1000 + rng.random((30, 50))
    X_train = np.concatenate([X, X + 1e-9])
    out = D.l2_distances_no_loops(X, X_train)
    assert np.isfinite(out).all() and (out >= 0).all()
    assert_identity_close(out, X, X_train)
    assert (D.l2_distances_two_loops(X, X_train)[:, :30].diagonal() == 0).all()  # the loops subtract first


@pytest.mark.parametrize("kernel", ALL_DISTANCES, ids=name_of)
def test_uint8_becomes_float64_without_wrapping_around(kernel):
    a, b = np.array([[0, 255, 3]], dtype=np.uint8), np.array([[255, 0, 3]], dtype=np.uint8)
    out = kernel(a, b)
    expected = 510.0 if kernel is D.l1_distances else np.sqrt(2) * 255  # uint8 0 - 255 would give 1
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, [[expected]], rtol=1e-12)


@pytest.mark.parametrize("kernel", ALL_DISTANCES, ids=name_of)
def test_mixed_float32_float64_and_strided_inputs_compute_in_float64(kernel, rng):
    X_test = rng.standard_normal((9, 7)).astype(np.float32)
    X_train = np.asfortranarray(rng.standard_normal((20, 14)))[::2, ::2]  # neither C- nor F-contiguous
    reference = (D.l1_distances_reference if kernel is D.l1_distances else D.l2_distances_reference)
    out = kernel(X_test, X_train)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, reference(X_test.astype(np.float64), X_train), rtol=1e-9)


@pytest.mark.parametrize("kernel", ALL_DISTANCES, ids=name_of)
@pytest.mark.parametrize("m, n, d", [(0, 5, 3), (4, 0, 3), (3, 4, 0)])
def test_empty_inputs_give_the_right_shape(kernel, m, n, d):
    out = kernel(np.ones((m, d)), np.zeros((n, d)))
    assert out.shape == (m, n) and (out == 0).all()


@pytest.mark.parametrize("kernel", ALL_DISTANCES + [D.l2_distances_reference, D.l1_distances_reference],
                         ids=name_of)
def test_distances_reject_bad_shapes_and_dtypes(kernel):
    with pytest.raises(ValueError, match=r"different numbers of features \(3 != 2\).*"):
        kernel(np.zeros((4, 3)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"must be 2-D .*got shapes \(3,\) and \(5, 3\)"):
        kernel(np.zeros(3), np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"got shapes \(2, 3\) and \(1, 5, 3\)"):
        kernel(np.zeros((2, 3)), np.zeros((1, 5, 3)))
    with pytest.raises(TypeError, match="expected real numbers.*complex128"):
        kernel(np.zeros((2, 3), dtype=complex), np.zeros((5, 3)))
    with pytest.raises(TypeError, match="expected real numbers"):
        kernel(np.zeros((2, 3)), np.full((5, 3), "a"))


@pytest.mark.parametrize("kernel", ALL_DISTANCES + [D.l2_distances_reference, D.l1_distances_reference],
                         ids=name_of)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_distances_reject_non_finite_rows(kernel, bad):
    X = np.zeros((4, 3), dtype=np.float32)
    X[2, 1] = bad
    with pytest.raises(ValueError, match=rf"X_test must be finite, but X_test\[2, 1\] is {bad}"):
        kernel(X, np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"X_train must be finite, but X_train\[2, 1\]"):
        kernel(np.zeros((5, 3)), X)


def test_knn_refuses_nan_pixels_instead_of_voting_around_them(rng):
    X = rng.standard_normal((6, 4))
    knn = trained(X, np.array([0, 1, 0, 1, 0, 1]))
    X_test = rng.standard_normal((2, 4))
    X_test[1, 3] = np.nan
    for method in ("no_loops", "one_loop", "two_loops"):
        with pytest.raises(ValueError, match="X_test must be finite"):
            knn.predict(X_test, k=3, method=method)
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="X_train must be finite"):
        trained(X, np.array([0, 1, 0, 1, 0, 1])).predict(X_test[:1], k=3)


@pytest.mark.parametrize("chunk_size", [0, -1, 2.5, True])
def test_no_loops_rejects_bad_chunk_size(chunk_size):
    with pytest.raises(ValueError, match="chunk_size must be a positive integer"):
        D.l2_distances_no_loops(np.zeros((2, 3)), np.zeros((5, 3)), chunk_size=chunk_size)


# ---- the classifier -------------------------------------------------------------------------


def trained(X, y):
    knn = KNearestNeighbor()
    knn.train(X, y)
    return knn


def vote_by_hand(dists_row, labels, k):
    """The vote, spelled out: the k nearest by sorting, the most common label, the smallest on a tie."""
    counts = Counter(labels[np.argsort(dists_row)[:k]])
    best = max(counts.values())
    return min(label for label, count in counts.items() if count == best)


def test_a_tied_vote_goes_to_the_smallest_label():
    knn = trained(np.zeros((5, 2)), np.array([3, 1, 2, 1, 3]))
    nearest_3_3_1_1 = [0.1, 0.2, 5.0, 0.3, 0.15]
    nearest_3_3_1_2 = [0.1, 0.2, 0.3, 0.9, 0.15]
    nearest_3_1 = [0.1, 0.2, 5.0, 5.0, 5.0]
    dists = np.array([nearest_3_3_1_1, nearest_3_3_1_2, nearest_3_1])
    np.testing.assert_array_equal(knn.predict_labels(dists, k=4), [1, 3, 1])  # a majority beats a smaller label
    assert knn.predict_labels(dists[2:], k=2)[0] == 1  # being nearer does not break the tie, the label does


def test_vote_matches_the_vote_by_hand_for_every_k(rng):
    labels = rng.integers(0, 4, 40)
    knn = trained(np.zeros((40, 1)), labels)
    dists = rng.random((25, 40))  # distinct distances: the k nearest are well defined
    for k in (1, 2, 3, 4, 7, 40):
        expected = [vote_by_hand(row, labels, k) for row in dists]
        np.testing.assert_array_equal(knn.predict_labels(dists, k=k), expected)


def test_labels_need_not_be_0_to_c_minus_1(rng):
    X = rng.standard_normal((12, 3))
    y = np.array([10, -5, 7] * 4)
    knn = trained(X, y)
    np.testing.assert_array_equal(knn.predict(X, k=1), y)
    assert knn.predict(X, k=12).tolist() == [-5] * 12  # three-way tie of 4 votes each


@pytest.mark.parametrize("metric, method", METRIC_METHODS)
def test_k1_on_the_training_data_gives_the_training_labels(metric, method, rng):
    X, y = rng.standard_normal((45, 6)), rng.integers(0, 4, 45)
    labels = trained(X, y).predict(X, k=1, method=method, metric=metric)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, y)


def test_every_method_gives_the_same_predictions(rng):
    X, y = rng.standard_normal((60, 8)), rng.integers(0, 3, 60)
    X_test = rng.standard_normal((17, 8))
    knn = trained(X, y)
    expected = knn.predict_labels(D.l2_distances_reference(X_test, X), k=5)
    for method in ("no_loops", "one_loop", "two_loops"):
        np.testing.assert_array_equal(knn.predict(X_test, k=5, method=method), expected)
    l1 = knn.predict_labels(D.l1_distances_reference(X_test, X), k=5)
    np.testing.assert_array_equal(knn.predict(X_test, k=5, metric="l1"), l1)


# ---- cross-validation -----------------------------------------------------------------------


def clusters(rng, n=90, num_classes=3, d=5):
    """Three well-separated Gaussian blobs in random order: kNN should be far above 1/3."""
    y = rng.permutation(np.arange(n) % num_classes)
    return 4 * rng.standard_normal((num_classes, d))[y] + rng.standard_normal((n, d)), y


def test_cross_validation_gives_each_k_one_accuracy_per_fold(rng):
    X, y = clusters(rng)
    accuracies = cross_validate_k(X, y, k_choices=(1, 3, 5, 8), num_folds=5)
    assert list(accuracies) == [1, 3, 5, 8]
    for per_fold in accuracies.values():
        assert len(per_fold) == 5 and all(isinstance(a, float) and 0 <= a <= 1 for a in per_fold)
    assert np.mean(accuracies[5]) > 0.8  # chance is 1/3


def test_cross_validation_holds_out_the_array_split_folds_in_turn(rng):
    X, y = clusters(rng, n=23)  # 23 rows in 4 folds: sizes 6, 6, 6, 5
    accuracies = cross_validate_k(X, y, k_choices=(1, 3), num_folds=4, metric="l1")
    last_fold = slice(18, 23)
    knn = trained(X[:18], y[:18])
    expected = np.mean(knn.predict(X[last_fold], k=3, metric="l1") == y[last_fold])
    assert accuracies[3][3] == expected


def test_cross_validation_computes_distances_once_per_fold(rng, monkeypatch):
    calls = []
    original = KNearestNeighbor.compute_distances
    monkeypatch.setattr(KNearestNeighbor, "compute_distances",
                        lambda self, *args, **kwargs: calls.append(1) or original(self, *args, **kwargs))
    cross_validate_k(*clusters(rng), k_choices=(1, 3, 5, 10), num_folds=3)
    assert len(calls) == 3


# ---- bad input ------------------------------------------------------------------------------


def test_using_an_untrained_classifier_says_to_train_first():
    for call in (lambda knn: knn.predict(np.zeros((2, 3))), lambda knn: knn.compute_distances(np.zeros((2, 3))),
                 lambda knn: knn.predict_labels(np.zeros((2, 3)))):
        with pytest.raises(RuntimeError, match=r"call train\(X, y\) first"):
            call(KNearestNeighbor())


@pytest.mark.parametrize("X, y, error, message", [
    (np.zeros((4, 3)), np.zeros(4), TypeError, "labels y must be integers, got dtype float64"),
    (np.zeros((4, 3)), np.zeros(3, dtype=int), ValueError, r"must have shape \(4,\), one per row of X, got \(3,\)"),
    (np.zeros((4, 3)), np.zeros((4, 1), dtype=int), ValueError, r"must have shape \(4,\)"),
    (np.zeros(4), np.zeros(4, dtype=int), ValueError, r"X must be 2-D \(num_rows, num_features\), got shape \(4,\)"),
    (np.zeros((0, 3)), np.zeros(0, dtype=int), ValueError, "X has no rows"),
    (np.full((4, 3), "x"), np.zeros(4, dtype=int), TypeError, "X must hold real numbers"),
])
def test_train_rejects_bad_data(X, y, error, message):
    with pytest.raises(error, match=message):
        KNearestNeighbor().train(X, y)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(k=0), ValueError, r"k must be between 1 and the number of training rows \(4\), got 0"),
    (dict(k=5), ValueError, r"k must be between 1 and the number of training rows \(4\), got 5"),
    (dict(k=1.5), TypeError, "k must be an integer, got 1.5"),
    (dict(k=True), TypeError, "k must be an integer"),
    (dict(method="three_loops"), ValueError, "metric 'l2' has no method 'three_loops'; available: no_loops"),
    (dict(metric="l1", method="no_loops"), ValueError, "metric 'l1' has no method 'no_loops'; available: two_loops"),
    (dict(metric="cosine"), ValueError, r"metric must be one of \('l2', 'l1'\), got 'cosine'"),
])
def test_predict_rejects_bad_options(kwargs, error, message):
    with pytest.raises(error, match=message):
        trained(np.zeros((4, 3)), np.arange(4)).predict(np.zeros((2, 3)), **kwargs)


def test_predict_rejects_test_rows_of_another_size():
    knn = trained(np.zeros((4, 3)), np.arange(4))
    with pytest.raises(ValueError, match=r"X has 5 features per row but the training data has 3"):
        knn.predict(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"X must be 2-D"):
        knn.predict(np.zeros(3))


def test_predict_labels_rejects_distances_of_the_wrong_shape():
    knn = trained(np.zeros((4, 3)), np.arange(4))
    message = r"dists must be \(num_test, 4\), one column per training row, got shape \(2, 5\)"
    with pytest.raises(ValueError, match=message):
        knn.predict_labels(np.zeros((2, 5)))


@pytest.mark.parametrize("kwargs, message", [
    (dict(num_folds=1), r"num_folds must be an integer from 2 to the number of examples \(10\), got 1"),
    (dict(num_folds=11), r"num_folds must be an integer from 2 to the number of examples \(10\), got 11"),
    (dict(k_choices=()), "k_choices is empty"),
    (dict(k_choices=(1, 9), num_folds=5),
     r"k must be between 1 and the smallest training set of the 5 folds \(8\), got 9"),
])
def test_cross_validation_rejects_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        cross_validate_k(np.zeros((10, 2)), np.arange(10) % 2, **kwargs)
