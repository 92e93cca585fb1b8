"""The engine's Tensor where it follows PyTorch, and the front (tinygrad231n.torch) over it: integer
and bool tensors, comparisons, Python numbers from tensors, .grad's in-place methods, in-place
arithmetic, backward(gradient=), the front's factories and Tensor names. Expected values and dtypes
are PyTorch's, read from tests/data/torch_front_fixtures.npz: scripts/make_torch_front_fixtures.py
wrote them with torch, running the very cases this file runs with tinygrad231n.torch."""
import importlib.util
import os

import numpy as np
import pytest

import tinygrad231n.torch as torch
from tinygrad231n import Tensor
from tinygrad231n.errors import InputError

HERE = os.path.dirname(__file__)
FIXTURES = np.load(os.path.join(HERE, "data", "torch_front_fixtures.npz"))
_spec = importlib.util.spec_from_file_location(
    "make_torch_front_fixtures", os.path.join(HERE, "..", "scripts", "make_torch_front_fixtures.py"))
fixture_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixture_script)

INPUTS = {name: torch.tensor(FIXTURES[name]) for name in FIXTURES.files if name.startswith("in/")}
CASES = fixture_script.cases(INPUTS, torch)
GRADIENT_CASES = fixture_script.gradient_cases(torch)
PYTHON_NUMBERS = {"int_of_f32", "float_of_int", "index_of_int"}  # the value is what counts, not the dtype


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_dtypes_match_pytorch(name):
    result = CASES[name]()
    assert isinstance(result, Tensor)
    if result.dtype.kind == "f":  # exp and log may round the last float32 bit differently
        np.testing.assert_allclose(result.numpy(), FIXTURES[name], rtol=1e-6, atol=1e-7)
    else:
        np.testing.assert_array_equal(result.numpy(), FIXTURES[name])
    if name not in PYTHON_NUMBERS:
        assert result.dtype.name == str(FIXTURES[f"{name}/dtype"]), name


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_outputs_and_gradients_match_pytorch(name):
    out, grad = fixture_script.run_gradient_case(torch, GRADIENT_CASES[name], FIXTURES["in/x3_f32"])
    assert out.dtype == FIXTURES[f"out/{name}"].dtype and grad.dtype == np.float64
    # PyTorch rounds the gradient reaching a float32 output to float32; the engine keeps it float64 until the leaf
    rtol = 1e-6 if out.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, FIXTURES[f"out/{name}"], rtol=rtol)
    np.testing.assert_allclose(grad, FIXTURES[f"grad/{name}"], rtol=rtol)


# ---- item 1: integer and bool tensors ---------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_an_explicit_integer_dtype_is_kept(dtype):
    t = Tensor([1, 0, 1], dtype=dtype)
    assert t.dtype == dtype and not t.requires_grad


def test_integer_data_without_a_dtype_still_becomes_float64():
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(np.array([True, False])).dtype == np.float64


@pytest.mark.parametrize("dtype", [np.int64, np.bool_])
def test_a_non_float_tensor_cannot_require_grad(dtype):
    with pytest.raises(RuntimeError, match=f"only floating-point tensors can require gradients; got "
                                           f"{np.dtype(dtype).name}"):
        Tensor([1, 0], dtype=dtype, requires_grad=True)


def test_an_integer_tensor_in_a_graph_gets_no_gradient_and_the_float_leaf_keeps_its_dtype():
    x = Tensor(np.array([1.0, 2.0, 3.0], dtype=np.float32), requires_grad=True)
    counts = Tensor([1, 2, 3], dtype=np.int64)
    (x * counts).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [1, 2, 3])
    assert counts.grad is None


def test_assigning_a_tensor_to_data_keeps_its_dtype():
    t = Tensor([1.0, 2.0])
    t.data = Tensor([3, 4], dtype=np.int64)
    assert t.dtype == np.int64


# ---- item 2: comparisons ------------------------------------------------------------------------
def test_a_comparison_is_a_bool_tensor_outside_the_graph():
    x = Tensor([1.0, -2.0], requires_grad=True)
    positive = x > 0
    assert positive.dtype == np.bool_ and not positive.requires_grad and positive.is_leaf
    np.testing.assert_array_equal(positive.numpy(), [True, False])


