"""Notebook 06: loss landscapes as 1-D slices, 2-D contours, 3-D surfaces, optimization paths on a slice.

The values come from :mod:`lossopt.landscape`; these functions only draw.
A 2-D slice ``Z`` has shape (A, B), rows along ``alphas`` (x axis) and columns
along ``betas`` (y axis), so matplotlib gets ``Z.T``.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from .._validate import as_float_array
from ._style import CLASS_COLORS, axes_or_new

LANDSCAPE_CMAP = "viridis"  # perceptually uniform and colour-blind safe


def _check_grid(alphas, betas, Z):
    alphas = as_float_array(alphas, "alphas", ndim=1)
    betas = as_float_array(betas, "betas", ndim=1)
    Z = as_float_array(Z, "Z", ndim=2)
    if Z.shape != (alphas.size, betas.size):
        raise ValueError(f"Z must have shape (len(alphas), len(betas)) = {(alphas.size, betas.size)}, got {Z.shape}")
    return alphas, betas, Z


def plot_slice_1d(alphas, losses, *, ax=None, labels=None, title="Loss along one direction", colors=None, **line_kw):
    """Loss against the step a along a direction: one curve, or one per column of ``losses``.

    Parameters
    ----------
    alphas : array, shape (A,)
    losses : array, shape (A,) or (A, k)
        From :func:`lossopt.landscape.slice_1d` (with ``per_example=True``, one curve per example).
    ax : matplotlib Axes, optional
    labels : sequence of str, optional
        One legend label per curve (a legend is drawn when given).
    title : str
    colors : sequence of colours, optional
        Default: the class palette, in order.
    **line_kw
        Passed to ``ax.plot`` (linewidth, linestyle, ...).

    Returns
    -------
    matplotlib Axes
    """
    ax = axes_or_new(ax)
    alphas = as_float_array(alphas, "alphas", ndim=1)
    losses = np.asarray(losses, dtype=float).reshape(alphas.size, -1)  # (A, k)
    colors = colors or [CLASS_COLORS[k % len(CLASS_COLORS)] for k in range(losses.shape[1])]
    for k in range(losses.shape[1]):
        ax.plot(alphas, losses[:, k], color=colors[k], label=None if labels is None else labels[k], **line_kw)
    ax.set_xlabel("step a along the direction")
    ax.set_ylabel("loss")
    ax.set_title(title)
    if labels is not None:
        ax.legend()
    return ax


def plot_slice_contours(alphas, betas, Z, *, ax=None, levels=20, title="Loss on a 2-D slice", colorbar=True):
    """Filled contours of a 2-D slice, with the centre (a = b = 0) marked.

    Parameters
    ----------
    alphas : array, shape (A,)
        Steps along d1 (x axis).
    betas : array, shape (B,)
        Steps along d2 (y axis).
    Z : array, shape (A, B)
        From :func:`lossopt.landscape.slice_2d`.
    ax : matplotlib Axes, optional
    levels : int or array
        Contour levels.
    title : str
    colorbar : bool, default True
        Draw a colour bar labelled "loss".

    Returns
    -------
    matplotlib Axes
    """
    ax = axes_or_new(ax)
    alphas, betas, Z = _check_grid(alphas, betas, Z)
    filled = ax.contourf(alphas, betas, Z.T, levels=levels, cmap=LANDSCAPE_CMAP)
    ax.contour(alphas, betas, Z.T, levels=filled.levels, colors="white", linewidths=0.4, alpha=0.5)
    ax.plot(0, 0, marker="+", color="white", markersize=10, markeredgewidth=2, linestyle="none", label="W (centre)")
    if colorbar:
        bar = ax.figure.colorbar(filled, ax=ax, label="loss")
        bar.locator = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10])  # round ticks, whatever the levels
        bar.update_ticks()
    ax.set_xlabel("a (along d1)")
    ax.set_ylabel("b (along d2)")
    ax.set_title(title)
    return ax


def plot_slice_surface(alphas, betas, Z, *, ax=None, title="Loss surface", elev=35, azim=-60):
    """A 2-D slice as a 3-D surface.

    Parameters
    ----------
    alphas, betas, Z
        As in :func:`plot_slice_contours`.
    ax : matplotlib 3-D Axes, optional
        New 3-D axes when None (``subplot_kw={"projection": "3d"}`` for your own).
    title : str
    elev, azim : float
        The viewing angle.

    Returns
    -------
    matplotlib Axes3D
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4), layout="constrained", subplot_kw={"projection": "3d"})
    alphas, betas, Z = _check_grid(alphas, betas, Z)
    A, B = np.meshgrid(alphas, betas, indexing="ij")  # (A, B), like Z
    ax.plot_surface(A, B, Z, cmap=LANDSCAPE_CMAP, linewidth=0, antialiased=True, rcount=60, ccount=60)
    ax.view_init(elev=elev, azim=azim)
    ax.set_xlabel("a (along d1)")
    ax.set_ylabel("b (along d2)")
    ax.set_zlabel("loss")
    ax.set_title(title)
    return ax


def plot_path(coords, *, ax=None, label="path", color=None, title=None, marker_every=None):
    """An optimization path on a slice: its (a, b) coordinates, start and end marked.

    Parameters
    ----------
    coords : array, shape (T, 2)
        From :func:`lossopt.landscape.trajectory_directions`.
    ax : matplotlib Axes, optional
        Usually the axes of :func:`plot_slice_contours`.
    label : str
        Legend label (a legend is drawn).
    color : matplotlib colour, optional
        Default the palette's orange, which stands out on viridis.
    title : str, optional
        Replaces the axes' title when given.
    marker_every : int, optional
        Put a dot on every n-th point.

    Returns
    -------
    matplotlib Axes
    """
    ax = axes_or_new(ax)
    coords = as_float_array(coords, "coords", ndim=2)
    if coords.shape[1] != 2:
        raise ValueError(f"coords must have shape (T, 2), got {coords.shape}")
    color = color or CLASS_COLORS[1]
    marker = "." if marker_every else None
    ax.plot(*coords.T, color=color, linewidth=1.5, label=label, marker=marker, markevery=marker_every)
    ax.plot(*coords[0], marker="o", color=color, markeredgecolor="white", linestyle="none", label="start")
    ax.plot(*coords[-1], marker="*", color=color, markeredgecolor="white", markersize=12, linestyle="none", label="end")
    if title is not None:
        ax.set_title(title)
    ax.set_xlabel("a (along d1)")
    ax.set_ylabel("b (along d2)")
    ax.legend(loc="upper left", fontsize="small")
    return ax
