"""Notebook 06: the landscape explorer, a 2-D loss slice as lambda, the margin and the loss move."""

import numbers

import ipywidgets as widgets
import numpy as np

from .._validate import PENALTIES, check_array, check_choice, check_problem, check_scalar
from ..datasets import digits
from ..landscape import plane_penalty, random_directions, slice_2d
from ..losses import SCORE_LOSSES, linear_kernel
from ..optim import LinearClassifier
from ..plots import class_colors
from ..plots.landscape import loss_levels, plot_slice_contours
from ..regularization import _regularization
from ._explorer import Explorer, log_slider, nice_ceiling, slider


class LandscapeExplorer(Explorer):
    """Sliders for lambda (log scale) and the margin delta, and a loss choice, over the plane W + a d1 + b d2.

    d1 = W (a = -1 is W = 0); d2 random, orthogonal to W, of its norm. The data loss of each loss and margin
    (:func:`lossopt.landscape.slice_2d`) and the penalty R are computed once; moving lambda only adds them.
    Left: the loss along d1; right: contours of the total. ``X``, ``y`` default to 300 digits, ``W`` to a
    softmax classifier trained on them; ``steps`` are a and b.

    >>> explorer = LandscapeExplorer()
    >>> print(explorer.text.splitlines()[0])
    svm, Δ = 1.00, λ = 1.00e-02 (l2 penalty), slice through W along d1 = W and a random d2 ⟂ W
    """

    def __init__(self, X=None, y=None, W=None, *, reg=1e-2, delta=1.0, loss="svm", penalty="l2", steps=None, seed=0):
        reg, delta = check_scalar(reg, "reg", low=1e-4, high=10.0), check_scalar(delta, "delta", low=0, high=3.0)
        loss, self.penalty = (
            check_choice(loss, "loss", tuple(SCORE_LOSSES)),
            check_choice(penalty, "penalty", PENALTIES),
        )
        seed = check_scalar(seed, "seed", numbers.Integral, low=0)
        if X is None or y is None or W is None:
            data = digits(seed=0)
            X = data.X_train[:300] if X is None else X
            y = data.y_train[:300] if y is None else y
            if W is None:
                model = LinearClassifier("softmax", lr=0.1, reg=1e-3, epochs=10, seed=seed, verbose=False)
                W = model.fit(data.X_train, data.y_train).W_
        W, self.X, self.y = check_problem(W, X, y)
        self.W = self.d1 = W.astype(float)  # d1 = W: a = -1 is the origin
        self.steps = np.linspace(-1.5, 1.5, 31) if steps is None else check_array(steps, "steps", 1, finite=True)
        d2 = random_directions(self.W, k=1, seed=seed)[0]
        d2 -= np.vdot(d2, self.W) / np.vdot(self.W, self.W) * self.W
        self.d2 = d2 * np.linalg.norm(self.W) / np.linalg.norm(d2)  # orthogonal to W, of its norm
        self.R = plane_penalty(self.W, self.d1, self.d2, self.steps, self.steps, penalty=self.penalty)  # (A, B)
        self.R_at_W = float(_regularization(self.W, self.penalty)[0])
        self._data_losses, self._fixed_cache, self._levels = {}, {}, None
        controls = {
            "reg": log_slider("λ", reg, 1e-4, 10.0),
            "delta": slider("margin Δ", delta, 0.0, 3.0, 0.1),
            "loss": widgets.ToggleButtons(options=tuple(SCORE_LOSSES), value=loss, description="loss"),
        }
        super().__init__(controls, figsize=(9.0, 3.6), readout_lines=4)

    def data_losses(self, loss, delta):
        """The data loss on the grid, shape (A, B), from :func:`lossopt.landscape.slice_2d` (cached)."""
        key = (loss, None if loss == "softmax" else float(delta))  # softmax has no margin
        if key not in self._data_losses:
            self._data_losses[key] = slice_2d(
                self.W, self.X, self.y, self.d1, self.d2, self.steps, self.steps, loss=loss, delta=delta
            )
        return self._data_losses[key]

    def _fixed(self, loss, delta):
        """Per loss and margin, once: the colour bar's levels, spanning the total at every λ of the slider (a λ step
        keeps the colour bar, so its pixels are kept), and the data loss at W and at W = 0."""
        key = (loss, None if loss == "softmax" else float(delta))
        if key not in self._fixed_cache:
            data = self.data_losses(loss, delta)
            lam = np.geomspace(1e-4, 10.0, 51)[:, np.newaxis, np.newaxis]  # the slider's grid, both ends included
            at_W, _ = linear_kernel(self.W, self.X, self.y, loss=loss, delta=delta)
            at_zero, _ = linear_kernel(np.zeros_like(self.W), self.X, self.y, loss=loss, delta=delta)
            self._fixed_cache[key] = loss_levels(data + lam * self.R, count=16), float(at_W), float(at_zero)
        return self._fixed_cache[key]

    def draw(self):
        loss, reg, delta = self.values["loss"], self.values["reg"], self.values["delta"]
        self.controls["delta"].disabled = loss == "softmax"  # softmax has no margin: the slider would do nothing
        data = self.data_losses(loss, delta)  # (A, B)
        total = data + reg * self.R
        levels, data_at_W, at_zero = self._fixed(loss, delta)
        first = not self.figure.axes
        if first:
            self.figure.subplots(1, 3, width_ratios=[1.0, 1.2, 0.05])
        ax_line, ax, cax = self.figure.axes
        self.remove_drawing(ax_line, ax)
        new_levels = first or not np.array_equal(levels, self._levels)
        if new_levels:  # another loss or margin: a new colour bar (its ticks change: blitting redraws it in place)
            cax.clear()
            self._levels = levels
        blue, orange, green = class_colors(3)
        center = int(np.argmin(np.abs(self.steps)))  # b = 0
        ax_line.plot(self.steps, data[:, center], "--", color=blue, label="data loss")
        ax_line.plot(self.steps, reg * self.R[:, center], ":", color=green, label="λ R(W)")
        ax_line.plot(self.steps, total[:, center], color=orange, linewidth=2, label="total")
        ax_line.axvline(0, color="grey", linewidth=0.8)
        ax_line.axvline(-1, color="grey", linewidth=0.8, linestyle="--")
        ax_line.set_ylim(0, nice_ceiling(max(float(total[:, center].max()), 1e-3)) * 1.05)  # losses are >= 0
        ax_line.set(xlabel="a (along d1 = W; a = -1 is W = 0)", ylabel="loss", title="Along d1 (b = 0)")

        title = f"Total {loss} loss on the slice"
        plot_slice_contours(
            self.steps, self.steps, total, ax=ax, cax=cax, levels=levels, title=title, colorbar=new_levels
        )
        i, j = np.unravel_index(np.argmin(total), total.shape)
        marker = {"markeredgecolor": "white", "linestyle": "none"}
        ax.plot(-1, 0, marker="o", color=green, label="W = 0", **marker)
        ax.plot(self.steps[i], self.steps[j], marker="*", markersize=12, color=orange, label="lowest on grid", **marker)
        if first:  # the labels never change: one legend below, kept (over the plane it would hide the landscape)
            self.legend_below(facecolor="0.8")  # grey: the W marker is white

        at_W = data_at_W + reg * self.R_at_W
        margin = "no margin" if loss == "softmax" else f"Δ = {delta:.2f}"
        lines = [
            f"{loss}, {margin}, λ = {reg:.2e} ({self.penalty} penalty), slice through W along d1 = W "
            "and a random d2 ⟂ W",
            f"at W (a = b = 0): data {data_at_W:.4f} + λR {at_W - data_at_W:.4f} = total {at_W:.4f}",
            f"at W = 0 (a = -1, b = 0): total {at_zero:.4f}",
            f"lowest on the grid: total {total[i, j]:.4f} at a = {self.steps[i]:.2f}, b = {self.steps[j]:.2f}",
        ]
        return "\n".join(lines)
