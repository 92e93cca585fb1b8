"""Update rules against CS231n's published values and hand steps; optimizers against the rules and
against PyTorch's formulation of the same algorithms."""
import numpy as np
import pytest

from tinygrad231n import Tensor, optim
from tinygrad231n.nn import Parameter

# The FullyConnectedNets notebook's checks: N, D = 4, 5 and these linspaces.
N, D = 4, 5


def grid(start, stop):
    return np.linspace(start, stop, num=N * D).reshape(N, D)


# Expected arrays as printed in CS231n's FullyConnectedNets notebook (8 decimals).
NOTEBOOK = {
    "sgd_momentum": dict(
        config=dict(learning_rate=1e-3, velocity=grid(0.6, 0.9)),
        next_w=[[0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
                [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
                [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
                [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096]],
        state={"velocity": [[0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
                            [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
                            [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
                            [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096]]}),
    "rmsprop": dict(
        config=dict(learning_rate=1e-2, cache=grid(0.6, 0.9)),
        next_w=[[-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
                [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
                [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
                [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619]],
        state={"cache": [[0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
                         [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
                         [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
                         [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926]]}),
    "adam": dict(
        config=dict(learning_rate=1e-2, m=grid(0.6, 0.9), v=grid(0.7, 0.5), t=5),
        next_w=[[-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
                [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
                [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
                [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459]],
        state={"v": [[0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
                     [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
                     [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
                     [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966]],
               "m": [[0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
                     [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
                     [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
                     [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85]]}),
}


@pytest.mark.parametrize("name", list(NOTEBOOK))
def test_rule_matches_cs231n_notebook(name):
    case = NOTEBOOK[name]
    w, dw = grid(-0.4, 0.6), grid(-0.6, 0.4)
    next_w, config = optim.RULES[name](w, dw, dict(case["config"]))
    np.testing.assert_allclose(next_w, case["next_w"], rtol=0, atol=1e-8)
    for key, expected in case["state"].items():
        np.testing.assert_allclose(config[key], expected, rtol=0, atol=1e-8)


# One step by hand on scalars: w = 1, dw = 0.5, state from zeros, the rule's default hyperparameters.
HAND_STEPS = [
    ("sgd", 1 - 1e-2 * 0.5),
    ("sgd_momentum", 1 + (0.9 * 0 - 1e-2 * 0.5)),
    # v = -0.005; w + v + 0.9 * (v - 0)
    ("nesterov_momentum", 1 - 0.005 - 0.9 * 0.005),
    # cache = 0.01 * 0.25; the step is lr * 0.5 / 0.05 = 10 * lr
    ("rmsprop", 1 - 1e-2 * 0.5 / (np.sqrt(0.01 * 0.25) + 1e-8)),
    # t = 1: m_hat = dw and v_hat = dw**2, so the first Adam step is lr * sign(dw) (up to epsilon)
    ("adam", 1 - 1e-3 * 0.5 / (0.5 + 1e-8)),
]


@pytest.mark.parametrize("name, expected", HAND_STEPS, ids=[n for n, _ in HAND_STEPS])
def test_rule_first_step_by_hand(name, expected):
    w = np.array([1.0])
    next_w, config = optim.RULES[name](w, np.array([0.5]))
    assert next_w[0] == pytest.approx(expected, rel=1e-12)
    assert w[0] == 1.0  # the input weights are never modified
    assert "learning_rate" in config  # defaults are written into the config


def test_rules_fill_cs231n_defaults():
    w = np.zeros(3)
    assert optim.sgd(w, w)[1] == {"learning_rate": 1e-2}
    momentum = optim.sgd_momentum(w, w)[1]
    assert (momentum["learning_rate"], momentum["momentum"]) == (1e-2, 0.9)
    rms = optim.rmsprop(w, w)[1]
    assert (rms["learning_rate"], rms["decay_rate"], rms["epsilon"]) == (1e-2, 0.99, 1e-8)
    adam = optim.adam(w, w)[1]
    assert (adam["learning_rate"], adam["beta1"], adam["beta2"], adam["epsilon"]) == (1e-3, 0.9, 0.999, 1e-8)
    assert adam["t"] == 1


def test_adam_counts_steps_in_the_config_it_returns():
    config = {}
    w = np.ones(2)
    for _ in range(3):
        w, returned = optim.adam(w, np.ones(2), config)
        assert returned is config
    assert config["t"] == 3


def test_rules_keep_float32():
    w, dw = np.ones(3, dtype=np.float32), np.full(3, 0.5, dtype=np.float32)
    for rule in optim.RULES.values():
        next_w, config = rule(w, dw)
        next_w, _ = rule(next_w, dw, config)
        assert next_w.dtype == np.float32, rule.__name__


# ---- optimizers --------------------------------------------------------------------------------

def quadratic_grad(p, target):
    """Gradient of sum((p - target)**2) written into p.grad, as backward would."""
    p.grad = 2 * (p.data - target)


OPTIMIZERS = [
    (lambda ps: optim.SGD(ps, lr=0.1), optim.sgd, dict(learning_rate=0.1)),
    (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.8), optim.sgd_momentum, dict(learning_rate=0.1, momentum=0.8)),
    (lambda ps: optim.SGD(ps, lr=0.1, momentum=0.8, nesterov=True), optim.nesterov_momentum,
     dict(learning_rate=0.1, momentum=0.8)),
    (lambda ps: optim.RMSprop(ps, lr=0.05, decay_rate=0.9), optim.rmsprop, dict(learning_rate=0.05, decay_rate=0.9)),
    (lambda ps: optim.Adam(ps, lr=0.05, betas=(0.8, 0.99)), optim.adam,
     dict(learning_rate=0.05, beta1=0.8, beta2=0.99)),
]
OPTIMIZER_IDS = ["sgd", "momentum", "nesterov", "rmsprop", "adam"]


@pytest.mark.parametrize("make, rule, config", OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_optimizer_steps_equal_its_rule(make, rule, config, rng):
    start, target = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    p = Parameter(start.copy())
    opt = make([p])
    w, config = start.copy(), dict(config)
    for _ in range(5):
        quadratic_grad(p, target)
        opt.step()
        w, config = rule(w, 2 * (w - target), config)
    np.testing.assert_allclose(p.data, w, rtol=1e-14)


def torch_sgd(w, g, state, lr=0.1, momentum=0.0, nesterov=False):
    """torch.optim.SGD's documented algorithm (dampening 0): buf = momentum * buf + g."""
    if momentum == 0:
        return w - lr * g
    state["buf"] = momentum * state.get("buf", 0) + g
    return w - lr * (g + momentum * state["buf"] if nesterov else state["buf"])


def torch_rmsprop(w, g, state, lr=0.05, alpha=0.9, eps=1e-8):
    state["square_avg"] = alpha * state.get("square_avg", 0) + (1 - alpha) * g * g
    return w - lr * g / (np.sqrt(state["square_avg"]) + eps)


def torch_adam(w, g, state, lr=0.05, betas=(0.8, 0.99), eps=1e-8):
    """torch.optim.Adam's documented algorithm: bias corrections folded into step size and denominator."""
    (beta1, beta2), t = betas, state.get("t", 0) + 1
    state["t"], state["m"] = t, beta1 * state.get("m", 0) + (1 - beta1) * g
    state["v"] = beta2 * state.get("v", 0) + (1 - beta2) * g * g
    denominator = np.sqrt(state["v"]) / np.sqrt(1 - beta2 ** t) + eps
    return w - lr / (1 - beta1 ** t) * state["m"] / denominator


# PyTorch writes momentum, RMSprop and Adam differently (velocity without lr, folded bias
# corrections); with a constant lr the trajectories must still agree.
TORCH_FORMS = [
    lambda w, g, s: torch_sgd(w, g, s),
    lambda w, g, s: torch_sgd(w, g, s, momentum=0.8),
    lambda w, g, s: torch_sgd(w, g, s, momentum=0.8, nesterov=True),
    torch_rmsprop,
    torch_adam,
]


@pytest.mark.parametrize("optimizer, torch_form", list(zip([o[0] for o in OPTIMIZERS], TORCH_FORMS)), ids=OPTIMIZER_IDS)
def test_optimizer_follows_pytorchs_formulation(optimizer, torch_form, rng):
    start, target = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    p = Parameter(start.copy())
    opt = optimizer([p])
    w, state = start.copy(), {}
    for _ in range(10):
        quadratic_grad(p, target)
        opt.step()
        w = torch_form(w, 2 * (w - target), state)
    np.testing.assert_allclose(p.data, w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("make, rule, config", OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_optimizer_minimizes_a_quadratic_in_place(make, rule, config, rng):
    target = rng.standard_normal(4)
    p = Parameter(np.zeros(4))
    data = p.numpy()
    opt = make([p])
    for _ in range(300):
        opt.zero_grad()
        loss = ((p - target) ** 2).sum()
        loss.backward()
        opt.step()
    assert p.numpy() is data  # updated in place: views and references held elsewhere stay live
    np.testing.assert_allclose(p.data, target, atol=0.05)


def test_optimizer_skips_parameters_without_grad_and_zero_grad_clears():
    used, unused = Parameter(np.ones(2)), Parameter(np.ones(2))
    opt = optim.SGD([used, unused], lr=0.5)
    used.grad = np.ones(2)
    opt.step()
    np.testing.assert_array_equal(used.data, [0.5, 0.5])
    np.testing.assert_array_equal(unused.data, [1.0, 1.0])
    opt.zero_grad()
    assert used.grad is None and unused.grad is None


def test_decay_lr_scales_every_parameters_learning_rate():
    ps = [Parameter(np.ones(2)), Parameter(np.ones(3))]
    opt = optim.Adam(ps, lr=1e-2)
    opt.decay_lr(0.5)
    assert opt.lr == pytest.approx(5e-3)
    assert all(config["learning_rate"] == pytest.approx(5e-3) for config in opt.configs)


def test_optimizer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="no parameters"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="requires_grad=True"):
        optim.SGD([Tensor(np.ones(2))], lr=0.1)
    with pytest.raises(ValueError, match="lr must be positive"):
        optim.Adam([Parameter(np.ones(2))], lr=0)
    with pytest.raises(ValueError, match="nesterov"):
        optim.SGD([Parameter(np.ones(2))], lr=0.1, nesterov=True)
    with pytest.raises(TypeError, match="model.parameters"):
        optim.SGD(Parameter(np.ones(2)), lr=0.1)
