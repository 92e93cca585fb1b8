"""tinygrad231n.torch.optim against torch.optim: parameters after a few steps of SGD, Adam and AdamW
(each option set, float32 and float64), zero_grad, param groups, and the errors for bad arguments.
Expected values are PyTorch's, read from tests/data/torch_optim_fixtures.npz, which
scripts/make_torch_optim_fixtures.py wrote with torch running the very `run_case` this file runs."""
import importlib.util
import os

import numpy as np
import pytest

import tinygrad231n.torch as torch
import tinygrad231n.torch.optim as optim
from tinygrad231n.torch._unsupported import UnsupportedName

HERE = os.path.dirname(__file__)
FIXTURES = np.load(os.path.join(HERE, "data", "torch_optim_fixtures.npz"))
_spec = importlib.util.spec_from_file_location(
    "make_torch_optim_fixtures", os.path.join(HERE, "..", "scripts", "make_torch_optim_fixtures.py"))
fixture_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixture_script)
# torch fuses multiply-adds (one rounding), numpy rounds twice: float32 agrees to a few ulps
TOLERANCE = {"float32": dict(rtol=2e-5, atol=1e-6), "float64": dict(rtol=1e-12, atol=1e-14)}


def expected(case, dtype):
    """The parameters and state_dict buffers torch had after `case` in `dtype`."""
    prefix = f"{case}/{dtype}/"
    return {key[len(prefix):]: FIXTURES[key] for key in FIXTURES.files if key.startswith(prefix)}


@pytest.mark.parametrize("dtype", fixture_script.DTYPES)
@pytest.mark.parametrize("case", sorted(fixture_script.CASES))
def test_steps_match_pytorch(case, dtype):
    got, want = fixture_script.run_case(torch, optim, case, dtype), expected(case, dtype)
    assert sorted(got) == sorted(want)  # the same buffers, for the same parameters (none for `unused`)
    for key in want:
        if not key.endswith("/step"):  # torch's step counter is a float32 tensor, ours a Python float
            assert got[key].dtype == want[key].dtype == np.dtype(dtype), key  # float32 stays float32
        np.testing.assert_allclose(got[key], want[key], err_msg=f"{case} {dtype} {key}", **TOLERANCE[dtype])
    np.testing.assert_array_equal(got["unused"], FIXTURES["in/unused"].astype(dtype))  # no grad: not moved


def test_the_cases_tell_the_options_apart():
    """Each option changes torch's result, so a rule that ignored it would fail its case above."""
    def w(case):
        return FIXTURES[f"{case}/float64/w"]
    for case, plain in [("sgd_momentum", "sgd"), ("sgd_dampening", "sgd_momentum"), ("sgd_nesterov", "sgd_momentum"),
                        ("sgd_momentum_lr_change", "sgd_momentum"), ("adam_amsgrad", "adam_fast_beta2"),
                        ("adam_weight_decay", "adam"), ("adamw", "adam"), ("adam_betas_eps", "adam"),
                        ("adam_lr_change", "adam")]:
        assert np.abs(w(case) - w(plain)).max() > 1e-4, (case, plain)
    for case, plain in [("sgd_groups", "sgd_momentum"), ("adam_groups", "adam")]:
        b, plain_b = FIXTURES[f"{case}/float64/b"], FIXTURES[f"{plain}/float64/b"]
        assert np.abs(b - plain_b).max() > 1e-4  # b's group has its own lr


def test_zero_grad_sets_none_by_default_and_zeroes_in_place_when_asked():
    w = torch.tensor(np.ones((2, 2), dtype=np.float32), requires_grad=True)
    optimizer = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    grad = w.grad
    optimizer.zero_grad(set_to_none=False)
    assert w.grad is not None and not w.grad.any() and w.grad.dtype == np.float32
    assert not grad.any()  # the stored array itself was zeroed
    optimizer.zero_grad()
    assert w.grad is None
    optimizer.step()  # no gradient: nothing moves
    np.testing.assert_array_equal(w.numpy(), np.ones((2, 2)))


@pytest.mark.parametrize("set_to_none", [True, False])
def test_both_zero_grads_give_torchs_steps(set_to_none):
    got = fixture_script.run_case(torch, optim, "adam", "float64", zero_grad=dict(set_to_none=set_to_none))
    for key, want in expected("adam", "float64").items():
        np.testing.assert_allclose(got[key], want, **TOLERANCE["float64"])


def test_step_writes_the_parameter_in_place_and_returns_the_closures_loss():
    w = torch.tensor(np.array([1.0, -2.0]), requires_grad=True)
    data = w.data
    optimizer = optim.SGD([w], lr=0.5, momentum=0.9)

    def closure():
        optimizer.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss
    loss = optimizer.step(closure)
    assert loss.item() == 5.0
    np.testing.assert_array_equal(data, [0.0, 0.0])  # w - 0.5 * 2w, in the same array
    np.testing.assert_array_equal(optimizer.state[w]["momentum_buffer"], [2.0, -4.0])  # the first gradient


