"""tinygrad231n.cs231n.layers, assignment 2: batch/layer/group norm, dropout, and the naive convolution and
pooling loops, checked as the BatchNormalization, Dropout and ConvolutionalNetworks notebooks check them
(their inputs, hard-coded expected outputs and relative-error tolerances)."""
import numpy as np
import pytest

from tinygrad231n.cs231n.gradient_check import eval_numerical_gradient_array
from tinygrad231n.cs231n.layers import (batchnorm_backward, batchnorm_backward_alt, batchnorm_forward,
                                        conv_backward_naive, conv_forward_naive, dropout_backward, dropout_forward,
                                        layernorm_backward, layernorm_forward, max_pool_backward_naive,
                                        max_pool_forward_naive, spatial_batchnorm_backward,
                                        spatial_batchnorm_forward, spatial_groupnorm_backward,
                                        spatial_groupnorm_forward)

from notebook_checks import numeric_gradients, rel_error


# ---- convolution and pooling: the naive loops ------------------------------------------------------

# The ConvolutionalNetworks notebook's conv_forward_naive check: its inputs and expected output.
CONV_CORRECT_OUT = np.array([[[[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]],
                              [[0.21027089, 0.21661097], [0.22847626, 0.23004637]],
                              [[0.50813986, 0.54309974], [0.64082444, 0.67101435]]],
                             [[[-0.98053589, -1.03143541], [-1.19128892, -1.24695841]],
                              [[0.69108355, 0.66880383], [0.59480972, 0.56776003]],
                              [[2.36270298, 2.36904306], [2.38090835, 2.38247847]]]])
POOL_CORRECT_OUT = np.array([[[[-0.26315789, -0.24842105], [-0.20421053, -0.18947368]],
                              [[-0.14526316, -0.13052632], [-0.08631579, -0.07157895]],
                              [[-0.02736842, -0.01263158], [0.03157895, 0.04631579]]],
                             [[[0.09052632, 0.10526316], [0.14947368, 0.16421053]],
                              [[0.20842105, 0.22315789], [0.26736842, 0.28210526]],
                              [[0.32631579, 0.34105263], [0.38526316, 0.4]]]])


