"""Notebook 02: the lambda explorer, regularization strength and penalty against decision regions and weights."""

from numbers import Integral

import ipywidgets as widgets
import numpy as np

from .._validate import check_choice, check_scalar
from ..datasets import add_bias, blobs, blobs_with_outliers
from ..losses import linear_kernel
from ..optim import fit_proximal
from ..plots import plot_decision_regions, plot_weight_magnitudes
from ..regularization import PENALTIES
from ._explorer import Explorer, log_slider


class LambdaExplorer(Explorer):
    """A log-scale lambda slider and a penalty choice ("l2", "l1", "elastic") on 2-D blobs with outliers.

    A linear SVM (bias trick: W is 3 x 3), trained by :func:`lossopt.optim.fit_proximal` for every lambda of the
    slider when a penalty is first shown. Left: decision regions, outliers ringed; right: |W|, crosses at 0.

    >>> explorer = LambdaExplorer(reg=1.0, penalty="l1")
    >>> print(explorer.text.splitlines()[2])
    weights exactly 0: 6 of 9 (L1's soft-threshold step sets them to 0)
    """

    def __init__(self, *, reg=1e-3, penalty="l2", n_per_class=30, n_outliers=4, lr=0.1, steps=300, seed=0):
        low, high = 1e-3, 10**0.5  # gradient steps on the L2 part stay stable while lr * 2 * lambda < 1
        reg = check_scalar(reg, "reg", low=low, high=high)
        penalty = check_choice(penalty, "penalty", PENALTIES)
        n_per_class = check_scalar(n_per_class, "n_per_class", Integral, low=1)
        n_outliers = check_scalar(n_outliers, "n_outliers", Integral, low=1)
        seed = check_scalar(seed, "seed", Integral, low=0)
        self.points, self.y_train, self.is_outlier = blobs_with_outliers(n_per_class, n_outliers, seed=seed)
        self.X_train = add_bias(self.points)  # (N, 3)
        X_val, self.y_val = blobs(100, 3, spread=0.7, seed=seed + 1)
        self.X_val = add_bias(X_val)
        self.lr, self.seed = check_scalar(lr, "lr", low=1e-6, high=0.15), seed
        self.steps = check_scalar(steps, "steps", Integral, low=1)
        self._fitted = {}  # (reg, penalty) -> W
        self.weight_top = 1.1 * np.abs(self.fit(low, "l2")).max()  # the least regularized W is the largest
        controls = {
            "reg": log_slider("λ", reg, low, high, steps_per_decade=4, readout_format=".3g"),
            "penalty": widgets.Dropdown(options=PENALTIES, value=penalty, description="penalty"),
        }
        slider = controls["reg"]
        self.lambdas = 10 ** np.arange(slider.min, slider.max + 1e-9, slider.step)  # the slider's values
        super().__init__(controls, figsize=(9.0, 3.6), readout_lines=4)

    def fit(self, reg, penalty):
        """The weights trained with this lambda and penalty, shape (3, 3) (cached)."""
        key = (float(f"{reg:.10g}"), penalty)  # slider values carry rounding noise
        if key not in self._fitted:
            self._fitted[key] = fit_proximal(
                self.X_train, self.y_train, reg, penalty, lr=self.lr, steps=self.steps, seed=self.seed
            )
        return self._fitted[key]

    def draw(self):
        reg, penalty = self.values["reg"], self.values["penalty"]
        for value in self.lambdas:  # trained once per penalty (cached): a slider step then only draws
            self.fit(value, penalty)
        W = self.fit(reg, penalty)
        if not self.figure.axes:
            self.figure.subplots(1, 2, width_ratios=(1.15, 1))
        ax_regions, ax_weights = self.figure.axes
        self.remove_drawing(ax_regions, ax_weights)
        plot_decision_regions(W, self.points, self.y_train, ax=ax_regions, resolution=100)
        ax_regions.scatter(
            *self.points[self.is_outlier].T, s=130, facecolors="none", edgecolors="black", label="outlier", zorder=4
        )
        ax_regions.legend(loc="lower left", fontsize="small", framealpha=0.8)
        ax_regions.set_title(f"Decision regions, {penalty}, λ = {reg:.3g}")

        plot_weight_magnitudes(W, ax=ax_weights, feature_names=("x0", "x1", "bias"), top=self.weight_top)

        data = float(linear_kernel(W, self.X_train, self.y_train)[0])  # the data were made here: no check
        total = float(linear_kernel(W, self.X_train, self.y_train, reg, penalty=penalty)[0])
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
