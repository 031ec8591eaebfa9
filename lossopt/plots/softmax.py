"""Notebooks 03 and 04: the softmax chain scores -> exp -> probabilities, and softmax beside the SVM.

Every number drawn here comes from :func:`lossopt.softmax_scores_loss`,
:func:`lossopt.softmax_probabilities` and :func:`lossopt.svm_scores_loss`,
the functions the tests check.
"""

import numpy as np

from ..losses import softmax_probabilities, softmax_scores_loss, svm_scores_loss
from ._style import axes_or_new, class_colors
from .svm import plot_hinge_terms


def probabilities_and_loss(scores, label):
    """Softmax probabilities and loss of one image, from one call of :func:`lossopt.softmax_scores_loss`.

    Parameters
    ----------
    scores : array, shape (C,)
        The scores of one image.
    label : int
        Its correct class.

    Returns
    -------
    probabilities : array, shape (C,)
        softmax(scores), from :func:`lossopt.softmax_probabilities`.
    loss : float
        -ln p[label] (computed by lossopt with log-sum-exp, exact even where p underflows).

    Examples
    --------
    >>> p, loss = probabilities_and_loss([3.2, 5.1, -1.7], 0)
    >>> [round(float(v), 2) for v in p], round(loss, 2)
    ([0.13, 0.87, 0.0], 2.04)
    """
    scores = np.atleast_2d(scores)
    loss, _ = softmax_scores_loss(scores, [label])
    return softmax_probabilities(scores)[0], float(loss)


def _class_names(names, num_classes):
    return tuple(names) if names is not None else tuple(f"class {k}" for k in range(num_classes))


def plot_class_bars(values, label, *, class_names=None, ax=None, title="Scores", ylabel="score", fmt="{:.2f}"):
    """One bar per class in its palette colour, the correct class outlined, each bar labelled with its value.

    Parameters
    ----------
    values : array, shape (C,)
        Scores, exponentials or probabilities of one image.
    label : int
        The correct class (outlined in black, "(correct)" under its name).
    class_names : sequence of C str, optional
    ax : matplotlib Axes, optional
    title, ylabel : str
    fmt : str
        Format of the value written on each bar.

    Returns
    -------
    matplotlib BarContainer
    """
    ax = axes_or_new(ax)
    values = np.asarray(values, dtype=float)
    names = _class_names(class_names, values.size)
    ticks = [f"{name}\n(correct)" if k == label else name for k, name in enumerate(names)]
    positions = np.arange(values.size)  # numbers, not category strings, so the axes can be redrawn in place
    bars = ax.bar(positions, values, color=class_colors(values.size), edgecolor="black", linewidth=0)
    ax.set_xticks(positions, ticks)
    bars[label].set_linewidth(2)
    ax.bar_label(bars, labels=[fmt.format(v) for v in values], padding=2, fontsize="small")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.margins(y=0.2)
    ax.set_title(title)
    ax.set_xlabel("class")
    ax.set_ylabel(ylabel)
    return bars


def move_class_bars(ax, values, fmt="{:.2f}"):
    """Give the bars and bar labels that :func:`plot_class_bars` drew on ``ax`` new values, placed as it places them.

    For an explorer: moving them costs a fraction of drawing them anew.
    """
    for bar, text, value in zip(ax.containers[0], ax.texts, values, strict=True):
        bar.set_height(value)
        text.set_text(fmt.format(value))
        # as bar_label(padding=2) places them: 2 points beyond the end of the bar (below a negative bar)
        text.xy = (bar.get_x() + bar.get_width() / 2, value)
        text.xyann = (0, 2 if value >= 0 else -2)
        text.set_verticalalignment("top" if value < 0 else "bottom")


def plot_probabilities(probabilities, label, *, class_names=None, ax=None, title="Softmax probabilities"):
    """The probabilities of one image as bars on a fixed [0, 1] axis; see :func:`plot_class_bars`."""
    bars = plot_class_bars(probabilities, label, class_names=class_names, ax=ax, title=title, ylabel="probability p")
    bars[0].axes.set_ylim(0, 1.15)  # fixed, so the bars of an explorer do not jump
    return bars


def plot_softmax_chain(scores, label, *, class_names=None, axes=None):
    """The lecture's chain for one image: scores -> exp -> normalize -> probabilities, and the loss.

    Parameters
    ----------
    scores : array, shape (C,)
    label : int
        The correct class.
    class_names : sequence of C str, optional
    axes : three matplotlib Axes, optional
        Default: a new figure with three panels side by side.

    Returns
    -------
    array of three matplotlib Axes
    """
    axes = axes_or_new(axes, figsize=(11, 3.6), ncols=3)
    scores = np.asarray(scores, dtype=float)
    probabilities, loss = probabilities_and_loss(scores, label)
    plot_class_bars(
        scores, label, class_names=class_names, ax=axes[0], title="1. scores s (unnormalized log-probabilities)"
    )
    plot_class_bars(
        np.exp(scores), label, class_names=class_names, ax=axes[1], title="2. exp(s) (unnormalized)", ylabel="exp(s)"
    )
    plot_probabilities(
        probabilities,
        label,
        class_names=class_names,
        ax=axes[2],
        title=f"3. p = exp(s) / sum exp(s)\nL = -ln p[correct] = {loss:.2f}",
    )
    return np.asarray(axes)


