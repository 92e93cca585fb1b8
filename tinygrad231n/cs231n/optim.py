"""CS231n's update rules, `next_w, config = rule(w, dw, config=None)`: tinygrad231n.optim.rules.

One difference from the assignment's sgd: w is never updated in place; use the returned array.
"""
from tinygrad231n.optim.rules import adam, rmsprop, sgd, sgd_momentum

__all__ = ["sgd", "sgd_momentum", "rmsprop", "adam"]
