"""The figures of notebooks 01-09: functions that draw on ``ax`` (or new axes when ``ax=None``) and return it."""

from . import features  # the pictures of notebook 09: lo.plots.features.plot_hog, ...
from ._style import class_colors
from .classifier import grid_over, plot_decision_regions
from .demo import plot_linear_classifier
from .landscape import loss_levels, plot_path, plot_slice_1d, plot_slice_contours, plot_slice_surface
from .softmax import (
    plot_class_bars,
    plot_losses_vs_score,
    plot_probabilities,
    plot_softmax_chain,
    plot_svm_vs_softmax,
    probabilities_and_loss,
)
from .svm import hinge_terms, plot_hinge_terms, plot_penalties, plot_weight_magnitudes
from .templates import plot_search_heatmap, plot_templates, template_images
from .training import plot_loss_history

__all__ = ["class_colors", "features", "grid_over", "hinge_terms", "loss_levels", "plot_class_bars"]
__all__ += ["plot_decision_regions", "plot_hinge_terms", "plot_linear_classifier", "plot_loss_history"]
__all__ += ["plot_losses_vs_score", "plot_path", "plot_penalties", "plot_probabilities", "plot_search_heatmap"]
__all__ += ["plot_slice_1d", "plot_slice_contours", "plot_slice_surface", "plot_softmax_chain", "plot_svm_vs_softmax"]
__all__ += ["plot_templates", "plot_weight_magnitudes", "probabilities_and_loss", "template_images"]
