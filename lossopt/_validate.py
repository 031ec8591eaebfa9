"""Input checks shared by every public function.

Each check runs once, at the boundary of a public function, and raises a
``TypeError`` (wrong kind of thing) or ``ValueError`` (right kind, wrong value)
whose message names the argument and says what was wrong. The checks are
cheap on purpose: they look at shapes, dtypes and a few reductions over the
small arrays (labels, scores), never at every element of X.

Every function that takes a linear problem (W, X, y, reg, delta, penalty)
checks it with :func:`check_linear_problem`; every function that draws
random numbers turns its ``seed`` into a Generator with :func:`check_seed`.
"""

import math
import numbers
from typing import NamedTuple

import numpy as np


def as_float_array(value, name, ndim):
    """Return ``value`` as a floating array with ``ndim`` dimensions (None: any).

    Floating input keeps its precision (float32 stays float32); integer and
    boolean input becomes float64. Anything else raises ``TypeError``.
    """
    array = _as_array(value, name)
    kind = array.dtype.kind
    if kind not in "fiub":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if kind != "f":
        array = array.astype(np.float64)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    return array


def _as_array(value, name):
    """``np.asarray(value)``, with a ragged list reported by name instead of by numpy."""
    try:
        return np.asarray(value)
    except ValueError as error:  # numpy: "setting an array element with a sequence ... inhomogeneous"
        raise ValueError(f"{name} is ragged: its rows must all have the same length ({error})") from None


def as_labels(y, num_examples, num_classes, name="y"):
    """Return ``y`` as a 1-D integer array of ``num_examples`` labels in [0, num_classes)."""
    labels = _as_array(y, name)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {labels.dtype}")
    if labels.shape != (num_examples,):
        raise ValueError(f"{name} must have shape ({num_examples},), one label per example, got shape {labels.shape}")
    if num_examples == 0:
        return labels
    low, high = labels.min(), labels.max()
    if low < 0 or high >= num_classes:
        raise ValueError(f"{name} must hold labels in [0, {num_classes}), got values from {low} to {high}")
    return labels


def check_scores(S, y, name="S"):
    """Check an N x C score matrix and its labels; return them as arrays.

    For the W-level losses, :func:`check_linear_problem` checks ``S = X @ W``
    instead: a NaN or infinity in X or W always shows up in S, so X itself
    never needs an extra pass.
    """
    S = as_float_array(S, name, ndim=2)
    num_examples, num_classes = S.shape
    if num_examples == 0:
        raise ValueError(f"{name} is an empty batch: it has no rows (examples)")
    if num_classes < 2:
        raise ValueError(f"{name} must have at least two columns (classes), got {num_classes}")
    labels = as_labels(y, num_examples, num_classes)
    if not np.isfinite(S).all():  # O(N * C), and no overflow warning as a sum of huge values would give
        raise ValueError(f"{name} contains NaN or infinity; check the inputs for non-finite values")
    return S, labels


def check_linear(W, X, name_W="W", name_X="X"):
    """Check that W (D x C) and X (N x D) are floating 2-D arrays that fit."""
    W = as_float_array(W, name_W, ndim=2)
    X = as_float_array(X, name_X, ndim=2)
    if X.shape[1] != W.shape[0]:
        raise ValueError(
            f"{name_X} has {X.shape[1]} columns (features) but {name_W} has {W.shape[0]} rows; "
            f"they must match: {name_X} is N x D and {name_W} is D x C"
        )
    return W, X


def check_nonnegative(value, name):
    """Return ``value`` as a float after checking it is a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not value >= 0 or math.isinf(value):
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return value


def check_positive(value, name):
    """Return ``value`` as a float after checking it is a finite number > 0."""
    value = check_nonnegative(value, name)
    if value == 0:
        raise ValueError(f"{name} must be > 0, got 0")
    return value


def check_int(value, name, low=0):
    """Return ``value`` as an int after checking it is an integer >= ``low`` (a seed, a number of points)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def check_positive_int(value, name):
    """Return ``value`` after checking it is an integer >= 1."""
    return check_int(value, name, low=1)


