"""Recurrent nets: F.rnn_step, F.rnn, F.lstm_step, F.lstm against plain numpy and numerical gradients
over hypothesis-drawn shapes; nn.RNN, nn.LSTM and nn.Embedding against PyTorch, through the outputs
and gradients that scripts/make_torch_rnn_fixtures.py saved in tests/data/torch_rnn_fixtures.npz
(so the tests need no torch)."""
import json
import os
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as hs

import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor, nn
from tinygrad231n.errors import InputError
from tinygrad231n.gradcheck import gradcheck
from tinygrad231n.ops.lstm import lstm_reference, lstm_step_reference
from tinygrad231n.testing import strategies as st

FIXTURES = os.path.join(os.path.dirname(__file__), "data", "torch_rnn_fixtures.npz")


# ---- plain numpy references -----------------------------------------------------------------
def rnn_step_numpy(x, prev_h, Wx, Wh, b, nonlinearity="tanh"):
    a = x @ Wx + prev_h @ Wh + b
    return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)


def rnn_numpy(x, h0, Wx, Wh, b, nonlinearity="tanh"):
    h, hs = h0, []
    for t in range(x.shape[1]):
        h = rnn_step_numpy(x[:, t], h, Wx, Wh, b, nonlinearity)
        hs.append(h)
    return np.stack(hs, axis=1)


def lstm_numpy(x, h0, Wx, Wh, b, c0=None, gate_order="ifog"):
    """(h (N, T, H), last c (N, H)) from ops.lstm's plain-numpy reference."""
    states = lstm_reference(x, h0, np.zeros_like(h0) if c0 is None else c0, Wx, Wh, b, gate_order)
    return states[0], states[1, :, -1]


def first_step(inputs):
    """(x[:, 0], h0, Wx, Wh, b): one step's inputs from a sequence's."""
    x, *rest = inputs
    return (x[:, 0].copy(), *rest)


def with_cell(inputs, scale=0.5):
    """The inputs with a cell state c0 shaped like h0 appended, derived from h0 so it is drawn too."""
    h0 = inputs[1]
    return (*inputs, np.cos(h0) * scale)


# ---- F-level nets against numpy ---------------------------------------------------------------
@given(st.recurrent_inputs(), hs.sampled_from(["tanh", "relu"]))
def test_rnn_and_its_step_match_numpy(inputs, nonlinearity):
    out = F.rnn(*inputs, nonlinearity=nonlinearity)
    np.testing.assert_allclose(out.data, rnn_numpy(*inputs, nonlinearity), rtol=1e-12, atol=1e-12)
    step = F.rnn_step(*first_step(inputs), nonlinearity=nonlinearity)
    np.testing.assert_allclose(step.data, rnn_step_numpy(*first_step(inputs), nonlinearity), rtol=1e-12, atol=1e-12)


