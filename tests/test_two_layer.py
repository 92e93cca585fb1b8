"""TwoLayerNet as an nn.Module: its gradients, its reg convention, its names, and its input checks."""
import numpy as np
import pytest

from models.checkpoint import checkpoint_arrays, cs231n_parameters
from models.fc_net import FullyConnectedNet
from models.inputs import ImagePreprocessor, flatten_images
from models.two_layer import TwoLayerNet
from tinygrad231n import nn
from tinygrad231n.gradcheck import numerical_gradient


@pytest.fixture
def small_net():
    return TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3, weight_scale=0.5, reg=0.3, seed=0)


def test_is_a_module_of_nn_layers(small_net):
    assert isinstance(small_net, nn.Module)
    assert [type(m).__name__ for m in small_net.children()] == ["Linear", "ReLU", "Linear"]
    assert [name for name, _ in small_net.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert list(cs231n_parameters(small_net)) == ["W1", "b1", "W2", "b2"]


def test_gradients_match_numerical(small_net, rng):
    X, y = rng.standard_normal((7, 6)), rng.integers(0, 3, 7)
    small_net.loss(X, y).backward()
    for name, parameter in small_net.named_parameters():
        numeric = numerical_gradient(lambda _: small_net.loss(X, y).item(), parameter.data)
        np.testing.assert_allclose(parameter.grad, numeric, rtol=1e-6, atol=1e-8, err_msg=name)


def test_reg_is_half_reg_times_sum_of_squared_weights(small_net, rng):
    X, y = rng.standard_normal((4, 6)), rng.integers(0, 3, 4)
    with_reg = small_net.loss(X, y).item()
    small_net.reg = 0.0
    without = small_net.loss(X, y).item()
    squares = np.sum(small_net.fc1.weight.data ** 2) + np.sum(small_net.fc2.weight.data ** 2)
    assert with_reg - without == pytest.approx(0.5 * 0.3 * squares)


def test_same_seed_same_weights_as_the_dict_of_arrays_net_drew_them():
    # W1 then W2 from one generator, weight_scale * randn: the numbers the kept results were measured with.
    net = TwoLayerNet(input_dim=4, hidden_dim=3, num_classes=2, weight_scale=0.1, seed=5)
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(net.fc1.weight.data, 0.1 * rng.standard_normal((4, 3)))
    np.testing.assert_array_equal(net.fc2.weight.data, 0.1 * rng.standard_normal((3, 2)))
    assert not net.fc1.bias.data.any() and not net.fc2.bias.data.any()


def test_scores_and_images_are_flattened(rng):
    net = TwoLayerNet(input_dim=4 * 4 * 3, hidden_dim=5, num_classes=3, seed=1)
    images = rng.standard_normal((2, 4, 4, 3))
    scores = net(images).data
    assert scores.shape == (2, 3)
    np.testing.assert_allclose(scores, net(images.reshape(2, -1)).data)
    np.testing.assert_array_equal(net.predict(images), np.argmax(scores, axis=1))


def test_checkpoint_arrays_classify_with_plain_numpy(small_net, rng):
    X = rng.standard_normal((5, 6))
    a = checkpoint_arrays(small_net)
    assert sorted(a) == ["W1", "W2", "b1", "b2"]
    np.testing.assert_allclose(np.maximum(X @ a["W1"] + a["b1"], 0) @ a["W2"] + a["b2"], small_net(X).data)
    a["W1"][:] = 0  # copies
    assert small_net.fc1.weight.data.any()


def test_float32_model_keeps_float32(rng):
    net = TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3, dtype=np.float32, seed=0)
    net.loss(rng.standard_normal((3, 6)), np.array([0, 1, 2])).backward()
    assert all(p.grad.dtype == np.float32 for p in net.parameters())


def test_bad_input_and_labels(small_net):
    with pytest.raises(ValueError, match=r"each input has 5 values .* expects input_dim=6"):
        small_net(np.zeros((2, 5)))
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


def test_an_empty_batch_predicts_no_labels():
    for model in (TwoLayerNet(12, 4, 3, seed=0), FullyConnectedNet([4], input_dim=12, num_classes=3, seed=0)):
        labels = model.predict(np.zeros((0, 12)))
        assert labels.shape == (0,) and labels.dtype == np.int64
