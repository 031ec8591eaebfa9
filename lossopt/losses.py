"""Loss functions of a linear classifier, and their gradients (CS231n Lecture 3).

Each loss is written at the score level: from a score matrix ``S`` (N x C,
one row per example, one column per class) and the labels ``y`` it returns
the mean loss over the N examples and ``dS``, its gradient with respect to
the scores. For each loss the loop version (``_svm_naive``, ...: one
example and one class at a time, the formula) sits right above the
vectorized one (``_svm``, ...: the same numbers in a few numpy operations).
Both give ``(loss, dS)``; the public functions (``svm_scores_loss``,
``svm_scores_loss_naive``, ...) check the input and call them.

One W-level function, :func:`linear_loss`, turns any of them into the loss
of a linear classifier ``S = X @ W``: the chain rule ``dW = X.T @ dS`` and the
regularization penalty appear there, and only there (:func:`classifier_loss`
is the same with a separate bias ``b``).

The losses (L_i is the loss of example i, s = S[i], label y_i):

- multiclass SVM (Weston-Watkins):  L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta)
- softmax (cross-entropy, natural log):  L_i = -ln(e^{s_{y_i}} / sum_j e^{s_j})
- one-vs-all SVM:  L_i = sum_j max(0, delta - t_j s_j), with t_j = +1 if j = y_i else -1
- structured SVM (Crammer-Singer):  L_i = max(0, max_{j != y_i} s_j - s_{y_i} + delta)

The underscored functions assume checked input. The vectorized ones return
the mean loss, or with ``per_example=True`` the N losses L_i (for
landscapes), and with ``gradient=False`` skip dS.
"""

from typing import NamedTuple

import numpy as np

from ._validate import as_float_array, check_bool, check_choice, check_linear_problem, check_nonnegative, check_scores
from .regularization import regularization

# ----------------------------------------------------------------------------
# Multiclass SVM (Weston-Watkins): L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta)
# ----------------------------------------------------------------------------


def _svm_naive(S, y, delta=1.0):
    """Multiclass SVM loss with loops, the formula term by term: S (N, C), y (N,) -> (loss, dS (N, C))."""
    N, C = S.shape
    loss, dS = 0.0, np.zeros_like(S)  # dS: (N, C)
    for i in range(N):
        for j in range(C):
            if j == y[i]:
                continue
            margin = S[i, j] - S[i, y[i]] + delta
            if margin > 0:
                loss += margin
                dS[i, j] += 1  # d margin / d s_j
                dS[i, y[i]] -= 1  # d margin / d s_{y_i}
    return S.dtype.type(loss / N), dS / N


def _svm(S, y, delta=1.0, per_example=False, gradient=True):
    """Vectorized multiclass SVM loss: S (N, C), y (N,) -> (loss, dS (N, C))."""
    N = S.shape[0]
    rows = np.arange(N)
    correct = S[rows, y][:, np.newaxis]  # (N, 1) s_{y_i}
    margins = np.maximum(0, S - correct + delta)  # (N, C)
    margins[rows, y] = 0  # the sum skips j = y_i
    losses = margins.sum(axis=1)  # (N,) L_i
    if not gradient:
        return (losses if per_example else losses.mean()), None
    dS = (margins > 0).astype(S.dtype)  # each violated margin: +1 on s_j ...
    dS[rows, y] = -dS.sum(axis=1)  # ... and -1 on s_{y_i}
    return (losses if per_example else losses.mean()), dS / N


# ----------------------------------------------------------------------------
# Softmax (cross-entropy, natural log): L_i = -ln(e^{s_{y_i}} / sum_j e^{s_j})
# ----------------------------------------------------------------------------


def _softmax_naive(S, y, delta=None):
    """Softmax loss with loops, the formula term by term: S (N, C), y (N,) -> (loss, dS (N, C))."""
    N, C = S.shape
    loss, dS = 0.0, np.zeros_like(S)  # dS: (N, C)
    for i in range(N):
        scores = S[i] - S[i].max()  # shift: the same probabilities, and exp never overflows
        sum_exp = sum(np.exp(scores[j]) for j in range(C))
        loss += np.log(sum_exp) - scores[y[i]]  # -ln p_{y_i}
        for j in range(C):
            p_j = np.exp(scores[j]) / sum_exp
            dS[i, j] = p_j - (j == y[i])  # dL_i / ds_j = p_j - 1[j = y_i]
    return S.dtype.type(loss / N), dS / N


