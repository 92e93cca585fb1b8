"""nn: every layer, one line each (values against numpy, gradients against numerical differences),
then Module's bookkeeping: names, state_dict, train/eval, the params view, and each layer's modes."""
from typing import Callable, NamedTuple

import numpy as np
import pytest
from hypothesis import given, strategies as hs

import tinygrad231n.nn.functional as F
from tinygrad231n import Tensor, no_grad, nn, ops
from tinygrad231n.gradcheck import gradcheck, numerical_gradient
from tinygrad231n.testing import strategies as st

EPS = 1e-5  # BatchNorm1d's default


class LayerCase(NamedTuple):
    name: str
    build: hs.SearchStrategy  # draws (module, x)
    reference: Callable       # (module, x) -> expected output, in numpy
    forward: Callable = lambda module, x: module(x)


def same_mask(module, x):
    """Dropout with the same mask on every call, so numerical differences compare like with like."""
    module.rng = np.random.default_rng(0)
    return module(x)


def dropout_reference(module, x):
    keep = 1 - module.p
    return x * (np.random.default_rng(0).random(x.shape) < keep) / keep


def batchnorm_reference(x, mean, var, gamma, beta):
    return (x - mean) / np.sqrt(var + EPS) * gamma + beta


@hs.composite
def sizes(draw, max_side=4):
    return draw(hs.integers(2, max_side)), draw(hs.integers(1, max_side))


@hs.composite
def linear(draw):
    (n, d_in), d_out = draw(sizes()), draw(hs.integers(1, 4))
    layer = nn.Linear(d_in, d_out)
    layer.load_state_dict({"weight": draw(st.arrays((d_in, d_out))), "bias": draw(st.arrays((d_out,)))})
    return layer, draw(st.arrays((n, d_in)))


@hs.composite
def batchnorm(draw, training=True):
    n, d = draw(sizes())
    layer = nn.BatchNorm1d(d)
    layer.load_state_dict({"weight": draw(st.arrays((d,))), "bias": draw(st.arrays((d,))),
                           "running_mean": draw(st.arrays((d,))), "running_var": draw(st.positive_arrays((d,)))})
    # Distinct values keep every column's variance well away from 0, where 1/sqrt(var) is steep.
    return layer.train(training), draw(st.distinct_arrays((n, d), spacing=0.3))


@hs.composite
def sequential(draw):
    n, d = draw(sizes())
    first, second = nn.Linear(d, 3), nn.Linear(3, 2)
    first.load_state_dict({"weight": draw(st.arrays((d, 3))), "bias": draw(st.arrays((3,)))})
    second.load_state_dict({"weight": draw(st.arrays((3, 2))), "bias": draw(st.arrays((2,)))})
    return nn.Sequential(first, nn.BatchNorm1d(3), second), draw(st.arrays((n, d)))


def sequential_reference(model, x):
    first, norm, second = model
    hidden = x @ first.weight.data + first.bias.data
    hidden = batchnorm_reference(hidden, hidden.mean(0), hidden.var(0), 1, 0)
    return hidden @ second.weight.data + second.bias.data


LAYERS = [
    LayerCase("Linear", linear(), lambda m, x: x @ m.weight.data + m.bias.data),
    LayerCase("ReLU", st.shapes(max_dims=2).flatmap(lambda s: hs.tuples(hs.just(nn.ReLU()), st.away_from(s))),
              lambda m, x: np.maximum(x, 0)),
    LayerCase("Dropout", hs.tuples(hs.floats(0.1, 0.7).map(nn.Dropout), st.arrays(st.shapes(max_dims=2))),
              dropout_reference, same_mask),
    LayerCase("BatchNorm1d.train", batchnorm(),
              lambda m, x: batchnorm_reference(x, x.mean(0), x.var(0), m.weight.data, m.bias.data)),
    LayerCase("BatchNorm1d.eval", batchnorm(training=False),
              lambda m, x: batchnorm_reference(x, m.running_mean, m.running_var, m.weight.data, m.bias.data)),
    LayerCase("Sequential", sequential(), sequential_reference),
]


