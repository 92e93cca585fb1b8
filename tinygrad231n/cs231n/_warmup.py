"""Loading the numba kernels at import, so that a notebook's timing cells time the code, not numba.

numba compiles a kernel on its first call with each argument type, or (after the very first run
on a machine) loads it from its on-disk cache; either way that first call is slow, tenths of a
second to seconds. A notebook times the first call of a vectorized function against a naive
loop, so the adapter modules make that first call themselves, at import, on tiny zero inputs
with the argument types of those timing cells: float64 arrays, int64 labels, and batch sizes on
the same side of the kernels' serial/threaded switch (kernels/sized.py), or both sides where the
batch a kernel sees is not the notebook's. Other types (float32 nets, a loss over 4,096 rows or
more) load on their first use, outside any timing comparison.
Nothing here reads random numbers or changes global state.
"""
import numpy as np

from tinygrad231n.kernels.thresholds import IM2COL_MIN_IMAGES


def warm_up_linear_loss(loss_fn):
    """loss_fn(W, X, y, reg), as svm_loss_vectorized on the notebook's 500-row dev set (serial kernels)."""
    loss_fn(np.zeros((1, 2)), np.zeros((1, 1)), np.zeros(1, np.int64), 0.0)


def warm_up_knn(classifier_class):
    """The kNN distance kernels (two loops, one loop) and the BLAS path, on float64 rows."""
    classifier = classifier_class()
    classifier.train(np.zeros((2, 3)), np.zeros(2, np.int64))
    test = np.zeros((1, 3))
    for compute in (classifier.compute_distances_two_loops, classifier.compute_distances_one_loop,
                    classifier.compute_distances_no_loops):
        classifier.predict_labels(compute(test), k=1)


def warm_up_fast_layers(conv_forward, conv_backward, pool_forward, pool_backward):
    """The fast conv and max-pool layers, forward and backward, on float64 images: one image (the
    kernels' serial variant) and enough for im2col's threaded one. Both, because the conv op hands
    the kernels a few images at a time (ops/conv.py), how many depending on the image size. Pooling
    threads only from kernels/thresholds.POOLING_MIN_VALUES values (a training batch of feature maps),
    more than any of the notebooks' timed cells pool, so its serial variant is the one warmed."""
    for n in (1, IM2COL_MIN_IMAGES):
        x = np.zeros((n, 1, 4, 4))
        out, cache = conv_forward(x, np.zeros((1, 1, 3, 3)), np.zeros(1), {"stride": 1, "pad": 1})
        conv_backward(out, cache)
        out, cache = pool_forward(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
        pool_backward(out, cache)
