"""TwoLayerNet: CS231n's API, its gradients, its reg convention, and its input checks."""
import numpy as np
import pytest

from models.inputs import ImagePreprocessor, flatten_images
from models.two_layer import TwoLayerNet
from tinygrad231n.gradcheck import numerical_gradient


@pytest.fixture
def small_net():
    return TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3, weight_scale=0.5, reg=0.3, seed=0)


def test_gradients_match_numerical(small_net, rng):
    X, y = rng.standard_normal((7, 6)), rng.integers(0, 3, 7)
    _, grads = small_net.loss(X, y)
    for name, param in small_net.params.items():
        numeric = numerical_gradient(lambda _: small_net.loss(X, y)[0], param)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-8, err_msg=name)


def test_reg_is_half_reg_times_sum_of_squared_weights(small_net, rng):
    X, y = rng.standard_normal((4, 6)), rng.integers(0, 3, 4)
    with_reg = small_net.loss(X, y)[0]
    small_net.reg = 0.0
    without = small_net.loss(X, y)[0]
    squares = np.sum(small_net.params["W1"] ** 2) + np.sum(small_net.params["W2"] ** 2)
    assert with_reg - without == pytest.approx(0.5 * 0.3 * squares)


def test_scores_without_labels_and_images_are_flattened(rng):
    net = TwoLayerNet(input_dim=4 * 4 * 3, hidden_dim=5, num_classes=3, seed=1)
    images = rng.standard_normal((2, 4, 4, 3))
    scores = net.loss(images)
    assert scores.shape == (2, 3)
    np.testing.assert_allclose(scores, net.loss(images.reshape(2, -1)))
    assert net.predict(images).shape == (2,)


def test_float32_model_keeps_float32(rng):
    net = TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3, dtype=np.float32, seed=0)
    loss, grads = net.loss(rng.standard_normal((3, 6)), np.array([0, 1, 2]))
    assert all(g.dtype == np.float32 for g in grads.values())


def test_bad_input_and_labels(small_net):
    with pytest.raises(ValueError, match=r"each input has 5 values .* expects input_dim=6"):
        small_net.loss(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="label 3 is out of range for 3 classes"):
        small_net.loss(np.zeros((2, 6)), np.array([0, 3]))


def test_image_preprocessor_layouts_and_checkpoint_fields(rng):
    images = rng.integers(0, 256, (4, 2, 2, 3)).astype(np.uint8)
    assert flatten_images(images, "CHW")[0, :4].tolist() == images[0, :, :, 0].reshape(-1).tolist()
    prep = ImagePreprocessor("HWC", divide_by_std=True, bias=True).fit(images)
    out = prep.transform(images)
    assert out.shape == (4, 13) and np.allclose(out[:, :-1].mean(axis=0), 0) and np.all(out[:, -1] == 1)
    fields = prep.checkpoint_fields()
    assert set(fields) == {"mean_image", "std_image", "layout", "bias"} and str(fields["layout"]) == "HWC"
    with pytest.raises(ValueError, match="expected images"):
        prep.transform(np.zeros((4, 12)))