def test_tensors_hash_by_identity_so_sets_and_dicts_of_tensors_work():
    a, b = Tensor([1.0, 2.0]), Tensor([1.0, 2.0])
    assert len({a, b}) == 2 and {a: 1, b: 2}[b] == 2
    assert a in [a, b]  # identity is checked first; `b in [a, b]` asks a == b and is ambiguous, as in PyTorch


def test_comparing_with_none_or_text_is_plain_python():
    t = Tensor([1.0, 2.0])
    assert (t == None) is False and (t != "a") is True  # noqa: E711  (that is the point)


def test_comparing_shapes_that_do_not_broadcast_names_them():
    with pytest.raises(ValueError, match=r"==: shapes \(2,\) and \(3,\) cannot be broadcast"):
        Tensor([1.0, 2.0]) == Tensor([1.0, 2.0, 3.0])


def test_numpy_on_the_left_of_a_comparison_gives_a_tensor():
    result = np.array([1.0, 5.0]) < Tensor([2.0, 2.0])
    assert isinstance(result, Tensor)
    np.testing.assert_array_equal(result.numpy(), [True, False])


# ---- item 3: Python numbers ---------------------------------------------------------------------
def test_accuracy_as_the_notebooks_print_it():
    preds, y = Tensor([1, 2, 3, 0], dtype=np.int64), Tensor([1, 2, 0, 0], dtype=np.int64)
    num_correct = (preds == y).sum()
    assert "Got %d / %d correct" % (num_correct, 4) == "Got 3 / 4 correct"
    assert float(num_correct) / 4 == 0.75 and int(num_correct) == 3


def test_index_needs_an_integer_tensor():
    assert [10, 20, 30][Tensor(1, dtype=np.int64)] == 20
    with pytest.raises(TypeError, match="only integer tensors of a single element can be converted to an index"):
        [10, 20, 30][Tensor(1.0)]


@pytest.mark.parametrize("convert", [int, float])
def test_converting_more_than_one_element_is_one_clear_error(convert):
    with pytest.raises(ValueError, match=r"only a tensor with one element converts to a Python number; "
                                         r"this one has shape \(2,\)"):
        convert(Tensor([1.0, 2.0]))


# ---- item 4: .grad with PyTorch's in-place methods ------------------------------------------------
def _leaf_with_grad():
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (w * w).sum().backward()
    return w


def test_grad_zero_and_fill_change_the_stored_gradient_in_place():
    w = _leaf_with_grad()
    w.grad.fill_(5.0)
    np.testing.assert_array_equal(w.grad, [5.0, 5.0, 5.0])
    assert w.grad.zero_() is not None
    np.testing.assert_array_equal(w.grad, [0.0, 0.0, 0.0])
    (w * w).sum().backward()  # accumulates onto the zeroed gradient
    np.testing.assert_array_equal(w.grad, [2.0, 4.0, 6.0])


def test_arithmetic_on_grad_gives_plain_arrays():
    w = _leaf_with_grad()
    for result in (w.grad * 0.1, w.grad - w.grad, np.maximum(w.grad, 0), w.grad.numpy()):
        assert type(result) is np.ndarray
    assert type(w.grad.sum()) is np.float64 and w.grad.item(1) == 4.0


def test_a_slice_of_grad_zeroes_its_part_in_place():
    w = _leaf_with_grad()
    w.grad[1:].zero_()
    np.testing.assert_array_equal(w.grad, [2.0, 0.0, 0.0])


def test_assigning_grad_stores_a_plain_array():
    a, b = _leaf_with_grad(), _leaf_with_grad()
    a.grad = b.grad
    assert type(a._grad) is np.ndarray and np.shares_memory(a._grad, b._grad)
    a.grad = None
    assert a.grad is None