def test_param_groups_hold_their_options_and_can_be_added():
    w, b = (torch.tensor(np.zeros(2), requires_grad=True) for _ in range(2))
    optimizer = optim.Adam([{"params": w}, {"params": [b], "lr": 0.5, "betas": (0.8, 0.9)}], lr=0.1)
    first, second = optimizer.param_groups
    assert first["params"] == [w] and first["lr"] == 0.1 and first["betas"] == (0.9, 0.999)
    assert second["lr"] == 0.5 and second["betas"] == (0.8, 0.9) and second["eps"] == 1e-8
    c = torch.tensor(np.zeros(1), requires_grad=True)
    optimizer.add_param_group({"params": [c], "weight_decay": 0.1})
    assert optimizer.param_groups[2]["weight_decay"] == 0.1 and optimizer.param_groups[2]["lr"] == 0.1
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        optimizer.add_param_group({"params": [w]})


def test_state_dict_round_trip_continues_the_same_trajectory():
    def make():
        w = torch.tensor(np.asarray(fixture_script.INPUTS["in/w"], dtype=np.float32), requires_grad=True)
        return w, optim.Adam([w], lr=0.1, amsgrad=True)

    def step(w, optimizer):
        optimizer.zero_grad()
        (w * w * w).sum().backward()
        optimizer.step()
    w1, opt1 = make()
    step(w1, opt1)
    w2, opt2 = make()
    w2.copy_(w1.detach().numpy())
    opt2.load_state_dict(opt1.state_dict())
    assert opt2.state[w2]["exp_avg"].dtype == np.float32 and opt2.state[w2]["step"] == 1
    step(w1, opt1)
    step(w2, opt2)
    np.testing.assert_array_equal(w1.numpy(), w2.numpy())


@pytest.mark.parametrize("name", sorted(fixture_script.ERROR_CASES))
def test_bad_arguments_raise_torchs_errors(name):
    kind, message = FIXTURES[f"error/{name}"]
    assert fixture_script.run_error_case(torch, optim, name) == (kind, message)


def test_bad_params_are_refused_in_one_line():
    w = torch.tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {w}}], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([w * 2], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors, but one of the params is ndarray"):
        optim.SGD([np.zeros(2)], lr=0.1)


@pytest.mark.parametrize("option", ["foreach", "fused", "capturable", "differentiable"])
def test_other_implementations_are_refused_by_name(option):
    w = torch.tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(NotImplementedError, match=f"Adam: {option}=True is not supported"):
        optim.Adam([w], **{option: True})
    optim.Adam([w], **{option: None if option in ("foreach", "fused") else False})  # the defaults are fine


def test_supported_lists_the_modules_names_and_others_say_they_are_missing():
    path = os.path.join(HERE, "..", "tinygrad231n", "torch", "SUPPORTED")
    with open(path) as f:
        lines = dict(line.split(":", 1) for line in f if line.strip() and not line.startswith("#"))
    assert set(lines["torch.optim"].split()) == set(optim.__all__)
    assert all(hasattr(optim, name) for name in optim.__all__)
    with pytest.raises(UnsupportedName, match="tinygrad231n.torch.optim has no `RMSprop`"):
        optim.RMSprop


def test_the_front_reaches_optim_as_torch_does():
    assert torch.optim is optim and torch.optim.Adam is optim.Adam


@pytest.mark.parametrize("make", [lambda ps, lr: optim.SGD(ps, lr=lr, momentum=np.float64(0.9), weight_decay=lr),
                                  lambda ps, lr: optim.AdamW(ps, lr=lr, betas=(np.float64(0.9), 0.99))],
                         ids=["SGD", "AdamW"])
def test_numpy_float64_options_compute_in_float32_like_python_floats(make):
    """numpy 2 widens float32 arrays with float64 scalars; the steps must not (as torch's do not)."""
    results = []
    for lr in (0.1, np.float64(0.1)):
        w = torch.tensor(np.asarray(fixture_script.INPUTS["in/w"], dtype=np.float32), requires_grad=True)
        optimizer = make([w], lr)
        for _ in range(3):
            optimizer.zero_grad()
            (w * w * w).sum().backward()
            optimizer.step()
        assert all(np.asarray(v).dtype == np.float32 for v in optimizer.state[w].values() if np.ndim(v))
        results.append(w.numpy().copy())
    np.testing.assert_array_equal(results[0], results[1])


def test_a_model_of_the_engines_trains_with_nesterov_sgd():
    """The notebooks' loop: optim.SGD(model.parameters(), momentum=0.9, nesterov=True) on an nn model."""
    import tinygrad231n.nn.functional as F
    from tinygrad231n import nn
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 5)).astype(np.float32)
    y = (X[:, 0] > X[:, 1]).astype(np.int64)
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 2))
    dtypes = [p.dtype for p in model.parameters()]
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    losses = []
    for _ in range(30):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(torch.tensor(X)), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    assert [p.dtype for p in model.parameters()] == dtypes


def test_a_custom_optimizer_subclasses_optimizer_as_in_torch():
    class SignSGD(optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        @torch.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p -= group["lr"] * np.sign(p.grad)

    w = torch.tensor(np.array([1.0, -1.0]), requires_grad=True)
    optimizer = SignSGD([w])
    (w * w).sum().backward()
    optimizer.step()
    np.testing.assert_allclose(w.numpy(), [0.9, -0.9])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        SignSGD([w], lr=-1)
