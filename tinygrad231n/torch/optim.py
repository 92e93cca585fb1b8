"""PyTorch's optimizers on the engine's Tensor: `import tinygrad231n.torch.optim as optim`.

    optimizer = optim.SGD(model.parameters(), lr=1e-2, momentum=0.9, nesterov=True)
    optimizer = optim.Adam([{"params": w1}, {"params": [w2, b2], "lr": 1e-4}], lr=1e-3)
    for x, y in loader:
        optimizer.zero_grad()          # set_to_none=True: every .grad becomes None (torch 2.x)
        loss_fn(model(x), y).backward()
        optimizer.step()

The update rules are torch.optim's single-tensor (CPU) code, operation by operation, so steps agree
with PyTorch's to rounding (tests/test_torch_optim.py, against torch's own numbers). They are not the
CS231n rules of tinygrad231n/optim/rules.py, which differ on purpose: CS231n's momentum keeps a
velocity that already includes lr (torch's buffer does not: a changed lr acts at once, and dampening
exists), and CS231n's Adam puts eps after sqrt(v / bias_correction2), torch after
sqrt(v) / sqrt(bias_correction2). Both are kept; each serves its own API.

Conventions (as torch): `param_groups` is a list of dicts, each with "params" (a list of leaf Tensors)
and every option; `state[p]` holds a parameter's buffers as numpy arrays of the parameter's dtype
(momentum_buffer; step, exp_avg, exp_avg_sq, max_exp_avg_sq), so float32 stays float32. A parameter
whose `.grad` is None is skipped. Options are used as Python floats (a numpy float64 lr would widen
float32 arithmetic under numpy 2's rules). Parameters are written in place (`p.copy_`), so every name
for a parameter sees the step, and a graph that saved the old values refuses its backward.
"""
import numpy as np

from tinygrad231n.function import no_grad
from tinygrad231n.tensor import Tensor
from tinygrad231n.torch._unsupported import unsupported as _unsupported_names

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]

# torch's options that choose an implementation (multi-tensor kernels, CUDA graphs, autograd through
# the step); None and False mean the plain one, the only one here.
_IMPLEMENTATION_OPTIONS = ("foreach", "fused", "capturable", "differentiable")


class Optimizer:
    """torch.optim.Optimizer: param_groups, state, zero_grad, step, state_dict / load_state_dict.

    params: an iterable of Tensors, or of dicts {"params": tensors, option: value, ...} whose options
    override `defaults` for that group. A subclass implements `_update(group)`.
    """

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got a Tensor")
        self.defaults = defaults
        self.state = {}  # parameter -> {buffer name: array} (Tensors hash by identity, as torch's)
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a group {"params": tensors, option: value, ...}; missing options take the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        _check_options(type(self).__name__, group)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Forget the gradients: `.grad = None` (the default, as torch 2.x), or zero them in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad.zero_()

    def step(self, closure=None):
        """Update every parameter that has a gradient, once. `closure` (optional) recomputes the loss
        and its gradients first and returns the loss; step returns it (None without a closure)."""
        loss = None if closure is None else closure()  # called as the caller's grad mode stands
        with no_grad():
            for group in self.param_groups:
                self._update(group)
        return loss

    def _update(self, group):
        raise NotImplementedError

    def state_dict(self):
        """{"state": {index: buffers}, "param_groups": [options with "params" as indices]}, as torch's
        (parameters are numbered in group order); buffers are copies."""
        index, groups, state = 0, [], {}
        for group in self.param_groups:
            numbers = list(range(index, index + len(group["params"])))
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": numbers})
            for number, p in zip(numbers, group["params"]):
                if p in self.state:
                    state[number] = {k: _copy(v) for k, v in self.state[p].items()}
            index += len(numbers)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Take options and buffers from `state_dict` (from state_dict() of an optimizer over parameters
        of the same shapes, grouped alike); buffers are cast to each parameter's dtype."""
        saved = state_dict["param_groups"]
        if len(saved) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        state = {}
        for group, saved_group in zip(self.param_groups, saved):
            for p, number in zip(group["params"], saved_group["params"]):
                if number in state_dict["state"]:
                    state[p] = {k: _cast_buffer(k, v, p) for k, v in state_dict["state"][number].items()}
        for group, saved_group in zip(self.param_groups, saved):
            group.update({k: v for k, v in saved_group.items() if k != "params"})
        self.state = state

    def _buffers(self, p):
        """The state dict of parameter `p` (created empty on first use)."""
        return self.state.setdefault(p, {})

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines + [")"])


