"""Winograd's F(2x2, 3x3) (kernels/winograd.py, ops/conv_winograd.py): each transform against its numpy
reference, each adjoint against its transform (<T(a), b> == <a, T^T(b)>), and its float32 rounding against
the direct convolution's. Values and gradients of the conv op by Winograd are rows of test_conv_ops.py's table."""
import numpy as np
from hypothesis import given, strategies as hs

from test_conv_ops import conv2d_loops, winograd_everywhere
from tinygrad231n import Tensor, ops
from tinygrad231n.kernels import winograd
from tinygrad231n.ops import conv_winograd
from tinygrad231n.ops.conv_winograd import CHUNK_TILES, winograd_conv
from tinygrad231n.testing import strategies as st


@hs.composite
def images_and_pad(draw, max_side=7):
    """x (N, C, H, W) and a padding that leaves a 3x3 window room: H + 2 pad >= 3 (likewise W)."""
    pad = draw(hs.integers(0, 2))
    low = max(1, 3 - 2 * pad)
    shape = (draw(hs.integers(1, 3)), draw(hs.integers(1, 3)), draw(hs.integers(low, max_side)),
             draw(hs.integers(low, max_side)))
    return draw(st.arrays(shape)), pad


@given(images_and_pad(), hs.integers(0, 2 ** 32 - 1))
def test_transforms_match_numpy_and_their_adjoints(inputs, seed):
    check_transforms(*inputs, seed)


def check_transforms(x, pad, seed):
    rng = np.random.default_rng(seed)
    n, c, h, w = x.shape
    v = winograd.input_transform(x, pad)
    np.testing.assert_allclose(v, winograd.input_transform_reference(x, pad), rtol=1e-12, atol=1e-12)
    dv = rng.standard_normal(v.shape)
    assert np.isclose(np.vdot(v, dv), np.vdot(x, winograd.input_transform_adjoint(dv, x.shape, pad)), atol=1e-10)

    f = int(rng.integers(1, 4))
    output_shape = (n, f, h + 2 * pad - 2, w + 2 * pad - 2)
    m = rng.standard_normal((16, v.shape[1], f))
    y = winograd.output_transform(m, output_shape)
    np.testing.assert_allclose(y, winograd.output_transform_reference(m, output_shape), rtol=1e-12, atol=1e-12)
    dy = rng.standard_normal(output_shape)
    assert np.isclose(np.vdot(y, dy), np.vdot(m, winograd.output_transform_adjoint(dy)), atol=1e-10)

    g, du = rng.standard_normal((f, c, 3, 3)), rng.standard_normal((16, c, f))
    assert np.isclose(np.vdot(winograd.filter_transform(g), du), np.vdot(g, winograd.filter_transform_adjoint(du)))


def test_a_batch_of_several_chunks_matches_loops():
    """More tiles than one chunk holds (CHUNK_TILES), odd sizes: every image lands in its place."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2 * CHUNK_TILES // 20 + 3, 4, 7, 9))
    w = rng.standard_normal((3, 4, 3, 3))
    np.testing.assert_allclose(winograd_conv(x, w, 1), conv2d_loops(x, w, None, (1, 1), (1, 1)),
                               rtol=1e-12, atol=1e-12)


def test_float32_rounding_stays_near_the_direct_convolutions():
    """A ConvNet layer's sizes (32 -> 32 channels, 16x16, He-scaled weights), forward and backward in
    float32 by Winograd and by im2col, each against float64: Winograd's error may be larger (its
    transforms add up to 4 values per term), but within 4x of im2col's and under 1e-5 of the largest value."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 32, 16, 16))
    w = rng.standard_normal((32, 32, 3, 3)) * np.sqrt(2 / (32 * 9))
    grad = rng.standard_normal((8, 32, 16, 16))
    exact = _conv_and_gradients(x, w, grad)
    with winograd_everywhere():
        by_winograd = _conv_and_gradients(x.astype(np.float32), w.astype(np.float32), grad.astype(np.float32))
    conv_winograd.WINOGRAD_MIN_CHANNELS, before = 10 ** 9, conv_winograd.WINOGRAD_MIN_CHANNELS
    try:
        by_im2col = _conv_and_gradients(x.astype(np.float32), w.astype(np.float32), grad.astype(np.float32))
    finally:
        conv_winograd.WINOGRAD_MIN_CHANNELS = before
    for name, e, a, b in zip(("out", "dx", "dw"), exact, by_winograd, by_im2col):
        scale = np.abs(e).max()
        winograd_error, im2col_error = np.abs(a - e).max() / scale, np.abs(b - e).max() / scale
        assert winograd_error < max(4 * im2col_error, 1e-7) and winograd_error < 1e-5, (name, winograd_error,
                                                                                          im2col_error)


def _conv_and_gradients(x, w, grad):
    """(out, dx, dw) of the 3x3 conv (padding 1) by ops.Conv2d, as thresholds now choose its path."""
    x, w = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
    out = ops.Conv2d.apply(x, w, None, stride=1, padding=1)
    out.backward(grad)
    return out.data, x.grad, w.grad
