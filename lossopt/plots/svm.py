"""Notebooks 01, 02 and 04: the multiclass SVM's hinge terms; weight magnitudes, R(w) and dR/dw of the penalties."""

import numpy as np

from .._validate import check_array, check_scalar, check_scores
from ..losses import score_kernel
from ..regularization import PENALTIES, regularization
from ._style import axes_or_new, class_colors


def hinge_terms(S, y, *, delta=1.0):
    """Every hinge term max(0, s_j - s_{y_i} + delta): ``terms`` (N, C) for S (N, C), y (N,), 0 where j = y_i.

    Each is the SVM loss of the scores (s_{y_i}, s_j) (one hinge, in ``lossopt.losses``); row sums are the L_i.

    >>> import lossopt as lo
    >>> S, y, _ = lo.datasets.worked_example()
    >>> hinge_terms(S, y).round(1)
    array([[0. , 2.9, 0. ],
           [0. , 0. , 0. ],
           [6.3, 6.6, 0. ]])
    """
    S, y = check_scores(S, y)
    delta = check_scalar(delta, "delta", low=0)
    N, C = S.shape
    pairs = np.stack([np.repeat(S[np.arange(N), y], C), S.ravel()], axis=1)  # (N * C, 2): (s_{y_i}, s_j)
    terms = score_kernel("svm", pairs, np.zeros(N * C, int), delta)[0].reshape(N, C)  # checked above
    terms[np.arange(N), y] = 0.0  # j = y_i is no wrong class
    return terms


def plot_hinge_terms(S, y, *, delta=1.0, ax=None, class_names=None, image_names=None):
    """Grouped bars of the hinge terms of scores S (N, C), labels y (N,), j != y_i; L_i above, L in the title.

    Returns the axes: ``ax.containers`` holds a BarContainer per class, a bar per image where it is wrong.

    >>> import lossopt as lo
    >>> S, y, names = lo.datasets.worked_example()
    >>> ax = plot_hinge_terms(S, y, class_names=names)
    >>> [round(float(bar.get_height()), 1) for bar in ax.containers[0]]  # class "cat", wrong for car and frog
    [0.0, 6.3]
    """
    terms = hinge_terms(S, y, delta=delta)  # checks S, y and delta
    y = np.asarray(y)
    N, C = terms.shape
    class_names = list(class_names) if class_names is not None else [f"class {k}" for k in range(C)]
    image_names = list(image_names) if image_names is not None else [f"{class_names[k]} image" for k in y]
    ax = axes_or_new(ax)
    width = 0.8 / C
    for j, color in enumerate(class_colors(C)):
        wrong = np.flatnonzero(y != j)  # the images for which class j is a wrong class
        positions = wrong + (j - (C - 1) / 2) * width
        ax.bar(positions, terms[wrong, j], width=width, color=color, label=class_names[j])
    for i, L_i in enumerate(terms.sum(axis=1)):
        above = {"xytext": (0, 4), "textcoords": "offset points", "ha": "center", "va": "bottom", "fontsize": "small"}
        ax.annotate(f"Lᵢ = {L_i:.2f}", (i, terms[i].max()), **above)
    ax.set_xticks(np.arange(N), image_names)
    ax.set_xlim(-0.6, N - 0.4)
    top = terms.max()
    ax.set_ylim(0, 1.2 * top if top > 0 else 1.0)  # room for the L_i labels
    ax.set_ylabel(r"hinge term max(0, $s_j - s_{y_i} + \Delta$)")
    ax.set_xlabel("image (bars: its wrong classes j)")
    ax.set_title(f"Multiclass SVM hinge terms, Δ = {delta:g}: L = {terms.sum(axis=1).mean():.2f}")
    ax.legend(title="wrong class j", fontsize="small", loc="upper left")
    return ax


