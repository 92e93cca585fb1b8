"""Convolution and pooling: the op table of test_ops.py for conv2d, max_pool2d and avg_pool2d (values
against plain numpy loops, gradients against numerical differences, float32 kept), their kernels
against numpy references, and the errors that bad geometry gets."""
import contextlib

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as hs

import tinygrad231n.nn.functional as F
from slicing import sliced
from test_ops import Case, as_tensors
from tinygrad231n import Tensor, ops
from tinygrad231n.gradcheck import gradcheck
from tinygrad231n.kernels import channel_norm
from tinygrad231n.kernels import im2col as im2col_kernels
from tinygrad231n.kernels import norm_pool_relu as fused
from tinygrad231n.kernels import pooling
from tinygrad231n.kernels.thresholds import IM2COL_MIN_IMAGES
from tinygrad231n.ops import conv_winograd
from tinygrad231n.testing import strategies as st

# Each example runs a numerical gradient over every input element: keep the count modest.
FEW = settings(max_examples=25)


def conv2d_loops(x, w, b, stride, pad):
    """The definition, one output pixel at a time: out[:, f, i, j] = <window(i, j), w[f]> + b[f]."""
    (sh, sw), (ph, pw) = stride, pad
    kh, kw = w.shape[2:]
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ho, wo = (padded.shape[2] - kh) // sh + 1, (padded.shape[3] - kw) // sw + 1
    out = np.zeros((x.shape[0], w.shape[0], ho, wo), dtype=np.result_type(x, w))
    for i in range(ho):
        for j in range(wo):
            window = padded[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))
    return out if b is None else out + b[:, None, None]


def conv(x, w, b, stride, pad):
    return ops.Conv2d.apply(x, w, b, stride=stride, padding=pad)


@contextlib.contextmanager
def winograd_everywhere():
    """Conv2d takes Winograd for every 3x3 stride-1 conv, however thin or narrow (ops/conv_winograd.py)."""
    before = conv_winograd.WINOGRAD_MIN_CHANNELS
    conv_winograd.WINOGRAD_MIN_CHANNELS = 1
    try:
        yield
    finally:
        conv_winograd.WINOGRAD_MIN_CHANNELS = before


def conv_by_winograd(x, w, b, stride, pad):
    """conv, by Winograd (forward chooses the path; backward follows it)."""
    with winograd_everywhere():
        return conv(x, w, b, stride, pad)


def max_pool(x, kernel, stride):
    return ops.MaxPool2d.apply(x, kernel, stride=stride)


def avg_pool(x, kernel, stride):
    return ops.AvgPool2d.apply(x, kernel, stride=stride)


CASES = [
    Case("conv2d", st.conv_inputs(), conv, conv2d_loops),
    Case("conv2d_1x1_stride2_pad0", st.conv_inputs(kernel=(1, 1), stride=(2, 2), pad=(0, 0)), conv, conv2d_loops),
    Case("conv2d_batch1_nonsquare", st.conv_inputs(batch=1, kernel=(3, 2), stride=(1, 2), pad=(1, 0)),
         conv, conv2d_loops),
    Case("conv2d_no_bias", st.conv_inputs(bias=False), conv, conv2d_loops),
    # 3x3, stride 1, enough channels: Winograd's F(2x2, 3x3) (ops/conv_winograd.py); odd sizes leave half tiles
    Case("conv2d_winograd", st.conv_inputs(kernel=(3, 3), stride=(1, 1), pad=(1, 1)), conv_by_winograd,
         conv2d_loops),
    Case("conv2d_winograd_pad0_no_bias", st.conv_inputs(kernel=(3, 3), stride=(1, 1), pad=(0, 0), bias=False),
         conv_by_winograd, conv2d_loops),
    Case("max_pool2d", st.pool_inputs(), max_pool, lambda x, k, s: pooling.max_pool_reference(x, k, s)[0]),
    Case("max_pool2d_2x2", st.pool_inputs(kernel=2, stride=2), max_pool,
         lambda x, k, s: pooling.max_pool_reference(x, k, s)[0]),
    Case("avg_pool2d", st.pool_inputs(distinct=False), avg_pool, pooling.avg_pool_reference),
]


