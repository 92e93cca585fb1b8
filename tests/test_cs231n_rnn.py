"""tinygrad231n.cs231n, 2024's assignment 3 (numpy): rnn_layers, classifiers.rnn.CaptioningRNN and
CaptioningSolver, checked as the RNN_Captioning and LSTM_Captioning notebooks check them: their
inputs, their hard-coded expected values, their numerical-gradient checks and tolerances, and
their overfitting runs (on the synthetic COCO set, data.coco_synthetic, instead of the real one)."""
import contextlib
import importlib.util

import numpy as np
import pytest

from tinygrad231n.cs231n.captioning_solver import CaptioningSolver
from tinygrad231n.cs231n.classifiers.rnn import CaptioningRNN
from tinygrad231n.cs231n.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array
from tinygrad231n.cs231n import rnn_layers
from tinygrad231n.cs231n.rnn_layers import (lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward,
                                            rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward,
                                            sigmoid, temporal_affine_backward, temporal_affine_forward,
                                            temporal_softmax_loss, word_embedding_backward, word_embedding_forward)
from tinygrad231n.threads import limited_threads

from notebook_values import FORWARD_CHECKS, check_inputs
from notebook_checks import assert_temporal_loss_sanity, load_synthetic_coco, numeric_gradients, rel_error


# ---- forward passes on the notebooks' np.linspace inputs, against their expected values ------------

@pytest.mark.parametrize("name", sorted(FORWARD_CHECKS))
def test_forward_on_the_notebook_inputs(name):
    check = FORWARD_CHECKS[name]
    *outputs, _cache = getattr(rnn_layers, name)(*check_inputs(check))
    for expected, out in zip(check.expected, outputs, strict=True):
        assert out.dtype == np.float64 and out.shape == expected.shape and rel_error(expected, out) < check.bound


def test_sigmoid_is_the_logistic_function_and_stays_finite_far_out():
    x = np.array([-1000.0, -2.0, 0.0, 3.0, 1000.0])
    with np.errstate(over="raise"):  # the naive 1 / (1 + exp(-x)) overflows at -1000
        s = sigmoid(x)
    np.testing.assert_allclose(s, [0.0, 1 / (1 + np.exp(2.0)), 0.5, 1 / (1 + np.exp(-3.0)), 1.0], rtol=1e-15)


# ---- backward passes against numerical gradients, on the notebooks' seeded inputs ---------------

def assert_gradients_match(analytic, numeric, tolerance, names):
    for name, a, n in zip(names, analytic, numeric):
        assert a.shape == n.shape, name
        assert rel_error(n, a) < tolerance, f"{name}: relative error {rel_error(n, a):.2e}"


def test_rnn_step_backward_matches_numerical_gradients():
    np.random.seed(231)
    N, D, H = 4, 5, 6
    inputs = [np.random.randn(N, D), np.random.randn(N, H), np.random.randn(D, H), np.random.randn(H, H),
              np.random.randn(H)]
    out, cache = rnn_step_forward(*inputs)
    dnext_h = np.random.randn(*out.shape)
    assert_gradients_match(rnn_step_backward(dnext_h, cache), numeric_gradients(rnn_step_forward, inputs, dnext_h),
                           1e-8, ["dx", "dprev_h", "dWx", "dWh", "db"])  # the notebook: less than 1e-8


def test_rnn_backward_matches_numerical_gradients():
    np.random.seed(231)
    N, D, T, H = 2, 3, 10, 5
    inputs = [np.random.randn(N, T, D), np.random.randn(N, H), np.random.randn(D, H), np.random.randn(H, H),
              np.random.randn(H)]
    out, cache = rnn_forward(*inputs)
    dout = np.random.randn(*out.shape)
    assert_gradients_match(rnn_backward(dout, cache), numeric_gradients(rnn_forward, inputs, dout),
                           1e-6, ["dx", "dh0", "dWx", "dWh", "db"])  # the notebook: around 1e-6 or less


def test_word_embedding_backward_matches_numerical_gradients():
    np.random.seed(231)
    N, T, V, D = 50, 3, 5, 6
    x = np.random.randint(V, size=(N, T))
    W = np.random.randn(V, D)
    out, cache = word_embedding_forward(x, W)
    dout = np.random.randn(*out.shape)
    dW = word_embedding_backward(dout, cache)
    dW_num = eval_numerical_gradient_array(lambda W: word_embedding_forward(x, W)[0], W, dout)
    assert dW.shape == (V, D) and rel_error(dW, dW_num) < 1e-11  # the notebook: less than 1e-11


