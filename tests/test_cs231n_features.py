"""tinygrad231n.cs231n.features: the starter code's extra colour features (2025 edition)."""
import numpy as np
import pytest

from tinygrad231n.cs231n.features import color_histogram, color_histogram_cross, color_histogram_spatial


def test_color_histogram_counts_each_channel():
    im = np.zeros((2, 2, 3))
    im[..., 0] = [[0, 10], [200, 255]]       # red: bins [0, 127.5) and [127.5, 255]
    im[..., 1] = 100                          # green: all in the first bin
    im[..., 2] = [[255, 255], [255, 0]]
    np.testing.assert_allclose(color_histogram(im, nbin=2), [0.5, 0.5, 1, 0, 0.25, 0.75])
    np.testing.assert_allclose(color_histogram(im, nbin=2, normalized=False), np.array([2, 2, 4, 0, 1, 3]) * 127.5)
    grey = im[..., 0]
    np.testing.assert_array_equal(color_histogram(grey, nbin=2, normalized=False), [2, 2])
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        color_histogram(np.zeros(2))


def test_color_histogram_cross_bins_rgb_jointly_over_each_channels_range():
    im = np.array([[[0, 0, 0], [255, 0, 0]], [[255, 255, 255], [0, 0, 0]]], dtype=float)
    counts = color_histogram_cross(im, nbin=2, normalized=False).reshape(2, 2, 2)
    assert counts[0, 0, 0] == 2 and counts[1, 0, 0] == 1 and counts[1, 1, 1] == 1 and counts.sum() == 4
    density = color_histogram_cross(im, nbin=2)
    volume = 127.5 ** 3
    assert density.shape == (8,) and density.sum() * volume == pytest.approx(1.0)


def test_color_histogram_spatial_concatenates_the_pyramid():
    im = np.random.default_rng(0).integers(0, 256, (8, 8, 3)).astype(float)
    feats = color_histogram_spatial(im, levels=3, nbin=4)
    assert feats.shape == ((1 + 4 + 9) * 4 ** 3,)
    np.testing.assert_array_equal(feats[:64], color_histogram_cross(im, nbin=4))
    np.testing.assert_array_equal(feats[64:128], color_histogram_cross(im[:4, :4], nbin=4))
    np.testing.assert_array_equal(feats[-64:], color_histogram_cross(im[6:, 6:], nbin=4))  # 8 rows -> 3, 3, 2
