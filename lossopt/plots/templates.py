"""Notebook 07: what a linear classifier learned and how it was tuned, as class templates and a search heat map."""

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from .._validate import check_array
from ._style import axes_or_new, class_colors

BEST_EDGE = class_colors(6)[5]  # vermillion: the frame around the best cell of a heat map


def template_images(W, image_shape=(8, 8)):
    """Each class's weights W (D, C) as an image (C, *image_shape), a bias row (D = pixels + 1) dropped.

    ``image_shape``: (height, width) grey, (height, width, 3) colour, as flattened (CIFAR-10: (32, 32, 3)).

    >>> template_images(np.arange(10.0).reshape(5, 2), image_shape=(2, 2))[1]
    array([[1., 3.],
           [5., 7.]])
    """
    W = check_array(W, "W", 2)
    image_shape = tuple(int(n) for n in image_shape)
    if len(image_shape) not in (2, 3) or (len(image_shape) == 3 and image_shape[2] != 3):
        raise ValueError(f"image_shape must be (height, width) or (height, width, 3), got {image_shape}")
    pixels = math.prod(image_shape)
    if W.shape[0] not in (pixels, pixels + 1):
        raise ValueError(
            f"W has {W.shape[0]} rows but an image of shape {image_shape} has {pixels} pixels; "
            f"W must have {pixels} rows, or {pixels + 1} with the bias row last"
        )
    return W[:pixels].T.reshape(W.shape[1], *image_shape)


def plot_templates(W, *, image_shape=(8, 8), class_names=None, axes=None, ncols=5, title=None):
    """Draw each class's weights W (D, C) as an image, its "template"; returns the C axes.

    Grey: a diverging map centred at 0 (blue lowers the score, red raises it), one scale, a colour bar.
    Colour (``(h, w, 3)``): weights mapped linearly onto RGB in [0, 1], one map for all, as in the assignment.
    """
    images = template_images(W, image_shape)
    num_classes = images.shape[0]
    names = list(class_names) if class_names is not None else [f"class {k}" for k in range(num_classes)]
    if len(names) != num_classes:
        raise ValueError(f"class_names has {len(names)} names but W has {num_classes} columns (classes)")
    if axes is None:
        nrows = -(-num_classes // ncols)
        _, grid = plt.subplots(nrows, ncols, figsize=(1.6 * ncols + 0.8, 1.7 * nrows + 0.4), layout="constrained")
        grid = np.atleast_1d(grid).ravel()
        for ax in grid[num_classes:]:
            ax.set_visible(False)
        axes = grid[:num_classes]
    axes = np.asarray(axes, dtype=object).ravel()
    if axes.size != num_classes:
        raise ValueError(f"axes has {axes.size} axes but W has {num_classes} classes")
    low, high = float(images.min()), float(images.max())
    bound = max(abs(low), abs(high), 1e-12)
    for ax, image, name in zip(axes, images, names, strict=True):
        if image.ndim == 3:
            shown = ax.imshow((image - low) / (high - low if high > low else 1.0), interpolation="nearest")
        else:
            shown = ax.imshow(image, cmap="RdBu_r", vmin=-bound, vmax=bound, interpolation="nearest")
        ax.set_title(name, fontsize="medium")
        ax.set_xticks([])
        ax.set_yticks([])
    figure = axes[0].figure
    if images.ndim == 3:  # grey images (C, h, w): say what the colours mean
        figure.colorbar(shown, ax=list(axes), shrink=0.8, label="weight (0: white)")
    figure.suptitle(title or "Learned weights of each class (templates)")
    return axes


def plot_search_heatmap(
    scores, regs, lrs, *, ax=None, label="validation accuracy", fmt=".3f", title=None, vmin=None, vmax=None
):
    """A search as an annotated heat map of ``scores`` (len(regs), len(lrs)), the best cell framed, NaN "n/a".

    ``label`` names the scores, ``fmt`` formats them; a ``vmin`` near the best spreads the colours where it matters.
    """
    scores = check_array(scores, "scores", 2)
    regs, lrs = list(regs), list(lrs)
    if scores.shape != (len(regs), len(lrs)):
        raise ValueError(
            f"scores must have shape (len(regs), len(lrs)) = ({len(regs)}, {len(lrs)}), got {scores.shape}"
        )
    if np.isnan(scores).all():
        raise ValueError("scores are all NaN: there is nothing to show")
    ax = axes_or_new(ax, figsize=(1.1 * len(lrs) + 2.5, 0.7 * len(regs) + 1.5))
    image = ax.imshow(scores, cmap="viridis", aspect="auto", origin="lower", vmin=vmin, vmax=vmax)
    for (i, j), value in np.ndenumerate(scores):
        if np.isnan(value):
            text, colour = "n/a", "black"
        else:  # dark cells (viridis is dark at the low end) get white text
            text, colour = format(value, fmt), "white" if image.norm(value) < 0.5 else "black"
        ax.text(j, i, text, ha="center", va="center", color=colour, fontsize="small")
    best_i, best_j = np.unravel_index(np.nanargmax(scores), scores.shape)
    ax.add_patch(Rectangle((best_j - 0.5, best_i - 0.5), 1, 1, fill=False, edgecolor=BEST_EDGE, linewidth=2.5))
    ax.set_xticks(range(len(lrs)), [f"{lr:g}" for lr in lrs])
    ax.set_yticks(range(len(regs)), [f"{reg:g}" for reg in regs])
    ax.set_xlabel("learning rate")
    ax.set_ylabel("regularization strength λ")
    ax.set_title(title or f"{label[0].upper()}{label[1:]} over λ × learning rate (framed: best)")
    ax.figure.colorbar(image, ax=ax, label=label)
    return ax