def check_in_range(value, name, low, high):
    """Return ``value`` as a float after checking it is a real number in [low, high] (a slider's start, say)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value:g}")
    return value


def check_choice(value, name, choices):
    """Return ``value`` after checking it is one of ``choices`` (all strings, or all integers)."""
    options = ", ".join(repr(choice) for choice in choices)
    kind = str if all(isinstance(choice, str) for choice in choices) else numbers.Integral
    if isinstance(value, bool) or not isinstance(value, kind):  # an array would compare elementwise with each
        raise TypeError(f"{name} must be one of {options}, got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of {options}")
    return value


def check_bool(value, name):
    """Return ``value`` as a bool after checking it is True or False (not "no", not 0.5)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def check_seed(seed, name="seed"):
    """Return a numpy Generator from ``seed``: None, an integer >= 0, or a Generator (used as is).

    Examples
    --------
    >>> int(check_seed(0).integers(10)) == int(np.random.default_rng(0).integers(10))
    True
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be None, an integer >= 0 or a numpy Generator, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {seed}")
    return np.random.default_rng(int(seed))


def check_finite(array, name):
    """Return ``array`` after checking it holds no NaN or infinity."""
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return array


class LinearProblem(NamedTuple):
    """The checked inputs of a linear classifier's loss, as :func:`check_linear_problem` returns them."""

    W: np.ndarray
    """(D, C) weights, floating."""
    X: np.ndarray
    """(N, D) examples, floating, N >= 1."""
    y: np.ndarray
    """(N,) integer labels in [0, C)."""
    S: np.ndarray
    """(N, C) scores ``X @ W`` (``+ b`` when a bias was given), all finite."""
    reg: float
    """Regularization strength, finite and >= 0."""
    delta: float
    """SVM margin, finite and >= 0."""
    penalty: str
    """One of ``lossopt.PENALTIES``."""
    b: np.ndarray | None
    """(C,) biases in W's precision, or None."""


def check_linear_problem(W, X, y, reg=0.0, delta=1.0, penalty="l2", *, b=None):
    """Check the inputs of a linear classifier's loss once; return them, and the scores.

    Every W-level function (the losses, the landscapes, training, the demo)
    starts here. Shapes, dtypes and labels are checked directly; NaN,
    infinity and overflow anywhere in X, W (or b) are found in the scores,
    which this computes anyway: ``S = X @ W (+ b)``, (N, C).

    Parameters
    ----------
    W : array, shape (D, C), C >= 2
    X : array, shape (N, D), N >= 1
    y : array of int, shape (N,), labels in [0, C)
    reg, delta : float, finite and >= 0
    penalty : {"l2", "l1", "elastic"}
    b : array, shape (C,), optional
        A separate bias (instead of the bias trick).

    Returns
    -------
    LinearProblem
        ``(W, X, y, S, reg, delta, penalty, b)``, checked.

    Examples
    --------
    >>> problem = check_linear_problem(np.eye(2), [[1.0, 2.0]], [1], reg=0.1)
    >>> problem.S, problem.reg
    (array([[1., 2.]]), 0.1)
    """
    from .regularization import PENALTIES  # here, not at the top: regularization imports this module

    W, X = check_linear(W, X)
    if X.shape[0] == 0:
        raise ValueError("X has no rows: give at least one example")
    if W.shape[1] < 2:
        raise ValueError(f"W must have at least two columns (classes), got shape {W.shape}")
    y = as_labels(y, X.shape[0], W.shape[1])
    reg = check_nonnegative(reg, "reg")
    delta = check_nonnegative(delta, "delta")
    penalty = check_choice(penalty, "penalty", PENALTIES)
    if b is not None:
        b = as_float_array(b, "b", ndim=1).astype(W.dtype, copy=False)
        if b.shape != (W.shape[1],):
            raise ValueError(f"b must have shape ({W.shape[1]},), one bias per class, got {b.shape}")
    with np.errstate(over="ignore", invalid="ignore"):  # reported just below, by name
        S = X @ W if b is None else X @ W + b
    if not np.isfinite(S).all():
        scores, inputs = ("X @ W", "X or W") if b is None else ("X @ W + b", "X, W or b")
        raise ValueError(
            f"the scores {scores} contain NaN or infinity: {inputs} holds NaN, infinity, or values so large "
            f"that the scores overflow; check {inputs}"
        )
    return LinearProblem(W, X, y, S, reg, delta, penalty, b)
