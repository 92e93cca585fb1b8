"""tinygrad231n.torch.nn (the front's nn, nn.functional, nn.init) held to PyTorch: forward values and
gradients with the same weights, BatchNorm's running statistics, cross_entropy's options and state_dict
layouts, from tests/data/torch_nn_fixtures.npz (scripts/make_torch_nn_fixtures.py ran the very same cases
with torch). Then the inits' statistics, and PyTorch.ipynb's Part III/IV style nets training."""
import importlib.util
import math
import os
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad231n.torch as torch
import tinygrad231n.torch.nn as nn
import tinygrad231n.torch.nn.functional as F
from tinygrad231n.errors import InputError
from tinygrad231n.torch._unsupported import UnsupportedName

HERE = os.path.dirname(__file__)
FIXTURES = np.load(os.path.join(HERE, "data", "torch_nn_fixtures.npz"))
_spec = importlib.util.spec_from_file_location(
    "make_torch_nn_fixtures", os.path.join(HERE, "..", "scripts", "make_torch_nn_fixtures.py"))
fixture_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixture_script)

CASES = fixture_script.cases(torch, nn, F)


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_pytorch(name):
    results = CASES[name]()
    expected = {key.split("/", 1)[1] for key in FIXTURES.files if key.startswith(name + "/")}
    assert set(results) == expected
    for key, value in results.items():
        want = FIXTURES[f"{name}/{key}"]
        assert np.shape(value) == want.shape, key
        assert np.asarray(value).dtype == np.float32, key  # float32 in, float32 out, as PyTorch
        np.testing.assert_allclose(value, want, rtol=2e-5, atol=2e-5, err_msg=f"{name}/{key}")


@pytest.mark.parametrize("name", sorted(fixture_script.state_layouts(nn)))
def test_state_dict_keys_and_shapes_are_pytorchs(name):
    module = fixture_script.state_layouts(nn)[name]
    np.testing.assert_array_equal(fixture_script.layout(module), FIXTURES[f"state/{name}"])


def test_parameters_are_float32_and_load_from_a_state_dict():
    net = nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4))
    assert all(p.dtype == np.float32 and p.requires_grad for p in net.parameters())
    twin = nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4))
    twin.load_state_dict(net.state_dict())
    x = torch.randn(3, 5)
    np.testing.assert_array_equal(twin.eval()(x).numpy(), net.eval()(x).numpy())


def test_batch_norm_counts_batches_and_keeps_pytorchs_momentum():
    bn = nn.BatchNorm1d(3, momentum=0.25)
    assert bn.momentum == 0.25
    bn(torch.randn(4, 3))
    bn(torch.randn(4, 3))
    assert int(bn.state_dict()["num_batches_tracked"]) == 2 and bn.momentum == 0.25
    bn.eval()(torch.randn(4, 3))
    assert int(bn.num_batches_tracked) == 2  # evaluation leaves the statistics be
    with pytest.raises(InputError, match="momentum=None"):
        nn.BatchNorm2d(3, momentum=None)


# ---- init: PyTorch's distributions, drawn from the front's generator ------------------------------
def _assert_std(values, std):
    # The sample std of n draws has standard error about std / sqrt(2n); allow 5 of them.
    assert abs(values.std() - std) < 5 * std / math.sqrt(2 * values.size), (values.std(), std)
    assert abs(values.mean()) < 5 * std / math.sqrt(values.size)


def test_kaiming_normal_has_std_sqrt2_over_fan_in():
    w = torch.empty(256, 100, 3, 3)
    assert nn.init.kaiming_normal_(w) is w
    _assert_std(w.numpy(), math.sqrt(2.0 / 900))
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    _assert_std(w.numpy(), math.sqrt(2.0 / (256 * 9)))


