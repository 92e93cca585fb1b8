"""Check tape gradients against numerical ones (central differences).

    numerical_gradient(f, x)          # d f(x) / dx for a scalar function of an array
    gradcheck(fn, *inputs)            # raises AssertionError on the first disagreeing input
"""
import numpy as np

from .function import no_grad
from .tensor import Tensor


def numerical_gradient(f, x, h=1e-5, upstream=None):
    """Central differences (f(x+h) - f(x-h)) / 2h of scalar `f(x)` for every element of array `x`.

    With `upstream` (shaped like f(x)), f may return an array and the result is the gradient of
    sum(f(x) * upstream), taken as sum((f(x+h) - f(x-h)) * upstream) / 2h: differencing before
    summing keeps the digits that summing first would cancel away.
    `x` is perturbed in place one element at a time and restored, so `f` may close over it.
    Returns a float64 array shaped like `x`.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        plus = np.array(f(x), dtype=np.float64)  # a copy: f may return the same buffer each call
        x[index] = original - h
        minus = np.array(f(x), dtype=np.float64)
        x[index] = original
        difference = plus - minus if upstream is None else np.sum((plus - minus) * upstream)
        grad[index] = float(difference) / (2 * h)
    return grad


def gradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """Compare the tape's gradients of `fn(*inputs)` with central differences; True if all agree.

    Checked inputs: Tensors with requires_grad=True and float numpy arrays. Anything else (int
    labels, Python numbers, constant Tensors) is passed through untouched. Everything runs in
    float64 on copies, so the caller's tensors and their .grad are left alone. A non-scalar
    output is reduced with fixed random weights, which checks the whole Jacobian in one pass.
    Agreement means |analytic - numeric| <= atol + rtol * |numeric| for every element, and every
    value finite: a NaN or infinite output or gradient (tape or numerical) fails the check, since
    nothing can be said to agree with it.
    """
    args = [_checked_copy(x) for x in inputs]
    checked = [i for i, x in enumerate(inputs) if _is_checked(x)]
    if not checked:
        raise ValueError("gradcheck: no input to check; pass Tensors with requires_grad=True or float arrays")
    out = fn(*args)
    _assert_finite("the output of fn", out.data)
    weights = np.random.default_rng(seed).standard_normal(out.shape)

    def weighted_output():
        with no_grad():
            return float((fn(*args).data * weights).sum())

    (out * Tensor(weights)).sum().backward()
    for i in checked:
        analytic = args[i].grad if args[i].grad is not None else np.zeros(args[i].shape)
        numeric = numerical_gradient(lambda _: weighted_output(), args[i].data, h=eps)
        _assert_close(i, inputs[i], analytic, numeric, atol, rtol)
    return True


def _is_checked(x):
    if isinstance(x, Tensor):
        return x.requires_grad
    return isinstance(x, np.ndarray) and x.dtype.kind == "f"


def _checked_copy(x):
    if not _is_checked(x):
        return x
    data = x.data if isinstance(x, Tensor) else x
    return Tensor(np.array(data, dtype=np.float64), requires_grad=True, name=getattr(x, "name", None))


def _assert_finite(what, values):
    bad = ~np.isfinite(values)
    if bad.any():
        where = np.unravel_index(np.argmax(bad), bad.shape)
        raise AssertionError(f"gradcheck: {what} is not finite: {np.asarray(values)[where]} at index "
                             f"{tuple(int(k) for k in where)} ({int(bad.sum())} of {bad.size} values are NaN or "
                             "infinite); a gradcheck cannot pass on non-finite values")


def _assert_close(i, original, analytic, numeric, atol, rtol):
    name = getattr(original, "name", None)
    label = f"input {i}" + (f" ({name!r})" if name else "") + f" of shape {np.shape(analytic)}"
    _assert_finite(f"{label}: the tape gradient", analytic)
    _assert_finite(f"{label}: the numerical gradient", numeric)
    error = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    if error.size and error.max() > 0:
        worst = np.unravel_index(np.argmax(error), error.shape)
        raise AssertionError(f"gradcheck: {label}: gradient mismatch at index {tuple(int(k) for k in worst)}: "
                             f"analytic {analytic[worst]:.8g} vs numerical {numeric[worst]:.8g} "
                             f"(atol={atol}, rtol={rtol}; {int((error > 0).sum())} of {error.size} elements differ)")