def plot_svm_vs_softmax(scores, label, *, delta=1.0, class_names=None, axes=None):
    """The notes' comparison for one image: the SVM's hinge terms beside the softmax probabilities.

    Parameters
    ----------
    scores : array, shape (C,)
        The scores of one image.
    label : int
        Its correct class.
    delta : float
        The SVM margin.
    class_names : sequence of C str, optional
    axes : two matplotlib Axes, optional
        Default: a new figure with two panels side by side.

    Returns
    -------
    array of two matplotlib Axes
        The first holds :func:`lossopt.plots.plot_hinge_terms` of the image, the second
        :func:`plot_probabilities`; each title gives its loss.
    """
    axes = axes_or_new(axes, figsize=(9, 3.6), ncols=2)
    S = np.asarray(scores, dtype=float)[np.newaxis]  # (1, C): one image
    svm, _ = svm_scores_loss(S, [label], delta=delta)
    probabilities, softmax = probabilities_and_loss(S[0], label)
    hinge_ax, probability_ax = axes
    plot_hinge_terms(S, [label], delta=delta, ax=hinge_ax, class_names=class_names, image_names=["this image"])
    hinge_ax.set_title(f"SVM hinge terms, delta = {delta:g}: L = {svm:.2f}")
    # One image: its correct class has no bar, so keep that class out of the legend.
    wrong = [bars for bars in hinge_ax.containers if len(bars)]
    hinge_ax.legend(handles=wrong, title="wrong class j", fontsize="small", loc="upper left")
    hinge_ax.set_ylim(0, 1.8 * max(svm, 1.0))  # room above the bars (at most L high) for L_i and the legend
    plot_probabilities(
        probabilities, label, class_names=class_names, ax=probability_ax, title=f"Softmax: L = -ln p = {softmax:.2f}"
    )
    return np.asarray(axes)


def losses_vs_score(scores, label, moving, values, delta=1.0):
    """Both losses of one image as the score of class ``moving`` takes each of ``values``, the others fixed.

    Parameters
    ----------
    scores : array, shape (C,)
    label : int
        The correct class.
    moving : int
        The class whose score moves.
    values : array, shape (K,)
    delta : float
        The SVM margin.

    Returns
    -------
    svm, softmax : arrays, shape (K,)
        The losses, from :func:`lossopt.svm_scores_loss` and :func:`lossopt.softmax_scores_loss`.
    flat_from : float
        The score from which the SVM is flat: where this image meets the margin against the
        moving class (the correct class above the best wrong score + delta; a wrong class
        below s_correct - delta).
    """
    scores = np.asarray(scores, dtype=float)
    S = np.tile(scores, (len(values), 1))  # (K, C): one image per value
    S[:, moving] = values
    y = np.full(len(values), label)
    svm, _ = svm_scores_loss(S, y, delta=delta, per_example=True)
    softmax, _ = softmax_scores_loss(S, y, per_example=True)
    flat_from = np.delete(scores, label).max() + delta if moving == label else scores[label] - delta
    return svm, softmax, float(flat_from)


def plot_losses_vs_score(
    scores, label, moving, values, *, deltas=(1.0,), class_names=None, ax=None, mark=None, title=None
):
    """Both losses of one image as the score of class ``moving`` sweeps ``values``, the others fixed.

    The SVM is drawn once per margin delta and is exactly flat once the margin
    is met (dotted line); softmax is one curve that never is.

    Parameters
    ----------
    scores : array, shape (C,)
        The scores of one image.
    label : int
        Its correct class.
    moving : int
        The class whose score moves (a wrong class, or the correct one).
    values : array, shape (K,)
        The scores it takes: the x axis.
    deltas : sequence of float
        SVM margins, one curve each.
    class_names : sequence of C str, optional
    ax : matplotlib Axes, optional
    mark : float, optional
        Mark both losses at this score (the current value, in an explorer).
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    ax = axes_or_new(ax, figsize=(7, 4))
    scores = np.asarray(scores, dtype=float)
    values = np.asarray(values, dtype=float)
    names = _class_names(class_names, scores.size)
    colors = class_colors(len(deltas) + 1)
    styles = ("-", "--", "-.", ":")
    for k, delta in enumerate(deltas):
        svm, softmax, flat_from = losses_vs_score(scores, label, moving, values, delta)
        ax.plot(values, svm, color=colors[k], linestyle=styles[k % 4], label=f"SVM, delta = {delta:g}")
        ax.axvline(flat_from, color=colors[k], linestyle=":", linewidth=1)  # the SVM is flat beyond
    ax.plot(values, softmax, color=colors[-1], linewidth=2.5, label="softmax")
    if mark is not None:
        row = scores.copy()
        row[moving] = mark
        row = row[np.newaxis]
        marked = [svm_scores_loss(row, [label], delta=deltas[0])[0], softmax_scores_loss(row, [label])[0]]
        ax.plot([mark, mark], marked, "o", color="black", label="now")
    where = "correct class" if moving == label else "wrong class"
    ax.set_title(title or f"Both losses as the score of {names[moving]} ({where}) moves")
    ax.set_xlabel(f"score of {names[moving]}")
    ax.set_ylabel("loss of this image")
    ax.legend(fontsize="small")
    return ax
