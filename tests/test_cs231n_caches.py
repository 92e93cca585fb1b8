"""A cache is plain data, as in the assignment: every adapter backward can be called any number of
times on one cache, and each call gives that call's gradients (not a sum over the calls).

CS231n's 2026 BatchNormalization.ipynb calls batchnorm_backward and then batchnorm_backward_alt on
one cache to compare them; gradient checks call backward again and again.
"""
from typing import Callable, NamedTuple

import numpy as np
import pytest

from tinygrad231n.cs231n import fast_layers as fast
from tinygrad231n.cs231n import layer_utils as sandwich
from tinygrad231n.cs231n import layers
from tinygrad231n.cs231n import rnn_layers as rnn

RNG = np.random.default_rng(231)
CONV = {"stride": 1, "pad": 1}
POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}


class Pair(NamedTuple):
    forward: Callable
    backwards: tuple  # every backward that takes this forward's cache
    args: Callable    # () -> the forward's arguments (fresh, so parameter dicts start anew)


def images(n=2, c=3, side=4):
    return RNG.standard_normal((n, c, side, side))


def conv_args():
    return images(), RNG.standard_normal((2, 3, 3, 3)), RNG.standard_normal(2), dict(CONV)


def bn(mode="train"):
    return {"mode": mode}


def recurrent_args(time, gates, N=2, T=3, D=4, H=3):
    """x (N, T, D) or one step's (N, D), h0 (N, H), Wx (D, G), Wh (H, G), b (G,) with G = gates * H."""
    x = RNG.standard_normal((N, T, D) if time else (N, D))
    G = gates * H
    return x, RNG.standard_normal((N, H)), RNG.standard_normal((D, G)), RNG.standard_normal((H, G)), RNG.standard_normal(G)


def lstm_step_args():
    x, prev_h, Wx, Wh, b = recurrent_args(time=False, gates=4)
    return x, prev_h, RNG.standard_normal(prev_h.shape), Wx, Wh, b


PAIRS = [
    Pair(layers.affine_forward, (layers.affine_backward,),
         lambda: (RNG.standard_normal((3, 2, 2)), RNG.standard_normal((4, 5)), RNG.standard_normal(5))),
    Pair(layers.relu_forward, (layers.relu_backward,), lambda: (RNG.standard_normal((3, 4)),)),
    Pair(layers.batchnorm_forward, (layers.batchnorm_backward, layers.batchnorm_backward_alt),
         lambda: (RNG.standard_normal((5, 3)), RNG.standard_normal(3), RNG.standard_normal(3), bn())),
    Pair(layers.layernorm_forward, (layers.layernorm_backward,),
         lambda: (RNG.standard_normal((5, 3)), RNG.standard_normal(3), RNG.standard_normal(3), {})),
    Pair(layers.dropout_forward, (layers.dropout_backward,),
         lambda: (RNG.standard_normal((5, 3)), {"mode": "train", "p": 0.5, "seed": 1})),
    Pair(layers.spatial_batchnorm_forward, (layers.spatial_batchnorm_backward,),
         lambda: (images(), RNG.standard_normal(3), RNG.standard_normal(3), bn())),
    Pair(layers.spatial_groupnorm_forward, (layers.spatial_groupnorm_backward,),
         lambda: (images(c=4), RNG.standard_normal((1, 4, 1, 1)), RNG.standard_normal((1, 4, 1, 1)), 2, {})),
    Pair(layers.conv_forward_naive, (layers.conv_backward_naive,), conv_args),
    Pair(layers.max_pool_forward_naive, (layers.max_pool_backward_naive,), lambda: (images(), dict(POOL))),
    Pair(fast.conv_forward_fast, (fast.conv_backward_fast,), conv_args),
    Pair(fast.conv_forward_im2col, (fast.conv_backward_im2col,), conv_args),
    Pair(fast.conv_forward_strides, (fast.conv_backward_strides,), conv_args),
    Pair(fast.max_pool_forward_fast, (fast.max_pool_backward_fast,), lambda: (images(), dict(POOL))),
    Pair(fast.max_pool_forward_im2col, (fast.max_pool_backward_im2col,), lambda: (images(), dict(POOL))),
    Pair(fast.max_pool_forward_reshape, (fast.max_pool_backward_reshape,), lambda: (images(), dict(POOL))),
    Pair(sandwich.affine_relu_forward, (sandwich.affine_relu_backward,),
         lambda: (RNG.standard_normal((3, 4)), RNG.standard_normal((4, 5)), RNG.standard_normal(5))),
    Pair(sandwich.conv_relu_forward, (sandwich.conv_relu_backward,), conv_args),
    Pair(sandwich.conv_relu_pool_forward, (sandwich.conv_relu_pool_backward,), lambda: conv_args() + (dict(POOL),)),
    Pair(sandwich.conv_bn_relu_forward, (sandwich.conv_bn_relu_backward,),
         lambda: conv_args()[:3] + (RNG.standard_normal(2), RNG.standard_normal(2), dict(CONV), bn())),
    Pair(rnn.rnn_step_forward, (rnn.rnn_step_backward,), lambda: recurrent_args(time=False, gates=1)),
    Pair(rnn.rnn_forward, (rnn.rnn_backward,), lambda: recurrent_args(time=True, gates=1)),
    Pair(rnn.lstm_step_forward, (rnn.lstm_step_backward,), lambda: lstm_step_args()),
    Pair(rnn.lstm_forward, (rnn.lstm_backward,), lambda: recurrent_args(time=True, gates=4)),
    Pair(rnn.word_embedding_forward, (rnn.word_embedding_backward,),
         lambda: (np.array([[0, 2, 2], [1, 0, 3]]), RNG.standard_normal((4, 5)))),
    Pair(rnn.temporal_affine_forward, (rnn.temporal_affine_backward,),
         lambda: (RNG.standard_normal((2, 3, 4)), RNG.standard_normal((4, 5)), RNG.standard_normal(5))),
]


