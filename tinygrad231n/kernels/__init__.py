"""Numba kernels that are not ops: HOG, hue histograms, kNN distances, and `SizedKernel`.

Each kernel sits beside a plain-numpy reference that the tests hold it to. Nothing here is on the
tape; the differentiable ops (including the fused losses, whose kernels live with them) are in `ops/`.
"""
