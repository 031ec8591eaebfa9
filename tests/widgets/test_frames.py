"""Every frame an explorer shows is a full render of its figure; blitting redraws the whole figure only when needed.

Each explorer is moved through a few control values (some change an axis
limit, a tick label or a label, some only the data) and after each one its
picture must be what drawing the whole figure anew gives. The kept pixels
(``Explorer.BLIT``) are used for a frame whose axes, ticks and labels did
not change; an axes whose did is drawn again in its place.
"""

import pytest

import lossopt as lo

from ._pictures import assert_same_picture

W = lo.widgets

STEPS = {
    "MarginExplorer": (W.MarginExplorer, [("scale", 2.0), ("delta", 2.5), ("scale", 0.0)]),
    "LambdaExplorer": (W.LambdaExplorer, [("reg", 0.1), ("penalty", "l1"), ("reg", 1.0)]),
    "SoftmaxScaleExplorer": (W.SoftmaxScaleExplorer, [("scale", 2.5), ("scale", 0.0), ("scale", 5.0)]),
    "ScoreExplorer": (W.ScoreExplorer, [("s2", 3.0), ("s1", 9.5), ("label", 0), ("s0", -9.0)]),
    "StepSizeExplorer": (W.StepSizeExplorer, [("lr", 1.0), ("lr", 100.0)]),
    "LandscapeExplorer": (W.LandscapeExplorer, [("reg", 1.0), ("loss", "softmax"), ("delta", 2.0)]),
    "SGDExplorer": (W.SGDExplorer, [("lr", 0.2), ("batch_size", 256), ("loss", "svm")]),
    "FeatureExplorer": (W.FeatureExplorer, [("features", "polar"), ("features", "raw")]),
    "LinearClassifierDemo": (W.LinearClassifierDemo, [("reg", 1.0), ("p1", "b[2]"), ("dataset", "blobs")]),
}


class CountingDraws:
    """Counts full draws of a figure (``canvas.draw``)."""

    def __init__(self, figure):
        self.count, canvas = 0, figure.canvas
        real = canvas.draw

        def draw(*args, **kwargs):
            self.count += 1
            return real(*args, **kwargs)

        canvas.draw = draw


@pytest.mark.parametrize("name", STEPS)
def test_every_frame_is_a_full_render(name):
    factory, steps = STEPS[name]
    explorer = factory()
    assert_same_picture(explorer)
    for control, value in steps:
        explorer.controls[control].value = value
        assert_same_picture(explorer)


def test_a_step_that_moves_only_data_keeps_the_axes_pixels_and_one_that_moves_a_limit_redraws_that_axes():
    explorer = W.ScoreExplorer()
    draws, redrawn = CountingDraws(explorer.figure), []
    real = explorer._redraw
    explorer._redraw = lambda changed: redrawn.append(list(changed)) or real(changed)
    explorer.controls["s2"].value = 0.5  # only bars, curves and titles move
    assert (draws.count, redrawn) == (0, [])
    explorer.controls["s1"].value = 9.0  # the losses outgrow the hinge and curve panels: new y limits and ticks
    hinge_ax, _, curve_ax = explorer.figure.axes
    assert draws.count == 0 and redrawn == [[hinge_ax, curve_ax]]  # those panels alone, in place
    assert_same_picture(explorer)


def test_without_blitting_every_frame_draws_the_whole_figure():
    explorer = W.SoftmaxScaleExplorer()
    explorer.BLIT = False
    draws = CountingDraws(explorer.figure)
    explorer.controls["scale"].value = 2.0
    explorer.controls["scale"].value = 2.5
    assert draws.count == 2
    assert_same_picture(explorer)
