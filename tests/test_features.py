"""HOG and hue-histogram kernels against their CS231n references, their quirks, and the feature pipeline."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.features import BatchFeature, FeatureNormalizer, default_feature_fns, extract_features
from tinygrad231n.kernels.color_histogram import hue_histogram_reference, hue_histograms
from tinygrad231n.kernels.hog import hog_features, hog_reference

TOL = dict(rtol=1e-10, atol=1e-10)
HUE_EDGES = np.linspace(0, 255, 11)


def random_images(seed, n, height, width, dtype, channels=(3,)):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, height, width) + channels)
    if dtype == np.float64:
        images = images + rng.random(images.shape) * (images < 255)  # stay within [0, 255]
    return images.astype(dtype)


def hog_of_each(images):
    return np.stack([hog_reference(image) for image in images])


def hue_of_each(images, **kwargs):
    return np.stack([hue_histogram_reference(image, **kwargs) for image in images])


sides = st.sampled_from([8, 16, 24, 32, 40])
dtypes = st.sampled_from([np.uint8, np.float64])


# ---- HOG -----------------------------------------------------------------------------------------

@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), side=sides, dtype=dtypes)
def test_hog_matches_reference_on_square_images(seed, n, side, dtype):
    images = random_images(seed, n, side, side, dtype)
    features = hog_features(images)
    assert features.shape == (n, (side // 8) ** 2 * 9) and features.dtype == np.float64
    np.testing.assert_allclose(features, hog_of_each(images), **TOL)


@given(seed=st.integers(0, 2**32 - 1), height=sides, width=sides, dtype=dtypes)
def test_hog_matches_reference_on_grey_and_non_square_images(seed, height, width, dtype):
    images = random_images(seed, 2, height, width, dtype, channels=())
    np.testing.assert_allclose(hog_features(images), hog_of_each(images), **TOL)


def test_hog_cifar_size_gives_144_values_and_uint8_equals_float():
    images = random_images(0, 3, 32, 32, np.uint8)
    assert hog_features(images).shape == (3, 144)
    np.testing.assert_array_equal(hog_features(images), hog_features(images.astype(np.float64)))


def hog_of_grey(grey):
    """Kernel and reference on one grey float image; checks they agree and returns the features."""
    features = hog_features(grey[np.newaxis])[0]
    np.testing.assert_allclose(features, hog_reference(grey), **TOL)
    return features.reshape(grey.shape[1] // 8, grey.shape[0] // 8, 9)  # (cell col, cell row, bin)


def test_hog_of_constant_image_is_zero():
    assert not hog_of_grey(np.full((32, 32), 77.0)).any()
    assert not hog_features(np.full((1, 16, 16, 3), 200, np.uint8)).any()


def test_hog_edge_cells_see_seven_of_eight_gradient_rows():
    # Forward differences leave the last row's gy at 0, so the bottom cells average 56 gradients, not 64.
    hist = hog_of_grey(np.tile(-np.arange(32.0)[:, None], (1, 32)))  # steps of -1 down: orientation ~ +0
    expected = np.zeros((4, 4, 9))
    expected[:, :, 0] = 1.0
    expected[:, 3, 0] = 7 / 8
    np.testing.assert_allclose(hist, expected, **TOL)


@pytest.mark.parametrize("step, expected_bin", [
    (+1.0, 8),     # orientation 180 - 6e-14: the last bin
    (+100.0, -1),  # orientation rounds to exactly 180: in no bin
    (-1.0, 0),     # orientation +6e-14: the first bin
    (-100.0, -1),  # orientation exactly 0: dropped by CS231n's `temp_ori > 0`
])
def test_hog_vertical_gradients_at_0_and_180_degrees(step, expected_bin):
    hist = hog_of_grey(np.tile(step * np.arange(16.0)[:, None], (1, 16)))
    assert np.count_nonzero(hist) == (0 if expected_bin < 0 else 4)
    if expected_bin >= 0:
        assert np.all(hist[:, :, expected_bin] > 0)


def test_hog_horizontal_gradients():
    # Rightward gradients point at 90 degrees (bin 4); leftward ones at 270, outside every bin.
    rightward = hog_of_grey(np.tile(np.arange(16.0), (16, 1)))
    assert np.count_nonzero(rightward) == 4 and np.all(rightward[:, :, 4] > 0)
    assert not hog_of_grey(np.tile(-np.arange(16.0), (16, 1))).any()


def test_hog_orders_features_by_cell_column_then_cell_row():
    grey = np.zeros((16, 24))  # 2 cell rows, 3 cell columns
    grey[3, 17] = -1.0  # in cell row 0, cell column 2
    features = hog_features(grey[np.newaxis])[0]
    np.testing.assert_allclose(features, hog_reference(grey), **TOL)
    expected = np.zeros(2 * 3 * 9)
    first = (2 * 2 + 0) * 9  # (cell_col * n_cell_rows + cell_row) * 9
    expected[first + 0] = 1 / 64           # pixel (2, 17): gy = -1, orientation ~ +0
    expected[first + 6] = np.sqrt(2) / 64  # pixel (3, 17): gx = gy = +1, orientation 135
    np.testing.assert_allclose(features, expected, **TOL)  # pixel (3, 16): gx = -1, 270: dropped


@pytest.mark.parametrize("shape, message", [
    ((2, 32, 32, 4), r"\(N, H, W, 3\)"),
    ((32, 32, 3), "one RGB image"),
    ((2, 32), r"\(N, H, W\)"),
    ((2, 30, 32, 3), "multiples of 8.*30x32"),
    ((2, 32, 12), "multiples of 8.*32x12"),
])
def test_hog_rejects_bad_shapes(shape, message):
    with pytest.raises(ValueError, match=message):
        hog_features(np.zeros(shape))


# ---- hue histograms ------------------------------------------------------------------------------

@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), height=sides, width=sides, dtype=dtypes)
def test_hue_histograms_match_reference(seed, n, height, width, dtype):
    images = random_images(seed, n, height, width, dtype)
    hist = hue_histograms(images)
    assert hist.shape == (n, 10) and hist.dtype == np.float64
    np.testing.assert_allclose(hist, hue_of_each(images), **TOL)
    np.testing.assert_allclose(hist.sum(axis=1), 1.0, **TOL)


@pytest.mark.parametrize("kwargs", [
    dict(nbin=1), dict(nbin=7), dict(nbin=10, normalized=False), dict(nbin=12, xmin=40),
    dict(nbin=5, xmin=-30, xmax=300),
])
def test_hue_histograms_match_reference_for_other_bins(kwargs):
    images = random_images(1, 3, 8, 16, np.uint8)
    np.testing.assert_allclose(hue_histograms(images, **kwargs), hue_of_each(images, **kwargs), **TOL)


def test_hue_histograms_on_unit_scale_images():
    images = random_images(2, 2, 8, 8, np.float64) / 255.0
    kwargs = dict(nbin=6, xmax=1)
    np.testing.assert_allclose(hue_histograms(images, **kwargs), hue_of_each(images, **kwargs), **TOL)


def test_grey_pixels_have_hue_zero():
    greys = np.repeat(np.array([0, 1, 128, 255], np.uint8)[:, None, None, None], 3, axis=3)  # (4, 1, 1, 3)
    expected = np.zeros((4, 10))
    expected[:, 0] = 1.0
    np.testing.assert_array_equal(hue_histograms(greys), expected)
    np.testing.assert_array_equal(hue_histograms(np.full((1, 8, 8, 3), 90.0)), expected[:1])


def one_pixel_images(colors):
    return np.asarray(colors).reshape(-1, 1, 1, 3)


def all_saturated_colors():
    """Every 0..255 colour with one channel 255 and one 0: all the hues a uint8 image can reach exactly."""
    ramp = np.arange(256)
    colors = []
    for high, low in [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]:
        c = np.zeros((256, 3), np.uint8)
        c[:, high] = 255
        c[:, 3 - high - low] = ramp
        colors.append(c)
    return np.concatenate(colors)


def test_each_saturated_colour_lands_in_the_same_bin_as_in_the_reference():
    # One-pixel images: each histogram row is one-hot at that pixel's bin.
    colors = all_saturated_colors()
    one_hot = hue_histograms(one_pixel_images(colors))
    np.testing.assert_array_equal(one_hot, hue_of_each(one_pixel_images(colors)))
    assert set(one_hot.argmax(axis=1)) == set(range(10))


def test_hue_on_bin_edges_goes_to_the_bin_above_and_the_last_edge_to_the_last_bin():
    import matplotlib.colors

    colors = all_saturated_colors()
    hue = matplotlib.colors.rgb_to_hsv(colors / 255)[:, 0] * 255
    on_edge = np.isin(hue, HUE_EDGES)
    assert on_edge.sum() >= 3, "the test needs colours whose hue is exactly a bin edge"
    one_hot = hue_histograms(one_pixel_images(colors[on_edge]))
    expected_bin = np.minimum(np.searchsorted(HUE_EDGES, hue[on_edge]), 9)
    np.testing.assert_array_equal(one_hot.argmax(axis=1), expected_bin)


def test_hue_a_hair_below_zero_wraps_to_the_last_bin():
    # (hue / 6) % 1 turns -6e-19 into exactly 1.0, i.e. 255, which the closed last bin holds.
    pixel = one_pixel_images([255.0, 0.0, 1e-15])
    np.testing.assert_array_equal(hue_histograms(pixel), hue_histogram_reference(pixel[0])[None])
    assert hue_histograms(pixel)[0, -1] == 1.0


def test_hue_of_an_image_with_no_pixel_in_range_is_nan_like_numpy():
    greys = np.full((1, 8, 8, 3), 50, np.uint8)  # hue 0, below xmin
    with np.errstate(invalid="ignore"):
        expected = hue_histogram_reference(greys[0], xmin=10)
    assert np.isnan(expected).all()
    assert np.isnan(hue_histograms(greys, xmin=10)).all()


@pytest.mark.parametrize("images, kwargs, message", [
    (np.zeros((8, 8, 3)), {}, "one image"),
    (np.zeros((2, 8, 8)), {}, r"\(N, H, W, 3\)"),
    (np.zeros((2, 8, 8, 4)), {}, r"\(N, H, W, 3\)"),
    (np.zeros((1, 8, 8, 3)), dict(nbin=0), "nbin"),
    (np.zeros((1, 8, 8, 3)), dict(xmin=255), "xmin < xmax"),
    (np.full((1, 8, 8, 3), 256.0), {}, r"\[0, 255\].*image 0"),
    (np.full((2, 8, 8, 3), 200, np.uint8), dict(xmax=100), r"\[0, 100\].*image 0"),
])
def test_hue_histograms_reject_bad_input(images, kwargs, message):
    with pytest.raises(ValueError, match=message):
        hue_histograms(images, **kwargs)


@pytest.mark.parametrize("features", [hog_features, hue_histograms], ids=["hog", "hue"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_pixels_are_refused_not_absorbed(features, dtype, bad):
    images = random_images(0, 3, 16, 16, np.float64).astype(dtype)
    images[1, 4, 5, 2] = bad
    with pytest.raises(ValueError, match=rf"images must be finite, but images\[1, 4, 5, 2\] is {bad}"):
        features(images)


def test_hue_histograms_reject_negative_pixels_like_matplotlib():
    images = np.full((3, 8, 8, 3), 10.0)
    images[2, 4, 4, 1] = -1.0
    with pytest.raises(ValueError, match="image 2"):
        hue_histograms(images)
    with pytest.raises(ValueError):
        hue_histogram_reference(images[2])


# ---- the pipeline --------------------------------------------------------------------------------

def test_extract_features_defaults_to_hog_then_10_hue_bins():
    images = random_images(3, 5, 32, 32, np.uint8)
    features = extract_features(images)
    assert features.shape == (5, 144 + 10)
    np.testing.assert_array_equal(features, np.hstack([hog_features(images), hue_histograms(images)]))


def test_per_image_functions_give_the_same_features_as_batch_ones():
    images = random_images(4, 4, 16, 16, np.float64)
    per_image = extract_features(images, [hog_reference, lambda im: hue_histogram_reference(im, nbin=10)])
    np.testing.assert_allclose(extract_features(images, default_feature_fns()), per_image, **TOL)
    mixed = extract_features(images, [BatchFeature(hog_features), lambda im: hue_histogram_reference(im)])
    np.testing.assert_allclose(mixed, per_image, **TOL)


def test_extract_features_reports_progress_and_rejects_bad_feature_functions(capsys):
    images = random_images(5, 1001, 8, 8, np.uint8)
    extract_features(images, [lambda im: im[0, 0, :1].astype(float)], verbose=True)
    assert "Done extracting features for 1000 / 1001 images" in capsys.readouterr().out
    with pytest.raises(ValueError, match="1-d vector"):
        extract_features(images[:2], [lambda im: im])
    with pytest.raises(ValueError, match=r"\(N, F\)"):
        extract_features(images[:2], [BatchFeature(lambda ims: ims[:1, 0, 0, 0])])


def test_normalizer_uses_training_statistics_and_appends_a_bias_column():
    rng = np.random.default_rng(6)
    train = rng.normal(3.0, 2.0, (50, 4))
    train[:, 2] = 7.0  # constant: centred only
    normalizer = FeatureNormalizer().fit(train)
    out = normalizer.transform(train)
    assert out.shape == (50, 5)
    np.testing.assert_allclose(out[:, [0, 1, 3]].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out[:, [0, 1, 3]].std(axis=0), 1.0)
    np.testing.assert_array_equal(out[:, 2], 0.0)
    np.testing.assert_array_equal(out[:, 4], 1.0)
    test = rng.normal(0.0, 1.0, (3, 4))
    np.testing.assert_allclose(normalizer.transform(test, bias=False), (test - train.mean(0)) / np.where(
        train.std(0) > 0, train.std(0), 1.0))
    with pytest.raises(ValueError, match=r"\(M, 4\)"):
        normalizer.transform(test[:, :3])
    with pytest.raises(RuntimeError, match="fit"):
        FeatureNormalizer().transform(test)
