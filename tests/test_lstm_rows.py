"""LSTMRows: an image read as a sequence of its rows. Its scores against a plain-numpy LSTM over the
rows, its gradients against central differences, its declaration end to end on the shipped sample,
its checkpoint read back without the project, and its one-line refusals."""
import numpy as np
import pytest

from models import registry
from models.checkpoint import checkpoint_arrays
from models.lstm_rows import LSTMRows
from tinygrad231n import no_grad
from tinygrad231n.data import load_cifar10_sample
from tinygrad231n.errors import InputError
from tinygrad231n.gradcheck import numerical_gradient
from tinygrad231n.reproduce.dataset import load_splits


# ---- plain numpy, as someone without this project would run a checkpoint ---------------------------
def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def numpy_scores(a, images, pool="last"):
    """CS231n's LSTM (gates i, f, o, g in that order) over each image's rows (H steps of W*C values),
    then the affine layer on the last or the mean hidden state."""
    n, steps = len(images), images.shape[1]
    x = images.reshape(n, steps, -1).astype(np.float64)
    H = a["Wh"].shape[0]
    h, c, hs = np.zeros((n, H)), np.zeros((n, H)), []
    for t in range(steps):
        gates = x[:, t] @ a["Wx"] + h @ a["Wh"] + a["b"]
        i, f, o = (sigmoid(gates[:, k * H:(k + 1) * H]) for k in range(3))
        g = np.tanh(gates[:, 3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    features = h if pool == "last" else np.mean(hs, axis=0)
    return features @ a["W1"] + a["b1"]


@pytest.mark.parametrize("pool", ["last", "mean"])
def test_scores_are_an_lstm_over_the_rows_of_images_or_of_rows(pool, rng):
    model = LSTMRows(image_shape=(5, 4, 3), hidden_dim=6, num_classes=7, pool=pool, dtype=np.float64, seed=1).eval()
    images = rng.standard_normal((8, 5, 4, 3))
    with no_grad():
        scores = model(images).data
        from_rows = model(images.reshape(8, -1)).data
    assert scores.shape == (8, 7) and scores.dtype == np.float64
    assert sorted(checkpoint_arrays(model)) == ["W1", "Wh", "Wx", "b", "b1"]  # CS231n's names
    np.testing.assert_allclose(scores, numpy_scores(checkpoint_arrays(model), images, pool), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(from_rows, scores)


def test_float32_stays_float32_and_the_forget_gate_starts_open(rng):
    model = LSTMRows(image_shape=(3, 2, 3), hidden_dim=4, seed=0).eval()
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert model(rng.standard_normal((2, 18))).dtype == np.float32
    np.testing.assert_array_equal(model.b.data, np.repeat([0.0, 1.0, 0.0, 0.0], 4))  # gates i, f, o, g


@pytest.mark.parametrize("pool", ["last", "mean"])
def test_gradients_of_the_loss_match_central_differences(pool, rng):
    model = LSTMRows(image_shape=(4, 2, 3), hidden_dim=3, num_classes=4, pool=pool, reg=0.3, augment=False,
                     dtype=np.float64, seed=2).train()
    X, y = rng.standard_normal((5, 4, 2, 3)), rng.integers(0, 4, 5)
    model.loss(X, y).backward()

    def loss_value(_):
        with no_grad():
            return model.loss(X, y).item()

    for name, parameter in model.named_parameters():
        numeric = numerical_gradient(loss_value, parameter.data)
        np.testing.assert_allclose(parameter.grad, numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def test_augmentation_moves_training_inputs_only(rng):
    model = LSTMRows(image_shape=(8, 8, 3), hidden_dim=4, seed=0)
    X = rng.standard_normal((16, 8, 8, 3))
    with no_grad():
        evaluated = model.eval()(X).data
        assert np.array_equal(model(X).data, evaluated)
        assert not np.allclose(model.train()(X).data, evaluated)


@pytest.mark.parametrize("shape", [(2, 32, 32), (2, 3, 32, 32), (2, 3071), (3072,)])
def test_a_wrong_input_shape_is_one_line_naming_what_is_expected(shape):
    model = LSTMRows(hidden_dim=2, seed=0)
    with pytest.raises(InputError) as error:
        model(np.zeros(shape))
    message = str(error.value)
    assert "\n" not in message and "(N, 32, 32, 3)" in message and "(N, 3072)" in message and str(shape) in message


def test_pixels_not_in_rows_are_refused_before_training():
    with pytest.raises(InputError, match="layout HWC, got CHW"):
        registry.get("lstm_rows").train(None, {"layout": "CHW"}, verbose=False)


# ---- its declaration, trained on the shipped sample --------------------------------------------------
@pytest.fixture(scope="module")
def fitted():
    # a few epochs of a small net: enough to beat chance on 1,000 images in seconds
    overrides = {**registry.get("lstm_rows").quick, "hidden_dim": 32, "num_epochs": 8, "batch_size": 50}
    return registry.get("lstm_rows").train(load_splits(sample=True), overrides, verbose=False)


def test_the_sample_run_learns_and_its_checkpoint_classifies_raw_images_with_numpy(fitted):
    assert fitted.test_acc > 0.2  # chance is 0.1; on 300 test images 0.2 is far out of chance's reach
    _, _, X_test, y_test = load_cifar10_sample()
    a = fitted.checkpoint
    assert str(a["layout"]) == "HWC" and not bool(a["bias"])
    assert a["Wx"].shape == (96, 4 * 32) and a["Wh"].shape == (32, 4 * 32) and a["W1"].shape == (32, 10)
    x = (X_test.reshape(len(X_test), -1) - a["mean_image"]) / a["std_image"]
    predictions = np.argmax(numpy_scores(a, x.reshape(-1, 32, 32, 3), fitted.hyperparameters["pool"]), axis=1)
    # float64 here, float32 in the model: a near tie may go the other way, nothing more
    assert np.mean(predictions == y_test) == pytest.approx(fitted.test_acc, abs=0.01)


def test_the_loss_diagram_shows_the_lstm_as_one_op(fitted):
    loss = fitted.loss_graph()
    assert loss.shape == () and np.isfinite(loss.item())
    source = loss.to_dot(collapse=True).source
    assert source.count("label=Lstm") == 1  # 32 steps as one node: a graph dot lays out at once
