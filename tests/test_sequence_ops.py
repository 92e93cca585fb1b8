"""The ops sequences need, beyond the op table (test_ops.py): bad input gets one clear error, the
temporal loss and the embedding's scatter-add against their numpy references, NaN and large
logits, PyTorch's split/chunk sizes, and a causal mask that really hides the future."""
import numpy as np
import pytest
from hypothesis import given, strategies as hs

import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor, ops
from tinygrad231n.errors import InputError
from tinygrad231n.ops import embedding, temporal_cross_entropy as tce
from tinygrad231n.testing import strategies as st


# ---- embedding --------------------------------------------------------------------------------
@given(st.embedding_inputs(max_vocabulary=8, max_dim=5))
def test_scatter_add_kernel_matches_np_add_at(indices_weight):
    indices, weight = indices_weight
    grad = np.random.default_rng(0).standard_normal(indices.shape + weight.shape[1:])
    rows, flat = indices.reshape(-1), grad.reshape(-1, weight.shape[1])
    np.testing.assert_allclose(embedding.scatter_add_rows(weight.shape, rows, flat),
                               embedding.scatter_add_rows_reference(weight.shape, rows, flat), rtol=1e-12, atol=1e-12)


def test_a_repeated_word_gets_the_sum_of_its_gradients():
    weight = Tensor(np.zeros((4, 2)), requires_grad=True)
    F.embedding(np.array([[1, 3, 1], [1, 0, 0]]), weight).sum().backward()
    np.testing.assert_array_equal(weight.grad, [[2, 2], [3, 3], [0, 0], [1, 1]])


def test_indices_may_be_a_tensor_of_whole_numbers():
    weight = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(F.embedding(Tensor([2, 0]), weight).data, [[4, 5], [0, 1]])


@pytest.mark.parametrize("indices, bad", [([0, 5], 5), ([[1, -1]], -1)])
def test_an_index_outside_the_vocabulary_is_named(indices, bad):
    with pytest.raises(InputError, match=rf"embedding: index {bad} is out of range for a vocabulary of 5 rows "
                                         r"\(expected 0..4\)"):
        F.embedding(np.array(indices), Tensor(np.zeros((5, 3))))


def test_indices_that_are_not_whole_numbers_are_a_type_error():
    with pytest.raises(TypeError, match="embedding: indices must be whole numbers, got 1.5"):
        F.embedding(np.array([0, 1.5]), Tensor(np.zeros((5, 3))))
    with pytest.raises(TypeError, match="embedding: indices must be integers, got dtype bool"):
        ops.Embedding.apply(np.array([True]), Tensor(np.zeros((5, 3))))  # F.embedding would make them 0. and 1.


def test_the_weight_must_be_a_table():
    with pytest.raises(InputError, match=r"embedding: weight must be a table \(V, D\) of V rows, got shape \(5,\)"):
        F.embedding(np.array([0]), Tensor(np.zeros(5)))


# ---- cat, stack, split, chunk -----------------------------------------------------------------
def test_cat_says_which_tensor_does_not_fit():
    with pytest.raises(InputError, match=r"cat: tensor 2 has shape \(3, 3\) but tensor 0 has shape \(2, 3\); "
                                         "every size but that of axis 1 must match"):  # tensor 1 fits
        F.cat([Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 4))), Tensor(np.zeros((3, 3)))], axis=1)
    with pytest.raises(InputError, match=r"cat: tensor 1 has shape \(3, 4\) but tensor 0 has shape \(2, 3\)"):
        F.cat([np.zeros((2, 3)), np.zeros((3, 4))])


def test_cat_and_stack_refuse_nothing_to_join_and_a_bad_axis():
    with pytest.raises(InputError, match="cat: give at least one tensor"):
        F.cat([])
    with pytest.raises(InputError, match=r"stack: axis 3 is out of range for 3-dimensional tensors \(expected -3..2\)"):
        F.stack([np.zeros((2, 2))], axis=3)
    with pytest.raises(InputError, match=r"stack: tensor 1 has shape \(3,\) but tensor 0 has shape \(2,\)"):
        F.stack([np.zeros(2), np.zeros(3)])


def test_cat_of_one_tensor_instead_of_a_list_is_refused():
    # iterating the Tensor would cut it into rows, made constants: the gradient would be lost silently
    with pytest.raises(TypeError, match="cat: give a list or tuple of tensors, not one Tensor"):
        F.cat(Tensor(np.zeros((2, 3)), requires_grad=True))


def test_split_and_chunk_cut_where_pytorch_does():
    x = Tensor(np.arange(6.0))
    assert [p.shape for p in F.split(x, 4)] == [(4,), (2,)]
    assert [p.shape for p in F.split(x, [1, 0, 5])] == [(1,), (0,), (5,)]
    assert [p.shape for p in F.chunk(x, 4)] == [(2,), (2,), (2,)]  # torch.chunk: 3 pieces, not 4
    assert [p.shape for p in F.chunk(Tensor(np.arange(5.0)), 3)] == [(2,), (2,), (1,)]


