"""Attention (tinygrad231n/nn/attention.py) and the captioning transformer (models/captioning_transformer.py):
values against a plain-numpy reference and against PyTorch (tests/data/torch_attention_fixtures.npz,
written by scripts/make_torch_attention_fixtures.py), gradients against numerical differences, masks
that hide what they should, and a model that learns a small synthetic captioning set."""
import contextlib
import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as hs

from models.captioning_transformer import CaptioningTransformer
from tinygrad231n import Tensor, nn, no_grad, optim
from tinygrad231n.data.coco import load_coco_data
from tinygrad231n.data.coco_synthetic import write_synthetic_coco
from tinygrad231n.errors import InputError
from tinygrad231n.gradcheck import gradcheck, numerical_gradient
from tinygrad231n.nn.attention import scaled_dot_product_attention
from tinygrad231n.threads import limited_threads

FIXTURES = Path(__file__).parent / "data" / "torch_attention_fixtures.npz"


# ---- a plain-numpy reference ------------------------------------------------------------------
def attention_reference(weights, heads, query, key, value, mask=None):
    """CS231n's multi-head attention one query row at a time; a row that may attend nothing gives 0."""
    def affine(name, x):
        return x @ weights[f"{name}.weight"] + weights[f"{name}.bias"]

    q, k, v = affine("query", query), affine("key", key), affine("value", value)
    n, s, e = q.shape
    d = e // heads
    heads_out = np.zeros((n, s, e))
    for b in range(n):
        for h in range(heads):
            cols = slice(h * d, (h + 1) * d)
            for i in range(s):
                allowed = np.ones(k.shape[1], bool) if mask is None else np.asarray(mask[i], bool)
                if not allowed.any():
                    continue
                scores = k[b, allowed, cols] @ q[b, i, cols] / np.sqrt(d)
                w = np.exp(scores - scores.max())
                heads_out[b, i, cols] = (w / w.sum()) @ v[b, allowed, cols]
    return affine("proj", heads_out)


@hs.composite
def attention_problems(draw):
    """(module, query, key, value, mask): shapes from 1 up, one to three heads, and no mask, a
    causal one, a random one, or a random one with a row that allows nothing."""
    n, s, t = draw(hs.integers(1, 3)), draw(hs.integers(1, 4)), draw(hs.integers(1, 4))
    heads, head_dim = draw(hs.integers(1, 3)), draw(hs.integers(1, 3))
    seed = draw(hs.integers(0, 2 ** 16))
    rng = np.random.default_rng(seed)
    e = heads * head_dim
    kind = draw(hs.sampled_from(["none", "causal", "random", "empty row"]))
    mask = {"none": None, "causal": np.tril(np.ones((s, t), bool)), "random": rng.random((s, t)) < 0.6,
            "empty row": rng.random((s, t)) < 0.6}[kind]
    if kind == "empty row":
        mask[draw(hs.integers(0, s - 1))] = False
    module = nn.MultiHeadAttention(e, heads, dropout=0.0, weight_scale=0.7, rng=rng)
    for p in module.parameters():  # nonzero biases, so a bias that is dropped or doubled shows
        p.copy_(p.data + 0.1 * rng.standard_normal(p.shape))
    query, key, value = (rng.standard_normal(shape) for shape in ((n, s, e), (n, t, e), (n, t, e)))
    return module, query, key, value, mask


@given(attention_problems())
def test_attention_matches_the_numpy_reference(problem):
    module, query, key, value, mask = problem
    out = module(query, key, value, attn_mask=mask)
    expected = attention_reference(module.state_dict(), module.num_heads, query, key, value, mask)
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)


@settings(max_examples=15)
@given(attention_problems())
def test_attention_gradients_by_inputs_match_numerical_ones(problem):
    module, query, key, value, mask = problem
    inputs = [Tensor(x, requires_grad=True) for x in (query, key, value)]
    assert gradcheck(lambda q, k, v: module(q, k, v, attn_mask=mask), *inputs, atol=1e-6, rtol=1e-5)


def assert_parameter_gradients_match(module, forward, upstream, atol=1e-6, rtol=1e-5):
    """Each parameter's tape gradient of sum(forward() * upstream) against central differences."""
    module.zero_grad()
    (forward() * Tensor(upstream)).sum().backward()

    def weighted_output(_):
        with no_grad():
            return float((forward().data * upstream).sum())

    for name, parameter in module.named_parameters():
        numeric = numerical_gradient(weighted_output, parameter.data, h=1e-6)
        np.testing.assert_allclose(parameter.grad, numeric, rtol=rtol, atol=atol, err_msg=name)


