"""tinygrad231n.cs231n's transformer modules (2024's assignment 3, written against PyTorch) on the
front, checked as Transformer_Captioning.ipynb runs them, imports rewritten
(`import torch` -> `import tinygrad231n.torch as torch`, `cs231n.` -> `tinygrad231n.cs231n.`).

The notebook's expected arrays for MultiHeadAttention, PositionalEncoding and the captioning scores
come from PyTorch's own random numbers (randn inputs and default-initialised weights after
torch.manual_seed(231), and dropout masks: its cells run in training mode), so no other generator
reproduces them; those cells run here as written and their values are checked on fixed inputs
instead, against what PyTorch computes with the starter's modules
(tests/data/torch_transformer_fixtures.npz, scripts/make_torch_transformer_fixtures.py). The
scores cell fills every weight from np.linspace: in eval mode our scores equal PyTorch's, and so do
the notebook's own expected rows that its dropout left untouched. The overfitting cell runs on the
synthetic COCO set (data.coco_synthetic) with the notebook's settings.
"""
import contextlib
import copy
import io
from pathlib import Path

import numpy as np
import pytest

import tinygrad231n.torch as torch
from tinygrad231n.cs231n.captioning_solver_transformer import CaptioningSolverTransformer
from tinygrad231n.cs231n.classifiers.transformer import (CaptioningTransformer, TransformerDecoder,
                                                         TransformerDecoderLayer, clones)
from tinygrad231n.cs231n.coco_utils import decode_captions, sample_coco_minibatch
from tinygrad231n.cs231n.transformer_layers import MultiHeadAttention, PositionalEncoding
from tinygrad231n.errors import InputError
from tinygrad231n.threads import limited_threads

from notebook_checks import load_synthetic_coco, rel_error

FIXTURES = Path(__file__).parent / "data" / "torch_transformer_fixtures.npz"
WORD_TO_IDX = {"<NULL>": 0, "cat": 2, "dog": 3}  # the notebook's scores cell (V = 3)

# The notebook's expected scores (its training-mode run, dropout included).
EXPECTED_SCORES = np.asarray([[[-16.9532, 4.8261, 26.6054], [-17.1033, 4.6906, 26.4844], [-15.0708, 4.1108, 23.2924]],
                              [[-17.1767, 4.5897, 26.3562], [-15.6017, 4.8693, 25.3403], [-15.1028, 4.6905, 24.4839]],
                              [[-17.2172, 4.7701, 26.7574], [-16.6755, 4.8500, 26.3754], [-17.2172, 4.7701, 26.7574]],
                              [[-16.3669, 4.1602, 24.6872], [-16.7897, 4.3467, 25.4831], [-17.0103, 4.7775, 26.5652]]])


@pytest.fixture(scope="module")
def fixtures():
    with np.load(FIXTURES) as archive:
        return {name: archive[name] for name in archive.files}


def fill_linspace(module):
    """The notebook's `for p in transformer.parameters(): p.data = torch.tensor(np.linspace(...))`."""
    for p in module.parameters():
        p.data = torch.tensor(np.linspace(-1.4, 1.3, num=p.numel()).reshape(*p.shape))


def fill_smooth(module):
    """scripts/make_torch_transformer_fixtures.py's unsaturating weights: sin(0.37 * i**2 + k) for
    element i of parameter k, over sqrt(its last dimension) for a matrix, times 0.3 for a vector."""
    for k, p in enumerate(module.parameters()):
        scale = 1 / np.sqrt(p.shape[-1]) if p.ndim == 2 else 0.3
        p.data = torch.tensor(scale * np.sin(0.37 * np.arange(p.numel(), dtype=np.float64) ** 2 + k).reshape(*p.shape))


def notebook_transformer():
    """The scores cell's model, every weight filled from linspace (float64, as the cell leaves it)."""
    torch.manual_seed(231)
    np.random.seed(231)
    model = CaptioningTransformer(WORD_TO_IDX, input_dim=20, wordvec_dim=30, num_heads=2, num_layers=2,
                                  max_length=30)
    fill_linspace(model)
    return model


# ---- the notebook's cells that rest on PyTorch's random numbers: they run as written ---------------

