"""Every explorer draws only what a control moved, and the picture is the same as a full render (issue 14)."""

import numpy as np
import pytest

import lossopt as lo

from ._pictures import assert_same_picture

# Each explorer, and control changes that a student makes: (control name, value) or a method to call.
CASES = {
    "MarginExplorer": (lo.widgets.MarginExplorer, [("delta", 1.5), ("scale", 2.0), ("scale", 0.0)]),
    "LambdaExplorer": (lo.widgets.LambdaExplorer, [("reg", 1.0), ("penalty", "l1"), ("reg", 1e-3)]),
    "SoftmaxScaleExplorer": (lo.widgets.SoftmaxScaleExplorer, [("scale", 2.5), ("scale", 0.0)]),
    "ScoreExplorer": (lo.widgets.ScoreExplorer, [("s2", 3.0), ("label", 0), ("s0", -9.0)]),
    "StepSizeExplorer": (lo.widgets.StepSizeExplorer, [("lr", 1.0), ("lr", 100.0)]),
    "LandscapeExplorer": (lo.widgets.LandscapeExplorer, [("reg", 1.0), ("delta", 2.0), ("loss", "softmax")]),
    "SGDExplorer": (lo.widgets.SGDExplorer, [("lr", 0.5), ("batch_size", 128), ("loss", "svm")]),
    "FeatureExplorer": (lo.widgets.FeatureExplorer, [("features", "polar"), ("features", "raw")]),
    "LinearClassifierDemo": (
        lo.widgets.LinearClassifierDemo,
        [("step", 3), ("p1", "b[2]"), ("step", 30), ("dataset", "blobs"), ("randomize", None), ("loss", "softmax")],
    ),
}


def act(explorer, name, value):
    if name in explorer.controls:
        explorer.controls[name].value = value
    elif value is None:
        getattr(explorer, name)()
    else:
        getattr(explorer, name)(value)


@pytest.mark.parametrize("name", list(CASES))
def test_every_frame_is_a_full_render(name):
    factory, changes = CASES[name]
    explorer = factory()
    assert_same_picture(explorer)
    for control, value in changes:
        act(explorer, control, value)
        assert_same_picture(explorer)


class CountingCanvasDraws:
    def __init__(self, explorer):
        canvas = explorer._frames.canvas
        self.count, draw = 0, canvas.draw

        def counted(*args, **kwargs):
            self.count += 1
            return draw(*args, **kwargs)

        canvas.draw = counted


@pytest.mark.parametrize(
    "factory, control, value",
    [
        (lo.widgets.MarginExplorer, "scale", 1.5),
        (lo.widgets.SoftmaxScaleExplorer, "scale", 1.5),
        (lo.widgets.StepSizeExplorer, "lr", 1.0),
    ],
)
def test_a_slider_step_does_not_redraw_the_whole_figure(factory, control, value):
    explorer = factory()
    draws = CountingCanvasDraws(explorer)
    before = explorer.png
    explorer.controls[control].value = value
    assert explorer.png != before
    assert draws.count == 0
    assert_same_picture(explorer)


def test_demo_steps_draw_only_the_moving_artists():
    demo = lo.widgets.LinearClassifierDemo()
    draws = CountingCanvasDraws(demo)
    for _ in range(5):
        demo.step_button.click()
    assert draws.count == 0
    assert_same_picture(demo)


def test_a_legend_that_stays_is_blended_from_its_kept_pixels_and_drawn_again_when_its_text_changes():
    explorer = lo.widgets.SoftmaxScaleExplorer()
    legend = explorer.figure.axes[2].get_legend()
    for scale in (1.5, 2.0):
        explorer.controls["scale"].value = scale
    kept = explorer._frames._sprites[legend][1]
    assert kept is not None, "a legend shown twice unchanged is kept as pixels"
    calls = []
    legend.draw = lambda renderer: calls.append(renderer)  # drawing it again would show here
    explorer.controls["scale"].value = 2.5
    assert calls == []
    del legend.draw
    assert_same_picture(explorer)
    legend.texts[0].set_text("a new label")  # the kept pixels are now out of date
    explorer.update()
    assert_same_picture(explorer)


def test_every_explorer_is_compared_with_full_renders():
    explorers = {
        name
        for name in lo.widgets.__all__
        if isinstance(getattr(lo.widgets, name), type)
        and issubclass(getattr(lo.widgets, name), lo.widgets.Explorer)
        and getattr(lo.widgets, name) is not lo.widgets.Explorer
    }
    assert explorers == set(CASES)


@pytest.mark.parametrize("anchor", [(-0.3, 0.5), (-5.0, 0.5)], ids=["partly off the picture", "wholly off it"])
def test_a_kept_legend_off_the_edge_of_the_picture(anchor):
    explorer = lo.widgets.SoftmaxScaleExplorer()
    explorer.figure.axes[0].legend(["scores"], loc="center left", bbox_to_anchor=anchor)
    for scale in (1.5, 2.0, 2.5):  # drawn, then kept as pixels, then blended
        explorer.controls["scale"].value = scale
        assert_same_picture(explorer)


def test_score_steps_that_grow_the_losses_redraw_the_axes_only_when_a_round_limit_is_passed():
    explorer = lo.widgets.ScoreExplorer()  # SVM loss 1.58: s1 up grows it by as much
    frames = explorer._frames
    redraws, redraw = [], frames._redraw_static
    frames._redraw_static = lambda axes, changed, renderer: redraws.append(changed) or redraw(axes, changed, renderer)
    for value in np.arange(0.90, 2.0, 0.05):  # the SVM loss 1.62 ... 2.69: the bars need more than 3 from 1.67 on
        explorer.controls["s1"].value = round(float(value), 2)
    assert len(redraws) == 1, redraws  # once, when 3 became 5
    assert explorer.figure.axes[0].get_ylim() == (0, 5.0)
    assert_same_picture(explorer)
