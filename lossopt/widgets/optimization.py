"""Notebook 05: the step-size explorer, gradient descent's loss curve as the learning rate moves."""

import functools
import math
from numbers import Integral

import numpy as np
from matplotlib.ticker import NullLocator

from .._validate import check_choice, check_scalar
from ..datasets import digits
from ..losses import SCORE_LOSSES, linear_kernel
from ..optim import check_training_data, sgd
from ..plots import class_colors, plot_loss_history
from ._explorer import Explorer, log_slider


class StepSizeExplorer(Explorer):
    """A learning-rate slider (log scale) over full-batch gradient descent from W = 0 (``X`` (N, D), ``y`` (N,):
    default 500 digits). Every position's run of :func:`lossopt.sgd` is computed in ``__init__``. Left: the
    chosen rate's loss curve over the others (grey); right: the last loss against the rate.

    >>> explorer = StepSizeExplorer()
    >>> print(explorer.text.splitlines()[0])
    lr = 1.00e-01: softmax loss 2.3026 at W = 0 → 0.4160 after 50 steps of gradient descent (500 examples)
    """

    def __init__(
        self, X=None, y=None, *, loss="softmax", reg=1e-3, steps=50, lr=0.1, lr_range=(1e-4, 1e2), steps_per_decade=4
    ):
        if X is None or y is None:
            data = digits(seed=0)
            X, y = data.X_train[:500], data.y_train[:500]
        self.X, self.y, _ = check_training_data(X, y)
        loss = check_choice(loss, "loss", tuple(SCORE_LOSSES))
        self.loss, self.reg = loss, check_scalar(reg, "reg", low=0)
        self.steps = check_scalar(steps, "steps", Integral, low=1)
        if not (isinstance(lr_range, (tuple, list)) and len(lr_range) == 2):
            raise TypeError(f"lr_range must be a pair (low, high), got {lr_range!r}")
        check_scalar(lr_range[0], "lr_range[0]", low=0, low_open=True)
        check_scalar(lr_range[1], "lr_range[1]", low=lr_range[0], high=math.inf)
        lr = check_scalar(lr, "lr", low=lr_range[0], high=lr_range[1])
        steps_per_decade = check_scalar(steps_per_decade, "steps_per_decade", Integral, low=1)
        self.loss_fn = functools.partial(linear_kernel, reg=self.reg, loss=loss)  # X, y checked above
        self._runs = {}
        low, high = (math.log10(value) for value in lr_range)
        self.sweep = 10 ** np.arange(low, high + 1e-9, 1 / steps_per_decade)  # the slider's positions
        self.final = np.array([self.run(rate)[-1] for rate in self.sweep])  # last loss of each run
        controls = {"lr": log_slider("learning rate", lr, *lr_range, steps_per_decade=steps_per_decade)}
        super().__init__(controls, figsize=(9.0, 3.6), readout_lines=3)

    def run(self, lr):
        """Gradient descent at ``lr``: the loss after 0, 1, ..., ``steps`` steps (fewer if it diverged)."""
        key = float(f"{lr:.10g}")  # slider values carry rounding noise
        if key not in self._runs:
            W0 = np.zeros((self.X.shape[1], int(self.y.max()) + 1))
            # sgd records the loss before each step, so steps + 1 of them end with the loss after `steps` steps.
            batch = len(self.y)
            result = sgd(self.loss_fn, W0, self.X, self.y, lr=lr, batch_size=batch, num_iters=self.steps + 1, seed=0)
            self._runs[key] = result.loss_history
        return self._runs[key]

    def draw(self):
        lr = self.values["lr"]
        history = self.run(lr)
        if not self.figure.axes:  # everything but the chosen rate's curve and dot, drawn once
            ax_curve, ax_sweep = self.figure.subplots(1, 2)
            blue, orange = class_colors(2)
            for rate in self.sweep:
                ax_curve.plot(self.run(rate), color="0.8", linewidth=0.8)
            chosen = {"color": orange, "label": "chosen learning rate", "minibatch": False}
            plot_loss_history(history, ax=ax_curve, log=True, **chosen)
            ax_curve.plot([], [], color="0.8", label="the other learning rates")
            ax_curve.set_title(f"Gradient descent, {self.loss} loss")
            ax_curve.get_legend().remove()  # one legend for both panels, below them
            ax_sweep.loglog(self.sweep, self.final, marker=".", color=blue, label=f"loss after {self.steps} steps")
            ax_sweep.axhline(history[0], color="grey", linestyle="--", linewidth=0.8, label="loss at W = 0")
            ax_sweep.plot([], [], marker="o", markersize=9, color=orange, linestyle="none", label="chosen")
            ax_sweep.set(xlabel="learning rate", ylabel=f"loss after {self.steps} steps", title="Step-size sweep")
            self.legend_below()
            for axis in (ax_curve.yaxis, ax_sweep.xaxis, ax_sweep.yaxis):  # log axes: no minor ticks, fewer artists
                axis.set_minor_locator(NullLocator())
        ax_curve, ax_sweep = self.figure.axes
        ax_curve.lines[len(self.sweep)].set_data(np.arange(history.size), history)  # the chosen rate's curve
        ax_sweep.lines[-1].set_data([lr], [history[-1]])

        start, end = float(history[0]), float(history[-1])
        if history.size <= self.steps:  # lossopt.sgd stopped: a step made W non-finite
            verdict = f"too large: W stopped being finite at step {history.size}"
        elif end > start:
            verdict = "too large: the steps overshoot and the loss goes up"
        elif end > 0.9 * start:
            verdict = "too small: the loss barely moves"
        else:
            verdict = "the loss goes down"
        best = int(np.argmin(self.final))
        return "\n".join(
            [
                f"lr = {lr:.2e}: {self.loss} loss {start:.4f} at W = 0 → {end:.4f} after {self.steps} steps of "
                f"gradient descent ({self.y.size} examples)",
                verdict,
                f"lowest in the sweep: lr = {self.sweep[best]:.2e}, loss {self.final[best]:.4f} (λ = {self.reg:g})",
            ]
        )