def test_uniform_inits_have_pytorchs_bounds():
    w = torch.empty(300, 200)
    nn.init.kaiming_uniform_(w)
    bound = math.sqrt(6.0 / 200)
    assert np.abs(w.numpy()).max() <= bound and np.abs(w.numpy()).max() > 0.99 * bound
    _assert_std(w.numpy(), bound / math.sqrt(3))
    nn.init.xavier_uniform_(w)
    bound = math.sqrt(6.0 / 500)
    assert np.abs(w.numpy()).max() <= bound and np.abs(w.numpy()).max() > 0.99 * bound
    nn.init.uniform_(w, -2.0, 3.0)
    assert w.numpy().min() >= -2 and w.numpy().max() <= 3 and abs(w.numpy().mean() - 0.5) < 0.05
    nn.init.normal_(w, std=0.5)
    _assert_std(w.numpy(), 0.5)
    assert w.dtype == np.float32


def test_constant_inits():
    w = torch.empty(3, 4)
    assert (nn.init.zeros_(w).numpy() == 0).all() and (nn.init.ones_(w).numpy() == 1).all()
    assert (nn.init.constant_(w, 0.25).numpy() == 0.25).all()


def test_linear_and_conv_default_inits_are_pytorchs():
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)  # kaiming_uniform_(a=sqrt(5)) comes to U(+-1/sqrt(fan_in))
    assert layer.weight.shape == (300, 400) and np.abs(layer.weight.numpy()).max() <= bound
    _assert_std(layer.weight.numpy(), bound / math.sqrt(3))
    assert np.abs(layer.bias.numpy()).max() <= bound and layer.bias.numpy().std() > bound / 3
    conv = nn.Conv2d(16, 64, 3)
    bound = 1 / math.sqrt(16 * 9)
    _assert_std(conv.weight.numpy(), bound / math.sqrt(3))
    assert np.abs(conv.bias.numpy()).max() <= bound


def test_manual_seed_repeats_the_initial_weights():
    torch.manual_seed(231)
    first = nn.Linear(6, 5).weight.numpy().copy()
    torch.manual_seed(231)
    np.testing.assert_array_equal(nn.Linear(6, 5).weight.numpy(), first)


def test_apply_reinitializes_every_linear():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))

    def zero_linear(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)
    assert net.apply(zero_linear) is net
    assert all((m.weight.numpy() == 0).all() for m in (net[0], net[2]))