def notebook_conv_inputs():
    x = np.linspace(-0.1, 0.5, num=2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    w = np.linspace(-0.2, 0.3, num=3 * 3 * 4 * 4).reshape(3, 3, 4, 4)
    b = np.linspace(-0.1, 0.2, num=3)
    return x, w, b, {"stride": 2, "pad": 1}


def test_conv_forward_naive_on_the_notebook_inputs():
    out, cache = conv_forward_naive(*notebook_conv_inputs())
    assert out.shape == (2, 3, 2, 2) and rel_error(out, CONV_CORRECT_OUT) < 3e-8  # the notebook: about 2e-8
    x, w, b, _ = notebook_conv_inputs()
    # Output (0, 0) of filter 0: the 4x4 filter over the top-left corner of the padded image.
    padded = np.pad(x[0], ((0, 0), (1, 1), (1, 1)))
    assert out[0, 0, 0, 0] == pytest.approx(np.sum(padded[:, :4, :4] * w[0]) + b[0], rel=1e-14)


def test_conv_backward_naive_matches_numerical_gradients_as_in_the_notebook():
    np.random.seed(231)
    x, w, b = np.random.randn(4, 3, 5, 5), np.random.randn(2, 3, 3, 3), np.random.randn(2,)
    dout = np.random.randn(4, 2, 5, 5)
    conv_param = {"stride": 1, "pad": 1}
    dx_num, dw_num, db_num = numeric_gradients(lambda x, w, b: conv_forward_naive(x, w, b, conv_param), [x, w, b], dout)
    dx, dw, db = conv_backward_naive(dout, conv_forward_naive(x, w, b, conv_param)[1])
    # The notebook prints dx error 1.16e-08, dw error 2.25e-10, db error 3.37e-11.
    assert rel_error(dx, dx_num) < 2e-8 and rel_error(dw, dw_num) < 1e-9 and rel_error(db, db_num) < 1e-10


def test_conv_naive_with_a_stride_that_leaves_the_last_column_out():
    x = np.arange(1 * 1 * 4 * 4, dtype=float).reshape(1, 1, 4, 4)
    w = np.ones((1, 1, 3, 3))
    out, cache = conv_forward_naive(x, w, np.zeros(1), {"stride": 2, "pad": 0})
    assert out.shape == (1, 1, 1, 1) and out[0, 0, 0, 0] == x[0, 0, :3, :3].sum()
    dx, _, _ = conv_backward_naive(np.ones((1, 1, 1, 1)), cache)
    assert dx[0, 0, :3, :3].sum() == 9 and dx[0, 0, 3].sum() == 0 and dx[0, 0, :, 3].sum() == 0
    with pytest.raises(ValueError, match="larger than the height 4"):
        conv_forward_naive(x, np.ones((1, 1, 7, 7)), np.zeros(1), {"stride": 1, "pad": 1})


def test_max_pool_naive_on_the_notebook_inputs():
    x = np.linspace(-0.3, 0.4, num=2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    out, _ = max_pool_forward_naive(x, {"pool_width": 2, "pool_height": 2, "stride": 2})
    assert rel_error(out, POOL_CORRECT_OUT) < 1e-7  # the notebook: about 4e-8

    np.random.seed(231)
    x, dout = np.random.randn(3, 2, 8, 8), np.random.randn(3, 2, 4, 4)
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    dx_num = eval_numerical_gradient_array(lambda x: max_pool_forward_naive(x, pool_param)[0], x, dout)
    dx = max_pool_backward_naive(dout, max_pool_forward_naive(x, pool_param)[1])
    assert rel_error(dx, dx_num) < 1e-11  # the notebook: about 3e-12


def test_max_pool_naive_sends_the_gradient_to_the_first_maximum_of_a_tie():
    x = np.array([[[[1.0, 3.0], [3.0, 0.0]]]])
    dx = max_pool_backward_naive(np.array([[[[5.0]]]]), max_pool_forward_naive(x, {"pool_height": 2, "pool_width": 2,
                                                                                     "stride": 2})[1])
    np.testing.assert_array_equal(dx, [[[[0.0, 5.0], [0.0, 0.0]]]])


# ---- batch norm --------------------------------------------------------------------------------------

def notebook_activations():
    np.random.seed(231)
    N, D1, D2, D3 = 200, 50, 60, 3
    X = np.random.randn(N, D1)
    W1, W2 = np.random.randn(D1, D2), np.random.randn(D2, D3)
    return np.maximum(0, X.dot(W1)).dot(W2)


def test_batchnorm_train_forward_normalizes_each_feature_then_scales_and_shifts():
    a = notebook_activations()
    out, _ = batchnorm_forward(a, np.ones(3), np.zeros(3), {"mode": "train"})
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1, rtol=1e-6)
    gamma, beta = np.asarray([1.0, 2.0, 3.0]), np.asarray([11.0, 12.0, 13.0])
    out, _ = batchnorm_forward(a, gamma, beta, {"mode": "train"})
    np.testing.assert_allclose(out.mean(axis=0), beta, rtol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), gamma, rtol=1e-6)
    expected = (a - a.mean(axis=0)) / np.sqrt(a.var(axis=0) + 1e-5) * gamma + beta
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_batchnorm_running_averages_as_the_notebook_warms_them_up():
    np.random.seed(231)
    N, D1, D2, D3 = 200, 50, 60, 3
    W1, W2 = np.random.randn(D1, D2), np.random.randn(D2, D3)
    bn_param = {"mode": "train"}
    gamma, beta = np.ones(D3), np.zeros(D3)
    first = np.maximum(0, np.random.randn(N, D1).dot(W1)).dot(W2)
    batchnorm_forward(first, gamma, beta, bn_param)
    # Running averages start at zero and keep 90% of the old value (CS231n's convention).
    np.testing.assert_allclose(bn_param["running_mean"], 0.1 * first.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(bn_param["running_var"], 0.1 * first.var(axis=0), rtol=1e-12)
    for _ in range(49):
        batchnorm_forward(np.maximum(0, np.random.randn(N, D1).dot(W1)).dot(W2), gamma, beta, bn_param)
    bn_param["mode"] = "test"
    a_norm, _ = batchnorm_forward(np.maximum(0, np.random.randn(N, D1).dot(W1)).dot(W2), gamma, beta, bn_param)
    np.testing.assert_allclose(a_norm.mean(axis=0), 0, atol=0.15)  # the notebook: means near 0, stds near 1
    np.testing.assert_allclose(a_norm.std(axis=0), 1, atol=0.15)
    with pytest.raises(ValueError, match="invalid bn_param"):
        batchnorm_forward(first, gamma, beta, {"mode": "eval"})


@pytest.mark.parametrize("backward", [batchnorm_backward, batchnorm_backward_alt])
def test_batchnorm_backward_matches_numerical_gradients(backward):
    np.random.seed(231)
    N, D = 4, 5
    x = 5 * np.random.randn(N, D) + 12
    gamma, beta, dout = np.random.randn(D), np.random.randn(D), np.random.randn(N, D)
    bn_param = {"mode": "train"}
    forward = lambda x, g, b: batchnorm_forward(x, g, b, bn_param)  # noqa: E731
    dx_num, dgamma_num, dbeta_num = numeric_gradients(forward, [x, gamma, beta], dout)
    dx, dgamma, dbeta = backward(dout, forward(x, gamma, beta)[1])
    # The notebook prints dx 1.7e-09, dgamma 7.4e-13, dbeta 2.4e-12.
    assert rel_error(dx, dx_num) < 1e-8 and rel_error(dgamma, dgamma_num) < 1e-11
    assert rel_error(dbeta, dbeta_num) < 1e-11


def test_batchnorm_backward_in_test_mode_treats_the_statistics_as_constants():
    x = np.random.default_rng(0).standard_normal((6, 3))
    bn_param = {"mode": "test", "running_mean": np.full(3, 0.5), "running_var": np.full(3, 4.0)}
    out, cache = batchnorm_forward(x, np.full(3, 2.0), np.zeros(3), bn_param)
    np.testing.assert_allclose(out, (x - 0.5) / np.sqrt(4 + 1e-5) * 2, rtol=1e-12)
    dx, _, _ = batchnorm_backward(np.ones((6, 3)), cache)
    np.testing.assert_allclose(dx, 2 / np.sqrt(4 + 1e-5), rtol=1e-12)


# ---- layer norm and the spatial norms ---------------------------------------------------------------

def test_layernorm_forward_normalizes_each_row():
    a = notebook_activations()
    out, _ = layernorm_forward(a, np.ones(3), np.zeros(3), {})
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=1), 1, rtol=1e-4)  # 3 features: eps shows in the 5th digit
    gamma, beta = np.asarray([3.0, 3.0, 3.0]), np.asarray([5.0, 5.0, 5.0])
    out, _ = layernorm_forward(a, gamma, beta, {"eps": 1e-3})
    expected = (a - a.mean(axis=1, keepdims=True)) / np.sqrt(a.var(axis=1, keepdims=True) + 1e-3) * gamma + beta
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_layernorm_backward_matches_numerical_gradients():
    np.random.seed(231)
    N, D = 4, 5
    x = 5 * np.random.randn(N, D) + 12
    gamma, beta, dout = np.random.randn(D), np.random.randn(D), np.random.randn(N, D)
    forward = lambda x, g, b: layernorm_forward(x, g, b, {})  # noqa: E731
    dx_num, dgamma_num, dbeta_num = numeric_gradients(forward, [x, gamma, beta], dout)
    dx, dgamma, dbeta = layernorm_backward(dout, forward(x, gamma, beta)[1])
    # The notebook prints dx 1.4e-09, dgamma 4.5e-12, dbeta 2.3e-12 (its own random draws differ).
    assert rel_error(dx, dx_num) < 1e-8 and rel_error(dgamma, dgamma_num) < 1e-11
    assert rel_error(dbeta, dbeta_num) < 1e-11


