"""Optimization: CS231n's update rules, PyTorch-style optimizers built on them, and the Solver.

    from tinygrad231n import optim
    next_w, config = optim.adam(w, dw, config)                 # a rule, on numpy arrays
    opt = optim.Adam(model.parameters(), lr=1e-3)              # the same rule, on Parameters
    optim.Solver(model, data, update_rule="adam").train()      # CS231n's training loop
"""
from .divergence import TrainingDiverged, check_loss
from .optimizers import SGD, Adam, Optimizer, RMSprop
from .rules import RULES, adam, nesterov_momentum, rmsprop, sgd, sgd_momentum
from .schedules import SCHEDULES
from .solver import Solver, load_checkpoint

__all__ = ["sgd", "sgd_momentum", "nesterov_momentum", "rmsprop", "adam", "RULES", "SCHEDULES", "Optimizer", "SGD",
           "RMSprop", "Adam", "Solver", "load_checkpoint", "TrainingDiverged", "check_loss"]
