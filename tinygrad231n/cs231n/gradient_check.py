"""CS231n's numerical gradient checks, built on tinygrad231n.gradcheck's central differences.

    f = lambda w: svm_loss_naive(W, X_dev, y_dev, 0.0)[0]   # f may close over W: it is perturbed in place
    grad_numerical = grad_check_sparse(f, W, grad)

Every function perturbs `x` in place one element at a time and restores it, so a function that
ignores its argument and reads the array through a closure (as the notebooks write them) works.

One difference from the assignment: an integer `x` is checked in float64. The original perturbs
it in place, where 1 + 1e-5 rounds back to 1, and reports nonsense ([50000, 150000] for sum(x**2)
at [1, 2]). Here f gets a float64 copy of x instead, so it must read its argument, not a closure,
for integer input.
"""
from random import randrange

import numpy as np

from tinygrad231n.gradcheck import numerical_gradient

__all__ = ["eval_numerical_gradient", "eval_numerical_gradient_array", "eval_numerical_gradient_blobs",
           "eval_numerical_gradient_net", "grad_check_sparse"]


def eval_numerical_gradient(f, x, verbose=True, h=0.00001):
    """Central-difference gradient of scalar f at array x (float64, shaped like x).

    With verbose, prints each index and its gradient, as the original does. Integer x: see the
    module docstring (f is evaluated at a float64 copy).
    """
    x = _float_array(x)
    grad = numerical_gradient(f, x, h=h)
    if verbose:
        for ix in np.ndindex(x.shape):
            print(ix, grad[ix])
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical gradient of sum(f(x) * df) at x: the gradient that flows back to x when an
    upstream gradient df (shaped like f(x)) arrives at the output of array-valued f.
    Integer x is checked at a float64 copy (module docstring)."""
    return numerical_gradient(f, _float_array(x), h=h, upstream=np.asarray(df))


def eval_numerical_gradient_blobs(f, inputs, output, h=1e-5):
    """Numerical gradients for functions that write into blobs (objects with `.vals` and `.diffs`).

    `f(*inputs, output)` computes output.vals from each input's vals; the result is one array per
    input, the gradient of sum(output.vals * output.diffs) with respect to its vals. Each input's
    vals are perturbed in place and restored.
    """
    inputs = tuple(inputs)

    def run(_):
        f(*(inputs + (output,)))
        return output.vals

    return [numerical_gradient(run, blob.vals, h=h, upstream=np.asarray(output.diffs)) for blob in inputs]


def eval_numerical_gradient_net(net, inputs, output, h=1e-5):
    """eval_numerical_gradient_blobs for a net whose `forward()` reads `inputs` and fills `output`."""
    return eval_numerical_gradient_blobs(lambda *args: net.forward(), inputs, output, h=h)


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):
    """Compare analytic_grad with central differences at num_checks random elements of x.

    Prints one line per element; the indices come from Python's `random`, as in the original.
    Returns None, as the original does. Integer x is checked at a float64 copy (module docstring).
    """
    x = _float_array(x)
    for _ in range(num_checks):
        ix = tuple(randrange(m) for m in x.shape)
        # A one-element view of x: numerical_gradient perturbs it in place, that is, x[ix].
        element = x[tuple(slice(i, i + 1) for i in ix)]
        grad_numerical = numerical_gradient(lambda _: f(x), element, h=h).item()
        grad_analytic = analytic_grad[ix]
        rel_error = abs(grad_numerical - grad_analytic) / (abs(grad_numerical) + abs(grad_analytic))
        print("numerical: %f analytic: %f, relative error: %e" % (grad_numerical, grad_analytic, rel_error))


def _float_array(x):
    """x itself when it is a float array (so closures see the perturbations), else a float64 copy."""
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        return x
    return np.array(x, dtype=np.float64)
