"""The lambda explorer: regularization strength and penalty against decision regions, accuracy and weights."""

import ipywidgets as widgets
import numpy as np

from ..datasets import add_bias, blobs
from ..losses import linear_loss
from ..plots import plot_decision_regions, plot_weight_magnitudes
from ..regularization import PENALTIES
from ._explorer import Explorer, log_slider


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

    Each step is the lecture's gradient step on the smooth part of the loss,
    ``W <- W - lr * d/dW [data loss + reg * beta * sum W**2]`` (computed by
    :func:`lossopt.linear_loss`), followed, for the L1 part ``reg * sum |W|``,
    by :func:`soft_threshold` with ``lr * reg``. Plain subgradient descent on
    |w| only makes a weight hop around 0; the soft-threshold step sets it to
    exactly 0, which is the sparsity L1 is known for. With ``penalty="l2"``
    there is no L1 part, and this is full-batch gradient descent,
    ``lossopt.sgd`` with ``batch_size = N``.

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


def blobs_with_outliers(n_per_class=30, n_outliers=4, *, seed=0):
    """Three 2-D blobs (:func:`lossopt.datasets.blobs`) plus a few class-0 points far out on the other side.

    Class 0 sits around (2, 0); its outliers sit around (-6, 0), beyond classes 1 and 2.
    No linear classifier can get them right, but a weakly regularized one tilts towards them.

    Returns
    -------
    X : ndarray, shape (3 * n_per_class + n_outliers, 2)
    y : ndarray of int, shape (3 * n_per_class + n_outliers,)
    is_outlier : ndarray of bool, same length
    """
    X, y = blobs(n_per_class, 3, spread=0.7, seed=seed)
    rng = np.random.default_rng(seed + 1000)  # a separate stream: the blobs do not move with n_outliers
    X_out = np.array([-6.0, 0.0]) + 0.4 * rng.standard_normal((n_outliers, 2))
    is_outlier = np.r_[np.zeros(y.size, bool), np.ones(n_outliers, bool)]
    return np.vstack([X, X_out]), np.r_[y, np.zeros(n_outliers, int)], is_outlier


class LambdaExplorer(Explorer):
    """A log-scale lambda slider and a penalty choice on a 2-D data set with outliers.

    A linear multiclass SVM (bias trick: W is 3 x 3) is trained on three
    blobs plus a few mislabelled outliers, by full-batch proximal gradient
    descent (:func:`fit_proximal`: gradient steps for the data loss and the
    L2 part, a soft-threshold step for the L1 part, so that L1 sets weights to
    exactly 0). Trained weights are cached per (lambda, penalty).

    Left: the decision regions and the training points, outliers ringed.
    Right: the weight magnitudes |W|, crosses where a weight is exactly 0.
    The readout gives the data loss, regularization loss and total (by
    :func:`lossopt.linear_loss`), and the training and validation accuracy
    (the validation set is the same blobs, freshly drawn, without outliers).

    Parameters
    ----------
    reg : float, default 1e-3
        Starting lambda (the slider runs from 1e-3 to 10**0.5, about 3.2, in quarter decades).
    penalty : {"l2", "l1", "elastic"}, default "l2"
    n_per_class, n_outliers : int
        Size of the training set.
    lr : float, default 0.1
    steps : int, default 300
    seed : int, default 0

    Examples
    --------
    >>> explorer = LambdaExplorer(reg=1.0, penalty="l1")
    >>> print(explorer.text.splitlines()[2])
    weights exactly 0: 6 of 9 (L1's soft-threshold step sets them to 0)
    """

    def __init__(self, *, reg=1e-3, penalty="l2", n_per_class=30, n_outliers=4, lr=0.1, steps=300, seed=0):
        self.points, self.y_train, self.is_outlier = blobs_with_outliers(n_per_class, n_outliers, seed=seed)
        self.X_train = add_bias(self.points)  # (N, 3)
        X_val, self.y_val = blobs(100, 3, spread=0.7, seed=seed + 1)
        self.X_val = add_bias(X_val)
        self.lr, self.steps, self.seed = lr, steps, seed
        self._fitted = {}  # (reg, penalty) -> W, so that moving back to a lambda costs nothing
        low, high = 1e-3, 10**0.5  # gradient steps on the L2 part stay stable while lr * 2 * lambda < 1
        self.weight_top = 1.1 * np.abs(self.fit(low, "l2")).max()  # the least regularized W is the largest
        controls = {
            "reg": log_slider("λ", reg, low, high, steps_per_decade=4, readout_format=".3g"),
            "penalty": widgets.Dropdown(options=PENALTIES, value=penalty, description="penalty"),
        }
        super().__init__(controls, figsize=(9.0, 3.6), readout_lines=4)

    def fit(self, reg, penalty):
        """The weights trained with this lambda and penalty, shape (3, 3) (cached)."""
        key = (round(float(reg), 12), penalty)
        if key not in self._fitted:
            self._fitted[key] = fit_proximal(
                self.X_train, self.y_train, reg, penalty, lr=self.lr, steps=self.steps, seed=self.seed
            )
        return self._fitted[key]

    def draw(self):
        reg, penalty = self.values["reg"], self.values["penalty"]
        W = self.fit(reg, penalty)
        first = not self.figure.axes
        if first:
            self.figure.subplots(1, 2, width_ratios=(1.15, 1))
        ax_regions, ax_weights = self.figure.axes

        ax_regions.clear()
        plot_decision_regions(W, self.points, self.y_train, ax=ax_regions, resolution=100, lines=False)
        ax_regions.scatter(
            *self.points[self.is_outlier].T, s=130, facecolors="none", edgecolors="black", label="outlier", zorder=4
        )
        ax_regions.legend(loc="lower left", fontsize="small", framealpha=0.8)
        ax_regions.set_title(f"Decision regions, {penalty}, λ = {reg:.3g}")

        ax_weights.clear()
        plot_weight_magnitudes(W, ax=ax_weights, feature_names=("x0", "x1", "bias"), top=self.weight_top)

        data = float(linear_loss(W, self.X_train, self.y_train)[0])
        total = float(linear_loss(W, self.X_train, self.y_train, reg, penalty=penalty)[0])
        train_acc = np.mean((self.X_train @ W).argmax(axis=1) == self.y_train)
        val_acc = np.mean((self.X_val @ W).argmax(axis=1) == self.y_val)
        zeros = int((W == 0).sum())
        why = "L1's soft-threshold step sets them to 0" if penalty != "l2" else "L2 shrinks weights, never to exactly 0"
        return "\n".join(
            [
                f"{penalty}, λ = {reg:.3g}: data loss {data:.3f} + reg loss {total - data:.3f} = total {total:.3f}",
                f"accuracy: training {train_acc:.3f} ({self.y_train.size} points, {self.is_outlier.sum()} outliers), "
                f"validation {val_acc:.3f} ({self.y_val.size} points)",
                f"weights exactly 0: {zeros} of {W.size} ({why})",
                f"largest |weight| {np.abs(W).max():.3f}, sum |W| {np.abs(W).sum():.3f}, sum W² {np.sum(W**2):.3f}",
            ]
        )
