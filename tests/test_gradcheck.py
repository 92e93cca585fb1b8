"""gradcheck must pass correct ops and catch wrong ones, naming where."""
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