# ---- the unsupported, in one line ------------------------------------------------------------------
def test_unsupported_names_and_options_say_so():
    with pytest.raises(UnsupportedName, match="tinygrad231n.torch.nn has no `Transformer`"):
        nn.Transformer
    with pytest.raises(UnsupportedName, match="functional has no `gelu`"):
        F.gelu
    assert not hasattr(nn.init, "orthogonal_")
    with pytest.raises(InputError, match="class indices"):
        F.cross_entropy(torch.randn(2, 3), torch.tensor([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]]))
    with pytest.raises(InputError, match="0..2"):
        F.cross_entropy(torch.randn(2, 3), torch.tensor([0, 3]), reduction="sum")
    with pytest.raises(InputError, match="reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        F.cross_entropy(torch.randn(2, 3), torch.tensor([0, 2]), reduction="avg", ignore_index=0)


def _supported(namespace):
    with open(os.path.join(HERE, "..", "tinygrad231n", "torch", "SUPPORTED")) as f:
        lines = [line.split(":", 1) for line in f if line.strip() and not line.startswith("#")]
    return set({key: names.split() for key, names in lines}[namespace])


def test_supported_lists_nns_names():
    assert _supported("torch.nn") == set(nn.__all__)
    assert _supported("torch.nn.functional") == set(F.__all__)
    assert _supported("torch.nn.init") == set(nn.init.__all__)
    for module in (nn, F, nn.init):
        assert all(hasattr(module, name) for name in module.__all__)


# ---- PyTorch.ipynb Part III and IV: a module and a Sequential, trained -----------------------------
class ThreeLayerConvNet(nn.Module):
    """Part III's net: conv 5x5 -> relu -> conv 3x3 -> relu -> fc, Kaiming-normal weights, zero biases."""

    def __init__(self, in_channel, channel_1, channel_2, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channel, channel_1, 5, padding=2)
        self.conv2 = nn.Conv2d(channel_1, channel_2, 3, padding=1)
        self.fc = nn.Linear(channel_2 * 8 * 8, num_classes)
        for layer in (self.conv1, self.conv2, self.fc):
            nn.init.kaiming_normal_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        return self.fc(x.view(x.size(0), -1))


def _train(model, steps=6, lr=0.05):
    torch.manual_seed(0)
    x, y = torch.randn(16, 3, 8, 8), torch.tensor(np.arange(16) % 10)
    losses = []
    model.train()
    for _ in range(steps):
        loss = F.cross_entropy(model(x), y)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        losses.append(loss.item())
    return losses


def test_three_layer_convnet_module_trains():
    model = ThreeLayerConvNet(3, 8, 6, 10)
    assert [n for n, _ in model.named_parameters()] == ["conv1.weight", "conv1.bias", "conv2.weight",
                                                        "conv2.bias", "fc.weight", "fc.bias"]
    losses = _train(model)
    assert model(torch.randn(2, 3, 8, 8)).shape == (2, 10)
    assert losses[-1] < 0.8 * losses[0], losses


def test_sequential_net_with_batch_norm_and_dropout_trains():
    model = nn.Sequential(OrderedDict([
        ("conv", nn.Conv2d(3, 8, 3, padding=1)), ("bn", nn.BatchNorm2d(8)), ("relu", nn.ReLU()),
        ("pool", nn.MaxPool2d(2)), ("flatten", nn.Flatten()), ("drop", nn.Dropout(0.1)),
        ("fc", nn.Linear(8 * 4 * 4, 10))]))
    losses = _train(model, steps=8)
    assert losses[-1] < 0.8 * losses[0], losses
    assert not np.allclose(model.bn.running_mean, 0)  # the running statistics moved
    model.eval()
    x = torch.randn(2, 3, 8, 8)
    np.testing.assert_array_equal(model(x).numpy(), model(x).numpy())  # eval: no dropout, running stats


def test_torch_nn_is_reachable_from_torch_as_in_pytorch():
    # In a fresh interpreter: here the imports above have already loaded the submodules.
    import subprocess
    import sys
    code = "import tinygrad231n.torch as t; t.nn.Linear(2, 3); t.nn.functional.relu; t.nn.init.zeros_"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.path.join(HERE, ".."))


def test_register_buffer_is_state_but_not_a_parameter():
    class Masked(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 2)
            self.register_buffer("mask", torch.tensor([1.0, 0.0, 1.0]))

        def forward(self, x):
            return self.fc(x * self.mask)

    model = Masked()
    assert [n for n, _ in model.named_parameters()] == ["fc.weight", "fc.bias"]
    assert sorted(model.state_dict()) == ["fc.bias", "fc.weight", "mask"]
    np.testing.assert_array_equal(model.state_dict()["mask"], [1, 0, 1])
    assert model(torch.ones(4, 3)).shape == (4, 2)


def test_dropout_draws_from_the_front_generator_and_scales_the_kept():
    x = torch.ones(200, 100)
    torch.manual_seed(5)
    first = F.dropout(x, 0.3).numpy()
    torch.manual_seed(5)
    np.testing.assert_array_equal(nn.Dropout(0.3)(x).numpy(), first)  # the module draws alike
    assert set(np.unique(first)) == {0.0, np.float32(1 / 0.7)}
    assert abs((first == 0).mean() - 0.3) < 0.01  # 20000 draws: standard error 0.0032
    assert F.dropout(x, 0.3, training=False) is x and nn.Dropout(0.3).eval()(x) is x


def test_deep_copies_of_a_dropout_share_the_front_generator_as_pytorchs_share_the_global_one():
    import copy
    block = nn.Sequential(nn.Linear(50, 50), nn.Dropout(0.5))
    first, second = copy.deepcopy(block), copy.deepcopy(block)
    assert first[0].weight is not block[0].weight  # the weights are copied ...
    assert first[1].rng is second[1].rng is torch.random.default_generator()  # ... the generator is not
    x = torch.ones(4, 50)
    torch.manual_seed(8)
    masks = [first[1](x).numpy() == 0, second[1](x).numpy() == 0]
    assert not np.array_equal(*masks)  # one stream of draws: the copies drop different units
    torch.manual_seed(8)
    np.testing.assert_array_equal(first[1](x).numpy() == 0, masks[0])  # and manual_seed still governs them


