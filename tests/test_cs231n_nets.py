"""tinygrad231n.cs231n: the assignment's layers, TwoLayerNet, Solver, features and vis_utils, checked
as the two_layer_net and features notebooks check them (inputs, expected numbers and tolerances)."""
import functools

import numpy as np
import pytest

from models import fc_net, features, two_layer
from tinygrad231n import optim as core_optim
from tinygrad231n.cs231n import optim
from tinygrad231n.cs231n.classifiers.fc_net import FullyConnectedNet, TwoLayerNet
from tinygrad231n.cs231n.features import color_histogram_hsv, extract_features, hog_feature, rgb2gray
from tinygrad231n.cs231n.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array
from tinygrad231n.cs231n.layer_utils import affine_relu_backward, affine_relu_forward
from tinygrad231n.cs231n.layers import (affine_backward, affine_forward, relu_backward, relu_forward, softmax_loss,
                                        svm_loss)
from tinygrad231n.cs231n.solver import Solver
from tinygrad231n.cs231n.vis_utils import visualize_grid
from tinygrad231n.kernels.color_histogram import hue_histogram_reference, hue_histograms
from tinygrad231n.ops.cross_entropy import cross_entropy_reference
from tinygrad231n.kernels.hog import hog_features, hog_reference
from tinygrad231n.ops.multiclass_hinge import multiclass_hinge_reference

from notebook_checks import rel_error


# ---- layers ----------------------------------------------------------------------------------------

def test_affine_forward_on_the_notebook_inputs():
    input_shape, output_dim = (4, 5, 6), 3
    x = np.linspace(-0.1, 0.5, num=2 * np.prod(input_shape)).reshape(2, *input_shape)
    w = np.linspace(-0.2, 0.3, num=output_dim * np.prod(input_shape)).reshape(np.prod(input_shape), output_dim)
    b = np.linspace(-0.3, 0.1, num=output_dim)
    out, _ = affine_forward(x, w, b)
    correct_out = np.array([[1.49834967, 1.70660132, 1.91485297],
                            [3.25553199, 3.5141327, 3.77273342]])
    assert rel_error(out, correct_out) < 1e-7
    np.testing.assert_allclose(out, x.reshape(2, -1) @ w + b, rtol=1e-14)


def test_affine_backward_matches_numerical_gradients():
    np.random.seed(231)
    x, w, b = np.random.randn(10, 2, 3), np.random.randn(6, 5), np.random.randn(5)
    dout = np.random.randn(10, 5)
    dx_num = eval_numerical_gradient_array(lambda x: affine_forward(x, w, b)[0], x, dout)
    dw_num = eval_numerical_gradient_array(lambda w: affine_forward(x, w, b)[0], w, dout)
    db_num = eval_numerical_gradient_array(lambda b: affine_forward(x, w, b)[0], b, dout)
    _, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape
    assert rel_error(dx_num, dx) < 1e-9  # the notebook expects about 1e-10
    assert rel_error(dw_num, dw) < 1e-9
    assert rel_error(db_num, db) < 1e-9


def test_relu_forward_on_the_notebook_inputs():
    x = np.linspace(-0.5, 0.5, num=12).reshape(3, 4)
    out, _ = relu_forward(x)
    correct_out = np.array([[0., 0., 0., 0.],
                            [0., 0., 0.04545455, 0.13636364],
                            [0.22727273, 0.31818182, 0.40909091, 0.5]])
    assert rel_error(out, correct_out) < 5e-8
    np.testing.assert_array_equal(out, np.maximum(x, 0))


def test_relu_backward_matches_numerical_gradients():
    np.random.seed(231)
    x = np.random.randn(10, 10)
    dout = np.random.randn(*x.shape)
    dx_num = eval_numerical_gradient_array(lambda x: relu_forward(x)[0], x, dout)
    _, cache = relu_forward(x)
    dx = relu_backward(dout, cache)
    assert rel_error(dx_num, dx) < 1e-10  # the notebook expects about 3e-12
    np.testing.assert_array_equal(dx, dout * (x > 0))


