"""nn's image layers: Conv2d, MaxPool2d, AvgPool2d, Flatten, BatchNorm2d, LayerNorm, GroupNorm, RandomFlipCrop
(their ops are checked in test_conv_ops.py; here: constructors, parameters, modes, running averages, a
small conv net that learns), and the conv nets of models/convnet.py."""
import numpy as np
import pytest

import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor, nn, no_grad
from tinygrad231n.gradcheck import gradcheck, numerical_gradient


def images(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def test_conv2d_holds_pytorch_shaped_weights_with_he_init_and_zero_bias():
    layer = nn.Conv2d(16, 32, 3, padding=1, rng=0)
    assert layer.weight.shape == (32, 16, 3, 3) and layer.bias.shape == (32,)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert np.all(layer.bias.data == 0)
    assert abs(layer.weight.data.std() - np.sqrt(2 / (16 * 9))) < 0.01
    assert nn.Conv2d(3, 4, (3, 5), weight_scale=1e-3, rng=0).weight.data.std() < 2e-3


def test_conv2d_without_bias_has_only_a_weight():
    layer = nn.Conv2d(3, 4, 1, bias=False)
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    x = images(2, 3, 4, 4)
    np.testing.assert_allclose(layer(x).data, np.einsum("fc,nchw->nfhw", layer.weight.data[:, :, 0, 0], x))


def test_conv2d_forward_is_f_conv2d_and_keeps_the_spatial_size_with_same_padding():
    layer = nn.Conv2d(3, 5, 5, padding=2, rng=1)
    x = images(2, 3, 8, 6)
    out = layer(x)
    assert out.shape == (2, 5, 8, 6)
    np.testing.assert_array_equal(out.data, F.conv2d(x, layer.weight, layer.bias, padding=2).data)
    assert nn.Conv2d(3, 5, 3, stride=2, padding=1)(images(1, 3, 9, 7)).shape == (1, 5, 5, 4)


def test_conv2d_gradients_reach_its_parameters():
    layer = nn.Conv2d(2, 3, 3, stride=2, padding=1, rng=0)
    x = images(2, 2, 5, 5)
    assert gradcheck(lambda w, b: F.conv2d(x, w, b, stride=2, padding=1), layer.weight, layer.bias)


def test_conv2d_says_which_input_it_expected():
    with pytest.raises(ValueError, match=r"expected images \(N, 3, H, W\)"):
        nn.Conv2d(3, 4, 3)(images(2, 4, 8, 8))


def test_pooling_layers_default_to_windows_side_by_side():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    np.testing.assert_array_equal(nn.MaxPool2d(2)(x).data, [[[[5, 7], [13, 15]]]])
    np.testing.assert_array_equal(nn.AvgPool2d(2)(x).data, [[[[2.5, 4.5], [10.5, 12.5]]]])
    assert nn.MaxPool2d(3, stride=1)(x).shape == (1, 1, 2, 2)
    assert "stride=2" in repr(nn.MaxPool2d(2))


def test_flatten_keeps_the_batch_axis_in_c_order_and_passes_gradients_back():
    x = Tensor(images(2, 3, 4, 5), requires_grad=True)
    flat = nn.Flatten()(x)
    np.testing.assert_array_equal(flat.data, x.data.reshape(2, 60))
    flat.backward(np.ones((2, 60)))
    assert x.grad.shape == (2, 3, 4, 5)
    assert nn.Flatten()(np.zeros((0, 3, 4, 5))).shape == (0, 60)
    assert nn.Flatten(start_dim=2)(np.zeros((2, 3, 4, 5))).shape == (2, 3, 20)


def test_batchnorm2d_trains_on_batch_statistics_and_moves_running_averages_cs231n_style():
    layer = nn.BatchNorm2d(3, momentum=0.9)
    x = 3 * images(4, 3, 5, 5) + np.array([1.0, -2.0, 5.0])[:, None, None]
    out = layer(x).data
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3)), 1, rtol=1e-4)
    np.testing.assert_allclose(layer.running_mean, 0.1 * x.mean(axis=(0, 2, 3)), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var, 0.9 + 0.1 * x.var(axis=(0, 2, 3)), rtol=1e-12)


def test_batchnorm2d_evaluates_with_its_running_averages_and_leaves_them_be():
    layer = nn.BatchNorm2d(2)
    layer.load_state_dict({"weight": np.array([2.0, 1.0]), "bias": np.array([0.5, 0.0]),
                           "running_mean": np.array([1.0, -1.0]), "running_var": np.array([4.0, 0.25])})
    layer.eval()
    x = images(3, 2, 2, 2)
    expected = (np.array([2.0, 1.0])[:, None, None] * (x - np.array([1.0, -1.0])[:, None, None])
                / np.sqrt(np.array([4.0, 0.25])[:, None, None] + 1e-5) + np.array([0.5, 0.0])[:, None, None])
    with no_grad():
        np.testing.assert_allclose(layer(x).data, expected, rtol=1e-12)
    np.testing.assert_array_equal(layer.running_mean, [1.0, -1.0])


def test_batchnorm2d_float32_keeps_float32_buffers():
    layer = nn.BatchNorm2d(3, dtype=np.float32)
    out = layer(images(2, 3, 4, 4).astype(np.float32))
    assert out.dtype == layer.running_mean.dtype == layer.running_var.dtype == np.float32


def test_batchnorm2d_rejects_a_momentum_outside_zero_one_and_the_wrong_channels():
    with pytest.raises(ValueError, match="PyTorch's 0.1 is our 0.9"):
        nn.BatchNorm2d(3, momentum=1.5)
    with pytest.raises(ValueError, match=r"expected images \(N, 3, H, W\)"):
        nn.BatchNorm2d(3)(images(2, 4, 2, 2))


