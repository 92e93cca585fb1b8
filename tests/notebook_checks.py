"""The CS231n notebooks' own checking helpers, shared by the tests that check as the notebooks do."""
import contextlib
import io
import warnings

import numpy as np

from tinygrad231n.cs231n.coco_utils import load_coco_data
from tinygrad231n.cs231n.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array
from tinygrad231n.data.coco import SyntheticCocoWarning


def rel_error(x, y):
    """The notebooks' relative error."""
    return np.max(np.abs(x - y) / (np.maximum(1e-8, np.abs(x) + np.abs(y))))


def numeric_gradients(forward, inputs, dout):
    """eval_numerical_gradient_array of forward(*inputs)[0] for each input, as the notebooks call it."""
    grads = []
    for k in range(len(inputs)):
        def f(_, k=k):
            return forward(*inputs)[0]
        grads.append(eval_numerical_gradient_array(f, inputs[k], dout))
    return grads


def model_gradient_errors(model, X, y):
    """{name: rel_error} between model.loss(X, y)'s gradients and eval_numerical_gradient (h=1e-5), for
    every parameter: the loop that the FullyConnectedNets, BatchNormalization and Dropout notebooks print."""
    _, grads = model.loss(X, y)
    errors = {}
    for name in sorted(grads):
        numeric = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-5)
        errors[name] = rel_error(numeric, grads[name])
    return errors


def load_synthetic_coco(folder, max_train=50):
    """The captioning notebooks' small_data = load_coco_data(max_train=50) on the synthetic set: its
    warning and the folder line the assignment's loader prints kept quiet."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntheticCocoWarning)
        with contextlib.redirect_stdout(io.StringIO()):
            return load_coco_data(base_dir=folder, max_train=max_train)


def assert_temporal_loss_sanity(loss_of):
    """The captioning notebooks' check_loss cells: loss_of(x, y, mask) of numpy arrays -> a float, for
    near-zero scores x (N, T, V), so each counted step costs about log(V) (np.random, seeded 231)."""
    def check_loss(N, T, V, p):
        x = 0.001 * np.random.randn(N, T, V)
        y = np.random.randint(V, size=(N, T))
        mask = np.random.rand(N, T) <= p
        return loss_of(x, y, mask)

    np.random.seed(231)
    assert abs(check_loss(100, 1, 10, 1.0) - 2.3) <= 0.05    # "should be about 2.3"
    assert abs(check_loss(100, 10, 10, 1.0) - 23) <= 0.5     # "should be about 23"
    assert 2.2 <= check_loss(5000, 10, 10, 0.1) <= 2.4       # "within 2.2-2.4"