def test_affine_forward_says_which_shapes_disagree():
    with pytest.raises(ValueError, match=r"inputs of shape \(2, 3\) has D = 6 values, but w \(5, 4\) expects D = 5"):
        affine_forward(np.ones((7, 2, 3)), np.ones((5, 4)), np.zeros(4))
    with pytest.raises(ValueError, match=r"expected w \(D, M\) and b \(M,\), got w \(6, 4\) and b \(3,\)"):
        affine_forward(np.ones((7, 6)), np.ones((6, 4)), np.zeros(3))


@pytest.mark.parametrize("loss_fn, reference, expected_loss, max_error", [
    (svm_loss, multiclass_hinge_reference, 9.0, 1.5e-8),  # the notebook: loss about 9, dx error about 1e-9
    (softmax_loss, cross_entropy_reference, 2.3, 1e-7),   # loss about 2.3, dx error about 1e-8
], ids=["svm_loss", "softmax_loss"])
def test_loss_layers_on_the_notebook_scores(loss_fn, reference, expected_loss, max_error):
    np.random.seed(231)
    x = 0.001 * np.random.randn(50, 10)
    y = np.random.randint(10, size=50)
    dx_num = eval_numerical_gradient(lambda x: loss_fn(x, y)[0], x, verbose=False)
    loss, dx = loss_fn(x, y)
    assert loss == pytest.approx(expected_loss, abs=0.01)
    expected, expected_dx = reference(x, y)
    assert loss == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(dx, expected_dx, rtol=1e-12, atol=1e-15)
    assert rel_error(dx_num, dx) < max_error


def test_affine_relu_composes_the_two_layers():
    np.random.seed(231)
    x, w, b = np.random.randn(2, 3, 4), np.random.randn(12, 10), np.random.randn(10)
    dout = np.random.randn(2, 10)
    out, cache = affine_relu_forward(x, w, b)
    np.testing.assert_allclose(out, np.maximum(x.reshape(2, -1) @ w + b, 0), rtol=1e-14)
    dx, dw, db = affine_relu_backward(dout, cache)
    for analytic, argument in ((dx, x), (dw, w), (db, b)):
        numeric = eval_numerical_gradient_array(lambda _: affine_relu_forward(x, w, b)[0], argument, dout)
        assert rel_error(numeric, analytic) < 1e-9  # the notebook expects about 1e-10


# ---- TwoLayerNet and the Solver -------------------------------------------------------------------

def notebook_two_layer_net():
    """The notebook's net, fixed weights and inputs: (model, X, y)."""
    np.random.seed(231)
    N, D, H, C = 3, 5, 50, 7
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-3)
    model.params["W1"] = np.linspace(-0.7, 0.3, num=D * H).reshape(D, H)
    model.params["b1"] = np.linspace(-0.1, 0.9, num=H)
    model.params["W2"] = np.linspace(-0.3, 0.4, num=H * C).reshape(H, C)
    model.params["b2"] = np.linspace(-0.9, 0.1, num=C)
    X = np.linspace(-5.5, 4.5, num=N * D).reshape(D, N).T
    return model, X, np.asarray([0, 5, 1])


def test_two_layer_net_initialization_follows_np_random_seed():
    std = 1e-3
    np.random.seed(231)
    model = TwoLayerNet(input_dim=5, hidden_dim=50, num_classes=7, weight_scale=std)
    assert isinstance(model.module, two_layer.TwoLayerNet)
    assert abs(model.params["W1"].std() - std) < std / 10 and abs(model.params["W2"].std() - std) < std / 10
    assert np.all(model.params["b1"] == 0) and np.all(model.params["b2"] == 0)
    assert model.params["W1"].shape == (5, 50) and model.params["W2"].shape == (50, 7)
    np.random.seed(231)
    again = TwoLayerNet(input_dim=5, hidden_dim=50, num_classes=7, weight_scale=std)
    np.testing.assert_array_equal(again.params["W1"], model.params["W1"])
    np.random.seed(232)
    other = TwoLayerNet(input_dim=5, hidden_dim=50, num_classes=7, weight_scale=std)
    assert not np.array_equal(other.params["W1"], model.params["W1"])


