"""The Tensor API and the tape: dtypes, accumulation, no_grad, freed graphs, deep chains, errors,
edge cases, and in-place writes between forward and backward."""
import numpy as np
import pytest

import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor, as_tensor, no_grad
from tinygrad231n.nn import Parameter
from tinygrad231n.optim import SGD


def test_float_input_keeps_dtype_and_ints_become_float64():
    assert Tensor(np.ones(3, dtype=np.float32)).dtype == np.float32
    assert Tensor(np.ones(3)).dtype == np.float64
    assert Tensor([1, 2, 3]).dtype == np.float64
    assert Tensor(np.arange(3)).dtype == np.float64
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32


def test_attributes():
    t = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert t.shape == (2, 2) and t.ndim == 2 and t.requires_grad and t.grad is None
    assert type(t.numpy()) is np.ndarray and t.numpy() is t._data and np.shares_memory(t.data, t._data)
    assert Tensor([5.0]).item() == 5.0
    assert "requires_grad=True" in repr(t)
    assert "grad_fn=Mul" in repr(t * 2)
    t.data = np.zeros((2, 2))
    assert (t.numpy() == 0).all()
    t.grad = np.ones((2, 2))  # assignable, as in torch
    assert t.grad.sum() == 4


def test_gradients_accumulate_across_backward_calls_like_torch():
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad, 2 * 2 * w.data)


def test_intermediates_and_constants_get_no_grad():
    w = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    hidden = w * c
    (hidden * hidden).sum().backward()
    assert hidden.grad is None and c.grad is None
    np.testing.assert_allclose(w.grad, 2 * w.data * c.data ** 2)


def test_a_tensor_used_twice_gets_both_gradients():
    x = Tensor([2.0], requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_allclose(x.grad, [5.0])


def test_shared_gradient_arrays_are_not_aliased_between_leaves():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([1.0, 2.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad *= 10  # must not change b.grad
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


def test_second_backward_through_a_freed_graph_is_an_error():
    w = Tensor([1.0], requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="already backpropagated"):
        loss.backward()


def test_retain_graph_keeps_the_tape_for_another_backward():
    w = Tensor([3.0], requires_grad=True)
    loss = (w * w).exp().sum()
    loss.backward(retain_graph=True)
    first = w.grad.copy()
    loss.backward()  # gradients accumulate, as in PyTorch; this walk frees the tape
    np.testing.assert_allclose(w.grad, 2 * first)
    with pytest.raises(RuntimeError, match="already backpropagated"):
        loss.backward()


def test_no_grad_records_nothing():
    w = Tensor([1.0], requires_grad=True)
    with no_grad():
        out = (w * 3).exp()
    assert not out.requires_grad and out.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        out.backward()


def test_detach_cuts_the_graph():
    w = Tensor([2.0], requires_grad=True)
    d = (w * 3).detach()
    assert d.is_leaf and not d.requires_grad
    (w * d).sum().backward()
    np.testing.assert_allclose(w.grad, [6.0])


def test_deep_chain_of_20000_ops_backpropagates_without_recursion():
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(20000):
        y = y + 1e-4 * y
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [(1 + 1e-4) ** 20000], rtol=1e-9)


def test_backward_with_explicit_grad_seeds_non_scalar_outputs():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * 2).backward(np.array([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, -2.0])


def test_numpy_arrays_on_the_left_call_the_tensor_ops():
    x = Tensor([1.0, 2.0], requires_grad=True)
    out = np.array([3.0, 4.0]) * x
    assert isinstance(out, Tensor)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_index_with_repeats_accumulates():
    x = Tensor(np.arange(4.0), requires_grad=True)
    x[np.array([0, 0, 3])].sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 0.0, 1.0])


def test_max_tie_gives_the_whole_gradient_to_the_first_maximum():
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1, 0], [1, 0, 0]])


# ---- bad input: clear errors naming what was wrong -----------------------------------------
def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(3, 4\) and \(5, 2\) do not align \(4 != 5\)"):
        Tensor(np.ones((3, 4))) @ Tensor(np.ones((5, 2)))


def test_broadcast_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"add: shapes \(3, 4\) and \(5,\) cannot be broadcast"):
        Tensor(np.ones((3, 4))) + Tensor(np.ones(5))


def test_backward_on_non_scalar_without_grad():
    with pytest.raises(ValueError, match=r"shape \(2,\), not a single value"):
        (Tensor([1.0, 2.0], requires_grad=True) * 2).backward()


def test_backward_grad_of_wrong_shape():
    with pytest.raises(ValueError, match=r"grad has shape \(3,\) but the output has shape \(2,\)"):
        (Tensor([1.0, 2.0], requires_grad=True) * 2).backward(np.ones(3))


@pytest.mark.parametrize("bad", [np.array(["a", "b"]), np.array([object(), 1], dtype=object), "text"])
def test_non_numeric_data_is_a_type_error(bad):
    with pytest.raises(TypeError, match="numeric"):
        Tensor(bad)


