"""tinygrad231n.cs231n's PyTorch-written captioning modules (2025/2026 assignment 2): rnn_layers_pytorch,
classifiers.rnn_pytorch.CaptioningRNN and CaptioningSolverPytorch, checked as RNN_Captioning_pytorch.ipynb
checks them, with its imports rewritten (`import tinygrad231n.torch as torch`,
`from tinygrad231n.cs231n.rnn_layers_pytorch import *`, ...): its np.linspace inputs and the expected
values it prints, its autograd-against-numerical-gradient cells and its overfitting run (on the
synthetic COCO set instead of the real one). The notebook has no LSTM cells; the LSTM layers are
checked on LSTM_Captioning.ipynb's (2024, numpy) inputs and values, which the same functions must give."""

import numpy as np
import pytest

import tinygrad231n.torch as torch
from tinygrad231n.cs231n.captioning_solver_pytorch import CaptioningSolverPytorch
from tinygrad231n.cs231n.classifiers.rnn_pytorch import CaptioningRNN
from tinygrad231n.cs231n.coco_utils import decode_captions, sample_coco_minibatch
from tinygrad231n.cs231n.gradient_check import eval_numerical_gradient
from tinygrad231n.cs231n import rnn_layers_pytorch
from tinygrad231n.cs231n.rnn_layers_pytorch import *  # noqa: F403  (the notebook's import)
from tinygrad231n.errors import InputError

from notebook_values import FORWARD_CHECKS, check_inputs
from notebook_checks import assert_temporal_loss_sanity, load_synthetic_coco, numeric_gradients, rel_error


def linspace(low, high, *shape):
    """The notebook's torch.from_numpy(np.linspace(low, high, num=size).reshape(shape)): float64."""
    return torch.from_numpy(np.linspace(low, high, num=int(np.prod(shape))).reshape(shape))


# ---- forward passes on the notebook's np.linspace inputs, against the values it prints ------------

@pytest.mark.parametrize("name", sorted(FORWARD_CHECKS))
def test_forward_on_the_notebook_inputs(name):
    # The LSTM cases are LSTM_Captioning.ipynb's (this notebook has no LSTM cells), gates i, f, o, g.
    check = FORWARD_CHECKS[name]
    outputs = getattr(rnn_layers_pytorch, name)(*map(torch.from_numpy, check_inputs(check)))
    for expected, out in zip(check.expected, outputs if isinstance(outputs, tuple) else (outputs,), strict=True):
        assert isinstance(out, torch.Tensor) and out.dtype == np.float64 and out.shape == expected.shape
        assert rel_error(expected, out.numpy()) < check.bound


def test_affine_forward_flattens_each_example():
    x, w, b = linspace(-0.1, 0.5, 2, 4, 6), linspace(-0.2, 0.3, 24, 3), linspace(-0.3, 0.1, 3)
    out = affine_forward(x, w, b)
    np.testing.assert_allclose(out.numpy(), x.numpy().reshape(2, 24) @ w.numpy() + b.numpy(), rtol=1e-14)


# ---- autograd against numerical gradients, as the notebook's backward cells run it --------------

def autograd_against_numerical(forward, arrays, differentiated):
    """The notebook's backward cell: requires_grad_() on the inputs at `differentiated`, forward,
    backward(dout) with dout = torch.from_numpy(np.random.randn(*out.shape)), each input's .grad; and
    eval_numerical_gradient_array of forward wrapped to take and give numpy arrays under no_grad.
    Returns [(name index, autograd gradient, numerical gradient)]."""
    tensors = [torch.from_numpy(a) for a in arrays]
    for k in differentiated:
        tensors[k].requires_grad_()
    out = forward(*tensors)
    dout = torch.from_numpy(np.random.randn(*out.shape))
    out.backward(dout)
    analytic = {k: tensors[k].grad.numpy() for k in differentiated}  # the notebook: .grad.detach().numpy()

    def forward_numpy(*inputs):
        with torch.no_grad():
            return (forward(*(torch.from_numpy(a) for a in inputs)).numpy(),)

    numeric = numeric_gradients(forward_numpy, arrays, dout.numpy())
    return [(k, analytic[k], numeric[k]) for k in differentiated]


