"""tinygrad231n.cs231n: the assignment's API for kNN and the linear classifiers, called as the notebooks do."""
import pickle
import random
import re

import numpy as np
import pytest

from tinygrad231n.cs231n.classifiers import KNearestNeighbor, LinearClassifier, LinearSVM, Softmax
from tinygrad231n.cs231n.classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized
from tinygrad231n.cs231n.classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized
from tinygrad231n.cs231n.data_utils import get_CIFAR10_data, load_CIFAR10, load_CIFAR_batch
from tinygrad231n.cs231n.gradient_check import (eval_numerical_gradient, eval_numerical_gradient_array,
                                                grad_check_sparse)
from tinygrad231n.data import DataNotFoundError, cifar10, load_cifar10_sample

LOSSES = [(svm_loss_naive, svm_loss_vectorized), (softmax_loss_naive, softmax_loss_vectorized)]
LOSS_IDS = ["svm", "softmax"]


@pytest.fixture(scope="module")
def dev():
    """The notebooks' dev set from the shipped sample: 200 rows, mean-subtracted, bias column appended."""
    X_train, y_train, _, _ = load_cifar10_sample()
    X = np.reshape(X_train[:300], (300, -1)).astype(np.float64)
    X -= np.mean(X, axis=0)
    X = np.hstack([X, np.ones((X.shape[0], 1))])
    return X[:200], y_train[:200], X[200:], y_train[200:300]


@pytest.mark.parametrize("naive, vectorized", LOSSES, ids=LOSS_IDS)
@pytest.mark.parametrize("reg", [0.0, 5e1])
def test_naive_and_vectorized_agree_to_1e_9(naive, vectorized, reg, dev):
    X_dev, y_dev, _, _ = dev
    W = np.random.default_rng(0).standard_normal((3073, 10)) * 0.0001
    loss_naive, grad_naive = naive(W, X_dev, y_dev, reg)
    loss_vectorized, grad_vectorized = vectorized(W, X_dev, y_dev, reg)
    assert abs(loss_naive - loss_vectorized) <= 1e-9 * max(1.0, abs(loss_naive))
    assert np.linalg.norm(grad_naive - grad_vectorized, ord="fro") <= 1e-9 * max(1.0, np.linalg.norm(grad_naive))


@pytest.mark.parametrize("naive", [svm_loss_naive, softmax_loss_naive], ids=LOSS_IDS)
def test_naive_gradients_match_numerical(naive):
    # The naive losses are the references; check them independently of the tape, on a small problem.
    rng = np.random.default_rng(1)
    X, y = np.hstack([rng.standard_normal((8, 5)), np.ones((8, 1))]), rng.integers(0, 4, 8)
    W = rng.standard_normal((6, 4))
    numeric = eval_numerical_gradient(lambda w: naive(w, X, y, 0.3)[0], W, verbose=False)
    np.testing.assert_allclose(naive(W, X, y, 0.3)[1], numeric, rtol=1e-6, atol=1e-8)


def test_softmax_loss_of_small_weights_is_close_to_log_10(dev):
    # The notebook's sanity check: with W ~ 1e-4, every class gets probability about 0.1.
    X_dev, y_dev, _, _ = dev
    W = np.random.default_rng(0).standard_normal((3073, 10)) * 0.0001
    loss, _ = softmax_loss_naive(W, X_dev, y_dev, 0.0)
    assert loss == pytest.approx(-np.log(0.1), abs=0.1)


def test_softmax_naive_is_finite_for_huge_scores():
    W = np.array([[1000.0, -1000.0], [0.0, 0.0]])
    loss, dW = softmax_loss_naive(W, np.array([[1.0, 1.0]]), np.array([1]), 0.0)
    assert loss == pytest.approx(2000.0) and np.isfinite(dW).all()


@pytest.mark.parametrize("classifier_class", [LinearSVM, Softmax], ids=LOSS_IDS)
def test_classifier_trains_as_in_the_notebook(classifier_class, dev, capsys):
    X_train, y_train, X_val, y_val = dev
    np.random.seed(0)
    classifier = classifier_class()
    loss_hist = classifier.train(X_train, y_train, learning_rate=1e-7, reg=2.5e4, num_iters=150, verbose=True)
    assert len(loss_hist) == 150 and loss_hist[-1] < loss_hist[0]
    assert capsys.readouterr().out.startswith("iteration 0 / 150: loss ")
    assert isinstance(classifier.W, np.ndarray) and classifier.W.shape == (3073, 10)
    y_val_pred = classifier.predict(X_val)
    assert y_val_pred.shape == y_val.shape and set(y_val_pred) <= set(range(10))

    loss, grad = classifier.loss(X_train[:50], y_train[:50], 1e3)
    vectorized = svm_loss_vectorized if classifier_class is LinearSVM else softmax_loss_vectorized
    expected_loss, expected_grad = vectorized(classifier.W, X_train[:50], y_train[:50], 1e3)
    assert loss == expected_loss
    np.testing.assert_array_equal(grad, expected_grad)


