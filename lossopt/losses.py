"""Loss functions of a linear classifier, and their gradients.

Every loss is written once, at the score level: from a score matrix
``S`` (N x C, one row per example, one column per class) and the labels
``y`` it returns the mean loss over the N examples and ``dS``, the gradient
with respect to the scores. The W-level functions only compose::

    S = X @ W                           # (N, C) scores
    loss, dS = <score-level loss>(S, y)
    dW = X.T @ dS                       # (D, C) chain rule through S = X W
    loss += reg * R(W);  dW += reg * dR

so the only expensive work is the two matrix products; the loss itself is
O(N * C). The ``*_naive`` twins compute the same numbers with explicit loops
over examples and classes, to be read beside the vectorized forms.

Score-level losses (L_i is the loss of example i, s = S[i], label y_i):

- multiclass SVM (Weston-Watkins):  L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta)
- softmax (cross-entropy, natural log):  L_i = -ln(e^{s_{y_i}} / sum_j e^{s_j})
- one-vs-all SVM:  L_i = sum_j max(0, delta - t_j s_j), with t_j = +1 if j = y_i else -1
- structured SVM (Crammer-Singer):  L_i = max(0, max_{j != y_i} s_j - s_{y_i} + delta)
"""

import numpy as np

from ._validate import as_float_array, check_choice, check_linear, check_nonnegative, check_scores
from .regularization import PENALTIES, penalty_and_gradient

# ----------------------------------------------------------------------------
# Score level: (S, y) -> (loss, dS). The underscored functions assume checked
# input; the public ones check it first. Each computes the N per-example
# losses L_i and returns their mean, or, with per_example=True, all of them
# (for curves and landscapes); dS is always the gradient of the mean, and
# gradient=False skips it (a landscape needs only the losses).
# ----------------------------------------------------------------------------


def _reduce(losses, per_example):
    """The N losses L_i themselves, or their mean."""
    return losses if per_example else losses.sum() / losses.size  # .mean() costs 4x more on small arrays


def _row_sums(A):
    """Sum of each row, (N, C) -> (N,), as a product with a vector of ones.

    The same numbers as ``A.sum(axis=1)``, several times faster when rows
    are as short as C = 10: numpy reduces each short row separately.
    """
    return A @ np.ones(A.shape[1], dtype=A.dtype)


def _svm(S, y, delta=1.0, per_example=False, gradient=True):
    N = S.shape[0]
    rows = np.arange(N)
    correct = S[rows, y][:, np.newaxis]  # (N, 1) score of the right class
    margins = S - correct  # (N, C)
    margins += delta
    np.maximum(margins, 0, out=margins)
    margins[rows, y] = 0  # the sum skips j = y_i
    losses = _row_sums(margins)  # (N,) L_i
    if not gradient:
        return _reduce(losses, per_example), None
    # Each violated margin pushes s_j up by 1 and s_{y_i} down by 1.
    dS = (margins > 0).astype(S.dtype)  # (N, C)
    dS[rows, y] = 0.0 - _row_sums(dS)  # (0 - n, not -n: no -0.0 where nothing is violated)
    dS /= N
    return _reduce(losses, per_example), dS


def _softmax(S, y, delta=None, per_example=False, gradient=True):
    N = S.shape[0]
    rows = np.arange(N)
    top = S.argmax(axis=1)  # (N,) the highest score of each row
    # Shift each row by its maximum: the probabilities are unchanged and
    # exp never overflows (the largest exponent is 0, so e^0 = 1 at `top`).
    shifted = S - S[rows, top][:, np.newaxis]  # (N, C), all <= 0
    exp_scores = np.exp(shifted)
    exp_scores[rows, top] = 0
    rest = _row_sums(exp_scores)  # (N,) sum_j e^{shifted_j} - 1, never rounded against the 1
    # -ln p_y = ln(1 + rest) - shifted_y. log1p keeps a tiny loss such as
    # ln(1 + 2e^-110) = 3.4e-48 that ln(1 + rest) would round to 0.
    losses = np.log1p(rest) - shifted[rows, y]  # (N,) L_i
    if not gradient:
        return _reduce(losses, per_example), None
    exp_scores[rows, top] = 1
    dS = exp_scores / (1 + rest)[:, np.newaxis]  # probabilities p, (N, C)
    dS[rows, y] -= 1  # dL_i/ds = p - onehot(y_i)
    dS /= N
    return _reduce(losses, per_example), dS