def _softmax(S, y, delta=None, per_example=False, gradient=True):
    """Vectorized softmax loss: S (N, C), y (N,) -> (loss, dS (N, C)); ``delta`` is ignored."""
    N = S.shape[0]
    rows = np.arange(N)
    top = S.argmax(axis=1)  # (N,) the highest-scoring class
    shifted = S - S[rows, top][:, np.newaxis]  # (N, C) <= 0: same probabilities, no overflow
    exp_scores = np.exp(shifted)  # (N, C), e^0 = 1 at the top
    # sum_j e^shifted_j = 1 + (the other classes), and L_i = ln(1 + others) - shifted_{y_i}:
    # log1p keeps a tiny loss such as ln(1 + 2e-110) = 2e-110 that ln(1 + ...) rounds to 0
    # (tests/test_lecture_numbers.py::test_jiggle_slide_svm_zero_softmax_not).
    others = exp_scores.copy()
    others[rows, top] = 0
    others = others.sum(axis=1)  # (N,)
    losses = np.log1p(others) - shifted[rows, y]  # (N,) L_i = -ln p_{y_i}
    if not gradient:
        return (losses if per_example else losses.mean()), None
    dS = exp_scores / (1 + others)[:, np.newaxis]  # (N, C) probabilities p
    dS[rows, y] -= 1  # dL_i/ds = p - onehot(y_i)
    return (losses if per_example else losses.mean()), dS / N


def softmax_probabilities(S):
    """The softmax of each row of a score matrix: probabilities that sum to 1.

    Parameters
    ----------
    S : array, shape (N, C), C >= 1

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
    if S.shape[1] == 0:
        raise ValueError(f"S must have at least one column (class), got shape {S.shape}")
    if not np.isfinite(S).all():
        raise ValueError("S contains NaN or infinity")
    with np.errstate(over="ignore"):  # -1e308 - 1e308 = -inf, and e^-inf = 0 exactly
        exp_scores = np.exp(S - S.max(axis=1, keepdims=True))  # the max-shift: no overflow
    return exp_scores / exp_scores.sum(axis=1, keepdims=True)


# ----------------------------------------------------------------------------
# One-vs-all SVM: L_i = sum_j max(0, delta - t_j s_j), t_j = +1 if j = y_i else -1
# ----------------------------------------------------------------------------


def _ova_svm_naive(S, y, delta=1.0):
    """One-vs-all SVM loss with loops, the formula term by term: S (N, C), y (N,) -> (loss, dS (N, C))."""
    N, C = S.shape
    loss, dS = 0.0, np.zeros_like(S)  # dS: (N, C)
    for i in range(N):
        for j in range(C):
            target = 1.0 if j == y[i] else -1.0
            margin = delta - target * S[i, j]
            if margin > 0:
                loss += margin
                dS[i, j] -= target
    return S.dtype.type(loss / N), dS / N


def _ova_svm(S, y, delta=1.0, per_example=False, gradient=True):
    """Vectorized one-vs-all SVM loss: S (N, C), y (N,) -> (loss, dS (N, C))."""
    N = S.shape[0]
    rows = np.arange(N)
    targets = np.full(S.shape, -1, dtype=S.dtype)  # (N, C): t_j = -1 ...
    targets[rows, y] = 1  # ... and +1 for the right class
    margins = np.maximum(0, delta - targets * S)  # (N, C): each class is its own binary SVM
    losses = margins.sum(axis=1)  # (N,) L_i
    if not gradient:
        return (losses if per_example else losses.mean()), None
    dS = -targets * (margins > 0)  # (N, C)
    return (losses if per_example else losses.mean()), dS / N


# ----------------------------------------------------------------------------
# Structured SVM (Crammer-Singer): L_i = max(0, max_{j != y_i} s_j - s_{y_i} + delta)
# ----------------------------------------------------------------------------


def _structured_svm_naive(S, y, delta=1.0):
    """Crammer-Singer SVM loss with loops, the formula term by term: S (N, C), y (N,) -> (loss, dS (N, C))."""
    N, C = S.shape
    loss, dS = 0.0, np.zeros_like(S)  # dS: (N, C)
    for i in range(N):
        rival = max((j for j in range(C) if j != y[i]), key=lambda j: S[i, j])  # best wrong class
        margin = S[i, rival] - S[i, y[i]] + delta
        if margin > 0:
            loss += margin
            dS[i, rival] += 1
            dS[i, y[i]] -= 1
    return S.dtype.type(loss / N), dS / N


def _structured_svm(S, y, delta=1.0, per_example=False, gradient=True):
    """Vectorized Crammer-Singer SVM loss: S (N, C), y (N,) -> (loss, dS (N, C))."""
    N = S.shape[0]
    rows = np.arange(N)
    wrong = S.copy()
    wrong[rows, y] = -np.inf  # so that argmax finds the best wrong class
    rival = wrong.argmax(axis=1)  # (N,)
    losses = np.maximum(0, S[rows, rival] - S[rows, y] + delta)  # (N,) L_i
    if not gradient:
        return (losses if per_example else losses.mean()), None
    active = (losses > 0).astype(S.dtype)  # (N,)
    dS = np.zeros_like(S)  # (N, C)
    dS[rows, rival] = active
    dS[rows, y] = -active
    return (losses if per_example else losses.mean()), dS / N


SCORE_LOSSES = {
    "svm": _svm,
    "softmax": _softmax,
    "ova_svm": _ova_svm,
    "structured_svm": _structured_svm,
}
"""Vectorized score-level losses by name, inputs unchecked:
``name -> f(S, y, delta, per_example=False, gradient=True) -> (loss, dS)``."""

NAIVE_SCORE_LOSSES = {
    "svm": _svm_naive,
    "softmax": _softmax_naive,
    "ova_svm": _ova_svm_naive,
    "structured_svm": _structured_svm_naive,
}
"""The loop versions by name, inputs unchecked: ``name -> f(S, y, delta) -> (mean loss, dS)``."""


# ----------------------------------------------------------------------------
# The public score-level functions: check (S, y), then the loss.
# Finite but huge scores can make a loss overflow; that is reported by name.
# ----------------------------------------------------------------------------


def _checked_score_loss(name, S, y, delta, per_example=False, naive=False):
    S, y = check_scores(S, y)
    delta = check_nonnegative(delta, "delta")
    per_example = check_bool(per_example, "per_example")
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported just below
        if naive:
            loss, dS = NAIVE_SCORE_LOSSES[name](S, y, delta)
        else:
            loss, dS = SCORE_LOSSES[name](S, y, delta, per_example=per_example)
    if not (np.isfinite(loss).all() and np.isfinite(dS).all()):
        what = "S is" if name == "softmax" else f"S or delta ({delta:.3g}) is"
        raise ValueError(f"the {name} loss overflows: {what} too large (|S| up to {np.abs(S).max():.3g})")
    return loss, dS


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
    return _checked_score_loss("svm", S, y, delta, per_example)


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
    return _checked_score_loss("softmax", S, y, 1.0, per_example)


def ova_svm_scores_loss(S, y, *, delta=1.0, per_example=False):
    """One-vs-all SVM loss: each class is a binary SVM against all others.

    Parameters and returns as in :func:`svm_scores_loss`; the loss is the mean
    of sum_j max(0, delta - t_j s_j), with t_j = +1 for the right class, else -1.
    """
    return _checked_score_loss("ova_svm", S, y, delta, per_example)


def structured_svm_scores_loss(S, y, *, delta=1.0, per_example=False):
    """Structured (Crammer-Singer) SVM loss: only the best wrong class counts.

    Parameters and returns as in :func:`svm_scores_loss`; the loss is the mean
    of max(0, max_{j != y_i} s_j - s_{y_i} + delta).
    """
    return _checked_score_loss("structured_svm", S, y, delta, per_example)


def svm_scores_loss_naive(S, y, *, delta=1.0):
    """:func:`svm_scores_loss` computed with loops (``_svm_naive``); the same (loss, dS)."""
    return _checked_score_loss("svm", S, y, delta, naive=True)


def softmax_scores_loss_naive(S, y):
    """:func:`softmax_scores_loss` computed with loops (``_softmax_naive``); the same (loss, dS)."""
    return _checked_score_loss("softmax", S, y, 1.0, naive=True)


def ova_svm_scores_loss_naive(S, y, *, delta=1.0):
    """:func:`ova_svm_scores_loss` computed with loops (``_ova_svm_naive``); the same (loss, dS)."""
    return _checked_score_loss("ova_svm", S, y, delta, naive=True)


def structured_svm_scores_loss_naive(S, y, *, delta=1.0):
    """:func:`structured_svm_scores_loss` computed with loops (``_structured_svm_naive``); the same (loss, dS)."""
    return _checked_score_loss("structured_svm", S, y, delta, naive=True)


# ----------------------------------------------------------------------------
# W level: scores S = X @ W, a score-level loss, the chain rule, the penalty.
# ----------------------------------------------------------------------------


def linear_loss(W, X, y, reg=0.0, *, loss="svm", delta=1.0, penalty="l2", naive=False):
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
        Regularization penalty R, see :func:`lossopt.regularization`.
    naive : bool, default False
        Use the loop version of the score-level loss (same numbers, slower).

    Returns
    -------
    loss : float
        data loss + reg * R(W), in the precision of the inputs.
    dW : array, shape (D, C)
        Its gradient with respect to W.

    Examples
    --------
    >>> import numpy as np
    >>> X, W = np.eye(3), np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    >>> round(float(linear_loss(W, X, [0, 1, 2], loss="svm")[0]), 2)
    5.27
    """
    check_choice(loss, "loss", tuple(SCORE_LOSSES))
    naive = check_bool(naive, "naive")
    W, X, y, S, reg, delta, penalty, _ = check_linear_problem(W, X, y, reg, delta, penalty)  # S = X @ W, (N, C)
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below, by name
        if naive:
            data_loss, dS = NAIVE_SCORE_LOSSES[loss](S, y, delta)
        else:
            data_loss, dS = SCORE_LOSSES[loss](S, y, delta)
        dW = X.T @ dS  # (D, C): the chain rule through S = X @ W
        if reg:
            R, dR = regularization(W, penalty)  # R(W) and dR/dW
            data_loss += reg * R
            dW += reg * dR
    return _finite(data_loss, dW)