@pytest.mark.parametrize("case", LAYERS, ids=[c.name for c in LAYERS])
@given(data=hs.data())
def test_layer_forward_matches_numpy(case, data):
    module, x = data.draw(case.build)
    expected = case.reference(module, x.copy())
    np.testing.assert_allclose(case.forward(module, Tensor(x)).data, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", LAYERS, ids=[c.name for c in LAYERS])
@given(data=hs.data())
def test_layer_gradients_match_numerical(case, data):
    """Gradients w.r.t. the input and every parameter, for a random projection of the output."""
    module, x = data.draw(case.build)
    x_tensor = Tensor(x, requires_grad=True)
    out = case.forward(module, x_tensor)
    projection = np.random.default_rng(1).standard_normal(out.shape)
    module.zero_grad()
    (out * Tensor(projection)).sum().backward()

    def projected_output(_):  # `x` and the parameters are perturbed in place by numerical_gradient
        with no_grad():
            return float((case.forward(module, Tensor(x)).data * projection).sum())

    checked = [("input", x_tensor.grad, x)] + [(name, p.grad, p.data) for name, p in module.named_parameters()]
    for name, analytic, array in checked:
        numeric = numerical_gradient(projected_output, array, h=1e-6)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-3, atol=1e-5, err_msg=f"gradient of {name}")


# ---- the fused ops behind Dropout and BatchNorm1d --------------------------------------------

@given(x=st.distinct_arrays(hs.tuples(hs.integers(2, 5), hs.integers(1, 4)), spacing=0.3),
       training=hs.booleans(), data=hs.data())
def test_batchnorm_op_passes_gradcheck(x, training, data):
    d = x.shape[1]
    gamma, beta = data.draw(st.arrays((d,))), data.draw(st.arrays((d,)))
    fixed_mean, fixed_var = data.draw(st.arrays((d,))), data.draw(st.positive_arrays((d,)))

    def batchnorm(x, gamma, beta):  # in training the op recomputes the statistics of the (perturbed) x
        if training:
            return ops.BatchNorm.apply(x, gamma, beta, eps=EPS)
        return ops.BatchNorm.apply(x, gamma, beta, fixed_mean, fixed_var, training=False, eps=EPS)

    assert gradcheck(batchnorm, x, gamma, beta)


@given(x=st.distinct_arrays(hs.tuples(hs.integers(1, 6), hs.integers(1, 4)), spacing=0.3), data=hs.data())
def test_fused_batchnorm_equals_the_graph_of_core_ops(x, data):
    """The simplified backward formula gives what autograd finds through mean, var and sqrt."""
    d = x.shape[1]
    gamma, beta = data.draw(st.arrays((d,))), data.draw(st.arrays((d,)))
    grad = data.draw(st.arrays(x.shape))
    fused = [Tensor(a, requires_grad=True) for a in (x, gamma, beta)]
    graph = [Tensor(a, requires_grad=True) for a in (x, gamma, beta)]
    out_fused = ops.BatchNorm.apply(*fused, eps=EPS)
    xt, g, b = graph
    centered = xt - xt.mean(axis=0)
    out_graph = centered / ((centered ** 2).mean(axis=0) + EPS) ** 0.5 * g + b
    out_fused.backward(grad)
    out_graph.backward(grad)
    np.testing.assert_allclose(out_fused.data, out_graph.data, rtol=1e-10, atol=1e-10)
    for a, b in zip(fused, graph):
        np.testing.assert_allclose(a.grad, b.grad, rtol=1e-8, atol=1e-8)


@given(x=st.arrays(st.shapes()), p=hs.floats(0.0, 0.9))
def test_dropout_op_passes_gradcheck(x, p):
    assert gradcheck(lambda x: ops.Dropout.apply(x, p=p, rng=np.random.default_rng(0)), x)


# ---- Module bookkeeping ------------------------------------------------------------------------

class TwoLayer(nn.Module):
    def __init__(self, seed=0):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(4, 6, rng=seed), nn.BatchNorm1d(6), nn.ReLU(),
                                    nn.Dropout(0.5, rng=seed), nn.Linear(6, 3, rng=seed + 1))
        self.scale = nn.Parameter(np.ones(3))

    def forward(self, x):
        return self.layers(x) * self.scale


