"""Minibatch stochastic gradient descent, and a linear classifier trained by it.

The lecture's update, on a small random batch each step::

    W <- W - lr * dL_batch/dW

The full-batch gradient is an average over N examples; a batch of a few
hundred estimates it well for a fraction of the cost.
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

from ._validate import (
    as_float_array,
    as_labels,
    check_bool,
    check_choice,
    check_finite,
    check_linear_problem,
    check_nonnegative,
    check_positive,
    check_positive_int,
    check_seed,
)
from .losses import SCORE_LOSSES, linear_loss, softmax_probabilities
from .regularization import PENALTIES

PROGRESS_DELAY = 0.5
"""Seconds a fit runs before its progress bar appears (short fits show none)."""


class SGDResult(NamedTuple):
    """What :func:`sgd` returns."""

    W: np.ndarray
    """The final weights, shape (D, C)."""
    loss_history: np.ndarray
    """The minibatch loss of every step taken, shape (steps,); all finite."""
    diverged: bool
    """True if the run blew up (see :func:`sgd`); W is then the last W before it did."""


class DivergenceWarning(UserWarning):
    """A training run diverged (the learning rate is too large for the problem) and was stopped.

    Silence it where divergence is expected, e.g. in a hyperparameter search::

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", lossopt.DivergenceWarning)
            ...
    """


def divergence_limit(dtype):
    """The size of a weight past which :func:`sgd` calls a run diverged: 1.2e77 in float64, 4.3e9 in float32.

    It is the fourth root of the dtype's largest number: far beyond any useful
    weight, yet small enough that ``X @ W``, ``sum(W**2)`` and ``reg * sum(W**2)``
    cannot overflow on their way there, so no numpy overflow warning is ever raised.

    Examples
    --------
    >>> f"{divergence_limit(np.float64):.1e}", f"{divergence_limit(np.float32):.1e}"
    ('1.2e+77', '4.3e+09')
    """
    return float(np.finfo(dtype).max) ** 0.25


def step_decay(every, factor=0.5):
    """A schedule for :func:`sgd`: multiply the learning rate by ``factor`` every ``every`` steps.

    Examples
    --------
    >>> schedule = step_decay(100, 0.5)
    >>> schedule(0), schedule(99), schedule(100), schedule(250)
    (1.0, 1.0, 0.5, 0.25)
    """
    every = check_positive_int(every, "every")
    factor = check_positive(factor, "factor")
    return lambda step: factor ** (step // every)


def check_training_data(X, y):
    """Check finite X (N x D) and integer labels y (N,); return them and the number of classes."""
    X = as_float_array(X, "X", ndim=2)
    if X.shape[0] == 0:
        raise ValueError("X is empty: it has no rows (examples)")
    if X.shape[1] == 0:
        raise ValueError(f"X has 0 feature(s) (shape={X.shape}) while a minimum of 1 is required.")
    check_finite(X, "X")
    labels = np.asarray(y)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"y must hold integer class labels, got dtype {labels.dtype}")
    num_classes = int(labels.max()) + 1 if labels.size else 0
    labels = as_labels(labels, X.shape[0], max(num_classes, 2))
    if np.unique(labels).size < 2:
        raise ValueError(f"y must contain at least two classes, got {np.unique(labels).size} class")
    return X, labels, num_classes


def _step_size(schedule, lr, step):
    """``lr * schedule(step)``, after checking the schedule gave a finite number >= 0."""
    if schedule is None:
        return lr
    factor = schedule(step)
    if isinstance(factor, (bool, np.bool_)) or not isinstance(factor, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"schedule({step}) must return a number, got {type(factor).__name__}")
    if not (math.isfinite(factor) and factor >= 0):
        raise ValueError(
            f"schedule({step}) returned {factor}: a learning-rate factor must be a finite number >= 0 "
            "(a negative rate climbs the loss, NaN destroys W)"
        )
    return lr * float(factor)


def _checked_step(loss_fn, W, X_batch, y_batch):
    """``loss_fn(W, X_batch, y_batch)``, after checking it returned a number and a dW shaped like W."""
    out = loss_fn(W, X_batch, y_batch)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError(f"loss_fn must return a pair (loss, dW), got {type(out).__name__}")
    loss, dW = out
    if np.ndim(loss) != 0 or np.asarray(loss).dtype.kind not in "fiu":
        raise TypeError(f"loss_fn must return a number as its loss, got {type(loss).__name__} {np.shape(loss)}")
    dW = np.asarray(dW)
    if dW.shape != W.shape:
        raise ValueError(f"loss_fn returned dW of shape {dW.shape}; it must have the shape of W, {W.shape}")
    return float(loss), dW


def sgd(
    loss_fn,
    W0,
    X,
    y,
    *,
    lr=1e-3,
    batch_size=200,
    num_iters=None,
    epochs=None,
    schedule=None,
    callback=None,
    seed=None,
    verbose=False,
):
    """Minimize ``loss_fn`` over W by minibatch stochastic gradient descent.

    Each epoch visits the examples in a fresh random order, in batches of
    ``batch_size`` (the last batch of an epoch may be smaller).

    A run whose learning rate is too large blows up: the weights grow by a
    factor every step. It is stopped at the first step whose loss or new W is
    not finite, or whose new W has an entry past :func:`divergence_limit`
    (1.2e77 in float64), before anything overflows; the result then has
    ``diverged=True``, the last W before that step, and the losses so far.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(W, X_batch, y_batch) -> (loss, dW)``, e.g. ``lossopt.svm_loss``
        or ``functools.partial(lossopt.softmax_loss, reg=1e-3)``; dW must have W's shape.
    W0 : array, shape (D, C)
        Starting weights (not modified).
    X : array, shape (N, D), finite
    y : array of int, shape (N,)
    lr : float, default 1e-3
        Learning rate (step size).
    batch_size : int, default 200
        Examples per step; ``batch_size >= N`` is full-batch gradient descent.
    num_iters, epochs : int, optional
        How long to run: a number of steps or of passes over the data; give
        at most one (default: 100 steps).
    schedule : callable, optional
        ``schedule(step) -> factor``: the learning rate at step t is
        ``lr * schedule(t)`` (see :func:`step_decay`); the factor must be a finite number >= 0.
    callback : callable, optional
        ``callback(step, W, loss)`` after every step; returning True stops early.
    seed : int >= 0 or numpy Generator, optional
        Draws the batches, so a run repeats.
    verbose : bool, default False
        Show a progress bar (after half a second).

    Returns
    -------
    SGDResult
        ``(W, loss_history, diverged)``.
    """
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a callable (W, X, y) -> (loss, dW), got {type(loss_fn).__name__}")
    W = np.array(as_float_array(W0, "W0", ndim=2))  # a copy: W0 is left alone
    check_finite(W, "W0")
    X, y, _ = check_training_data(X, y)
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X has {X.shape[1]} columns but W0 has {W.shape[0]} rows; they must match")
    lr = check_positive(lr, "lr")
    batch_size = check_positive_int(batch_size, "batch_size")
    if num_iters is not None and epochs is not None:
        raise ValueError("give num_iters or epochs, not both")
    N = X.shape[0]
    steps_per_epoch = -(-N // batch_size)  # ceil(N / batch_size)
    if epochs is not None:
        total = check_positive_int(epochs, "epochs") * steps_per_epoch
    else:
        total = check_positive_int(100 if num_iters is None else num_iters, "num_iters")
    for name, fn in (("schedule", schedule), ("callback", callback)):
        if fn is not None and not callable(fn):
            raise TypeError(f"{name} must be callable or None, got {type(fn).__name__}")
    rng = check_seed(seed)
    verbose = check_bool(verbose, "verbose")

    limit = divergence_limit(W.dtype)
    history = np.empty(total)
    diverged = False
    steps = 0
    for step in tqdm(range(total), desc="SGD", disable=not verbose, delay=PROGRESS_DELAY):
        position = step % steps_per_epoch
        if position == 0:
            order = rng.permutation(N)  # a new epoch: a new order
        batch = order[position * batch_size : (position + 1) * batch_size]
        step_size = _step_size(schedule, lr, step)
        try:
            # A numpy overflow here can only mean a blow-up (X and W are finite and bounded): stop, do not warn.
            with np.errstate(over="raise", invalid="raise"):
                loss, dW = _checked_step(loss_fn, W, X[batch], y[batch])
                W_next = W - step_size * dW
        except FloatingPointError:
            diverged = True
            break
        if not math.isfinite(loss):
            diverged = True
            break
        history[step] = loss
        steps = step + 1
        if not np.abs(W_next).max() <= limit:  # also true for NaN
            diverged = True
            break
        W = W_next
        if callback is not None and callback(step, W, loss):
            break
    return SGDResult(W, history[:steps], diverged)


def soft_threshold(W, threshold):
    """Shrink every entry of W towards 0 by ``threshold``, and set those within it to exactly 0.

    This is the proximal step of the L1 penalty: ``soft_threshold(V, t)`` is
    the W that minimizes ``0.5 * ||W - V||^2 + t * sum |W|``.

    Examples
    --------
    >>> soft_threshold(np.array([[-1.5, 0.2, 0.7]]), 0.5)
    array([[-1. ,  0. ,  0.2]])
    """
    return np.sign(W) * np.maximum(np.abs(W) - threshold, 0.0)


def fit_proximal(X, y, reg, penalty, *, lr=0.1, steps=300, beta=1.0, W0=None, seed=0):
    """Train a linear multiclass SVM by full-batch proximal gradient descent (ISTA).

    Used by notebook 02 and its lambda explorer (``lossopt.widgets.LambdaExplorer``).
    Each step is the lecture's gradient step on the smooth part of the loss,
    ``W <- W - lr * d/dW [data loss + reg * beta * sum W**2]`` (computed by
    :func:`lossopt.linear_loss`), followed, for the L1 part ``reg * sum |W|``,
    by :func:`soft_threshold` with ``lr * reg``. Plain subgradient descent on
    |w| only makes a weight hop around 0; the soft-threshold step sets it to
    exactly 0, which is the sparsity L1 is known for. With ``penalty="l2"``
    there is no L1 part, and this is full-batch gradient descent,
    :func:`sgd` with ``batch_size = N``.

    Parameters
    ----------
    X : array, shape (N, D)
    y : array of int, shape (N,)
    reg : float
        Regularization strength lambda.
    penalty : {"l2", "l1", "elastic"}
        As in :func:`lossopt.regularization` (elastic: ``beta * sum W**2 + sum |W|``).
    lr : float, default 0.1
    steps : int, default 300
    beta : float, default 1.0
        Weight of the L2 part of the elastic net.
    W0 : array, shape (D, C), optional
        Starting weights; default small random ones, ``1e-3 * standard normal``.
    seed : int, default 0
        Seeds the random starting W.

    Returns
    -------
    W : ndarray, shape (D, C)
    """
    X, y, _ = check_training_data(X, y)
    if W0 is None:
        W0 = 1e-3 * check_seed(seed).standard_normal((X.shape[1], int(y.max()) + 1))
    W, X, y, _, reg, _, penalty, _ = check_linear_problem(W0, X, y, reg, penalty=penalty)
    W = W.astype(float)  # (D, C), a copy in float64
    lr = check_positive(lr, "lr")
    steps = check_positive_int(steps, "steps")
    beta = check_nonnegative(beta, "beta")
    smooth_reg = {"l2": reg, "l1": 0.0, "elastic": reg * beta}[penalty]
    l1_reg = {"l2": 0.0, "l1": reg, "elastic": reg}[penalty]
    for _ in range(steps):
        _, dW = linear_loss(W, X, y, smooth_reg, loss="svm", penalty="l2")
        W = soft_threshold(W - lr * dW, lr * l1_reg)
    return W


class NotFittedError(sklearn.exceptions.NotFittedError, RuntimeError):
    """A model was used before ``fit``: scikit-learn's NotFittedError, and a RuntimeError as before."""