@given(st.recurrent_inputs(gates=4), hs.sampled_from(["ifog", "ifgo"]), hs.booleans())
def test_lstm_and_its_step_match_numpy(inputs, gate_order, given_cell):
    """F.lstm, fused (ops.Lstm) and composed of ops, and F.lstm_step."""
    c0 = with_cell(inputs)[-1] if given_cell else None
    h_ref, c_ref = lstm_numpy(*inputs, c0=c0, gate_order=gate_order)
    for fused in (True, False):
        h, c = F.lstm(*inputs, c0=c0, gate_order=gate_order, fused=fused)
        np.testing.assert_allclose(h.data, h_ref, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(c.data, c_ref, rtol=1e-12, atol=1e-12)
    x, h0, Wx, Wh, b = first_step(inputs)
    prev_c = np.zeros_like(h0) if c0 is None else c0
    for ours, reference in zip(F.lstm_step(x, h0, prev_c, Wx, Wh, b, gate_order=gate_order),
                               lstm_step_reference(x, h0, prev_c, Wx, Wh, b, gate_order)):
        np.testing.assert_allclose(ours.data, reference, rtol=1e-12, atol=1e-12)


# ---- gradients against numerical differences ---------------------------------------------------
@given(st.recurrent_inputs())
def test_rnn_gradients_match_numerical(inputs):
    assert gradcheck(F.rnn, *inputs)
    assert gradcheck(F.rnn_step, *first_step(inputs))


@given(st.recurrent_inputs(gates=4), hs.sampled_from(["ifog", "ifgo"]), hs.booleans())
def test_lstm_gradients_match_numerical(inputs, gate_order, fused):
    inputs = with_cell(inputs)  # c0 gets its gradient checked too

    def lstm_both(x, h0, Wx, Wh, b, c0):  # h and the last c in one output, so both are checked
        h, c = F.lstm(x, h0, Wx, Wh, b, c0=c0, gate_order=gate_order, fused=fused)
        return F.cat([h.reshape(h.shape[0], -1), c], axis=1)

    def step_both(x, h0, Wx, Wh, b, c0):
        return F.cat(F.lstm_step(x, h0, c0, Wx, Wh, b, gate_order=gate_order), axis=1)

    assert gradcheck(lstm_both, *inputs)
    assert gradcheck(step_both, *first_step(inputs))


@given(st.recurrent_inputs(gates=4, dtype=np.float32), st.recurrent_inputs(dtype=np.float32))
def test_float32_stays_float32(lstm_inputs, rnn_inputs):
    lstm_tensors = [Tensor(a, requires_grad=True) for a in lstm_inputs]
    rnn_tensors = [Tensor(a, requires_grad=True) for a in rnn_inputs]
    h, c = F.lstm(*lstm_tensors)
    out = F.rnn(*rnn_tensors)
    assert h.dtype == c.dtype == out.dtype == np.float32
    (h.sum() + c.sum() + out.sum()).backward()
    for t in lstm_tensors + rnn_tensors:
        assert t.grad.dtype == np.float32
    h_ref, c_ref = lstm_numpy(*[a.astype(np.float64) for a in lstm_inputs])
    np.testing.assert_allclose(h.data, h_ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(c.data, c_ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out.data, rnn_numpy(*[a.astype(np.float64) for a in rnn_inputs]), rtol=1e-5, atol=1e-5)


@given(st.recurrent_inputs(gates=4), hs.sampled_from(["ifog", "ifgo"]))
def test_the_fused_lstm_gives_the_composition_s_gradients(inputs, gate_order):
    """ops.Lstm's hand-written backward against the tape's walk through the composed net, every
    input's gradient, with an upstream gradient on every h and on the last c."""
    inputs = with_cell(inputs)
    rng = np.random.default_rng(0)
    upstream_h = rng.standard_normal(inputs[0].shape[:2] + inputs[1].shape[1:])
    upstream_c = rng.standard_normal(inputs[1].shape)
    gradients = []
    for fused in (True, False):
        x, h0, Wx, Wh, b, c0 = tensors = [Tensor(a, requires_grad=True) for a in inputs]
        h, c = F.lstm(x, h0, Wx, Wh, b, c0=c0, gate_order=gate_order, fused=fused)
        ((h * Tensor(upstream_h)).sum() + (c * Tensor(upstream_c)).sum()).backward()
        gradients.append([t.grad for t in tensors])
    for fused_grad, composed_grad in zip(*gradients):
        np.testing.assert_allclose(fused_grad, composed_grad, rtol=1e-10, atol=1e-12)


# ---- bad shapes get one clear line --------------------------------------------------------------
def arrays(*shapes):
    return [np.zeros(s) for s in shapes]


@pytest.mark.parametrize("call, message", [
    (lambda: F.rnn(*arrays((2, 4), (2, 3), (4, 3), (3, 3), (3,))),
     r"rnn: x must be a batch of sequences \(N, T, D\), got shape \(2, 4\)"),
    (lambda: F.rnn(*arrays((2, 0, 4), (2, 3), (4, 3), (3, 3), (3,))),
     r"rnn: x has no time steps \(shape \(2, 0, 4\)\); T must be at least 1"),
    (lambda: F.rnn(*arrays((2, 5, 4), (3, 3), (4, 3), (3, 3), (3,))),
     r"rnn: x must be \(N, D\) per step and the hidden state \(N, H\) with the same N; got \(2, 4\) and \(3, 3\)"),
    (lambda: F.rnn_step(*arrays((2, 4), (2, 3), (5, 3), (3, 3), (3,))),
     r"rnn_step: Wx has shape \(5, 3\), expected \(4, 3\) for input size D=4 and hidden size H=3"),
    (lambda: F.lstm(*arrays((2, 5, 4), (2, 3), (4, 12), (3, 3), (12,))),
     r"lstm: Wh has shape \(3, 3\), expected \(3, 12\) for input size D=4 and hidden size H=3 \(four gates\)"),
    (lambda: F.lstm(*arrays((2, 5, 4), (2, 3), (4, 12), (3, 12), (12,)), c0=np.zeros((2, 4))),
     r"lstm: c0 has shape \(2, 4\), expected \(2, 3\) like h0"),
    (lambda: F.lstm_step(*arrays((2, 4), (2, 3), (1, 3), (4, 12), (3, 12), (12,))),
     r"lstm_step: prev_c has shape \(1, 3\), expected \(2, 3\) like prev_h"),
    (lambda: F.lstm(*arrays((2, 5, 4), (2, 3), (4, 12), (3, 12), (12,)), gate_order="fogi"),
     r"gate_order must be one of 'ifog', 'ifgo' \(CS231n's, PyTorch's\), got 'fogi'"),
    (lambda: F.rnn(*arrays((2, 5, 4), (2, 3), (4, 3), (3, 3), (3,)), nonlinearity="sigmoid"),
     r"rnn: nonlinearity must be 'tanh' or 'relu', got 'sigmoid'"),
])
def test_bad_shapes_are_named(call, message):
    with pytest.raises(InputError, match=message):
        call()


# ---- nn.RNN, nn.LSTM, nn.Embedding against PyTorch ----------------------------------------------
def load_fixtures():
    with np.load(FIXTURES) as archive:
        arrays = {key: archive[key] for key in archive.files}
    return json.loads(str(arrays.pop("configs"))), arrays


CONFIGS, ARRAYS = load_fixtures()
RECURRENT = [name for name, config in CONFIGS.items() if config["kind"] in ("RNN", "LSTM")]
TOLERANCE = {np.float64: 1e-10, np.float32: 1e-5}


def fixture(name):
    prefix = f"{name}/"
    return {key[len(prefix):]: value for key, value in ARRAYS.items() if key.startswith(prefix)}


def build_like_torch(name, dtype):
    """Our module with PyTorch's settings and weights for config `name`."""
    config, saved = dict(CONFIGS[name]), fixture(name)
    kind, with_states = config.pop("kind"), config.pop("with_states")
    module = getattr(nn, kind)(**config, dtype=dtype)
    for parameter_name, parameter in module.named_parameters():
        parameter.data = saved[parameter_name].astype(dtype)
    return module, saved, with_states


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", RECURRENT)
def test_recurrent_modules_match_pytorch(name, dtype):
    module, saved, with_states = build_like_torch(name, dtype)
    assert sorted(n for n, _ in module.named_parameters()) == sorted(k for k in saved if k.startswith(("weight", "bias")))
    leaves = {k: Tensor(saved[k].astype(dtype), requires_grad=True) for k in ("input", "h_0", "c_0") if k in saved}
    hx = None
    if with_states:
        hx = leaves["h_0"] if "c_0" not in leaves else (leaves["h_0"], leaves["c_0"])
    output, final = module(leaves["input"], hx)
    outputs = {"output": output, "h_n": final} if isinstance(module, nn.RNN) else \
        {"output": output, "h_n": final[0], "c_n": final[1]}
    loss = None
    for what, value in outputs.items():
        assert value.dtype == dtype
        np.testing.assert_allclose(value.data, saved[what], rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])
        term = (value * Tensor(saved[f"g_{what}"].astype(dtype))).sum()
        loss = term if loss is None else loss + term
    loss.backward()
    gradients = {**dict(module.named_parameters()), **leaves}
    for what, tensor in gradients.items():
        assert tensor.grad.dtype == dtype, what
        np.testing.assert_allclose(tensor.grad, saved[f"grad/{what}"], rtol=TOLERANCE[dtype],
                                   atol=TOLERANCE[dtype], err_msg=what)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_embedding_matches_pytorch_and_its_padding_row_learns_nothing(dtype):
    config, saved = CONFIGS["embedding_padding"], fixture("embedding_padding")
    embedding = nn.Embedding(config["num_embeddings"], config["embedding_dim"], padding_idx=config["padding_idx"],
                             dtype=dtype)
    embedding.weight.data = saved["weight"].astype(dtype)  # its padding row set non-zero: shown, not learned
    out = embedding(saved["indices"])
    (out * Tensor(saved["g_output"].astype(dtype))).sum().backward()
    assert out.dtype == embedding.weight.grad.dtype == dtype
    np.testing.assert_allclose(out.data, saved["output"], rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])
    np.testing.assert_allclose(embedding.weight.grad, saved["grad/weight"], rtol=TOLERANCE[dtype],
                               atol=TOLERANCE[dtype])
    assert np.all(embedding.weight.grad[config["padding_idx"]] == 0)