def test_named_parameters_use_dotted_paths_and_name_the_tensors():
    model = TwoLayer()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["scale", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                     "layers.4.weight", "layers.4.bias"]
    assert all(p.name == name for name, p in model.named_parameters())
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in model.parameters())
    assert [name for name, _ in model.named_buffers()] == ["layers.1.running_mean", "layers.1.running_var"]


def test_parameter_names_label_graph_diagrams():
    model = TwoLayer()
    source = model(np.ones((2, 4))).sum().to_dot().source
    assert "layers.0.weight" in source and "layers.4.bias" in source


def test_state_dict_round_trip_restores_outputs(rng):
    trained, fresh = TwoLayer(seed=0), TwoLayer(seed=5)
    trained(rng.standard_normal((8, 4)))  # moves the batch-norm running averages away from 0 and 1
    state = trained.state_dict()
    assert set(state) == {name for name, _ in [*trained.named_parameters(), *trained.named_buffers()]}
    fresh.load_state_dict(state)
    x = rng.standard_normal((5, 4))
    np.testing.assert_array_equal(fresh.eval()(x).data, trained.eval()(x).data)
    state["layers.0.weight"][:] = 0  # a copy: changing it leaves the model alone
    assert np.any(trained.layers[0].weight.data != 0)


def test_load_state_dict_names_what_is_wrong_and_changes_nothing():
    model = TwoLayer()
    before = model.state_dict()
    missing = dict(before)
    del missing["layers.0.bias"]
    with pytest.raises(KeyError, match=r"missing \['layers.0.bias'\]"):
        model.load_state_dict(missing)
    with pytest.raises(KeyError, match=r"unexpected \['extra'\]"):
        model.load_state_dict({**before, "extra": np.zeros(1)})
    misshapen = {name: np.zeros_like(value) for name, value in before.items()}
    misshapen["layers.4.weight"] = np.zeros((3, 6))
    with pytest.raises(ValueError, match=r"'layers.4.weight' has shape \(6, 3\).*\(3, 6\)"):
        model.load_state_dict(misshapen)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


def test_train_and_eval_reach_every_submodule():
    model = TwoLayer()
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_gradients_accumulate_until_zero_grad(rng):
    model = TwoLayer().eval()
    x = rng.standard_normal((3, 4))
    model(x).sum().backward()
    once = model.layers[0].weight.grad.copy()
    model(x).sum().backward()
    np.testing.assert_allclose(model.layers[0].weight.grad, 2 * once)
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_module_subclass_must_call_super_init():
    class Forgetful(nn.Module):
        def __init__(self):
            self.linear = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match="super"):
        Forgetful()


def test_sequential_is_indexable_and_only_takes_modules():
    relu, linear = nn.ReLU(), nn.Linear(2, 2)
    seq = nn.Sequential(linear, relu)
    assert len(seq) == 2 and seq[0] is linear and seq[-1] is relu and list(seq) == [linear, relu]
    with pytest.raises(TypeError, match="argument 1 is a function"):
        nn.Sequential(linear, lambda x: x)


# ---- layers' initialization and modes ---------------------------------------------------------

def test_linear_initialization():
    he = nn.Linear(500, 400, rng=0)
    assert he.weight.shape == (500, 400) and np.all(he.bias.data == 0)
    assert he.weight.data.std() == pytest.approx(np.sqrt(2 / 500), rel=0.02)
    assert nn.Linear(500, 400, weight_scale=1e-3, rng=0).weight.data.std() == pytest.approx(1e-3, rel=0.02)
    np.testing.assert_array_equal(nn.Linear(3, 2, rng=7).weight.data, nn.Linear(3, 2, rng=7).weight.data)
    single = nn.Linear(3, 2, dtype=np.float32)
    assert single.weight.dtype == single.bias.dtype == np.float32


def test_float32_layers_stay_float32(rng):
    model = nn.Sequential(nn.Linear(4, 3, dtype=np.float32), nn.BatchNorm1d(3, dtype=np.float32), nn.ReLU(),
                          nn.Dropout(0.3))
    out = model(rng.standard_normal((5, 4)).astype(np.float32))
    out.sum().backward()
    assert out.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in model.parameters())
    assert model[1].running_mean.dtype == np.float32


