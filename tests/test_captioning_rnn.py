"""models.captioning_rnn.CaptioningRNN: CS231n's loss values, gradients, greedy sampling, the overfit checks."""
import contextlib
import importlib.util
import warnings

import numpy as np
import pytest

from models.captioning import train_captioning
from models.captioning_rnn import CaptioningRNN
from tinygrad231n.data.coco import SyntheticCocoWarning, decode_captions, load_coco_data
from tinygrad231n.data.coco_synthetic import write_synthetic_coco
from tinygrad231n.errors import InputError
from tinygrad231n.gradcheck import numerical_gradient
from tinygrad231n.threads import limited_threads

TOY_VOCAB = {"<NULL>": 0, "cat": 2, "dog": 3}  # the notebooks' vocabulary for the loss checks (no index 1)
SAMPLING_VOCAB = {"<NULL>": 0, "<START>": 1, "<END>": 2, "cat": 3, "dog": 4}


def fixed_model(cell_type, D=20, W=30, H=40):
    """The notebooks' check: every parameter np.linspace(-1.4, 1.3) in its shape, float64."""
    model = CaptioningRNN(TOY_VOCAB, input_dim=D, wordvec_dim=W, hidden_dim=H, cell_type=cell_type, dtype=np.float64)
    for _, parameter in model.named_parameters():
        parameter.data[...] = np.linspace(-1.4, 1.3, num=parameter.data.size).reshape(parameter.shape)
    return model


# RNN_Captioning.ipynb and LSTM_Captioning.ipynb: feature range and the expected loss.
@pytest.mark.parametrize("cell_type, feature_range, expected", [("rnn", (-1.5, 0.3), 9.83235591003),
                                                                ("lstm", (-0.5, 1.7), 9.82445935443)])
def test_loss_is_the_notebooks_value(cell_type, feature_range, expected):
    N, D, T = 10, 20, 13
    model = fixed_model(cell_type, D=D)
    features = np.linspace(*feature_range, num=N * D).reshape(N, D)
    captions = (np.arange(N * T) % len(TOY_VOCAB)).reshape(N, T)
    assert abs(float(model.loss(features, captions).data) - expected) < 1e-10


@pytest.mark.parametrize("cell_type, gates", [("rnn", 1), ("lstm", 4)])
def test_parameters_have_cs231n_names_shapes_and_scales(cell_type, gates):
    V, D, W, H = 50, 300, 200, 100
    vocab = {"<NULL>": 0} | {f"w{i}": i for i in range(1, V)}
    model = CaptioningRNN(vocab, input_dim=D, wordvec_dim=W, hidden_dim=H, cell_type=cell_type, seed=0)
    shapes = {name: p.shape for name, p in model.named_parameters()}
    assert shapes == {"W_embed": (V, W), "W_proj": (D, H), "b_proj": (H,), "Wx": (W, gates * H),
                      "Wh": (H, gates * H), "b": (gates * H,), "W_vocab": (H, V), "b_vocab": (V,)}
    assert all(p.dtype == np.float32 for p in model.parameters())
    stds = {name: float(p.data.std()) for name, p in model.named_parameters()}
    expected = {"W_embed": 1 / 100, "W_proj": D ** -0.5, "Wx": W ** -0.5, "Wh": H ** -0.5, "W_vocab": H ** -0.5}
    for name, std in expected.items():
        assert stds[name] == pytest.approx(std, rel=0.1), name
    assert stds["b"] == stds["b_proj"] == stds["b_vocab"] == 0


def test_weights_are_drawn_in_cs231n_order_from_the_generator():
    """W_embed, W_proj, Wx, Wh, W_vocab, one after another from the one stream (np.random in the adapter)."""
    D, W, H = 4, 3, 5
    model = CaptioningRNN(SAMPLING_VOCAB, input_dim=D, wordvec_dim=W, hidden_dim=H, dtype=np.float64,
                          seed=np.random.RandomState(231))
    draws = np.random.RandomState(231)
    V = len(SAMPLING_VOCAB)
    for name, shape, scale in (("W_embed", (V, W), 1 / 100), ("W_proj", (D, H), D ** -0.5),
                               ("Wx", (W, H), W ** -0.5), ("Wh", (H, H), H ** -0.5), ("W_vocab", (H, V), H ** -0.5)):
        np.testing.assert_allclose(getattr(model, name).data, draws.standard_normal(shape) * scale, rtol=1e-12)


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_gradients_match_numerical_ones(cell_type):
    rng = np.random.default_rng(1)
    N, D, W, H, T = 3, 4, 5, 6, 5
    model = CaptioningRNN(SAMPLING_VOCAB, input_dim=D, wordvec_dim=W, hidden_dim=H, cell_type=cell_type,
                          dtype=np.float64, seed=2)
    features = rng.standard_normal((N, D))
    captions = rng.integers(1, len(SAMPLING_VOCAB), size=(N, T))
    captions[0, 3:] = 0  # padding: those positions must give nothing
    model.loss(features, captions).backward()
    for name, parameter in model.named_parameters():
        numeric = numerical_gradient(lambda _: float(model.loss(features, captions).data), parameter.data)
        np.testing.assert_allclose(parameter.grad, numeric, atol=1e-7, rtol=1e-5, err_msg=name)


