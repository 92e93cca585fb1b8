"""Hypothesis strategies for testing ops: shapes, bounded arrays, broadcastable pairs, labels,
and values kept away from the kinks where a numerical gradient is meaningless.

    from hypothesis import given
    from tinygrad231n.testing import strategies as st

    @given(st.arrays(st.shapes()))
    def test_my_op(x): ...

Every strategy draws float64 by default; pass dtype=np.float32 for single precision.
"""
import numpy as np
from hypothesis import strategies as hs
from hypothesis.extra import numpy as hnp

# Bounds that keep exp, products and numerical differences well-conditioned.
DEFAULT_BOUND = 3.0


def shapes(min_dims=1, max_dims=3, min_side=1, max_side=5):
    """Array shapes, size-1 axes included (where broadcasting bugs hide)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def floats(low=-DEFAULT_BOUND, high=DEFAULT_BOUND, width=64):
    """Finite floats in [low, high]."""
    return hs.floats(low, high, allow_nan=False, allow_infinity=False, width=width)


def arrays(shape, low=-DEFAULT_BOUND, high=DEFAULT_BOUND, dtype=np.float64):
    """Arrays of `shape` (a tuple or a strategy of tuples), finite values in [low, high]."""
    width = np.dtype(dtype).itemsize * 8
    return hnp.arrays(dtype, shape, elements=floats(low, high, width=width))


def positive_arrays(shape, low=0.1, high=DEFAULT_BOUND, dtype=np.float64):
    """Arrays bounded away from 0 from above: safe for log, division and fractional powers."""
    return arrays(shape, low, high, dtype)


def broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4):
    """Tuples of shapes that broadcast together, e.g. ((3, 1), (4,))."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    ).map(lambda result: result.input_shapes)


def away_from(shape, kinks=(0.0,), gap=0.05, low=-DEFAULT_BOUND, high=DEFAULT_BOUND, dtype=np.float64):
    """Arrays whose every value is at least `gap` from each point in `kinks` (e.g. relu's 0).

    Values too close to a kink are pushed `gap` away from it rather than filtered out, so
    hypothesis never runs out of examples.
    """

    def push(value):
        for kink in kinks:
            if abs(value - kink) < gap:
                value = kink + gap if value >= kink else kink - gap
        return value

    width = np.dtype(dtype).itemsize * 8
    return hnp.arrays(dtype, shape, elements=floats(low, high, width=width).map(push))


def distinct_arrays(shape, spacing=0.1, dtype=np.float64):
    """Arrays whose values all differ by at least `spacing`: no ties for max/argmax to break.

    Draws a random permutation of a grid of `size` values, spacing apart, shifted by an offset.
    """
    shape_strategy = shape if isinstance(shape, hs.SearchStrategy) else hs.just(tuple(shape))

    @hs.composite
    def build(draw):
        s = draw(shape_strategy)
        size = int(np.prod(s))
        order = draw(hs.permutations(range(size)))
        offset = draw(floats(-1.0, 1.0))
        return (np.array(order, dtype=np.float64) * spacing - size * spacing / 2 + offset).astype(dtype).reshape(s)

    return build()


def labels(n, num_classes):
    """(n,) int64 labels in [0, num_classes)."""
    return hnp.arrays(np.int64, (n,), elements=hs.integers(0, num_classes - 1))


@hs.composite
def scores_and_labels(draw, max_n=6, max_classes=6, dtype=np.float64):
    """A score matrix (N, C) and its labels (N,) on which the hinge loss (margin 1) is smooth.

    Scores sit on a grid of 0.3 plus a per-column offset under 0.07, so every hinge margin
    s_j - s_y + 1 is at least 0.03 away from 0 and no two scores in a row tie.
    """
    n = draw(hs.integers(1, max_n))
    c = draw(hs.integers(2, max_classes))
    steps = draw(hnp.arrays(np.int64, (n, c), elements=hs.integers(-10, 10), unique=False))
    # Tie-break rows with a per-column offset far smaller than the 0.3 grid.
    scores = steps * 0.3 + np.arange(c) * 0.07 / c
    y = draw(labels(n, c))
    return scores.astype(dtype), y


