"""Loss functions of a linear classifier, and their gradients (CS231n Lecture 3).

Each loss is written once, at the score level: an unchecked kernel maps scores S (N, C) and labels y (N,)
to ``(losses, dS)``, each example's loss L_i (N,) and the gradient of their mean; its loop twin sits right
above it. :func:`linear_kernel` composes ``S = X @ W``, a score-level kernel, ``dW = X.T @ dS`` and the
penalty. Public functions check their input once, run a kernel, and check that nothing overflowed; SGD
steps and landscapes call the kernels. ``svm_loss_naive`` and ``softmax_loss_naive`` are assignment 1's loops.

- multiclass SVM (Weston-Watkins):  L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta)
- softmax (cross-entropy, natural log):  L_i = -ln(e^{s_{y_i}} / sum_j e^{s_j})
- one-vs-all SVM:  L_i = sum_j max(0, delta - t_j s_j), with t_j = +1 if j = y_i else -1
- structured SVM (Crammer-Singer):  L_i = max(0, max_{j != y_i} s_j - s_{y_i} + delta)
"""

import functools
from typing import NamedTuple

import numpy as np

from ._validate import blame, check_array, check_bool, check_choice, check_problem, check_scalar, check_scores
from .regularization import PENALTIES, _regularization


# --- Score-level kernels: S (N, C), y (N,) -> (losses (N,), dS (N, C)); input unchecked
def _svm_naive(S, y, delta=1.0):
    N, C = S.shape
    losses, dS = np.zeros(N, dtype=S.dtype), np.zeros_like(S)
    for i in range(N):
        for j in range(C):
            margin = S[i, j] - S[i, y[i]] + delta
            if j != y[i] and margin > 0:
                losses[i] += margin
                dS[i, j] += 1  # d margin / d s_j
                dS[i, y[i]] -= 1  # d margin / d s_{y_i}
    return losses, dS / N


def _svm(S, y, delta=1.0):
    N = S.shape[0]
    rows = np.arange(N)
    margins = np.maximum(0, S - S[rows, y][:, np.newaxis] + delta)  # (N, C)
    margins[rows, y] = 0  # the sum skips j = y_i
    dS = (margins > 0).astype(S.dtype)  # each violated margin: +1 on s_j ...
    dS[rows, y] = -dS.sum(axis=1)  # ... and -1 on s_{y_i}
    dS /= N  # the gradient of the mean
    return margins.sum(axis=1), dS


def _softmax_naive(S, y):
    N, C = S.shape
    losses, dS = np.zeros(N, dtype=S.dtype), np.zeros_like(S)
    for i in range(N):
        scores = S[i] - S[i].max()  # shift: the same probabilities, and exp never overflows
        sum_exp = sum(np.exp(scores[j]) for j in range(C))
        losses[i] = np.log(sum_exp) - scores[y[i]]  # -ln p_{y_i}
        for j in range(C):
            dS[i, j] = np.exp(scores[j]) / sum_exp - (j == y[i])  # dL_i / ds_j = p_j - 1[j = y_i]
    return losses, dS / N


def _softmax(S, y):
    N = S.shape[0]
    rows, top = np.arange(N), S.argmax(axis=1)
    shifted = S - S[rows, top][:, np.newaxis]  # (N, C) <= 0: same probabilities, no overflow
    exp_scores = np.exp(shifted)
    # L_i = ln(1 + sum of the others) - shifted_{y_i}; log1p keeps a loss as tiny as 2e-110
    # (tests/test_lecture_numbers.py::test_jiggle_slide_svm_zero_softmax_not).
    exp_scores[rows, top] = 0
    others = exp_scores.sum(axis=1)  # (N,)
    exp_scores[rows, top] = 1
    dS = exp_scores / (N * (1 + others))[:, np.newaxis]  # (N, C) probabilities p, over N
    dS[rows, y] -= 1 / N  # dL_i/ds = p - onehot(y_i), over N
    return np.log1p(others) - shifted[rows, y], dS


def _ova_svm_naive(S, y, delta=1.0):
    N, C = S.shape
    losses, dS = np.zeros(N, dtype=S.dtype), np.zeros_like(S)
    for i in range(N):
        for j in range(C):
            target = 1.0 if j == y[i] else -1.0
            margin = delta - target * S[i, j]
            if margin > 0:
                losses[i] += margin
                dS[i, j] -= target
    return losses, dS / N