def test_spatial_batchnorm_normalizes_each_channel_over_batch_and_positions():
    np.random.seed(231)
    N, C, H, W = 10, 4, 5, 6
    x = 4 * np.random.randn(N, C, H, W) + 10
    gamma, beta = np.asarray([3.0, 4.0, 5.0, 6.0]), np.asarray([6.0, 7.0, 8.0, 9.0])
    bn_param = {"mode": "train"}
    out, _ = spatial_batchnorm_forward(x, gamma, beta, bn_param)
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), beta, rtol=1e-12)
    np.testing.assert_allclose(out.std(axis=(0, 2, 3)), gamma, rtol=1e-5)
    np.testing.assert_allclose(bn_param["running_mean"], 0.1 * x.mean(axis=(0, 2, 3)), rtol=1e-12)
    bn_param["mode"] = "test"
    out, _ = spatial_batchnorm_forward(x, gamma, beta, bn_param)
    expected = (x - bn_param["running_mean"][:, None, None]) / np.sqrt(bn_param["running_var"][:, None, None] + 1e-5)
    np.testing.assert_allclose(out, expected * gamma[:, None, None] + beta[:, None, None], rtol=1e-12)


@pytest.mark.parametrize("norm", ["spatial_batchnorm", "spatial_groupnorm"])
def test_spatial_norm_backward_matches_numerical_gradients(norm):
    np.random.seed(231)
    N, C, H, W = 2, 6, 4, 5
    x = 5 * np.random.randn(N, C, H, W) + 12
    if norm == "spatial_batchnorm":
        gamma, beta = np.random.randn(C), np.random.randn(C)
        forward = lambda x, g, b: spatial_batchnorm_forward(x, g, b, {"mode": "train"})  # noqa: E731
        backward = spatial_batchnorm_backward
    else:
        gamma, beta = np.random.randn(1, C, 1, 1), np.random.randn(1, C, 1, 1)
        forward = lambda x, g, b: spatial_groupnorm_forward(x, g, b, 2, {})  # noqa: E731
        backward = spatial_groupnorm_backward
    dout = np.random.randn(N, C, H, W)
    dx_num, dgamma_num, dbeta_num = numeric_gradients(forward, [x, gamma, beta], dout)
    dx, dgamma, dbeta = backward(dout, forward(x, gamma, beta)[1])
    assert dgamma.shape == gamma.shape and dbeta.shape == beta.shape
    # The notebooks print dx errors of 3e-07 (spatial batch norm) and 7e-08 (group norm): the numerical
    # side loses digits on inputs of scale 12.
    assert rel_error(dx, dx_num) < 1e-6
    assert rel_error(dgamma, dgamma_num) < 1e-10 and rel_error(dbeta, dbeta_num) < 1e-10


