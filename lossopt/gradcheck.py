"""Numerical gradients, to check analytic ones.

The centered difference (f(x + h) - f(x - h)) / 2h has error O(h**2), the
forward difference (f(x + h) - f(x)) / h only O(h). Too small an h loses
to floating-point round-off instead, so h = 1e-5 in float64 is the usual
compromise. Compare gradients with the relative error; the CS231n notes'
rule of thumb: above 1e-2 the gradient is probably wrong, below 1e-7 you
should be happy (with kinks, as in the SVM, 1e-4 can be fine).
"""

import numpy as np

from ._validate import as_float_array, check_positive, check_positive_int


def _as_checked_point(x):
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError("x must be a floating numpy array (it is changed in place and restored)")
    return x


def numerical_gradient(f, x, h=1e-5, *, method="centered"):
    """Numerical gradient of a scalar function by finite differences.

    Parameters
    ----------
    f : callable
        Maps an array shaped like ``x`` to a float.
    x : ndarray of float, any shape
        The point. It is nudged in place, one entry at a time, and restored
        exactly afterwards.
    h : float, default 1e-5
        The step.
    method : {"centered", "forward"}
        Centered differences (error O(h**2)) or forward ones (error O(h)).

    Returns
    -------
    grad : ndarray, shape of x
        The estimate of df/dx.

    Examples
    --------
    >>> import numpy as np
    >>> g = numerical_gradient(lambda w: float(np.sum(w**2)), np.array([1.0, -2.0]))
    >>> np.round(g, 6)
    array([ 2., -4.])
    """
    if not callable(f):
        raise TypeError(f"f must be a callable that maps an array to a float, got {type(f).__name__}")
    x = _as_checked_point(x)
    h = check_positive(h, "h")
    if method not in ("centered", "forward"):
        raise ValueError(f"unknown method {method!r}; choose 'centered' or 'forward'")
    grad = np.zeros_like(x)
    fx = float(f(x)) if method == "forward" else None
    for index in np.ndindex(x.shape):
        grad[index] = _partial(f, x, index, h, fx)
    return grad


def _partial(f, x, index, h, fx=None):
    """df/dx[index] by a centered difference (or a forward one when f(x) is given)."""
    original = x[index]
    try:
        x[index] = original + h
        f_plus = float(f(x))
        if fx is not None:
            return (f_plus - fx) / h
        x[index] = original - h
        f_minus = float(f(x))
        return (f_plus - f_minus) / (2 * h)
    finally:
        x[index] = original  # restore, even if f raised


def rel_error(a, b):
    """Largest relative error max |a - b| / max(1e-8, |a| + |b|), elementwise.

    Parameters
    ----------
    a, b : arrays of the same shape (or scalars)

    Returns
    -------
    float

    Examples
    --------
    >>> rel_error([1.0, 2.0], [1.0, 6.0])
    0.5
    """
    a = as_float_array(a, "a", ndim=np.ndim(a))
    b = as_float_array(b, "b", ndim=np.ndim(b))
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = np.maximum(1e-8, np.abs(a) + np.abs(b))
    return float(np.max(np.abs(a - b) / scale))


def grad_check(f, x, analytic_grad, num_checks=10, h=1e-5, seed=None, *, verbose=False):
    """Compare an analytic gradient with centered differences at random entries.

    Parameters
    ----------
    f : callable
        Maps an array shaped like ``x`` to a float.
    x : ndarray of float
        The point (nudged in place and restored).
    analytic_grad : ndarray, shape of x
        The gradient to check.
    num_checks : int, default 10
        How many randomly chosen entries to check.
    h : float, default 1e-5
    seed : int or numpy Generator, optional
        Chooses the entries, so a check repeats.
    verbose : bool, default False
        Print one line per entry: numerical, analytic, relative error.

    Returns
    -------
    errors : ndarray, shape (num_checks,)
        The relative error at each checked entry.

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0, -2.0, 0.5])
    >>> errors = grad_check(lambda v: float(np.sum(v**2)), w, 2 * w, num_checks=3, seed=0)
    >>> bool(errors.max() < 1e-7)
    True
    """
    if not callable(f):
        raise TypeError(f"f must be a callable that maps an array to a float, got {type(f).__name__}")
    x = _as_checked_point(x)
    analytic_grad = np.asarray(analytic_grad)
    if analytic_grad.shape != x.shape:
        raise ValueError(f"analytic_grad must have the shape of x, {x.shape}, got {analytic_grad.shape}")
    num_checks = check_positive_int(num_checks, "num_checks")
    h = check_positive(h, "h")
    rng = np.random.default_rng(seed)
    errors = np.empty(num_checks)
    for k in range(num_checks):
        index = tuple(int(rng.integers(n)) for n in x.shape)
        numerical = _partial(f, x, index, h)
        analytic = float(analytic_grad[index])
        errors[k] = rel_error(numerical, analytic)
        if verbose:
            print(f"numerical {numerical: .6e}  analytic {analytic: .6e}  relative error {errors[k]:.2e}")
    return errors