def test_split_sections_must_add_up_to_the_axis():
    with pytest.raises(ValueError, match=r"split: sections \[2, 2\] must be sizes >= 0 adding up to 5, the size of "
                                         r"axis 1 of shape \(2, 5\)"):
        F.split(Tensor(np.zeros((2, 5))), [2, 2], axis=1)
    with pytest.raises(ValueError, match="chunk: chunks must be at least 1, got 0"):
        F.chunk(Tensor(np.zeros(3)), 0)


def test_an_lstm_cuts_its_gates_from_one_product_and_each_gets_its_gradient():
    rng = np.random.default_rng(0)
    W = Tensor(rng.standard_normal((3, 8)), requires_grad=True)
    i, f, o, g = F.split(Tensor(rng.standard_normal((2, 3))) @ W, 2, axis=1)
    (i.sigmoid() * g.tanh()).sum().backward()  # f and o unused: their columns of W get nothing
    assert np.all(W.grad[:, 2:6] == 0) and np.all(W.grad[:, :2] != 0) and np.all(W.grad[:, 6:] != 0)


# ---- where, masked_fill, softmax --------------------------------------------------------------
def test_a_mask_must_hold_booleans():
    x = Tensor(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="where: mask must be booleans .* got the value 0.5"):
        F.where(np.array([0.5, 1.0]), x, 0.0)
    with pytest.raises(TypeError, match="masked_fill: mask must be booleans, got dtype <U1"):
        x.masked_fill(np.array(["a"]), 0.0)


def test_a_tensor_of_zeros_and_ones_is_a_mask():
    x = Tensor(np.arange(3.0), requires_grad=True)
    out = F.where(Tensor([1, 0, 1]), x, -1.0)
    out.sum().backward()
    np.testing.assert_array_equal(out.data, [0, -1, 2])
    np.testing.assert_array_equal(x.grad, [1, 0, 1])


def test_where_names_the_shapes_that_do_not_broadcast():
    with pytest.raises(InputError, match=r"where: mask \(2,\), a \(3,\) and b \(\) cannot be broadcast together"):
        F.where(np.array([True, False]), Tensor(np.zeros(3)), 0.0)


def test_masked_fill_keeps_x_shape_and_value_is_one_number():
    x = Tensor(np.zeros(3))
    with pytest.raises(InputError, match=r"masked_fill: mask of shape \(2, 3\) does not broadcast to x's shape \(3,\)"):
        x.masked_fill(np.ones((2, 3), bool), 1.0)
    with pytest.raises(InputError, match=r"masked_fill: value must be one number, got shape \(2,\)"):
        x.masked_fill(np.ones(3, bool), np.array([1.0, 2.0]))


def test_a_tensor_fill_value_gets_the_filled_elements_gradient():
    value = Tensor(np.array(2.0), requires_grad=True)
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    (x.masked_fill(np.array([True, False, True]), value) * Tensor(np.arange(6.0).reshape(2, 3))).sum().backward()
    assert value.grad == 0 + 2 + 3 + 5
    np.testing.assert_array_equal(x.grad, [[0, 1, 0], [0, 4, 0]])


def test_softmax_is_finite_for_large_logits_and_masked_entries():
    out = Tensor(np.array([[1000.0, -1000.0, 0.0], [-np.inf, 5.0, -np.inf]])).softmax()
    np.testing.assert_array_equal(out.data, [[1, 0, 0], [0, 1, 0]])


# ---- attention through batched matmul ---------------------------------------------------------
def test_a_causal_mask_hides_the_future():
    rng = np.random.default_rng(0)
    n, heads, t, d = 2, 3, 5, 4
    q, k, v = (Tensor(rng.standard_normal((n, heads, t, d)), requires_grad=True) for _ in range(3))
    future = np.triu(np.ones((t, t), dtype=bool), k=1)
    attention = ((q @ k.transpose(0, 1, 3, 2)) * d ** -0.5).masked_fill(future, -np.inf).softmax(axis=-1)
    out = attention @ v
    assert out.shape == (n, heads, t, d)
    np.testing.assert_array_equal(attention.data[..., future], 0)
    out[:, :, 2].sum().backward()  # the output at time 2 depends on keys and values at times 0..2 only
    assert np.all(k.grad[:, :, 3:] == 0) and np.all(v.grad[:, :, 3:] == 0)
    assert np.all(v.grad[:, :, :3] != 0) and np.all(q.grad[:, :, [0, 1, 3, 4]] == 0)


