"""FullyConnectedNet as an nn.Module: CS231n's names, gradients of every parameter, dropout and batch
norm modes, training under the Solver, the checkpoint arrays, and input checks."""
import numpy as np
import pytest

from models.checkpoint import checkpoint_arrays, cs231n_parameters
from models.fc_net import FullyConnectedNet
from tinygrad231n import nn, no_grad
from tinygrad231n.gradcheck import numerical_gradient
from tinygrad231n.optim import Solver

D, C = 6, 3


def params(net):
    """{CS231n name: the parameter's array} (live: the arrays themselves)."""
    return {name: parameter.data for name, parameter in cs231n_parameters(net).items()}


def scores(net, X):
    net.eval()
    with no_grad():
        return net(X).data


def train_loss(net, X, y):
    """The training-mode loss and {CS231n name: gradient}."""
    net.train().zero_grad()
    loss = net.loss(X, y)
    loss.backward()
    return loss.item(), {name: p.grad for name, p in cs231n_parameters(net).items()}


def small_net(**options):
    settings = dict(hidden_dims=[5, 4], input_dim=D, num_classes=C, weight_scale=0.5, reg=0.3,
                    dtype=np.float64, seed=0)
    return FullyConnectedNet(**{**settings, **options})


def numpy_scores(state, X, num_layers, normalization):
    """The forward pass that checkpoint_arrays' docstring promises works without this project."""
    h = X.reshape(len(X), -1)
    for i in range(1, num_layers):
        h = h @ state[f"W{i}"] + state[f"b{i}"]
        if normalization == "batchnorm":
            h = (h - state[f"running_mean{i}"]) / np.sqrt(state[f"running_var{i}"] + 1e-5)
        elif normalization == "layernorm":  # each example by its own mean and variance
            h = (h - h.mean(axis=1, keepdims=True)) / np.sqrt(h.var(axis=1, keepdims=True) + 1e-5)
        if normalization:
            h = state[f"gamma{i}"] * h + state[f"beta{i}"]
        h = np.maximum(h, 0)
    return h @ state[f"W{num_layers}"] + state[f"b{num_layers}"]


def test_params_have_cs231n_names_and_shapes():
    net = small_net(normalization="batchnorm")
    assert isinstance(net, nn.Module)
    assert list(params(net)) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]
    shapes = {name: array.shape for name, array in params(net).items()}
    assert shapes["W1"] == (D, 5) and shapes["gamma2"] == (4,) and shapes["W3"] == (4, C) and shapes["b3"] == (C,)
    assert list(params(small_net())) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert list(params(small_net(hidden_dims=[]))) == ["W1", "b1"]
    assert net.network[0].weight is cs231n_parameters(net)["W1"]


def test_state_dict_round_trip_restores_scores(rng):
    net, other = small_net(normalization="batchnorm"), small_net(normalization="batchnorm", seed=9)
    X = rng.standard_normal((4, D))
    train_loss(net, X, rng.integers(0, C, 4))  # moves the running averages
    other.load_state_dict(net.state_dict())
    np.testing.assert_array_equal(scores(other, X), scores(net, X))


@pytest.mark.parametrize("normalization, keep", [(None, 1), ("batchnorm", 1), ("layernorm", 1), (None, 0.6),
                                                 ("batchnorm", 0.6), ("layernorm", 0.6)])
def test_gradients_match_numerical(normalization, keep, rng):
    net = small_net(normalization=normalization, dropout_keep_ratio=keep, dropout_seed=0)  # one loss function
    X, y = rng.standard_normal((7, D)), rng.integers(0, C, 7)
    for i in (1, 2, 3):
        # Zero biases put a unit exactly on the ReLU kink when dropout zeroes all its inputs.
        params(net)[f"b{i}"][:] = 0.1 * rng.standard_normal(params(net)[f"b{i}"].shape)
    _, grads = train_loss(net, X, y)
    assert set(grads) == set(params(net))
    for name, param in params(net).items():
        numeric = numerical_gradient(lambda _: train_loss(net, X, y)[0], param)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-7, err_msg=name)


def test_the_loss_graph_labels_weights_with_cs231n_names(rng):
    net = small_net(normalization="batchnorm")
    X, y = rng.standard_normal((4, D)), rng.integers(0, C, 4)
    loss = net.train().loss(X, y)
    assert loss.shape == ()
    diagram = str(loss.to_dot())
    assert all(f'label="{name}' in diagram for name in ("W1", "gamma2", "beta1", "b3"))


def test_reg_is_half_reg_times_squared_affine_weights_only(rng):
    net = small_net(normalization="batchnorm")
    params(net)["gamma1"][:] = 3.0  # batch norm's scale must not be penalized
    X, y = rng.standard_normal((4, D)), rng.integers(0, C, 4)
    with_reg = train_loss(net, X, y)[0]
    net.reg = 0.0
    without = train_loss(net, X, y)[0]
    squares = sum(np.sum(params(net)[f"W{i}"] ** 2) for i in (1, 2, 3))
    assert with_reg - without == pytest.approx(0.5 * 0.3 * squares)