def test_np_random_seed_makes_training_repeatable_and_w_is_kept_between_calls(dev):
    X_train, y_train, _, _ = dev
    weights = []
    for _ in range(2):
        np.random.seed(3)
        classifier = Softmax()
        classifier.train(X_train, y_train, learning_rate=1e-7, num_iters=5)
        weights.append(classifier.W.copy())
    np.testing.assert_array_equal(weights[0], weights[1])

    W = classifier.W
    classifier.train(X_train, y_train, learning_rate=1e-7, num_iters=5)
    assert classifier.W is W and not np.array_equal(W, weights[1])  # continued in place, not re-initialised


@pytest.mark.parametrize("classifier_class", [LinearSVM, Softmax], ids=LOSS_IDS)
def test_save_and_load_round_trip_w(classifier_class, dev, tmp_path, capsys):
    X_train, y_train, _, _ = dev
    np.random.seed(0)
    classifier = classifier_class()
    classifier.train(X_train, y_train, learning_rate=1e-7, num_iters=3)
    classifier.save(str(tmp_path / "linear"))  # np.savez adds .npz, and load finds it
    fresh = classifier_class()
    assert fresh.load(str(tmp_path / "linear")) is True
    np.testing.assert_array_equal(fresh.W, classifier.W)
    np.testing.assert_array_equal(fresh.predict(X_train), classifier.predict(X_train))
    assert fresh.load(str(tmp_path / "nothing.npz")) is False
    assert "nothing.npz not available." in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="train the classifier first"):
        classifier_class().save(str(tmp_path / "empty"))


def test_base_linear_classifier_has_no_loss_of_its_own(dev):
    X_train, y_train, _, _ = dev
    with pytest.raises(NotImplementedError, match="LinearSVM or Softmax"):
        LinearClassifier().train(X_train, y_train)
    with pytest.raises(RuntimeError, match="train"):
        Softmax().loss(X_train, y_train, 0.0)


# ---- gradient_check --------------------------------------------------------------------------

def test_eval_numerical_gradient_prints_each_index_and_restores_x(capsys):
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = eval_numerical_gradient(lambda x: np.sum(x ** 3), x)
    np.testing.assert_allclose(grad, 3 * x ** 2, rtol=1e-8)
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(")")[0] + ")" for line in lines] == ["(0, 0)", "(0, 1)", "(1, 0)", "(1, 1)"]
    assert float(lines[1].split()[-1]) == pytest.approx(12.0)


def test_eval_numerical_gradient_array_contracts_with_the_upstream_gradient():
    x = np.array([1.0, 2.0, -1.0])
    df = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]])
    grad = eval_numerical_gradient_array(lambda x: np.stack([x ** 2, 3 * x]), x, df)  # d/dx sum(f(x) * df)
    np.testing.assert_allclose(grad, 2 * x * df[0] + 3 * df[1], rtol=1e-8)


def test_grad_check_sparse_as_the_notebook_calls_it(dev, capsys):
    X_dev, y_dev, _, _ = dev
    W = np.random.default_rng(0).standard_normal((3073, 10)) * 0.0001
    before = W.copy()
    # Softmax, not the SVM: the hinge has kinks, and a random element can sit within h of one.
    loss, grad = softmax_loss_vectorized(W, X_dev, y_dev, 0.0)
    f = lambda w: softmax_loss_vectorized(W, X_dev, y_dev, 0.0)[0]  # noqa: E731  closes over W, as the notebook
    random.seed(0)  # grad_check_sparse draws its elements with Python's random, as the original does
    assert grad_check_sparse(f, W, grad, num_checks=5) is None
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    for line in lines:
        match = re.fullmatch(r"numerical: (\S+) analytic: (\S+), relative error: (\S+)", line)
        assert match and float(match.group(3)) < 1e-5
    np.testing.assert_array_equal(W, before)


def test_grad_check_sparse_reports_a_wrong_gradient(capsys):
    x = np.array([1.0, 2.0])
    grad_check_sparse(lambda x: np.sum(x ** 2), x, np.array([0.0, 0.0]), num_checks=3)
    for line in capsys.readouterr().out.splitlines():
        assert float(line.split()[-1]) == pytest.approx(1.0)  # analytic 0 vs numerical 2x: relative error 1


# ---- data_utils ------------------------------------------------------------------------------

