"""models/linear.py: the SVM and softmax modules, their training (optim.SGD), predictions, templates
and input checks."""
import numpy as np
import pytest

from models.linear import LinearClassifier, LinearSVM, Softmax, class_templates, pixel_templates
from tinygrad231n import Tensor, nn, optim
from tinygrad231n.data import append_bias
from tinygrad231n.gradcheck import numerical_gradient

MODELS = [LinearSVM, Softmax]
IDS = ["svm", "softmax"]


def blobs(rng, n_per_class=60, num_classes=4, dim=12, spread=0.5):
    """Linearly separable data: tight Gaussian clusters around distant centres, bias column appended."""
    centres = 3.0 * rng.standard_normal((num_classes, dim))
    y = np.repeat(np.arange(num_classes), n_per_class)
    X = centres[y] + spread * rng.standard_normal((len(y), dim))
    order = rng.permutation(len(y))
    return append_bias(X[order]), y[order]


@pytest.mark.parametrize("model_class", MODELS, ids=IDS)
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_gradient_matches_numerical(model_class, reg, rng):
    X = append_bias(rng.standard_normal((9, 6)))
    y = rng.integers(0, 5, 9)
    model = model_class(0.5 * rng.standard_normal((7, 5)))
    model.loss(X, y, reg).backward()
    numeric = numerical_gradient(lambda _: model.loss(X, y, reg).item(), model.W.data)
    np.testing.assert_allclose(model.W.grad, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("model_class", MODELS, ids=IDS)
def test_is_a_module_whose_weight_shares_the_given_array(model_class, rng):
    W = rng.standard_normal((5, 3))
    model = model_class(W)
    assert isinstance(model, nn.Module) and isinstance(model.W, nn.Parameter)
    assert model.W.numpy() is W and [name for name, _ in model.named_parameters()] == ["W"]
    X = append_bias(rng.standard_normal((4, 4)))
    np.testing.assert_allclose(model(X).data, X @ W)
    assert model_class(Tensor(W)).W.numpy() is W


@pytest.mark.parametrize("model_class, data_loss", [(LinearSVM, 2.0), (Softmax, np.log(3))], ids=IDS)
def test_zero_scores_give_the_known_loss_plus_reg_times_sum_of_squares(model_class, data_loss, rng):
    # X = 0 makes every score 0: SVM pays margin 1 for each of the C-1 wrong classes, softmax log C.
    # The penalty is reg * sum(W**2), with no 0.5 in front.
    W = rng.standard_normal((4, 3))
    model = model_class(W.copy())
    loss = model.loss(np.zeros((6, 4)), np.array([0, 1, 2, 0, 1, 2]), reg=0.25)
    loss.backward()
    assert loss.item() == pytest.approx(data_loss + 0.25 * np.sum(W ** 2))
    np.testing.assert_allclose(model.W.grad, 2 * 0.25 * W)  # X = 0: the data term has no gradient


@pytest.mark.parametrize("model_class", MODELS, ids=IDS)
def test_training_separates_separable_classes(model_class, rng):
    X, y = blobs(rng)
    X_train, y_train, X_val, y_val = X[:160], y[:160], X[160:], y[160:]
    model = model_class()
    history = model.fit(X_train, y_train, learning_rate=0.05, reg=1e-4, num_iters=300, batch_size=32, seed=0)
    assert len(history) == 300
    assert np.mean(history[-20:]) < 0.2 * np.mean(history[:20])
    assert np.mean(model.predict(X_train) == y_train) >= 0.98
    assert np.mean(model.predict(X_val) == y_val) >= 0.95


def test_initial_weights_are_small_random_with_one_column_per_class(rng):
    X, y = blobs(rng, num_classes=3)
    model = LinearSVM()
    model.fit(X, y, num_iters=0, seed=1)
    assert model.W.shape == (X.shape[1], 3)
    assert 0.0005 < model.W.data.std() < 0.002  # 0.001 * randn, as CS231n


def test_training_steps_with_optim_sgd(rng, monkeypatch):
    steps = []
    original = optim.SGD.step
    monkeypatch.setattr(optim.SGD, "step", lambda self: (steps.append(self.lr), original(self)))
    X, y = blobs(rng)
    Softmax().fit(X, y, learning_rate=0.01, num_iters=4, seed=0)
    assert steps == [0.01] * 4


@pytest.mark.parametrize("learning_rate", [1e300, float("inf")])
def test_a_diverging_loss_stops_training_naming_the_iteration(learning_rate, rng):
    X, y = blobs(rng)
    model = LinearSVM()
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(
            optim.TrainingDiverged, match=r"LinearSVM.fit: the loss became (nan|inf) at iteration \d+ / 50"):
        model.fit(X, y, learning_rate=learning_rate, reg=1.0, num_iters=50, seed=0)


def test_a_nan_learning_rate_is_refused_before_any_step(rng):
    X, y = blobs(rng)
    model = LinearSVM()
    with pytest.raises(ValueError, match="lr must be positive, got nan"):
        model.fit(X, y, learning_rate=float("nan"), num_iters=3, seed=0)


def test_pixel_templates_undo_the_layout():
    W = np.zeros((3072 + 1, 2))
    hwc = np.arange(3072, dtype=float)
    chw = hwc.reshape(32, 32, 3).transpose(2, 0, 1).reshape(-1)  # the same pixels in channel-first order
    W[:-1, 0], W[:-1, 1] = hwc, hwc
    from_chw = W.copy()
    from_chw[:-1, 0], from_chw[:-1, 1] = chw, chw
    np.testing.assert_allclose(pixel_templates(from_chw, "CHW", bias=True), pixel_templates(W, "HWC", bias=True))
    np.testing.assert_allclose(pixel_templates(W[:-1], "HWC", bias=False), class_templates(W))


def test_same_seed_same_run_and_training_continues_from_given_w(rng):
    X, y = blobs(rng)
    runs = [Softmax(), Softmax()]
    for model in runs:
        model.fit(X, y, learning_rate=0.01, num_iters=20, seed=7)
    np.testing.assert_array_equal(runs[0].W.data, runs[1].W.data)

    W = np.zeros((X.shape[1], 4))
    model = Softmax(W)
    model.fit(X, y, learning_rate=0.01, num_iters=5, seed=7)
    assert model.W.numpy() is W and np.abs(W).sum() > 0  # started from W (not re-initialised), updated in place


def test_minibatches_are_sampled_with_replacement(rng):
    X, y = blobs(rng, n_per_class=2)  # 8 examples, batches of 50 only exist with replacement
    history = LinearSVM().fit(X, y, learning_rate=0.01, num_iters=3, batch_size=50, seed=0)
    assert len(history) == 3


def test_verbose_prints_every_hundred_iterations(rng, capsys):
    X, y = blobs(rng)
    LinearSVM().fit(X, y, num_iters=201, verbose=True, seed=0)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["iteration 0 / 201", "iteration 100 / 201",
                                                     "iteration 200 / 201"]


def test_predict_is_the_argmax_with_ties_to_the_smaller_label():
    W = np.array([[1.0, 0.0, 1.0], [0.0, 2.0, 0.0]])
    X = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [1.0, 0.5]])   # scores: ties in rows 0, 2 and 3
    labels = Softmax(W).predict(X)
    np.testing.assert_array_equal(labels, [0, 1, 0, 0])
    assert labels.dtype == np.int64