def test_temporal_affine_backward_matches_numerical_gradients():
    np.random.seed(231)
    N, T, D, M = 2, 3, 4, 5
    inputs = [np.random.randn(N, T, D), np.random.randn(D, M), np.random.randn(M)]
    out, cache = temporal_affine_forward(*inputs)
    assert out.shape == (N, T, M)
    np.testing.assert_allclose(out[1, 2], inputs[0][1, 2] @ inputs[1] + inputs[2], rtol=1e-13)
    dout = np.random.randn(*out.shape)
    assert_gradients_match(temporal_affine_backward(dout, cache),
                           numeric_gradients(temporal_affine_forward, inputs, dout), 1e-9, ["dx", "dw", "db"])


def test_lstm_step_backward_matches_numerical_gradients_of_both_outputs():
    np.random.seed(231)
    N, D, H = 4, 5, 6
    inputs = [np.random.randn(N, D), np.random.randn(N, H), np.random.randn(N, H), np.random.randn(D, 4 * H),
              np.random.randn(H, 4 * H), np.random.randn(4 * H)]
    next_h, next_c, cache = lstm_step_forward(*inputs)
    dnext_h, dnext_c = np.random.randn(*next_h.shape), np.random.randn(*next_c.shape)
    # The notebook's sum: each input's gradient through next_h plus its gradient through next_c.
    through_h = numeric_gradients(lambda *a: lstm_step_forward(*a)[0:1], inputs, dnext_h)
    through_c = numeric_gradients(lambda *a: lstm_step_forward(*a)[1:2], inputs, dnext_c)
    numeric = [h + c for h, c in zip(through_h, through_c)]
    assert_gradients_match(lstm_step_backward(dnext_h, dnext_c, cache), numeric, 1e-7,
                           ["dx", "dprev_h", "dprev_c", "dWx", "dWh", "db"])  # the notebook: around 1e-7 or less


def test_lstm_backward_matches_numerical_gradients():
    np.random.seed(231)
    N, D, T, H = 2, 3, 10, 6
    inputs = [np.random.randn(N, T, D), np.random.randn(N, H), np.random.randn(D, 4 * H),
              np.random.randn(H, 4 * H), np.random.randn(4 * H)]
    out, cache = lstm_forward(*inputs)
    dout = np.random.randn(*out.shape)
    analytic, numeric = lstm_backward(dout, cache), numeric_gradients(lstm_forward, inputs, dout)
    # The notebook: around 1e-7 or less. dWh on these inputs reads 1.9e-6 for any correct backward:
    # the numerical gradient's own error (PyTorch's float64 autograd agrees with ours to 5e-13, and
    # differs from this numerical dWh by the same 1.9e-6).
    assert_gradients_match(analytic[:3] + analytic[4:], numeric[:3] + numeric[4:], 1e-7, ["dx", "dh0", "dWx", "db"])
    assert_gradients_match(analytic[3:4], numeric[3:4], 3e-6, ["dWh"])


# ---- the temporal softmax loss --------------------------------------------------------------------

def test_temporal_softmax_loss_sanity_values_of_the_notebook():
    assert_temporal_loss_sanity(lambda x, y, mask: temporal_softmax_loss(x, y, mask)[0])


def test_temporal_softmax_loss_gradient_matches_numerical_gradients():
    np.random.seed(231)
    N, T, V = 7, 8, 9
    x = np.random.randn(N, T, V)
    y = np.random.randint(V, size=(N, T))
    mask = np.random.rand(N, T) > 0.5
    loss, dx = temporal_softmax_loss(x, y, mask, verbose=False)
    dx_num = eval_numerical_gradient(lambda x: temporal_softmax_loss(x, y, mask)[0], x, verbose=False)
    # The notebook: "on the order of 1e-7 or less"; here 1.4e-7, the numerical gradient's own error
    # (this dx equals the assignment's plain-numpy formula to 3e-17).
    assert isinstance(loss, float) and rel_error(dx, dx_num) < 5e-7
    assert np.all(dx[~mask] == 0)  # steps outside the mask count for nothing


def test_temporal_softmax_loss_verbose_prints_the_gradient_shape(capsys):
    temporal_softmax_loss(np.zeros((2, 3, 4)), np.zeros((2, 3), dtype=int), np.ones((2, 3), dtype=bool), verbose=True)
    assert "(6, 4)" in capsys.readouterr().out


# ---- CaptioningRNN ------------------------------------------------------------------------------

TINY_VOCABULARY = {"<NULL>": 0, "cat": 2, "dog": 3}  # the notebooks' (index 1 unused, as there)


