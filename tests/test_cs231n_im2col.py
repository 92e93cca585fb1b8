"""tinygrad231n.cs231n.im2col: the assignment's column layout, from the core's kernels and from the loops."""
import numpy as np
import pytest

from tinygrad231n.cs231n.im2col import (col2im, col2im_indices, field_coords, get_im2col_indices, get_num_fields,
                                        im2col_indices, im2col_naive)

SHAPES = [((2, 3, 5, 5), 3, 3, 1, 1), ((3, 2, 7, 7), 3, 3, 1, 2), ((2, 1, 4, 6), 2, 2, 0, 2), ((1, 2, 5, 5), 3, 3, 0, 1)]


def test_the_starter_codes_example():
    # The 2025 starter's docstring: [[1, 2], [3, 4]] with 2x2 fields, padding 1, stride 1.
    cols = im2col_indices(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]), 2, 2, padding=1, stride=1)
    np.testing.assert_array_equal(cols, [[0, 0, 0, 0, 1, 2, 0, 3, 4],
                                         [0, 0, 0, 1, 2, 0, 3, 4, 0],
                                         [0, 1, 2, 0, 3, 4, 0, 0, 0],
                                         [1, 2, 0, 3, 4, 0, 0, 0, 0]])


@pytest.mark.parametrize("shape, fh, fw, pad, stride", SHAPES)
def test_kernel_version_loop_version_and_fancy_indices_agree(shape, fh, fw, pad, stride):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    cols = im2col_indices(x, fh, fw, pad, stride)
    np.testing.assert_array_equal(cols, im2col_naive(x, fh, fw, pad, stride))
    k, i, j = get_im2col_indices(shape, fh, fw, pad, stride)
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    np.testing.assert_array_equal(cols, x_pad[:, k, i, j].transpose(1, 2, 0).reshape(cols.shape[0], -1))
    d = rng.standard_normal(cols.shape)
    dx = col2im_indices(d, shape, fh, fw, pad, stride)
    np.testing.assert_allclose(dx, col2im(d, shape, fh, fw, pad, stride), rtol=1e-12, atol=1e-14)
    # col2im is the adjoint of im2col: <im2col(x), d> = <x, col2im(d)>.
    assert np.sum(cols * d) == pytest.approx(np.sum(x * dx), rel=1e-12)


def test_column_order_is_field_by_field_then_image_by_image():
    x = np.arange(2 * 1 * 3 * 3, dtype=float).reshape(2, 1, 3, 3)
    cols = im2col_indices(x, 2, 2, padding=0, stride=1)
    np.testing.assert_array_equal(cols[:, 0], x[0, 0, :2, :2].ravel())  # field 0, image 0
    np.testing.assert_array_equal(cols[:, 1], x[1, 0, :2, :2].ravel())  # field 0, image 1
    np.testing.assert_array_equal(cols[:, 2], x[0, 0, :2, 1:].ravel())  # field 1, image 0


def test_fields_in_reading_order_and_tiling_checks():
    assert list(field_coords(2, 3, 2, 2, 0, 1)) == [(0, 2, 0, 2), (0, 2, 1, 3)]
    assert get_num_fields((1, 1, 5, 7), 3, 3, 1, 2) == (3, 4)
    with pytest.raises(ValueError, match="do not tile the width 6"):
        get_num_fields((1, 1, 5, 6), 3, 3, 1, 2)
