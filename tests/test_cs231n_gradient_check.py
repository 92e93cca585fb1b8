"""tinygrad231n.cs231n.gradient_check beyond what the assignment-1 notebooks call (see test_cs231n_linear.py):
integer input, and the blob interface."""
import random
import types

import numpy as np
import pytest

from tinygrad231n.cs231n.gradient_check import (eval_numerical_gradient, eval_numerical_gradient_array,
                                                eval_numerical_gradient_blobs, eval_numerical_gradient_net,
                                                grad_check_sparse)


def test_integer_input_is_checked_in_float():
    # The assignment's version perturbs the int array in place (1 + 1e-5 rounds back to 1) and
    # returns [50000, 150000] here.
    x = np.array([1, 2])
    grad = eval_numerical_gradient(lambda x: np.sum(x ** 2), x, verbose=False)
    np.testing.assert_allclose(grad, [2.0, 4.0], rtol=1e-8)
    assert x.dtype.kind == "i" and list(x) == [1, 2]
    np.testing.assert_allclose(eval_numerical_gradient_array(lambda x: 3 * x, [1, 2, 3], np.ones(3)), [3, 3, 3])


def test_grad_check_sparse_on_integer_input_finds_the_right_gradient(capsys):
    random.seed(0)
    grad_check_sparse(lambda x: np.sum(x ** 2), np.array([1, 2, 3]), np.array([2.0, 4.0, 6.0]), num_checks=4)
    for line in capsys.readouterr().out.splitlines():
        assert float(line.split()[-1]) < 1e-8


def test_float_input_is_still_perturbed_in_place_so_closures_work():
    W = np.array([0.5, -1.5])
    grad = eval_numerical_gradient(lambda _: np.sum(W ** 3), W, verbose=False)  # reads W, not its argument
    np.testing.assert_allclose(grad, 3 * W ** 2, rtol=1e-8)


def blob(vals):
    return types.SimpleNamespace(vals=np.asarray(vals, dtype=np.float64), diffs=np.zeros(np.shape(vals)))


def test_blobs_give_the_gradient_of_the_output_weighted_by_its_diffs():
    a, b, out = blob([1.0, 2.0, 3.0]), blob([0.5, -1.0, 2.0]), blob(np.zeros(3))
    out.diffs = np.array([1.0, 2.0, -1.0])

    def multiply(a, b, out):
        out.vals = a.vals * b.vals

    grad_a, grad_b = eval_numerical_gradient_blobs(multiply, (a, b), out)
    np.testing.assert_allclose(grad_a, b.vals * out.diffs, rtol=1e-8)
    np.testing.assert_allclose(grad_b, a.vals * out.diffs, rtol=1e-8)
    np.testing.assert_array_equal(a.vals, [1.0, 2.0, 3.0])  # restored

    class Net:
        def forward(self):
            multiply(a, b, out)

    for from_net, expected in zip(eval_numerical_gradient_net(Net(), (a, b), out), (grad_a, grad_b)):
        np.testing.assert_allclose(from_net, expected, rtol=1e-12)
