"""The conv nets' declarations end to end on the shipped sample (quick settings), their checkpoints read
back with plain numpy, the whitened net's pieces (patch whitening, smoothed labels, flip test-time
augmentation), and the Solver's learning-rate schedules."""
import json

import numpy as np
import pytest

from models import registry
from models.convnet import WhitenedConvNet
import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor, nn
from tinygrad231n.gradcheck import gradcheck
from tinygrad231n.nn.whitening import whitening_filters
from tinygrad231n.data import load_cifar10_sample
from tinygrad231n.optim import SCHEDULES, Solver
from tinygrad231n.reproduce.run import reproduce

CONVNETS = ("convnet3", "convnet_deep", "convnet_whitened")
QUICK = {name: dict(registry.get(name).quick) for name in CONVNETS}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("convnet")
    reproduce(sample=True, out=str(out), only="convnet,convnet_deep", verbose=False, overrides=QUICK)
    return out


# ---- plain numpy, as someone without this project would read a checkpoint ------------------------
def model_input(archive, images):
    """Raw uint8 images (N, 32, 32, 3) -> the nets' input (N, 3, 32, 32), as the checkpoint says."""
    assert str(archive["layout"]) == "CHW" and not bool(archive["bias"])
    x = images.transpose(0, 3, 1, 2).reshape(len(images), -1).astype(np.float64) - archive["mean_image"]
    if "std_image" in archive:
        x = x / archive["std_image"]
    return x.reshape(len(images), 3, 32, 32)


def conv(x, w, b=None):
    """Stride 1, padding (k - 1) // 2: x (N, C, H, W), w (F, C, k, k) -> (N, F, H, W)."""
    k = w.shape[-1]
    p = (k - 1) // 2
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))), (k, k), axis=(2, 3))
    out = np.einsum("nchwij,fcij->nfhw", windows, w.astype(np.float64), optimize=True)
    return out if b is None else out + b[:, None, None]


