#!/usr/bin/env python3
"""Write tests/data/torch_attention_fixtures.npz: what PyTorch computes for attention, so that
tests/test_attention.py can hold tinygrad231n.nn.attention to it where torch is not installed.

    .venv/bin/python scripts/make_torch_attention_fixtures.py   # needs torch; run once, commit the npz

Fixed float64 weights (seeded numpy draws, stored under the names of our modules' state_dict, weights
(in, out)) are copied into two torch versions of each computation:

- CS231n's MultiHeadAttention semantics written out in torch (Linear layers key, query, value, proj;
  heads (N, H, S, E/H); scores / sqrt(E/H); masked_fill(mask == 0, -inf); softmax over keys), and
- the same projections around torch.nn.functional.scaled_dot_product_attention, which also
  defines an all-masked query row (its weights are 0; CS231n's -inf fill makes that row NaN).

The decoder layer is CS231n's written out in torch, checked here against torch.nn.TransformerDecoderLayer
(post-norm, batch_first, dropout 0) with the same weights. Everything in eval mode: no dropout.
"""
import argparse
import math
from pathlib import Path

import numpy as np
import torch

E, HEADS, FEEDFORWARD = 8, 2, 16   # embed dim, heads, feed-forward width
N, S, T, MEMORY = 2, 4, 3, 2       # batch, query length, key length, decoder memory length
PE_DIM, PE_LEN = 6, 10
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "torch_attention_fixtures.npz"


def linear_weights(rng, prefix, fan_in, fan_out):
    """{prefix.weight (in, out), prefix.bias (out,)}: our layout, CS231n's numpy one."""
    return {f"{prefix}.weight": rng.standard_normal((fan_in, fan_out)) / math.sqrt(fan_in),
            f"{prefix}.bias": 0.1 * rng.standard_normal(fan_out)}


def attention_weights(rng, prefix):
    weights = {}
    for name in ("key", "query", "value", "proj"):
        weights.update(linear_weights(rng, f"{prefix}{name}", E, E))
    return weights


def affine(weights, prefix, x):
    return x @ torch.from_numpy(weights[f"{prefix}.weight"]) + torch.from_numpy(weights[f"{prefix}.bias"])


