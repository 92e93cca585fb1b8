"""CS231n's Solver: `from tinygrad231n.cs231n.solver import Solver`, the assignment's arguments and behaviour.

    solver = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": 1e-3}, num_epochs=10)
    solver.train()

`model` follows the assignment's protocol: `model.params` is {name: numpy array} and
`model.loss(X, y)` returns (loss, {name: gradient}), `model.loss(X)` the scores. The notebooks'
own models and the adapters in classifiers/ both speak it. The loop itself is
tinygrad231n.optim.Solver, which trains an nn.Module; `ProtocolModule` is such a model seen as one.
An nn.Module given here is trained as it is.
"""
import numpy as np

from tinygrad231n import Function, Tensor, nn, optim


class ReportedLoss(Function):
    """A loss computed outside the tape: forward returns its value; backward hands each parameter the
    gradient the model reported, scaled by the upstream gradient."""

    @staticmethod
    def forward(ctx, *parameters, value, gradients):
        ctx.save(*gradients)
        return np.asarray(value)

    @staticmethod
    def backward(ctx, grad):
        if grad == 1:  # the usual seed: hand the arrays over as they are (and in their dtype)
            return tuple(ctx.saved)
        return tuple((grad * gradient).astype(gradient.dtype, copy=False) for gradient in ctx.saved)


class ProtocolModule(nn.Module):
    """A CS231n model as an nn.Module: one Parameter per entry of `model.params` (sharing its array).

    The Solver gives a Parameter a new array at each update; `push()` hands the arrays back to
    `model.params` (before each use of the model, and when training ends).
    """

    def __init__(self, model):
        super().__init__()
        self.model = model
        for name, array in model.params.items():
            self.register_parameter(name, nn.Parameter(array))

    def push(self):
        params = self.model.params
        for name, parameter in self.named_parameters():
            if params[name] is not parameter.numpy():
                params[name] = parameter.numpy()

    def forward(self, X):
        self.push()
        scores = self.model.loss(X)
        return Tensor(getattr(scores, "data", scores))

    def loss(self, X, y):
        self.push()
        value, gradients = self.model.loss(X, y)
        parameters = dict(self.named_parameters())
        if not np.isfinite(value):  # the Solver stops on it before asking for gradients
            return Tensor(value)
        missing = [name for name in parameters if name not in gradients]
        if missing:
            raise KeyError(f"Solver: model.loss returned no gradient for parameter {missing[0]!r} "
                           f"(it returned gradients for {sorted(gradients)})")
        return ReportedLoss.apply(*parameters.values(), value=value,
                                  gradients=[gradients[name] for name in parameters])


class Solver(optim.Solver):
    """tinygrad231n.optim.Solver over a CS231n model (or an nn.Module); `solver.model` is the model given."""

    def __init__(self, model, data, **kwargs):
        module = model if isinstance(model, nn.Module) else ProtocolModule(model)
        super().__init__(module, data, **kwargs)
        self.model = model

    def train(self):
        super().train()
        if isinstance(self.module, ProtocolModule):
            self.module.push()  # the best parameters, into the model's own params


__all__ = ["Solver"]