@settings(max_examples=5)
@given(attention_problems())
def test_attention_gradients_by_weights_match_numerical_ones(problem):
    module, query, key, value, mask = problem
    upstream = np.random.default_rng(1).standard_normal(query.shape)
    assert_parameter_gradients_match(module, lambda: module(query, key, value, attn_mask=mask), upstream)


def test_batched_matmul_gradients_over_batch_and_heads(rng):
    # the products attention is made of: (N, H, S, d) @ (N, H, d, T), and weights @ (N, H, T, d)
    q, k, v = (Tensor(rng.standard_normal(shape), requires_grad=True) for shape in
               ((2, 3, 4, 2), (2, 3, 5, 2), (2, 3, 5, 2)))
    assert gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, np.tril(np.ones((4, 5), bool))), q, k, v)


def test_a_query_that_may_attend_nothing_gets_the_projection_bias_and_no_gradient(rng):
    module = nn.MultiHeadAttention(4, 2, dropout=0.0, rng=0)
    module.proj.bias.copy_(np.arange(4.0))
    mask = np.array([[True, False, True], [False, False, False]])
    query = Tensor(rng.standard_normal((2, 2, 4)), requires_grad=True)
    key = Tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    out = module(query, key, key, attn_mask=mask)
    np.testing.assert_array_equal(out.data[:, 1], np.broadcast_to(np.arange(4.0), (2, 4)))
    out.sum().backward()
    assert np.isfinite(key.grad).all() and np.isfinite(query.grad).all()
    np.testing.assert_array_equal(query.grad[:, 1], 0)  # its scores met nothing
    np.testing.assert_array_equal(key.grad[:, 1], 0)     # key 1 is visible to no query


def test_the_mask_takes_ones_and_zeros_and_a_tensor(rng):
    module = nn.MultiHeadAttention(4, 2, dropout=0.0, rng=0)
    x = rng.standard_normal((1, 3, 4))
    causal = nn.causal_mask(3)
    expected = module(x, x, x, attn_mask=causal).data
    for mask in (causal.astype(int), Tensor(causal.astype(float))):
        np.testing.assert_array_equal(module(x, x, x, attn_mask=mask).data, expected)


