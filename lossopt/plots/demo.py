"""Notebook 08: the pictures of the linear-classifier demo (``s = x @ W + b`` on 2-D points), drawn once, then updated.

Each class k has a zero-score line ``{x : x @ W[:, k] + b[k] = 0}`` and its weight vector ``W[:, k]`` normal to it.
"""

import numpy as np
from matplotlib import patheffects
from matplotlib.colors import PowerNorm

from .._validate import check_array
from ._style import axes_or_new, class_colors
from .classifier import grid_over, plot_decision_regions


def zero_score_lines(W, b, xlim, ylim):
    """Each class's zero-score line ``{x : x @ W[:, k] + b[k] = 0}`` (W (2, C), b (C,)) across the box xlim x ylim.

    Returns ``feet`` (C, 2), each line's point nearest the box centre (an arrow's start), and ``ends`` (C, 2, 2),
    two points of each line that cross the box (NaN where W[:, k] = 0: no line).

    >>> feet, ends = zero_score_lines([[0.0], [1.0]], [-0.5], (-1, 1), (-1, 1))
    >>> feet.tolist(), ends[0, :, 1].tolist()
    ([[0.0, 0.5]], [0.5, 0.5])
    """
    W, b = np.asarray(W, dtype=float), np.asarray(b, dtype=float)
    centre = np.array([np.mean(xlim), np.mean(ylim)])
    norms2 = (W**2).sum(axis=0)  # (C,)
    safe = np.where(norms2 > 0, norms2, 1.0)
    feet = centre - ((centre @ W + b) / safe)[:, np.newaxis] * W.T  # (C, 2)
    along = np.column_stack([-W[1], W[0]]) / np.sqrt(safe)[:, np.newaxis]  # (C, 2), unit vectors along the lines
    reach = np.hypot(xlim[1] - xlim[0], ylim[1] - ylim[0])  # longer than the box's diagonal
    ends = feet[:, np.newaxis] + np.array([-reach, reach])[:, np.newaxis] * along[:, np.newaxis]  # (C, 2, 2)
    ends[norms2 == 0] = np.nan
    return feet, ends


class ClassifierPlane:
    """On ``ax``: regions of the predicted class, points X (N, 2), y (N,), zero-score lines (dashed), weight arrows,
    rings around points with loss > 0; :meth:`update` moves them. ``legend=False``: the caller places the legend."""

    def __init__(self, ax, X, y, num_classes, *, resolution=100, legend=True):
        self.ax = ax
        self.X = check_array(X, "X", 2)
        self.y = np.asarray(y)
        self.num_classes = num_classes
        # The grid depends only on the data: made once, scored at every update.
        self._xx, _, self._grid = grid_over(self.X, resolution=resolution)
        W0, b0 = np.zeros((2, num_classes)), np.zeros(num_classes)
        plot_decision_regions(W0, self.X, self.y, b=b0, ax=ax, resolution=resolution)
        self.regions = ax.images[-1]
        self.xlim, self.ylim = ax.get_xlim(), ax.get_ylim()
        colors = class_colors(num_classes)
        self.lines = [ax.plot([], [], "--", color=c, linewidth=1.5, zorder=2)[0] for c in colors]
        zeros = np.zeros(num_classes)
        self.arrows = ax.quiver(
            zeros, zeros, zeros, zeros, color=colors, angles="xy", scale_units="xy", scale=1, width=0.012, zorder=4
        )
        crowded = len(self.X) > 30  # thinner rings where many points would make them a blur
        self.rings = ax.scatter(
            [], [], s=60 if crowded else 110, facecolors="none", edgecolors="black", linewidths=0.6 if crowded else 1.0
        )
        self.rings.set_zorder(5)
        self.rings.set_label("loss > 0")
        ax.set_title("Regions, sₖ = 0 lines, wₖ arrows")
        ax.get_legend().remove()  # plot_decision_regions' legend, without the rings
        if legend:
            ax.legend(loc="upper right", fontsize="x-small", framealpha=0.8)

    def update(self, W, b, losses=None):
        """Show the classifier ``x @ W + b`` (W (2, C), b (C,)); ring the points whose ``losses`` (N,) are above 0."""
        predicted = (self._grid @ W + b).argmax(axis=1)
        self.regions.set_data(predicted.reshape(self._xx.shape))
        feet, ends = zero_score_lines(W, b, self.xlim, self.ylim)
        for line, points in zip(self.lines, ends, strict=True):
            line.set_data(*points.T)
        # Each arrow starts on its class's line and points along W[:, k]; the longest is 0.3 of the box's width.
        scale = 0.3 * (self.xlim[1] - self.xlim[0]) / max(np.sqrt((W**2).sum(axis=0).max()), 1e-12)
        self.arrows.set_offsets(feet)
        self.arrows.set_UVC(scale * W[0], scale * W[1])
        hot = np.zeros(len(self.X), bool) if losses is None else np.asarray(losses) > 0
        self.rings.set_offsets(self.X[hot] if hot.any() else np.empty((0, 2)))


def plot_linear_classifier(W, b, X, y, *, losses=None, ax=None, resolution=100):
    """The demo's plane (see :class:`ClassifierPlane`) of W (2, C), b (C,) over X (N, 2), y (N,); returns the axes."""
    ax = axes_or_new(ax)
    W = check_array(W, "W", 2)
    plane = ClassifierPlane(ax, X, y, W.shape[1], resolution=resolution)
    plane.update(W, np.asarray(b, dtype=float), losses)
    return ax


class LossSlicePanel:
    """A loss surface over two parameters as an image (viridis, square-root colour scale), the path and the point."""

    def __init__(self, ax, *, cmap="viridis"):
        self.ax = ax
        # A square-root colour scale: the low valleys, where training goes, get most of the colours.
        self.image = ax.imshow(
            np.zeros((2, 2)), origin="lower", extent=(0, 1, 0, 1), cmap=cmap, norm=PowerNorm(0.5, 0, 1), aspect="auto",
            interpolation="bilinear",
        )  # fmt: skip
        self.colorbar = ax.figure.colorbar(self.image, ax=ax, shrink=0.9, pad=0.02)
        self.colorbar.set_label("total loss", fontsize="small")
        outline = [patheffects.withStroke(linewidth=2.6, foreground="black")]  # visible on light and dark
        (self.path,) = ax.plot([], [], "-", color="white", linewidth=1.2, path_effects=outline, label="path")
        (self.point,) = ax.plot([], [], "o", color="#D55E00", markeredgecolor="white", markersize=7, label="now")

    def update(self, losses, p1_values, p2_values, path, *, names=("p1", "p2"), clim=None):
        """Show ``losses`` (len(p2_values), len(p1_values)), ``path`` (steps, 2); ``clim`` defaults to their range."""
        extent = (p1_values[0], p1_values[-1], p2_values[0], p2_values[-1])
        self.image.set_data(losses)
        self.image.set_extent(extent)
        self.image.set_clim(*((np.min(losses), np.max(losses)) if clim is None else clim))
        self.ax.set_xlim(extent[:2])
        self.ax.set_ylim(extent[2:])
        path = np.asarray(path, dtype=float).reshape(-1, 2)
        self.path.set_data(path[:, 0], path[:, 1])
        self.point.set_data(path[-1:, 0], path[-1:, 1])
        self.ax.set(xlabel=names[0], ylabel=names[1], title=f"Loss over {names[0]} and {names[1]}")