def test_a_dtype_outside_the_supported_set_is_refused():
    with pytest.raises(TypeError, match="dtype must be one of float32, float64, int64, int32, uint8, bool; got int16"):
        Tensor([1, 2], dtype=np.int16)


def test_reshape_and_axis_errors():
    with pytest.raises(ValueError, match=r"cannot reshape a tensor of shape \(2, 3\)"):
        Tensor(np.ones((2, 3))).reshape(4)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        Tensor(np.ones((2, 3))).sum(axis=2)


# ---- edge cases: empty axes, dtypes, 0-d leaves, numpy interop, truth values ----------------
def test_max_over_a_full_axis_of_an_empty_batch_is_empty_like_numpy():
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    out = x.max(axis=1)
    assert out.shape == np.zeros((0, 3)).max(axis=1).shape == (0,)
    assert x.max(axis=1, keepdims=True).shape == (0, 1)
    out.sum().backward()
    assert x.grad.shape == (0, 3)


def test_max_over_an_empty_axis_is_a_clear_error():
    with pytest.raises(ValueError, match=r"max: cannot take the max over axis 0 of a tensor of shape \(0, 3\)"):
        Tensor(np.zeros((0, 3))).max(axis=0)


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble])
def test_floats_the_kernels_cannot_run_are_refused_at_construction(dtype):
    if np.dtype(dtype) == np.float64:
        pytest.skip("longdouble is float64 on this platform")
    with pytest.raises(TypeError, match=f"Tensor: {np.dtype(dtype)} data is not supported"):
        Tensor(np.zeros((2, 3), dtype=dtype))
    with pytest.raises(TypeError, match="dtype must be one of float32, float64"):
        Tensor(np.zeros((2, 3)), dtype=dtype)
    with pytest.raises(TypeError, match="not supported"):
        F.cross_entropy(np.zeros((2, 3), dtype=dtype), np.array([0, 1]))  # arrays are wrapped as Tensors


def test_a_float32_leaf_in_a_float64_graph_gets_a_float32_grad():
    w = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    x = Tensor(np.array([3.0, 4.0]))  # float64: the product is float64
    (w * x).sum().backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad, [3.0, 4.0])
    (w * x).sum().backward()  # accumulating keeps it too
    assert w.grad.dtype == np.float32


def test_a_0d_leaf_gets_an_array_grad():
    z = Tensor(3.0, requires_grad=True)
    (z * z).backward()
    assert isinstance(z.grad, np.ndarray) and z.grad.shape == () and z.grad == 6.0


@pytest.mark.parametrize("axis", [1.0, "1", (0, 1.5), True])
def test_non_integer_axis_is_a_clear_type_error(axis):
    with pytest.raises(TypeError, match="sum: axis must be None, an int or a tuple of ints, got"):
        Tensor(np.ones((2, 3))).sum(axis=axis)


def test_np_asarray_of_a_tensor_is_its_data():
    t = Tensor(np.arange(6.0).reshape(2, 3))
    array = np.asarray(t)
    assert array.dtype == np.float64 and array.shape == (2, 3)
    assert np.shares_memory(array, t.data)  # no copy
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(np.array([t, t]), [t.data, t.data])


def test_truth_value_is_numpys():
    assert bool(Tensor([2.0])) and not bool(Tensor(0.0))
    with pytest.raises(ValueError, match=r"truth value of a Tensor of shape \(2,\) is ambiguous"):
        bool(Tensor([1, 2]))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Tensor(np.zeros(0)))


def test_as_tensor_passes_tensors_through_and_wraps_the_rest():
    t = Tensor([1.0])
    assert as_tensor(t) is t
    wrapped = as_tensor(np.array([[1, 2]]))
    assert isinstance(wrapped, Tensor) and not wrapped.requires_grad and wrapped.dtype == np.float64


# ---- in-place writes between forward and backward --------------------------------------------
def assign_through_an_index(t):
    t.data[...] = 0.0


def assign_one_element(t):
    t.data[0] = 7.0


def subtract_in_place(t):
    t.data -= 1.0


@pytest.mark.parametrize("write", [assign_through_an_index, assign_one_element, subtract_in_place])
def test_writing_a_saved_input_through_data_fails_at_the_line(write):
    w = Tensor([1.0, 2.0], requires_grad=True, name="W")
    x = Tensor([3.0, 4.0])
    loss = (w * x).sum()  # Mul saves both
    for t in (w, x):
        with pytest.raises(ValueError, match="read-only"):
            write(t)
    np.testing.assert_array_equal(x.data, [3.0, 4.0])  # nothing was written
    loss.backward()
    np.testing.assert_array_equal(w.grad, [3.0, 4.0])
    write(w)  # after backward the arrays are free again
    write(x)


