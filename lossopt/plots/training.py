"""Pictures of training: loss curves."""

import numpy as np

from ._style import axes_or_new


def plot_loss_history(history, *, ax=None, label=None, smooth=0, log=False, color=None):
    """Loss against step, optionally with a moving average over ``smooth`` steps.

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

    Returns
    -------
    matplotlib Axes
    """
    ax = axes_or_new(ax)
    history = np.asarray(history, dtype=float)
    (line,) = ax.plot(history, color=color, alpha=0.35 if smooth > 1 else 1.0, label=None if smooth > 1 else label)
    if smooth > 1 and history.size >= smooth:
        average = np.convolve(history, np.ones(smooth) / smooth, mode="valid")
        ax.plot(np.arange(smooth - 1, history.size), average, color=line.get_color(), label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title("Training loss")
    if label is not None:
        ax.legend()
    return ax