@pytest.mark.parametrize("cell_type, feature_range, expected_loss", [
    ("rnn", (-1.5, 0.3), 9.83235591003),    # RNN_Captioning.ipynb
    ("lstm", (-0.5, 1.7), 9.82445935443),   # LSTM_Captioning.ipynb
])
def test_captioning_loss_with_every_parameter_set_through_params(cell_type, feature_range, expected_loss):
    N, D, W, H = 10, 20, 30, 40
    V, T = len(TINY_VOCABULARY), 13
    model = CaptioningRNN(TINY_VOCABULARY, input_dim=D, wordvec_dim=W, hidden_dim=H, cell_type=cell_type,
                          dtype=np.float64)
    for k, v in model.params.items():
        model.params[k] = np.linspace(-1.4, 1.3, num=v.size).reshape(*v.shape)
    features = np.linspace(*feature_range, num=N * D).reshape(N, D)
    captions = (np.arange(N * T) % V).reshape(N, T)
    loss, grads = model.loss(features, captions)
    assert isinstance(loss, float) and abs(loss - expected_loss) < 1e-10  # the notebooks: less than 1e-10
    assert list(grads) == list(model.params)
    assert all(grads[k].shape == v.shape and grads[k].dtype == np.float64 for k, v in model.params.items())


def test_captioning_rnn_gradients_match_numerical_gradients():
    # The RNN_Captioning notebook's cell, its sizes and its h.
    np.random.seed(231)
    batch_size, timesteps, input_dim, wordvec_dim, hidden_dim = 2, 3, 4, 5, 6
    captions = np.random.randint(len(TINY_VOCABULARY), size=(batch_size, timesteps))
    features = np.random.randn(batch_size, input_dim)
    model = CaptioningRNN(TINY_VOCABULARY, input_dim=input_dim, wordvec_dim=wordvec_dim, hidden_dim=hidden_dim,
                          cell_type="rnn", dtype=np.float64)
    _, grads = model.loss(features, captions)
    for name in sorted(grads):
        numeric = eval_numerical_gradient(lambda _: model.loss(features, captions)[0], model.params[name],
                                          verbose=False, h=1e-6)
        # The notebook: "around the order of 1e-6 or less"; the largest here is Wx's, 7e-7.
        assert rel_error(numeric, grads[name]) < 2e-6, name


@pytest.mark.parametrize("cell_type, gates", [("rnn", 1), ("lstm", 4)])
def test_the_weights_are_the_assignments_draws_from_numpys_global_state(cell_type, gates):
    vocabulary = {"<NULL>": 0, "<START>": 1, "<END>": 2, "cat": 3, "dog": 4}
    V, D, W, H = 5, 6, 4, 3
    np.random.seed(231)
    model = CaptioningRNN(vocabulary, input_dim=D, wordvec_dim=W, hidden_dim=H, cell_type=cell_type, dtype=np.float64)
    next_draw = np.random.rand()
    np.random.seed(231)  # the assignment's __init__: randn in this order, scaled; biases zero
    expected = {"W_embed": np.random.randn(V, W) / 100, "W_proj": np.random.randn(D, H) / np.sqrt(D),
                "b_proj": np.zeros(H), "Wx": np.random.randn(W, gates * H) / np.sqrt(W),
                "Wh": np.random.randn(H, gates * H) / np.sqrt(H), "b": np.zeros(gates * H),
                "W_vocab": np.random.randn(H, V) / np.sqrt(H), "b_vocab": np.zeros(V)}
    assert list(model.params) == list(expected)  # the assignment's order of params too
    for name, value in expected.items():
        np.testing.assert_allclose(model.params[name], value, rtol=1e-15, atol=0, err_msg=name)
    assert np.random.rand() == next_draw  # it drew exactly those numbers, no more


def test_params_is_a_live_view_of_the_modules_weights():
    model = CaptioningRNN({"<NULL>": 0, "<START>": 1, "<END>": 2, "cat": 3}, input_dim=4, wordvec_dim=3, hidden_dim=2)
    assert model.params["Wx"] is model.module.Wx.numpy() and model.params["Wx"].dtype == np.float32
    model.params["b_vocab"] = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(model.module.b_vocab.data, [1, 2, 3, 4])
    assert model.module.b_vocab.dtype == np.float32  # float32 stays float32
    with pytest.raises(ValueError, match=r"'Wh' has shape \(2, 2\) but the value given has shape \(3, 3\)"):
        model.params["Wh"] = np.zeros((3, 3))
    assert (model._null, model._start, model._end, model.cell_type) == (0, 1, 2, "rnn")