def test_layernorm_normalizes_each_row_and_groupnorm_each_group():
    x = images(4, 6) * 5 + 3
    out = nn.LayerNorm(6)(x).data
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=1), 1, rtol=1e-4)
    x = images(2, 6, 3, 3) * 5 + 3
    grouped = nn.GroupNorm(3, 6)(x).data.reshape(2, 3, -1)
    np.testing.assert_allclose(grouped.mean(axis=2), 0, atol=1e-12)
    np.testing.assert_allclose(grouped.var(axis=2), 1, rtol=1e-4)
    assert [p.shape for p in nn.GroupNorm(3, 6).parameters()] == [(6,), (6,)]
    with pytest.raises(ValueError, match="divisible by num_groups"):
        nn.GroupNorm(4, 6)


def test_a_small_conv_net_learns_a_batch():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 3, 8, 8)), rng.integers(0, 4, 16)
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, rng=0), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(8 * 4 * 4, 4, rng=0))
    losses = []
    for _ in range(30):
        model.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        losses.append(loss.item())
        for p in model.parameters():
            p.data -= 0.1 * p.grad
    assert losses[-1] < 0.2 * losses[0]
    assert sorted(model.state_dict()) == ["0.bias", "0.weight", "1.bias", "1.running_mean", "1.running_var",
                                          "1.weight", "5.bias", "5.weight"]


# ---- the models built from these layers (models/convnet.py) -----------------------------------------

def test_random_flip_crop_moves_images_in_training_and_leaves_them_in_evaluation():
    x = images(64, 3, 8, 8)
    layer = nn.RandomFlipCrop(padding=2, rng=0)
    out = layer(x).data
    assert out.shape == x.shape and not np.array_equal(out, x)
    # Every output image is its input, maybe mirrored, shifted by at most 2 pixels with zeros let in.
    for original, augmented in zip(x, out):
        candidates = [np.pad(image, ((0, 0), (2, 2), (2, 2)))[:, top:top + 8, left:left + 8]
                      for image in (original, original[:, :, ::-1]) for top in range(5) for left in range(5)]
        assert any(np.array_equal(augmented, candidate) for candidate in candidates)
    np.testing.assert_array_equal(layer.eval()(x).data, x)
    with pytest.raises(ValueError, match="requires a gradient"):
        layer.train()(Tensor(x, requires_grad=True))


def test_three_layer_convnet_matches_cs231n_at_initialization():
    from models.convnet import ThreeLayerConvNet
    model = ThreeLayerConvNet(input_dim=(3, 16, 16), num_filters=4, filter_size=3, hidden_dim=7, seed=0,
                              dtype=np.float64)
    assert {name: p.shape for name, p in model.named_parameters()} == {
        "network.0.weight": (4, 3, 3, 3), "network.0.bias": (4,), "network.4.weight": (4 * 8 * 8, 7),
        "network.4.bias": (7,), "network.6.weight": (7, 10), "network.6.bias": (10,)}
    assert [p.name for p in model.parameters()] == ["W1", "b1", "W2", "b2", "W3", "b3"]
    X, y = images(5, 3, 16, 16), np.arange(5)
    assert abs(model.loss(X, y).item() - np.log(10)) < 1e-3  # tiny weights: uniform scores
    assert model(X.reshape(5, -1)).shape == (5, 10)  # rows in C, H, W order are taken too
    model.reg = 0.5
    penalty = 0.25 * sum(np.sum(p.data ** 2) for p in model.parameters() if p.name.startswith("W"))
    assert np.isclose(model.loss(X, y).item(), np.log(10) + penalty, atol=1e-3)


def test_three_layer_convnet_gradients_match_numerical_ones():
    from models.convnet import ThreeLayerConvNet
    model = ThreeLayerConvNet(input_dim=(2, 6, 6), num_filters=3, filter_size=3, hidden_dim=5, weight_scale=0.3,
                              reg=0.1, dtype=np.float64, seed=1)
    X, y = images(3, 2, 6, 6), np.array([0, 5, 9])
    model.loss(X, y).backward()

    def loss_value(_):
        with no_grad():
            return model.loss(X, y).item()

    for p in model.parameters():  # numerical_gradient perturbs p.data in place, which the model reads
        np.testing.assert_allclose(p.grad, numerical_gradient(loss_value, p.data), rtol=1e-5, atol=1e-8,
                                   err_msg=p.name)


def test_convnet_trains_in_float32_and_switches_modes():
    from models.convnet import ConvNet
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((32, 3, 16, 16)).astype(np.float32), rng.integers(0, 10, 32)
    model = ConvNet(input_dim=(3, 16, 16), channels=(8, 16), reg=1e-3, seed=0)
    assert [p.name for p in model.parameters()] == ["W1", "gamma1", "beta1", "W2", "gamma2", "beta2", "W3", "b3"]
    first = None
    for _ in range(15):
        model.train().zero_grad()
        loss = model.loss(X, y)
        loss.backward()
        assert all(p.grad.dtype == np.float32 for p in model.parameters())
        for p in model.parameters():
            p.data -= 0.05 * p.grad
        first = first if first is not None else loss.item()
    assert loss.item() < first
    predictions = model.predict(X)
    assert predictions.shape == (32,) and not model.training
    np.testing.assert_array_equal(predictions, model.predict(X))  # evaluation is deterministic
    with pytest.raises(ValueError, match="multiples of 8"):
        ConvNet(input_dim=(3, 12, 12))