# ---- item 5: in-place arithmetic ------------------------------------------------------------------
def test_an_sgd_step_in_place_under_no_grad_updates_the_parameter_the_list_holds():
    from tinygrad231n import no_grad
    w = Tensor([1.0, 2.0], requires_grad=True)
    params = [w]
    (w * w).sum().backward()
    with no_grad():
        w -= 0.5 * w.grad
    assert params[0] is w and w.requires_grad and w.is_leaf
    np.testing.assert_array_equal(params[0].numpy(), [0.0, 0.0])


@pytest.mark.parametrize("symbol", ["+=", "-=", "*=", "/="])
def test_in_place_arithmetic_on_a_constant_writes_its_array(symbol):
    t = Tensor([2.0, 4.0])
    array, alias = t.numpy(), t
    exec(f"t {symbol} 2.0")
    expected = {"+=": [4, 6], "-=": [0, 2], "*=": [4, 8], "/=": [1, 2]}[symbol]
    assert t is alias and t.numpy() is array
    np.testing.assert_array_equal(array, expected)


def test_in_place_on_a_leaf_that_requires_grad_is_refused_outside_no_grad():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf tensor that requires grad is being used in an in-place operation"):
        w -= 1.0
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])


def test_in_place_on_a_recorded_tensor_is_refused():
    h = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="in-place ops on a recorded tensor are not supported; write t = t \\+ v"):
        h += 1.0


def test_in_place_with_a_right_hand_side_that_requires_grad_is_refused():
    t = Tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="the right-hand side requires grad"):
        t += Tensor([1.0, 1.0], requires_grad=True)


def test_an_in_place_write_to_a_saved_tensor_is_caught_at_backward():
    x = Tensor([1.0, 2.0])
    w = Tensor([3.0, 4.0], requires_grad=True)
    loss = (w * x).sum()
    x *= 2.0
    with pytest.raises(RuntimeError, match="modified in place after the forward pass saved it"):
        loss.backward()


def test_in_place_keeps_the_dtype_and_refuses_a_wider_result():
    counts = Tensor([1, 2], dtype=np.int64)
    counts += 1
    assert counts.dtype == np.int64
    with pytest.raises(TypeError):
        counts /= 2


# ---- item 8: backward(gradient=...) ---------------------------------------------------------------
def test_backward_takes_pytorchs_gradient_keyword_and_the_engines_grad():
    for keyword in ("gradient", "grad"):
        x = Tensor([1.0, 2.0], requires_grad=True)
        (x * 3).backward(**{keyword: np.array([1.0, 10.0])})
        np.testing.assert_array_equal(x.grad, [3.0, 30.0])
    with pytest.raises(TypeError, match="pass the gradient once"):
        (x * 3).backward(np.ones(2), grad=np.ones(2))


# ---- item 7: the front's names ----------------------------------------------------------------------
def test_the_front_has_one_tensor_type():
    assert torch.Tensor is Tensor and isinstance(torch.zeros(2), Tensor)


def test_from_numpy_shares_memory_and_keeps_the_dtype():
    array = np.arange(3, dtype=np.int32)
    t = torch.from_numpy(array)
    array[0] = 7
    assert t.dtype == np.int32 and t[0].item() == 7


def test_a_float_cast_is_differentiable_and_an_integer_cast_cuts_the_graph():
    x = torch.tensor([1.5, -2.5], dtype=torch.float64, requires_grad=True)
    assert x.double() is x  # already that dtype: the tensor itself, as PyTorch
    y = x.float()
    assert y.dtype == np.float32 and y.requires_grad
    (y * 2.0).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    assert not x.long().requires_grad


def test_zero_and_fill_follow_the_in_place_rules():
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf tensor that requires grad is being used in an in-place operation"):
        w.zero_()
    with torch.no_grad():
        assert w.fill_(3) is w
    np.testing.assert_array_equal(w.numpy(), [3.0, 3.0])
    counts = torch.zeros(2, dtype=torch.long).fill_(2)
    assert counts.dtype == np.int64 and counts.tolist() == [2, 2]


def test_requires_grad_underscore_refuses_integers():
    assert torch.zeros(2).requires_grad_().requires_grad
    with pytest.raises(RuntimeError, match="only floating-point tensors can require gradients; got int64"):
        torch.arange(3).requires_grad_()


