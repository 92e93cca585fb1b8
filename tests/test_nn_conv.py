"""nn's image layers: Conv2d, MaxPool2d, AvgPool2d, Flatten, BatchNorm2d, LayerNorm, GroupNorm (their ops
are checked in test_conv_ops.py; here: constructors, parameters, modes, running averages, and a small
conv net that learns)."""
import numpy as np
import pytest

import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor, nn, no_grad
from tinygrad231n.gradcheck import gradcheck


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
