"""CS231n's im2col helpers: every receptive field of a batch of images as one column of a matrix.

    cols = im2col_indices(x, 3, 3, padding=1, stride=1)     # (C * 3 * 3, H' * W' * N)
    dx = col2im_indices(dcols, x.shape, 3, 3, padding=1, stride=1)

The assignment's column order: row (c * fh + i) * fw + j of a column is x_pad[n, c, y0 + i, x0 + j];
columns go field by field in reading order, and within a field image by image (n fastest).
`im2col_indices` and `col2im_indices` run the core's numba kernels (tinygrad231n.kernels.im2col,
whose columns are (N, C * fh * fw, H' * W')) and reorder; `get_im2col_indices` gives the fancy-index
arrays for x_pad[:, k, i, j]. `im2col_naive`, `col2im`, `field_coords` and `get_num_fields` are
the 2025 starter's loop versions, kept as references.

H' = (H + 2 * padding - fh) // stride + 1 (a field that would run past the edge is left out);
the loop versions insist, as the assignment's do, that the fields tile the padded input exactly.
"""
import numpy as np

from tinygrad231n.kernels import im2col as kernels

__all__ = ["get_im2col_indices", "im2col_indices", "col2im_indices", "get_num_fields", "field_coords", "im2col_naive",
           "col2im"]


def get_im2col_indices(x_shape, field_height, field_width, padding=1, stride=1):
    """(k, i, j): channel, row and column indices into the padded input, such that
    x_pad[:, k, i, j] is (N, C * fh * fw, H' * W'): k (C*fh*fw, 1), i and j (C*fh*fw, H'*W')."""
    _, c, h, w = x_shape
    out_h = kernels.output_size(h, field_height, stride, padding)
    out_w = kernels.output_size(w, field_width, stride, padding)
    row_in_field = np.tile(np.repeat(np.arange(field_height), field_width), c)      # i of each column row
    col_in_field = np.tile(np.arange(field_width), field_height * c)                # j of each column row
    field_top = stride * np.repeat(np.arange(out_h), out_w)                          # y0 of each field
    field_left = stride * np.tile(np.arange(out_w), out_h)                           # x0 of each field
    i = row_in_field[:, None] + field_top[None, :]
    j = col_in_field[:, None] + field_left[None, :]
    k = np.repeat(np.arange(c), field_height * field_width)[:, None]
    return k, i, j


def im2col_indices(x, field_height, field_width, padding=1, stride=1):
    """x (N, C, H, W) -> cols (C * fh * fw, H' * W' * N), the assignment's column order."""
    cols = kernels.im2col(x, (field_height, field_width), (stride, stride), (padding, padding))  # (N, K, L)
    return cols.transpose(1, 2, 0).reshape(cols.shape[1], -1)


def col2im_indices(cols, x_shape, field_height=3, field_width=3, padding=1, stride=1):
    """The adjoint of im2col_indices: cols (C * fh * fw, H' * W' * N) -> (N, C, H, W), each entry
    added onto the pixel it was taken from (entries from the padding are dropped)."""
    n = x_shape[0]
    by_image = cols.reshape(cols.shape[0], -1, n).transpose(2, 0, 1)  # (N, K, L), the kernel's order
    return kernels.col2im(by_image, tuple(x_shape), (field_height, field_width), (stride, stride), (padding, padding))


# ---- the 2025 starter's loop versions -----------------------------------------------------------------

def get_num_fields(x_shape, field_height, field_width, padding, stride):
    """(HH, WW): how many receptive fields fit vertically and horizontally. Raises ValueError unless
    they tile the padded input exactly."""
    _, _, h, w = x_shape
    for axis, size, field in (("height", h, field_height), ("width", w, field_width)):
        if (size + 2 * padding - field) % stride != 0:
            raise ValueError(f"im2col: fields of {axis} {field} at stride {stride} do not tile the {axis} {size} "
                             f"padded by {padding} on each side")
    return kernels.output_size(h, field_height, stride, padding), kernels.output_size(w, field_width, stride, padding)


def field_coords(H, W, field_height, field_width, padding, stride):
    """Yield (y0, y1, x0, x1) for every receptive field of the padded (H, W) input, in reading order:
    x_pad[y0:y1, x0:x1] is one field."""
    rows, cols = get_num_fields((1, 1, H, W), field_height, field_width, padding, stride)
    for yy in range(rows):
        for xx in range(cols):
            y0, x0 = yy * stride, xx * stride
            yield y0, y0 + field_height, x0, x0 + field_width


def im2col_naive(x, field_height=3, field_width=3, padding=1, stride=1):
    """im2col_indices by loops over fields, then images: the reference."""
    n, c, h, w = x.shape
    rows, cols = get_num_fields(x.shape, field_height, field_width, padding, stride)
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.zeros((c * field_height * field_width, n * rows * cols), dtype=x.dtype)
    column = 0
    for y0, y1, x0, x1 in field_coords(h, w, field_height, field_width, padding, stride):
        for image in range(n):
            out[:, column] = x_pad[image, :, y0:y1, x0:x1].ravel()
            column += 1
    return out


def col2im(cols, x_shape, field_height=3, field_width=3, padding=1, stride=1):
    """col2im_indices by loops over fields, then images: the reference."""
    n, c, h, w = x_shape
    get_num_fields(x_shape, field_height, field_width, padding, stride)
    x_pad = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=cols.dtype)
    column = 0
    for y0, y1, x0, x1 in field_coords(h, w, field_height, field_width, padding, stride):
        for image in range(n):
            x_pad[image, :, y0:y1, x0:x1] += cols[:, column].reshape(c, field_height, field_width)
            column += 1
    return x_pad[:, :, padding:padding + h, padding:padding + w]
