"""Notebooks 05 and 07: loss curves of training (lossopt.sgd's minibatch losses, gradient descent's losses)."""

import numpy as np

from ._style import axes_or_new


def moving_average(history, smooth):
    """The centred moving average of ``history`` over ``smooth`` steps: (centres, average), each (steps - smooth + 1,).

    >>> moving_average([1.0, 2.0, 3.0, 4.0], 3)
    (array([1., 2.]), array([2., 3.]))
    """
    history = np.asarray(history, dtype=float)
    average = np.convolve(history, np.ones(smooth) / smooth, mode="valid")
    return np.arange(average.size) + (smooth - 1) / 2, average


def plot_loss_history(history, *, ax=None, label=None, smooth=0, log=False, color=None, minibatch=True):
    """Loss ``history`` (steps,) against step, with a centred (not lagging) moving average over ``smooth`` steps.

    ``label`` adds a legend, ``log`` a log axis; ``minibatch=False`` (gradient descent) says "loss".
    """
    ax = axes_or_new(ax)
    history = np.asarray(history, dtype=float)
    (line,) = ax.plot(history, color=color, alpha=0.35 if smooth > 1 else 1.0, label=None if smooth > 1 else label)
    if smooth > 1 and history.size >= smooth:
        ax.plot(*moving_average(history, smooth), color=line.get_color(), label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set(ylabel="minibatch loss" if minibatch else "loss", title="Minibatch loss" if minibatch else "Loss")
    if label is not None:
        ax.legend()
    return ax