def _ova_svm(S, y, delta=1.0):
    N = S.shape[0]
    targets = np.full(S.shape, -1, dtype=S.dtype)  # (N, C): t_j = -1 ...
    targets[np.arange(N), y] = 1  # ... and +1 for the right class
    margins = np.maximum(0, delta - targets * S)  # each class is its own binary SVM
    return margins.sum(axis=1), -targets * (margins > 0) / N


def _structured_svm_naive(S, y, delta=1.0):
    N, C = S.shape
    losses, dS = np.zeros(N, dtype=S.dtype), np.zeros_like(S)
    for i in range(N):
        rival = max((j for j in range(C) if j != y[i]), key=lambda j: S[i, j])  # best wrong class
        losses[i] = max(0, S[i, rival] - S[i, y[i]] + delta)
        if losses[i] > 0:
            dS[i, rival], dS[i, y[i]] = 1, -1
    return losses, dS / N


def _structured_svm(S, y, delta=1.0):
    N = S.shape[0]
    rows = np.arange(N)
    wrong = S.copy()
    wrong[rows, y] = -np.inf  # so that argmax finds the best wrong class
    rival = wrong.argmax(axis=1)  # (N,)
    losses = np.maximum(0, S[rows, rival] - S[rows, y] + delta)
    active, dS = (losses > 0).astype(S.dtype), np.zeros_like(S)  # (N,): the examples whose margin is violated
    dS[rows, rival], dS[rows, y] = active, -active
    return losses, dS / N


SCORE_LOSSES = {"svm": _svm, "softmax": _softmax, "ova_svm": _ova_svm, "structured_svm": _structured_svm}
"""Unchecked score-level kernels by name: ``f(S, y[, delta]) -> (losses (N,), dS (N, C))`` (softmax takes no delta)."""
NAIVE_SCORE_LOSSES = dict(
    svm=_svm_naive, softmax=_softmax_naive, ova_svm=_ova_svm_naive, structured_svm=_structured_svm_naive
)


def score_kernel(loss, S, y, delta=1.0):
    """Unchecked: ``(losses (N,), dS)`` of the score-level loss named ``loss``; softmax ignores delta."""
    return _softmax(S, y) if loss == "softmax" else SCORE_LOSSES[loss](S, y, delta)


def _scores_loss(loss, S, y, delta=1.0, per_example=False, naive=False):
    """A public score-level loss: check (S, y) once, run the kernel, check the result."""
    S, y = check_scores(S, y)
    per_example = check_bool(per_example, "per_example")
    margin = {} if loss == "softmax" else {"delta": check_scalar(delta, "delta", low=0)}
    with np.errstate(all="ignore"):  # an overflow shows in the result: named by blame
        losses, dS = (NAIVE_SCORE_LOSSES if naive else SCORE_LOSSES)[loss](S, y, **margin)
        losses, dS = blame((losses, dS), {"S": S, **margin}, f"the {loss} loss")
    return (losses if per_example else losses.mean()), dS


def svm_scores_loss(S, y, *, delta=1.0, per_example=False):
    """Multiclass SVM loss of scores S (N, C), labels y (N,) in [0, C), margin delta: ``(loss, dS)``.

    The mean of L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta) (the N losses with ``per_example``), and
    its gradient dS (N, C). The lecture's worked example:

    >>> svm_scores_loss([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]], [0, 1, 2], per_example=True)[0].round(2)
    array([ 2.9,  0. , 12.9])
    """
    return _scores_loss("svm", S, y, delta, per_example)


def softmax_scores_loss(S, y, *, per_example=False):
    """Softmax cross-entropy (natural log) as :func:`svm_scores_loss`: L_i = -ln p_{y_i}, dS = (P - onehot(y)) / N.

    >>> round(float(softmax_scores_loss([[3.2, 5.1, -1.7]], [0])[0]), 2)
    2.04
    """
    return _scores_loss("softmax", S, y, per_example=per_example)


def ova_svm_scores_loss(S, y, *, delta=1.0, per_example=False):
    """One-vs-all SVM loss, as :func:`svm_scores_loss`: the mean of sum_j max(0, delta - t_j s_j)."""
    return _scores_loss("ova_svm", S, y, delta, per_example)


def structured_svm_scores_loss(S, y, *, delta=1.0, per_example=False):
    """Structured (Crammer-Singer) SVM loss, as :func:`svm_scores_loss`: only the best wrong class counts."""
    return _scores_loss("structured_svm", S, y, delta, per_example)