def test_spatial_groupnorm_normalizes_each_group_of_channels_per_image():
    np.random.seed(231)
    N, C, H, W, G = 2, 6, 4, 5, 2
    x = 4 * np.random.randn(N, C, H, W) + 10
    gamma, beta = np.ones((1, C, 1, 1)), np.zeros((1, C, 1, 1))
    out, _ = spatial_groupnorm_forward(x, gamma, beta, G, {})
    groups = out.reshape(N, G, -1)
    np.testing.assert_allclose(groups.mean(axis=2), 0, atol=1e-12)
    np.testing.assert_allclose(groups.std(axis=2), 1, rtol=1e-5)
    with pytest.raises(ValueError, match="the 6 channels cannot be split into 4 groups"):
        spatial_groupnorm_forward(x, gamma, beta, 4, {})


# ---- dropout -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.25, 0.4, 0.7])
def test_dropout_keeps_a_share_p_of_the_units_and_keeps_the_mean(p):
    np.random.seed(231)
    x = np.random.randn(500, 500) + 10
    out, _ = dropout_forward(x, {"mode": "train", "p": p})
    out_test, _ = dropout_forward(x, {"mode": "test", "p": p})
    assert abs((out == 0).mean() - (1 - p)) < 0.01
    assert abs(out.mean() - x.mean()) < 0.15  # 4 standard errors at p = 0.25
    np.testing.assert_allclose(out[out != 0], x[out != 0] / p, rtol=1e-12)
    np.testing.assert_array_equal(out_test, x)


def test_dropout_backward_matches_numerical_gradients_with_a_fixed_seed():
    np.random.seed(231)
    x, dout = np.random.randn(10, 10) + 10, np.random.randn(10, 10)
    dropout_param = {"mode": "train", "p": 0.2, "seed": 123}
    out, cache = dropout_forward(x, dropout_param)
    dx = dropout_backward(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda xx: dropout_forward(xx, dropout_param)[0], x, dout)
    assert rel_error(dx, dx_num) < 1e-10  # the notebook: about 5e-11
    np.testing.assert_allclose(dx, dout * (out != 0) / 0.2, rtol=1e-15)
    _, test_cache = dropout_forward(x, {"mode": "test", "p": 0.2})
    np.testing.assert_array_equal(dropout_backward(dout, test_cache), dout)


def test_dropout_masks_follow_the_seed_or_numpys_global_state():
    x = np.ones((20, 20))
    same = [dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 7})[0] for _ in range(2)]
    np.testing.assert_array_equal(same[0], same[1])
    state = np.random.get_state()
    dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 7})
    assert np.array_equal(np.random.get_state()[1], state[1])  # a seed leaves the global state alone
    masks = []
    for _ in range(2):
        np.random.seed(3)
        masks.append(dropout_forward(x, {"mode": "train", "p": 0.5})[0])
    np.testing.assert_array_equal(masks[0], masks[1])
    assert not np.array_equal(masks[0], dropout_forward(x, {"mode": "train", "p": 0.5})[0])
    with pytest.raises(ValueError, match="KEEPING a unit"):
        dropout_forward(x, {"mode": "train", "p": 0.0})
    with pytest.raises(ValueError, match="invalid dropout_param"):
        dropout_forward(x, {"mode": "eval", "p": 0.5})