# ---- causality ----------------------------------------------------------------------------------
def test_causal_mask_is_lower_triangular():
    np.testing.assert_array_equal(nn.causal_mask(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    assert nn.causal_mask(3).dtype == bool


@pytest.mark.parametrize("layer", ["attention", "decoder"])
def test_a_later_step_does_not_change_an_earlier_output(layer, rng):
    n, t, e = 2, 5, 6
    if layer == "attention":
        module = nn.MultiHeadAttention(e, 3, dropout=0.0, rng=0)
        run = lambda x: module(x, x, x, attn_mask=nn.causal_mask(t)).data  # noqa: E731
    else:
        module = nn.TransformerDecoderLayer(e, 3, dim_feedforward=8, dropout=0.0, rng=0)
        memory = rng.standard_normal((n, 1, e))
        run = lambda x: module(x, memory, tgt_mask=nn.causal_mask(t)).data  # noqa: E731
    x = rng.standard_normal((n, t, e))
    changed = x.copy()
    changed[:, 3:] += rng.standard_normal((n, 2, e))
    before, after = run(x), run(changed)
    np.testing.assert_array_equal(after[:, :3], before[:, :3])
    assert np.abs(after[:, 3:] - before[:, 3:]).min() > 0  # the later steps did see the change


# ---- against PyTorch ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch_fixtures():
    with np.load(FIXTURES) as data:
        return dict(data)


def with_prefix(fixtures, prefix):
    return {name[len(prefix):]: value for name, value in fixtures.items() if name.startswith(prefix)}


@pytest.fixture
def fixture_attention(torch_fixtures):
    module = nn.MultiHeadAttention(8, 2, dropout=0.0).eval()
    module.load_state_dict(with_prefix(torch_fixtures, "attn."))
    return module


@pytest.mark.parametrize("case", ["cross", "causal", "empty_row"])
def test_attention_matches_torch(case, torch_fixtures, fixture_attention):
    fx = with_prefix(torch_fixtures, f"{case}.")
    out = fixture_attention(fx["query"], fx["key"], fx["value"], attn_mask=fx.get("mask")).data
    np.testing.assert_allclose(out, fx["sdpa"], rtol=1e-10, atol=1e-12)  # torch's scaled_dot_product_attention
    if "cs231n" in fx:  # CS231n's formulas in torch (NaN on an all-masked row, so not stored for that case)
        np.testing.assert_allclose(out, fx["cs231n"], rtol=1e-10, atol=1e-12)


def test_attention_gradients_match_torch(torch_fixtures, fixture_attention):
    fx = with_prefix(torch_fixtures, "causal.")
    x = Tensor(fx["query"], requires_grad=True)
    (fixture_attention(x, x, x, attn_mask=fx["mask"]) * Tensor(fx["upstream"])).sum().backward()
    np.testing.assert_allclose(x.grad, fx["grad.x"], rtol=1e-9, atol=1e-12)
    for name, parameter in fixture_attention.named_parameters():
        np.testing.assert_allclose(parameter.grad, fx[f"grad.{name}"], rtol=1e-9, atol=1e-12, err_msg=name)


def test_decoder_layer_matches_torch(torch_fixtures):
    fx = with_prefix(torch_fixtures, "decoder.")
    layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.1).eval()
    layer.load_state_dict({k: v for k, v in fx.items() if k not in ("tgt", "memory", "mask", "out")})
    out = layer(fx["tgt"], fx["memory"], tgt_mask=fx["mask"]).data
    np.testing.assert_allclose(out, fx["out"], rtol=1e-9, atol=1e-11)  # also torch.nn.TransformerDecoderLayer's


def test_positional_encoding_is_cs231ns_table(torch_fixtures):
    table = torch_fixtures["pe.table"]
    encoding = nn.PositionalEncoding(table.shape[2], dropout=0.0, max_len=table.shape[1])
    np.testing.assert_allclose(encoding.pe, table, rtol=1e-12, atol=1e-12)
    x = np.random.default_rng(0).standard_normal((2, 4, table.shape[2])).astype(np.float32)
    out = encoding(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, x + table[:, :4], rtol=1e-6)


# ---- modes, dtypes, gradients of the layers ---------------------------------------------------------
def test_dropout_acts_on_the_weights_in_training_only(rng):
    module = nn.MultiHeadAttention(4, 2, dropout=0.5, rng=0)
    x = rng.standard_normal((2, 3, 4))
    train_a, train_b = module(x, x, x).data, module(x, x, x).data
    eval_out = module.eval()(x, x, x).data
    np.testing.assert_allclose(eval_out, attention_reference(module.state_dict(), 2, x, x, x), rtol=1e-10)
    assert not np.allclose(train_a, eval_out) and not np.allclose(train_a, train_b)


def test_float32_stays_float32(rng):
    layer = nn.TransformerDecoderLayer(4, 2, dim_feedforward=8, dtype=np.float32, rng=0)
    tgt = Tensor(rng.standard_normal((2, 3, 4)).astype(np.float32), requires_grad=True)
    out = layer(tgt, rng.standard_normal((2, 1, 4)).astype(np.float32), tgt_mask=nn.causal_mask(3))
    assert out.dtype == np.float32
    out.sum().backward()
    assert tgt.grad.dtype == np.float32 and all(p.grad.dtype == np.float32 for p in layer.parameters())


def test_decoder_layer_gradients_match_numerical_ones(rng):
    layer = nn.TransformerDecoderLayer(4, 2, dim_feedforward=6, dropout=0.0, rng=1)
    tgt, memory = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 2, 4))
    mask = nn.causal_mask(3)
    assert gradcheck(lambda t, m: layer(t, m, tgt_mask=mask), Tensor(tgt, requires_grad=True),
                     Tensor(memory, requires_grad=True), atol=1e-6, rtol=1e-5)
    assert_parameter_gradients_match(layer, lambda: layer(tgt, memory, tgt_mask=mask),
                                     rng.standard_normal((2, 3, 4)))


# ---- bad input ----------------------------------------------------------------------------------------
def test_bad_input_is_one_clear_line():
    with pytest.raises(InputError, match=r"embed_dim \(6\) must be a multiple of num_heads \(4\)"):
        nn.MultiHeadAttention(6, 4)
    module = nn.MultiHeadAttention(4, 2)
    x, y = np.zeros((2, 3, 4)), np.zeros((2, 5, 4))
    with pytest.raises(InputError, match=r"attn_mask has shape \(3, 3\), expected \(3, 5\)"):
        module(x, y, y, attn_mask=nn.causal_mask(3))
    with pytest.raises(InputError, match=r"key \(2, 5, 4\) and value \(2, 3, 4\) must both be \(N, T, 4\)"):
        module(x, y, x)
    with pytest.raises(InputError, match=r"query has shape \(2, 3\), expected \(N, S, 4\)"):
        module(np.zeros((2, 3)), y, y)
    with pytest.raises(InputError, match="embed_dim must be even"):
        nn.PositionalEncoding(5)
    with pytest.raises(InputError, match=r"expected \(N, S, 4\) with S <= max_len = 2"):
        nn.PositionalEncoding(4, max_len=2)(x)


