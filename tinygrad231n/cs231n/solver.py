"""CS231n's Solver: `from tinygrad231n.cs231n.solver import Solver` (tinygrad231n.optim.Solver, same arguments)."""
from tinygrad231n.optim import Solver

__all__ = ["Solver"]