def split_heads(x):
    n, length, _ = x.shape
    return x.reshape(n, length, HEADS, E // HEADS).permute(0, 2, 1, 3)


def merge_heads(x):
    n, _, length, _ = x.shape
    return x.permute(0, 2, 1, 3).reshape(n, length, E)


def cs231n_attention(weights, prefix, query, key, value, mask=None):
    """CS231n's forward, in torch."""
    q, k, v = (split_heads(affine(weights, prefix + name, x)) for name, x in
               (("query", query), ("key", key), ("value", value)))
    scores = q @ k.transpose(-1, -2) / math.sqrt(E // HEADS)
    if mask is not None:
        scores = scores.masked_fill(torch.from_numpy(mask) == 0, float("-inf"))
    return affine(weights, prefix + "proj", merge_heads(torch.softmax(scores, dim=-1) @ v))


def sdpa_attention(weights, prefix, query, key, value, mask=None):
    """The same projections around torch's scaled_dot_product_attention (True: may attend)."""
    q, k, v = (split_heads(affine(weights, prefix + name, x)) for name, x in
               (("query", query), ("key", key), ("value", value)))
    bool_mask = None if mask is None else torch.from_numpy(mask.astype(bool))
    out = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=bool_mask)
    return affine(weights, prefix + "proj", merge_heads(out))


def cs231n_decoder_layer(weights, tgt, memory, mask):
    def norm(prefix, x):
        return torch.nn.functional.layer_norm(x, (E,), torch.from_numpy(weights[f"{prefix}.weight"]),
                                              torch.from_numpy(weights[f"{prefix}.bias"]), eps=1e-5)

    tgt = norm("norm1", tgt + cs231n_attention(weights, "self_attn.", tgt, tgt, tgt, mask))
    tgt = norm("norm2", tgt + cs231n_attention(weights, "multihead_attn.", tgt, memory, memory))
    feedforward = affine(weights, "linear2", torch.relu(affine(weights, "linear1", tgt)))
    return norm("norm3", tgt + feedforward)


def torch_decoder_layer(weights, tgt, memory, mask):
    """torch.nn.TransformerDecoderLayer with our weights (its Linear weights are (out, in))."""
    layer = torch.nn.TransformerDecoderLayer(E, HEADS, FEEDFORWARD, dropout=0.0, batch_first=True,
                                             dtype=torch.float64).eval()

    def t(name):
        return torch.from_numpy(weights[name])

    with torch.no_grad():
        for ours, theirs in (("self_attn.", layer.self_attn), ("multihead_attn.", layer.multihead_attn)):
            theirs.in_proj_weight.copy_(torch.cat([t(ours + f"{n}.weight").T for n in ("query", "key", "value")]))
            theirs.in_proj_bias.copy_(torch.cat([t(ours + f"{n}.bias") for n in ("query", "key", "value")]))
            theirs.out_proj.weight.copy_(t(ours + "proj.weight").T)
            theirs.out_proj.bias.copy_(t(ours + "proj.bias"))
        for name in ("linear1", "linear2"):
            getattr(layer, name).weight.copy_(t(f"{name}.weight").T)
            getattr(layer, name).bias.copy_(t(f"{name}.bias"))
        for name in ("norm1", "norm2", "norm3"):
            getattr(layer, name).weight.copy_(t(f"{name}.weight"))
            getattr(layer, name).bias.copy_(t(f"{name}.bias"))
        # torch's boolean tgt_mask is True where attending is NOT allowed: the opposite of CS231n's
        return layer(tgt, memory, tgt_mask=torch.from_numpy(~mask))


def attention_fixtures(rng):
    weights = attention_weights(rng, "")
    out = {f"attn.{k}": v for k, v in weights.items()}
    causal = np.tril(np.ones((S, S), dtype=bool))
    empty_row = rng.random((S, T)) < 0.6
    empty_row[0] = True   # a full row
    empty_row[1] = False  # a query that may attend nothing
    cases = {
        "cross": (rng.standard_normal((N, S, E)), rng.standard_normal((N, T, E)), rng.standard_normal((N, T, E)), None),
        "causal": (None, None, None, causal),  # self-attention on one x
        "empty_row": (rng.standard_normal((N, S, E)), rng.standard_normal((N, T, E)), rng.standard_normal((N, T, E)),
                      empty_row),
    }
    x = rng.standard_normal((N, S, E))
    for case, (query, key, value, mask) in cases.items():
        if query is None:
            query = key = value = x
        out.update({f"{case}.query": query, f"{case}.key": key, f"{case}.value": value})
        if mask is not None:
            out[f"{case}.mask"] = mask
        args = [torch.from_numpy(a) for a in (query, key, value)]
        sdpa = sdpa_attention(weights, "", *args, mask).numpy()
        cs231n = cs231n_attention(weights, "", *args, mask).numpy()
        out[f"{case}.sdpa"] = sdpa
        if case == "empty_row":
            assert np.isnan(cs231n[:, 1]).all() and np.allclose(cs231n[:, [0, 2, 3]], sdpa[:, [0, 2, 3]])
        else:
            assert np.allclose(cs231n, sdpa, rtol=1e-10, atol=1e-12), case
            out[f"{case}.cs231n"] = cs231n
    out.update(causal_gradients(weights, x, causal, rng))
    return out


def causal_gradients(weights, x, mask, rng):
    """torch's gradients of sum(out * upstream) for causal self-attention, by x and by every weight."""
    upstream = rng.standard_normal((N, S, E))
    params = {k: torch.tensor(v, requires_grad=True) for k, v in weights.items()}
    x_t = torch.tensor(x, requires_grad=True)

    def affine_live(prefix, inp):
        return inp @ params[f"{prefix}.weight"] + params[f"{prefix}.bias"]

    q, k, v = (split_heads(affine_live(name, x_t)) for name in ("query", "key", "value"))
    scores = (q @ k.transpose(-1, -2) / math.sqrt(E // HEADS)).masked_fill(torch.from_numpy(~mask), float("-inf"))
    out = affine_live("proj", merge_heads(torch.softmax(scores, dim=-1) @ v))
    (out * torch.from_numpy(upstream)).sum().backward()
    grads = {f"causal.grad.{k}": p.grad.numpy() for k, p in params.items()}
    grads.update({"causal.upstream": upstream, "causal.grad.x": x_t.grad.numpy()})
    return grads


def decoder_fixtures(rng):
    weights = {**attention_weights(rng, "self_attn."), **attention_weights(rng, "multihead_attn."),
               **linear_weights(rng, "linear1", E, FEEDFORWARD), **linear_weights(rng, "linear2", FEEDFORWARD, E)}
    for name in ("norm1", "norm2", "norm3"):  # not 1 and 0, so a swapped or missing norm shows
        weights[f"{name}.weight"] = 1 + 0.2 * rng.standard_normal(E)
        weights[f"{name}.bias"] = 0.2 * rng.standard_normal(E)
    tgt, memory = rng.standard_normal((N, S, E)), rng.standard_normal((N, MEMORY, E))
    mask = np.tril(np.ones((S, S), dtype=bool))
    ours = cs231n_decoder_layer(weights, torch.from_numpy(tgt), torch.from_numpy(memory), mask).numpy()
    theirs = torch_decoder_layer(weights, torch.from_numpy(tgt), torch.from_numpy(memory), mask).numpy()
    assert np.allclose(ours, theirs, rtol=1e-10, atol=1e-10), np.abs(ours - theirs).max()
    out = {f"decoder.{k}": v for k, v in weights.items()}
    out.update({"decoder.tgt": tgt, "decoder.memory": memory, "decoder.mask": mask, "decoder.out": ours})
    return out


def positional_encoding_fixture():
    """CS231n's table, written with torch: sin at even columns 2k, cos at odd 2k+1, both of
    position * 10000 ** (-2k / D)."""
    position = torch.arange(PE_LEN, dtype=torch.float64)[:, None]
    angle = position * torch.pow(torch.tensor(10000.0, dtype=torch.float64),
                                 -torch.arange(0, PE_DIM, 2, dtype=torch.float64) / PE_DIM)
    pe = torch.zeros(1, PE_LEN, PE_DIM, dtype=torch.float64)
    pe[0, :, 0::2], pe[0, :, 1::2] = torch.sin(angle), torch.cos(angle)
    return {"pe.table": pe.numpy()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the .npz to write (default {DEFAULT_OUT})")
    args = parser.parse_args()
    rng = np.random.default_rng(231)
    arrays = {**attention_fixtures(rng), **decoder_fixtures(rng), **positional_encoding_fixture()}
    arrays["torch_version"] = np.array(torch.__version__)
    np.savez_compressed(args.out, **arrays)
    print(f"wrote {len(arrays)} arrays ({args.out.stat().st_size} bytes) to {args.out} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
