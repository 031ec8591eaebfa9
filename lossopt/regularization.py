"""Weight penalties R(W) and their gradients.

The full loss is ``L = data loss + reg * R(W)``; these functions give R and
dR/dW. The lecture's three penalties, summed over every entry W[k, l]:

- ``"l2"``:      R = sum W**2,              dR = 2 W (smooth everywhere)
- ``"l1"``:      R = sum |W|,               dR = sign(W) (a subgradient: |w| has a kink at 0)
- ``"elastic"``: R = sum beta W**2 + |W|,   dR = 2 beta W + sign(W)
  (the lecture's "elastic net (L1 + L2)"; beta weighs the L2 part)
"""

import numpy as np

from ._validate import as_float_array, check_choice, check_nonnegative

PENALTIES = ("l2", "l1", "elastic")


def regularization(W, penalty="l2", *, beta=1.0):
    """Penalty R(W) and its gradient dR/dW.

    Parameters
    ----------
    W : array, shape (D, C)
        Weights.
    penalty : {"l2", "l1", "elastic"}
        Which penalty (see the module docstring for the formulas).
    beta : float, default 1.0
        Weight of the L2 part of the elastic net; ignored by "l2" and "l1".

    Returns
    -------
    R : float
        The penalty, a scalar of W's dtype.
    dR : array, shape (D, C)
        Its gradient (for L1, the subgradient ``sign(W)``, 0 at W = 0).

    Examples
    --------
    >>> import numpy as np
    >>> R, dR = regularization(np.array([[0.25], [0.25], [0.25], [0.25]]))
    >>> float(R)
    0.25
    """
    W = as_float_array(W, "W", ndim=2)
    check_choice(penalty, "penalty", PENALTIES)
    beta = check_nonnegative(beta, "beta")
    with np.errstate(over="ignore", invalid="ignore"):  # reported just below, by name
        R, dR = penalty_and_gradient(W, penalty, beta)
    if not np.isfinite(R):  # R sums every entry: it is finite exactly when no entry is NaN, infinite or overflows
        what = "NaN or infinity" if not np.isfinite(W).all() else f"values too large for {W.dtype} (R overflows)"
        raise ValueError(f"W contains {what}; R(W) is not defined")
    return R, dR


def penalty_and_gradient(W, penalty, beta=1.0):
    """Unchecked core of :func:`regularization`, for callers that checked W already."""
    if penalty == "l2":
        return W.dtype.type(np.vdot(W, W)), 2 * W
    sign = np.sign(W)
    l1 = W.dtype.type(np.vdot(sign, W))  # sum |w| = sum sign(w) * w
    if penalty == "l1":
        return l1, sign
    return W.dtype.type(beta * np.vdot(W, W) + l1), 2 * beta * W + sign
