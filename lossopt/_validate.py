"""Input checks shared by every public function.

Each check runs once, at the boundary of a public function, and raises a
``TypeError`` (wrong kind of thing) or ``ValueError`` (right kind, wrong value)
whose message names the argument and says what was wrong. The checks are
cheap on purpose: they look at shapes, dtypes and a few reductions over the
small arrays (labels, scores), never at every element of X.
"""

import math
import numbers

import numpy as np


def as_float_array(value, name, ndim):
    """Return ``value`` as a floating array with ``ndim`` dimensions.

    Floating input keeps its precision (float32 stays float32); integer and
    boolean input becomes float64. Anything else raises ``TypeError``.
    """
    array = np.asarray(value)
    kind = array.dtype.kind
    if kind not in "fiub":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if kind != "f":
        array = array.astype(np.float64)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    return array


def as_labels(y, num_examples, num_classes, name="y"):
    """Return ``y`` as a 1-D integer array of ``num_examples`` labels in [0, num_classes)."""
    labels = np.asarray(y)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {labels.dtype}")
    if labels.shape != (num_examples,):
        raise ValueError(f"{name} must have shape ({num_examples},), one label per example, got shape {labels.shape}")
    low, high = labels.min(), labels.max()
    if low < 0 or high >= num_classes:
        raise ValueError(f"{name} must hold labels in [0, {num_classes}), got values from {low} to {high}")
    return labels


def check_scores(S, y, name="S"):
    """Check an N x C score matrix and its labels; return them as arrays.

    NaN or infinity is caught here, in the (small) score matrix: for the
    W-level losses a NaN or infinity in X or W always shows up in
    ``S = X @ W``, so X itself never needs an extra pass.
    """
    S = as_float_array(S, name, ndim=2)
    num_examples, num_classes = S.shape
    if num_examples == 0:
        raise ValueError(f"{name} is an empty batch: it has no rows (examples)")
    if num_classes < 2:
        raise ValueError(f"{name} must have at least two columns (classes), got {num_classes}")
    labels = as_labels(y, num_examples, num_classes)
    # One reduction finds any NaN or infinity: they make the sum non-finite.
    if not math.isfinite(S.sum()):
        what = "scores X @ W" if name == "X @ W" else name
        raise ValueError(f"{what} contain NaN or infinity (or overflow); check the inputs for non-finite values")
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


def check_positive_int(value, name):
    """Return ``value`` after checking it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)


def check_choice(value, name, choices):
    """Return ``value`` after checking it is one of ``choices``."""
    if value not in choices:
        options = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"unknown {name} {value!r}; choose one of {options}")
    return value