def test_two_layer_net_scores_and_losses_match_the_notebook():
    model, X, y = notebook_two_layer_net()
    scores = model.loss(X)
    correct_scores = np.asarray(
        [[11.53165108, 12.2917344, 13.05181771, 13.81190102, 14.57198434, 15.33206765, 16.09215096],
         [12.05769098, 12.74614105, 13.43459113, 14.1230412, 14.81149128, 15.49994135, 16.18839143],
         [12.58373087, 13.20054771, 13.81736455, 14.43418138, 15.05099822, 15.66781506, 16.2846319]])
    assert scores.shape == (3, 7)
    assert np.abs(scores - correct_scores).sum() < 1e-6
    p = model.params
    np.testing.assert_allclose(scores, np.maximum(X @ p["W1"] + p["b1"], 0) @ p["W2"] + p["b2"], rtol=1e-14)
    assert abs(model.loss(X, y)[0] - 3.4702243556) < 1e-10
    model.reg = 1.0
    assert abs(model.loss(X, y)[0] - 26.5948426952) < 1e-10


@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_two_layer_net_gradients_match_numerical_ones(reg):
    model, X, y = notebook_two_layer_net()
    model.reg = reg
    _, grads = model.loss(X, y)
    assert sorted(grads) == ["W1", "W2", "b1", "b2"]
    for name in sorted(grads):
        grad_num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False)
        assert rel_error(grad_num, grads[name]) < 1e-6, name  # the notebook expects about 1e-7 or less


def test_the_solver_trains_the_two_layer_net_with_each_exported_rule():
    assert issubclass(Solver, core_optim.Solver)  # one training loop: the adapter only wraps the model
    rules = {"sgd": optim.sgd, "sgd_momentum": optim.sgd_momentum, "rmsprop": optim.rmsprop, "adam": optim.adam}
    for name, rule in rules.items():
        assert rule is getattr(core_optim, name)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3, 2, 2))
    data = {"X_train": X, "y_train": rng.integers(0, 4, 40), "X_val": X[:10], "y_val": rng.integers(0, 4, 10)}
    np.random.seed(0)
    model = TwoLayerNet(input_dim=12, hidden_dim=30, num_classes=4, weight_scale=1e-1)
    solver = Solver(model, data, update_rule=optim.adam, optim_config={"learning_rate": 3e-2},
                    num_epochs=40, batch_size=20, verbose=False)
    solver.train()
    assert solver.loss_history[-1] < 0.1 * solver.loss_history[0]
    assert solver.train_acc_history[-1] >= 0.9  # 40 random points, 30 hidden units: it must memorise them


def test_fully_connected_net_is_exported_and_follows_np_random_seed():
    np.random.seed(3)
    model = FullyConnectedNet([6, 5], input_dim=4, num_classes=3, weight_scale=1e-2)
    assert isinstance(model.module, fc_net.FullyConnectedNet) and model.dtype == np.float32
    np.random.seed(3)
    again = FullyConnectedNet([6, 5], input_dim=4, num_classes=3, weight_scale=1e-2)
    for name in ("W1", "W2", "W3"):
        np.testing.assert_array_equal(again.params[name], model.params[name])
    _, grads = model.loss(np.ones((2, 4)), np.array([0, 2]))
    assert {name: g.shape for name, g in grads.items()} == {name: p.shape for name, p in model.params.items()}


