"""The main job: every classifier of CS231n assignments 1 and 2, trained, scored, checkpointed and reported."""
from .run import reproduce

__all__ = ["reproduce"]