# ---- normalization ----------------------------------------------------------------------------------

def standardized(x, axes, eps=1e-5):
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


@hs.composite
def images_and_affine(draw):
    """x (N, C, H, W) with well-spread values (no channel's variance near 0), gamma and beta (C,)."""
    n, c = draw(hs.integers(1, 3)), draw(hs.integers(1, 4))
    h, w = draw(hs.integers(1, 3)), draw(hs.integers(2, 3))
    x = draw(st.distinct_arrays((n, c, h, w), spacing=0.3))
    return x, draw(st.arrays((c,))), draw(st.arrays((c,)))


@hs.composite
def grouped_images(draw):
    """x (N, G * channels per group, H, W), gamma and beta (1, C, 1, 1), G."""
    groups, per_group = draw(hs.integers(1, 3)), draw(hs.integers(1, 2))
    n, h, w, c = draw(hs.integers(1, 2)), draw(hs.integers(1, 2)), draw(hs.integers(2, 3)), groups * per_group
    x = draw(st.distinct_arrays((n, c, h, w), spacing=0.3))
    return x, draw(st.arrays((1, c, 1, 1))), draw(st.arrays((1, c, 1, 1))), groups


@hs.composite
def rows_and_affine(draw):
    n, d = draw(hs.integers(1, 4)), draw(hs.integers(2, 5))
    return draw(st.distinct_arrays((n, d), spacing=0.3)), draw(st.arrays((d,))), draw(st.arrays((d,)))


@hs.composite
def images_with_running_statistics(draw):
    x, gamma, beta = draw(images_and_affine())
    c = x.shape[1]
    # Constant Tensors: the running averages are not differentiated (gradcheck leaves them be).
    return x, gamma, beta, Tensor(draw(st.arrays((c,)))), Tensor(draw(st.positive_arrays((c,))))


def spatial_batchnorm_reference(x, gamma, beta):
    return gamma[:, None, None] * standardized(x, (0, 2, 3)) + beta[:, None, None]


@hs.composite
def images_for_norm_pool_relu(draw, running=False):
    """images_and_affine with H and W even (2x2 windows tile them), and each window's largest normalized
    value clear of 0 (the relu's kink) and of the window's runner-up (a tie), so a numerical gradient
    exists; with running, the running averages (as constant Tensors) to normalize with instead."""
    n, c = draw(hs.integers(1, 2)), draw(hs.integers(1, 3))
    h, w = 2 * draw(hs.integers(1, 2)), 2 * draw(hs.integers(1, 2))
    x = draw(st.distinct_arrays((n, c, h, w), spacing=0.3))
    gamma, beta = draw(st.arrays((c,))), draw(st.arrays((c,)))
    mean, var = (draw(st.arrays((c,))), draw(st.positive_arrays((c,)))) if running else (None, None)
    y = spatial_batchnorm_reference(x, gamma, beta) if mean is None else \
        running_batchnorm_reference(x, gamma, beta, Tensor(mean), Tensor(var))
    windows = np.sort(y.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, -1, 4), axis=-1)
    assume(np.abs(windows[..., -1]).min() > 1e-3 and (windows[..., -1] - windows[..., -2]).min() > 1e-3)
    return (x, gamma, beta) if mean is None else (x, gamma, beta, Tensor(mean), Tensor(var))


def running_batchnorm_reference(x, gamma, beta, mean, var):
    return (gamma[:, None, None] * (x - mean.data[:, None, None]) / np.sqrt(var.data[:, None, None] + 1e-5)
            + beta[:, None, None])


def norm_pool_relu_composition(reference):
    """relu(max_pool2d 2x2 of a batch norm reference), in numpy: the fused op's definition."""
    return lambda *args: np.maximum(pooling.max_pool_reference(reference(*args), (2, 2), (2, 2))[0], 0)


def group_norm_reference(x, gamma, beta, groups):
    grouped = standardized(x.reshape(x.shape[0], groups, -1), (2,)).reshape(x.shape)
    return gamma * grouped + beta