class LinearClassifier(ClassifierMixin, BaseEstimator):
    """A linear classifier ``scores = X @ W`` trained by minibatch SGD; a scikit-learn estimator.

    Used in notebook 07. Works with scikit-learn's tools: ``clone``,
    ``cross_val_score``, ``GridSearchCV``, ``Pipeline``. The labels may be any
    class labels (0..C-1, ``{3, 5}``, strings); column j of ``W_`` scores
    ``classes_[j]``. ``__init__`` only stores its arguments; ``fit`` checks them.

    Parameters
    ----------
    loss : {"svm", "softmax", "ova_svm", "structured_svm"}, default "svm"
    reg : float, default 1e-4
        Regularization strength lambda.
    lr : float, default 1e-3
        Learning rate.
    batch_size : int, default 200
    num_iters : int, default 1000
        SGD steps (ignored when ``epochs`` is given).
    epochs : int, optional
        Passes over the training data instead of ``num_iters``.
    penalty : {"l2", "l1", "elastic"}, default "l2"
    delta : float, default 1.0
        Margin of the SVM losses.
    schedule : callable, optional
        Learning-rate schedule, see :func:`sgd`.
    init_scale : float, default 1e-3
        W starts as ``init_scale`` times standard normal noise.
    seed : int >= 0 or numpy Generator, optional
        Seeds the initial W and the batches: a fit repeats.
    verbose : bool, default True
        Show a progress bar for fits that take longer than half a second.

    Attributes
    ----------
    W_ : ndarray, shape (D, C)
        The learned weights (the bias, with the bias trick, is the last row).
    W0_ : ndarray, shape (D, C)
        The weights training started from.
    loss_history_ : ndarray, shape (steps,)
        The minibatch loss of every step.
    diverged_ : bool
        True if training blew up and was stopped (the learning rate was too
        large); a :class:`DivergenceWarning` said so, ``W_`` is the last W
        before the blow-up, and :meth:`score` returns nan.
    classes_ : ndarray, shape (C,)
        The class labels, sorted.
    n_features_in_ : int
        D, the number of columns of X.

    Examples
    --------
    >>> import lossopt as lo
    >>> data = lo.datasets.digits(seed=0)
    >>> model = lo.LinearClassifier("softmax", lr=0.1, epochs=20, seed=0, verbose=False)
    >>> model.fit(data.X_train, data.y_train).score(data.X_val, data.y_val) > 0.9
    True

    A grid that includes settings that diverge: those cells score nan (and
    warn; here the warning is silenced because it is expected).

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", lo.DivergenceWarning)
    ...     model = lo.LinearClassifier("svm", lr=10, reg=10, seed=0, verbose=False)
    ...     model.fit(data.X_train, data.y_train).diverged_
    True
    >>> model.score(data.X_val, data.y_val)
    nan
    """

    def __init__(
        self,
        loss="svm",
        *,
        reg=1e-4,
        lr=1e-3,
        batch_size=200,
        num_iters=1000,
        epochs=None,
        penalty="l2",
        delta=1.0,
        schedule=None,
        init_scale=1e-3,
        seed=None,
        verbose=True,
    ):
        self.loss = loss
        self.reg = reg
        self.lr = lr
        self.batch_size = batch_size
        self.num_iters = num_iters
        self.epochs = epochs
        self.penalty = penalty
        self.delta = delta
        self.schedule = schedule
        self.init_scale = init_scale
        self.seed = seed
        self.verbose = verbose

    def _check_params(self):
        """Check the arguments ``__init__`` stored (scikit-learn checks them in fit, not in __init__)."""
        check_choice(self.loss, "loss", tuple(SCORE_LOSSES))
        check_nonnegative(self.reg, "reg")
        check_positive(self.lr, "lr")
        check_positive_int(self.batch_size, "batch_size")
        check_positive_int(self.num_iters, "num_iters")
        if self.epochs is not None:
            check_positive_int(self.epochs, "epochs")
        check_choice(self.penalty, "penalty", PENALTIES)
        check_nonnegative(self.delta, "delta")
        if self.schedule is not None and not callable(self.schedule):
            raise TypeError(f"schedule must be callable or None, got {type(self.schedule).__name__}")
        check_nonnegative(self.init_scale, "init_scale")
        check_bool(self.verbose, "verbose")

    def loss_and_gradient(self, W, X, y):
        """This model's full loss at W on (X, y), y in [0, C) indexing the columns of W: ``(loss, dW)``."""
        return linear_loss(W, X, y, self.reg, loss=self.loss, delta=self.delta, penalty=self.penalty)

    def fit(self, X, y, W0=None, callback=None):
        """Train on X (N x D) and labels y (N,), from ``W0`` or a small random W; returns self.

        Parameters
        ----------
        X : array, shape (N, D), finite
        y : array, shape (N,)
            Class labels, at least two different ones.
        W0 : array, shape (D, C), optional
            Starting weights, C the number of distinct labels in y.
        callback : callable, optional
            ``callback(step, W, loss)`` after every SGD step (as in :func:`sgd`); returning True stops early.

        Returns
        -------
        self

        Warns
        -----
        DivergenceWarning
            Once, if training blew up; ``diverged_`` is then True.
        """
        self._check_params()
        X_given = X
        X, classes, y_index = self._check_training_data(X, y)
        validate_data(self, X_given, reset=True, skip_check_array=True)  # n_features_in_, feature_names_in_
        rng = check_seed(self.seed)
        shape = (X.shape[1], classes.size)  # (D, C)
        if W0 is None:
            W0 = self.init_scale * rng.standard_normal(shape).astype(X.dtype)
        else:
            W0 = as_float_array(W0, "W0", ndim=2)
            if W0.shape != shape:
                raise ValueError(
                    f"W0 must have shape {shape}: one row per column of X, one column per class "
                    f"({classes.size} classes in y), got shape {W0.shape}"
                )
        self.classes_ = classes
        self.W0_ = W0
        result = sgd(
            self.loss_and_gradient,
            W0,
            X,
            y_index,
            lr=self.lr,
            batch_size=self.batch_size,
            num_iters=None if self.epochs else self.num_iters,
            epochs=self.epochs,
            schedule=self.schedule,
            callback=callback,
            seed=rng,
            verbose=self.verbose,
        )
        self.W_, self.loss_history_, self.diverged_ = result
        if self.diverged_:
            warnings.warn(
                f"training diverged at SGD step {len(self.loss_history_) + 1} (loss={self.loss!r}, "
                f"lr={self.lr}, reg={self.reg}): the weights blew up, so it stopped there. W_ is the last W before, "
                "loss_history_ keeps the steps taken, diverged_ is True and score() gives nan. "
                "Lower the learning rate lr (or standardize X, if its values are large).",
                DivergenceWarning,
                stacklevel=2,
            )
        return self

    @staticmethod
    def _check_training_data(X, y):
        """Check X (N x D, finite) and class labels y (N,); return X, the sorted classes and y as indices."""
        if y is None:
            raise ValueError("y is None: LinearClassifier requires y to be passed, but the target y is None")
        X = LinearClassifier._as_X(X)
        N = X.shape[0]
        if N == 0:
            raise ValueError("X is empty: it has no rows (examples)")
        if X.shape[1] == 0:
            raise ValueError(f"X has 0 feature(s) (shape={X.shape}) while a minimum of 1 is required.")
        check_finite(X, "X")
        labels = np.asarray(y)
        if labels.shape != (N,):
            raise ValueError(f"y must have shape ({N},), one label per row of X, got shape {labels.shape}")
        if labels.dtype.kind == "f":
            check_finite(labels, "y")
        kind = type_of_target(labels, input_name="y")
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"y must hold class labels. Unknown label type: {kind} values in y")
        classes, y_index = np.unique(labels, return_inverse=True)
        if classes.size < 2:
            raise ValueError(f"y must contain at least two classes, got 1 class ({classes[0]!r})")
        return X, classes, y_index.reshape(-1)

    @staticmethod
    def _as_X(X):
        """X as a 2-D floating array; a sparse matrix or a 1-D X gets a message that says what to do."""
        if scipy.sparse.issparse(X):
            raise TypeError("X is a sparse matrix: sparse input is not supported; pass X.toarray()")
        try:
            return as_float_array(X, "X", ndim=2)
        except ValueError:
            try:
                one_dimensional = np.asarray(X).ndim == 1
            except ValueError:  # a ragged X: as_float_array's message says so
                one_dimensional = False
            if not one_dimensional:
                raise
        raise ValueError(
            f"X must be 2-D (N x D), got shape {np.asarray(X).shape}. Reshape your data: "
            "X.reshape(1, -1) if it is one example, X.reshape(-1, 1) if it has one feature"
        )

    def _scores(self, X):
        """Check X against the fitted model; return ``X @ W_``, (N, C), which must be finite."""
        if not hasattr(self, "W_"):
            raise NotFittedError("this LinearClassifier is not fitted yet: call fit(X, y) first")
        X_given = X
        X = self._as_X(X)
        validate_data(self, X_given, reset=False, skip_check_array=True)  # X has D columns (same names)
        with np.errstate(all="ignore"):  # non-finite scores are reported just below, naming X
            S = X @ self.W_
        # Any NaN or infinity in X makes a whole row of S non-finite, so the small S shows it.
        if not np.isfinite(S).all():
            raise ValueError("X contains NaN or infinity (or values so large that X @ W_ overflows)")
        return S

    def decision_function(self, X):
        """Class scores ``X @ W_``, shape (N, C).

        With two classes, as scikit-learn expects of a binary classifier, one
        score per row instead: ``S[:, 1] - S[:, 0]``, shape (N,), > 0 where
        ``classes_[1]`` is predicted.
        """
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