def test_gradients_read_as_the_notebook_reads_them():
    """The notebook reads every gradient as t.grad.detach().numpy()."""
    x = torch.from_numpy(np.array([1.0, -2.0, 3.0])).requires_grad_()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), [2.0, -4.0, 6.0])


def assert_gradients_match(checked, names, tolerance):
    for k, analytic, numeric in checked:
        error = rel_error(numeric, analytic)
        assert analytic.shape == numeric.shape and error < tolerance, f"{names[k]}: relative error {error:.2e}"


def test_rnn_step_forward_gradients_match_numerical_ones():
    np.random.seed(231)
    N, D, H = 4, 5, 6
    arrays = [np.random.randn(N, D), np.random.randn(N, H), np.random.randn(D, H), np.random.randn(H, H),
              np.random.randn(H)]
    checked = autograd_against_numerical(rnn_step_forward, arrays, range(5))
    # The notebook: "errors on the order of 1e-9 or less"; the largest here is dWx's, 9.7e-10.
    assert_gradients_match(checked, ["dx", "dh", "dWx", "dWh", "db"], 2e-9)


def test_rnn_forward_gradients_match_numerical_ones():
    np.random.seed(231)
    N, D, T, H = 2, 3, 10, 5
    arrays = [np.random.randn(N, T, D), np.random.randn(N, H), np.random.randn(D, H), np.random.randn(H, H),
              np.random.randn(H)]
    checked = autograd_against_numerical(rnn_forward, arrays, range(5))
    assert_gradients_match(checked, ["dx", "dh0", "dWx", "dWh", "db"], 1e-6)  # "1e-6 or less"


def test_word_embedding_gradient_matches_the_numerical_one():
    np.random.seed(231)
    N, T, V, D = 50, 3, 5, 6
    arrays = [np.random.randint(V, size=(N, T)), np.random.randn(V, D)]
    checked = autograd_against_numerical(word_embedding_forward, arrays, [1])  # the indices take no gradient
    assert_gradients_match(checked, ["x", "dW"], 1e-11)  # "1e-11 or less"


def test_temporal_affine_gradients_match_numerical_ones():
    np.random.seed(231)
    N, T, D, M = 2, 3, 4, 5
    arrays = [np.random.randn(N, T, D), np.random.randn(D, M), np.random.randn(M)]
    checked = autograd_against_numerical(temporal_affine_forward, arrays, range(3))
    assert_gradients_match(checked, ["dx", "dw", "db"], 1e-9)  # "e-9 or less"


@pytest.mark.parametrize("forward, shapes", [
    (lambda x, h, c, Wx, Wh, b: sum(lstm_step_forward(x, h, c, Wx, Wh, b)),  # next_h + next_c: both outputs
     [(4, 5), (4, 6), (4, 6), (5, 24), (6, 24), (24,)]),
    (lstm_forward, [(2, 10, 3), (2, 6), (3, 24), (6, 24), (24,)]),
])
def test_lstm_gradients_match_numerical_ones(forward, shapes):
    np.random.seed(231)
    arrays = [np.random.randn(*shape) for shape in shapes]
    checked = autograd_against_numerical(forward, arrays, range(len(arrays)))
    # 1e-7 in the LSTM notebook, but for lstm_forward's dWh, whose numerical gradient is off by 1.9e-6
    # on these inputs (test_cs231n_rnn.py: PyTorch's autograd agrees with ours to 5e-13).
    assert_gradients_match(checked, [f"input {k}" for k in range(len(arrays))], 3e-6)


# ---- the temporal softmax loss --------------------------------------------------------------------

def test_temporal_softmax_loss_sanity_values_of_the_notebook():
    assert_temporal_loss_sanity(lambda x, y, mask: temporal_softmax_loss(
        torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(mask)).item())


def test_temporal_softmax_loss_gradient_matches_the_numerical_one():
    np.random.seed(231231)
    N, T, V = 7, 8, 9
    x = torch.from_numpy(np.random.randn(N, T, V))
    y = torch.from_numpy(np.random.randint(V, size=(N, T)))
    mask = torch.from_numpy(np.random.rand(N, T) > 0.5)
    x.requires_grad_()
    loss = temporal_softmax_loss(x, y, mask, verbose=False)
    loss.backward()
    dx = x.grad.numpy()  # the notebook: x.grad.detach().numpy()
    x = x.detach().numpy()
    dx_num = eval_numerical_gradient(lambda x: temporal_softmax_loss(torch.from_numpy(x), y, mask), x, verbose=False)
    assert loss.shape == () and rel_error(dx, dx_num) < 1e-7  # "on the order of e-7 or less"
    assert np.all(dx[~mask.numpy()] == 0)  # steps outside the mask count for nothing