NORM_CASES = [
    Case("batch_norm2d", images_and_affine(), lambda x, g, b: F.batch_norm2d(x, g, b), spatial_batchnorm_reference),
    Case("batch_norm2d_eval", images_with_running_statistics(),
         lambda x, g, b, m, v: F.batch_norm2d(x, g, b, m, v, training=False),
         running_batchnorm_reference),
    Case("batch_norm_pool_relu", images_for_norm_pool_relu(), F.batch_norm_pool_relu,
         norm_pool_relu_composition(spatial_batchnorm_reference)),
    Case("batch_norm_pool_relu_eval", images_for_norm_pool_relu(running=True),
         lambda x, g, b, m, v: F.batch_norm_pool_relu(x, g, b, m, v, training=False),
         norm_pool_relu_composition(running_batchnorm_reference)),
    Case("layer_norm", rows_and_affine(), F.layer_norm, lambda x, g, b: g * standardized(x, (1,)) + b),
    Case("group_norm", grouped_images(), lambda x, g, b, groups: F.group_norm(x, groups, g, b), group_norm_reference),
]

ALL_CASES = CASES + NORM_CASES


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
@FEW
@given(data=hs.data())
def test_forward_matches_numpy(case, data):
    args = data.draw(case.inputs)
    out = case.op(*as_tensors(args))
    np.testing.assert_allclose(out.data, case.reference(*args), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
@FEW
@given(data=hs.data())
def test_gradient_matches_numerical(case, data):
    assert gradcheck(case.op, *data.draw(case.inputs))


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
@FEW
@given(data=hs.data())
def test_float32_stays_float32(case, data):
    args = [a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in data.draw(case.inputs)]
    tensors = [Tensor(a, requires_grad=True) if isinstance(a, np.ndarray) else a for a in args]
    out = case.op(*tensors)
    assert out.dtype == np.float32
    out.sum().backward()
    for t in tensors:
        if isinstance(t, Tensor) and t.requires_grad:
            assert t.grad.dtype == np.float32 and t.grad.shape == t.shape
    np.testing.assert_allclose(out.data, case.reference(*args), rtol=1e-4, atol=1e-4)


# ---- kernels against their numpy references --------------------------------------------------------

@given(st.conv_inputs(max_channels=3).map(lambda a: (a[0], a[1].shape[2:], a[3], a[4])),
       hs.sampled_from([1, IM2COL_MIN_IMAGES]))
def test_im2col_and_col2im_match_numpy(geometry, copies):
    x, kernel, stride, pad = geometry
    x = np.concatenate([x] * copies)  # small batches run the serial kernel, large ones the threaded twin
    cols = im2col_kernels.im2col(x, kernel, stride, pad)
    np.testing.assert_array_equal(cols, im2col_kernels.im2col_reference(x, kernel, stride, pad))
    assert cols.flags.c_contiguous
    dcols = np.random.default_rng(0).standard_normal(cols.shape)
    dx = im2col_kernels.col2im(dcols, x.shape, kernel, stride, pad)
    np.testing.assert_allclose(dx, im2col_kernels.col2im_reference(dcols, x.shape, kernel, stride, pad),
                               rtol=1e-12, atol=1e-12)
    # col2im is im2col's adjoint: <im2col(x), dcols> == <x, col2im(dcols)>.
    assert np.isclose(np.vdot(cols, dcols), np.vdot(x, dx), rtol=1e-12, atol=1e-12)


def pooling_kernels(threaded):
    """Every pooling kernel sent to its threaded (or serial) variant, whatever the input's size."""
    return kernels_forced([pooling._max_pool_kernel, pooling._max_pool_backward_kernel, pooling._avg_pool_kernel,
                           pooling._avg_pool_backward_kernel], threaded)


@contextlib.contextmanager
def kernels_forced(kernels, threaded):
    """SizedKernels sent to their threaded (or serial) variants, whatever the input's size."""
    before = [k.parallel_min for k in kernels]
    for k in kernels:
        k.parallel_min = 0 if threaded else float("inf")
    try:
        yield
    finally:
        for k, value in zip(kernels, before):
            k.parallel_min = value


@given(st.pool_inputs(distinct=False), hs.booleans())
def test_pooling_kernels_match_numpy(inputs, threaded):
    with pooling_kernels(threaded):
        check_pooling_kernels(*inputs)


def check_pooling_kernels(x, kernel, stride):
    windows = ops.conv.sliding_windows("test", x.shape[2:], kernel, stride, 0)
    out, winner = pooling.max_pool(x, kernel, stride, windows.out)
    expected_out, expected_winner = pooling.max_pool_reference(x, kernel, stride)
    np.testing.assert_array_equal(out, expected_out)
    np.testing.assert_array_equal(winner, expected_winner)
    np.testing.assert_allclose(pooling.avg_pool(x, kernel, stride, windows.out),
                               pooling.avg_pool_reference(x, kernel, stride), rtol=1e-12, atol=1e-12)
    grad = np.random.default_rng(0).standard_normal(out.shape)
    one_hot = np.eye(kernel[0] * kernel[1])[expected_winner]
    np.testing.assert_allclose(pooling.max_pool_backward(grad, winner, kernel, stride, x.shape),
                               pooling.pool_backward_reference(grad, one_hot, kernel, stride, x.shape), atol=1e-12)
    even = np.full(one_hot.shape, 1.0 / (kernel[0] * kernel[1]))
    np.testing.assert_allclose(pooling.avg_pool_backward(grad, kernel, stride, x.shape),
                               pooling.pool_backward_reference(grad, even, kernel, stride, x.shape), atol=1e-12)


# ---- behaviour a user relies on ---------------------------------------------------------------------

def test_max_pool_gradient_goes_to_the_first_maximum_on_ties():
    x = Tensor(np.array([[[[1.0, 3.0], [3.0, 3.0]]]]), requires_grad=True)
    ops.MaxPool2d.apply(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [[[[0.0, 1.0], [0.0, 0.0]]]])


def test_overlapping_max_windows_add_up_at_a_shared_winner():
    x = Tensor(np.array([[[[0.0, 9.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]]]), requires_grad=True)
    out = ops.MaxPool2d.apply(x, 2, stride=1)  # the 9 wins both top windows
    out.backward(np.array([[[[1.0, 2.0], [4.0, 8.0]]]]))
    # The bottom windows hold only zeros: each sends its gradient to its own first element.
    np.testing.assert_array_equal(x.grad[0, 0], [[0.0, 3.0, 0.0], [4.0, 8.0, 0.0], [0.0, 0.0, 0.0]])


def test_max_pool_propagates_nan():
    x = np.array([[[[1.0, np.nan], [5.0, 2.0]]]])
    assert np.isnan(ops.MaxPool2d.apply(Tensor(x), 2).data).all()


def test_conv_mixed_dtypes_compute_in_the_wider_and_give_each_input_its_own():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((2, 3, 5, 5)).astype(np.float32), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    out = ops.Conv2d.apply(x, w, None, stride=1, padding=1)
    assert out.dtype == np.float64
    out.sum().backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float64


def test_conv_gradients_whichever_way_its_arguments_come():
    """Without a bias, and with stride and padding by position (as PyTorch's F.conv2d takes them): the same
    gradients as the keyword call's."""
    rng = np.random.default_rng(0)
    x_data, w_data = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3))
    grads = []
    for call in (lambda x, w: F.conv2d(x, w, None, stride=1, padding=1), lambda x, w: F.conv2d(x, w, None, 1, 1),
                 lambda x, w: F.conv2d(x, w)):
        x, w = Tensor(x_data, requires_grad=True), Tensor(w_data, requires_grad=True)
        out = call(x, w)
        (out * out).sum().backward()
        grads.append((out.shape, x.grad, w.grad))
    keywords, positional, bare = grads
    np.testing.assert_array_equal(positional[1], keywords[1])
    np.testing.assert_array_equal(positional[2], keywords[2])
    assert bare[0] == (2, 4, 3, 3) and bare[1].shape == x_data.shape and bare[2].shape == w_data.shape
    assert np.abs(bare[2]).sum() > 0


