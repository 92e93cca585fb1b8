"""The notebooks' printed gradient checks of whole nets, run through the adapter as a student runs them
(FullyConnectedNets, BatchNormalization and Dropout of assignment 2): every parameter's relative error
must be at the level a plain-numpy solution prints there, not merely "runs"."""
import numpy as np
import pytest

from tinygrad231n.cs231n.classifiers.fc_net import FullyConnectedNet
from tinygrad231n.cs231n.layers import softmax_loss

from notebook_checks import model_gradient_errors

N, D, H1, H2, C = 2, 15, 20, 30, 10

# The notebooks: "most of the errors should be on the order of e-7 or smaller ... it is fine to see an
# error for W2 on the order of e-5". A plain-numpy solution prints 1e-11..2e-5 in these checks.
FINE = 1e-4


def notebook_inputs():
    """The cells' X (N, D) and y (N,), drawn after np.random.seed(231) as the notebooks draw them."""
    np.random.seed(231)
    return np.random.randn(N, D), np.random.randint(C, size=(N,))


def assert_errors_below(errors, bound_for):
    """Every parameter's relative error below bound_for(name); the message lists them all."""
    too_large = {name: error for name, error in errors.items() if not error < bound_for(name)}
    assert not too_large, f"relative errors too large: {too_large} (all: {errors})"


@pytest.mark.parametrize("reg", [0, 3.14])
def test_fully_connected_nets_check(reg):
    X, y = notebook_inputs()
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, reg=reg, weight_scale=5e-2, dtype=np.float64)
    assert_errors_below(model_gradient_errors(model, X, y), lambda name: FINE)


# "You should expect losses between 1e-4~1e-10 for W" (BatchNormalization.ipynb); the plain-numpy
# solution itself prints about 1.1e-4 for W1 with batch norm over N = 2 examples (and 1e-3 or more
# for other draws of the weights: the statistics of 2 examples make the check ill-conditioned). The
# adapter draws the assignment's very weights from np.random (protocol.NUMPY_GLOBAL_RANDOM), so the
# notebook's cell prints the reference solution's numbers.
NORMALIZED_W_BOUND = 2e-4


@pytest.mark.parametrize("normalization", ["batchnorm", "layernorm"])
def test_batch_normalization_check(normalization):
    X, y = notebook_inputs()
    for reg in [0, 3.14]:  # one loop, as in the notebook's cell: the second net's weights follow the first's
        model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, reg=reg, weight_scale=5e-2,
                                  dtype=np.float64, normalization=normalization)
        errors = model_gradient_errors(model, X, y)
        assert {"gamma1", "beta1", "gamma2", "beta2"} <= set(errors)
        assert_errors_below(errors, lambda name: NORMALIZED_W_BOUND if name.startswith("W") else FINE)


def test_the_nets_start_from_the_assignments_weights():
    """np.random.seed(231), then the constructor: W1, W2, ... = weight_scale * np.random.randn(...), in order."""
    np.random.seed(231)
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, weight_scale=5e-2, dtype=np.float64,
                              normalization="batchnorm")
    np.random.seed(231)
    for name, shape in (("W1", (D, H1)), ("W2", (H1, H2)), ("W3", (H2, C))):
        np.testing.assert_array_equal(model.params[name], 5e-2 * np.random.randn(*shape), err_msg=name)
    for name in ("b1", "b2", "b3", "beta1", "beta2"):
        assert not model.params[name].any(), name
    assert model.params["gamma1"].min() == model.params["gamma1"].max() == 1


# The Dropout cell of 2024, 2025 and 2026 (one starter signature in all three), as written in the
# notebook and with every argument in the signature's order.
DROPOUT_NETS = {
    "keywords": lambda keep: FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, weight_scale=5e-2,
                                               dtype=np.float64, dropout_keep_ratio=keep, seed=123),
    "positional": lambda keep: FullyConnectedNet([H1, H2], D, C, keep, None, 0.0, 5e-2, np.float64, 123),
}


@pytest.mark.parametrize("form", sorted(DROPOUT_NETS))
@pytest.mark.parametrize("keep", [1, 0.75, 0.5])
def test_dropout_check(keep, form):
    X, y = notebook_inputs()
    model = DROPOUT_NETS[form](keep)
    loss, _ = model.loss(X, y)
    assert model.loss(X, y)[0] == loss  # the seed: the same masks on every forward pass
    loss_without_dropout, _ = softmax_loss(model.loss(X), y)  # loss(X) is test mode: no dropout
    assert (loss == pytest.approx(loss_without_dropout, rel=1e-12)) == (keep == 1)  # units are dropped
    assert_errors_below(model_gradient_errors(model, X, y), lambda name: FINE)
