"""Notebooks 05 and 07: loss curves of training (lossopt.sgd's minibatch losses, gradient descent's losses)."""

import numpy as np

from ._style import axes_or_new


def plot_loss_history(history, *, ax=None, label=None, smooth=0, log=False, color=None, minibatch=True):
    """Loss against step, optionally with a centred moving average over ``smooth`` steps.

    The average of steps t - (smooth - 1) / 2 ... t + (smooth - 1) / 2 is drawn at
    step t, so the smoothed curve does not lag behind the raw one.

    Parameters
    ----------
    history : array, shape (steps,)
    ax : matplotlib Axes, optional
    label : str, optional
        Legend label of the curve.
    smooth : int, default 0
        Window of a moving average drawn on top (0: none).
    log : bool, default False
        Logarithmic loss axis.
    color : matplotlib colour, optional
    minibatch : bool, default True
        ``lossopt.sgd``'s history is the loss of each step's minibatch, and the
        title and axis say so; False for full-batch gradient descent ("loss").

    Returns
    -------
    matplotlib Axes
    """
    ax = axes_or_new(ax)
    history = np.asarray(history, dtype=float)
    (line,) = ax.plot(history, color=color, alpha=0.35 if smooth > 1 else 1.0, label=None if smooth > 1 else label)
    if smooth > 1 and history.size >= smooth:
        average = np.convolve(history, np.ones(smooth) / smooth, mode="valid")
        centres = np.arange(average.size) + (smooth - 1) / 2  # the middle of each window
        ax.plot(centres, average, color=line.get_color(), label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("minibatch loss" if minibatch else "loss")
    ax.set_title("Minibatch loss" if minibatch else "Loss")
    if label is not None:
        ax.legend()
    return ax
