"""The main job: every model of the CS231n assignments (the classifiers on CIFAR-10, the captioning models on
COCO when given), trained, scored, checkpointed and reported."""
from .run import reproduce

__all__ = ["reproduce"]