SETUP_CELL = """
from tinygrad231n.cs231n.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array
from tinygrad231n.cs231n.transformer_layers import *
from tinygrad231n.cs231n.captioning_solver_transformer import CaptioningSolverTransformer
from tinygrad231n.cs231n.classifiers.transformer import CaptioningTransformer
from tinygrad231n.cs231n.coco_utils import load_coco_data, sample_coco_minibatch, decode_captions
from tinygrad231n.cs231n.image_utils import image_from_url
"""


def test_the_setup_cells_star_import_gives_torch_as_the_starters_does():
    # The notebook never imports torch itself: the starter's transformer_layers has no __all__, so
    # its star import hands over torch (and nn, F, math), which the later cells use.
    namespace = {}
    exec(SETUP_CELL, namespace)  # noqa: S102  (the cell's imports, rewritten)
    assert namespace["torch"] is torch and namespace["nn"] is torch.nn and namespace["F"] is torch.nn.functional
    assert namespace["MultiHeadAttention"] is MultiHeadAttention and "CaptioningTransformer" in namespace


def test_the_attention_cell_runs_as_written():
    torch.manual_seed(231)
    batch_size, sequence_length, embed_dim = 1, 3, 8
    attn = MultiHeadAttention(embed_dim, num_heads=2)
    data = torch.randn(batch_size, sequence_length, embed_dim)
    self_attn_output = attn(query=data, key=data, value=data)
    mask = torch.randn(sequence_length, sequence_length) < 0.5
    masked_self_attn_output = attn(query=data, key=data, value=data, attn_mask=mask)
    other_data = torch.randn(batch_size, sequence_length, embed_dim)
    attn_output = attn(query=data, key=other_data, value=other_data)
    for output in (self_attn_output, masked_self_attn_output, attn_output):
        values = output.detach().numpy()
        assert values.shape == (1, 3, 8) and values.dtype == np.float32 and np.isfinite(values).all()
    assert (attn.n_head, attn.emd_dim, attn.head_dim) == (2, 8, 4)  # the starter's names


def test_the_positional_encoding_cell_runs_as_written():
    torch.manual_seed(231)
    data = torch.randn(1, 2, 6)
    pos_encoder = PositionalEncoding(6)
    output = pos_encoder(data).detach().numpy()
    assert output.shape == (1, 2, 6) and output.dtype == np.float32
    # Training mode: each unit is dropped (0) or (x + pe) / 0.9.
    pe = pos_encoder.pe[0, :2]
    kept = output != 0
    np.testing.assert_allclose(output[kept], ((data.numpy()[0] + pe) / 0.9)[kept[0]], rtol=1e-6)


def test_the_scores_cell_in_training_mode_holds_dropout_draws():
    model = notebook_transformer()
    features = torch.tensor(np.linspace(-1.5, 0.3, num=4 * 20).reshape(4, 20))
    captions = torch.tensor((np.arange(4 * 3) % 3).reshape(4, 3))
    first, second = (model(features, captions).detach().numpy() for _ in range(2))
    assert first.shape == (4, 3, 3) and first.dtype == np.float64  # p.data = float64 tensors, as in PyTorch
    # Two calls draw different dropout masks, so the notebook's expected values (one such draw of
    # PyTorch's generator) cannot be met by another generator.
    assert not np.allclose(first, second)


# ---- the same cells on fixed inputs, against PyTorch ----------------------------------------------

def test_attention_on_fixed_weights_and_inputs_matches_pytorch(fixtures):
    attn = MultiHeadAttention(8, num_heads=2)
    fill_smooth(attn)
    attn.eval()
    data, other = torch.from_numpy(fixtures["attn.data"]), torch.from_numpy(fixtures["attn.other"])
    mask = torch.from_numpy(fixtures["attn.mask"])
    outputs = {"attn.self": attn(query=data, key=data, value=data),
               "attn.masked": attn(query=data, key=data, value=data, attn_mask=mask),
               "attn.cross": attn(query=data, key=other, value=other)}
    for name, output in outputs.items():
        assert rel_error(fixtures[name], output.detach().numpy()) < 1e-12, name


def test_positional_encoding_on_fixed_inputs_matches_pytorch(fixtures):
    encoder = PositionalEncoding(6)
    encoder.eval()
    output = encoder(torch.from_numpy(fixtures["pe.data"])).detach().numpy()
    assert rel_error(fixtures["pe.output"], output) < 1e-12


def test_parameters_are_the_starters_names_order_and_pytorch_shapes(fixtures):
    named = list(notebook_transformer().named_parameters())
    assert [name for name, _ in named] == list(fixtures["names"])
    for (name, p), shape in zip(named, fixtures["shapes"]):
        assert tuple(p.shape) == tuple(int(s) for s in shape if s), name


