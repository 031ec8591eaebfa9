"""Minibatch stochastic gradient descent, and a linear classifier trained by it.

The lecture's update, on a small random batch each step::

    W <- W - lr * dL_batch/dW

The full-batch gradient is an average over N examples; a batch of a few
hundred estimates it well for a fraction of the cost.
"""

from typing import NamedTuple

import numpy as np
from tqdm.auto import tqdm

from ._validate import (
    as_float_array,
    as_labels,
    check_choice,
    check_nonnegative,
    check_positive,
    check_positive_int,
)
from .losses import SCORE_LOSSES, linear_loss
from .regularization import PENALTIES

PROGRESS_DELAY = 0.5
"""Seconds a fit runs before its progress bar appears (short fits show none)."""


class SGDResult(NamedTuple):
    """What :func:`sgd` returns."""

    W: np.ndarray
    """The final weights, shape (D, C)."""
    loss_history: np.ndarray
    """The minibatch loss of every step taken, shape (steps,)."""
    diverged: bool
    """True if a step made W non-finite (the learning rate was too large); W is then the last finite W."""


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
    """Check X (N x D) and integer labels y (N,); return them and the number of classes."""
    X = as_float_array(X, "X", ndim=2)
    if X.shape[0] == 0:
        raise ValueError("X is empty: it has no rows (examples)")
    labels = np.asarray(y)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"y must hold integer class labels, got dtype {labels.dtype}")
    num_classes = int(labels.max()) + 1 if labels.size else 0
    labels = as_labels(labels, X.shape[0], max(num_classes, 2))
    if np.unique(labels).size < 2:
        raise ValueError("y must contain at least two classes")
    return X, labels, num_classes


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

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(W, X_batch, y_batch) -> (loss, dW)``, e.g. ``lossopt.svm_loss``
        or ``functools.partial(lossopt.softmax_loss, reg=1e-3)``.
    W0 : array, shape (D, C)
        Starting weights (not modified).
    X : array, shape (N, D)
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
        ``lr * schedule(t)`` (see :func:`step_decay`).
    callback : callable, optional
        ``callback(step, W, loss)`` after every step; returning True stops early.
    seed : int or numpy Generator, optional
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

    rng = np.random.default_rng(seed)
    history = np.empty(total)
    diverged = False
    steps = 0
    for step in tqdm(range(total), desc="SGD", disable=not verbose, delay=PROGRESS_DELAY):
        position = step % steps_per_epoch
        if position == 0:
            order = rng.permutation(N)  # a new epoch: a new order
        batch = order[position * batch_size : (position + 1) * batch_size]
        loss, dW = loss_fn(W, X[batch], y[batch])
        step_size = lr if schedule is None else lr * schedule(step)
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected just below
            W_next = W - step_size * dW
        history[step] = loss
        steps = step + 1
        if not np.isfinite(W_next).all():
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
    C = int(np.max(y)) + 1
    if W0 is None:
        W0 = 1e-3 * np.random.default_rng(seed).standard_normal((X.shape[1], C))
    W = np.asarray(W0, dtype=float)  # (D, C)
    smooth_reg = {"l2": reg, "l1": 0.0, "elastic": reg * beta}[penalty]
    l1_reg = {"l2": 0.0, "l1": reg, "elastic": reg}[penalty]
    for _ in range(steps):
        _, dW = linear_loss(W, X, y, smooth_reg, loss="svm", penalty="l2")
        W = soft_threshold(W - lr * dW, lr * l1_reg)
    return W


class LinearClassifier:
    """A linear classifier ``scores = X @ W`` trained by minibatch SGD.

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
    seed : int, optional
        Seeds the initial W and the batches: a fit repeats.
    verbose : bool, default True
        Show a progress bar for fits that take longer than half a second.

    Attributes
    ----------
    W_ : ndarray, shape (D, C)
        The learned weights (the bias, with the bias trick, is the last row).
    loss_history_ : ndarray, shape (steps,)
        The minibatch loss of every step.
    diverged_ : bool
        True if training stopped because W stopped being finite.

    Examples
    --------
    >>> import lossopt as lo
    >>> data = lo.datasets.digits(seed=0)
    >>> model = lo.LinearClassifier("softmax", lr=0.1, epochs=20, seed=0, verbose=False)
    >>> model.fit(data.X_train, data.y_train).score(data.X_val, data.y_val) > 0.9
    True
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
        self.loss = check_choice(loss, "loss", tuple(SCORE_LOSSES))
        self.reg = check_nonnegative(reg, "reg")
        self.lr = check_positive(lr, "lr")
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.num_iters = check_positive_int(num_iters, "num_iters")
        self.epochs = None if epochs is None else check_positive_int(epochs, "epochs")
        self.penalty = check_choice(penalty, "penalty", PENALTIES)
        self.delta = check_nonnegative(delta, "delta")
        self.schedule = schedule
        self.init_scale = check_nonnegative(init_scale, "init_scale")
        self.seed = seed
        self.verbose = bool(verbose)

    def loss_and_gradient(self, W, X, y):
        """This model's full loss at W on (X, y): ``(loss, dW)``."""
        return linear_loss(W, X, y, self.reg, loss=self.loss, delta=self.delta, penalty=self.penalty)

    def fit(self, X, y, W0=None):
        """Train on X (N x D) and labels y (N,), from ``W0`` or a small random W; returns self."""
        X, y, num_classes = check_training_data(X, y)
        rng = np.random.default_rng(self.seed)
        if W0 is None:
            W0 = self.init_scale * rng.standard_normal((X.shape[1], num_classes)).astype(X.dtype)
        result = sgd(
            self.loss_and_gradient,
            W0,
            X,
            y,
            lr=self.lr,
            batch_size=self.batch_size,
            num_iters=None if self.epochs else self.num_iters,
            epochs=self.epochs,
            schedule=self.schedule,
            seed=rng,
            verbose=self.verbose,
        )
        self.W_, self.loss_history_, self.diverged_ = result
        return self

    def _check_fitted_input(self, X):
        if not hasattr(self, "W_"):
            raise RuntimeError("this LinearClassifier is not fitted yet: call fit(X, y) first")
        X = as_float_array(X, "X", ndim=2)
        if X.shape[1] != self.W_.shape[0]:
            raise ValueError(f"X has {X.shape[1]} columns but the model was fitted on {self.W_.shape[0]}")
        return X

    def decision_function(self, X):
        """Class scores ``X @ W_``, shape (N, C)."""
        return self._check_fitted_input(X) @ self.W_

    def predict(self, X):
        """The highest-scoring class of each row of X, shape (N,)."""
        return self.decision_function(X).argmax(axis=1)

    def score(self, X, y):
        """Accuracy: the fraction of rows of X whose predicted class is y."""
        X = self._check_fitted_input(X)
        y = as_labels(y, X.shape[0], self.W_.shape[1])
        return float(np.mean(self.predict(X) == y))
