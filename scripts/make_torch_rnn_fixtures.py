"""Write tests/data/torch_rnn_fixtures.npz: PyTorch's nn.RNN, nn.LSTM and nn.Embedding on fixed inputs,
with their outputs and gradients, so tests/test_nn_recurrent.py holds ours to PyTorch without torch.

    python scripts/make_torch_rnn_fixtures.py       # needs torch (run once; the tests only read the file)

Each config runs in float64 on small sizes (T=5, N=3, input 4, hidden 6). The loss is
sum(output * g_output) + sum(h_n * g_h_n) (+ sum(c_n * g_c_n) for the LSTM), with fixed random
g_*, so every output's gradient is checked. Keys are "<config>/<what>": the module's parameters under
their PyTorch names, input, h_0 / c_0 when given, g_* and the outputs, and grad/<name> for the
gradients of parameters, input and initial states. "configs" holds each config's constructor
settings as JSON.
"""
import json
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "torch_rnn_fixtures.npz")
T, N, D, H = 5, 3, 4, 6

# name -> (module kind, constructor settings, initial states given, one unbatched sequence)
CONFIGS = {
    "lstm_batch_first": ("LSTM", dict(batch_first=True), False, False),
    "lstm_two_layers_states": ("LSTM", dict(num_layers=2), True, False),
    "lstm_no_bias_states": ("LSTM", dict(bias=False, batch_first=True), True, False),
    "lstm_unbatched_states": ("LSTM", dict(num_layers=2), True, True),
    "rnn_tanh_states": ("RNN", dict(), True, False),
    "rnn_relu_two_layers": ("RNN", dict(nonlinearity="relu", num_layers=2, batch_first=True), False, False),
    "rnn_tanh_unbatched": ("RNN", dict(batch_first=True), False, True),
}


def run_recurrent(name, kind, settings, with_states, unbatched, rng):
    module = getattr(torch.nn, kind)(D, H, **settings).double()
    layers = settings.get("num_layers", 1)
    batch_first = settings.get("batch_first", False)
    shape = (T, D) if unbatched else (N, T, D) if batch_first else (T, N, D)
    state_shape = (layers, H) if unbatched else (layers, N, H)
    arrays = {"input": rng.standard_normal(shape)}
    kinds = ["h_0"] + (["c_0"] if kind == "LSTM" else [])
    if with_states:
        arrays.update({k: rng.standard_normal(state_shape) for k in kinds})
    leaves = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    hx = None
    if with_states:
        hx = leaves["h_0"] if kind == "RNN" else (leaves["h_0"], leaves["c_0"])
    output, final = module(leaves["input"], hx)
    outputs = {"output": output}
    outputs.update({"h_n": final} if kind == "RNN" else {"h_n": final[0], "c_n": final[1]})
    loss = 0
    for what, value in outputs.items():
        upstream = rng.standard_normal(tuple(value.shape))
        arrays[f"g_{what}"] = upstream
        arrays[what] = value.detach().numpy()
        loss = loss + (value * torch.tensor(upstream)).sum()
    loss.backward()
    for what, parameter in module.named_parameters():
        arrays[what] = parameter.detach().numpy()
        arrays[f"grad/{what}"] = parameter.grad.numpy()
    for what, leaf in leaves.items():
        arrays[f"grad/{what}"] = leaf.grad.numpy()
    settings = dict(settings, kind=kind, input_size=D, hidden_size=H, with_states=with_states)
    return {f"{name}/{k}": np.asarray(v) for k, v in arrays.items()}, settings


def run_embedding(rng):
    module = torch.nn.Embedding(7, 3, padding_idx=2).double()
    indices = np.array([[0, 2, 6, 2], [1, 1, 2, 5]])  # the padding row and a repeated word
    with torch.no_grad():
        module.weight[2] = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)  # a padding row set non-zero
    output = module(torch.tensor(indices))
    upstream = rng.standard_normal(tuple(output.shape))
    (output * torch.tensor(upstream)).sum().backward()
    arrays = {"indices": indices, "weight": module.weight.detach().numpy(), "g_output": upstream,
              "output": output.detach().numpy(), "grad/weight": module.weight.grad.numpy()}
    return {f"embedding_padding/{k}": v for k, v in arrays.items()}, dict(kind="Embedding", num_embeddings=7,
                                                                         embedding_dim=3, padding_idx=2)


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    arrays, configs = {}, {}
    for name, (kind, settings, with_states, unbatched) in CONFIGS.items():
        config_arrays, configs[name] = run_recurrent(name, kind, settings, with_states, unbatched, rng)
        arrays.update(config_arrays)
    config_arrays, configs["embedding_padding"] = run_embedding(rng)
    arrays.update(config_arrays)
    arrays["configs"] = np.array(json.dumps(configs))
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT) / 1024:.0f} KB, {len(configs)} configs, "
          f"torch {torch.__version__})")


if __name__ == "__main__":
    main()
