"""Numba kernels that are not ops: the features (HOG, hue histograms) and kNN distances, the passes
that the image ops call (im2col/col2im, pooling, spatial batch norm's channel sums), and `SizedKernel`
with the sizes at which each kernel starts threading (thresholds.py).

Each kernel sits beside a plain-numpy reference that the tests hold it to. Nothing here is on the
tape; the differentiable ops (including the fused losses, whose kernels live with them) are in `ops/`.
"""
