"""Where each kernel switches from one thread to several: SizedKernel's serial and threaded compilations
(kernels/sized.py), and the slices of a batch shared out among threads (kernels/split.py).

Every threshold lives here, with the measurement behind it. Measured on the 2-core development
machine (numba 0.68.1, 2 threads), each kernel alone and warm, serial against threaded, by

    python benchmarks/bench_parallel_thresholds.py --layer workqueue      # the command line's threads
    python benchmarks/bench_parallel_thresholds.py                        # numba's default, OpenMP (a notebook)
    python benchmarks/bench_parallel_thresholds.py --after-gemm [--layer workqueue]
    python benchmarks/bench_parallel_thresholds.py --layer workqueue --only slices    # kernels/split.py's callers

"crossover" is the smallest size from which the threaded variant won at every larger size measured
(powers of two; single runs on a shared machine, so read them to within a factor of two).
Each SizedKernel threshold sits at, or between, the crossovers measured with the command line's "workqueue"
threads. With OpenMP, whose workers spin between loops, a kernel alone threads profitably from far
smaller sizes; but in a training step each kernel call is followed by a matrix product whose BLAS
threads want the same two cores, and there (--after-gemm) the threaded variants paid only at the
largest sizes measured, or never. That is why a conv net's own passes thread by slices of the batch
instead (kernels/split.py, BLAS held to one thread meanwhile): their thresholds count per thread, and were
measured the same way ("slices": the batch in one piece against cut into slices on 2 threads, at load 0.7-0.9).
A kernel names its threshold from here (tests/test_thresholds.py holds every SizedKernel and every
in_slices call to that).
"""

# im2col and col2im (kernels/im2col.py), images per call. Alone: from 128 (im2col) and 32 (col2im)
# images of 16x8x8 (3x3 windows), 8 and 16 images of 3x32x32 (7x7) with workqueue threads; from
# 2-4 images with OpenMP. After a GEMM: 256 to 1,024 images, or never. The conv op hands these
# kernels about 1,024 output pixels of images at a time (ops/conv.py), so a chunk reaches 64 images
# only for outputs of 4x4 or smaller. Before the thresholds, a small ConvNet's training step took
# 0.4 s with these kernels threaded on 2 cores (OpenMP), against 0.02 s serial.
IM2COL_MIN_IMAGES = 64

# ---- slices of a batch (kernels/split.py), per thread ------------------------------------------------
# Measured with `--only slices` twice at load 0.8-1.4, the batch in one piece on one BLAS thread against
# cut into slices on 2 threads: waking the second thread costs up to about 0.5 ms here (a virtual
# machine's idle core), so slicing pays only from a few milliseconds of work. Lower thresholds (16
# Winograd images, 2**18 fused values, 128 im2col images, and matrix products sliced too) made ConvNet's
# 2-thread step slower than these, 74.6-82.3 ms against 66.7-68.0, run for run in turn (3 runs each).
# The im2col convolution (ops/conv.py), images: 3 -> 32 channels on 32x32 (ConvNet's first layer), forward and
# dw, db: sliced from 32 and from 64 images in two runs (1.26-1.82x at 128; load 1.0-1.2). Before its chunks
# grew to several images each, one stacked product per chunk (fewer turns of the GIL), it paid only from 512
# (0.79x at 128).
IM2COL_CONV_MIN_IMAGES = 16

# Winograd's convolution (ops/conv_winograd.py), images: 32 -> 32 channels on 16x16, forward and dw, db: sliced
# from 32 and from 64 images in two runs (1.37x at 128, 1.5x at 256 and 512).
WINOGRAD_MIN_IMAGES = 32

# Batch norm + 2x2 max pool + relu fused (kernels/norm_pool_relu.py), values: its forward, gradient sums and
# input gradient on 32x16x16 float32 maps, sliced from 64 and from 256 images in two runs (2**19 and 2**21
# values; 1.7-1.9x at 256 and 512).
NORM_POOL_RELU_MIN_VALUES = 1 << 19

# Spatial batch norm's per-channel passes (kernels/channel_norm.py), values: moments, cross sums and affine on
# 32x16x16 maps, sliced from 256 images in both runs (2**21 values; 0.79-0.95x at 128, 1.5-1.6x at 512).
CHANNEL_NORM_MIN_VALUES = 1 << 20


# Max and average pooling, forward and backward (kernels/pooling.py), values of the first argument
# (the input forward, dx backward). Alone: from 131,072 (max), 524,288 (max backward) and 65,536
# (average) values of 32x16x16 maps, 2x2 windows, with workqueue threads; from 8,192-262,144 with
# OpenMP. After a GEMM: from 4,194,304 values (max, forward and backward), 131,072 to 8,388,608 (average).
# Average backward, timed later on the same machine while it was busy (so noisier): from 524,288 values
# with workqueue threads.
# One threshold for all four: the largest of the alone crossovers, rounded up to 2**20. A training
# batch of feature maps (128 x 32 x 32 x 32, 4M values) threads; a notebook's 100 small RGB images
# (0.3M values) do not: threaded, their first call was 10x slower on 2 cores (OpenMP).
POOLING_MIN_VALUES = 1 << 20

# CS231n's HOG (kernels/hog.py), images (N, 32, 32, 3) uint8. Alone: from 32 images with workqueue
# threads, 2 with OpenMP. Features run over whole data sets, not between matrix products, so the
# alone figure is the one that counts; one image (CS231n's per-image calls) stays serial.
HOG_MIN_IMAGES = 32

# CS231n's hue histogram (kernels/color_histogram.py), images (N, 32, 32, 3) uint8. Alone: from 8
# images with workqueue threads, 2 with OpenMP (as HOG, whose threshold it shares: the two run
# together on the same batches, and a 32-image batch takes well under a millisecond either way).
HUE_HISTOGRAM_MIN_IMAGES = 32

# Softmax cross-entropy and multiclass hinge (ops/cross_entropy.py, ops/multiclass_hinge.py), rows of
# (N, 10) scores. Alone: from 4,096 rows for both with workqueue threads; from 128 (cross-entropy)
# and 1,024 (hinge) rows with OpenMP. After a GEMM: from 131,072 rows or never. CS231n's batches
# (200 rows, a 500-row dev set) stay serial.
LOSS_MIN_ROWS = 4096