def plot_weight_magnitudes(W, *, ax=None, feature_names=None, class_names=None, top=None):
    """Grouped bars of |W| (D, C): a group per feature, a bar per class, a cross where W is exactly 0 (L1's zeros).

    ``top`` fixes the y axis. Returns the axes: ``ax.containers`` holds a BarContainer per class.

    >>> ax = plot_weight_magnitudes([[0.5, 0.0], [-2.0, 1.0]])
    >>> [float(bar.get_height()) for bar in ax.containers[0]]
    [0.5, 2.0]
    >>> ax.get_title()
    'Weight magnitudes |W|: 1 of 4 exactly 0'
    """
    W = check_array(W, "W", 2)
    D, C = W.shape
    feature_names = list(feature_names) if feature_names is not None else [f"x{k}" for k in range(D)]
    class_names = list(class_names) if class_names is not None else [f"class {c}" for c in range(C)]
    ax = axes_or_new(ax)
    width = 0.8 / C
    offsets = (np.arange(C) - (C - 1) / 2) * width  # (C,) where each class's bar sits in a group
    for c, color in enumerate(class_colors(C)):
        ax.bar(np.arange(D) + offsets[c], np.abs(W[:, c]), width=width, color=color, label=class_names[c])
    rows, cols = np.nonzero(W == 0)
    if rows.size:  # (an empty unclipped line would upset constrained layout)
        zeros_x = rows + offsets[cols]
        ax.plot(zeros_x, np.zeros(rows.size), "x", color="black", markersize=7, label="exactly 0", clip_on=False)
    ax.set_xticks(np.arange(D), feature_names)
    ax.set_xlim(-0.6, D - 0.4)
    if top is not None:
        ax.set_ylim(0, top)
    ax.set_xlabel("feature (row of W)")
    ax.set(ylabel="|W[k, c]|", title=f"Weight magnitudes |W|: {rows.size} of {W.size} exactly 0")
    ax.legend(fontsize="small", loc="upper right")
    return ax


def plot_penalties(*, w_max=1.0, penalties=PENALTIES, beta=1.0, axes=None):
    """The penalty R(w) of one weight in [-w_max, w_max] and dR/dw; where it jumps at 0, open circles mark the
    one-sided limits, a dot the subgradient sign(0) = 0 lossopt uses. Returns the axes (R, dR/dw).

    >>> ax_R, ax_dR = plot_penalties(penalties=("l1",))
    >>> [round(float(v), 2) for v in ax_dR.get_lines()[0].get_ydata()[[0, -1]]]  # sign(w) left of 0
    [-1.0, -1.0]
    """
    ax_R, ax_dR = axes = axes_or_new(axes, figsize=(9, 3.4), ncols=2)
    w = np.linspace(-w_max, w_max, 201)

    def penalty_at(value, penalty):
        R, dR = regularization([[value]], penalty, beta=beta)
        return float(R), float(dR[0, 0])

    for penalty, color in zip(penalties, class_colors(len(penalties)), strict=True):
        R, dR = np.array([penalty_at(value, penalty) for value in w]).T
        ax_R.plot(w, R, color=color, label=penalty)
        left, right = w < 0, w > 0  # drawn apart: a line through w = 0 would hide a jump
        ax_dR.plot(w[left], dR[left], color=color, label=penalty)
        ax_dR.plot(w[right], dR[right], color=color)
        below, above = penalty_at(-1e-12, penalty)[1], penalty_at(1e-12, penalty)[1]
        if not np.isclose(below, above):  # a kink in R: its derivative jumps at 0
            ax_dR.plot([0, 0], [below, above], "o", markerfacecolor="white", color=color)
            ax_dR.plot([0], [penalty_at(0.0, penalty)[1]], "o", color=color)
    ax_R.set(title="Penalty of one weight, R(w)", xlabel="weight w", ylabel="R(w)")
    ax_dR.set(title="Its gradient dR/dw (o: limits at 0, •: value used)", xlabel="weight w", ylabel="dR/dw")
    for ax in axes:
        ax.axvline(0, color="0.8", linewidth=0.8, zorder=0)
        ax.legend(fontsize="small")
    return ax_R, ax_dR
