"""tinygrad231n.cs231n.fast_layers, layer_utils' conv sandwiches and image_utils, as the ConvolutionalNetworks
notebook checks them; the fast layers are also held to hard-coded values computed with the naive loops."""
import numpy as np
import pytest
from PIL import Image

from tinygrad231n.cs231n import fast_layers
from tinygrad231n.cs231n.fast_layers import (conv_backward_fast, conv_forward_fast, max_pool_backward_fast,
                                             max_pool_forward_fast)
from tinygrad231n.cs231n.image_utils import (SQUEEZENET_MEAN, blur_image, deprocess_image, image_from_url,
                                             load_image, preprocess_image)
from tinygrad231n.cs231n.layer_utils import (conv_bn_relu_backward, conv_bn_relu_forward, conv_relu_backward,
                                             conv_relu_forward, conv_relu_pool_backward, conv_relu_pool_forward)
from tinygrad231n.cs231n.layers import (conv_backward_naive, conv_forward_naive, max_pool_backward_naive,
                                        max_pool_forward_naive)

from notebook_checks import numeric_gradients, rel_error


# ---- hard-coded values, computed with the naive loops -------------------------------------------------

# x = linspace(-0.5, 0.7) as (2, 2, 5, 5), w = linspace(-0.3, 0.4) as (3, 2, 3, 3), b = [0.1, -0.2, 0.3],
# stride 2, pad 1; dout = linspace(-0.9, 1.3) shaped like out. Rows below: out per (image, filter);
# dx per (image, channel), two rows of 5 per line; dw per (filter, channel).
CONV_OUT = [[0.5799771298, 0.808862207, 0.5621841052, 0.7085763293, 0.9789193825, 0.6588336192, 0.3866323613,
             0.4957918811, 0.3381017724],
            [-0.3136420812, -0.3296969697, -0.262275586, -0.2225042882, -0.189897084, -0.1685077187, -0.161189251,
             -0.1240708977, -0.1405603202],
            [-0.4072612922, -0.6682561464, -0.2867352773, -0.3535849057, -0.5587135506, -0.1958490566,
             0.09098913665, 0.05606632361, 0.1807775872],
            [-0.2021841052, -0.4124070898, -0.2840137221, -0.6087478559, -1.069108062, -0.7545454545,
             -0.5876386507, -1.013642081, -0.7002058319],
            [0.05685534591, 0.1780217267, 0.04418524871, 0.1891595197, 0.3555574614, 0.1471012007, 0.01719839909,
             0.09548313322, -0.02620926244],
            [1.115894797, 1.568450543, 1.17238422, 1.787066895, 2.580222985, 1.848747856, 1.422035449, 2.004608348,
             1.447787307]]
CONV_DX = [[0.1925275899, 0.3822356711, 0.1913527946, 0.3798860805, 0.1901779993, 0.3667283731, 0.7278177287,
            0.3643787825, 0.7231185475, 0.3620291919],
           [0.189003204, 0.3751868993, 0.1878284087, 0.3728373087, 0.1866536134, 0.3596796013, 0.7137201851,
            0.3573300107, 0.7090210039, 0.3549804201],
           [0.1854788181, 0.3681381274, 0.1843040228, 0.3657885368, 0.1831292275, 0.004805980776, 0.02159487362,
            0.01843360627, 0.0488501246, 0.03206123176],
           [0.03569241723, 0.0953506586, 0.06294766821, 0.1498611606, 0.09020291919, 0.04568885724, 0.1033606266,
            0.05931648273, 0.1306158775, 0.07294410822],
           [0.1174581702, 0.2588821645, 0.1447134211, 0.3133926664, 0.1719686721, 0.08657173371, 0.1851263795,
            0.1001993592, 0.2123816305, 0.1138269847],
           [0.1608081168, 0.3187967248, 0.1596333215, 0.3164471342, 0.1584585262, 0.3032894268, 0.6009398362,
            0.3009398362, 0.596240655, 0.2985902456],
           [0.1572837309, 0.311747953, 0.1561089356, 0.3093983624, 0.1549341403, 0.296240655, 0.5868422926,
            0.2938910644, 0.5821431114, 0.2915414738],
           [0.153759345, 0.3046991812, 0.1525845497, 0.3023495906, 0.1514097544, 0.372751869, 0.7574866501,
            0.3863794945, 0.784741901, 0.40000712],
           [0.7715841937, 1.567134211, 0.7988394446, 1.621644713, 0.8260946956, 0.4136347455, 0.839252403,
            0.427262371, 0.866507654, 0.4408899964],
           [0.8533499466, 1.730665717, 0.8806051976, 1.785176219, 0.9078604486, 0.4545176219, 0.9210181559,
            0.4681452474, 0.9482734069, 0.4817728729]]