def test_conv_of_a_large_batch_matches_loops():
    """More images than one chunk holds: the chunks must cover the batch exactly once."""
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((67, 2, 9, 9)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    tensors = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    out = conv(*tensors, (2, 2), (1, 1))
    np.testing.assert_allclose(out.data, conv2d_loops(x, w, b, (2, 2), (1, 1)), rtol=1e-12, atol=1e-12)
    grad = rng.standard_normal(out.shape)
    out.backward(grad)
    np.testing.assert_allclose(tensors[2].grad, grad.sum(axis=(0, 2, 3)), rtol=1e-12)
    # dx is the convolution's adjoint: <conv(x'), grad> == <x', dx> for any x' (no bias).
    other = rng.standard_normal(x.shape)
    assert np.isclose(np.vdot(conv2d_loops(other, w, None, (2, 2), (1, 1)), grad), np.vdot(other, tensors[0].grad))


@pytest.mark.parametrize("x_shape, w_shape, stride, pad, message", [
    ((2, 3, 8, 8), (4, 2, 3, 3), 1, 1, "x has 3 channels (shape (2, 3, 8, 8)) but w expects 2"),
    ((2, 3, 3, 3), (4, 3, 7, 7), 1, 1, "bigger than the padded input along the height: 3 + 2*1 = 5 < 7"),
    ((2, 3, 9, 8), (4, 3, 3, 3), 2, 1, "stride 2 does not tile the width: (width + 2*pad - kernel) = (8 + 2*1 - 3) = 7"),
    ((2, 3, 8, 9), (4, 3, 3, 3), 2, 0, "stride 2 does not tile the height: (height + 2*pad - kernel) = (8 + 2*0 - 3) = 5"),
    ((3, 8, 8), (4, 3, 3, 3), 1, 1, "x must be a batch of images (N, C, H, W), got shape (3, 8, 8)"),
    ((2, 3, 8, 8), (4, 3, 3), 1, 1, "w must be filters (F, C, kh, kw)"),
    ((2, 3, 8, 8), (4, 3, 3, 3), 0, 1, "stride must be >= 1"),
    ((2, 3, 8, 8), (4, 3, 3, 3), 1, -1, "padding must be >= 0"),
])
def test_conv_rejects_bad_geometry_saying_what_and_where(x_shape, w_shape, stride, pad, message):
    with pytest.raises(ValueError) as error:
        conv(Tensor(np.zeros(x_shape)), Tensor(np.zeros(w_shape)), None, stride, pad)
    assert message in str(error.value)


def test_conv_rejects_a_bias_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"b must have shape \(F,\) = \(4,\)"):
        conv(Tensor(np.zeros((1, 3, 4, 4))), Tensor(np.zeros((4, 3, 3, 3))), Tensor(np.zeros(3)), 1, 1)