def svm_scores_loss_naive(S, y, *, delta=1.0):
    """:func:`svm_scores_loss` computed with loops (``_svm_naive``); the same (loss, dS)."""
    return _scores_loss("svm", S, y, delta, naive=True)


def softmax_scores_loss_naive(S, y):
    """:func:`softmax_scores_loss` computed with loops (``_softmax_naive``); the same (loss, dS)."""
    return _scores_loss("softmax", S, y, naive=True)


def ova_svm_scores_loss_naive(S, y, *, delta=1.0):
    """:func:`ova_svm_scores_loss` computed with loops; the same (loss, dS)."""
    return _scores_loss("ova_svm", S, y, delta, naive=True)


def structured_svm_scores_loss_naive(S, y, *, delta=1.0):
    """:func:`structured_svm_scores_loss` computed with loops; the same (loss, dS)."""
    return _scores_loss("structured_svm", S, y, delta, naive=True)


def softmax_probabilities(S):
    """The softmax of each row of S (N, C), C >= 1: probabilities that sum to 1, from max-shifted scores.

    >>> softmax_probabilities([[3.2, 5.1, -1.7]]).round(2)
    array([[0.13, 0.87, 0.  ]])
    """
    S = check_array(S, "S", 2, finite=True)
    if S.shape[1] == 0:
        raise ValueError(f"S must have at least one column (class), got shape {S.shape}")
    with np.errstate(over="ignore"):  # -1e308 - 1e308 = -inf, and e^-inf = 0 exactly
        exp_scores = np.exp(S - S.max(axis=1, keepdims=True))
    return exp_scores / exp_scores.sum(axis=1, keepdims=True)


# --- W level: S = X @ W, a score-level kernel, the chain rule, the penalty
def linear_kernel(W, X, y, reg=0.0, *, loss="svm", delta=1.0, penalty="l2"):
    """Unchecked :func:`linear_loss`, for inner loops (SGD steps) whose input was checked once."""
    # assignment 1's X.dot(W): on an SGD batch it costs 0.6 us less than X @ W (numpy's matmul ufunc has more overhead)
    losses, dS = score_kernel(loss, X.dot(W), y, delta)  # S: (N, C)
    data_loss, dW = losses.sum() / len(losses), X.T.dot(dS)  # the mean (np.mean costs more on a batch); dW: (D, C)
    if not reg:
        return data_loss, dW
    R, dR = _regularization(W, penalty)
    dW += reg * dR
    return data_loss + reg * R, dW


def _boundary(loss_fn):
    """A public W-level loss: check the input once, run with numpy's warnings off, name what overflowed (blame)."""

    @functools.wraps(loss_fn)
    def checked(W, X, y, reg=0.0, *, penalty="l2", **options):
        W, X, y = check_problem(W, X, y)
        reg, penalty = check_scalar(reg, "reg", low=0), check_choice(penalty, "penalty", PENALTIES)
        if "loss" in options:
            check_choice(options["loss"], "loss", tuple(SCORE_LOSSES))
        margin = {"delta": check_scalar(options["delta"], "delta", low=0)} if "delta" in options else {}
        with np.errstate(all="ignore"):
            if loss_fn.__name__.endswith("_naive"):  # a loop's `if margin > 0` skips NaN: check the scores first
                blame([X @ W], {"X": X, "W": W}, "the scores X @ W")
            result = loss_fn(W, X, y, reg, penalty=penalty, **(options | margin))
            return blame(result, {"X": X, "W": W, "reg": reg, **margin})

    checked.__code__ = checked.__code__.replace(co_name=loss_fn.__name__)  # as lossopt.exercises names the loss
    return checked


@_boundary
def linear_loss(W, X, y, reg=0.0, *, loss="svm", delta=1.0, penalty="l2"):
    """``(loss, dW)`` of a linear classifier ``S = X @ W``: the data loss named ``loss`` + reg * R(W), and dW (D, C).

    W (D, C) (with the bias trick, its last row the biases), X (N, D), y (N,) in [0, C); ``delta`` is the SVMs'
    margin, ``penalty`` "l2", "l1" or "elastic" (:func:`lossopt.regularization`); the inputs' precision is kept.

    >>> W = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    >>> round(float(linear_loss(W, np.eye(3), [0, 1, 2], loss="svm")[0]), 2)
    5.27
    """
    return linear_kernel(W, X, y, reg, loss=loss, delta=delta, penalty=penalty)