def _ova_svm(S, y, delta=1.0, per_example=False, gradient=True):
    N = S.shape[0]
    rows = np.arange(N)
    targets = np.full(S.shape, -1, dtype=S.dtype)  # (N, C), t_j = -1 ...
    targets[rows, y] = 1  # ... and +1 for the right class
    margins = delta - targets * S  # each class is its own binary SVM
    active = margins > 0
    losses = _row_sums(margins * active)  # (N,) L_i
    if not gradient:
        return _reduce(losses, per_example), None
    dS = -targets * active / N
    return _reduce(losses, per_example), dS


def _structured_svm(S, y, delta=1.0, per_example=False, gradient=True):
    N = S.shape[0]
    rows = np.arange(N)
    wrong = S.copy()
    wrong[rows, y] = -np.inf  # so argmax finds the best wrong class
    rival = wrong.argmax(axis=1)  # (N,) highest-scoring wrong class
    margin = S[rows, rival] - S[rows, y] + delta  # (N,)
    active = (margin > 0).astype(S.dtype)
    losses = margin * active  # (N,) L_i
    if not gradient:
        return _reduce(losses, per_example), None
    dS = np.zeros_like(S)
    dS[rows, rival] = active / N
    dS[rows, y] = -active / N
    return _reduce(losses, per_example), dS


SCORE_LOSSES = {
    "svm": _svm,
    "softmax": _softmax,
    "ova_svm": _ova_svm,
    "structured_svm": _structured_svm,
}
"""Score-level losses by name, inputs unchecked:
``name -> f(S, y, delta, per_example=False, gradient=True) -> (loss, dS)``."""


def svm_scores_loss(S, y, *, delta=1.0, per_example=False):
    """Multiclass SVM (Weston-Watkins) loss from a score matrix.

    Parameters
    ----------
    S : array, shape (N, C)
        Scores, one row per example.
    y : array of int, shape (N,)
        Labels in [0, C).
    delta : float, default 1.0
        The margin.
    per_example : bool, default False
        Return the N losses L_i instead of their mean.

    Returns
    -------
    loss : float, or array of shape (N,) with ``per_example``
        Mean over the N examples of L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta).
    dS : array, shape (N, C)
        Gradient of the mean loss with respect to S.

    Examples
    --------
    The lecture's worked example, three images (rows) and three classes:

    >>> S = [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]
    >>> loss, dS = svm_scores_loss(S, [0, 1, 2])
    >>> round(float(loss), 2)
    5.27
    >>> svm_scores_loss(S, [0, 1, 2], per_example=True)[0].round(2)
    array([ 2.9,  0. , 12.9])
    """
    S, y = check_scores(S, y)
    return _svm(S, y, check_nonnegative(delta, "delta"), per_example=bool(per_example))


def softmax_scores_loss(S, y, *, per_example=False):
    """Softmax cross-entropy loss (natural log) from a score matrix.

    Parameters
    ----------
    S : array, shape (N, C)
        Scores (unnormalized log probabilities), one row per example.
    y : array of int, shape (N,)
        Labels in [0, C).
    per_example : bool, default False
        Return the N losses L_i instead of their mean.

    Returns
    -------
    loss : float, or array of shape (N,) with ``per_example``
        Mean over the N examples of L_i = -ln softmax(s)_{y_i}.
    dS : array, shape (N, C)
        Gradient of the mean loss with respect to S: (softmax(S) - onehot(y)) / N.

    Examples
    --------
    >>> loss, dS = softmax_scores_loss([[3.2, 5.1, -1.7]], [0])
    >>> round(float(loss), 2)
    2.04
    """
    S, y = check_scores(S, y)
    return _softmax(S, y, per_example=bool(per_example))


def softmax_probabilities(S):
    """The softmax of each row of a score matrix: probabilities that sum to 1.

    Parameters
    ----------
    S : array, shape (N, C)

    Returns
    -------
    P : array, shape (N, C)
        P[i, j] = e^{S[i, j]} / sum_k e^{S[i, k]}, computed from max-shifted
        scores, so any finite scores work.

    Examples
    --------
    >>> softmax_probabilities([[3.2, 5.1, -1.7]]).round(2)
    array([[0.13, 0.87, 0.  ]])
    """
    S = as_float_array(S, "S", ndim=2)
    if not np.isfinite(S).all():
        raise ValueError("S contain NaN or infinity")
    exp_scores = np.exp(S - S.max(axis=1, keepdims=True))  # the max-shift: no overflow
    return exp_scores / exp_scores.sum(axis=1, keepdims=True)


