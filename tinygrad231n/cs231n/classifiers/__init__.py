"""The assignment's classifiers: `from tinygrad231n.cs231n.classifiers import KNearestNeighbor, LinearSVM, Softmax`."""
from .fc_net import FullyConnectedNet, TwoLayerNet
from .k_nearest_neighbor import KNearestNeighbor
from .linear_classifier import LinearClassifier, LinearSVM, Softmax

__all__ = ["KNearestNeighbor", "LinearClassifier", "LinearSVM", "Softmax", "FullyConnectedNet", "TwoLayerNet"]
