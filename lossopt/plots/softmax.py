"""Notebooks 03 and 04: the softmax chain scores -> exp -> probabilities, and softmax beside the SVM."""

import numpy as np

from ..losses import softmax_probabilities, softmax_scores_loss, svm_scores_loss
from ._style import axes_or_new, class_colors
from .svm import plot_hinge_terms


def probabilities_and_loss(scores, label):
    """Softmax probabilities (C,) and loss -ln p[label] of one image's ``scores`` (C,), computed by lossopt.

    >>> p, loss = probabilities_and_loss([3.2, 5.1, -1.7], 0)
    >>> [round(float(v), 2) for v in p], round(loss, 2)
    ([0.13, 0.87, 0.0], 2.04)
    """
    scores = np.atleast_2d(scores)
    loss, _ = softmax_scores_loss(scores, [label])
    return softmax_probabilities(scores)[0], float(loss)


def _names(class_names, num_classes):
    return tuple(class_names) if class_names is not None else tuple(f"class {k}" for k in range(num_classes))


def plot_class_bars(values, label, *, class_names=None, ax=None, title="Scores", ylabel="score", fmt="{:.2f}"):
    """One bar per class of ``values`` (C,), labelled with ``fmt``, the correct class ``label`` outlined; the bars."""
    ax = axes_or_new(ax)
    values = np.asarray(values, dtype=float)
    names = _names(class_names, values.size)
    positions = np.arange(values.size)
    bars = ax.bar(positions, values, color=class_colors(values.size), edgecolor="black", linewidth=0)
    ax.set_xticks(positions, [f"{name}\n(correct)" if k == label else name for k, name in enumerate(names)])
    bars[label].set_linewidth(2)
    ax.bar_label(bars, labels=[fmt.format(v) for v in values], padding=2, fontsize="small")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.margins(y=0.2)
    ax.set(title=title, xlabel="class", ylabel=ylabel)
    return bars


def plot_probabilities(probabilities, label, *, class_names=None, ax=None, title="Softmax probabilities"):
    """The probabilities of one image as bars on a fixed [0, 1] axis; see :func:`plot_class_bars`."""
    bars = plot_class_bars(probabilities, label, class_names=class_names, ax=ax, title=title, ylabel="probability p")
    bars[0].axes.set_ylim(0, 1.15)  # fixed, so the bars of an explorer do not jump
    return bars


def plot_softmax_chain(scores, label, *, class_names=None, axes=None):
    """The lecture's chain for one image's ``scores`` (C,): scores -> exp -> probabilities and the loss; 3 axes."""
    axes = axes_or_new(axes, figsize=(11, 3.6), ncols=3)
    scores = np.asarray(scores, dtype=float)
    probabilities, loss = probabilities_and_loss(scores, label)
    names = {"label": label, "class_names": class_names}
    plot_class_bars(scores, ax=axes[0], title="1. scores s (unnormalized log-probabilities)", **names)
    plot_class_bars(np.exp(scores), ax=axes[1], title="2. exp(s) (unnormalized)", ylabel="exp(s)", **names)
    title = f"3. p = exp(s) / sum exp(s)\nL = -ln p[correct] = {loss:.2f}"
    plot_probabilities(probabilities, ax=axes[2], title=title, **names)
    return np.asarray(axes)


def plot_svm_vs_softmax(scores, label, *, delta=1.0, class_names=None, axes=None):
    """The notes' comparison for one image's ``scores`` (C,): hinge terms beside probabilities, each with its loss."""
    hinge_ax, probability_ax = axes = axes_or_new(axes, figsize=(9, 3.6), ncols=2)
    S = np.asarray(scores, dtype=float)[np.newaxis]  # (1, C): one image
    svm, _ = svm_scores_loss(S, [label], delta=delta)
    probabilities, softmax = probabilities_and_loss(S[0], label)
    plot_hinge_terms(S, [label], delta=delta, ax=hinge_ax, class_names=class_names, image_names=["this image"])
    hinge_ax.set_title(f"SVM hinge terms, delta = {delta:g}: L = {svm:.2f}")
    # One image: its correct class has no bar, so keep that class out of the legend.
    wrong = [bars for bars in hinge_ax.containers if len(bars)]
    hinge_ax.legend(handles=wrong, title="wrong class j", fontsize="small", loc="upper left")
    hinge_ax.set_ylim(0, 1.8 * max(svm, 1.0))  # room above the bars (at most L high) for L_i and the legend
    title = f"Softmax: L = -ln p = {softmax:.2f}"
    plot_probabilities(probabilities, label, class_names=class_names, ax=probability_ax, title=title)
    return np.asarray(axes)


def plot_losses_vs_score(
    scores, label, moving, values, *, deltas=(1.0,), class_names=None, ax=None, mark=None, title=None
):
    """Both losses of one image as the score of class ``moving`` sweeps ``values`` (x axis): the SVM per margin in
    ``deltas``, flat past the dotted line; softmax never flat. ``mark`` marks both losses at that score."""
    ax = axes_or_new(ax, figsize=(7, 4))
    scores, values = np.asarray(scores, dtype=float), np.asarray(values, dtype=float)
    names = _names(class_names, scores.size)
    colors = class_colors(len(deltas) + 1)
    S = np.tile(scores, (len(values), 1))  # (K, C): one image per value
    S[:, moving] = values
    y = np.full(len(values), label)
    softmax, _ = softmax_scores_loss(S, y, per_example=True)
    for k, delta in enumerate(deltas):
        svm, _ = svm_scores_loss(S, y, delta=delta, per_example=True)
        # Flat from where the image meets the margin against the moving class.
        flat_from = np.delete(scores, label).max() + delta if moving == label else scores[label] - delta
        ax.plot(values, svm, color=colors[k], linestyle=("-", "--", "-.", ":")[k % 4], label=f"SVM, delta = {delta:g}")
        ax.axvline(flat_from, color=colors[k], linestyle=":", linewidth=1)  # the SVM is flat beyond
    ax.plot(values, softmax, color=colors[-1], linewidth=2.5, label="softmax")
    if mark is not None:
        row = scores.copy()
        row[moving] = mark
        svm_now, softmax_now = (
            svm_scores_loss([row], [label], delta=deltas[0])[0],
            probabilities_and_loss(row, label)[1],
        )
        ax.plot([mark, mark], [svm_now, softmax_now], "o", color="black", label="now")
    where = "correct class" if moving == label else "wrong class"
    ax.set_title(title or f"Both losses as the score of {names[moving]} ({where}) moves")
    ax.set(xlabel=f"score of {names[moving]}", ylabel="loss of this image")
    ax.legend(fontsize="small")
    return ax