def test_conv_rejects_a_stride_that_is_not_an_int():
    with pytest.raises(TypeError, match="stride must be an int or a \\(height, width\\) pair"):
        conv(Tensor(np.zeros((1, 3, 4, 4))), Tensor(np.zeros((4, 3, 3, 3))), None, 1.5, 1)


def test_pooling_rejects_windows_that_do_not_tile():
    with pytest.raises(ValueError, match="max_pool2d: stride 2 does not tile the width"):
        max_pool(Tensor(np.zeros((1, 1, 4, 5))), 2, 2)
    with pytest.raises(ValueError, match="avg_pool2d: the kernel \\(3x3\\) is bigger than the padded input along "
                                         "the height"):
        avg_pool(Tensor(np.zeros((1, 1, 2, 5))), 3, 1)



@given(images_and_affine(), hs.sampled_from([1, 3]), hs.booleans())
def test_channel_norm_kernels_match_numpy(inputs, copies, threaded):
    x, gamma, beta = inputs
    x = np.concatenate([x] * copies) * 3 + 50  # a large mean against the spread
    with sliced((channel_norm, "CHANNEL_NORM_MIN_VALUES")) if threaded else contextlib.nullcontext():
        check_channel_norm_kernels(x, gamma, beta)


def check_channel_norm_kernels(x, gamma, beta):
    rng = np.random.default_rng(0)
    g, center = rng.standard_normal(x.shape), rng.standard_normal(x.shape[1])
    mean, var = channel_norm.channel_mean_var(x)
    expected_mean, expected_var = channel_norm.channel_mean_var_reference(x)
    np.testing.assert_allclose(mean, expected_mean, rtol=1e-14)
    np.testing.assert_allclose(var, expected_var, rtol=1e-11)
    for got, expected in zip(channel_norm.channel_cross_sums(g, x, center),
                             channel_norm.channel_cross_sums_reference(g, x, center)):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)
    for terms in ({"a": gamma}, {"a": gamma, "v": g, "b": beta, "d": center}):
        np.testing.assert_allclose(channel_norm.channel_affine(x, **terms),
                                   channel_norm.channel_affine_reference(x, **terms), rtol=1e-13)


