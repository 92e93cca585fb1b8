"""CS231n's `cs231n` package (assignments 1 and 2, and the numpy part of 2024's assignment 3), as a thin
adapter over tinygrad231n's models and core.

Same module paths, names and signatures as the assignment's starter code (2024-2026 editions,
the union where they differ; tests/data/cs231n_starter_api.json is the contract), star imports
included, so notebook code runs after changing `from cs231n...` to `from tinygrad231n.cs231n...`:

    from tinygrad231n.cs231n.data_utils import load_CIFAR10, get_CIFAR10_data
    from tinygrad231n.cs231n.classifiers import KNearestNeighbor, LinearSVM, Softmax
    from tinygrad231n.cs231n.classifiers.cnn import ThreeLayerConvNet
    from tinygrad231n.cs231n.layers import *
    from tinygrad231n.cs231n.fast_layers import conv_forward_fast, max_pool_forward_fast
    from tinygrad231n.cs231n.gradient_check import eval_numerical_gradient_array, grad_check_sparse
    from tinygrad231n.cs231n.rnn_layers import *
    from tinygrad231n.cs231n.classifiers.rnn import CaptioningRNN
    from tinygrad231n.cs231n.captioning_solver import CaptioningSolver

No download needed: `load_CIFAR10("sample")` and `get_CIFAR10_data(cifar10_dir="sample")` read
the CIFAR-10 sample shipped in the package. No extension to build: the fast layers run the
core's numba kernels, which the modules load at import (tenths of a second; the very first
import on a machine compiles them, which takes a minute or so), so that the notebooks' timing
cells compare the code and not the compiler. Importing these modules changes no global state
(matplotlib backend, numpy print options or random state).

The vectorized code paths run on the models in `models/` and the core's ops; only the `*_naive`
functions (losses, convolution, pooling, im2col) and kNN's `compute_distances_two_loops` /
`_one_loop` are the explicit loops the assignment asks students to write, kept as the references
the fast versions are compared against. Layer caches hold the core's tape: pass them back
unopened, as many times as you like.
"""