def test_padding_does_not_count_and_captions_average_over_n():
    """A caption padded with <NULL> costs what it costs cut at its <END>; the loss of N captions is their mean."""
    rng = np.random.default_rng(3)
    model = CaptioningRNN(SAMPLING_VOCAB, input_dim=4, wordvec_dim=3, hidden_dim=5, cell_type="lstm",
                          dtype=np.float64, seed=0)
    features = rng.standard_normal((2, 4))
    captions = np.array([[1, 3, 4, 2, 0, 0], [1, 4, 2, 0, 0, 0]])
    loss = lambda f, c: float(model.loss(f, c).data)
    short = loss(features[1:], captions[1:, :3])
    assert loss(features[1:], captions[1:]) == pytest.approx(short, rel=1e-12)
    assert loss(features, captions) == pytest.approx((loss(features[:1], captions[:1]) + short) / 2, rel=1e-12)


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_sample_is_greedy_from_start(cell_type):
    """Each sampled word is the argmax of the teacher-forced scores after <START> and the words before it:
    the step-by-step sampler and the whole-sequence forward pass agree."""
    rng = np.random.default_rng(4)
    model = CaptioningRNN(SAMPLING_VOCAB, input_dim=4, wordvec_dim=3, hidden_dim=5, cell_type=cell_type,
                          dtype=np.float64, seed=5)
    features = rng.standard_normal((6, 4))
    captions = model.sample(features, max_length=7)
    assert captions.shape == (6, 7) and np.issubdtype(captions.dtype, np.integer)
    assert captions.min() >= 0 and captions.max() < len(SAMPLING_VOCAB)
    read = np.concatenate([np.full((6, 1), SAMPLING_VOCAB["<START>"]), captions[:, :-1]], axis=1)
    np.testing.assert_array_equal(model(features, read).data.argmax(axis=2), captions)


def test_bad_input_is_one_clear_line():
    model = CaptioningRNN(SAMPLING_VOCAB, input_dim=4, wordvec_dim=3, hidden_dim=5)
    with pytest.raises(InputError, match=r"features must be \(N, 4\)"):
        model.loss(np.zeros((2, 5)), np.ones((2, 3), dtype=int))
    with pytest.raises(InputError, match="captions must be"):
        model.loss(np.zeros((2, 4)), np.ones((3, 3), dtype=int))
    with pytest.raises(InputError, match="cell_type"):
        CaptioningRNN(SAMPLING_VOCAB, cell_type="gru")
    with pytest.raises(InputError, match="<START>"):
        CaptioningRNN(TOY_VOCAB, input_dim=4).sample(np.zeros((1, 4)))


@pytest.fixture(scope="module")
def small_coco(tmp_path_factory):
    folder = write_synthetic_coco(tmp_path_factory.mktemp("coco") / "coco_captioning", n_train=100, n_val=20)
    np.random.seed(231)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntheticCocoWarning)
        return load_coco_data(folder, max_train=50)


def one_thread():
    if importlib.util.find_spec("threadpoolctl") is None:  # the cli extra is missing: run as the process is
        return contextlib.nullcontext()
    return limited_threads(1)


def overfit(data, cell_type, hidden_dim, wordvec_dim):
    """The notebooks' run: Adam, lr 5e-3 decayed 0.995 an epoch, batch 25, 50 epochs of 2 batches each."""
    np.random.seed(231)
    model = CaptioningRNN(data["word_to_idx"], input_dim=data["train_features"].shape[1], wordvec_dim=wordvec_dim,
                          hidden_dim=hidden_dim, cell_type=cell_type, seed=231)
    options = {"num_epochs": 50, "batch_size": 25, "learning_rate": 5e-3, "lr_decay": 0.995}
    history = train_captioning(model, data, options)
    assert len(history) == 100
    return model, history[-1]


# Smaller than the notebooks' hidden 512, word vectors 256, with the same bars (a few seconds each).
@pytest.mark.parametrize("cell_type, hidden_dim, wordvec_dim, bar", [("rnn", 192, 96, 0.1), ("lstm", 160, 128, 0.5)])
def test_overfits_fifty_examples(small_coco, cell_type, hidden_dim, wordvec_dim, bar):
    # One BLAS thread: these small matmuls run several times slower with threads fighting over shared cores.
    with one_thread():
        model, last_loss = overfit(small_coco, cell_type, hidden_dim, wordvec_dim)
    assert last_loss < bar
    # And it has learnt the captions, not only the loss: greedy samples of training images repeat them.
    captions = small_coco["train_captions"][:10]
    features = small_coco["train_features"][small_coco["train_image_idxs"][:10]]
    sampled = decode_captions(model.sample(features, max_length=16), small_coco["idx_to_word"])
    truth = decode_captions(captions[:, 1:], small_coco["idx_to_word"])
    assert sum(s == t for s, t in zip(sampled, truth)) >= 8