CONV_DW = [[1.428016009, 2.159885649, 1.445122927, 2.255986278, 3.41077187, 2.281646655, 1.479336764, 2.236866781,
            1.496443682],
           [1.208461978, 1.755082905, 1.124939966, 1.700240137, 2.463945111, 1.574957118, 0.9578959405, 1.379233848,
            0.874373928],
           [1.274053745, 1.928942253, 1.291160663, 2.025042882, 3.064356775, 2.050703259, 1.3253745, 2.005923385,
            1.342481418],
           [1.960160091, 2.882630074, 1.876638079, 2.827787307, 4.155265866, 2.702504288, 1.709594054, 2.506781018,
            1.626072041],
           [1.120091481, 1.697998856, 1.137198399, 1.794099485, 2.717941681, 1.819759863, 1.171412236, 1.774979989,
            1.188519154],
           [2.711858205, 4.010177244, 2.628336192, 3.955334477, 5.846586621, 3.830051458, 2.461292167, 3.634328188,
            2.377770154]]
CONV_DB = [-3.124528302, 3.6, 10.3245283]

# x = permutation / 10 - 1.5 as (2, 2, 4, 4) (all values distinct), 2x2 windows, stride 2; dout = 1, 2, ...
POOL_PERMUTATION = [32, 61, 11, 31, 27, 42, 12, 48, 26, 39, 43, 63, 17, 47, 28, 6, 9, 59, 29, 35, 18, 22, 30, 36, 41,
                    13, 38, 24, 52, 2, 20, 34, 58, 44, 7, 23, 55, 56, 19, 49, 62, 25, 33, 3, 8, 51, 57, 21, 1, 16, 60,
                    14, 50, 4, 5, 15, 10, 45, 54, 0, 37, 53, 46, 40]
POOL_OUT = [[4.6, 3.3, 3.2, 4.8], [4.4, 2.1, 3.7, 2.3], [4.3, 3.4, 4.7, 4.2], [3.5, 4.5, 3.8, 3.9]]
POOL_DX = [[0, 1, 0, 0, 0, 0, 0, 2], [0, 0, 0, 4, 0, 3, 0, 0], [0, 5, 0, 0, 0, 0, 0, 6], [0, 0, 8, 0, 7, 0, 0, 0],
           [9, 0, 0, 0, 0, 0, 0, 10], [11, 0, 0, 0, 0, 0, 12, 0], [0, 0, 14, 0, 13, 0, 0, 0], [0, 0, 16, 0, 0, 15, 0, 0]]


def conv_case():
    x = np.linspace(-0.5, 0.7, num=2 * 2 * 5 * 5).reshape(2, 2, 5, 5)
    w = np.linspace(-0.3, 0.4, num=3 * 2 * 3 * 3).reshape(3, 2, 3, 3)
    return x, w, np.array([0.1, -0.2, 0.3]), {"stride": 2, "pad": 1}


@pytest.mark.parametrize("forward, backward", [(conv_forward_naive, conv_backward_naive),
                                               (conv_forward_fast, conv_backward_fast),
                                               (fast_layers.conv_forward_im2col, fast_layers.conv_backward_im2col)],
                         ids=["naive", "fast", "im2col"])
