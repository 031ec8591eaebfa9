"""Every notebook's figures share this look: a colour-blind-safe palette and axes creation."""

import matplotlib.pyplot as plt

# Okabe & Ito's eight colours, safe for the common colour-vision deficiencies (blue, orange, bluish green,
# reddish purple, sky blue, vermillion, yellow, black), then two of Paul Tol's muted colours (wine, olive),
# so that ten classes (digits, CIFAR-10) fit.
CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
CLASS_COLORS += ("#882255", "#999933")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")


def class_colors(num_classes):
    """The first ``num_classes`` palette colours."""
    if not 1 <= num_classes <= len(CLASS_COLORS):
        raise ValueError(f"num_classes must be between 1 and {len(CLASS_COLORS)}, got {num_classes}")
    return CLASS_COLORS[:num_classes]


def axes_or_new(ax=None, figsize=(5, 4), ncols=1):
    """Return ``ax``, or new axes on a new pyplot figure (shown inline in a notebook): ``ncols`` side by side."""
    if ax is None:
        _, ax = plt.subplots(1, ncols, figsize=figsize, layout="constrained")
    return ax