def test_the_scores_cell_in_eval_mode_matches_pytorch_and_the_notebooks_undropped_rows(fixtures):
    model = notebook_transformer()
    model.eval()
    scores = model(torch.from_numpy(fixtures["features"]), torch.from_numpy(fixtures["captions"]))
    scores = scores.detach().numpy()
    assert rel_error(fixtures["scores"], scores) < 1e-10
    # Caption 2's steps 0 and 2 in the notebook's output are the eval-mode values: its dropout dropped
    # nothing that reached them. They agree to the 4 decimals the notebook prints.
    assert rel_error(EXPECTED_SCORES[2, [0, 2]], scores[2, [0, 2]]) < 1e-5


def test_the_solvers_loss_and_its_gradients_match_pytorch(fixtures):
    model = notebook_transformer()
    fill_smooth(model)
    model.eval()
    solver = CaptioningSolverTransformer(model, _tiny_data(), idx_to_word=["<NULL>", "x", "cat", "dog"])
    scores = model(torch.from_numpy(fixtures["loss.features"]), torch.from_numpy(fixtures["loss.captions"]))
    assert rel_error(fixtures["loss.scores"], scores.detach().numpy()) < 1e-10
    targets = torch.from_numpy(fixtures["loss.targets"])
    loss = solver.transformer_temporal_softmax_loss(scores, targets, (targets != 0).long())
    loss.backward()
    assert rel_error(fixtures["loss"], loss.detach().numpy()) < 1e-12
    grads = {name: p.grad for name, p in model.named_parameters()}
    for key in (k for k in fixtures if k.startswith("grad.")):
        assert rel_error(fixtures[key], np.asarray(grads[key.removeprefix("grad.")])) < 1e-10, key


def test_the_loss_averages_over_every_step_padding_included():
    scores = torch.zeros(2, 4, 5)  # uniform: every counted step costs log 5
    solver = CaptioningSolverTransformer(notebook_transformer(), _tiny_data(), idx_to_word=[])
    mask = torch.tensor([[1, 1, 1, 0], [1, 0, 0, 0]])
    loss = solver.transformer_temporal_softmax_loss(scores, torch.zeros(2, 4, dtype=torch.long), mask)
    assert float(loss) == pytest.approx(4 * np.log(5) / 8)


# ---- construction: the starter's init, clones, errors ----------------------------------------------

def test_initial_weights_are_the_starters():
    torch.manual_seed(0)
    model = CaptioningTransformer({"<NULL>": 0, "<START>": 1, **{f"w{i}": i + 2 for i in range(98)}},
                                  input_dim=64, wordvec_dim=64, num_heads=4, num_layers=2)
    for name, p in model.named_parameters():
        values = np.asarray(p.data)
        assert values.dtype == np.float32, name
        if name.startswith("output."):  # made after apply(_init_weights): nn.Linear's U(+-1/sqrt(64))
            assert np.abs(values).max() <= 1 / 8 and values.std() > 0.05, name
        elif ".norm" in name:
            assert (values == (1 if name.endswith("weight") else 0)).all(), name
        elif name.endswith("bias"):
            assert (values == 0).all(), name
        else:
            assert values.std() == pytest.approx(0.02, rel=0.2) and abs(values.mean()) < 0.005, name


def test_clones_are_independent_copies_that_share_the_front_generator():
    layer = TransformerDecoderLayer(input_dim=8, num_heads=2, dim_feedforward=16)
    copies = clones(layer, 2)
    first, second = copies
    assert len(copies) == 2 and first is not layer and first.linear1.weight is not layer.linear1.weight
    np.testing.assert_array_equal(np.asarray(first.linear1.weight.data), np.asarray(layer.linear1.weight.data))
    first.linear1.weight.data = first.linear1.weight.data + 1.0
    assert not np.array_equal(np.asarray(first.linear1.weight.data), np.asarray(second.linear1.weight.data))
    assert first.dropout.rng is second.dropout.rng is torch.random.default_generator()
    # A copy taken by copy.deepcopy itself has its own weights too (the engine's Module copies).
    twin = copy.deepcopy(layer)
    assert twin.norm1.weight is not layer.norm1.weight and twin.training == layer.training