def test_conv_layers_give_the_hard_coded_values(forward, backward):
    out, cache = forward(*conv_case())
    np.testing.assert_allclose(out.reshape(-1, 9), CONV_OUT, rtol=1e-8, atol=1e-10)
    dx, dw, db = backward(np.linspace(-0.9, 1.3, num=out.size).reshape(out.shape), cache)
    np.testing.assert_allclose(dx.reshape(-1, 10), CONV_DX, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(dw.reshape(-1, 9), CONV_DW, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(db, CONV_DB, rtol=1e-8)


@pytest.mark.parametrize("forward, backward", [(max_pool_forward_naive, max_pool_backward_naive),
                                               (max_pool_forward_fast, max_pool_backward_fast),
                                               (fast_layers.max_pool_forward_reshape, fast_layers.max_pool_backward_reshape),
                                               (fast_layers.max_pool_forward_im2col, fast_layers.max_pool_backward_im2col)],
                         ids=["naive", "fast", "reshape", "im2col"])
def test_max_pool_layers_give_the_hard_coded_values(forward, backward):
    x = np.array(POOL_PERMUTATION, dtype=float).reshape(2, 2, 4, 4) / 10 - 1.5
    out, cache = forward(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    np.testing.assert_allclose(out.reshape(-1, 4), POOL_OUT, rtol=1e-12)
    dx = backward(np.arange(1.0, out.size + 1).reshape(out.shape), cache)
    np.testing.assert_array_equal(dx.reshape(-1, 8), POOL_DX)


# ---- the notebook's comparison of fast and naive ------------------------------------------------------

def test_fast_conv_matches_naive_on_the_notebook_sizes():
    np.random.seed(231)
    x, w, b = np.random.randn(100, 3, 31, 31), np.random.randn(25, 3, 3, 3), np.random.randn(25,)
    dout = np.random.randn(100, 25, 16, 16)
    conv_param = {"stride": 2, "pad": 1}
    out_naive, cache_naive = conv_forward_naive(x, w, b, conv_param)
    out_fast, cache_fast = conv_forward_fast(x, w, b, conv_param)
    dx_naive, dw_naive, db_naive = conv_backward_naive(dout, cache_naive)
    dx_fast, dw_fast, db_fast = conv_backward_fast(dout, cache_fast)
    # The notebook prints differences of 4.9e-11 (out), 1.0e-11 (dx), 6.4e-13 (dw), 3.1e-15 (db).
    assert rel_error(out_naive, out_fast) < 1e-9 and rel_error(dx_naive, dx_fast) < 1e-9
    assert rel_error(dw_naive, dw_fast) < 1e-11 and rel_error(db_naive, db_fast) < 1e-13


def test_fast_max_pool_matches_naive_on_the_notebook_sizes():
    np.random.seed(231)
    x, dout = np.random.randn(100, 3, 32, 32), np.random.randn(100, 3, 16, 16)
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out_naive, cache_naive = max_pool_forward_naive(x, pool_param)
    out_fast, cache_fast = max_pool_forward_fast(x, pool_param)
    np.testing.assert_array_equal(out_fast, out_naive)  # the notebook: difference 0
    np.testing.assert_array_equal(max_pool_backward_fast(dout, cache_fast), max_pool_backward_naive(dout, cache_naive))


def test_fast_layers_insist_that_the_windows_tile_the_input():
    with pytest.raises(ValueError, match="stride 2 does not tile the height"):
        conv_forward_fast(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)), np.zeros(1), {"stride": 2, "pad": 1})
    with pytest.raises(ValueError, match="does not tile the height"):
        max_pool_forward_fast(np.zeros((1, 1, 5, 5)), {"pool_height": 2, "pool_width": 2, "stride": 2})


def test_float32_stays_float32():
    x, w, b, conv_param = conv_case()
    out, cache = conv_forward_fast(x.astype(np.float32), w.astype(np.float32), b.astype(np.float32), conv_param)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.reshape(-1, 9), CONV_OUT, rtol=1e-5, atol=1e-6)
    assert all(g.dtype == np.float32 for g in conv_backward_fast(np.ones_like(out), cache))


# ---- layer_utils: the conv sandwiches --------------------------------------------------------------------

def test_conv_relu_pool_as_the_notebook_checks_it():
    np.random.seed(231)
    # The notebook's images are 16x16; 8x8 checks the same with a quarter of the numerical gradient's work.
    x, w, b = np.random.randn(2, 3, 8, 8), np.random.randn(3, 3, 3, 3), np.random.randn(3,)
    dout = np.random.randn(2, 3, 4, 4)
    conv_param, pool_param = {"stride": 1, "pad": 1}, {"pool_height": 2, "pool_width": 2, "stride": 2}
    forward = lambda x, w, b: conv_relu_pool_forward(x, w, b, conv_param, pool_param)  # noqa: E731
    out, cache = forward(x, w, b)
    expected, _ = max_pool_forward_naive(np.maximum(conv_forward_naive(x, w, b, conv_param)[0], 0), pool_param)
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    dx_num, dw_num, db_num = numeric_gradients(forward, [x, w, b], dout)
    dx, dw, db = conv_relu_pool_backward(dout, cache)
    # The notebook prints errors of about 1e-8 (dx), 5e-9 (dw), 1e-10 (db).
    assert rel_error(dx_num, dx) < 1e-7 and rel_error(dw_num, dw) < 1e-7 and rel_error(db_num, db) < 1e-8