def ova_svm_scores_loss(S, y, *, delta=1.0, per_example=False):
    """One-vs-all SVM loss: each class is a binary SVM against all others.

    Parameters and returns as in :func:`svm_scores_loss`; the loss is the mean
    of sum_j max(0, delta - t_j s_j), with t_j = +1 for the right class, else -1.
    """
    S, y = check_scores(S, y)
    return _ova_svm(S, y, check_nonnegative(delta, "delta"), per_example=bool(per_example))


def structured_svm_scores_loss(S, y, *, delta=1.0, per_example=False):
    """Structured (Crammer-Singer) SVM loss: only the best wrong class counts.

    Parameters and returns as in :func:`svm_scores_loss`; the loss is the mean
    of max(0, max_{j != y_i} s_j - s_{y_i} + delta).
    """
    S, y = check_scores(S, y)
    return _structured_svm(S, y, check_nonnegative(delta, "delta"), per_example=bool(per_example))


# ----------------------------------------------------------------------------
# W level: scores, a score-level loss, regularization.
# ----------------------------------------------------------------------------


def linear_loss(W, X, y, reg=0.0, *, loss="svm", delta=1.0, penalty="l2"):
    """Loss and gradient of a linear classifier ``S = X @ W``, any loss by name.

    Parameters
    ----------
    W : array, shape (D, C)
        Weights (with the bias trick, the last row holds the biases).
    X : array, shape (N, D)
        Examples, one per row.
    y : array of int, shape (N,)
        Labels in [0, C).
    reg : float, default 0.0
        Regularization strength lambda.
    loss : {"svm", "softmax", "ova_svm", "structured_svm"}
        Which score-level loss.
    delta : float, default 1.0
        Margin of the SVM losses (ignored by softmax).
    penalty : {"l2", "l1", "elastic"}
        Regularization penalty, see :func:`lossopt.regularization`.

    Returns
    -------
    loss : float
        data loss + reg * R(W), in the precision of the inputs.
    dW : array, shape (D, C)
        Its gradient with respect to W.
    """
    score_loss = SCORE_LOSSES[check_choice(loss, "loss", tuple(SCORE_LOSSES))]
    W, X, y, S, reg, delta = _checked_scores(W, X, y, reg, delta, penalty)  # S = X @ W, (N, C)
    value, dS = score_loss(S, y, delta)
    dW = X.T @ dS  # (D, C)
    return _add_penalty(value, dW, W, reg, penalty)


def _checked_scores(W, X, y, reg, delta, penalty):
    """Check the W-level inputs once; return them with the scores ``S = X @ W``."""
    W, X = check_linear(W, X)
    reg = check_nonnegative(reg, "reg")
    delta = check_nonnegative(delta, "delta")
    check_choice(penalty, "penalty", PENALTIES)
    with np.errstate(invalid="ignore", over="ignore"):  # a NaN or inf is reported below, clearly
        S = X @ W
    S, y = check_scores(S, y, name="X @ W")
    return W, X, y, S, reg, delta


def _add_penalty(loss, dW, W, reg, penalty):
    """``loss + reg * R(W)`` and ``dW + reg * dR`` (dW is updated in place)."""
    if reg:
        R, dR = penalty_and_gradient(W, penalty)
        loss += reg * R
        dW += reg * dR
    return loss, dW


def svm_loss(W, X, y, reg=0.0, *, delta=1.0, penalty="l2"):
    """Multiclass SVM (Weston-Watkins) loss of ``S = X @ W`` and its gradient.

    Parameters
    ----------
    W : array, shape (D, C)
    X : array, shape (N, D)
    y : array of int, shape (N,), labels in [0, C)
    reg : float, default 0.0
        Regularization strength lambda.
    delta : float, default 1.0
        The margin.
    penalty : {"l2", "l1", "elastic"}

    Returns
    -------
    loss : float
        Mean hinge loss + reg * R(W).
    dW : array, shape (D, C)

    Examples
    --------
    >>> import numpy as np
    >>> X, W = np.eye(3), np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    >>> round(float(svm_loss(W, X, [0, 1, 2])[0]), 2)
    5.27
    """
    return linear_loss(W, X, y, reg, loss="svm", delta=delta, penalty=penalty)