# ---- the captioning transformer -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def coco(tmp_path_factory):
    folder = write_synthetic_coco(tmp_path_factory.mktemp("coco") / "coco_captioning", n_train=60, n_val=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it says, rightly, that the set is synthetic
        data = load_coco_data(folder)
    captions = data["train_captions"][:50]
    return data, data["train_features"][data["train_image_idxs"][:50]], captions


def small_model(data, **options):
    settings_ = dict(input_dim=512, wordvec_dim=32, num_heads=2, num_layers=2, max_length=20,
                     dim_feedforward=64, dropout=0.0, seed=0)
    return CaptioningTransformer(data["word_to_idx"], **{**settings_, **options})


def test_loss_at_init_is_log_v_per_counted_word(coco):
    data, features, captions = coco
    model = small_model(data, dropout=0.1)
    loss = model.loss(features, captions)
    assert loss.dtype == np.float32 and np.isfinite(loss.item())
    words_per_caption = (captions[:, 1:] != data["word_to_idx"]["<NULL>"]).sum() / len(captions)
    # near-uniform scores at init; the output layer's scale adds about std**2 * W / 2 = 1/6 nats
    assert abs(loss.item() / words_per_caption - np.log(len(data["word_to_idx"]))) < 0.4


def test_scores_at_a_step_ignore_later_words(coco):
    data, features, captions = coco
    model = small_model(data).eval()
    changed = captions[:4].copy()
    changed[:, 5:] = data["word_to_idx"]["cat"]
    before, after = model(features[:4], captions[:4]).data, model(features[:4], changed).data
    np.testing.assert_array_equal(after[:, :5], before[:, :5])


def test_overfits_fifty_captions_and_samples_them(coco):
    data, features, captions = coco
    model = small_model(data)
    opt = optim.Adam(model.parameters(), lr=5e-3)
    # One BLAS thread: on a small shared machine, threads fighting over the cores made these small
    # products ten times slower (17 s against 1.6 s). Without threadpoolctl (the cli extra), as is.
    threads = limited_threads(1) if importlib.util.find_spec("threadpoolctl") else contextlib.nullcontext()
    with threads:
        for _ in range(100):
            opt.zero_grad()
            loss = model.loss(features, captions)
            loss.backward()
            opt.step()
    assert loss.item() < 0.3  # from about 36 (10 words a caption times log 31)
    sampled = model.sample(features[:10], max_length=12)
    assert sampled.shape == (10, 12) and sampled.dtype == np.int64 and model.training
    words = captions[:10, 1:13]
    assert (sampled == words)[words != data["word_to_idx"]["<NULL>"]].mean() > 0.95


def test_sample_is_greedy_decoding_in_eval_mode(coco):
    data, features, _ = coco
    model = small_model(data, dropout=0.5)
    sampled = model.sample(features[:3], max_length=4)
    np.testing.assert_array_equal(model.sample(features[:3], max_length=4), sampled)  # no dropout
    start = np.full((3, 1), data["word_to_idx"]["<START>"])
    with no_grad():
        model.eval()
        for t in range(4):  # each word is the argmax after the words before it
            prefix = np.concatenate([start, sampled[:, :t]], axis=1)
            np.testing.assert_array_equal(model(features[:3], prefix).data[:, -1].argmax(axis=1), sampled[:, t])


def test_captioning_transformer_bad_input(coco):
    data, features, captions = coco
    model = small_model(data)
    with pytest.raises(InputError, match=r"features must be \(N, 512\), got shape \(50, 3\)"):
        model.loss(features[:, :3], captions)
    with pytest.raises(InputError, match=r"captions must be \(N, T\) word indices with N = 50"):
        model.loss(features, captions[:4])
    with pytest.raises(InputError, match="max_length must be in 1..20"):
        model.sample(features, max_length=21)
    with pytest.raises(InputError, match="word_to_idx has no <START> token"):
        CaptioningTransformer({"<NULL>": 0, "a": 1})