def test_module_to_takes_a_device_and_casts_to_a_float_dtype():
    net = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    weight = net[0].weight
    assert net.to(device=torch.device("cpu")) is net and net.to("cpu") is net and net[0].weight.dtype == np.float32
    net.to(dtype=torch.float64)
    assert net[0].weight is weight and weight.dtype == np.float64 and net[1].running_var.dtype == np.float64
    assert net(torch.randn(4, 3, dtype=torch.float64)).dtype == np.float64
    assert int(net.state_dict()["1.num_batches_tracked"]) == 1  # an integer buffer stays an integer
    with pytest.raises(TypeError, match="float dtype"):
        net.to(torch.long)


# ---- Sequential runs [BatchNorm2d, MaxPool2d(2), ReLU] as the engine's fused op --------------------
def _ops_in_graph(out):
    """The names of the ops recorded behind `out`."""
    names, stack, seen = set(), [out], set()
    while stack:
        t = stack.pop()
        if id(t) in seen or t._ctx is None:
            continue
        seen.add(id(t))
        names.add(t._ctx.function.__name__)
        stack.extend(p for p in t._ctx.parents if hasattr(p, "_ctx"))
    return names


def _block(relu_first):
    torch.manual_seed(0)
    tail = [nn.ReLU(), nn.MaxPool2d(2)] if relu_first else [nn.MaxPool2d(2), nn.ReLU()]
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), *tail, nn.Flatten(), nn.Linear(64, 3))


@pytest.mark.parametrize("relu_first", [False, True])
def test_sequential_fuses_batchnorm_pool_relu_with_the_numbers_of_the_layers_one_by_one(relu_first):
    fused, layers = _block(relu_first), _block(relu_first)
    x, y = torch.randn(5, 3, 8, 8), torch.tensor([0, 1, 2, 0, 1])
    for _ in range(2):  # the second step runs on the running statistics the first one moved
        loss = F.cross_entropy(fused(x), y)
        reference = x
        for layer in layers:  # each layer by itself, as PyTorch runs them
            reference = layer(reference)
        reference_loss = F.cross_entropy(reference, y)
        loss.backward()
        reference_loss.backward()
    assert "BatchNormPoolRelu" in _ops_in_graph(loss) and "BatchNormPoolRelu" not in _ops_in_graph(reference_loss)
    np.testing.assert_allclose(loss.item(), reference_loss.item(), rtol=1e-6)
    for (name, p), (_, q) in zip(fused.named_parameters(), layers.named_parameters()):
        np.testing.assert_allclose(p.grad, q.grad, rtol=1e-4, atol=1e-6, err_msg=name)
    for (name, a), (_, b) in zip(fused.state_dict().items(), layers.state_dict().items()):
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-6, err_msg=name)
    assert int(fused[1].num_batches_tracked) == 2


def test_sequential_leaves_other_orders_and_pools_unfused():
    torch.manual_seed(0)
    for tail in ([nn.MaxPool2d(2, stride=1), nn.ReLU()], [nn.ReLU(), nn.Dropout(0.0), nn.MaxPool2d(2)]):
        model = nn.Sequential(nn.BatchNorm2d(2), *tail)
        assert "BatchNormPoolRelu" not in _ops_in_graph(model(torch.randn(2, 2, 6, 6).requires_grad_()))


def test_sequential_on_odd_sizes_pools_as_pytorch_without_the_fused_op():
    """7x7 maps: PyTorch's MaxPool2d(2) drops the last row and column (3x3 out); the fused op, which
    needs even sizes, is not used there."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.BatchNorm2d(2), nn.MaxPool2d(2), nn.ReLU())
    x = torch.randn(3, 2, 7, 7)
    out = model(x)
    assert out.shape == (3, 2, 3, 3) and "BatchNormPoolRelu" not in _ops_in_graph(out)
    torch.manual_seed(0)
    expected = np.maximum(nn.BatchNorm2d(2)(x).numpy()[:, :, :6, :6].reshape(3, 2, 3, 2, 3, 2).max(axis=(3, 5)), 0)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