def test_embedding_starts_like_pytorch():
    embedding = nn.Embedding(1000, 8, padding_idx=-1, rng=0)
    assert embedding.padding_idx == 999 and np.all(embedding.weight.data[999] == 0)
    assert abs(embedding.weight.data[:999].std() - 1) < 0.05  # N(0, 1)
    np.testing.assert_array_equal(nn.Embedding(1000, 8, rng=0).weight.data[:999], embedding.weight.data[:999])
    with pytest.raises(InputError, match=r"Embedding: padding_idx 5 is out of range for 5 rows \(expected -5..4\)"):
        nn.Embedding(5, 2, padding_idx=5)


@pytest.mark.parametrize("kind, gates", [("RNN", 1), ("LSTM", 4)])
def test_recurrent_modules_start_like_pytorch(kind, gates):
    """PyTorch's names and layouts, uniform(-1/sqrt(H), 1/sqrt(H)); a seed gives the same weights."""
    module = getattr(nn, kind)(10, 16, num_layers=2, rng=0)
    shapes = {name: p.shape for name, p in module.named_parameters()}
    assert shapes == {"weight_ih_l0": (gates * 16, 10), "weight_hh_l0": (gates * 16, 16), "bias_ih_l0": (gates * 16,),
                      "bias_hh_l0": (gates * 16,), "weight_ih_l1": (gates * 16, 16), "weight_hh_l1": (gates * 16, 16),
                      "bias_ih_l1": (gates * 16,), "bias_hh_l1": (gates * 16,)}
    values = np.concatenate([p.data.ravel() for p in module.parameters()])
    assert np.abs(values).max() <= 0.25 and np.abs(values).max() > 0.24 and abs(values.mean()) < 0.01
    again = getattr(nn, kind)(10, 16, num_layers=2, rng=0)
    for (name, p), q in zip(module.named_parameters(), again.parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)
    assert [n for n, _ in getattr(nn, kind)(3, 4, bias=False).named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]


