"""Notebooks 05 and 07: loss curves of training (lossopt.sgd's minibatch losses, gradient descent's losses)."""

import numpy as np

from ._style import axes_or_new


def moving_average(history, smooth):
    """The centred moving average of ``history`` over ``smooth`` steps: (centres, average), each (steps - smooth + 1,).

    ``centres`` are the middle step of each window, so that the average does not lag.

    Examples
    --------
    >>> moving_average([1.0, 2.0, 3.0, 4.0], 3)
    (array([1., 2.]), array([2., 3.]))
    """
    history = np.asarray(history, dtype=float)
    average = np.convolve(history, np.ones(smooth) / smooth, mode="valid")
    return np.arange(average.size) + (smooth - 1) / 2, average


def plot_loss_history(history, *, ax=None, label=None, smooth=0, log=False, color=None, minibatch=True):
    """Loss against step, optionally with a centred moving average over ``smooth`` steps.

    The average of steps t - (smooth - 1) / 2 ... t + (smooth - 1) / 2 is drawn at
    step t, so the smoothed curve does not lag behind the raw one.

    ``history`` is (steps,); ``label`` adds a legend; ``log`` a logarithmic
    loss axis. ``lossopt.sgd``'s history is the loss of each step's minibatch,
    and the title and axis say so; ``minibatch=False`` for full-batch gradient
    descent ("loss"). Returns the axes.
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