def test_the_dtype_names_work_as_numpy_dtypes_and_tensor_types():
    assert torch.float32 == np.float32 and torch.long == np.int64 and torch.float is torch.float32
    assert torch.zeros(2, dtype=torch.LongTensor).dtype == np.int64
    assert torch.LongTensor([1, 2]).dtype == np.int64 and torch.FloatTensor(2, 3).shape == (2, 3)


def test_devices_change_nothing():
    device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    x = torch.ones(2)
    assert device.type == "cpu" and x.to(device=device) is x and x.to(device, dtype=torch.float32) is x


def test_seeded_draws_repeat():
    torch.manual_seed(231)
    first = torch.randn(3, 2)
    torch.manual_seed(231)
    np.testing.assert_array_equal(first.numpy(), torch.randn(3, 2).numpy())
    assert first.dtype == np.float32 and torch.rand(4).numpy().min() >= 0


def test_an_unsupported_name_is_one_attribute_error_naming_it():
    with pytest.raises(AttributeError, match=r"tinygrad231n.torch has no `fft` \(not in the supported subset"):
        torch.fft
    assert not hasattr(torch, "fft") and getattr(torch, "fft", None) is None
    with pytest.raises(AttributeError, match="'Tensor' object has no attribute 'stft'"):
        torch.zeros(2).stft


def test_the_name_table_never_replaces_an_engine_name():
    from tinygrad231n.tensor import add_names
    with pytest.raises(ValueError, match="Tensor.reshape is already defined"):
        add_names({"reshape": lambda self: self})
    add_names({"view": "reshape"})  # the installed table again: harmless


def test_save_and_load_a_state_dict_as_npz(tmp_path):
    from tinygrad231n import nn
    model = nn.Linear(3, 2)
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    with open(path, "rb") as f:
        assert f.read(2) == b"PK"  # a zip of .npy files, no pickle
    fresh = nn.Linear(3, 2)
    fresh.load_state_dict(torch.load(path))
    for (name, p), (_, q) in zip(model.named_parameters(), fresh.named_parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy())
    with pytest.raises(TypeError, match="only a state_dict"):
        torch.save(model, path)


def _supported(namespace):
    path = os.path.join(HERE, "..", "tinygrad231n", "torch", "SUPPORTED")
    with open(path) as f:
        lines = [line.split(":", 1) for line in f if line.strip() and not line.startswith("#")]
    return set({key: names.split() for key, names in lines}[namespace])


def test_supported_lists_the_fronts_names():
    import types
    public = {n for n, v in vars(torch).items() if not n.startswith("_") and not isinstance(v, types.ModuleType)}
    assert _supported("torch") == public
    assert _supported("torch.cuda") == set(vars(torch.cuda))
    engine_only = {"name", "to_dot"}  # the engine's own, not PyTorch's
    assert _supported("Tensor") == {n for n in dir(Tensor) if not n.startswith("_")} - engine_only


# ---- item 6: size, max, transpose and dim= as PyTorch means them ------------------------------------
def test_size_is_pytorchs_method_and_numel_counts_elements():
    x = Tensor(np.zeros((2, 3, 4)))
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4 and x.numel() == 24


def test_max_with_a_dim_gives_values_and_indices_and_numpys_axis_gives_values():
    x = Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]), requires_grad=True)
    values, indices = x.max(1)
    assert indices.dtype == np.int64 and indices.tolist() == [1, 0] and not indices.requires_grad
    values.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1, 0], [1, 0, 0]])  # the first maximum, as the indices say
    assert isinstance(x.max(axis=1), Tensor) and x.max(axis=(0, 1), keepdims=True).shape == (1, 1)
    assert isinstance(x.max(), Tensor) and x.max().item() == 3.0
    with pytest.raises(TypeError, match="give the axis once"):
        x.max(1, axis=1)


def test_dim_and_keepdim_are_axis_and_keepdims():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert x.sum(dim=1, keepdim=True).shape == (2, 1) and x.mean(dim=0).shape == (3,)
    with pytest.raises(TypeError, match="give axis once"):
        x.sum(dim=0, axis=0)