def norm_pool_relu_kernels(threaded):
    """The fused kernels on the whole batch in one call, or cut into slices of one image or more (kernels/split.py)."""
    return sliced((fused, "NORM_POOL_RELU_MIN_VALUES")) if threaded else contextlib.nullcontext()


@given(hs.integers(1, 3), hs.integers(1, 3), hs.integers(1, 3), hs.integers(1, 3),
       hs.sampled_from([np.float64, np.float32]), hs.booleans(), hs.booleans(), hs.booleans(),
       hs.integers(0, 2 ** 32 - 1))
def test_norm_pool_relu_kernels_match_numpy(n, c, half_h, half_w, dtype, threaded, ties, nans, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, 2 * half_h, 2 * half_w)).astype(dtype)
    if ties:  # few distinct values: ties within windows, and windows whose maximum is exactly 0
        x = np.round(x).astype(dtype)
    if nans:  # NaNs win their windows, the first in C order if several (and pass the relu)
        x[rng.random(x.shape) < 0.2] = np.nan
    a, d, b, e = (rng.standard_normal(c) for _ in range(4))
    a[0] = 1.0 if ties else a[0]  # with d = 0, an exact 0 after the affine
    d[0] = 0.0 if ties else d[0]
    # The images as drawn take the kernels' branch form; the same windows side by side, at least
    # SELECTS_MIN_WIDTH wide, their select form.
    wide = np.tile(x, (1, 1, 1, -(-fused.SELECTS_MIN_WIDTH // x.shape[3])))
    for images in (x, wide):
        with norm_pool_relu_kernels(threaded):
            check_norm_pool_relu_kernels(images, a, d, b, e, rng, nans)


def check_norm_pool_relu_kernels(x, a, d, b, e, rng, nans):
    out, winner = fused.norm_pool_relu(x, a, d)
    expected_out, expected_winner = fused.norm_pool_relu_reference(x, a, d)
    np.testing.assert_array_equal(out, expected_out)
    np.testing.assert_array_equal(winner, expected_winner)
    assert out.dtype == x.dtype
    grad = rng.standard_normal(out.shape).astype(x.dtype)
    for got, expected in zip(fused.norm_pool_relu_gradient_sums(grad, winner, x, d),
                             fused.norm_pool_relu_gradient_sums_reference(grad, winner, x, d)):
        if nans:  # a NaN anywhere in x makes the reference's sum NaN (0 * NaN); the kernel reads winners only
            got, expected = got[~np.isnan(expected)], expected[~np.isnan(expected)]
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    dx = fused.norm_pool_relu_input_gradient(grad, winner, x, a, b, e)
    assert dx.dtype == x.dtype
    np.testing.assert_allclose(dx, fused.norm_pool_relu_input_gradient_reference(grad, winner, x, a, b, e),
                               rtol=1e-12 if x.dtype == np.float64 else 1e-6, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_pool_relu_is_the_three_ops(dtype, training):
    """Values, gradients and running averages as batch_norm2d, max_pool2d and relu give them, bit for bit
    in float32 (the same statistics, rounding and winners), on a batch cut into slices on threads."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((13, 3, 6, 4)).astype(dtype)
    gamma, beta = rng.standard_normal(3).astype(dtype), rng.standard_normal(3).astype(dtype)
    gamma[0] = -1.0  # a negative scale: the window's maximum comes from its smallest x
    grad = rng.standard_normal((len(x), 3, 3, 2)).astype(dtype)
    results = []
    for fused_op in (True, False):
        tensors = [Tensor(a, requires_grad=True) for a in (x, gamma, beta)]
        running = [np.full(3, 0.5, dtype), np.full(3, 2.0, dtype)]
        with sliced((channel_norm, "CHANNEL_NORM_MIN_VALUES"), (fused, "NORM_POOL_RELU_MIN_VALUES")):
            if fused_op:
                out = F.batch_norm_pool_relu(*tensors, *running, training=training)
            else:
                out = F.max_pool2d(F.batch_norm2d(*tensors, *running, training=training), 2).relu()
            out.backward(grad)
        results.append([out.data] + [t.grad for t in tensors] + running)
    for got, expected in zip(*results):
        assert got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-13 if dtype == np.float64 else 0, atol=1e-13)


def test_batch_norm_pool_relu_propagates_nan():
    x = np.arange(32.0).reshape(2, 1, 4, 4)
    x[0, 0, 1, 1] = np.nan
    out = F.batch_norm_pool_relu(x, np.ones(1), np.zeros(1), training=False, running_mean=np.zeros(1),
                                 running_var=np.ones(1))
    assert np.isnan(out.data[0, 0, 0, 0]) and not np.isnan(out.data[0, 0, 0, 1])


def test_batch_norm_pool_relu_rejects_odd_sizes():
    with pytest.raises(ValueError, match="batch_norm_pool_relu: stride 2 does not tile the width"):
        F.batch_norm_pool_relu(np.zeros((1, 2, 4, 5)), np.ones(2), np.zeros(2))
    with pytest.raises(ValueError, match="batch_norm_pool_relu: x must be \\(N, C, H, W\\) with gamma and beta"):
        F.batch_norm_pool_relu(np.zeros((1, 2, 4, 4)), np.ones(3), np.zeros(3))


def test_spatial_batchnorm_float32_stays_float32_with_float64_statistics():
    x = Tensor(np.random.default_rng(0).standard_normal((4, 3, 5, 5)).astype(np.float32), requires_grad=True)
    gamma, beta = (Tensor(np.ones(3, np.float32), requires_grad=True) for _ in range(2))
    out = F.batch_norm2d(x, gamma, beta)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == gamma.grad.dtype == beta.grad.dtype == np.float32


@pytest.mark.parametrize("call, message", [
    (lambda: F.group_norm(np.zeros((2, 6, 3, 3)), 4, np.ones(6), np.zeros(6)), "cannot be split into 4 groups"),
    (lambda: F.layer_norm(np.zeros((2, 5)), np.ones(4), np.zeros(4)), "trailing feature axes"),
    (lambda: F.batch_norm2d(np.zeros((2, 5, 3, 3)), np.ones(4), np.zeros(4)), "with gamma and beta (C,)"),
    (lambda: F.batch_norm2d(np.zeros((2, 4, 3, 3)), np.ones(4), np.zeros(4), training=False),
     "pass both"),
])
def test_norms_reject_mismatched_shapes(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert message in str(error.value)


@FEW
@given(st.conv_inputs(), hs.booleans())
def test_a_batch_cut_into_slices_gives_the_same_conv(inputs, by_winograd):
    """Both paths (im2col, Winograd) with the batch cut into slices on threads: the same output and
    gradients as in one piece (dw and db summed over the slices)."""
    x, w, b, stride, pad = inputs
    assume(not by_winograd or (w.shape[2:] == (3, 3) and stride == (1, 1) and pad[0] == pad[1]))
    grad = np.random.default_rng(0).standard_normal(conv(x, w, b, stride, pad).shape)
    results = []
    for threads in (1, 3):
        tensors = [Tensor(a, requires_grad=True) for a in (x, w, b)]
        with (winograd_everywhere() if by_winograd else contextlib.nullcontext()), \
                sliced((ops.conv, "IM2COL_CONV_MIN_IMAGES"), (conv_winograd, "WINOGRAD_MIN_IMAGES"), threads=threads):
            out = ops.Conv2d.apply(*tensors, stride=stride, padding=pad)
            out.backward(grad)
        results.append([out.data] + [t.grad for t in tensors])
    for got, expected in zip(*results):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
