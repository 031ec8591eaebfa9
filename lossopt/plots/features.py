"""Notebook 09: pictures of image features, colour histograms, HOG cells, visual words, regions in a plane."""

import numpy as np
from matplotlib.collections import LineCollection

from .._validate import check_array
from ._style import axes_or_new, class_colors
from .classifier import plot_predicted_regions  # noqa: F401  (notebook 09 calls it from here)

CHANNELS = (("red", "#D55E00", "-", "o"), ("green", "#009E73", "--", "s"), ("blue", "#0072B2", ":", "^"))
"""Name, colour (from the colour-blind-safe palette), line style and marker of each RGB channel."""


def plot_color_histogram(histogram, *, ax=None, title="Colour histogram"):
    """Draw a (3, n_bins) RGB histogram (:func:`lossopt.features.color_histogram`), one line per channel; the axes."""
    ax = axes_or_new(ax)
    histogram = check_array(histogram, "histogram", 2)
    if histogram.shape[0] != 3:
        raise ValueError(f"histogram must have shape (3, n_bins), one row per channel, got {histogram.shape}")
    n_bins = histogram.shape[1]
    centres = (np.arange(n_bins) + 0.5) * 256 / n_bins
    for row, (name, color, style, marker) in zip(histogram, CHANNELS, strict=True):
        ax.plot(centres, row, color=color, linestyle=style, marker=marker, markersize=4, label=name)
    ax.set_xticks([0, 64, 128, 192, 256])
    ax.set(xlim=(0, 256), ylim=(0, None))
    ax.set(xlabel="pixel value (0 = dark, 255 = bright)", ylabel="fraction of pixels", title=title)
    ax.legend(title="channel", fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def hog_segments(cells, cell_size):
    """Segments that draw HOG ``cells`` (n_rows, n_cols, n_bins): one per cell and bin, along the edge (at a + 90
    degrees for a gradient at a, as in :func:`lossopt.features.cell_histograms`), centred, the largest 0.9 cell long.

    Returns ``segments`` (n_rows * n_cols * n_bins, 2, 2) as (x = column, y = row) pixels and the bin ``values``.
    """
    cells = check_array(cells, "cells", 3)
    n_rows, n_cols, n_bins = cells.shape
    middle = np.radians((np.arange(n_bins) + 0.5) * 180 / n_bins)  # (n_bins,) middle angle of each bin
    edge = np.column_stack([-np.sin(middle), np.cos(middle)])  # (n_bins, 2): (column, row) along the edge
    rows, cols = np.meshgrid(np.arange(n_rows), np.arange(n_cols), indexing="ij")
    centres = (np.stack([cols, rows], axis=-1) + 0.5) * cell_size - 0.5  # (n_rows, n_cols, 2), (x, y) in pixels
    half = 0.45 * cell_size * cells / max(cells.max(), 1e-12)  # (n_rows, n_cols, n_bins)
    offset = half[..., None] * edge  # (n_rows, n_cols, n_bins, 2)
    ends = np.stack([centres[:, :, None] - offset, centres[:, :, None] + offset], axis=3)  # (.., n_bins, 2 ends, 2)
    return ends.reshape(-1, 2, 2), cells.ravel()


def plot_hog(
    cells, cell_size, *, ax=None, image_shape=None, origin=(0, 0), title="HOG: gradient orientations per cell"
):
    """Draw HOG cells (n_rows, n_cols, n_bins) as segments (:func:`hog_segments`), white on black; the lines.

    ``image_shape`` frames it like the image; ``origin``: the (row, column) of the first cell's corner in pixels.
    """
    ax = axes_or_new(ax)
    segments, values = hog_segments(cells, cell_size)
    keep = values > 0
    row0, col0 = origin
    lines = LineCollection(segments[keep] + [col0, row0], colors="white", linewidths=1.0)
    ax.add_collection(lines)
    height, width = image_shape or (cells.shape[0] * cell_size, cells.shape[1] * cell_size)
    ax.set_facecolor("black")
    ax.set_xlim(col0 - 0.5, col0 + width - 0.5)
    ax.set_ylim(row0 + height - 0.5, row0 - 0.5)  # row 0 at the top, as in the image
    ax.set_aspect("equal")
    ax.set(xlabel="column (pixels)", ylabel="row (pixels)", title=title)
    return lines


def plot_orientation_histogram(histogram, *, ax=None, title="One cell's orientation histogram"):
    """Bars of one cell's histogram over the orientation bins, labelled by their angle in degrees; the bars."""
    ax = axes_or_new(ax)
    histogram = check_array(histogram, "histogram", 1)
    n_bins = histogram.size
    width = 180 / n_bins
    bars = ax.bar(np.arange(n_bins) * width, histogram, width=0.9 * width, align="edge", color="#0072B2")
    ax.set_xticks(np.arange(0, 181, 2 * width if n_bins > 6 else width))
    ax.set_xlim(0, 180)
    ax.set(xlabel="gradient orientation (degrees)", ylabel="sum of gradient magnitudes", title=title)
    return bars


def plot_codebook(codebook, patch_size, *, ax=None, title="The visual words (k-means centres)"):
    """Show each row of ``codebook`` (K, patch_size**2) as a small grey patch, side by side; the image."""
    ax = axes_or_new(ax)
    codebook = check_array(codebook, "codebook", 2)
    k = codebook.shape[0]
    p = int(patch_size)
    if codebook.shape[1] != p * p:
        raise ValueError(f"codebook rows must have patch_size**2 = {p * p} values, got {codebook.shape[1]}")
    gap = 1
    strip = np.full((p, k * (p + gap) - gap), np.nan)
    for j, word in enumerate(codebook):
        strip[:, j * (p + gap) : j * (p + gap) + p] = word.reshape(p, p)
    picture = ax.imshow(strip, cmap="gray", interpolation="nearest")
    ax.set_xticks(np.arange(k) * (p + gap) + (p - 1) / 2, [str(j) for j in range(k)])
    ax.set_yticks([])
    ax.set(xlabel="word", title=title)
    return picture


def plot_word_histograms(histograms, names, *, ax=None, title="Bag of words: how often each word occurs"):
    """Grouped bars of ``histograms`` (n_images, K): one group per visual word, one bar per image (``names``)."""
    ax = axes_or_new(ax)
    histograms = check_array(histograms, "histograms", 2)
    n_images, k = histograms.shape
    colors = class_colors(n_images)
    width = 0.8 / n_images
    for i, (row, name) in enumerate(zip(histograms, names, strict=True)):
        ax.bar(np.arange(k) + (i - (n_images - 1) / 2) * width, row, width=width, color=colors[i], label=name)
    ax.set_xticks(np.arange(k))
    ax.set(xlabel="word", ylabel="fraction of patches", title=title)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax
