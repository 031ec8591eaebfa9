"""Notebooks 02 and 08: a linear classifier on 2-D data, its points and its decision regions."""

import numpy as np
from matplotlib.colors import ListedColormap

from .._validate import check_array
from ._style import MARKERS, axes_or_new, class_colors


def grid_over(X, *, resolution=200, margin=0.25):
    """A square grid of points covering X with some margin: (xx, yy, points (resolution**2, 2))."""
    low, high = X.min(axis=0), X.max(axis=0)
    pad = margin * np.maximum(high - low, 1e-9)
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    xx, yy = np.meshgrid(xs, ys)
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def plot_predicted_regions(
    predict, X, y, *, ax=None, resolution=150, class_names=None, margin=0.25, num_classes=None, point_size=18
):
    """Colour the plane by ``predict(points (M, 2)) -> (M,)``, any classifier of 2-D points, and draw X, y on top.

    Returns the regions' image (``resolution`` a side, ``margin`` of the range to spare; ``get_array()``: classes).
    """
    ax = axes_or_new(ax)
    X = check_array(X, "X", 2)
    y = np.asarray(y)
    num_classes = int(y.max()) + 1 if num_classes is None else num_classes
    xx, yy, grid = grid_over(X, resolution=resolution, margin=margin)
    predicted = np.asarray(predict(grid)).reshape(xx.shape)
    extent = (xx[0, 0], xx[0, -1], yy[0, 0], yy[-1, 0])
    regions = ax.imshow(
        predicted, origin="lower", extent=extent, cmap=ListedColormap(class_colors(num_classes)), vmin=-0.5,
        vmax=num_classes - 0.5, alpha=0.25, aspect="auto", interpolation="nearest",
    )  # fmt: skip
    names = class_names or [f"class {k}" for k in range(num_classes)]
    style = {"s": point_size, "edgecolor": "white", "linewidth": 0.8, "zorder": 3}
    for k, color in enumerate(class_colors(int(y.max()) + 1)):  # the points: one colour and marker per class
        ax.scatter(*X[y == k].T, color=color, marker=MARKERS[k], label=names[k], **style)
    ax.set(xlim=(xx[0, 0], xx[0, -1]), ylim=(yy[0, 0], yy[-1, 0]))
    return regions


def plot_decision_regions(W, X, y, *, b=None, ax=None, resolution=200, class_names=None):
    """Colour the plane by the predicted class of the linear classifier ``x @ W + b``, points X (N, 2), y on top.

    W is (2, C), or (3, C) with the bias as its last row (the bias trick); ``b`` (C,) otherwise. Returns the axes.
    """
    ax = axes_or_new(ax)
    W = check_array(W, "W", 2)
    X = check_array(X, "X", 2)
    if W.shape[0] == 3:
        W, b = W[:2], W[2]
    if W.shape[0] != 2 or X.shape[1] != 2:
        raise ValueError(
            f"plot_decision_regions needs 2-D points and W of 2 or 3 rows, got X {X.shape} and W {W.shape}"
        )
    b = np.zeros(W.shape[1]) if b is None else np.asarray(b, dtype=float)
    plot_predicted_regions(
        lambda grid: (grid @ W + b).argmax(axis=1),  # (M,) the class with the highest score
        X, y, ax=ax, resolution=resolution, class_names=class_names, num_classes=W.shape[1], point_size=40,
    )  # fmt: skip
    ax.set(xlabel="$x_0$", ylabel="$x_1$", title="Decision regions")
    ax.legend(loc="upper right", fontsize="small", framealpha=0.8)
    return ax
