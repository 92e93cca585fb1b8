"""Write tests/data/torch_optim_fixtures.npz: the parameters torch.optim gives after a few steps, so
tests/test_torch_optim.py holds tinygrad231n.torch.optim to PyTorch's update rules without torch.

    python scripts/make_torch_optim_fixtures.py     # needs torch (run once; the tests only read the file)

Every case starts from the same parameters (INPUTS, in float32 and in float64), takes STEPS steps of
one optimizer and option set on a fixed loss (softmax cross-entropy of a linear classifier plus a
quadratic penalty), and stores each parameter, "<case>/<dtype>/<param>", and each buffer of the
optimizer's state_dict, "<case>/<dtype>/state/<parameter number>/<buffer>"; "error/<name>" holds the
exception type and message torch gives for each of ERROR_CASES' bad arguments. The tests run the very same
`run_case` with tinygrad231n.torch in place of torch (this module imports torch only in main()).
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "torch_optim_fixtures.npz")
STEPS = 5
DTYPES = ("float32", "float64")

_rng = np.random.default_rng(231)
INPUTS = {
    "in/X": _rng.standard_normal((6, 3)),
    "in/Y": np.eye(4)[[0, 1, 2, 3, 1, 2]],  # one-hot labels
    "in/w": _rng.standard_normal((3, 4)) * 0.5,
    "in/b": _rng.standard_normal(4) * 0.1,
    "in/unused": np.array([1.0, -2.0]),  # takes no part in the loss: its .grad stays None, it must not move
}

# name -> (optimizer class name, options, group layout): "one" puts all parameters in one group;
# "split" gives b its own group with lr 0.01. A case name ending in "lr_change" halves every group's lr
# after the second step (torch's momentum buffer excludes lr, so the change acts at once).
CASES = {
    "sgd": ("SGD", dict(lr=0.1), "one"),
    "sgd_momentum": ("SGD", dict(lr=0.1, momentum=0.9), "one"),
    "sgd_dampening": ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5), "one"),
    "sgd_nesterov": ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True), "one"),
    "sgd_weight_decay": ("SGD", dict(lr=0.1, momentum=0.5, weight_decay=0.1), "one"),
    "sgd_maximize": ("SGD", dict(lr=0.01, momentum=0.9, maximize=True), "one"),
    "sgd_groups": ("SGD", dict(lr=0.1, momentum=0.9), "split"),
    "sgd_momentum_lr_change": ("SGD", dict(lr=0.1, momentum=0.9), "one"),
    "sgd_default_lr": ("SGD", dict(), "one"),
    "adam": ("Adam", dict(lr=0.1), "one"),
    "adam_default_lr": ("Adam", dict(), "one"),
    # beta2 = 0.5 lets v fall as the gradients shrink, so amsgrad's running maximum matters
    "adam_fast_beta2": ("Adam", dict(lr=0.1, betas=(0.9, 0.5)), "one"),
    "adam_amsgrad": ("Adam", dict(lr=0.1, betas=(0.9, 0.5), amsgrad=True), "one"),
    "adam_weight_decay": ("Adam", dict(lr=0.1, weight_decay=0.1), "one"),
    "adam_betas_eps": ("Adam", dict(lr=0.1, betas=(0.5, 0.9), eps=1e-3), "one"),
    "adam_maximize": ("Adam", dict(lr=0.01, maximize=True), "one"),
    "adam_groups": ("Adam", dict(lr=0.1), "split"),
    "adam_lr_change": ("Adam", dict(lr=0.1), "one"),
    "adamw": ("AdamW", dict(lr=0.1), "one"),
    "adamw_amsgrad": ("AdamW", dict(lr=0.1, betas=(0.9, 0.5), weight_decay=0.5, amsgrad=True), "one"),
}

# name -> (optimizer class name, options, params: "w" for [w], "none" for []): arguments torch refuses;
# "error/<name>" is its exception's type and message.
ERROR_CASES = {
    "sgd_negative_lr": ("SGD", dict(lr=-0.1), "w"),
    "sgd_negative_momentum": ("SGD", dict(lr=0.1, momentum=-0.5), "w"),
    "sgd_negative_weight_decay": ("SGD", dict(lr=0.1, weight_decay=-1.0), "w"),
    "sgd_nesterov_without_momentum": ("SGD", dict(lr=0.1, nesterov=True), "w"),
    "sgd_nesterov_with_dampening": ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "w"),
    "sgd_no_parameters": ("SGD", dict(lr=0.1), "none"),
    "adam_negative_lr": ("Adam", dict(lr=-1e-3), "w"),
    "adam_beta1_of_one": ("Adam", dict(betas=(1.0, 0.999)), "w"),
    "adam_negative_beta2": ("Adam", dict(betas=(0.9, -0.1)), "w"),
    "adam_negative_eps": ("Adam", dict(eps=-1e-8), "w"),
    "adam_negative_weight_decay": ("Adam", dict(weight_decay=-0.1), "w"),
    "adamw_beta2_of_one": ("AdamW", dict(betas=(0.9, 1.0)), "w"),
}


def loss_of(torch, X, Y, w, b):
    """Mean softmax cross-entropy of X @ w + b against one-hot Y, plus 0.05 * sum(w^2)."""
    log_p = (X.matmul(w) + b).log_softmax(dim=1)
    return -(log_p * Y).sum() / X.shape[0] + 0.05 * (w * w).sum()


def run_case(torch, optim, name, dtype, zero_grad=None):
    """Run case `name` in `dtype` with the framework `torch` and its `optim`; the parameters afterwards
    as {"w": array, "b": array, "unused": array}, and the optimizer's state_dict buffers as
    {"state/<parameter number>/<buffer>": array}. zero_grad: keyword arguments of zero_grad."""
    cls, options, layout = CASES[name]
    t = {key[3:]: torch.tensor(np.asarray(value, dtype=dtype)) for key, value in INPUTS.items()}
    params = {key: torch.tensor(np.asarray(INPUTS["in/" + key], dtype=dtype), requires_grad=True)
              for key in ("w", "b", "unused")}
    if layout == "one":
        groups = list(params.values())
    else:
        groups = [{"params": [params["w"], params["unused"]]}, {"params": [params["b"]], "lr": 0.01}]
    optimizer = getattr(optim, cls)(groups, **options)
    for step in range(STEPS):
        optimizer.zero_grad(**(zero_grad or {}))
        loss_of(torch, t["X"], t["Y"], params["w"], params["b"]).backward()
        optimizer.step()
        if name.endswith("lr_change") and step == 1:
            for group in optimizer.param_groups:
                group["lr"] *= 0.5
    result = {key: p.detach().numpy().copy() for key, p in params.items()}
    for number, buffers in optimizer.state_dict()["state"].items():  # numbered in group order
        for buffer, value in buffers.items():
            result[f"state/{number}/{buffer}"] = np.array(value.numpy() if hasattr(value, "numpy") else value)
    return result


def run_error_case(torch, optim, name):
    """(exception type name, message) of constructing ERROR_CASES[name] with `torch` and its `optim`."""
    cls, options, params = ERROR_CASES[name]
    w = torch.tensor(np.asarray(INPUTS["in/w"]), requires_grad=True)
    try:
        getattr(optim, cls)([w] if params == "w" else [], **options)
    except Exception as error:  # noqa: BLE001  (which exception torch raises is the fixture)
        return type(error).__name__, str(error)
    raise AssertionError(f"{name}: {cls}({options}) raised nothing")


def main():
    import torch
    import torch.optim as optim
    torch.set_num_threads(1)
    arrays = dict(INPUTS)
    for name in CASES:
        for dtype in DTYPES:
            for key, value in run_case(torch, optim, name, dtype).items():
                arrays[f"{name}/{dtype}/{key}"] = value
    for name in ERROR_CASES:
        arrays[f"error/{name}"] = np.array(run_error_case(torch, optim, name))
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(arrays)} arrays to {os.path.normpath(OUT)} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