def _finite(loss, dW):
    """(loss, dW), after checking that nothing overflowed (all inputs were finite)."""
    if not (np.isfinite(loss) and np.isfinite(dW).all()):
        raise ValueError(
            "the loss or its gradient overflows although every input is finite: X, W, b, reg or delta "
            "holds values too large for the dtype; rescale them"
        )
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


def svm_loss_naive(W, X, y, reg=0.0, *, delta=1.0, penalty="l2"):
    """:func:`svm_loss` with the loop version of the score-level loss; same signature and result."""
    return linear_loss(W, X, y, reg, loss="svm", delta=delta, penalty=penalty, naive=True)


def softmax_loss_naive(W, X, y, reg=0.0, *, penalty="l2"):
    """:func:`softmax_loss` with the loop version of the score-level loss; same signature and result."""
    return linear_loss(W, X, y, reg, loss="softmax", penalty=penalty, naive=True)


# ----------------------------------------------------------------------------
# With a separate bias b, as notebook 08's demo has it: S = X @ W + b, penalty on W only.
# ----------------------------------------------------------------------------


class ClassifierLoss(NamedTuple):
    """What :func:`classifier_loss` returns: everything about one state (W, b)."""

    scores: np.ndarray
    """(N, C) scores S = X @ W + b."""
    losses: np.ndarray
    """(N,) each point's loss L_i, or None without ``per_point``."""
    data_loss: float
    """Mean of the L_i."""
    reg_loss: float
    """reg * sum(W**2), weights only."""
    total: float
    """data_loss + reg_loss."""
    dW: np.ndarray  # noqa: N815 (the lecture's name)
    """(D, C) gradient of ``total`` with respect to W."""
    db: np.ndarray
    """(C,) gradient of ``total`` with respect to b."""


def classifier_loss(W, b, X, y, *, loss="svm", reg=0.0, delta=1.0, per_point=True):
    """Loss and gradients of the linear classifier ``S = X @ W + b``, L2 on the weights only.

    :func:`linear_loss` with the bias kept apart instead of the bias trick, so
    that it stays out of the penalty (used by ``lossopt.widgets.LinearClassifierDemo``;
    the screenshot of the course's web demo in the notes shows this form too:
    https://cs231n.github.io/linear-classify/#interactive-web-demo).

    Parameters
    ----------
    W : array, shape (D, C)
    b : array, shape (C,)
    X : array, shape (N, D)
    y : array of int, shape (N,)
    loss : {"svm", "ova_svm", "structured_svm", "softmax"}
    reg : float
        L2 strength; the penalty is ``reg * sum(W**2)`` (not the biases).
    delta : float
        Margin of the SVM losses.
    per_point : bool
        Also return each point's loss (training needs only the mean and the gradients).

    Returns
    -------
    ClassifierLoss
        ``losses`` is None without ``per_point``.

    Examples
    --------
    The demo's starting weights (notebook 08), on the nine points:

    >>> import lossopt as lo
    >>> X, y = lo.datasets.toy_2d()
    >>> state = classifier_loss([[1.0, 2.0, 3.0], [2.0, -4.0, -1.0]], [0.0, 0.5, -0.5], X, y, reg=0.1)
    >>> round(state.reg_loss, 2)  # 0.1 * (1 + 4 + 9 + 4 + 16 + 1)
    3.5
    """
    check_choice(loss, "loss", tuple(SCORE_LOSSES))
    per_point = check_bool(per_point, "per_point")
    W, X, y, S, reg, delta, _, b = check_linear_problem(W, X, y, reg, delta, "l2", b=b)  # S = X @ W + b
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below, by name
        losses, dS = SCORE_LOSSES[loss](S, y, delta, per_example=True)  # (N,), (N, C)
        data_loss = losses.mean()
        R, dR = regularization(W, "l2")
        dW, db = X.T @ dS + reg * dR, dS.sum(axis=0)  # the bias is a weight on a constant 1
        _finite(data_loss + reg * R, np.append(dW, db))
    return ClassifierLoss(
        scores=S,
        losses=losses if per_point else None,
        data_loss=float(data_loss),
        reg_loss=float(reg * R),
        total=float(data_loss + reg * R),
        dW=dW,
        db=db,
    )
