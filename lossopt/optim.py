"""Minibatch stochastic gradient descent, ``W <- W - lr * dL_batch/dW``, and a linear classifier trained by it.

The full-batch gradient is an average over N examples; a batch of a few hundred estimates it for a fraction of the cost.
"""

import math
import numbers
import warnings
from typing import NamedTuple

import numpy as np
import scipy.sparse
import sklearn.exceptions
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import validate_data
from tqdm.auto import tqdm

from ._validate import check_array, check_bool, check_choice, check_labels, check_problem, check_scalar, check_seed
from .losses import SCORE_LOSSES, linear_kernel, softmax_probabilities
from .regularization import PENALTIES

PROGRESS_DELAY = 0.5  # seconds a fit runs before its progress bar appears (short fits show none)


class SGDResult(NamedTuple):
    """What :func:`sgd` returns: the final W (D, C), the minibatch loss of every step taken, and whether it blew up."""

    W: np.ndarray
    loss_history: np.ndarray
    diverged: bool


class DivergenceWarning(UserWarning):
    """A training run diverged (the learning rate is too large) and was stopped; silence it where that is expected."""


def divergence_limit(dtype):
    """The size of a weight past which :func:`sgd` calls a run diverged: 1.2e77 in float64, 4.3e9 in float32: the
    fourth root of the largest number, so ``X @ W`` and ``reg * sum(W**2)`` cannot overflow on the way there.
    """
    return float(np.finfo(dtype).max) ** 0.25