def test_dropout_acts_between_layers_in_training_only():
    lstm = nn.LSTM(3, 5, num_layers=2, dropout=0.5, batch_first=True, rng=0)
    x = np.random.default_rng(1).standard_normal((4, 6, 3))
    train_out, (train_h, _) = lstm(x)
    lstm.eval()
    eval_out, (eval_h, _) = lstm(x)
    np.testing.assert_array_equal(train_h.data[0], eval_h.data[0])  # the first layer runs before any dropout
    assert not np.allclose(train_out.data, eval_out.data)           # the second reads a dropped-out input
    with pytest.warns(UserWarning, match="with num_layers=1 it does nothing"):
        nn.RNN(3, 5, dropout=0.5)


def test_float32_modules_stay_float32():
    lstm = nn.LSTM(3, 4, batch_first=True, dtype=np.float32, rng=0)
    output, (h_n, c_n) = lstm(np.zeros((2, 5, 3), np.float32))
    assert output.dtype == h_n.dtype == c_n.dtype == np.float32
    output.sum().backward()
    assert all(p.grad.dtype == np.float32 for p in lstm.parameters())


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.LSTM(3, 4, bidirectional=True), NotImplementedError, "LSTM: bidirectional=True is not supported"),
    (lambda: nn.RNN(3, 4, nonlinearity="gelu"), InputError, "RNN: nonlinearity must be 'tanh' or 'relu', got 'gelu'"),
    (lambda: nn.RNN(3, 4)(np.zeros((5, 2, 7))), InputError,
     r"RNN: input must be \(T, N, input_size\) or one sequence \(T, input_size\) with input_size=3, got shape \(5, 2, 7\)"),
    (lambda: nn.LSTM(3, 4, batch_first=True)(np.zeros((2, 5, 3)), np.zeros((1, 2, 4))), InputError,
     r"LSTM: hx must be a tuple \(h_0, c_0\), got ndarray"),
    (lambda: nn.LSTM(3, 4, num_layers=2)(np.zeros((5, 2, 3)), (np.zeros((1, 2, 4)), np.zeros((2, 2, 4)))),
     InputError, r"LSTM: h_0 has shape \(1, 2, 4\), expected \(num_layers, N, hidden_size\) = \(2, 2, 4\)"),
    (lambda: nn.RNN(3, 4)(np.zeros((5, 3)), np.zeros((1, 2, 4))), InputError,
     r"RNN: h_0 has shape \(1, 2, 4\), expected \(num_layers, hidden_size\) = \(1, 4\)"),
])
def test_module_misuse_is_named(call, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing but the error itself
        with pytest.raises(error, match=message):
            call()
