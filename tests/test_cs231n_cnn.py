"""tinygrad231n.cs231n.classifiers.cnn.ThreeLayerConvNet, checked as the ConvolutionalNetworks notebook checks it."""
import numpy as np
import pytest

from models import convnet
from tinygrad231n.cs231n.classifiers.cnn import ThreeLayerConvNet
from tinygrad231n.cs231n.gradient_check import eval_numerical_gradient
from tinygrad231n.cs231n.optim import adam
from tinygrad231n.data import load_cifar10_sample

from notebook_checks import rel_error


def test_initial_loss_is_log_10_and_grows_with_reg():
    np.random.seed(231)
    model = ThreeLayerConvNet()
    assert isinstance(model.module, convnet.ThreeLayerConvNet)
    X, y = np.random.randn(50, 3, 32, 32), np.random.randint(10, size=50)
    loss, grads = model.loss(X, y)
    assert loss == pytest.approx(np.log(10), abs=0.01)  # the notebook: about 2.3 with small weights
    model.reg = 0.5
    loss_reg, _ = model.loss(X, y)
    assert loss_reg > loss + 0.1  # the notebook prints about 2.5
    W = [np.asarray(model.params[name], dtype=np.float64) for name in ("W1", "W2", "W3")]
    assert loss_reg - loss == pytest.approx(0.25 * sum(np.sum(w * w) for w in W), rel=1e-3)


def test_params_have_the_assignments_names_shapes_and_init():
    np.random.seed(0)
    model = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=4, filter_size=5, hidden_dim=6, num_classes=3,
                              weight_scale=1e-2)
    shapes = {name: array.shape for name, array in model.params.items()}
    assert shapes == {"W1": (4, 3, 5, 5), "b1": (4,), "W2": (4 * 4 * 4, 6), "b2": (6,), "W3": (6, 3), "b3": (3,)}
    assert all(model.params[name].dtype == np.float32 for name in shapes)
    assert all(np.all(model.params[b] == 0) for b in ("b1", "b2", "b3"))
    assert model.params["W2"].std() == pytest.approx(1e-2, rel=0.2)
    scores = model.loss(np.zeros((2, 3, 8, 8)))
    assert scores.shape == (2, 3)
    np.random.seed(0)
    again = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=4, filter_size=5, hidden_dim=6, num_classes=3,
                              weight_scale=1e-2)
    np.testing.assert_array_equal(again.params["W1"], model.params["W1"])  # np.random.seed fixes the weights
    model.params["b3"] = np.array([1.0, 2.0, 3.0])  # written into the module: the scores move with it
    np.testing.assert_allclose(model.loss(np.zeros((2, 3, 8, 8))) - scores, [[1, 2, 3]] * 2, rtol=1e-5)


def test_gradients_match_numerical_ones_as_in_the_notebook():
    np.random.seed(231)
    input_dim = (3, 8, 8)  # the notebook's are 16x16: 8x8 is a third of the numerical gradient's work
    X, y = np.random.randn(2, *input_dim), np.random.randint(10, size=2)
    model = ThreeLayerConvNet(num_filters=3, filter_size=3, input_dim=input_dim, hidden_dim=7, dtype=np.float64,
                              reg=0.5)
    loss, grads = model.loss(X, y)
    assert sorted(grads) == sorted(model.params)
    for name in sorted(model.params):
        numeric = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-6)
        # The notebook: relative errors of 1e-2 or less (ReLU and max-pool kinks cost the numerical side digits).
        assert rel_error(numeric, grads[name]) < 1e-2, name


def test_it_overfits_a_small_training_set():
    X_train, y_train, _, _ = load_cifar10_sample(dtype=np.float64)
    X = (X_train[:20, 8:24, 8:24].transpose(0, 3, 1, 2) - 128.0) / 64.0  # the middle 16x16 of 20 images
    y = y_train[:20]
    np.random.seed(0)
    model = ThreeLayerConvNet(input_dim=(3, 16, 16), num_filters=8, filter_size=3, hidden_dim=50, weight_scale=1e-2)
    configs = {name: {"learning_rate": 1e-2} for name in model.params}
    losses = []
    for _ in range(60):
        loss, grads = model.loss(X, y)
        losses.append(loss)
        for name in model.params:
            model.params[name], configs[name] = adam(model.params[name], grads[name], configs[name])
    assert losses[-1] < 0.2 * losses[0]
    assert np.mean(np.argmax(model.loss(X), axis=1) == y) == 1.0