def test_writing_a_saved_output_through_data_fails_at_the_line():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # Exp saves its output
    for write in (assign_through_an_index, subtract_in_place):
        with pytest.raises(ValueError, match="read-only"):
            write(y)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.exp([1.0, 2.0]))


def test_a_graph_dropped_without_backward_lets_go_and_a_retained_one_keeps_holding():
    w = Tensor([1.0, 2.0], requires_grad=True)
    scores = w * 3.0  # Mul saves w... (and the constant)
    del scores  # ...until the graph is gone
    assign_through_an_index(w)
    w.data[:] = [1.0, 2.0]
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    with pytest.raises(ValueError, match="read-only"):
        assign_one_element(w)  # the kept graph still reads w
    del loss
    assign_one_element(w)


def test_ops_that_save_nothing_of_a_tensor_leave_it_writable():
    w = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    loss = (w + c).sum()  # Add saves nothing
    c.data[0] = 10.0
    w.data[0] = 10.0
    loss.backward()
    np.testing.assert_array_equal(w.grad, [1.0, 1.0])


def test_copy_between_forward_and_backward_is_refused_at_backward():
    w = Tensor([1.0, 2.0], requires_grad=True, name="W")
    x = Tensor([3.0, 4.0])
    loss = (w * x).sum()
    x.copy_(np.zeros(2))
    with pytest.raises(RuntimeError, match=r"the input 1 of shape \(2,\) of Mul was modified in place"):
        loss.backward()


def test_an_optimizer_step_between_forward_and_backward_raises():
    w = Parameter(np.ones((3, 2)))
    loss = F.cross_entropy(Tensor(np.ones((4, 3))) @ w, np.array([0, 1, 0, 1]))
    w.grad = np.ones((3, 2))
    SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_writes_that_cannot_change_a_gradient_do_not_raise():
    w = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    loss = (w + c).sum() + (w * w).sum()
    c.copy_(c.data + 1)  # Add saved nothing of c
    loss.backward()
    np.testing.assert_array_equal(w.grad, [3.0, 5.0])
    w.data -= 1  # after backward: the usual SGD step
    w.grad = None
    loss = (w * w).sum()
    w.data = np.array([10.0, 10.0])  # a new array: the graph keeps the old one, as in PyTorch
    loss.backward()
    np.testing.assert_array_equal(w.grad, [0.0, 2.0])


# ---- .data is a view with PyTorch's in-place methods (array_view.py) ------------------------------
def test_data_zero_and_fill_write_the_stored_array_in_place():
    w = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    stored = w.numpy()
    assert w.data.fill_(1.0) is not None
    np.testing.assert_array_equal(stored, np.ones((2, 3)))
    w.data[1].zero_()  # a slice of the view writes its part, as in PyTorch
    np.testing.assert_array_equal(stored, [[1, 1, 1], [0, 0, 0]])
    assert w.numpy() is stored and w.dtype == np.float32


def test_arithmetic_and_copies_of_data_are_plain_arrays():
    w = Tensor(np.array([1.0, -2.0, 3.0], dtype=np.float32))
    for result in (w.data * 2.0, w.data - w.data, np.maximum(w.data, 0), np.asarray(w.data), w.data.copy(),
                   w.data.astype(np.float64), w.data.numpy()):
        assert type(result) is np.ndarray
    assert type(w.data.sum()) is np.float32
    copy = w.data.copy()
    copy[0] = 9.0
    assert w.numpy()[0] == 1.0  # a copy shares nothing


def test_data_in_place_methods_fail_while_the_tape_holds_the_array():
    w = Tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    with pytest.raises(ValueError, match="read-only"):
        w.data.zero_()
    loss.backward()
    w.data.zero_()  # free again after backward
    np.testing.assert_array_equal(w.numpy(), [0.0, 0.0])


def test_subtracting_into_data_of_a_view_tensor_writes_in_place_and_marks_the_write():
    base = np.arange(8.0).reshape(2, 4)
    w = Tensor(base[:, 1:3])  # the tensor's array is itself a view: `t.data -= x` must not rebind it
    before = Tensor._writes
    w.data -= 1.0
    np.testing.assert_array_equal(base[:, 1:3], [[0.0, 1.0], [4.0, 5.0]])
    assert np.shares_memory(w.numpy(), base) and w._written_at > before


def test_numba_kernels_accept_data():
    numba = pytest.importorskip("numba")

    @numba.njit(cache=False)
    def total(a):
        return a.sum()

    w = Tensor(np.ones((3, 4), dtype=np.float32))
    assert total(w.data) == 12.0


def test_detach_of_grad_and_data_shares_their_memory():
    w = Tensor(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True)
    (w * w).sum().backward()
    detached = w.grad.detach()
    np.testing.assert_array_equal(detached.numpy(), [2.0, -4.0])
    assert type(detached.numpy()) is np.ndarray and np.shares_memory(detached, w._grad)
    w.data.detach().zero_()
    assert not w.numpy().any()
