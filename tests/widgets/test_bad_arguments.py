"""Explorers given out-of-range or odd arguments raise lossopt's TypeError or ValueError naming the argument (issue 12).

Each row: the explorer, its keyword arguments, the exception, and the argument the message must name.
Before, for example, ``ScoreExplorer(label=5)`` raised a traitlets TraitError from deep inside a Dropdown.
"""

import numpy as np
import pytest

import lossopt as lo

W = lo.widgets

CASES = [
    # MarginExplorer (notebook 01)
    (W.MarginExplorer, {"delta": 5.0}, ValueError, "delta"),
    (W.MarginExplorer, {"delta": 0.0}, ValueError, "delta"),
    (W.MarginExplorer, {"scale": -1.0}, ValueError, "scale"),
    (W.MarginExplorer, {"scale": "big"}, TypeError, "scale"),
    (W.MarginExplorer, {"reg": -0.1}, ValueError, "reg"),
    (W.MarginExplorer, {"reg": float("nan")}, ValueError, "reg"),
    # LambdaExplorer (02)
    (W.LambdaExplorer, {"reg": 100.0}, ValueError, "reg"),
    (W.LambdaExplorer, {"penalty": "l3"}, ValueError, "penalty"),
    (W.LambdaExplorer, {"n_per_class": 0}, ValueError, "n_per_class"),
    (W.LambdaExplorer, {"n_outliers": 2.5}, TypeError, "n_outliers"),
    (W.LambdaExplorer, {"lr": 1.0}, ValueError, "lr"),
    (W.LambdaExplorer, {"steps": 0}, ValueError, "steps"),
    (W.LambdaExplorer, {"seed": -1}, ValueError, "seed"),
    # SoftmaxScaleExplorer (03)
    (W.SoftmaxScaleExplorer, {"label": 3}, ValueError, "label"),
    (W.SoftmaxScaleExplorer, {"label": "cat"}, TypeError, "label"),
    (W.SoftmaxScaleExplorer, {"scores": [1.0, np.nan, 0.0]}, ValueError, "scores"),
    (W.SoftmaxScaleExplorer, {"scores": [[1.0, 2.0]]}, ValueError, "scores"),
    (W.SoftmaxScaleExplorer, {"max_scale": 0.0}, ValueError, "max_scale"),
    (W.SoftmaxScaleExplorer, {"class_names": ["cat", "dog"]}, ValueError, "class_names"),
    (W.SoftmaxScaleExplorer, {"scores": [1e300, 0.0, 0.0]}, ValueError, "scores"),  # matplotlib's layout warned
    (W.SoftmaxScaleExplorer, {"max_scale": 1e6}, ValueError, "max_scale"),
    # ScoreExplorer (04)
    (W.ScoreExplorer, {"label": 5}, ValueError, "label"),
    (W.ScoreExplorer, {"label": True}, TypeError, "label"),
    (W.ScoreExplorer, {"scores": (20.0, 0.0, 0.0)}, ValueError, "scores[0]"),
    (W.ScoreExplorer, {"delta": -1.0}, ValueError, "delta"),
    (W.ScoreExplorer, {"score_range": -2.0}, ValueError, "score_range"),
    (W.ScoreExplorer, {"class_names": "ab"}, ValueError, "class_names"),
    # StepSizeExplorer (05)
    (W.StepSizeExplorer, {"lr": 1e3}, ValueError, "lr"),
    (W.StepSizeExplorer, {"loss": "hinge"}, ValueError, "loss"),
    (W.StepSizeExplorer, {"steps": 0}, ValueError, "steps"),
    (W.StepSizeExplorer, {"reg": -1.0}, ValueError, "reg"),
    (W.StepSizeExplorer, {"lr_range": 1.0}, TypeError, "lr_range"),
    (W.StepSizeExplorer, {"steps_per_decade": 0}, ValueError, "steps_per_decade"),
    (W.StepSizeExplorer, {"X": np.zeros((5, 3)), "y": np.arange(4)}, ValueError, "y"),
    # LandscapeExplorer (06)
    (W.LandscapeExplorer, {"reg": 100.0}, ValueError, "reg"),
    (W.LandscapeExplorer, {"delta": 4.0}, ValueError, "delta"),
    (W.LandscapeExplorer, {"loss": "hinge"}, ValueError, "loss"),
    (W.LandscapeExplorer, {"penalty": "l0", "W": np.ones((65, 10))}, ValueError, "penalty"),
    (W.LandscapeExplorer, {"seed": "a"}, TypeError, "seed"),
    (W.LandscapeExplorer, {"W": np.ones((3, 10))}, ValueError, "W"),
    # SGDExplorer (07)
    (W.SGDExplorer, {"batch_size": 3}, ValueError, "batch_size"),
    (W.SGDExplorer, {"lr": 100.0}, ValueError, "lr"),
    (W.SGDExplorer, {"loss": "ova_svm"}, ValueError, "loss"),
    (W.SGDExplorer, {"steps": 0}, ValueError, "steps"),
    (W.SGDExplorer, {"reg": -1e-4}, ValueError, "reg"),
    (W.SGDExplorer, {"seed": 1.5}, TypeError, "seed"),
    (W.SGDExplorer, {"data": (np.zeros((4, 2)), np.arange(4))}, TypeError, "data"),
    (W.SGDExplorer, {"data": lo.datasets.Split(np.full((4, 2), np.nan), [0, 1] * 2, *[None] * 4)}, ValueError, "X"),
    # LinearClassifierDemo (08)
    (W.LinearClassifierDemo, {"loss": "hinge"}, ValueError, "loss"),
    (W.LinearClassifierDemo, {"dataset": "moons"}, ValueError, "dataset"),
    (W.LinearClassifierDemo, {"reg": 1e3}, ValueError, "reg"),
    (W.LinearClassifierDemo, {"lr": 0.0}, ValueError, "lr"),
    (W.LinearClassifierDemo, {"seed": -1}, ValueError, "seed"),
    (W.LinearClassifierDemo, {"resolution": 0}, ValueError, "resolution"),
    (W.LinearClassifierDemo, {"landscape_resolution": 2.5}, TypeError, "landscape_resolution"),
]


@pytest.mark.parametrize(
    "factory, kwargs, error, name", CASES, ids=[f"{f.__name__}-{'-'.join(map(str, k))}" for f, k, _, _ in CASES]
)
def test_a_bad_argument_gets_lossopts_error_naming_it(factory, kwargs, error, name):
    with pytest.raises(error) as raised:
        factory(**kwargs)
    assert type(raised.value) is error  # ours, not a subclass from traitlets or numpy
    assert name in str(raised.value)
