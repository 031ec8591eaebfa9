"""Notebook 06: loss landscapes (from :mod:`lossopt.landscape`) as 1-D slices, contours, surfaces and paths.

A 2-D slice ``Z`` is (A, B): rows along ``alphas`` (x axis), columns along ``betas`` (y), so matplotlib gets ``Z.T``.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import BoundaryNorm

from .._validate import check_array
from ._style import CLASS_COLORS, axes_or_new

LANDSCAPE_CMAP = "viridis"  # perceptually uniform and colour-blind safe


def _check_grid(alphas, betas, Z):
    alphas, betas = check_array(alphas, "alphas", 1), check_array(betas, "betas", 1)
    Z = check_array(Z, "Z", 2)
    if Z.shape != (alphas.size, betas.size):
        raise ValueError(f"Z must have shape (len(alphas), len(betas)) = {(alphas.size, betas.size)}, got {Z.shape}")
    return alphas, betas, Z


def loss_levels(Z, count=12):
    """Contour levels at quantiles of ``Z``, to two significant digits, spanning all of it: a loss grows fast away
    from its valley, so even levels would put the valley in one band; quantiles give it its own.

    >>> loss_levels(np.array([[0.0, 1.0], [10.0, 100.0]]), count=3).tolist()
    [0.0, 1.0, 10.0, 100.0]
    """
    Z = np.asarray(Z, dtype=float)
    quantiles = np.quantile(Z, np.linspace(0, 1, count + 1))
    digits = 1 - np.floor(np.log10(np.maximum(np.abs(quantiles), 1e-12))).astype(int)
    rounded = np.array([round(q, d) for q, d in zip(quantiles, digits, strict=True)])
    rounded[0], rounded[-1] = min(rounded[0], Z.min()), max(rounded[-1], Z.max())  # every value inside a band
    levels = np.unique(rounded)
    return levels if levels.size > 1 else np.array([levels[0], levels[0] + 1.0])  # a flat slice: one band


def plot_slice_1d(alphas, losses, *, ax=None, labels=None, title="Loss along one direction", colors=None, **line_kw):
    """Loss against the step a along a direction: one curve, or one per column of ``losses`` (A,) or (A, k).

    ``labels`` (one per curve) adds a legend; ``colors`` default to the class palette; ``line_kw`` go to ``ax.plot``.
    """
    ax = axes_or_new(ax)
    alphas = check_array(alphas, "alphas", 1)
    losses = np.asarray(losses, dtype=float).reshape(alphas.size, -1)  # (A, k)
    colors = colors or [CLASS_COLORS[k % len(CLASS_COLORS)] for k in range(losses.shape[1])]
    for k in range(losses.shape[1]):
        ax.plot(alphas, losses[:, k], color=colors[k], label=None if labels is None else labels[k], **line_kw)
    ax.set(xlabel="step a along the direction", ylabel="loss", title=title)
    if labels is not None:
        ax.legend()
    return ax


def plot_slice_contours(
    alphas, betas, Z, *, ax=None, levels=None, title="Loss on a 2-D slice", colorbar=True, cax=None
):
    """Filled contours of a slice ``Z`` (A, B) over ``alphas`` (x) and ``betas`` (y), the centre marked; the axes.

    ``levels`` default to :func:`loss_levels`; ``colorbar`` draws one labelled "loss" (in ``cax`` if given).
    """
    ax = axes_or_new(ax)
    alphas, betas, Z = _check_grid(alphas, betas, Z)
    levels = loss_levels(Z) if levels is None else levels
    # Each band its own colour (a linear scale would give every low band the same dark one).
    norm = None if np.isscalar(levels) else BoundaryNorm(levels, plt.get_cmap(LANDSCAPE_CMAP).N)
    filled = ax.contourf(alphas, betas, Z.T, levels=levels, cmap=LANDSCAPE_CMAP, norm=norm)
    ax.contour(alphas, betas, Z.T, levels=filled.levels, colors="white", linewidths=0.4, alpha=0.5)
    ax.plot(0, 0, marker="+", color="white", markersize=10, markeredgewidth=2, linestyle="none", label="W (centre)")
    if colorbar:
        ax.figure.colorbar(filled, ax=None if cax else ax, cax=cax, label="loss", format="{x:.2g}")
    ax.set(xlabel="a (along d1)", ylabel="b (along d2)", title=title)
    return ax


def plot_slice_surface(alphas, betas, Z, *, ax=None, title="Loss surface", elev=35, azim=-60):
    """A 2-D slice as a 3-D surface (arguments as :func:`plot_slice_contours`; ``ax`` must be 3-D); returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4), layout="constrained", subplot_kw={"projection": "3d"})
    alphas, betas, Z = _check_grid(alphas, betas, Z)
    A, B = np.meshgrid(alphas, betas, indexing="ij")  # (A, B), like Z
    ax.plot_surface(A, B, Z, cmap=LANDSCAPE_CMAP, linewidth=0, antialiased=True, rcount=60, ccount=60)
    ax.view_init(elev=elev, azim=azim)
    ax.set(xlabel="a (along d1)", ylabel="b (along d2)", zlabel="loss", title=title)
    return ax


def plot_path(coords, *, ax=None, label="path", color=None, title=None, marker_every=None):
    """A path's (a, b) ``coords`` (T, 2) on a slice (:func:`lossopt.landscape.trajectory_directions`), start and end
    marked; ``color`` defaults to orange (stands out on viridis); ``marker_every``: a dot every n-th point."""
    ax = axes_or_new(ax)
    coords = check_array(coords, "coords", 2)
    if coords.shape[1] != 2:
        raise ValueError(f"coords must have shape (T, 2), got {coords.shape}")
    color = color or CLASS_COLORS[1]
    marker = "." if marker_every else None
    ax.plot(*coords.T, color=color, linewidth=1.5, label=label, marker=marker, markevery=marker_every)
    ax.plot(*coords[0], marker="o", color=color, markeredgecolor="white", linestyle="none", label="start")
    ax.plot(*coords[-1], marker="*", color=color, markeredgecolor="white", markersize=12, linestyle="none", label="end")
    if title is not None:
        ax.set_title(title)
    ax.set(xlabel="a (along d1)", ylabel="b (along d2)")
    ax.legend(loc="upper left", fontsize="small")
    return ax
