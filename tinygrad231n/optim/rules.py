"""First-order update rules, exactly as in CS231n's optim.py: `next_w, config = rule(w, dw, config)`.

Each rule takes the weights `w`, their gradient `dw` (same shape) and a `config` dict holding
the hyperparameters and the rule's running state (velocity, cache, moments). Missing entries
get the defaults below, written into `config` itself, which is returned with the new weights.
`w` is never modified (CS231n's sgd updates w in place; ours returns a new array like the rest).
The optimizers (optimizers.py) and the Solver (solver.py) both call these functions, so each
formula exists once.
"""
import numpy as np


def sgd(w, dw, config=None):
    """Vanilla SGD: w - learning_rate * dw.  config: learning_rate (1e-2)."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w, dw, config=None):
    """SGD with momentum: v = momentum * v - learning_rate * dw; w + v.

    config: learning_rate (1e-2), momentum (0.9), velocity (zeros like w).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def nesterov_momentum(w, dw, config=None):
    """Nesterov momentum (CS231n's lecture notes): the one rule not in CS231n's optim.py.

    v_prev = v; v = momentum * v - learning_rate * dw; w + v + momentum * (v - v_prev),
    i.e. the step looks ahead along the updated velocity. With a constant learning rate this is
    the same trajectory as torch.optim.SGD(nesterov=True). config: as sgd_momentum.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v_prev = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v_prev - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v + config["momentum"] * (v - v_prev), config


def rmsprop(w, dw, config=None):
    """RMSProp: cache = decay_rate * cache + (1 - decay_rate) * dw**2; w - lr * dw / (sqrt(cache) + eps).

    config: learning_rate (1e-2), decay_rate (0.99), epsilon (1e-8), cache (zeros like w).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("cache", np.zeros_like(w))
    decay = config["decay_rate"]
    config["cache"] = decay * config["cache"] + (1 - decay) * dw ** 2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    return next_w, config


def adam(w, dw, config=None):
    """Adam with bias correction; t is incremented FIRST, so the first step uses t = 1.

    t += 1; m = beta1 * m + (1 - beta1) * dw; v = beta2 * v + (1 - beta2) * dw**2;
    w - learning_rate * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + epsilon).
    config: learning_rate (1e-3), beta1 (0.9), beta2 (0.999), epsilon (1e-8), m and v (zeros
    like w), t (0).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    beta1, beta2 = config["beta1"], config["beta2"]
    config["t"] += 1
    config["m"] = beta1 * config["m"] + (1 - beta1) * dw
    config["v"] = beta2 * config["v"] + (1 - beta2) * dw ** 2
    m_hat = config["m"] / (1 - beta1 ** config["t"])
    v_hat = config["v"] / (1 - beta2 ** config["t"])
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    return next_w, config


RULES = {rule.__name__: rule for rule in (sgd, sgd_momentum, nesterov_momentum, rmsprop, adam)}