def test_conv_relu_as_the_notebook_checks_it():
    np.random.seed(231)
    x, w, b = np.random.randn(2, 3, 8, 8), np.random.randn(3, 3, 3, 3), np.random.randn(3,)
    dout = np.random.randn(2, 3, 8, 8)
    conv_param = {"stride": 1, "pad": 1}
    forward = lambda x, w, b: conv_relu_forward(x, w, b, conv_param)  # noqa: E731
    out, cache = forward(x, w, b)
    np.testing.assert_allclose(out, np.maximum(conv_forward_naive(x, w, b, conv_param)[0], 0), rtol=1e-12)
    dx_num, dw_num, db_num = numeric_gradients(forward, [x, w, b], dout)
    dx, dw, db = conv_relu_backward(dout, cache)
    assert rel_error(dx_num, dx) < 1e-8 and rel_error(dw_num, dw) < 1e-8 and rel_error(db_num, db) < 1e-9


def test_conv_bn_relu_backward_matches_numerical_gradients():
    np.random.seed(231)
    x, w, b = np.random.randn(2, 3, 6, 6), np.random.randn(4, 3, 3, 3), np.random.randn(4,)
    gamma, beta = np.random.randn(4), np.random.randn(4)
    dout = np.random.randn(2, 4, 6, 6)
    conv_param = {"stride": 1, "pad": 1}
    forward = lambda x, w, b, g, be: conv_bn_relu_forward(x, w, b, g, be, conv_param, {"mode": "train"})  # noqa: E731
    out, cache = forward(x, w, b, gamma, beta)
    dx, dw, db, dgamma, dbeta = conv_bn_relu_backward(dout, cache)
    dx_num, dw_num, db_num, dgamma_num, dbeta_num = numeric_gradients(forward, [x, w, b, gamma, beta], dout)
    for numeric, analytic in ((dx_num, dx), (dw_num, dw), (dgamma_num, dgamma), (dbeta_num, dbeta)):
        assert rel_error(numeric, analytic) < 1e-6
    # Batch norm subtracts the mean, so the conv's bias changes nothing: its gradient is 0 (up to rounding).
    assert np.abs(db).max() < 1e-12 and np.abs(db_num).max() < 1e-9


# ---- image_utils -------------------------------------------------------------------------------------------

def test_preprocess_and_deprocess_invert_each_other():
    img = np.random.default_rng(0).integers(0, 256, (4, 5, 3)).astype(np.uint8)
    x = preprocess_image(img)
    assert x.dtype == np.float32
    np.testing.assert_allclose(x[0, 0], (img[0, 0] / 255 - SQUEEZENET_MEAN) / [0.229, 0.224, 0.225], rtol=1e-5)
    assert np.abs(deprocess_image(x).astype(int) - img).max() <= 1  # uint8 conversion rounds down
    stretched = deprocess_image(x, rescale=True)
    assert stretched.min() == 0 and stretched.max() == 255


def test_deprocess_rounds_down_at_most_one_level():
    img = np.arange(256, dtype=np.uint8).reshape(16, 16, 1).repeat(3, axis=2)
    assert np.abs(deprocess_image(preprocess_image(img)).astype(int) - img).max() <= 1


def test_blur_image_keeps_the_interior_of_a_constant_image():
    X = np.full((1, 3, 5, 5), 2.0)
    blurred = blur_image(X)
    np.testing.assert_allclose(blurred[:, :, 1:-1, 1:-1], 2.0, rtol=1e-12)
    assert blurred[0, 0, 0, 0] == pytest.approx(2.0 * (188 + 2 + 2 + 1) / 200)  # the corner loses the padding


def test_load_image_and_image_from_url(tmp_path, capsys):
    pixels = np.random.default_rng(0).integers(0, 256, (40, 80, 3)).astype(np.uint8)
    path = tmp_path / "wide.png"
    Image.fromarray(pixels).save(path)
    np.testing.assert_array_equal(load_image(path), pixels)
    assert load_image(path, size=20).shape == (20, 40, 3)  # the shorter side becomes 20, aspect kept
    np.testing.assert_array_equal(image_from_url(path.as_uri()), pixels)
    assert image_from_url((tmp_path / "missing.png").as_uri()) is None
    assert "URL Error" in capsys.readouterr().out
