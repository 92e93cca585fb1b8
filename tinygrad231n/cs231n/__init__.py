"""CS231n assignment 1's `cs231n` package, as a thin adapter over tinygrad231n's models and core.

Same module paths, names and signatures as the assignment, so notebook code runs after changing
`from cs231n...` to `from tinygrad231n.cs231n...`:

    from tinygrad231n.cs231n.data_utils import load_CIFAR10, get_CIFAR10_data
    from tinygrad231n.cs231n.classifiers import KNearestNeighbor, LinearSVM, Softmax
    from tinygrad231n.cs231n.classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized
    from tinygrad231n.cs231n.classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized
    from tinygrad231n.cs231n.gradient_check import grad_check_sparse

The vectorized code paths run on the models in `models/`; only the `*_naive` losses and kNN's
`compute_distances_two_loops` / `_one_loop` are the explicit loops the assignment asks students
to write, kept as the references the fast versions are compared against.
"""
