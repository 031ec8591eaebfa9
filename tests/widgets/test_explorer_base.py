"""The Explorer base: one redraw per real change, a fixed layout, the PNG fallback for GitHub."""

import base64
import math

import ipywidgets as widgets
import pytest
from matplotlib.layout_engine import ConstrainedLayoutEngine

from lossopt.widgets import Explorer, log_slider, slider
from lossopt.widgets._explorer import signed

from ._pictures import shown_png


class Counting(Explorer):
    """A minimal explorer: one line whose slope is the slider's value; counts its draws."""

    def __init__(self):
        self.draws = 0
        super().__init__({"slope": slider("slope", 1.0, 0.0, 3.0, 0.1), "on": widgets.Checkbox(value=True)})

    def draw(self):
        self.draws += 1
        if not self.figure.axes:
            ax = self.figure.subplots()
            (self.line,) = ax.plot([0, 1], [0, 1])
            ax.set_title("a line")
        slope = self.controls["slope"].value
        self.line.set_ydata([0, slope])
        return f"slope = {slope:.2f}"


def test_a_change_redraws_the_picture_and_the_text():
    explorer = Counting()
    before = explorer.png
    explorer.controls["slope"].value = 2.0
    assert explorer.draws == 2
    assert explorer.text == "slope = 2.00"
    assert list(explorer.line.get_ydata()) == [0, 2.0]
    assert explorer.png != before
    assert explorer.png[:4] == b"\x89PNG"
    explorer.controls["on"].value = False  # a boolean change is a real change
    assert explorer.draws == 3


def test_a_change_in_the_last_bits_does_not_redraw():
    # The browser snaps a slider's value to its step grid and sends it back.
    explorer = Counting()
    explorer.controls["slope"].value = 1.0000000000000002
    assert explorer.draws == 1


def test_hold_redraws_once():
    explorer = Counting()
    with explorer.hold():
        explorer.controls["slope"].value = 2.0
        explorer.controls["slope"].value = 2.5
    assert explorer.draws == 2
    assert explorer.text == "slope = 2.50"


def test_the_first_layout_is_kept():
    explorer = Counting()
    assert not isinstance(explorer.figure.get_layout_engine(), ConstrainedLayoutEngine)
    position = explorer.figure.axes[0].get_position().bounds
    explorer.controls["slope"].value = 3.0
    assert explorer.figure.axes[0].get_position().bounds == position


def test_the_picture_and_the_readout_are_one_widget_value():
    """One message carries both, so the page never shows a picture with another state's text."""
    explorer = Counting()
    explorer.controls["slope"].value = 2.5
    value = explorer.picture.value
    assert shown_png(explorer) == explorer.png
    assert value.index("<img") < value.index("slope = 2.50")
    assert explorer.widget.children[-1] is explorer.picture


def test_a_readout_is_escaped():
    class Tagged(Counting):
        def draw(self):
            super().draw()
            return "a < b & <script>"

    assert "a &lt; b &amp; &lt;script&gt;" in Tagged().picture.value


def test_mimebundle_has_the_live_widget_and_a_picture_for_github():
    explorer = Counting()
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == explorer.png
    assert bundle["text/plain"] == "slope = 1.00"


@pytest.mark.parametrize("value, low, high", [(0.1, 5e-4, 5.0), (1e-3, 1e-4, 10.0), (0.37, 1e-2, 1e2)])
def test_log_slider_puts_its_value_on_its_grid(value, low, high):
    control = log_slider("x", value, low, high)
    steps = (math.log10(value) - control.min) / control.step
    assert steps == pytest.approx(round(steps), abs=1e-9)
    assert control.value == value
    assert 10**control.min <= low * 10**control.step  # the end moved by less than one step
    assert control.max == pytest.approx(math.log10(high))


@pytest.mark.parametrize(
    "x, fmt, text",
    [(-0.0, "+.2f", "+0.00"), (-0.001, ".2f", "0.00"), (-0.01, ".2f", "-0.01"), (-1e-9, "8.3f", "   0.000")],
)
def test_signed_never_prints_minus_zero(x, fmt, text):
    assert signed(x, fmt) == text