def test_sample_gives_max_length_word_indices_per_image():
    vocabulary = {"<NULL>": 0, "<START>": 1, "<END>": 2, "cat": 3, "dog": 4}
    np.random.seed(0)
    model = CaptioningRNN(vocabulary, input_dim=6, wordvec_dim=4, hidden_dim=5, cell_type="lstm")
    captions = model.sample(np.random.randn(3, 6))
    assert captions.shape == (3, 30) and captions.dtype.kind == "i"
    assert np.all((captions >= 0) & (captions < len(vocabulary)))
    assert model.sample(np.random.randn(2, 6), max_length=4).shape == (2, 4)


# ---- CaptioningSolver ---------------------------------------------------------------------------

@pytest.fixture
def small_data(coco_folder):
    return load_synthetic_coco(coco_folder)


def one_blas_thread():
    """These small products run several times slower with BLAS threads fighting over a few busy cores."""
    if importlib.util.find_spec("threadpoolctl") is None:  # without the cli extra: run as the process is
        return contextlib.nullcontext()
    return limited_threads(1)


# The notebooks' overfitting cells: np.random.seed(231), 50 captions, hidden 512, word vectors 256,
# Adam at 5e-3, 50 epochs of batches of 25; their bars, a final loss below 0.1 (RNN) and 0.5 (LSTM).
# One change, on these synthetic captions: the RNN's learning rate decays by 0.995 an epoch (the
# LSTM notebook's) instead of its notebook's 0.95, with which the RNN ended between 0.04 and 0.34 over
# six seeds (three above 0.1; 0.08 with 231); with 0.995, between 0.008 and 0.07. These took 4.5 s
# (RNN) and 13.5 s (LSTM) on a loaded machine.
@pytest.mark.parametrize("cell_type, bar", [("rnn", 0.1), ("lstm", 0.5)])
def test_captioning_solver_overfits_fifty_examples_as_in_the_notebooks(coco_folder, cell_type, bar):
    lr_decay = 0.995
    np.random.seed(231)
    small_data = load_synthetic_coco(coco_folder)
    model = CaptioningRNN(cell_type=cell_type, word_to_idx=small_data["word_to_idx"],
                          input_dim=small_data["train_features"].shape[1], hidden_dim=512, wordvec_dim=256)
    solver = CaptioningSolver(model, small_data, update_rule="adam", num_epochs=50, batch_size=25,
                              optim_config={"learning_rate": 5e-3}, lr_decay=lr_decay, verbose=False)
    with one_blas_thread():
        solver.train()
    assert len(solver.loss_history) == 100  # 50 epochs of max(50 // 25, 1) iterations
    assert solver.loss_history[0] > 20 and solver.loss_history[-1] < bar
    assert solver.epoch == 50 and solver.train_acc_history == [] and solver.val_acc_history == []
    assert solver.optim_configs["Wx"]["learning_rate"] == pytest.approx(5e-3 * lr_decay ** 50)
    # It learnt the captions, not only the loss: greedy captions of the training images repeat them.
    features = small_data["train_features"][small_data["train_image_idxs"]]
    assert solver.check_accuracy(features, small_data["train_captions"]) > 0.95


class FixedCaptioner:
    """A model of the assignment's protocol whose greedy captions are given: features[n, 0] = i picks captions[i]."""

    def __init__(self, captions):
        self.params = {"W": np.zeros(1)}
        self.captions = captions

    def sample(self, features, max_length=30):
        return self.captions[features[:, 0].astype(int), :max_length]


def test_check_accuracy_counts_the_words_after_start_that_are_not_null(small_data):
    null, start, end = (small_data["word_to_idx"][w] for w in ("<NULL>", "<START>", "<END>"))
    y = np.array([[start, 7, 8, end, null], [start, 9, end, null, null]])
    sampled = np.array([[7, 8, end, 5, 5], [9, 6, 5, 5, 5]])  # the second caption's <END> is missed
    solver = CaptioningSolver(FixedCaptioner(sampled), small_data)
    features = np.array([[0.0, 0.0], [1.0, 0.0]])
    assert solver.check_accuracy(features, y, batch_size=1) == pytest.approx(4 / 5)  # 3 of 3, then 1 of 2


def test_captioning_solver_takes_the_assignments_options_only(small_data):
    with pytest.raises(ValueError, match=r"unrecognized argument\(s\) \['num_train_samples'\]"):
        CaptioningSolver(FixedCaptioner(None), small_data, num_train_samples=10)
    with pytest.raises(ValueError, match="invalid update_rule 'adamw'"):
        CaptioningSolver(FixedCaptioner(None), small_data, update_rule="adamw")
    data = {key: value for key, value in small_data.items() if key != "train_image_idxs"}
    with pytest.raises(KeyError, match=r"data is missing \['train_image_idxs'\]"):
        CaptioningSolver(FixedCaptioner(None), data)