def test_two_axes_swap_and_a_full_permutation_permutes():
    x = Tensor(np.zeros((2, 3, 4)))
    assert x.transpose(0, 2).shape == (4, 3, 2)
    assert x.transpose(1, 2, 0).shape == (3, 4, 2) and x.transpose((2, 0, 1)).shape == (4, 2, 3)
    assert Tensor(np.zeros((2, 3))).transpose(0, 1).shape == (3, 2)  # PyTorch's swap (numpy's would keep it)
    with pytest.raises(ValueError, match="dim 3 is out of range"):
        x.transpose(0, 3)


# ---- the notebook's barebones training loop, end to end -------------------------------------------
def test_the_barebones_pytorch_loop_of_the_notebook_trains_in_place():
    """PyTorch.ipynb part II: weights from randn, manual SGD with `w -= lr * w.grad` under no_grad,
    `w.grad.zero_()`, and accuracy as `scores.max(1)`, `(preds == y).sum()`, '%d'."""
    import tinygrad231n.nn.functional as F
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((3, 10)) * 3
    y_all = rng.integers(0, 3, 96)
    x_all = (centers[y_all] + rng.standard_normal((96, 10))).astype(np.float32)
    x, y = torch.from_numpy(x_all), torch.tensor(y_all, dtype=torch.long)

    def random_weight(shape):
        return (torch.randn(shape) * np.sqrt(2.0 / shape[0])).requires_grad_()

    params = [random_weight((10, 16)), random_weight((16, 3))]
    w1, w2 = params
    before = w1.numpy().copy()
    losses = []
    for _ in range(40):
        scores = F.relu(x.view(96, -1).mm(w1)).mm(w2)
        loss = F.cross_entropy(scores, y)
        loss.backward()
        losses.append(loss.item())
        with torch.no_grad():
            for w in params:
                w -= 0.1 * w.grad
                w.grad.zero_()
    assert params[0] is w1 and not np.array_equal(w1.numpy(), before) and w1.dtype == np.float32
    assert losses[-1] < 0.5 * losses[0]
    _, preds = scores.max(1)
    num_correct = (preds == y).sum()
    assert "Got %d / %d correct" % (num_correct, 96) == f"Got {int(num_correct)} / 96 correct"
    assert float(num_correct) / 96 > 0.9


# ---- .data.normal_ / .uniform_: the front's random in-place methods (torch/array_methods.py) -------
def test_data_normal_draws_from_the_seeded_generator_in_place():
    """CS231n's transformer init: module.weight.data.normal_(mean=0.0, std=0.02)."""
    w = torch.nn.Linear(64, 256).weight
    stored = w.numpy()
    torch.manual_seed(0)
    w.data.normal_(mean=0.0, std=0.02)
    first = stored.copy()
    torch.manual_seed(0)
    w.data.normal_(mean=0.0, std=0.02)
    assert w.numpy() is stored and stored.dtype == np.float32
    np.testing.assert_array_equal(stored, first)  # the seed repeats the draw
    assert abs(stored.mean()) < 0.002 and 0.018 < stored.std() < 0.022


def test_data_uniform_takes_pytorchs_from_and_to():
    w = torch.zeros(1000)
    w.data.uniform_(-0.5, 0.25)
    assert -0.5 <= w.numpy().min() and w.numpy().max() < 0.25 and w.numpy().std() > 0.1
    w.data.uniform_(**{"from": 2.0, "to": 3.0})
    assert 2.0 <= w.numpy().min() and w.numpy().max() < 3.0


def test_random_in_place_methods_refuse_bad_arguments_in_one_line():
    w = torch.zeros(3)
    with pytest.raises(ValueError, match="std >= 0"):
        w.data.normal_(0.0, -1.0)
    with pytest.raises(ValueError, match="from <= to"):
        w.data.uniform_(2.0, 1.0)


def test_data_fill_and_zero_as_the_transformer_init_uses_them():
    norm = torch.nn.LayerNorm(5)
    norm.weight.data.fill_(2.0)
    norm.bias.data.zero_()
    out = norm(torch.randn(4, 5))
    np.testing.assert_allclose(out.numpy().std(axis=1), 2.0, rtol=1e-2)