def max_pool(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def three_layer_scores(a, x):
    h = max_pool(np.maximum(conv(x, a["W1"], a["b1"]), 0)).reshape(len(x), -1)
    return np.maximum(h @ a["W2"] + a["b2"], 0) @ a["W3"] + a["b3"]


def convnet_scores(a, x):
    """Conv - batch norm (running averages, eps 1e-5) - [2x2 max pool at a block's end] - relu, then affine."""
    convs = sum(1 for key in a.files if key.startswith("W") and a[key].ndim == 4)
    for i in range(1, convs + 1):
        x = conv(x, a[f"W{i}"])
        x = (x - a[f"running_mean{i}"][:, None, None]) / np.sqrt(a[f"running_var{i}"][:, None, None] + 1e-5)
        x = a[f"gamma{i}"][:, None, None] * x + a[f"beta{i}"][:, None, None]
        if i % int(a["convs_per_block"]) == 0:
            x = max_pool(x)
        x = np.maximum(x, 0)
    last = convs + 1
    return x.reshape(len(x), -1) @ a[f"W{last}"] + a[f"b{last}"]


def batch_norm(a, i, x):
    """Batch norm of conv i's output on the running averages (eps 1e-5), CS231n's gamma and beta."""
    x = (x - a[f"running_mean{i}"][:, None, None]) / np.sqrt(a[f"running_var{i}"][:, None, None] + 1e-5)
    return a[f"gamma{i}"][:, None, None] * x + a[f"beta{i}"][:, None, None]


def whitened_scores(a, x):
    """[whitening conv], then blocks of conv - bn - pool - relu [- conv - bn - relu]; affine; with
    flip_test, the mean of the scores of x and of x mirrored left-right."""
    convs = sum(1 for key in a.files if key.startswith("W") and key[1:].isdigit() and a[key].ndim == 4)
    per_block = 2 if bool(a["second_conv"]) else 1

    def scores(x):
        if a["whiten_W"].size:
            x = conv(x, a["whiten_W"])
        for i in range(1, convs + 1):
            x = batch_norm(a, i, conv(x, a[f"W{i}"]))
            if (i - 1) % per_block == 0:  # the block's first conv is followed by the pool
                x = max_pool(x)
            x = np.maximum(x, 0)
        return x.reshape(len(x), -1) @ a[f"W{convs + 1}"] + a[f"b{convs + 1}"]
    return 0.5 * (scores(x) + scores(x[..., ::-1])) if bool(a["flip_test"]) else scores(x)


@pytest.mark.parametrize("name, scores", [("convnet3", three_layer_scores), ("convnet_deep", convnet_scores),
                                          ("convnet_whitened", whitened_scores)])
def test_checkpoint_classifies_raw_images_without_the_project(run_dir, name, scores):
    _, _, X_test, y_test = load_cifar10_sample()
    results = json.loads((run_dir / "results.json").read_text())
    with np.load(run_dir / f"{name}.npz") as archive:
        predictions = np.argmax(scores(archive, model_input(archive, X_test)), axis=1)
    # float64 here, float32 in the model: a near tie may go the other way, nothing more
    assert np.mean(predictions == y_test) == pytest.approx(results[name]["test_acc"], abs=0.01)


def test_reproduce_only_convnet_trains_both_and_reports_them(run_dir):
    results = json.loads((run_dir / "results.json").read_text())
    assert list(results) == list(CONVNETS)
    for name in CONVNETS:
        assert 0 <= results[name]["val_acc"] <= 1 and results[name]["seconds"] > 0
    with np.load(run_dir / "convnet3.npz") as a:
        assert sorted(a.files) == ["W1", "W2", "W3", "b1", "b2", "b3", "bias", "layout", "mean_image"]
        assert a["W1"].shape == (4, 3, 7, 7) and a["W2"].shape == (4 * 16 * 16, 10)  # the quick settings
    with np.load(run_dir / "convnet_deep.npz") as a:
        assert {"W1", "gamma1", "beta1", "running_mean1", "running_var1", "W3", "b3", "std_image"} <= set(a.files)
        assert "b1" not in a.files and a["W2"].shape == (8, 4, 3, 3) and a["W3"].shape == (8 * 8 * 8, 10)
    with np.load(run_dir / "convnet_whitened.npz") as a:
        assert a["whiten_W"].shape == (27, 3, 3, 3) and bool(a["second_conv"]) and bool(a["flip_test"])
        assert a["W1"].shape == (4, 27, 3, 3) and a["W2"].shape == (4, 4, 3, 3) and a["W5"].shape == (8 * 8 * 8, 10)
    html = (run_dir / "report.html").read_text()
    assert "First-layer weights (4 units)" in html and "First-layer weights (8 units)" not in html


def test_kept_settings_are_the_notebooks_for_the_three_layer_net():
    config = registry.get("convnet3").config()
    assert config["model"] == {"num_filters": 32, "filter_size": 7, "hidden_dim": 500, "weight_scale": 1e-3,
                               "reg": 1e-3, "dtype": "float32"}
    assert config["solver"] == {"update_rule": "adam", "optim_config": {"learning_rate": 1e-3}, "lr_decay": 1.0,
                                "batch_size": 50, "num_epochs": 1}
    # the group: the notebook's net and the registry's best (convnet_deep, which it outran, goes by its name)
    assert registry.select("convnet") == ("convnet3", "convnet_whitened")


# ---- the whitened net's pieces ---------------------------------------------------------------------
def test_whitening_filters_decorrelate_the_patches_they_were_fitted_on(rng):
    mixing = rng.standard_normal((3, 3)) + 3 * np.eye(3)  # correlated colours, and neighbours correlated by a blur
    images = np.einsum("dc,nchw->ndhw", mixing, rng.standard_normal((40, 3, 12, 12)))
    images = images + np.roll(images, 1, axis=3)
    filters = whitening_filters(images, 3, eps=0.0)
    patches = np.lib.stride_tricks.sliding_window_view(images, (3, 3), axis=(2, 3))
    patches = patches.transpose(0, 2, 3, 1, 4, 5).reshape(-1, 27)
    outputs = (patches - patches.mean(axis=0)) @ filters.reshape(27, 27).T
    np.testing.assert_allclose(np.cov(outputs.T, bias=True), np.eye(27), atol=1e-8)


def test_patch_whitening_is_a_fitted_buffer_that_trains_nothing(rng):
    layer = nn.PatchWhitening(3).fit(rng.standard_normal((10, 3, 8, 8)))
    assert list(layer.parameters()) == [] and layer.state_dict()["weight"].shape == (27, 3, 3, 3)
    x = Tensor(rng.standard_normal((2, 3, 8, 8)))
    expected = conv(x.data, layer.weight)  # the numpy conv of the checkpoint tests, padding 1
    np.testing.assert_allclose(layer(x).data, expected, atol=1e-10)
    with pytest.raises(ValueError, match=r"fit takes images \(N, 3, H, W\), got shape \(10, 4, 8, 8\)"):
        layer.fit(np.zeros((10, 4, 8, 8)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        whitening_filters(np.full((2, 3, 4, 4), np.nan), 3)


@pytest.mark.parametrize("smoothing", [0.0, 0.2, 0.5])
def test_label_smoothed_cross_entropy_is_the_smoothed_targets_cross_entropy(rng, smoothing):
    # PyTorch's values for label_smoothing are held in tests/test_torch_nn.py (ce_smoothing_mean), through the front.
    scores, y = rng.standard_normal((6, 10)), rng.integers(0, 10, 6)
    targets = np.full((6, 10), smoothing / 10)
    targets[np.arange(6), y] += 1 - smoothing
    log_p = scores - scores.max(axis=1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    expected = -(targets * log_p).sum(axis=1).mean()
    assert F.label_smoothed_cross_entropy(Tensor(scores), y, smoothing).item() == pytest.approx(expected, rel=1e-12)
    assert gradcheck(lambda s: F.label_smoothed_cross_entropy(s, y, smoothing), Tensor(scores, requires_grad=True))


def test_flip_test_scores_are_the_same_for_an_image_and_its_mirror(rng):
    model = WhitenedConvNet(channels=(4, 8), seed=0, dtype=np.float64)
    X = rng.standard_normal((5, 3, 32, 32))
    model.fit_whitening(X)
    scores = model.eval()(X).data
    np.testing.assert_allclose(model(X[..., ::-1]).data, scores, atol=1e-10)
    model.flip_test = False
    assert not np.allclose(model(X[..., ::-1]).data, scores)  # without it, a net is not mirror-symmetric


def test_whitened_net_gradients_match_numerical_ones(rng):
    model = WhitenedConvNet(channels=(2, 3), seed=0, dtype=np.float64, augment=False, reg=0.1)
    X, y = rng.standard_normal((4, 3, 32, 32)), rng.integers(0, 10, 4)
    model.fit_whitening(X)
    weight = model.network[0].weight  # the first learned conv, behind the frozen whitening
    model.train().loss(X, y).backward()
    analytic = np.array(weight.grad)
    original = weight.data.copy()
    for index in [(0, 0, 0, 0), (1, 13, 2, 1), (0, 26, 1, 2)]:  # a colour-mean and fine-detail whitened channel
        losses = []
        for step in (1e-6, -1e-6):
            shifted = original.copy()
            shifted[index] += step
            weight.data = shifted
            losses.append(model.loss(X, y).item())
        assert analytic[index] == pytest.approx((losses[0] - losses[1]) / 2e-6, rel=1e-4, abs=1e-7)


# ---- learning-rate schedules -----------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedules_start_small_or_at_one_and_end_near_zero(name):
    factors = np.array([SCHEDULES[name](t, 100) for t in range(100)])
    assert np.all((factors > 0) & (factors <= 1)) and factors.max() == 1
    if name != "constant":
        assert factors[-1] < 0.05 and np.all(np.diff(factors[np.argmax(factors):]) <= 0)
    if name == "one_cycle":
        assert factors[0] == pytest.approx(0.05) and np.argmax(factors) == 19  # the warm-up: a fifth


class Linear(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(4, 3, dtype=np.float64, rng=0)

    def forward(self, X):
        return self.layer(X)

    def loss(self, X, y):
        import tinygrad231n.nn.functional as F
        return F.cross_entropy(self(X), y)


def test_the_solver_follows_the_schedule_at_every_iteration(rng):
    seen = []

    def recording_sgd(w, dw, config):
        seen.append(config["learning_rate"])
        return w - config["learning_rate"] * dw, config

    data = {"X_train": rng.standard_normal((20, 4)), "y_train": rng.integers(0, 3, 20),
            "X_val": rng.standard_normal((5, 4)), "y_val": rng.integers(0, 3, 5)}
    solver = Solver(Linear(), data, update_rule=recording_sgd, optim_config={"learning_rate": 0.5},
                    lr_schedule="one_cycle", lr_decay=0.5, batch_size=5, num_epochs=3, verbose=False)
    solver.train()
    per_iteration = np.array(seen).reshape(12, 2)  # two parameters, W and b, each step
    expected = [0.5 * SCHEDULES["one_cycle"](t, 12) * 0.5 ** (t // 4) for t in range(12)]
    np.testing.assert_allclose(per_iteration, np.column_stack([expected, expected]))


def test_an_unknown_schedule_is_refused_naming_the_choices(rng):
    data = {"X_train": np.zeros((2, 4)), "y_train": np.zeros(2, int), "X_val": np.zeros((2, 4)), "y_val": np.zeros(2, int)}
    with pytest.raises(ValueError, match="lr_schedule 'warmup'.*one_cycle"):
        Solver(Linear(), data, lr_schedule="warmup")
