"""Input checks shared by every public function, run once where a user calls in (inner loops call kernels).

Each raises a ``TypeError`` (wrong kind of thing) or ``ValueError`` (wrong value) naming the argument. They look
at types, shapes and labels, never at every element of X: NaN, infinity or overflow shows in the result (blame).
"""

import math
import numbers

import numpy as np

PENALTIES = ("l2", "l1", "elastic")


def check_scalar(value, name, kind=numbers.Real, *, low=None, high=None, low_open=False):
    """``value`` if it is a finite number of ``kind`` (not a bool) in [low, high] (``low_open``: (low, high]).

    The messages are scikit-learn's ``check_scalar``'s; its code is not called: it lets NaN, infinity and bools
    through, and its generality costs every public loss call time.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        what = "an integer" if kind is numbers.Integral else "a real number"
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    if not isinstance(value, numbers.Integral) and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name} == {value}, must be {'>' if low_open else '>='} {low}.")
    if high is not None and value > high:
        raise ValueError(f"{name} == {value}, must be <= {high}.")
    return value


def check_choice(value, name, choices):
    """``value`` after checking it is one of ``choices`` (all strings, or all integers)."""
    kind = str if isinstance(choices[0], str) else numbers.Integral
    right_type = isinstance(value, kind) and not isinstance(value, bool)  # first: an array would compare elementwise
    if right_type and value in choices:
        return value
    options = ", ".join(repr(choice) for choice in choices)  # built only for the message
    if not right_type:
        raise TypeError(f"{name} must be one of {options}, got {type(value).__name__}")
    raise ValueError(f"unknown {name} {value!r}; choose one of {options}")


def check_bool(value, name):
    """``value`` as a bool after checking it is True or False (not "no", not 0.5)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def check_seed(seed, name="seed"):
    """A numpy Generator from ``seed``: None, an integer >= 0, or a Generator (returned as is).

    (scikit-learn's ``check_random_state`` makes the legacy ``RandomState``.)
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be None, an integer >= 0 or a numpy Generator, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {seed}")
    return np.random.default_rng(int(seed))


def check_array(value, name, ndim=None, *, finite=False):
    """``value`` as a floating array (float32 kept, integers and bools as float64), ``ndim``-D, finite if asked."""
    try:
        array = np.asarray(value)
    except ValueError as error:  # numpy: "setting an array element with a sequence ... inhomogeneous"
        raise ValueError(f"{name} is ragged: its rows must all have the same length ({error})") from None
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    if finite and not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinity")
    return array


def check_labels(y, num_examples, num_classes, name="y"):
    """``y`` as a 1-D integer array of ``num_examples`` labels in [0, num_classes)."""
    try:
        labels = np.asarray(y)
    except ValueError:
        raise ValueError(f"{name} is ragged: give one integer label per example") from None
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {labels.dtype}")
    if labels.shape != (num_examples,):
        raise ValueError(f"{name} must have shape ({num_examples},), one label per example, got shape {labels.shape}")
    if num_examples and not (labels.min() >= 0 and labels.max() < num_classes):
        raise ValueError(
            f"{name} must hold labels in [0, {num_classes}), got values from {labels.min()} to {labels.max()}"
        )
    return labels


def check_problem(W, X, y):
    """W (D, C), C >= 2; X (N, D), N >= 1; y (N,) in [0, C). NaN and overflow show in the loss (:func:`blame`)."""
    W, X = check_array(W, "W", 2), check_array(X, "X", 2)
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X has {X.shape[1]} columns but W has {W.shape[0]} rows; they must match (X @ W)")
    if X.shape[0] == 0:
        raise ValueError("X has no rows: give at least one example")
    if W.shape[1] < 2:
        raise ValueError(f"W must have at least two columns (classes), got shape {W.shape}")
    return W, X, check_labels(y, X.shape[0], W.shape[1])


def check_scores(S, y, name="S"):
    """An (N, C) score matrix, N >= 1, C >= 2, finite, and its labels: ``(S, y)``."""
    S = check_array(S, name, 2)
    if S.shape[0] == 0 or S.shape[1] < 2:
        raise ValueError(f"{name} must have at least one row (example) and two columns (classes), got {S.shape}")
    y = check_labels(y, *S.shape)
    if not np.isfinite(S).all():
        raise ValueError(f"{name} contains NaN or infinity; check the inputs for non-finite values")
    return S, y


def blame(results, inputs, what="the loss"):
    """``results`` if every one is finite; else a ``ValueError`` naming the input (name -> value) at fault.

    The one overflow check of a public function, after its unchecked kernel ran
    under ``np.errstate(all="ignore")``: a NaN or infinity in any input shows in
    the results, and only then are the inputs searched, in the order given.
    """
    if all(np.isfinite(result).all() for result in results):
        return results
    for name, value in inputs.items():
        if not np.isfinite(value).all():
            raise ValueError(f"{name} contains NaN or infinity")
    *others, last = inputs
    names = f"{', '.join(others)} or {last}" if others else last
    raise ValueError(f"{what} overflows: {names} holds values too large for the dtype; rescale them")
