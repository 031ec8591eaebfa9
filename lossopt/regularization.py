"""Weight penalties R(W) and their gradients; the full loss is ``data loss + reg * R(W)``, R summed over W[k, l]:

- ``"l2"``:      R = sum W**2,              dR = 2 W (smooth everywhere)
- ``"l1"``:      R = sum |W|,               dR = sign(W) (a subgradient: |w| has a kink at 0)
- ``"elastic"``: R = sum beta W**2 + |W|,   dR = 2 beta W + sign(W) (the lecture's "elastic net (L1 + L2)")
"""

import numpy as np

from ._validate import PENALTIES, blame, check_array, check_choice, check_scalar


def _regularization(W, penalty="l2", beta=1.0):
    """Unchecked: ``(R, dR)`` of (D, C) weights W, for inner loops whose W was checked."""
    if penalty == "l2":
        return W.dtype.type(np.vdot(W, W)), 2 * W
    l1 = W.dtype.type(np.abs(W).sum())
    if penalty == "l1":
        return l1, np.sign(W)
    return W.dtype.type(beta * np.vdot(W, W) + l1), 2 * beta * W + np.sign(W)


def regularization(W, penalty="l2", *, beta=1.0):
    """Penalty R(W) (a scalar of W's dtype) and its gradient dR/dW (D, C) of weights W (D, C).

    ``penalty``: "l2", "l1" (subgradient ``sign(W)``, 0 at 0) or "elastic" (``beta`` weighs its L2 part).

    >>> float(regularization(np.array([[0.25], [0.25], [0.25], [0.25]]))[0])
    0.25
    """
    W = check_array(W, "W", 2)
    penalty = check_choice(penalty, "penalty", PENALTIES)
    beta = check_scalar(beta, "beta", low=0)
    with np.errstate(all="ignore"):  # a non-finite W, or R overflowing, is named just below
        return blame(_regularization(W, penalty, beta), {"W": W}, "R(W)")
