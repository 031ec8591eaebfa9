"""No explorer needs binary widget buffers: Colab's widget manager drops them (issue 13).

Walks every widget an explorer shows (and their layouts and styles) and
checks that no state value is bytes or a memoryview, and that the picture is
a PNG data URL in an HTML widget. Runs under ipywidgets 7.7 and 8.
"""

import ipywidgets
import pytest
from traitlets import HasTraits

import lossopt as lo

from ._pictures import pixels, shown_png

EXPLORERS = [
    lo.widgets.MarginExplorer,
    lo.widgets.LambdaExplorer,
    lo.widgets.SoftmaxScaleExplorer,
    lo.widgets.ScoreExplorer,
    lo.widgets.StepSizeExplorer,
    lo.widgets.LandscapeExplorer,
    lo.widgets.SGDExplorer,
    lo.widgets.LinearClassifierDemo,
]


def all_widgets(root):
    """Every widget reachable from ``root`` through its traits (children, layout, style, ...)."""
    seen, stack = {}, [root]
    while stack:
        widget = stack.pop()
        if id(widget) in seen:
            continue
        seen[id(widget)] = widget
        for name in widget.keys:
            value = getattr(widget, name)
            values = value if isinstance(value, (list, tuple)) else [value]
            stack.extend(v for v in values if isinstance(v, ipywidgets.Widget))
    return list(seen.values())


def binary_values(state, path=""):
    """The paths of the bytes / memoryview values anywhere in a widget state."""
    if isinstance(state, (bytes, bytearray, memoryview)):
        return [path]
    if isinstance(state, dict):
        return [p for key, value in state.items() for p in binary_values(value, f"{path}.{key}")]
    if isinstance(state, (list, tuple)):
        return [p for k, value in enumerate(state) for p in binary_values(value, f"{path}[{k}]")]
    return []


def test_the_walk_finds_a_binary_buffer():
    """The check can fail: an ipywidgets.Image holds its PNG as bytes."""
    box = ipywidgets.VBox([ipywidgets.Image(value=b"\x89PNG", format="png")])
    found = [p for w in all_widgets(box) for p in binary_values(w.get_state())]
    assert found == [".value"]


@pytest.mark.parametrize("factory", EXPLORERS, ids=lambda f: f.__name__)
def test_no_binary_buffers_in_any_widget_state(factory):
    explorer = factory()
    widgets = all_widgets(explorer.widget)
    assert explorer.picture in widgets and all(isinstance(w, HasTraits) for w in widgets)
    for widget in widgets:
        assert binary_values(widget.get_state()) == [], type(widget).__name__
    bundle = explorer._repr_mimebundle_()
    assert binary_values(bundle) == []
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id
    # the picture: a PNG of the figure's size, in the HTML widget's value
    width, height = explorer.figure.get_size_inches() * explorer.figure.dpi
    assert pixels(shown_png(explorer)).shape == (round(height), round(width), 3)
