"""lossopt: the losses, gradients and optimizers of CS231n Lecture 3, in numpy.

    import lossopt as lo
    loss, dW = lo.svm_loss(W, X, y, reg=1e-3)

X is (N, D), W is (D, C), y holds integer labels in [0, C), scores S = X @ W.
"""

from . import datasets, exercises, features, landscape, plots, widgets
from .gradcheck import grad_check, numerical_gradient, rel_error
from .losses import (
    SCORE_LOSSES,
    ClassifierLoss,
    classifier_loss,
    linear_loss,
    ova_svm_scores_loss,
    ova_svm_scores_loss_naive,
    softmax_loss,
    softmax_loss_naive,
    softmax_probabilities,
    softmax_scores_loss,
    softmax_scores_loss_naive,
    structured_svm_scores_loss,
    structured_svm_scores_loss_naive,
    svm_loss,
    svm_loss_naive,
    svm_scores_loss,
    svm_scores_loss_naive,
)
from .optim import DivergenceWarning, LinearClassifier, SGDResult, fit_proximal, sgd, soft_threshold, step_decay
from .regularization import PENALTIES, regularization

__version__ = "0.1.0"

__all__ = [
    "PENALTIES",
    "SCORE_LOSSES",
    "ClassifierLoss",
    "DivergenceWarning",
    "LinearClassifier",
    "SGDResult",
    "classifier_loss",
    "datasets",
    "exercises",
    "features",
    "fit_proximal",
    "grad_check",
    "landscape",
    "linear_loss",
    "numerical_gradient",
    "ova_svm_scores_loss",
    "ova_svm_scores_loss_naive",
    "plots",
    "regularization",
    "rel_error",
    "sgd",
    "soft_threshold",
    "softmax_loss",
    "softmax_loss_naive",
    "softmax_probabilities",
    "softmax_scores_loss",
    "softmax_scores_loss_naive",
    "step_decay",
    "structured_svm_scores_loss",
    "structured_svm_scores_loss_naive",
    "svm_loss",
    "svm_loss_naive",
    "svm_scores_loss",
    "svm_scores_loss_naive",
    "widgets",
]
