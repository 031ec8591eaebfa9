"""Pictures of the multiclass SVM loss and of weight penalties: hinge terms, weight magnitudes, R(w) and dR/dw."""

import numpy as np

from .._validate import check_nonnegative, check_scores
from ..losses import svm_scores_loss
from ._style import axes_or_new, class_colors


def hinge_terms(S, y, *, delta=1.0):
    """Every hinge term max(0, s_j - s_{y_i} + delta) of the multiclass SVM loss.

    Each term is itself a multiclass SVM loss: that of the two scores
    (s_{y_i}, s_j) with the first one correct. So :func:`lossopt.svm_scores_loss`
    computes every term, and the hinge is written only once, in ``lossopt.losses``.

    Parameters
    ----------
    S : array, shape (N, C)
        Scores, one row per image.
    y : array of int, shape (N,)
        The correct class of each image.
    delta : float, default 1.0
        The margin.

    Returns
    -------
    terms : ndarray, shape (N, C)
        ``terms[i, j]`` is the hinge term of image i and wrong class j; 0 where j = y_i.
        Row sums are the per-image losses L_i, and ``terms.sum(1).mean()`` is the loss.

    Examples
    --------
    >>> import lossopt as lo
    >>> S, y, _ = lo.datasets.worked_example()
    >>> hinge_terms(S, y).round(1)
    array([[0. , 2.9, 0. ],
           [0. , 0. , 0. ],
           [6.3, 6.6, 0. ]])
    """
    S, y = check_scores(S, y)
    delta = check_nonnegative(delta, "delta")
    N, C = S.shape
    terms = np.zeros_like(S)  # (N, C)
    for i in range(N):
        for j in range(C):
            if j != y[i]:  # the loss of the scores (s_{y_i}, s_j), correct class first
                terms[i, j] = svm_scores_loss([[S[i, y[i]], S[i, j]]], [0], delta=delta)[0]
    return terms


def plot_hinge_terms(S, y, *, delta=1.0, ax=None, class_names=None, image_names=None):
    """Grouped bars: for each image, its hinge terms max(0, s_j - s_{y_i} + delta), j != y_i.

    One group of bars per image, one bar per wrong class (coloured by class,
    the correct class's slot left empty), the image's loss L_i written above
    the group and the mean loss L in the title.

    Parameters
    ----------
    S : array, shape (N, C)
        Scores, one row per image.
    y : array of int, shape (N,)
        The correct class of each image.
    delta : float, default 1.0
        The margin.
    ax : matplotlib Axes, optional
    class_names : sequence of str, optional
        Names of the C classes (default "class 0", ...).
    image_names : sequence of str, optional
        Names of the N images (default "<correct class> image").

    Returns
    -------
    matplotlib Axes
        ``ax.containers`` holds one BarContainer per class (label = class
        name), with a bar for each image where that class is wrong: its
        heights are the hinge terms, in image order.

    Examples
    --------
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
        ax.annotate(
            f"$L_i$ = {L_i:.2f}",
            (i, terms[i].max()),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize="small",
        )
    ax.set_xticks(np.arange(N), image_names)
    ax.set_xlim(-0.6, N - 0.4)
    ax.set_ylabel(r"hinge term max(0, $s_j - s_{y_i} + \Delta$)")
    ax.set_xlabel("image (bars: its wrong classes j)")
    ax.set_title(f"Multiclass SVM hinge terms, Δ = {delta:g}: L = {terms.sum(axis=1).mean():.2f}")
    ax.legend(title="wrong class j", fontsize="small", loc="upper left")
    return ax