@hs.composite
def window_axis(draw, kernel=None, stride=None, pad=None, max_kernel=4, max_stride=3, max_pad=2, max_out=3):
    """(size, kernel, stride, pad) along one image axis such that the windows tile the padded input
    exactly, as CS231n's conv and pooling layers require: (size + 2*pad - kernel) % stride == 0.

    Draws the number of windows and derives the size from it; a fixed kernel, stride or pad is
    kept as given (the pad is lowered only if it would leave no pixel of the image at all).
    """
    kernel = draw(hs.integers(1, max_kernel)) if kernel is None else kernel
    stride = draw(hs.integers(1, max_stride)) if stride is None else stride
    pad = draw(hs.integers(0, max_pad)) if pad is None else pad
    windows = draw(hs.integers(1, max_out))
    span = (windows - 1) * stride + kernel  # the padded size those windows tile
    pad = min(pad, (span - 1) // 2)
    return span - 2 * pad, kernel, stride, pad


@hs.composite
def conv_inputs(draw, batch=None, kernel=(None, None), stride=(None, None), pad=(None, None), bias=True,
                dtype=np.float64, max_channels=3, max_filters=3, min_channels=1):
    """(x (N, C, H, W), w (F, C, kh, kw), b (F,) or None, (sh, sw), (ph, pw)) whose windows tile
    the padded input. Fix any of batch, kernel, stride, pad (per axis; None draws it)."""
    n = draw(hs.integers(1, 2)) if batch is None else batch
    c, f = draw(hs.integers(min_channels, max(min_channels, max_channels))), draw(hs.integers(1, max_filters))
    h, kh, sh, ph = draw(window_axis(kernel[0], stride[0], pad[0]))
    w, kw, sw, pw = draw(window_axis(kernel[1], stride[1], pad[1]))
    x = draw(arrays((n, c, h, w), dtype=dtype))
    weights = draw(arrays((f, c, kh, kw), dtype=dtype))
    b = draw(arrays((f,), dtype=dtype)) if bias else None
    return x, weights, b, (sh, sw), (ph, pw)


@hs.composite
def pool_inputs(draw, kernel=None, stride=None, distinct=True, dtype=np.float64, max_kernel=3, max_stride=3):
    """(x (N, C, H, W), (kh, kw), (sh, sw)) whose windows tile x exactly (no padding); a fixed
    kernel or stride (an int, both axes) is kept. With `distinct`, no two values of x tie, so
    a max has one winner and a numerical gradient exists."""
    n, c = draw(hs.integers(1, 2)), draw(hs.integers(1, 3))
    h, kh, sh, _ = draw(window_axis(kernel, stride, pad=0, max_kernel=max_kernel, max_stride=max_stride))
    w, kw, sw, _ = draw(window_axis(kernel, stride, pad=0, max_kernel=max_kernel, max_stride=max_stride))
    x = draw(distinct_arrays((n, c, h, w), dtype=dtype) if distinct else arrays((n, c, h, w), dtype=dtype))
    return x, (kh, kw), (sh, sw)


def bool_masks(shape):
    """Bool arrays of `shape` (a tuple or a strategy of tuples), all-True and all-False included."""
    return hnp.arrays(np.bool_, shape)


@hs.composite
def embedding_inputs(draw, max_vocabulary=5, max_dim=4, dtype=np.float64):
    """(indices, weight): int64 indices of 1 to 3 axes (sides 1-4) into a table weight (V, D). With
    V at most 5, most draws repeat an index, whose gradient rows must add up."""
    vocabulary, dim = draw(hs.integers(1, max_vocabulary)), draw(hs.integers(1, max_dim))
    index_shape = draw(shapes(min_dims=1, max_dims=3, max_side=4))
    indices = draw(hnp.arrays(np.int64, index_shape, elements=hs.integers(0, vocabulary - 1)))
    return indices, draw(arrays((vocabulary, dim), dtype=dtype))


@hs.composite
def temporal_scores_labels_mask(draw, max_n=3, max_t=4, max_classes=6, dtype=np.float64):
    """(scores (N, T, V), labels (N, T) int64, mask (N, T) bool) for the temporal softmax loss.
    N = 1 and T = 1 come up; often one sequence is masked out whole; labels where the mask is False
    are padding, sometimes out of range (-1 or V), which the loss must never read."""
    n, t, v = draw(hs.integers(1, max_n)), draw(hs.integers(1, max_t)), draw(hs.integers(2, max_classes))
    scores = draw(arrays((n, t, v), dtype=dtype))
    y = draw(hnp.arrays(np.int64, (n, t), elements=hs.integers(0, v - 1)))
    mask = draw(bool_masks((n, t)))
    if draw(hs.booleans()):
        mask[draw(hs.integers(0, n - 1))] = False
    padding = draw(hs.sampled_from([0, -1, v]))
    return scores, np.where(mask, y, padding), mask


@hs.composite
def recurrent_inputs(draw, gates=1, max_n=3, max_t=4, max_dim=3, max_hidden=3, dtype=np.float64):
    """(x (N, T, D), h0 (N, H), Wx (D, G), Wh (H, G), b (G,)) with G = gates * H, for F.rnn (gates=1)
    and F.lstm (gates=4); N = 1 and T = 1 come up. Weights stay in [-1, 1] so that the activations
    do not all saturate, where every gradient would be near 0 and a check could not tell."""
    n, t = draw(hs.integers(1, max_n)), draw(hs.integers(1, max_t))
    d, h = draw(hs.integers(1, max_dim)), draw(hs.integers(1, max_hidden))
    g = gates * h
    return (draw(arrays((n, t, d), dtype=dtype)), draw(arrays((n, h), dtype=dtype)),
            draw(arrays((d, g), -1.0, 1.0, dtype)), draw(arrays((h, g), -1.0, 1.0, dtype)),
            draw(arrays((g,), -1.0, 1.0, dtype)))
