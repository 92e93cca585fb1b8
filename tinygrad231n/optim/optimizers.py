"""Optimizers over Parameters (PyTorch's interface), each driving one update rule of rules.py.

    opt = optim.Adam(model.parameters(), lr=1e-3)
    for X, y in batches:
        opt.zero_grad()
        F.cross_entropy(model(X), y).backward()
        opt.step()
    opt.decay_lr(0.95)      # once per epoch

Each parameter keeps its own config dict (the rule's hyperparameters and state: velocity,
cache, moments), exactly what the Solver keeps for a dict-of-arrays model, so the formulas
live only in rules.py.
"""
from ..tensor import Tensor
from . import rules


class Optimizer:
    """Applies `rule` (a function of rules.py) to every parameter, updating `p.data` in place.

    `hyperparameters` use the rules' config names (learning_rate, momentum, ...). A parameter
    whose `.grad` is None (it did not take part in the loss) is left alone.
    """

    def __init__(self, params, rule, **hyperparameters):
        self.params = _check_parameters(type(self).__name__, params)
        if not hyperparameters["learning_rate"] > 0:
            raise ValueError(f"{type(self).__name__}: lr must be positive, got {hyperparameters['learning_rate']}")
        self.rule = rule
        self.configs = [dict(hyperparameters) for _ in self.params]

    def step(self):
        """Update every parameter that has a gradient, once."""
        for parameter, config in zip(self.params, self.configs):
            if parameter.grad is None:
                continue
            next_w, _ = self.rule(parameter.data, parameter.grad, config)
            parameter.copy_(next_w)  # in place, and marked: a graph that saved the old values refuses backward

    def zero_grad(self):
        """Set every parameter's `.grad` to None, so the next backward starts from zero."""
        for parameter in self.params:
            parameter.grad = None

    @property
    def lr(self):
        """The learning rate (shared by all parameters); assign to change it for all."""
        return self.configs[0]["learning_rate"]

    @lr.setter
    def lr(self, value):
        for config in self.configs:
            config["learning_rate"] = value

    def decay_lr(self, factor):
        """Multiply the learning rate by `factor` (the Solver's per-epoch lr_decay)."""
        self.lr = self.lr * factor


class SGD(Optimizer):
    """Plain SGD, or with momentum (rules.sgd_momentum), or Nesterov momentum (rules.nesterov_momentum).

    momentum follows CS231n's velocity form v = momentum * v - lr * dw; with a constant lr its
    steps equal torch.optim.SGD's with the same lr and momentum (dampening 0).
    """

    def __init__(self, params, lr, momentum=0.0, nesterov=False):
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum}")
        if nesterov and momentum == 0:
            raise ValueError("SGD: nesterov=True needs a momentum > 0")
        if momentum == 0:
            super().__init__(params, rules.sgd, learning_rate=lr)
        else:
            rule = rules.nesterov_momentum if nesterov else rules.sgd_momentum
            super().__init__(params, rule, learning_rate=lr, momentum=momentum)


class RMSprop(Optimizer):
    """RMSProp (rules.rmsprop): decay_rate is torch's `alpha`."""

    def __init__(self, params, lr=1e-2, decay_rate=0.99, eps=1e-8):
        super().__init__(params, rules.rmsprop, learning_rate=lr, decay_rate=decay_rate, epsilon=eps)


class Adam(Optimizer):
    """Adam with bias correction (rules.adam); betas = (beta1, beta2) as in torch."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        beta1, beta2 = betas
        super().__init__(params, rules.adam, learning_rate=lr, beta1=beta1, beta2=beta2, epsilon=eps)


def _check_parameters(owner, params):
    if isinstance(params, Tensor) or hasattr(params, "named_parameters"):
        raise TypeError(f"{owner}: params must be an iterable of Parameters, such as model.parameters(); "
                        f"got a {type(params).__name__}")
    params = list(params)
    if not params:
        raise ValueError(f"{owner}: got no parameters to optimize (an empty list)")
    for i, p in enumerate(params):
        if not (isinstance(p, Tensor) and p.requires_grad and p.is_leaf):
            raise TypeError(f"{owner}: parameter {i} must be a leaf Tensor with requires_grad=True "
                            f"(an nn.Parameter), got {p!r:.80}")
    return params