def test_dropout_keep_ratio_is_the_keep_probability_and_is_off_at_test_time(rng):
    X, y = rng.standard_normal((50, D)), rng.integers(0, C, 50)
    net = small_net(dropout_keep_ratio=0.75)
    assert [layer.p for layer in net.network if isinstance(layer, nn.Dropout)] == [0.25, 0.25]
    assert train_loss(net, X, y)[0] != train_loss(net, X, y)[0]  # a new mask on each training call
    # Same seed, same weights: at test time dropout must be the identity.
    np.testing.assert_array_equal(scores(net, X), scores(small_net(), X))
    assert not any(isinstance(layer, nn.Dropout) for layer in small_net().network)


def test_dropout_seed_fixes_the_masks_of_every_training_call(rng):
    X, y = rng.standard_normal((50, D)), rng.integers(0, C, 50)
    net = small_net(dropout_keep_ratio=0.5, dropout_seed=4)
    loss = train_loss(net, X, y)[0]
    assert train_loss(net, X, y)[0] == loss
    assert train_loss(small_net(dropout_keep_ratio=0.5, dropout_seed=5), X, y)[0] != loss
    first, second = [layer.train() for layer in net.network if isinstance(layer, nn.Dropout)]
    ones = np.ones((20, 20))
    assert not np.array_equal(first(ones).data, second(ones).data)  # each layer has its own mask
    np.testing.assert_array_equal(scores(net, X), scores(small_net(), X))  # still the identity at test time


def test_eval_mode_is_deterministic_and_uses_running_statistics(rng):
    net = small_net(normalization="batchnorm", dropout_keep_ratio=0.5)
    X, y = rng.standard_normal((20, D)) * 3 + 1, rng.integers(0, C, 20)
    for _ in range(5):
        train_loss(net, X, y)  # moves the running averages away from their start
    evaluated = scores(net, X)
    np.testing.assert_array_equal(evaluated, scores(net, X))
    # With running statistics each example's scores do not depend on the rest of the batch.
    np.testing.assert_allclose(scores(net, X[:1]), evaluated[:1], rtol=1e-12)
    assert net.predict(X).tolist() == np.argmax(evaluated, axis=1).tolist()


@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
def test_checkpoint_arrays_classify_without_the_framework(normalization, rng):
    net = small_net(normalization=normalization, dropout_keep_ratio=0.8)
    X, y = rng.standard_normal((10, 2, 3)), rng.integers(0, C, 10)  # (N, 2, 3) inputs are flattened to D = 6
    for _ in range(3):
        train_loss(net, X, y)
    state = checkpoint_arrays(net)
    batchnorm = normalization == "batchnorm"
    expected_extra = {"running_mean1", "running_var1", "running_mean2", "running_var2"} if batchnorm else set()
    assert set(state) == set(params(net)) | expected_extra
    assert ("gamma1" in state) == (normalization is not None)
    np.testing.assert_allclose(numpy_scores(state, X, 3, normalization), scores(net, X), rtol=1e-10)
    state["W1"][:] = 0  # copies: editing them leaves the model alone
    assert np.any(params(net)["W1"] != 0)


# Accuracy is measured in eval mode: batch norm then uses running averages over noisy batches of
# 25, which can leave one example of fifty on the wrong side although training fitted all.
@pytest.mark.parametrize("options, min_accuracy", [({}, 1.0), ({"normalization": "batchnorm"}, 0.96)])
def test_overfits_fifty_examples_with_the_solver(options, min_accuracy):
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((50, 3, 8, 8)).astype(np.float32), rng.integers(0, 10, 50)
    net = FullyConnectedNet([100, 100], input_dim=3 * 8 * 8, weight_scale=None, seed=0, **options)
    np.random.seed(0)
    solver = Solver(net, {"X_train": X, "y_train": y, "X_val": X, "y_val": y}, update_rule="adam",
                    optim_config={"learning_rate": 1e-3}, num_epochs=20, batch_size=25, verbose=False)
    solver.train()
    assert solver.check_accuracy(X, y) >= min_accuracy
    assert solver.loss_history[-1] < 0.2 * solver.loss_history[0]


def test_float32_by_default_and_seeded_initialisation(rng):
    net = FullyConnectedNet([8], input_dim=D, num_classes=C, seed=3)
    _, grads = train_loss(net, rng.standard_normal((4, D)), np.array([0, 1, 2, 0]))
    assert all(array.dtype == np.float32 for array in params(net).values())
    assert all(grad.dtype == np.float32 for grad in grads.values())
    again = FullyConnectedNet([8], input_dim=D, num_classes=C, seed=3)
    other = FullyConnectedNet([8], input_dim=D, num_classes=C, seed=4)
    assert np.array_equal(params(net)["W1"], params(again)["W1"])
    assert not np.array_equal(params(net)["W1"], params(other)["W1"])
    assert np.std(params(net)["W1"]) == pytest.approx(1e-2, rel=0.5)  # CS231n's weight_scale default


def test_bad_input_labels_and_options():
    net = small_net()
    with pytest.raises(ValueError, match=r"each input has 5 values .* expects input_dim=6"):
        net(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"must be a batch \(N, \.\.\.\)"):
        net(np.zeros(6))
    with pytest.raises(ValueError, match="label 3 is out of range for 3 classes"):
        net.loss(np.zeros((2, D)), np.array([0, 3]))
    with pytest.raises(ValueError, match="normalization must be one of"):
        small_net(normalization="groupnorm")
    with pytest.raises(ValueError, match="probability of KEEPING a unit"):
        small_net(dropout_keep_ratio=0)