def step_decay(every, factor=0.5):
    """A schedule for :func:`sgd`: the learning rate times ``factor`` (in [0, 1]) every ``every`` steps.

    >>> schedule = step_decay(100, 0.5)
    >>> schedule(0), schedule(99), schedule(100), schedule(250)
    (1.0, 1.0, 0.5, 0.25)
    """
    every = int(check_scalar(every, "every", numbers.Integral, low=1))
    factor = float(check_scalar(factor, "factor", low=0, high=1))
    return lambda step: factor ** (step // every)


def check_training_data(X, y):
    """X (N x D) finite, N, D >= 1, and integer labels y (N,) with at least two classes: ``(X, y, C)``."""
    X = check_array(X, "X", 2, finite=True)
    if X.size == 0:
        raise ValueError(f"X is empty: it needs at least one row (example) and one column, got shape {X.shape}")
    labels = check_labels(y, X.shape[0], np.inf)
    if np.unique(labels).size < 2:
        raise ValueError(f"y must contain at least two classes, got {np.unique(labels).size} class")
    return X, labels, int(labels.max()) + 1


def _learning_rate(schedule, lr, step):
    factor = schedule(step)
    if isinstance(factor, (bool, np.bool_)) or not isinstance(factor, numbers.Real):
        raise TypeError(f"schedule({step}) must return a number, got {type(factor).__name__}")
    if not (math.isfinite(factor) and factor >= 0):
        raise ValueError(f"schedule({step}) returned {factor}: a learning-rate factor must be a finite number >= 0")
    return lr * float(factor)


def _check_first_step(out, shape):
    """The first ``loss_fn`` result, checked once: a number and a dW of W's shape."""
    if not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError(f"loss_fn must return a pair (loss, dW), got {type(out).__name__}")
    if np.ndim(out[0]) != 0 or np.asarray(out[0]).dtype.kind not in "fiu":
        raise TypeError(f"loss_fn must return a number as its loss, got {type(out[0]).__name__} {np.shape(out[0])}")
    if np.shape(out[1]) != shape:
        raise ValueError(f"loss_fn returned dW of shape {np.shape(out[1])}; it must have the shape of W, {shape}")


def sgd(loss_fn, W0, X, y, *, lr=1e-3, batch_size=200, num_iters=None, epochs=None, schedule=None, callback=None,
        seed=None, verbose=False):  # fmt: skip
    """Minimize ``loss_fn(W, X_batch, y_batch) -> (loss, dW)`` over W (D, C) from W0 by minibatch SGD.

    Each epoch visits X (N, D), y (N,) in a fresh random order, ``batch_size`` at a time, for ``num_iters``
    steps or ``epochs`` passes (default 100 steps). The input is checked once, here; each step just calls
    ``loss_fn``. The rate at step t is ``lr * schedule(t)`` (:func:`step_decay`); ``callback(step, W, loss)``
    runs after each step (True stops); ``seed`` draws the batches; ``verbose`` shows a progress bar.
    A run that blows up stops at the first step whose loss is not finite or whose new W passes
    :func:`divergence_limit` (numpy's warnings are off: the values tell). Returns :class:`SGDResult`.
    """
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a callable (W, X, y) -> (loss, dW), got {type(loss_fn).__name__}")
    W = np.array(check_array(W0, "W0", 2, finite=True))  # a copy: W0 is left alone
    X, y, _ = check_training_data(X, y)
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X has {X.shape[1]} columns but W0 has {W.shape[0]} rows; they must match")
    lr = float(check_scalar(lr, "lr", low=0, low_open=True))
    batch_size = int(check_scalar(batch_size, "batch_size", numbers.Integral, low=1))
    if num_iters is not None and epochs is not None:
        raise ValueError("give num_iters or epochs, not both")
    if epochs is None:
        steps = int(check_scalar(100 if num_iters is None else num_iters, "num_iters", numbers.Integral, low=1))
    else:
        steps = int(check_scalar(epochs, "epochs", numbers.Integral, low=1)) * -(-X.shape[0] // batch_size)  # ceil
    for name, fn in (("schedule", schedule), ("callback", callback)):
        if fn is not None and not callable(fn):
            raise TypeError(f"{name} must be callable or None, got {type(fn).__name__}")
    rng = check_seed(seed)
    verbose = check_bool(verbose, "verbose")
    return _sgd(loss_fn, W, X, y, steps, lr, batch_size, schedule, callback, rng, verbose)


def _sgd(loss_fn, W, X, y, steps, lr, batch_size, schedule, callback, rng, verbose):
    """Unchecked :func:`sgd`: ``steps`` steps, batches drawn by the Generator ``rng``; fit checked its input."""
    N = X.shape[0]
    steps_per_epoch = -(-N // batch_size)  # ceil(N / batch_size)
    limit = divergence_limit(W.dtype)
    history = np.empty(steps)
    diverged = False
    taken = 0
    with np.errstate(all="ignore"):  # a blow-up shows in the values, checked each step
        for step in tqdm(range(steps), desc="SGD", delay=PROGRESS_DELAY) if verbose else range(steps):
            position = step % steps_per_epoch
            if position == 0:
                order = rng.permutation(N)  # a new epoch: a new order
            batch = order[position * batch_size : (position + 1) * batch_size]
            out = loss_fn(W, X[batch], y[batch])
            if step == 0:
                _check_first_step(out, W.shape)
            loss, dW = out
            W_next = W - (lr if schedule is None else _learning_rate(schedule, lr, step)) * dW
            if not math.isfinite(loss):
                diverged = True
                break
            history[step], taken = loss, step + 1  # the loss at W, before this step
            if not np.abs(W_next).max() <= limit:  # also true for NaN
                diverged = True
                break
            W = W_next
            if callback is not None and callback(step, W, loss):
                break
    return SGDResult(W, history[:taken], diverged)


def soft_threshold(W, threshold):
    """Shrink every entry of W towards 0 by ``threshold``, those within it to exactly 0: L1's proximal step.

    >>> soft_threshold(np.array([[-1.5, 0.2, 0.7]]), 0.5)
    array([[-1. ,  0. ,  0.2]])
    """
    return np.sign(W) * np.maximum(np.abs(W) - threshold, 0.0)


def fit_proximal(X, y, reg, penalty, *, lr=0.1, steps=300, beta=1.0, W0=None, seed=0):
    """Train a linear multiclass SVM on X (N, D), y (N,) by full-batch proximal gradient descent (ISTA); nb 02.

    Each step is the gradient step on ``data loss + reg * beta * sum W**2`` (L2 part), then :func:`soft_threshold`
    with ``lr * reg`` for the L1 part, which sets weights to exactly 0 (subgradient steps make them hop around 0).
    W starts at ``W0`` or ``1e-3`` times standard normal noise drawn with ``seed``. Returns W (D, C), float64.
    """
    X, y, C = check_training_data(X, y)
    if W0 is None:
        W0 = 1e-3 * check_seed(seed).standard_normal((X.shape[1], C))
    W, X, y = check_problem(W0, X, y)
    W = W.astype(float)  # (D, C), a copy in float64
    reg, penalty = check_scalar(reg, "reg", low=0), check_choice(penalty, "penalty", PENALTIES)
    lr = check_scalar(lr, "lr", low=0, low_open=True)
    steps = check_scalar(steps, "steps", numbers.Integral, low=1)
    beta = check_scalar(beta, "beta", low=0)
    smooth_reg = {"l2": reg, "l1": 0.0, "elastic": reg * beta}[penalty]
    l1_reg = 0.0 if penalty == "l2" else reg
    for _ in range(steps):
        _, dW = linear_kernel(W, X, y, smooth_reg)
        W = soft_threshold(W - lr * dW, lr * l1_reg)
    return W


class NotFittedError(sklearn.exceptions.NotFittedError, RuntimeError):
    """A model was used before ``fit``: scikit-learn's NotFittedError, and a RuntimeError as before."""


class LinearClassifier(ClassifierMixin, BaseEstimator):
    """A linear classifier ``scores = X @ W`` trained by minibatch SGD; a scikit-learn estimator (notebook 07).

    Works with ``clone``, ``cross_val_score``, ``GridSearchCV`` and ``Pipeline``; the labels may be any class
    labels (column j of ``W_`` scores ``classes_[j]``). ``__init__`` only stores its arguments: ``loss``, ``reg``,
    ``penalty`` and ``delta`` as in :func:`lossopt.linear_loss`; ``lr``, ``batch_size``, ``num_iters`` (or
    ``epochs``), ``schedule`` and ``verbose`` as in :func:`sgd`; W starts as ``init_scale`` times standard normal
    noise; ``seed`` draws it and the batches. ``fit`` checks them and sets ``W_``, ``W0_`` (D, C),
    ``loss_history_``, ``classes_``, ``n_features_in_`` and ``diverged_``: True if training blew up and stopped
    (a :class:`DivergenceWarning` says so; ``W_`` is the last W before, :meth:`score` returns nan).

    >>> import lossopt as lo
    >>> data = lo.datasets.digits(seed=0)
    >>> model = lo.LinearClassifier("softmax", lr=0.1, epochs=20, seed=0, verbose=False)
    >>> model.fit(data.X_train, data.y_train).score(data.X_val, data.y_val) > 0.9
    True
    """

    def __init__(self, loss="svm", *, reg=1e-4, lr=1e-3, batch_size=200, num_iters=1000, epochs=None, penalty="l2",
                 delta=1.0, schedule=None, init_scale=1e-3, seed=None, verbose=True):  # fmt: skip
        self.loss, self.reg, self.lr, self.batch_size, self.num_iters = loss, reg, lr, batch_size, num_iters
        self.epochs, self.penalty, self.delta, self.schedule = epochs, penalty, delta, schedule
        self.init_scale, self.seed, self.verbose = init_scale, seed, verbose

    def loss_and_gradient(self, W, X, y):
        """This model's loss at W (D, C) on checked X (N, D), y (N,) in [0, C): ``(loss, dW)``, unchecked."""
        return linear_kernel(W, X, y, self.reg, loss=self.loss, delta=self.delta, penalty=self.penalty)

    def _check_X(self, X, reset):
        """X checked once: lossopt's rules (real numbers, 2-D), then scikit-learn's (finite, not empty, width)."""
        if not scipy.sparse.issparse(X):  # scikit-learn's messages for sparse or 1-D X say what to do
            check_array(X, "X")
        return validate_data(self, X, reset=reset, dtype=(np.float64, np.float32))

    def fit(self, X, y, W0=None, callback=None):
        """Train on X (N, D) and labels y (N,) from ``W0`` (D, C) or a small random W; ``callback`` as in :func:`sgd`.

        Warns :class:`DivergenceWarning` once if training blew up (``diverged_`` is then True). Returns self.
        """
        check_choice(self.loss, "loss", tuple(SCORE_LOSSES))
        check_choice(self.penalty, "penalty", PENALTIES)
        for name in ("reg", "delta", "init_scale"):
            check_scalar(getattr(self, name), name, low=0)
        check_scalar(self.lr, "lr", low=0, low_open=True)
        for name in ("batch_size", "num_iters") + (("epochs",) if self.epochs is not None else ()):
            check_scalar(getattr(self, name), name, numbers.Integral, low=1)
        for name, fn in (("schedule", self.schedule), ("callback", callback)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{name} must be callable or None, got {type(fn).__name__}")
        check_bool(self.verbose, "verbose")
        X = self._check_X(X, reset=True)
        if y is None:  # scikit-learn's own message for an estimator that needs y
            validate_data(self, X, y, reset=False, skip_check_array=True)
        labels = np.asarray(y)
        if labels.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), one label per row of X, got shape {labels.shape}")
        if labels.dtype.kind == "f":
            check_array(labels, "y", finite=True)
        if type_of_target(labels, input_name="y") not in ("binary", "multiclass"):
            raise ValueError(f"y must hold class labels, got {type_of_target(labels)} values")
        self.classes_, y_index = np.unique(labels, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(f"y must contain at least two classes, got 1 class ({self.classes_[0]!r})")
        rng = check_seed(self.seed)
        shape = (X.shape[1], self.classes_.size)  # (D, C)
        if W0 is None:
            W0 = self.init_scale * rng.standard_normal(shape).astype(X.dtype)
        elif (W0 := check_array(W0, "W0", 2, finite=True)).shape != shape:
            raise ValueError(f"W0 must have shape {shape}: one row per column of X, one column per class in y")
        self.W0_ = W0
        steps = self.num_iters if self.epochs is None else self.epochs * -(-X.shape[0] // self.batch_size)
        options = (float(self.lr), int(self.batch_size), self.schedule, callback, rng, bool(self.verbose))
        result = _sgd(self.loss_and_gradient, W0.copy(), X, y_index, int(steps), *options)
        self.W_, self.loss_history_, self.diverged_ = result
        if self.diverged_:
            warnings.warn(
                f"training diverged at SGD step {len(self.loss_history_) + 1} (loss={self.loss!r}, lr={self.lr}, "
                f"reg={self.reg}): the weights blew up, so it stopped there. W_ is the last W before, diverged_ is "
                "True and score() gives nan. Lower the learning rate lr (or standardize X, if its values are large).",
                DivergenceWarning,
                stacklevel=2,
            )
        return self

    def _scores(self, X):
        """``X @ W_``, (N, C), for an X checked against the fitted model."""
        if not hasattr(self, "W_"):
            raise NotFittedError("this LinearClassifier is not fitted yet: call fit(X, y) first")
        X = self._check_X(X, reset=False)
        with np.errstate(all="ignore"):  # finite X, yet so large that the scores overflow: named below
            S = X @ self.W_
        if not np.isfinite(S).all():
            raise ValueError("X holds values so large that the scores X @ W_ overflow")
        return S

    def decision_function(self, X):
        """Class scores ``X @ W_``, (N, C); with two classes ``S[:, 1] - S[:, 0]``, (N,), as scikit-learn expects."""
        S = self._scores(X)
        return S[:, 1] - S[:, 0] if S.shape[1] == 2 else S

    def predict(self, X):
        """The highest-scoring class of each row of X, shape (N,), from ``classes_``."""
        S = self._scores(X)  # first: it says so if the model is not fitted
        return self.classes_[S.argmax(axis=1)]

    @available_if(lambda self: self.loss == "softmax")
    def predict_proba(self, X):
        """Softmax probabilities of each class, shape (N, C), rows summing to 1 (loss="softmax" only)."""
        return softmax_probabilities(self._scores(X))

    def score(self, X, y, sample_weight=None):
        """Accuracy: the fraction of rows of X whose predicted class is y; nan if training diverged."""
        S = self._scores(X)
        labels = np.asarray(y)
        if labels.shape != (S.shape[0],):
            raise ValueError(f"y must have shape ({S.shape[0]},), one label per row of X, got shape {labels.shape}")
        if self.diverged_:
            return float("nan")
        return float(super().score(X, labels, sample_weight=sample_weight))