def test_class_templates_are_images_scaled_to_0_255():
    W = np.zeros((32 * 32 * 3 + 1, 10))
    W[(1 * 32 + 2) * 3 + 0, 3] = 5.0    # class 3, pixel (row 1, column 2), red: HWC-flattened
    W[7, 0] = -1.0
    W[-1] = 100.0                       # the bias row is not part of any image
    templates = class_templates(W)
    assert templates.shape == (10, 32, 32, 3)
    assert templates.min() == 0.0 and templates.max() == 255.0
    assert templates[3, 1, 2, 0] == 255.0
    assert class_templates(np.ones((3073, 2))).max() == pytest.approx(127.5)  # flat weights: flat grey


W34 = np.zeros((4, 3))
BAD_INPUTS = [
    # (what, call, exception, message fragment)
    ("X is 1-d", lambda: LinearSVM(W34).loss(np.zeros(4), np.zeros(1, int)), ValueError, r"2-d array \(N, D\)"),
    ("X is int", lambda: LinearSVM(W34).loss(np.zeros((2, 4), int), np.zeros(2, int)), TypeError, "float array"),
    ("y is float", lambda: LinearSVM(W34).loss(np.zeros((2, 4)), np.zeros(2)), TypeError, "integer array"),
    ("y too short", lambda: LinearSVM(W34).loss(np.zeros((2, 4)), np.zeros(1, int)), ValueError, r"shape \(2,\)"),
    ("label < 0", lambda: Softmax(W34).loss(np.zeros((2, 4)), np.array([0, -1])), ValueError, ">= 0"),
    ("label >= C", lambda: Softmax(W34).loss(np.zeros((2, 4)), np.array([0, 3])), ValueError, "0..2"),
    ("D mismatch", lambda: Softmax(W34).predict(np.zeros((2, 5))), ValueError, "5 features .* expects 4"),
    ("D mismatch in train", lambda: Softmax(W34.copy()).fit(np.zeros((2, 5)), np.zeros(2, int)), ValueError,
     "bias column"),
    ("label >= C in train", lambda: Softmax(W34.copy()).fit(np.zeros((2, 4)), np.array([0, 5])), ValueError,
     "out of range"),
    ("W is 1-d", lambda: LinearSVM(np.zeros(4)), ValueError, r"2-d float array \(D, C\)"),
    ("predict untrained", lambda: LinearSVM().predict(np.zeros((2, 4))), RuntimeError, "fit"),
    ("loss untrained", lambda: Softmax().loss(np.zeros((2, 4)), np.zeros(2, int)), RuntimeError, "no weights"),
    ("scores untrained", lambda: Softmax()(np.zeros((2, 4))), RuntimeError, "fit"),
    ("num_iters < 0", lambda: Softmax().fit(np.zeros((2, 4)), np.zeros(2, int), num_iters=-1), ValueError,
     "num_iters"),
    ("batch_size 0", lambda: Softmax().fit(np.zeros((2, 4)), np.zeros(2, int), batch_size=0), ValueError,
     "batch_size"),
    ("base class", lambda: LinearClassifier().fit(np.zeros((2, 4)), np.zeros(2, int)), NotImplementedError,
     "LinearSVM or Softmax"),
    ("templates of W without bias row", lambda: class_templates(np.zeros((3072, 10))), ValueError, r"\(3073, C\)"),
]


@pytest.mark.parametrize("call, exception, message", [case[1:] for case in BAD_INPUTS],
                         ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_says_what_was_expected(call, exception, message):
    with pytest.raises(exception, match=message):
        call()