# ---- CaptioningRNN ------------------------------------------------------------------------------

TINY_VOCABULARY = {"<NULL>": 0, "cat": 2, "dog": 3}  # the notebook's (index 1 unused, as there)


@pytest.mark.parametrize("cell_type, feature_range, expected_loss", [
    ("rnn", (-1.5, 0.3), 9.83235591003),    # RNN_Captioning_pytorch.ipynb
    ("lstm", (-0.5, 1.7), 9.82445935443),   # LSTM_Captioning.ipynb (2024): the same model with an LSTM
])
def test_captioning_loss_with_every_parameter_set_through_params(cell_type, feature_range, expected_loss):
    N, D, W, H = 10, 20, 30, 40
    V, T = len(TINY_VOCABULARY), 13
    model = CaptioningRNN(TINY_VOCABULARY, input_dim=D, wordvec_dim=W, hidden_dim=H, cell_type=cell_type,
                          dtype=torch.float64)
    for k, v in model.params.items():
        model.params[k] = torch.from_numpy(np.linspace(-1.4, 1.3, num=v.numel()).reshape(*v.shape))
    features = linspace(*feature_range, N, D)
    captions = torch.from_numpy((np.arange(N * T) % V).reshape(N, T))
    loss = model.loss(features, captions)
    assert loss.shape == () and abs(loss.item() - expected_loss) < 1e-10  # "e-10 or less"


def test_captioning_rnn_gradients_match_numerical_ones():
    # The notebook's cell as it stands, but for reading .grad without .detach().
    np.random.seed(231)
    torch.manual_seed(231)
    batch_size, timesteps, input_dim, wordvec_dim, hidden_dim = 2, 3, 4, 5, 6
    captions = torch.from_numpy(np.random.randint(len(TINY_VOCABULARY), size=(batch_size, timesteps)))
    features = torch.from_numpy(np.random.randn(batch_size, input_dim))
    model = CaptioningRNN(TINY_VOCABULARY, input_dim=input_dim, wordvec_dim=wordvec_dim, hidden_dim=hidden_dim,
                          cell_type="rnn", dtype=torch.float64)
    for k, v in model.params.items():
        v.requires_grad_()
    loss = model.loss(features, captions)
    loss.backward()
    grads = {k: v.grad.numpy() for k, v in model.params.items()}
    for k, v in model.params.items():
        v.requires_grad_(False)
    for param_name in sorted(grads.keys()):
        def fn(val):
            model.params[param_name] = torch.from_numpy(val)
            return model.loss(features, captions).numpy()

        param_grad_num = eval_numerical_gradient(fn, model.params[param_name].numpy(), verbose=False, h=1e-6)
        # "around the order of e-6 or less"; the largest here is Wx's, 8e-7
        assert rel_error(param_grad_num, grads[param_name]) < 2e-6, param_name


@pytest.mark.parametrize("cell_type, gates", [("rnn", 1), ("lstm", 4)])
def test_the_weights_are_the_starters_torch_randn_draws(cell_type, gates):
    vocabulary = {"<NULL>": 0, "<START>": 1, "<END>": 2, "cat": 3, "dog": 4}
    V, D, W, H = 5, 6, 4, 3
    torch.manual_seed(231)
    model = CaptioningRNN(vocabulary, input_dim=D, wordvec_dim=W, hidden_dim=H, cell_type=cell_type)
    torch.manual_seed(231)  # the starter's __init__: torch.randn in this order, scaled; biases zero
    expected = {"W_embed": torch.randn(V, W) / 100, "W_proj": torch.randn(D, H) / float(np.sqrt(D)),
                "b_proj": torch.zeros(H), "Wx": torch.randn(W, gates * H) / float(np.sqrt(W)),
                "Wh": torch.randn(H, gates * H) / float(np.sqrt(H)), "b": torch.zeros(gates * H),
                "W_vocab": torch.randn(H, V) / float(np.sqrt(H)), "b_vocab": torch.zeros(V)}
    assert list(model.params) == list(expected)  # the starter's order of params too
    for name, tensor in model.params.items():
        assert tensor.dtype == torch.float32 and not tensor.requires_grad, name
        np.testing.assert_allclose(tensor.numpy(), expected[name].numpy(), rtol=1e-6, err_msg=name)