# ---- the temporal softmax loss ----------------------------------------------------------------
@given(st.temporal_scores_labels_mask(max_n=5, max_t=6, max_classes=12))
def test_temporal_kernel_matches_reference(inputs):
    loss, dscores = tce.temporal_cross_entropy_kernel(*inputs)
    ref_loss, ref_dscores = tce.temporal_cross_entropy_reference(*inputs)
    assert abs(loss - ref_loss) <= 1e-12 * max(1.0, abs(ref_loss))
    np.testing.assert_allclose(dscores, ref_dscores, rtol=1e-12, atol=1e-12)


def test_temporal_loss_is_cs231ns_sum_over_time_divided_by_n(rng):
    scores, y = rng.standard_normal((3, 4, 5)), rng.integers(0, 5, (3, 4))
    mask = rng.random((3, 4)) < 0.7
    log_probs = scores - np.log(np.exp(scores).sum(axis=2, keepdims=True))
    expected = -np.sum(mask * np.take_along_axis(log_probs, y[..., None], axis=2)[..., 0]) / 3
    assert abs(F.temporal_cross_entropy(Tensor(scores), y, mask).item() - expected) < 1e-12


def test_temporal_loss_of_a_fully_masked_batch_is_zero_with_zero_gradient():
    scores = Tensor(np.random.default_rng(0).standard_normal((2, 3, 4)), requires_grad=True)
    loss = F.temporal_cross_entropy(scores, np.full((2, 3), -1), np.zeros((2, 3), bool))
    loss.backward()
    assert loss.item() == 0 and np.all(scores.grad == 0)


def test_temporal_loss_is_finite_for_logits_of_plus_minus_1000():
    scores = np.zeros((1, 2, 3))
    scores[0, 0] = [1000.0, -1000.0, 0.0]
    scores[0, 1] = [-1000.0, -1000.0, 1000.0]
    t = Tensor(scores, requires_grad=True)
    loss = F.temporal_cross_entropy(t, np.array([[1, 2]]), np.array([[True, True]]))
    loss.backward()
    assert np.isclose(loss.item(), 2000.0) and np.isfinite(t.grad).all()


@pytest.mark.parametrize("counted", [True, False], ids=["counted", "masked out"])
def test_a_nan_score_makes_the_temporal_loss_and_that_rows_gradient_nan(counted):
    scores = np.random.default_rng(0).standard_normal((2, 3, 4))
    scores[1, 2, 0] = np.nan
    mask = np.ones((2, 3), bool)
    mask[1, 2] = counted
    t = Tensor(scores, requires_grad=True)
    loss = F.temporal_cross_entropy(t, np.zeros((2, 3), int), mask)
    loss.backward()
    assert np.isnan(loss.item()) and np.isnan(t.grad[1, 2]).all()
    assert np.isfinite(t.grad[0]).all() and np.isfinite(t.grad[1, :2]).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_temporal_loss_keeps_float32(dtype):
    scores = Tensor(np.zeros((2, 3, 4), dtype), requires_grad=True)
    loss = F.temporal_cross_entropy(scores, np.zeros((2, 3), int), np.ones((2, 3), bool))
    loss.backward()
    assert loss.dtype == dtype and scores.grad.dtype == dtype


@pytest.mark.parametrize("labels, mask, message", [
    (np.zeros((2, 3), int), np.ones((3, 2), bool),
     r"mask must have shape \(N, T\) = \(2, 3\), one per position of scores \(2, 3, 4\), got \(3, 2\)"),
    (np.zeros((2, 3, 1), int), np.ones((2, 3), bool),
     r"labels must have shape \(N, T\) = \(2, 3\), one per position of scores \(2, 3, 4\), got \(2, 3, 1\)"),
    (np.array([[0, 0, 0], [0, 4, 9]]), np.array([[1, 1, 1], [1, 1, 0]], bool),
     r"label 4 at \(n, t\) = \(1, 1\) is out of range for 4 classes \(expected 0..3 wherever mask is True\)"),
])
def test_bad_temporal_inputs_say_which(labels, mask, message):
    with pytest.raises(InputError, match="temporal_cross_entropy: " + message):
        F.temporal_cross_entropy(Tensor(np.zeros((2, 3, 4))), labels, mask)


def test_temporal_scores_and_label_types_are_checked():
    with pytest.raises(InputError, match=r"scores must have shape \(N, T, V\) with N, T, V >= 1, got \(2, 4\)"):
        F.temporal_cross_entropy(Tensor(np.zeros((2, 4))), np.zeros(2, int), np.ones(2, bool))
    with pytest.raises(TypeError, match="labels must be an integer array, got dtype float64"):
        F.temporal_cross_entropy(Tensor(np.zeros((1, 1, 2))), np.zeros((1, 1)), np.ones((1, 1), bool))
    with pytest.raises(TypeError, match="mask must be booleans"):
        F.temporal_cross_entropy(Tensor(np.zeros((1, 1, 2))), np.zeros((1, 1), int), np.full((1, 1), 0.3))
