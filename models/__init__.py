"""CS231n assignment 1's classifiers, built on tinygrad231n."""
from models.knn import KNearestNeighbor, cross_validate_k

__all__ = ["KNearestNeighbor", "cross_validate_k"]
