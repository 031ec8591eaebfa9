"""Notebook 01: the margin explorer, the multiclass SVM's hinge terms as the margin delta and the scale of W move."""

import numpy as np

from .._validate import check_scalar
from ..datasets import worked_example
from ..losses import linear_kernel, score_kernel
from ..plots import class_colors, hinge_terms, plot_hinge_terms
from ..regularization import _regularization
from ._explorer import Explorer, slider


class MarginExplorer(Explorer):
    """Sliders for the margin delta and the scale k of W on the lecture's worked example, X = I (so S = W).

    The loss: SVM data loss + ``reg * sum(W**2)``. Left: each image's hinge terms. Right: data, reg and total
    loss against k. The readout checks data(delta, k W) = delta * data(1, (k / delta) W): lambda * delta is the knob.

    >>> explorer = MarginExplorer()
    >>> print(explorer.text.splitlines()[0])
    Δ = 1.00, W = 1.00 × W_lecture, λ = 0.01: data loss 5.267 + reg loss 0.895 = total 6.162
    """

    MAX_DELTA = 3.0
    MAX_SCALE = 3.0

    def __init__(self, *, reg=0.01, delta=1.0, scale=1.0):
        table = worked_example()
        self.W_lecture = table.scores  # (3, 3): with X = I, W is the score table
        self.X = np.eye(3)  # (N, D) = (3, 3), each image a one-hot vector
        self.y = table.labels
        self.class_names = table.class_names
        self.reg = check_scalar(reg, "reg", low=0)
        delta = check_scalar(delta, "delta", low=0.1, high=self.MAX_DELTA)
        scale = check_scalar(scale, "scale", low=0.0, high=self.MAX_SCALE)
        # The right panel's x axis and what on it does not depend on the sliders.
        self.scales = np.linspace(0.0, self.MAX_SCALE, 61)
        self.reference = self._data_losses(1.0)  # data loss at delta = 1
        self.reg_losses = self.reg * self.scales**2 * float(_regularization(self.W_lecture)[0])
        # Fixed axis limits, so that bars and curves visibly grow and shrink.
        biggest = self.MAX_SCALE * self.W_lecture
        self.bar_top = 1.2 * hinge_terms(biggest, self.y, delta=self.MAX_DELTA).max()
        self.loss_top = 1.05 * float(linear_kernel(biggest, self.X, self.y, self.reg, delta=self.MAX_DELTA)[0])
        controls = {
            "delta": slider("margin Δ", delta, 0.1, self.MAX_DELTA, 0.1),
            "scale": slider("scale k of W", scale, 0.0, self.MAX_SCALE, 0.05),
        }
        super().__init__(controls, figsize=(10.0, 3.6), readout_lines=4)

    def _data_losses(self, delta):
        """Data loss at every scale k of ``self.scales``, (len(scales),): the scores k * S of all k in one call."""
        S = (self.scales[:, np.newaxis, np.newaxis] * self.W_lecture).reshape(-1, 3)  # (K * 3, 3), X = I
        losses, _ = score_kernel("svm", S, np.tile(self.y, self.scales.size), delta)
        return losses.reshape(-1, 3).mean(axis=1)

    def draw(self):
        delta, k = self.values["delta"], self.values["scale"]
        W = k * self.W_lecture  # (3, 3); the scores are X @ W = W
        data = float(linear_kernel(W, self.X, self.y, delta=delta)[0])  # checked once, in __init__
        reg_loss = self.reg * float(_regularization(W)[0])
        # The same problem at delta = 1: W and the margins shrink together by delta.
        twin_data = float(linear_kernel(W / delta, self.X, self.y)[0])
        twin_reg = self.reg * delta * float(_regularization(W / delta)[0])
        if not self.figure.axes:
            self.figure.subplots(1, 2)
        ax_bars, ax = self.figure.axes
        self.remove_drawing(ax_bars, ax)
        plot_hinge_terms(W, self.y, delta=delta, ax=ax_bars, class_names=self.class_names)
        ax_bars.set_ylim(0, self.bar_top)

        blue, orange, green = class_colors(3)
        data_curve = self._data_losses(delta)
        ax.plot(self.scales, self.reference, color="0.6", linestyle="--", label="data loss, Δ = 1")
        ax.plot(self.scales, data_curve, color=blue, label=f"data loss, Δ = {delta:.2f}")
        ax.plot(self.scales, self.reg_losses, color=green, linestyle=":", label=f"reg loss λ‖W‖², λ = {self.reg:g}")
        ax.plot(self.scales, data_curve + self.reg_losses, color=orange, linewidth=2, label="total")
        ax.plot([k, k], [data, data + reg_loss], "o", color="black", markersize=4, label=f"now: k = {k:.2f}")
        # Homogeneity: the point (k, data) and its delta = 1 twin (k / delta, data / delta) share a ray from 0.
        ax.plot([0, k], [0, data], color="black", linewidth=0.6, linestyle=":")
        ax.plot([k / delta], [twin_data], "o", markerfacecolor="none", color="black", label="its Δ = 1 twin")
        ax.set(xlim=(0, self.MAX_SCALE), ylim=(0, self.loss_top))
        ax.set(xlabel="scale k of W (W = k × W_lecture)", ylabel="loss", title="Loss against the scale of W")
        ax.legend(fontsize="small", loc="upper left")

        return "\n".join(
            [
                f"Δ = {delta:.2f}, W = {k:.2f} × W_lecture, λ = {self.reg:g}: "
                f"data loss {data:.3f} + reg loss {reg_loss:.3f} = total {data + reg_loss:.3f}",  # 3 places: adds up
                f"Same problem at Δ = 1, W = {k / delta:.2f} × W_lecture, λ·Δ = {self.reg * delta:.3g}: "
                f"data loss {twin_data:.3f} and reg loss {twin_reg:.3f}, each × Δ = {twin_data * delta:.3f} "
                f"and {twin_reg * delta:.3f}",
                "Δ only sets the scale of W (and of the loss); with regularization the one real knob is λ·Δ,",
                "so keep Δ = 1 and tune λ. Without it, W and 2W, 3W, ... that meet every margin all tie at 0.",
            ]
        )
