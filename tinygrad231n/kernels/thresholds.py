"""Where each numba kernel switches from its serial to its threaded compilation (kernels/sized.py).

Every threshold lives here, with the measurement behind it. Measured on the 2-core development
machine (numba 0.68.1, 2 threads), each kernel alone and warm, serial against threaded, by

    python benchmarks/bench_parallel_thresholds.py --layer workqueue      # the command line's threads
    python benchmarks/bench_parallel_thresholds.py                        # numba's default, OpenMP (a notebook)
    python benchmarks/bench_parallel_thresholds.py --after-gemm [--layer workqueue]

"crossover" is the smallest size from which the threaded variant won at every larger size measured
(powers of two; single runs on a shared machine, so read them to within a factor of two).
Each threshold sits at, or between, the crossovers measured with the command line's "workqueue"
threads. With OpenMP, whose workers spin between loops, a kernel alone threads profitably from far
smaller sizes; but in a training step each kernel call is followed by a matrix product whose BLAS
threads want the same two cores, and there (--after-gemm) the threaded variants paid only at the
largest sizes measured, or never: the thresholds are not raised for that, since on larger machines
the threads matter more and the product's long runs use workqueue threads (tinygrad231n.threads).
A kernel names its threshold from here (tests/test_thresholds.py holds every SizedKernel to that).
"""

# im2col and col2im (kernels/im2col.py), images per call. Alone: from 128 (im2col) and 32 (col2im)
# images of 16x8x8 (3x3 windows), 8 and 16 images of 3x32x32 (7x7) with workqueue threads; from
# 2-4 images with OpenMP. After a GEMM: 256 to 1,024 images, or never. The conv op hands these
# kernels about 1,024 output pixels of images at a time (ops/conv.py), so a chunk reaches 64 images
# only for outputs of 4x4 or smaller. Before the thresholds, a small ConvNet's training step took
# 0.4 s with these kernels threaded on 2 cores (OpenMP), against 0.02 s serial.
IM2COL_MIN_IMAGES = 64

# Spatial batch norm's per-channel passes (kernels/channel_norm.py), images of (C, H*W) planes.
# Alone: from 128 (sums), 64 (cross sums) and 32 (affine) images of 32x16x16 with workqueue threads,
# 2-4 with OpenMP. After a GEMM: from 1,024 images (affine) or never.
CHANNEL_NORM_MIN_IMAGES = 64

# Batch norm + 2x2 max pool + relu fused (kernels/norm_pool_relu.py), images of 32x16x16 float32. Alone, with
# workqueue threads, on the shared 2-core machine at load 1.4 (one core partly taken): forward from 1,024
# images, gradient sums from 512, input gradient none (1.6-1.7x at 256 and 512, 1.0x at 1,024). These passes
# are memory-bound; a training batch (128) stays serial.
NORM_POOL_RELU_MIN_IMAGES = 512

# Winograd's transforms (kernels/winograd.py), images of 32x16x16 float32 per call. Alone, with workqueue threads,
# measured while the shared machine was saturated (load 5.3 on 2 cores, so no core was free for a second thread):
# crossovers from 256 (input transform) and 128 (its adjoint) images, none for the output transform and its
# adjoint. ops/conv_winograd.py hands them chunks of about 256 tiles (1 image of 32x32, 4 of 16x16, 16 of 8x8),
# so a training batch stays serial until this is measured on a calm machine. (Chunks of 256 tiles per thread
# instead made the 32 -> 32 conv on 32x32 at 2 threads slower than before these transforms, 422 against 258 ms;
# chunks of 256 tiles, 78 against 123: single noisy runs at load 3.)
WINOGRAD_MIN_IMAGES = 256

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
