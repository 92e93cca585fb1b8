"""The main job: every classifier of CS231n assignment 1, trained, scored, checkpointed and reported."""
from .run import reproduce

__all__ = ["reproduce"]