def test_fully_connected_net_seed_fixes_the_dropout_masks_and_leaves_the_weights_to_np_random():
    X, y = np.random.default_rng(0).standard_normal((4, 6)), np.array([0, 1, 2, 0])
    nets = []
    for seed in (123, 7, None):
        np.random.seed(3)
        nets.append(FullyConnectedNet([5, 4], input_dim=6, num_classes=3, dropout_keep_ratio=0.5,
                                      dtype=np.float64, seed=seed))
    seeded, other_seed, unseeded = nets
    for name in seeded.params:  # as in the assignment: np.random.seed fixes the weights, seed only the masks
        np.testing.assert_array_equal(other_seed.params[name], seeded.params[name])
        np.testing.assert_array_equal(unseeded.params[name], seeded.params[name])
    loss, _ = seeded.loss(X, y)
    assert seeded.loss(X, y)[0] == loss  # the same masks on every forward pass while a seed is given
    assert other_seed.loss(X, y)[0] != loss
    assert unseeded.loss(X, y)[0] != unseeded.loss(X, y)[0]  # no seed: new masks on each call


# ---- features and vis_utils -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3)).astype(np.float64)


def test_per_image_features_match_the_batch_kernels_and_references(images):
    hogs, hues = hog_features(images), hue_histograms(images, nbin=7)
    for i, image in enumerate(images):
        np.testing.assert_array_equal(hog_feature(image), hogs[i])
        np.testing.assert_allclose(hog_feature(image), hog_reference(image), rtol=1e-10, atol=1e-10)
        np.testing.assert_array_equal(color_histogram_hsv(image, nbin=7), hues[i])
        np.testing.assert_allclose(color_histogram_hsv(image, nbin=7, normalized=False),
                                   hue_histogram_reference(image, nbin=7, normalized=False), rtol=1e-12)
        # close, not equal: np.dot may sum the three products in another order (BLAS, last bits)
        np.testing.assert_allclose(rgb2gray(image), 0.299 * image[..., 0] + 0.587 * image[..., 1]
                                   + 0.144 * image[..., 2], rtol=1e-12)
    grey = rgb2gray(images[0])
    np.testing.assert_allclose(hog_feature(grey), hog_reference(grey), rtol=1e-10, atol=1e-10)


def test_extract_features_gives_the_same_columns_however_the_functions_are_written(images):
    notebook = extract_features(images, [hog_feature, lambda img: color_histogram_hsv(img, nbin=10)])
    partial = extract_features(images, [hog_feature, functools.partial(color_histogram_hsv, nbin=10)])
    assert notebook.shape == (4, 144 + 10)
    np.testing.assert_array_equal(partial, notebook)
    np.testing.assert_array_equal(notebook, features.extract_features(images))  # the batch default pipeline
    mean_colour = extract_features(images, [lambda img: img.mean(axis=(0, 1))])
    np.testing.assert_allclose(mean_colour, images.mean(axis=(1, 2)))


def test_extract_features_runs_recognised_functions_as_one_batch_call(monkeypatch):
    """The per-image functions (and keyword partials of them) become batch kernels; others stay per image."""
    from tinygrad231n.cs231n import features as cs231n_features
    lam = lambda img: color_histogram_hsv(img, nbin=3)  # noqa: E731  (the notebook's form)
    converted = [cs231n_features._batch_version(fn) for fn in
                 (hog_feature, color_histogram_hsv, functools.partial(color_histogram_hsv, nbin=3), lam)]
    assert [type(fn).__name__ for fn in converted[:3]] == ["BatchFeature"] * 3
    assert converted[3] is lam
    assert repr(converted[2]) == "BatchFeature(hue_histograms(nbin=3))"
    assert converted[2](np.zeros((5, 8, 8, 3))).shape == (5, 3)


def test_visualize_grid_tiles_the_first_layer_weights_like_the_notebook():
    np.random.seed(0)
    W1 = np.random.randn(3 * 32 * 32, 10)  # show_net_weights: reshape(3, 32, 32, -1).transpose(3, 1, 2, 0)
    tiles = W1.reshape(3, 32, 32, -1).transpose(3, 1, 2, 0)
    grid = visualize_grid(tiles, padding=3)
    assert grid.shape == (4 * 32 + 3 * 3, 4 * 32 + 3 * 3, 3)  # 10 images: a 4 x 4 grid
    first = grid[:32, :32]
    assert first.min() == 0.0 and first.max() == pytest.approx(255.0)
    assert grid.min() == 0.0 and grid.max() == pytest.approx(255.0)
    assert np.all(grid[32:35] == 0) and np.all(grid[-32:, -32:] == 0)  # padding and the 6 empty tiles
    np.testing.assert_allclose(first, 255.0 * (tiles[0] - tiles[0].min()) / np.ptp(tiles[0]))