def write_fake_cifar(folder, monkeypatch, per_batch=12):
    """Official-format batches (data uint8 (n, 3072), labels list) with random pixels, and the meta;
    the loader is told to expect `per_batch` images per batch instead of the official 10,000."""
    folder.mkdir()
    monkeypatch.setattr(cifar10, "IMAGES_PER_BATCH", per_batch)
    with open(folder / "batches.meta", "wb") as fh:
        pickle.dump({"label_names": list(cifar10.CLASSES)}, fh, protocol=2)
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {"data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
                 "labels": rng.integers(0, 10, per_batch).tolist()}
        with open(folder / name, "wb") as fh:
            pickle.dump(batch, fh, protocol=2)
    return folder


def original_split(X_train, y_train, X_test, y_test, num_training, num_validation, num_test):
    """The assignment's get_CIFAR10_data after loading, line for line."""
    mask = list(range(num_training, num_training + num_validation))
    X_val, y_val = X_train[mask], y_train[mask]
    mask = list(range(num_training))
    X_train, y_train = X_train[mask], y_train[mask]
    mask = list(range(num_test))
    X_test, y_test = X_test[mask], y_test[mask]
    mean_image = np.mean(X_train, axis=0)
    X_train, X_val, X_test = X_train - mean_image, X_val - mean_image, X_test - mean_image
    return {"X_train": X_train.transpose(0, 3, 1, 2), "y_train": y_train, "X_val": X_val.transpose(0, 3, 1, 2),
            "y_val": y_val, "X_test": X_test.transpose(0, 3, 1, 2), "y_test": y_test}


def test_loaders_return_float64_images_like_the_original(tmp_path, monkeypatch):
    folder = write_fake_cifar(tmp_path / "cifar-10-batches-py", monkeypatch)
    X, Y = load_CIFAR_batch(folder / "data_batch_1")
    assert X.shape == (12, 32, 32, 3) and X.dtype == np.float64 and Y.dtype == np.int64
    with open(folder / "data_batch_1", "rb") as fh:
        raw = pickle.load(fh)["data"]
    np.testing.assert_array_equal(X, raw.reshape(12, 3, 32, 32).transpose(0, 2, 3, 1))
    Xtr, Ytr, Xte, Yte = load_CIFAR10(str(folder))
    assert Xtr.shape == (60, 32, 32, 3) and Ytr.shape == (60,) and Xte.shape == (12, 32, 32, 3)
    assert Xtr.dtype == Xte.dtype == np.float64
    np.testing.assert_array_equal(Xtr[:12], X)


def test_get_cifar10_data_matches_the_original_preprocessing(tmp_path, monkeypatch):
    folder = write_fake_cifar(tmp_path / "cifar-10-batches-py", monkeypatch)
    data = get_CIFAR10_data(num_training=50, num_validation=6, num_test=8, cifar10_dir=folder)
    expected = original_split(*load_CIFAR10(folder), 50, 6, 8)
    assert sorted(data) == sorted(expected)
    for key, value in expected.items():
        np.testing.assert_array_equal(data[key], value, err_msg=key)
    assert data["X_train"].shape == (50, 3, 32, 32)
    raw = get_CIFAR10_data(num_training=50, num_validation=6, num_test=8, subtract_mean=False, cifar10_dir=folder)
    assert raw["X_val"].min() >= 0 and raw["X_val"].max() > 128  # pixels left in 0..255


def test_get_cifar10_data_without_data_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TINYGRAD231N_DATA", str(tmp_path))
    with pytest.raises(DataNotFoundError, match="download"):
        get_CIFAR10_data()


# ---- kNN -------------------------------------------------------------------------------------

def test_knn_as_in_the_notebook(dev):
    X_train, y_train, X_test, y_test = dev
    classifier = KNearestNeighbor()
    classifier.train(X_train[:, :-1], y_train)
    dists = classifier.compute_distances_two_loops(X_test[:20, :-1])
    assert dists.shape == (20, 200)
    expected = np.sqrt(((X_test[:20, None, :-1] - X_train[None, :, :-1]) ** 2).sum(axis=2))
    np.testing.assert_allclose(dists, expected, rtol=1e-10)
    np.testing.assert_allclose(classifier.compute_distances_one_loop(X_test[:20, :-1]), dists, rtol=1e-10)
    np.testing.assert_allclose(classifier.compute_distances_no_loops(X_test[:20, :-1]), dists, rtol=1e-7)
    np.testing.assert_array_equal(classifier.predict_labels(dists, k=1), y_train[np.argmin(dists, axis=1)])
    for num_loops in (0, 1, 2):
        np.testing.assert_array_equal(classifier.predict(X_test[:20, :-1], k=5, num_loops=num_loops),
                                      classifier.predict_labels(dists, k=5))
    with pytest.raises(ValueError, match="num_loops"):
        classifier.predict(X_test[:20, :-1], num_loops=3)
