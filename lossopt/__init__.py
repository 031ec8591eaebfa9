"""lossopt: the losses, gradients and optimizers of CS231n Lecture 3, in numpy.

    import lossopt as lo
    loss, dW = lo.svm_loss(W, X, y, reg=1e-3)

X is (N, D), W is (D, C), y holds integer labels in [0, C), scores S = X @ W.
"""

# ruff: noqa: F401, I001 (this module only re-exports the public API, grouped by module)

from . import datasets, exercises, features, landscape, plots, widgets
from .gradcheck import grad_check, numerical_gradient, rel_error
from .losses import SCORE_LOSSES, ClassifierLoss, classifier_loss, linear_loss, softmax_probabilities
from .losses import ova_svm_scores_loss, ova_svm_scores_loss_naive, structured_svm_scores_loss
from .losses import softmax_loss, softmax_loss_naive, softmax_scores_loss, softmax_scores_loss_naive
from .losses import structured_svm_scores_loss_naive, svm_loss, svm_loss_naive, svm_scores_loss
from .losses import svm_scores_loss_naive
from .optim import DivergenceWarning, LinearClassifier, SGDResult, fit_proximal, sgd, soft_threshold, step_decay
from .regularization import PENALTIES, regularization

__version__ = "0.1.0"
