"""CS231n's numerical gradient checks, built on tinygrad231n.gradcheck's central differences.

    f = lambda w: svm_loss_naive(W, X_dev, y_dev, 0.0)[0]   # f may close over W: it is perturbed in place
    grad_numerical = grad_check_sparse(f, W, grad)

Every function perturbs `x` in place one element at a time and restores it, so a function that
ignores its argument and reads the array through a closure (as the notebooks write them) works.
"""
from random import randrange

import numpy as np

from tinygrad231n.gradcheck import numerical_gradient


def eval_numerical_gradient(f, x, verbose=True, h=0.00001):
    """Central-difference gradient of scalar f at array x (float64, shaped like x).

    With verbose, prints each index and its gradient, as the original does.
    """
    grad = numerical_gradient(f, x, h=h)
    if verbose:
        for ix in np.ndindex(x.shape):
            print(ix, grad[ix])
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical gradient of sum(f(x) * df) at x: the gradient that flows back to x when an
    upstream gradient df (shaped like f(x)) arrives at the output of array-valued f."""
    return numerical_gradient(f, x, h=h, upstream=np.asarray(df))


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):
    """Compare analytic_grad with central differences at num_checks random elements of x.

    Prints one line per element; the indices come from Python's `random`, as in the original.
    Returns None, as the original does.
    """
    for _ in range(num_checks):
        ix = tuple(randrange(m) for m in x.shape)
        # A one-element view of x: numerical_gradient perturbs it in place, that is, x[ix].
        element = x[tuple(slice(i, i + 1) for i in ix)]
        grad_numerical = numerical_gradient(lambda _: f(x), element, h=h).item()
        grad_analytic = analytic_grad[ix]
        rel_error = abs(grad_numerical - grad_analytic) / (abs(grad_numerical) + abs(grad_analytic))
        print("numerical: %f analytic: %f, relative error: %e" % (grad_numerical, grad_analytic, rel_error))