# ---- the params view, save/load and the assignment's star imports ---------------------------------

def test_params_is_a_live_view_of_the_module_that_checks_shapes(rng):
    np.random.seed(0)
    model = FullyConnectedNet([5, 4], input_dim=6, num_classes=3, normalization="batchnorm", dtype=np.float64)
    assert list(model.params) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]
    assert model.params["W1"] is model.module.network[0].weight.numpy()
    X = rng.standard_normal((4, 6))
    before = model.loss(X)
    model.params["b3"] = np.array([1.0, 2.0, 3.0])  # how CS231n code applies an update
    np.testing.assert_allclose(model.loss(X), before + [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"'W1' has shape \(6, 5\) but the value given has shape \(5, 6\)"):
        model.params["W1"] = np.zeros((5, 6))
    with pytest.raises(KeyError, match="no parameter named 'W9'"):
        model.params["W9"]
    trained = {name: array + 1 for name, array in model.params.items()}
    model.params = trained  # loading a checkpoint's arrays keeps the view live
    np.testing.assert_array_equal(model.module.network[3].weight.data, trained["W2"])
    loss, grads = model.loss(X, np.array([0, 1, 2, 0]))
    assert list(grads) == list(model.params) and isinstance(loss, float)


@pytest.mark.parametrize("make", [
    lambda: TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3),
    lambda: FullyConnectedNet([5], input_dim=6, num_classes=3, normalization="batchnorm"),
], ids=["TwoLayerNet", "FullyConnectedNet"])
def test_save_and_load_round_trip_the_params(make, tmp_path, capsys):
    np.random.seed(1)
    model = make()
    np.random.seed(2)
    other = make()
    assert not np.array_equal(other.params["W1"], model.params["W1"])
    model.save(str(tmp_path / "net.npz"))
    assert other.load(str(tmp_path / "net.npz")) is True
    for name in model.params:
        np.testing.assert_array_equal(other.params[name], model.params[name])
    assert other.load(str(tmp_path / "missing.npz")) is False
    out = capsys.readouterr().out
    assert "net.npz saved." in out and "net.npz loaded." in out and "missing.npz not available." in out
    with np.load(tmp_path / "net.npz") as archive:  # np.savez of the params dict: plain arrays by name
        assert sorted(archive.files) == sorted(model.params)


def test_fc_net_module_brings_the_layers_as_the_assignments_does():
    namespace = {}
    exec("from tinygrad231n.cs231n.classifiers.fc_net import *", namespace)
    for name in ("affine_forward", "affine_backward", "relu_forward", "softmax_loss", "affine_relu_forward",
                 "affine_relu_backward", "TwoLayerNet", "FullyConnectedNet"):
        assert name in namespace, name


def test_the_solver_trains_the_adapted_fully_connected_net_and_leaves_the_best_weights_in_it():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((50, 3, 4, 4)), rng.integers(0, 10, 50)
    np.random.seed(0)
    model = FullyConnectedNet([50], input_dim=48, weight_scale=5e-2, dtype=np.float64)
    solver = Solver(model, {"X_train": X, "y_train": y, "X_val": X, "y_val": y}, update_rule="adam",
                    optim_config={"learning_rate": 1e-2}, num_epochs=40, batch_size=25, verbose=False)
    solver.train()
    assert solver.model is model and solver.best_val_acc == 1.0
    assert np.mean(np.argmax(model.loss(X), axis=1) == y) == 1.0  # the model itself holds the best weights