def softmax_loss(W, X, y, reg=0.0, *, penalty="l2"):
    """Softmax cross-entropy loss of ``S = X @ W`` and its gradient.

    Parameters
    ----------
    W : array, shape (D, C)
    X : array, shape (N, D)
    y : array of int, shape (N,), labels in [0, C)
    reg : float, default 0.0
        Regularization strength lambda.
    penalty : {"l2", "l1", "elastic"}

    Returns
    -------
    loss : float
        Mean cross-entropy (natural log) + reg * R(W).
    dW : array, shape (D, C)

    Examples
    --------
    With all scores zero every class has probability 1/C, so the loss is ln C:

    >>> import numpy as np
    >>> round(float(softmax_loss(np.zeros((4, 10)), np.ones((2, 4)), [3, 7])[0]), 6)
    2.302585
    """
    return linear_loss(W, X, y, reg, loss="softmax", penalty=penalty)


# ----------------------------------------------------------------------------
# Naive twins: the same numbers, one example and one class at a time.
# ----------------------------------------------------------------------------


def svm_loss_naive(W, X, y, reg=0.0, *, delta=1.0, penalty="l2"):
    """Multiclass SVM loss with explicit loops; same signature and result as :func:`svm_loss`."""
    W, X, y, _, reg, delta = _checked_scores(W, X, y, reg, delta, penalty)
    N, C = X.shape[0], W.shape[1]

    loss = 0.0
    dW = np.zeros_like(W)  # (D, C)
    for i in range(N):
        scores = X[i] @ W  # (C,)
        for j in range(C):
            if j == y[i]:
                continue
            margin = scores[j] - scores[y[i]] + delta
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]  # d margin / d w_j = x_i
                dW[:, y[i]] -= X[i]  # d margin / d w_{y_i} = -x_i
    loss /= N
    dW /= N
    loss, dW = _add_penalty(loss, dW, W, reg, penalty)
    return W.dtype.type(loss), dW


def softmax_loss_naive(W, X, y, reg=0.0, *, penalty="l2"):
    """Softmax loss with explicit loops; same signature and result as :func:`softmax_loss`."""
    W, X, y, _, reg, _ = _checked_scores(W, X, y, reg, 1.0, penalty)
    N, C = X.shape[0], W.shape[1]

    loss = 0.0
    dW = np.zeros_like(W)  # (D, C)
    for i in range(N):
        scores = X[i] @ W  # (C,)
        scores = scores - scores.max()  # stability: same probabilities
        sum_exp = sum(np.exp(scores[j]) for j in range(C))
        loss += np.log(sum_exp) - scores[y[i]]  # -ln p_{y_i}
        for j in range(C):
            p_j = np.exp(scores[j]) / sum_exp
            dW[:, j] += (p_j - (j == y[i])) * X[i]
    loss /= N
    dW /= N
    loss, dW = _add_penalty(loss, dW, W, reg, penalty)
    return W.dtype.type(loss), dW


def ova_svm_scores_loss_naive(S, y, *, delta=1.0):
    """One-vs-all SVM loss with explicit loops; same result as :func:`ova_svm_scores_loss`."""
    S, y = check_scores(S, y)
    N, C = S.shape
    loss, dS = 0.0, np.zeros_like(S)
    for i in range(N):
        for j in range(C):
            target = 1.0 if j == y[i] else -1.0
            margin = delta - target * S[i, j]
            if margin > 0:
                loss += margin
                dS[i, j] -= target
    return S.dtype.type(loss / N), dS / N


def structured_svm_scores_loss_naive(S, y, *, delta=1.0):
    """Crammer-Singer SVM loss with explicit loops; same result as :func:`structured_svm_scores_loss`."""
    S, y = check_scores(S, y)
    N, C = S.shape
    loss, dS = 0.0, np.zeros_like(S)
    for i in range(N):
        rival = max((j for j in range(C) if j != y[i]), key=lambda j: S[i, j])
        margin = S[i, rival] - S[i, y[i]] + delta
        if margin > 0:
            loss += margin
            dS[i, rival] += 1
            dS[i, y[i]] -= 1
    return S.dtype.type(loss / N), dS / N