def test_decoder_applies_its_layers_in_turn():
    torch.manual_seed(3)
    decoder = TransformerDecoder(TransformerDecoderLayer(input_dim=8, num_heads=2, dim_feedforward=16), 2)
    decoder.eval()
    tgt, memory, mask = torch.randn(2, 3, 8), torch.randn(2, 1, 8), torch.tril(torch.ones(3, 3))
    expected = decoder.layers[1](decoder.layers[0](tgt, memory, tgt_mask=mask), memory, tgt_mask=mask)
    np.testing.assert_array_equal(decoder(tgt, memory, tgt_mask=mask).numpy(), expected.numpy())
    assert decoder.num_layers == 2


def test_bad_sizes_are_one_clear_error():
    with pytest.raises(InputError, match="multiple of num_heads"):
        MultiHeadAttention(10, num_heads=3)
    with pytest.raises(InputError, match="even"):
        PositionalEncoding(7)


def _tiny_data():
    """The keys the solver reads, for tests that only call its loss."""
    return {"train_captions": np.zeros((4, 3), dtype=np.int32), "train_image_idxs": np.zeros(4, dtype=np.int32),
            "train_features": np.zeros((1, 20), dtype=np.float32), "word_to_idx": WORD_TO_IDX}


# ---- the overfitting cell, on the synthetic COCO set ----------------------------------------------

def test_the_solver_takes_the_starters_options_only(coco_folder):
    data = load_synthetic_coco(coco_folder)
    model = CaptioningTransformer(data["word_to_idx"], input_dim=512, wordvec_dim=8, num_heads=2, num_layers=1)
    solver = CaptioningSolverTransformer(model, data, idx_to_word=data["idx_to_word"])
    assert (solver.learning_rate, solver.batch_size, solver.num_epochs, solver.print_every, solver.verbose) == (
        0.001, 100, 10, 10, True)
    assert isinstance(solver.optim, torch.optim.Adam) and solver.optim.param_groups[0]["lr"] == 0.001
    with pytest.raises(ValueError, match="lr_decay"):
        CaptioningSolverTransformer(model, data, idx_to_word=data["idx_to_word"], lr_decay=0.9)


# On these synthetic captions the last minibatch's loss is noisy (dropout stays on, and it is one draw
# of 25 captions): over np.random/torch seeds 231, 0, 1 it ended at 0.012, 0.008, 0.034 here, and at
# 0.012, 0.016, 0.016 in PyTorch 2.13 with the starter's modules and optimizer on the same data (and
# PyTorch itself ended at 0.042 with seed 231 on a 300-image synthetic set). 231 is the notebook's seed.
# About 45 s on a loaded 2-core machine.
def test_the_overfitting_cell_reaches_the_notebooks_bar(coco_folder):
    """The notebook: torch.manual_seed(231), np.random.seed(231), load_coco_data(max_train=50), word
    vectors 256, 2 heads, 2 layers, max_length 30; Adam at 0.001, 100 epochs of batches of 25 (200
    iterations); 'You should see a final loss of less than 0.03.'"""
    torch.manual_seed(231)
    np.random.seed(231)
    data = load_synthetic_coco(coco_folder)
    transformer = CaptioningTransformer(word_to_idx=data["word_to_idx"], input_dim=data["train_features"].shape[1],
                                        wordvec_dim=256, num_heads=2, num_layers=2, max_length=30)
    transformer_solver = CaptioningSolverTransformer(transformer, data, idx_to_word=data["idx_to_word"],
                                                     num_epochs=100, batch_size=25, learning_rate=0.001,
                                                     verbose=True, print_every=10)
    with limited_threads(1), contextlib.redirect_stdout(io.StringIO()) as printed:
        transformer_solver.train()
    history = np.array(transformer_solver.loss_history, dtype=np.float64)
    assert len(history) == 200 and transformer_solver.epoch == 100
    assert printed.getvalue().count("(Iteration") == 20
    assert history[0] > 1.0 and np.isfinite(history).all()
    assert history[-1] < 0.03, f"final loss {history[-1]}"
    # The sampling cell: greedy captions of two training and two validation images.
    for split in ["train", "val"]:
        gt_captions, features, urls = sample_coco_minibatch(data, split=split, batch_size=2)
        sample_captions = transformer.sample(features, max_length=30)
        assert sample_captions.shape == (2, 30) and len(decode_captions(sample_captions, data["idx_to_word"])) == 2
