"""The assignment's classifiers: `from tinygrad231n.cs231n.classifiers import KNearestNeighbor, LinearSVM, Softmax`.

As in the assignment, the linear classifiers' module brings its losses (svm_loss_vectorized, ...) along.
"""
from .fc_net import FullyConnectedNet, TwoLayerNet
from .k_nearest_neighbor import KNearestNeighbor
from .linear_classifier import *  # noqa: F401,F403  (the assignment's __init__ star-imports it)
from .linear_classifier import __all__ as _linear_names

__all__ = ["KNearestNeighbor", *_linear_names, "FullyConnectedNet", "TwoLayerNet"]
