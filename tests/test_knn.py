"""kNN: the distance kernels against their numpy reference, the vote, cross-validation, errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as hs

from models.knn import KNearestNeighbor, cross_validate_k, vote
from tinygrad231n.ops import distances as D
from tinygrad231n.testing import strategies as st

L2_KERNELS = [D.l2_distances_two_loops, D.l2_distances_one_loop, D.l2_distances_no_loops]


@hs.composite
def distance_inputs(draw):
    d = draw(hs.integers(1, 40))
    m, n = draw(hs.integers(1, 20)), draw(hs.integers(1, 20))  # m > TEST_BLOCK covers partial blocks
    return draw(st.arrays((m, d), -50, 50)), draw(st.arrays((n, d), -50, 50))


@pytest.mark.parametrize("kernel", L2_KERNELS, ids=lambda f: f.__name__)
@given(pair=distance_inputs())
def test_l2_kernels_match_reference(kernel, pair):
    X_test, X_train = pair
    # The no-loop identity |a|^2 + |b|^2 - 2ab cancels large squares: for nearly equal rows its
    # distance is only good to about sqrt(eps) * |a|, hence the absolute tolerance.
    np.testing.assert_allclose(kernel(X_test, X_train), D.l2_distances_reference(X_test, X_train),
                               rtol=1e-10, atol=1e-5)


@given(pair=distance_inputs())
def test_l1_matches_numpy(pair):
    X_test, X_train = pair
    expected = np.abs(X_test[:, None, :] - X_train[None, :, :]).sum(axis=-1)
    np.testing.assert_allclose(D.l1_distances(X_test, X_train), expected, rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("kernel", L2_KERNELS + [D.l1_distances], ids=lambda f: f.__name__)
def test_float32_and_uint8_inputs_give_float64(kernel, rng):
    pixels = rng.integers(0, 256, (5, 12)).astype(np.uint8)
    out = kernel(pixels[:3], pixels.astype(np.float32))
    assert out.dtype == np.float64 and out.shape == (3, 5)
    assert np.allclose(np.diag(out[:, :3]), 0, atol=1e-4)  # each row's distance to itself


def test_vote_ties_go_to_the_smallest_label():
    labels = np.array([3, 1, 2, 1, 3])
    dists = np.array([[0.1, 0.2, 0.3, 0.9, 0.15]])   # nearest 4: labels 3, 3, 1, 2 -> 3 wins outright
    assert vote(dists, labels, 4)[0] == 3
    assert vote(dists, labels, 2)[0] == 3
    dists = np.array([[0.1, 0.2, 5.0, 0.3, 0.15]])   # nearest 4: 3, 3, 1, 1 -> tie 1 vs 3 -> 1
    assert vote(dists, labels, 4)[0] == 1


def test_k1_on_the_training_data_returns_the_training_labels(rng):
    X, y = rng.standard_normal((30, 6)), rng.integers(0, 4, 30)
    knn = KNearestNeighbor()
    knn.train(X, y)
    for method in ("no_loops", "one_loop", "two_loops"):
        np.testing.assert_array_equal(knn.predict(X, k=1, method=method), y)


def test_cross_validation_on_separable_clusters(rng):
    centres = rng.standard_normal((3, 5)) * 10
    y = np.repeat(np.arange(3), 20)
    X = centres[y] + rng.standard_normal((60, 5))
    order = rng.permutation(60)
    accuracies = cross_validate_k(X[order], y[order], k_choices=(1, 3, 7), num_folds=4)
    assert set(accuracies) == {1, 3, 7}
    assert all(len(v) == 4 and min(v) >= 0.9 for v in accuracies.values())


def test_bad_input():
    knn = KNearestNeighbor()
    with pytest.raises(RuntimeError, match="call train"):
        knn.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="labels must be 4 integers"):
        knn.train(np.zeros((4, 3)), np.zeros(4))
    knn.train(np.zeros((4, 3)), np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match=r"test data must be \(M, 3\)"):
        knn.predict(np.zeros((2, 5)))
    for k in (0, 5, 1.5):
        with pytest.raises(ValueError, match="k must be an integer between 1 and"):
            knn.predict(np.zeros((2, 3)), k=k)
    with pytest.raises(ValueError, match="method must be one of"):
        knn.predict(np.zeros((2, 3)), method="three_loops")
    with pytest.raises(ValueError, match=r"different numbers of features \(3 != 2\)"):
        D.l2_distances_two_loops(np.zeros((2, 3)), np.zeros((2, 2)))