def test_supported_lists_the_in_place_methods_of_data_and_grad():
    from tinygrad231n.array_view import ArrayView
    methods = {n for n in vars(ArrayView) if not n.startswith("_") and n not in ("copy", "astype")}
    assert _supported("Tensor.data") == methods


def test_randint_takes_pytorchs_two_forms_and_repeats_after_manual_seed():
    torch.manual_seed(3)
    a = torch.randint(0, 10, (64,))
    torch.manual_seed(3)
    b = torch.randint(10, (64,))
    assert a.dtype == torch.int64 and a.shape == (64,) and np.array_equal(a.numpy(), b.numpy())
    assert 0 <= a.numpy().min() and a.numpy().max() < 10 and len(set(a.numpy().tolist())) > 5
    assert torch.randint(-3, -1, size=(2, 3), dtype=torch.int32).dtype == torch.int32
    with pytest.raises(ValueError, match="low < high"):
        torch.randint(3, 3, (2,))


# ---- integer inputs where PyTorch refuses them --------------------------------------------------
@pytest.mark.parametrize("call", [lambda a: a.mean(), lambda a: torch.mean(a, dim=0), lambda a: a.softmax(dim=1),
                                  lambda a: torch.log_softmax(a, dim=1), lambda a: (a > 0).mean()])
def test_mean_and_softmax_of_an_integer_tensor_are_refused_as_in_pytorch(call):
    with pytest.raises(RuntimeError, match=r"expects a floating-point tensor, got (int64|bool)"):
        call(torch.tensor([[1, 2], [3, 4]]))


def test_the_float_spelling_of_an_accuracy_works():
    preds, y = torch.tensor([1, 2, 3, 0]), torch.tensor([1, 2, 0, 0])
    accuracy = (preds == y).float().mean()
    assert accuracy.dtype == torch.float32 and accuracy.item() == 0.75


def test_tril_and_triu_need_a_matrix():
    with pytest.raises(ValueError, match=r"triu: expects a tensor with at least 2 dimensions, got shape \(3,\)"):
        torch.ones(3).triu()


def test_size_prints_as_pytorchs_and_is_a_tuple():
    size = torch.zeros(64, 10).size()
    assert repr(size) == str(size) == "torch.Size([64, 10])" and f"{size}" == "torch.Size([64, 10])"
    assert size == (64, 10) and isinstance(size, tuple) and hash(size) == hash((64, 10))
    assert size == torch.Size([64, 10]) and torch.zeros(size).shape == (64, 10)


# ---- t[key] = v and the bitwise operators ----------------------------------------------------------
def test_item_assignment_follows_the_in_place_rules():
    w = torch.zeros(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf tensor that requires grad is being used in an in-place"):
        w[0] = 1.0
    with torch.no_grad():
        w[0, 1:] = torch.tensor([2.0, 3.0])
    np.testing.assert_array_equal(w.numpy(), [[0, 2, 3], [0, 0, 0]])
    with pytest.raises(RuntimeError, match=r"`t\[key\] = v`: in-place ops on a recorded tensor"):
        (w * 2.0)[0] = 1.0
    buffer = torch.zeros(3)
    with pytest.raises(RuntimeError, match="the right-hand side requires grad"):
        buffer[1:] = w[0, 1:] * 2.0
    buffer[torch.tensor([True, False, True])] = 5  # a mask Tensor indexes by its data; 5 becomes 5.0
    assert buffer.dtype == torch.float32 and buffer.tolist() == [5.0, 0.0, 5.0]


def test_bitwise_operators_refuse_floats_in_one_line():
    with pytest.raises(TypeError, match=r"`&`: expects bool or integer tensors, got \['float32', 'bool'\]"):
        torch.ones(2) & (torch.ones(2) > 0)


def test_one_hot_refuses_indices_outside_the_classes_in_one_line():
    with pytest.raises(InputError, match=r"one_hot: class indices must lie in 0\.\.2, got 0\.\.3"):
        torch.nn.functional.one_hot(torch.tensor([0, 3]), num_classes=3)
