"""The slider explorers of notebooks 01-09, built from lossopt.plots and the math: ``lo.widgets.MarginExplorer()``."""

from ._explorer import Explorer, figure_png, log_slider, slider
from .demo import LinearClassifierDemo
from .features import FeatureExplorer
from .landscape import LandscapeExplorer
from .optimization import StepSizeExplorer
from .penalty import LambdaExplorer
from .softmax import ScoreExplorer, SoftmaxScaleExplorer
from .svm import MarginExplorer
from .training import SGDExplorer

__all__ = ["Explorer", "FeatureExplorer", "LambdaExplorer", "LandscapeExplorer", "LinearClassifierDemo"]
__all__ += ["MarginExplorer", "SGDExplorer", "ScoreExplorer", "SoftmaxScaleExplorer", "StepSizeExplorer"]
__all__ += ["figure_png", "log_slider", "slider"]