class SGD(Optimizer):
    """torch.optim.SGD: with g = grad (negated if maximize) + weight_decay * p,
    buf = g at the first step, then momentum * buf + (1 - dampening) * g;
    the step is g + momentum * buf (nesterov) or buf (momentum) or g; p -= lr * step."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _refuse_implementations("SGD", foreach=foreach, differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        super().__init__(params, defaults)

    def _update(self, group):
        lr, momentum, dampening = (float(group[k]) for k in ("lr", "momentum", "dampening"))
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            g = _decayed_gradient(p, grad, group)
            if momentum != 0:
                state = self._buffers(p)
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = np.array(g, dtype=p.dtype)
                else:
                    buf *= momentum
                    buf += (1 - dampening) * g
                g = g + momentum * buf if group["nesterov"] else buf
            p.copy_(p.data + -lr * g)


class Adam(Optimizer):
    """torch.optim.Adam: t += 1; g = grad (negated if maximize) + weight_decay * p (AdamW instead
    multiplies p by 1 - lr * weight_decay); m = lerp(m, g, 1 - beta1); v = beta2 * v + (1 - beta2) g^2;
    v_max = max(v_max, v) if amsgrad;
    p += -(lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _refuse_implementations(type(self).__name__, foreach=foreach, capturable=capturable,
                                differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update(self, group):
        lr, eps = float(group["lr"]), float(group["eps"])
        beta1, beta2 = (float(beta) for beta in group["betas"])
        decoupled = group["decoupled_weight_decay"]
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            state = self._buffers(p)
            if not state:
                state.update(step=0.0, exp_avg=np.zeros_like(p.data), exp_avg_sq=np.zeros_like(p.data))
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = np.zeros_like(p.data)
            state["step"] += 1
            if decoupled and group["weight_decay"] != 0:
                p.copy_(p.data * (1 - lr * float(group["weight_decay"])))
            g = _decayed_gradient(p, grad, group, coupled=not decoupled)
            m, v = state["exp_avg"], state["exp_avg_sq"]
            _lerp_(m, g, 1 - beta1)
            v *= beta2
            v += (1 - beta2) * g * g  # torch's addcmul_(g, g, value=1 - beta2): (value * g) * g
            if group["amsgrad"]:
                np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                v = state["max_exp_avg_sq"]
            step = state["step"]
            step_size = lr / (1 - beta1 ** step)
            denom = np.sqrt(v) / (1 - beta2 ** step) ** 0.5 + eps
            p.copy_(p.data + -step_size * m / denom)  # torch's addcdiv_(m, denom, value=-step_size)


class AdamW(Adam):
    """torch.optim.AdamW: Adam with decoupled weight decay (default 1e-2): p *= 1 - lr * weight_decay
    before the step, and the gradient is left alone."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)


# ---- the pieces both rules share ------------------------------------------------------------------
def _decayed_gradient(p, grad, group, coupled=True):
    """The gradient a rule uses: -grad if maximize, plus weight_decay * p (torch's grad.add(p, alpha=wd)),
    as a plain array of the parameter's dtype; it may share the stored gradient's memory, so the rules
    never write into it."""
    g = -grad if group["maximize"] else grad.view(np.ndarray)
    if coupled and group["weight_decay"] != 0:
        g = g + float(group["weight_decay"]) * p.data
    return np.asarray(g, dtype=p.dtype)


def _lerp_(start, end, weight):
    """start += weight * (end - start) in place, in the two forms torch's lerp uses (the second keeps
    precision for weights near 1)."""
    if weight < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)


_NON_NEGATIVE = {"lr": "learning rate", "eps": "epsilon value", "momentum": "momentum value",
                 "weight_decay": "weight_decay value"}


def _check_options(owner, group):
    """torch's argument checks, with its messages, for the options a group has (a subclass of
    Optimizer may have others). `not 0.0 <= x` refuses NaN too, as torch's does."""
    for name, words in _NON_NEGATIVE.items():
        if name in group and not 0.0 <= group[name]:
            raise ValueError(f"Invalid {words}: {group[name]}")
    for i, beta in enumerate(group.get("betas", ())):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
    if group.get("nesterov") and (group["momentum"] <= 0 or group["dampening"] != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    for p in group["params"]:
        if p.dtype not in (np.float32, np.float64):
            raise TypeError(f"{owner}: can only optimize float32 or float64 tensors, got {p.dtype}")


def _refuse_implementations(owner, **options):
    chosen = [name for name, value in options.items() if value]
    if chosen:
        raise NotImplementedError(f"{owner}: {', '.join(f'{name}=True' for name in chosen)} is not supported "
                                  "(tinygrad231n.torch has one plain CPU implementation; leave it unset)")


def _copy(value):
    return value.copy() if isinstance(value, np.ndarray) else value


def _cast_buffer(name, value, p):
    if name == "step":
        return float(np.asarray(getattr(value, "data", value)))
    return np.array(getattr(value, "data", value), dtype=p.dtype)


__getattr__ = _unsupported_names(__name__)
