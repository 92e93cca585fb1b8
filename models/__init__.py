"""CS231n's classifiers, built on tinygrad231n: each file a model and, at its bottom, its declaration.

    from models import registry
    registry.names()                    # the declared models, in run order
    registry.get("fcnet").config()      # its kept settings (models/kept/fcnet.json)
"""
from models.knn import KNearestNeighbor, cross_validate_k

__all__ = ["KNearestNeighbor", "cross_validate_k"]