def test_params_are_the_models_own_tensors_and_refuse_what_is_not_one():
    model = CaptioningRNN(TINY_VOCABULARY, input_dim=4, wordvec_dim=3, hidden_dim=2, dtype=torch.float64)
    W_vocab = torch.zeros(2, 3, dtype=torch.float64)
    model.params["W_vocab"] = W_vocab
    assert model.params["W_vocab"] is W_vocab  # bound, not copied: the optimizer steps the model's weight
    features, captions = torch.zeros(2, 4, dtype=torch.float64), torch.from_numpy(np.array([[2, 1, 0], [1, 2, 1]]))
    assert model.loss(features, captions).item() == pytest.approx(3 * np.log(3) / 2)  # zero scores: log(V) a word
    with pytest.raises(InputError, match="expected a tensor"):
        model.params["W_vocab"] = np.zeros((2, 3))
    with pytest.raises(KeyError, match="no weight named 'W'"):
        model.params["W"] = W_vocab


# ---- CaptioningSolverPytorch --------------------------------------------------------------------

# The notebook's overfitting cell as it stands: seeds 231, 50 captions, hidden 512, word vectors 256,
# Adam at 5e-3 without decay, 50 epochs of batches of 25, a final loss below 0.1. On the synthetic
# captions seed 231 ended at 0.013; over seeds 0-7, 0.008 to 0.118 (one of eight above 0.1). 6 s.
def test_the_notebooks_rnn_overfits_fifty_captions_and_then_repeats_them(coco_folder):
    np.random.seed(231)
    torch.manual_seed(231)
    small_data = load_synthetic_coco(coco_folder)
    small_rnn_model = CaptioningRNN(cell_type="rnn", word_to_idx=small_data["word_to_idx"],
                                    input_dim=small_data["train_features"].shape[1], hidden_dim=512, wordvec_dim=256)
    small_rnn_solver = CaptioningSolverPytorch(small_rnn_model, small_data, num_epochs=50, batch_size=25,
                                               learning_rate=5e-3, verbose=False, print_every=10)
    small_rnn_solver.train()
    history = small_rnn_solver.loss_history
    assert len(history) == 100 and all(isinstance(loss, np.ndarray) and loss.shape == () for loss in history)
    assert history[0] > 20 and history[-1] < 0.1  # print('Final loss: ', ...): "less than 0.1"
    assert not any(v.requires_grad for v in small_rnn_model.params.values())  # train() turned it off again
    # The notebook's sampling cell on the training split: an overfit model repeats the captions it saw.
    gt_captions, features, _ = sample_coco_minibatch(small_data, split="train", batch_size=2)
    sample_captions = small_rnn_model.sample(torch.from_numpy(features)).numpy()
    assert sample_captions.shape == (2, 30) and sample_captions.dtype == np.int64
    for gt, sampled in zip(decode_captions(gt_captions, small_data["idx_to_word"]),
                           decode_captions(sample_captions, small_data["idx_to_word"])):
        assert gt == "<START> " + sampled


def test_the_solver_prints_every_print_every_iterations_and_takes_the_starters_options_only(coco_folder, capsys):
    np.random.seed(0)
    small_data = load_synthetic_coco(coco_folder)
    model = CaptioningRNN(small_data["word_to_idx"], input_dim=small_data["train_features"].shape[1],
                          wordvec_dim=4, hidden_dim=5)
    solver = CaptioningSolverPytorch(model, small_data, num_epochs=3, batch_size=20, print_every=3)
    solver.train()
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(")")[0] for line in lines] == ["(Iteration 1 / 6", "(Iteration 4 / 6"]
    assert float(lines[-1].split("loss: ")[1]) == pytest.approx(float(solver.loss_history[3]), abs=1e-6)
    assert solver.epoch == 3
    with pytest.raises(ValueError, match=r"unrecognized argument\(s\) \['lr_decay'\]"):
        CaptioningSolverPytorch(model, small_data, lr_decay=0.95)  # the starter has no decay
