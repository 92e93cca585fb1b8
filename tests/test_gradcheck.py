"""gradcheck must pass correct ops and catch wrong ones, naming where; non-finite values never pass."""
import contextlib

import numpy as np
import pytest

from tinygrad231n import Function, Tensor
from tinygrad231n.gradcheck import gradcheck, numerical_gradient


def test_numerical_gradient_of_a_known_function():
    x = np.array([1.0, -2.0, 3.0])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v ** 3), x), 3 * x ** 2, rtol=1e-8)
    np.testing.assert_array_equal(x, [1.0, -2.0, 3.0])  # restored


class WrongSquare(Function):
    """x**2 with a deliberately wrong backward (3x instead of 2x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * 3 * x


def test_gradcheck_catches_a_wrong_backward_and_names_the_input():
    w = Tensor([[1.0, 2.0]], requires_grad=True, name="W")
    with pytest.raises(AssertionError, match=r"input 1 \('W'\) of shape \(1, 2\).*analytic .* vs numerical"):
        gradcheck(lambda a, b: a * WrongSquare.apply(b), np.ones((1, 2)), w)


def test_gradcheck_passes_a_correct_composite_and_skips_constants():
    x = Tensor(np.array([[0.5, -1.0], [2.0, 0.3]]), requires_grad=True)
    labels = np.array([1, 0])
    assert gradcheck(lambda a, y: a.exp()[np.arange(2), y].sum(), x, labels)


def test_gradcheck_leaves_the_callers_tensors_alone():
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    gradcheck(lambda a: (a * a).sum(), x)
    assert x.grad is None and x.dtype == np.float32


@pytest.mark.parametrize("fn, what", [
    (lambda w: ((w * 0.0) ** 0.5).sum(), "the tape gradient is not finite: nan"),  # 0 * inf in backward
    (lambda w: (w * np.nan).sum(), "the output of fn is not finite: nan"),
    (lambda w: (w * w + np.inf).sum(), "the output of fn is not finite: inf"),
])
def test_gradcheck_fails_on_nan_and_inf(fn, what):
    w = Tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    with pytest.warns(RuntimeWarning) if "tape" in what else contextlib.nullcontext():
        with pytest.raises(AssertionError, match=what):
            gradcheck(fn, w)


def test_gradcheck_fails_when_only_the_numerical_gradient_is_not_finite():
    class FiniteOnlyAtOne(Function):
        """0 at exactly 1, inf anywhere else: the output and the claimed slope (0) are finite at 1,
        but the central difference there is (inf - inf) / 2h = NaN."""

        @staticmethod
        def forward(ctx, x):
            return np.where(x == 1.0, 0.0, np.inf)

        @staticmethod
        def backward(ctx, grad):
            return grad * 0.0

    with pytest.warns(RuntimeWarning), pytest.raises(AssertionError, match="the numerical gradient is not finite: nan"):
        gradcheck(lambda a: FiniteOnlyAtOne.apply(a).sum(), Tensor(np.array([1.0]), requires_grad=True))
