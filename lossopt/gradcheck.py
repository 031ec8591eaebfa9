"""Numerical gradients, to check analytic ones (notebook 05). The centered difference (f(x + h) - f(x - h)) / 2h
has error O(h**2), the forward one O(h); too small an h loses to round-off, so h = 1e-5 in float64. The notes'
rule for the relative error: above 1e-2 the gradient is probably wrong, below 1e-7 you should be happy (1e-4
can be fine with kinks, as in the SVM).
"""

import numbers

import numpy as np

from ._validate import check_array, check_choice, check_scalar, check_seed


def _point(f, x):
    """Check f and x once; return the array to nudge: x, or a float64 copy of a float32 or float16 x
    (in float32, 1 + 1e-5 rounds to 1.0000100136: a step of 1e-5 would be off by about 1%).
    """
    if not callable(f):
        raise TypeError(f"f must be a callable that maps an array to a float, got {type(f).__name__}")
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError("x must be a floating numpy array (it is changed in place and restored)")
    if x.dtype.itemsize < 8:
        return x.astype(np.float64)
    if not x.flags.writeable:
        raise ValueError("x is read-only, but it is nudged in place (and restored): pass a writable copy, x.copy()")
    return x


def _value(f, x, where):
    try:
        value = float(f(x))
    except (TypeError, ValueError) as error:  # a result float() cannot convert
        raise TypeError(f"f must return a single number: {error}") from None
    if not np.isfinite(value):
        raise ValueError(f"f returned {value} at {where}; f must be finite near x")
    return value


def _partial(f, x, index, h, fx=None):
    """df/dx[index] by a centered difference (or a forward one when f(x) is given)."""
    where, original = f"x{list(index)}", x[index]
    try:
        x[index] = original + h
        f_plus = _value(f, x, f"{where} + h")
        if fx is None:
            x[index] = original - h
            slope = (f_plus - _value(f, x, f"{where} - h")) / (2 * h)
        else:
            slope = (f_plus - fx) / h
    finally:
        x[index] = original  # restore, even if f raised
    if not np.isfinite(slope):
        raise ValueError(f"the difference quotient at {where} overflows: f changes by more than a float holds")
    return slope


def numerical_gradient(f, x, h=1e-5, *, method="centered"):
    """Numerical gradient of f (an array shaped like x -> a float) at x by ``"centered"`` or ``"forward"`` differences.

    x is nudged in place by h, entry by entry, and restored; a float32 or float16 x is not: f is evaluated at a
    float64 copy, so f must use its argument. Returns float64 (x's precision, if higher).

    >>> numerical_gradient(lambda w: float(np.sum(w**2)), np.array([1.0, -2.0])).round(6)
    array([ 2., -4.])
    """
    x = _point(f, x)
    h = check_scalar(h, "h", low=0, low_open=True)
    fx = _value(f, x, "x") if check_choice(method, "method", ("centered", "forward")) == "forward" else None
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        grad[index] = _partial(f, x, index, h, fx)
    return grad


def rel_error(a, b):
    """Largest relative error max |a - b| / max(1e-8, |a| + |b|) of a and b (same shape, not empty).

    >>> rel_error([1.0, 2.0], [1.0, 6.0])
    0.5
    """
    a, b = check_array(a, "a", finite=True), check_array(b, "b", finite=True)
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"a and b must have the same shape, not empty, got {a.shape} and {b.shape}")
    a, b = a / 2, b / 2  # halves: the same ratio, and |a| + |b| cannot overflow even for a = -b = 1e308
    return float(np.max(np.abs(a - b) / np.maximum(0.5e-8, np.abs(a) + np.abs(b))))


def grad_check(f, x, analytic_grad, num_checks=10, h=1e-5, seed=None, *, verbose=False):
    """Relative errors (num_checks,) of ``analytic_grad`` (x's shape) against centered differences at entries of x
    drawn with ``seed``, with replacement; f, x as in :func:`numerical_gradient`; ``verbose`` prints each line.

    >>> w = np.array([1.0, -2.0, 0.5])
    >>> bool(grad_check(lambda v: float(np.sum(v**2)), w, 2 * w, num_checks=3, seed=0).max() < 1e-7)
    True
    """
    x = _point(f, x)
    if x.size == 0:
        raise ValueError(f"x is empty (shape {x.shape}): there is no entry to check")
    analytic_grad = check_array(analytic_grad, "analytic_grad", finite=True)
    if analytic_grad.shape != x.shape:
        raise ValueError(f"analytic_grad must have the shape of x, {x.shape}, got {analytic_grad.shape}")
    num_checks = int(check_scalar(num_checks, "num_checks", numbers.Integral, low=1))
    h = check_scalar(h, "h", low=0, low_open=True)
    rng = check_seed(seed)
    errors = np.empty(num_checks)
    for k in range(num_checks):
        index = tuple(int(rng.integers(n)) for n in x.shape)
        numerical, analytic = _partial(f, x, index, h), float(analytic_grad[index])
        errors[k] = rel_error(numerical, analytic)
        if verbose:
            print(f"numerical {numerical: .6e}  analytic {analytic: .6e}  relative error {errors[k]:.2e}")
    return errors
