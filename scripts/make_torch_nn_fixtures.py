"""Write tests/data/torch_nn_fixtures.npz: what PyTorch's torch.nn gives on fixed small inputs with
fixed weights, so tests/test_torch_nn.py holds tinygrad231n.torch.nn to it without torch.

    python scripts/make_torch_nn_fixtures.py     # needs torch (run once; the tests only read the file)

`cases(torch, nn, F)` is run by this script with PyTorch and by the tests with the front: each case
builds its layer, copies the weights in from INPUTS (so random inits do not matter), runs forward
and backward of sum(output * ramp) (ramp = 0.1 * arange + 1 in the output's shape, so each
position's gradient differs) and returns {name: array}. Keys are "<case>/<name>". State dict layouts
are "state/<layer>": an array of "key:shape" strings.
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "torch_nn_fixtures.npz")

_r = np.random.default_rng(231)
INPUTS = {
    "x_rows": _r.standard_normal((6, 5)).astype(np.float32),
    "x_images": _r.standard_normal((2, 3, 6, 6)).astype(np.float32),
    "linear_w": _r.standard_normal((4, 5)).astype(np.float32),
    "linear_b": _r.standard_normal(4).astype(np.float32),
    "conv_w": _r.standard_normal((4, 3, 3, 3)).astype(np.float32),
    "conv_b": _r.standard_normal(4).astype(np.float32),
    "bn_gamma": _r.uniform(0.5, 1.5, 3).astype(np.float32),
    "bn_beta": _r.standard_normal(3).astype(np.float32),
    "scores": (2 * _r.standard_normal((6, 4))).astype(np.float32),
    "labels": np.array([0, 3, 1, 1, 2, 3], dtype=np.int64),
    "labels_ignored": np.array([0, -100, 1, 1, 2, -100], dtype=np.int64),
    "class_weight": np.array([1.0, 2.0, 0.5, 1.5], dtype=np.float32),
    "embed_w": _r.standard_normal((7, 3)).astype(np.float32),
    "indices": np.array([[0, 6, 2], [2, 2, 5]], dtype=np.int64),
    "x_sequence": _r.standard_normal((2, 5, 3)).astype(np.float32),  # (N, T, D), batch_first
}
# An LSTM's weights in PyTorch's layout (gates i, f, g, o stacked in rows), 3 inputs, 4 hidden units.
INPUTS.update({f"lstm_weights/{k}_l0": (0.5 * _r.standard_normal(shape)).astype(np.float32)
               for k, shape in [("weight_ih", (16, 3)), ("weight_hh", (16, 4)),
                                ("bias_ih", (16,)), ("bias_hh", (16,))]})


def _ramp(out):
    return (0.1 * np.arange(out.numel()) + 1).reshape(tuple(out.shape)).astype(np.float32)


def _leaf(torch, name):
    return torch.tensor(INPUTS[name], requires_grad=True)


def _run(torch, out, leaves):
    """Forward value and the gradients of sum(out * ramp) with respect to `leaves` {name: tensor}."""
    (out * torch.tensor(_ramp(out))).sum().backward()
    return {"out": out.detach().numpy(), **{f"grad_{k}": v.grad.numpy().copy() for k, v in leaves.items()}}


def _load(torch, layer, **arrays):
    with torch.no_grad():
        for name, key in arrays.items():
            getattr(layer, name).copy_(torch.tensor(INPUTS[key]))
    return layer


def _layer_case(torch, layer, x_name, **arrays):
    layer = _load(torch, layer, **arrays)
    x = _leaf(torch, x_name)
    result = _run(torch, layer(x), {"x": x, **{n: getattr(layer, n) for n in arrays}})
    return result


def _batch_norm_case(torch, layer, x_name):
    layer = _load(torch, layer, weight="bn_gamma", bias="bn_beta")
    x = _leaf(torch, x_name)
    result = _run(torch, layer(x), {"x": x, "weight": layer.weight})
    result.update(running_mean=np.array(layer.running_mean), running_var=np.array(layer.running_var))
    layer.eval()
    result["eval_out"] = layer(torch.tensor(INPUTS[x_name])).detach().numpy()
    return result


def _cross_entropy_case(torch, F, labels, **options):
    scores = _leaf(torch, "scores")
    if "weight" in options:
        options["weight"] = torch.tensor(INPUTS[options["weight"]])
    loss = F.cross_entropy(scores, torch.tensor(INPUTS[labels]), **options)
    return _run(torch, loss, {"scores": scores})


def _lstm_case(torch, nn):
    lstm = nn.LSTM(3, 4, batch_first=True)
    lstm.load_state_dict({k.split("/")[1]: torch.tensor(v) for k, v in INPUTS.items() if k.startswith("lstm_weights/")})
    x = _leaf(torch, "x_sequence")
    out, (h, c) = lstm(x)
    result = _run(torch, out, {"x": x, "weight_hh_l0": lstm.weight_hh_l0})
    result.update(h=h.detach().numpy(), c=c.detach().numpy())
    return result


def _function_case(torch, fn, x_name="scores"):
    x = _leaf(torch, x_name)
    return _run(torch, fn(x), {"x": x})


def cases(torch, nn, F):
    """name -> thunk returning {output name: array}."""
    images = "x_images"
    bn_images = lambda: torch.tensor(INPUTS[images][:, :3])  # noqa: E731
    return {
        "linear": lambda: _layer_case(torch, nn.Linear(5, 4), "x_rows", weight="linear_w", bias="linear_b"),
        "conv": lambda: _layer_case(torch, nn.Conv2d(3, 4, 3, padding=1), images, weight="conv_w", bias="conv_b"),
        "conv_stride3": lambda: _layer_case(torch, nn.Conv2d(3, 4, 3, stride=3), images, weight="conv_w",
                                            bias="conv_b"),
        # windows that do not tile the padded input: PyTorch drops the rows and columns they miss
        "conv_stride2_pad1": lambda: _layer_case(torch, nn.Conv2d(3, 4, 3, stride=2, padding=1), images,
                                                 weight="conv_w", bias="conv_b"),
        "conv_stride2": lambda: _layer_case(torch, nn.Conv2d(3, 4, 3, stride=2), images, weight="conv_w",
                                            bias="conv_b"),
        "conv2d_fn_bias_keyword": lambda: _function_case(torch, lambda x: F.conv2d(
            x, torch.tensor(INPUTS["conv_w"]), bias=torch.tensor(INPUTS["conv_b"]), stride=2, padding=1), images),
        "batchnorm1d": lambda: _batch_norm_case(torch, nn.BatchNorm1d(3), "x_rows_3"),
        "batchnorm2d": lambda: _batch_norm_case(torch, nn.BatchNorm2d(3, momentum=0.3), images),
        "lstm": lambda: _lstm_case(torch, nn),
        "ce_mean": lambda: _cross_entropy_case(torch, F, "labels"),
        "ce_sum": lambda: _cross_entropy_case(torch, F, "labels", reduction="sum"),
        "ce_none": lambda: _cross_entropy_case(torch, F, "labels", reduction="none"),
        "ce_ignore": lambda: _cross_entropy_case(torch, F, "labels_ignored"),
        "ce_ignore_none": lambda: _cross_entropy_case(torch, F, "labels_ignored", reduction="none"),
        "ce_ignore_class1": lambda: _cross_entropy_case(torch, F, "labels", ignore_index=1),
        "ce_weight": lambda: _cross_entropy_case(torch, F, "labels_ignored", weight="class_weight"),
        "ce_weight_sum": lambda: _cross_entropy_case(torch, F, "labels", weight="class_weight", reduction="sum"),
        "ce_smoothing": lambda: _cross_entropy_case(torch, F, "labels_ignored", label_smoothing=0.2),
        "ce_smoothing_weight": lambda: _cross_entropy_case(torch, F, "labels_ignored", weight="class_weight",
                                                           label_smoothing=0.1),
        "ce_smoothing_mean": lambda: _cross_entropy_case(torch, F, "labels", label_smoothing=0.2),
        "ce_smoothing_sum": lambda: _cross_entropy_case(torch, F, "labels", label_smoothing=0.3, reduction="sum"),
        "softmax": lambda: _function_case(torch, lambda x: F.softmax(x, dim=1)),
        "softmax_dim0": lambda: _function_case(torch, lambda x: F.softmax(x, dim=0)),
        "log_softmax": lambda: _function_case(torch, lambda x: F.log_softmax(x, dim=1)),
        "relu": lambda: _function_case(torch, F.relu),
        "mse_mean": lambda: _function_case(torch, lambda x: F.mse_loss(x, torch.tensor(INPUTS["scores"][::-1].copy()))),
        "mse_sum": lambda: _function_case(torch, lambda x: F.mse_loss(x, torch.zeros(6, 4), reduction="sum")),
        "layer_norm": lambda: _function_case(torch, lambda x: F.layer_norm(x, (4,))),
        "linear_fn": lambda: _function_case(torch, lambda x: F.linear(x, torch.tensor(INPUTS["linear_w"]),
                                                                      torch.tensor(INPUTS["linear_b"])), "x_rows"),
        "max_pool": lambda: _function_case(torch, lambda x: F.max_pool2d(x, 2), images),
        "avg_pool": lambda: _function_case(torch, lambda x: F.avg_pool2d(x, 3), images),
        # windows that do not tile the input: PyTorch drops what they miss
        "max_pool_floor": lambda: _function_case(torch, lambda x: F.max_pool2d(x, 3, 2), images),
        "avg_pool_floor": lambda: _function_case(torch, lambda x: F.avg_pool2d(x, 4), images),
        "max_pool_module_floor": lambda: _function_case(torch, nn.MaxPool2d(4), images),
        "embedding": lambda: _function_case(torch, lambda w: F.embedding(torch.tensor(INPUTS["indices"]), w),
                                            "embed_w"),
        "dropout_eval": lambda: _function_case(torch, lambda x: F.dropout(x, 0.5, training=False)),
    }


def state_layouts(nn):
    """layer name -> module whose state_dict keys and shapes must be PyTorch's."""
    from collections import OrderedDict
    return {
        "linear": nn.Linear(5, 4),
        "linear_nobias": nn.Linear(5, 4, bias=False),
        "conv": nn.Conv2d(3, 8, 5, padding=2),
        "batchnorm2d": nn.BatchNorm2d(8),
        "sequential": nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                                    nn.Flatten(), nn.Linear(8 * 4 * 4, 10), nn.BatchNorm1d(10)),
        "sequential_named": nn.Sequential(OrderedDict(fc1=nn.Linear(5, 7), relu=nn.ReLU(), fc2=nn.Linear(7, 2))),
        "module_list": nn.ModuleList([nn.Linear(2, 3), nn.Linear(3, 1)]),
        "embedding": nn.Embedding(7, 3),
        "layer_norm": nn.LayerNorm(6),
        "rnn": nn.RNN(3, 4),
        "lstm": nn.LSTM(3, 4, num_layers=2, batch_first=True),
    }


def layout(module):
    return np.array(sorted(f"{k}:{tuple(np.shape(v))}" for k, v in module.state_dict().items()))


INPUTS["x_rows_3"] = INPUTS["x_rows"][:, :3].copy()


def main():
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    out = dict(INPUTS)
    for name, case in cases(torch, nn, F).items():
        for key, value in case().items():
            out[f"{name}/{key}"] = value
    for name, module in state_layouts(nn).items():
        out[f"state/{name}"] = layout(module)
    np.savez_compressed(OUT, **out)
    print(f"wrote {len(out)} arrays to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