def as_tuple(grads):
    return grads if isinstance(grads, tuple) else (grads,)


@pytest.mark.parametrize("pair", PAIRS, ids=[p.forward.__name__ for p in PAIRS])
def test_a_cache_can_be_backpropagated_any_number_of_times(pair):
    *outs, cache = pair.forward(*pair.args())  # lstm_step_forward gives two outputs, and takes a dout for each
    douts = [RNG.standard_normal(out.shape) for out in outs]
    first = as_tuple(pair.backwards[0](*douts, cache))
    for backward in pair.backwards * 2:  # every backward of this cache, twice over
        again = as_tuple(backward(*douts, cache))
        assert len(again) == len(first)
        for a, b in zip(first, again):
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12, err_msg=backward.__name__)
    # another upstream gradient on the same cache gives its own gradients: linear in dout, not summed
    doubled = as_tuple(pair.backwards[-1](*(2 * dout for dout in douts), cache))
    for a, b in zip(first, doubled):
        np.testing.assert_allclose(b, 2 * a, rtol=1e-10, atol=1e-12)


def test_every_adapter_backward_is_in_the_table():
    tested = {b for p in PAIRS for b in p.backwards}  # by identity: conv_backward_fast is an alias
    found = {name: getattr(module, name) for module in (layers, fast, sandwich, rnn)
             for name in getattr(module, "__all__", dir(module)) if "_backward" in name}
    untested = sorted(name for name, function in found.items() if function not in tested)
    assert found and not untested, f"backward functions with no reuse test: {untested}"


def test_dout_must_fit_the_forward_output():
    _, cache = layers.affine_forward(np.ones((2, 3)), np.ones((3, 4)), np.zeros(4))
    with pytest.raises(ValueError, match=r"dout has shape \(2, 5\) but the forward output had shape \(2, 4\)"):
        layers.affine_backward(np.ones((2, 5)), cache)


def test_each_dout_of_a_two_output_forward_must_fit_its_output():
    *_, cache = rnn.lstm_step_forward(*lstm_step_args())  # next_h and next_c are (2, 3)
    with pytest.raises(ValueError, match=r"lstm_step_backward: dout has shape \(2, 4\) but the forward output had "
                                         r"shape \(2, 3\)"):
        rnn.lstm_step_backward(np.ones((2, 3)), np.ones((2, 4)), cache)