def test_linear_rejects_inputs_with_the_wrong_number_of_features():
    with pytest.raises(ValueError, match=r"Linear\(5, 3\): input has shape \(2, 4\), expected \(N, 5\)"):
        nn.Linear(5, 3)(np.ones((2, 4)))


def test_dropout_is_identity_in_eval_and_keeps_the_mean_in_training(rng):
    x = Tensor(rng.uniform(1, 2, size=(200, 500)))
    dropout = nn.Dropout(0.3, rng=1)  # not the seed that drew x: the mask must not be correlated with it
    assert dropout.eval()(x) is x
    out = dropout.train()(x).data
    dropped = out == 0
    assert dropped.mean() == pytest.approx(0.3, abs=0.01)
    np.testing.assert_allclose(out[~dropped], x.data[~dropped] / 0.7)  # survivors scaled by 1 / (1 - p)
    assert out.mean() == pytest.approx(x.data.mean(), rel=0.01)
    with pytest.raises(ValueError, match=r"\[0, 1\), got 1"):
        nn.Dropout(1)


def test_dropout_with_a_seed_drops_the_same_units_on_every_call():
    x = Tensor(np.ones((30, 40)))
    fixed = nn.Dropout(0.5, seed=3)
    first = fixed(x).data
    assert (first == 0).mean() == pytest.approx(0.5, abs=0.05)
    np.testing.assert_array_equal(fixed(x).data, first)
    np.testing.assert_array_equal(nn.Dropout(0.5, seed=3)(x).data, first)
    streaming = nn.Dropout(0.5, rng=3)
    assert not np.array_equal(streaming(x).data, streaming(x).data)  # without a seed: a new mask each call
    assert fixed.eval()(x) is x
    assert repr(fixed) == "Dropout(p=0.5, seed=3)"
    with pytest.raises(ValueError, match="not both"):
        nn.Dropout(0.5, rng=1, seed=1)


def test_batchnorm_training_normalizes_and_updates_running_averages(rng):
    x = rng.normal(3.0, 2.0, size=(64, 5))
    norm = nn.BatchNorm1d(5, momentum=0.9)
    out = norm(x).data
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-5)
    np.testing.assert_allclose(norm.running_mean, 0.9 * 0 + 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(norm.running_var, 0.9 * 1 + 0.1 * x.var(axis=0))


def test_batchnorm_eval_uses_running_averages_and_leaves_them_alone(rng):
    norm = nn.BatchNorm1d(3)
    for _ in range(50):
        norm(rng.normal(3.0, 2.0, size=(32, 3)))
    mean, var = norm.running_mean.copy(), norm.running_var.copy()
    np.testing.assert_allclose(mean, 3.0, atol=0.5)
    np.testing.assert_allclose(var, 4.0, rtol=0.3)
    one_row = np.array([[3.0, 5.0, 1.0]])  # a batch of one: batch statistics would be meaningless
    expected = (one_row - mean) / np.sqrt(var + EPS)
    np.testing.assert_allclose(norm.eval()(one_row).data, expected)
    np.testing.assert_array_equal(norm.running_mean, mean)
    np.testing.assert_array_equal(norm.running_var, var)


def test_batchnorm_rejects_the_wrong_number_of_features():
    with pytest.raises(ValueError, match=r"input has shape \(4, 2\), expected \(N, 3\)"):
        nn.BatchNorm1d(3)(np.ones((4, 2)))


def test_batch_norm_takes_rows_or_images_and_says_which_when_given_neither():
    with pytest.raises(ValueError, match=r"rows \(N, D\) or images \(N, C, H, W\), got shape \(2, 3, 4\)"):
        F.batch_norm(np.ones((2, 3, 4)), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="running_mean and running_var; pass both"):
        F.batch_norm(np.ones((2, 3)), np.ones(3), np.zeros(3), training=False)
    with pytest.raises(ValueError, match=r"BatchNorm1d: momentum must be in \[0, 1\].*PyTorch's 0.1 is our 0.9"):
        nn.BatchNorm1d(3, momentum=-0.1)