@_boundary
def svm_loss_naive(W, X, y, reg=0.0, *, delta=1.0, penalty="l2"):
    """:func:`svm_loss` as assignment 1 writes it: a loop over the examples and classes; the same result."""
    dW = np.zeros_like(W)  # (D, C)
    num_train, num_classes = X.shape[0], W.shape[1]
    loss = 0.0
    for i in range(num_train):
        scores = X[i] @ W  # (C,)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + delta
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]  # d margin / d W[:, j]
                dW[:, y[i]] -= X[i]  # d margin / d W[:, y_i]
    R, dR = _regularization(W, penalty)
    return W.dtype.type(loss / num_train + reg * R), dW / num_train + reg * dR


@_boundary
def svm_loss(W, X, y, reg=0.0, *, delta=1.0, penalty="l2"):
    """Multiclass SVM (Weston-Watkins) loss of ``S = X @ W`` and its gradient; see :func:`linear_loss`."""
    return linear_kernel(W, X, y, reg, loss="svm", delta=delta, penalty=penalty)


@_boundary
def softmax_loss_naive(W, X, y, reg=0.0, *, penalty="l2"):
    """:func:`softmax_loss` as assignment 1 writes it: a loop over the examples; the same result."""
    dW = np.zeros_like(W)  # (D, C)
    num_train, num_classes = X.shape[0], W.shape[1]
    loss = 0.0
    for i in range(num_train):
        scores = X[i] @ W  # (C,)
        scores -= scores.max()  # the max-shift: same probabilities, exp cannot overflow
        probs = np.exp(scores) / np.sum(np.exp(scores))  # (C,)
        loss -= np.log(probs[y[i]])
        for j in range(num_classes):
            dW[:, j] += (probs[j] - (j == y[i])) * X[i]  # dL_i/ds_j = p_j - 1[j = y_i]
    R, dR = _regularization(W, penalty)
    return W.dtype.type(loss / num_train + reg * R), dW / num_train + reg * dR


@_boundary
def softmax_loss(W, X, y, reg=0.0, *, penalty="l2"):
    """Softmax cross-entropy loss of ``S = X @ W`` and its gradient; see :func:`linear_loss`.

    >>> round(float(softmax_loss(np.zeros((4, 10)), np.ones((2, 4)), [3, 7])[0]), 6)  # all scores 0: ln C
    2.302585
    """
    return linear_kernel(W, X, y, reg, loss="softmax", penalty=penalty)


# --- With a separate bias b, as notebook 08's demo has it: S = X @ W + b, L2 on W only
class ClassifierLoss(NamedTuple):
    """What :func:`classifier_loss` returns: scores (N, C), each point's loss L_i (N,) (None without
    ``per_point``), their mean, reg * sum(W**2), the total, and its gradients dW (D, C) and db (C,)."""

    scores: np.ndarray
    losses: np.ndarray
    data_loss: float
    reg_loss: float
    total: float
    dW: np.ndarray  # noqa: N815 (the lecture's name)
    db: np.ndarray


def classifier_loss(W, b, X, y, *, loss="svm", reg=0.0, delta=1.0, per_point=True):
    """Loss and gradients of ``S = X @ W + b``, W (D, C), b (C,), L2 on W only, as the course's web demo
    (https://cs231n.github.io/linear-classify/#interactive-web-demo) and notebook 08 have it.

    >>> import lossopt as lo
    >>> X, y = lo.datasets.toy_2d()
    >>> round(classifier_loss([[1.0, 2.0, 3.0], [2.0, -4.0, -1.0]], [0, 0.5, -0.5], X, y, reg=0.1).reg_loss, 2)
    3.5
    """
    loss = check_choice(loss, "loss", tuple(SCORE_LOSSES))
    per_point = check_bool(per_point, "per_point")
    W, X, y = check_problem(W, X, y)
    b = check_array(b, "b", 1).astype(W.dtype, copy=False)
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape ({W.shape[1]},), one bias per class, got {b.shape}")
    reg, delta = check_scalar(reg, "reg", low=0), check_scalar(delta, "delta", low=0)
    with np.errstate(all="ignore"):  # named by blame
        S = X @ W + b
        losses, dS = score_kernel(loss, S, y, delta)  # (N,), (N, C)
        R, dR = _regularization(W)
        dW, db = X.T @ dS + reg * dR, dS.sum(axis=0)  # the bias is a weight on a constant 1
        total = losses.mean() + reg * R
        blame((total, dW, db), {"X": X, "W": W, "b": b, "reg": reg, "delta": delta})
    return ClassifierLoss(S, losses if per_point else None, float(losses.mean()), float(reg * R), float(total), dW, db)
