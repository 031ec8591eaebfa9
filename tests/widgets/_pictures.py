"""Helpers of the widget tests: the picture an explorer shows, and a full render of its figure."""

import base64
import io
import re

import numpy as np
from PIL import Image

import lossopt as lo


def pixels(png):
    """PNG bytes as an (H, W, 3) int array."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def shown_png(explorer):
    """The PNG inside the explorer's picture widget (its data URL), which must be the explorer's ``png``."""
    found = re.search(r'src="data:image/png;base64,([^"]+)"', explorer.picture.value)
    assert found, "the picture widget holds no PNG data URL"
    png = base64.b64decode(found.group(1))
    assert png == explorer.png
    return png


def assert_same_picture(explorer, shown=None):
    """The picture shown (default: the explorer's own) is a full render of its figure now.

    The same up to antialiasing where an image or a contour meets a tick: a frame
    draws the data over the kept ticks, a full render under them (a few pixels).
    """
    shown = pixels(shown_png(explorer) if shown is None else shown)
    full = pixels(lo.widgets.figure_png(explorer.figure))
    assert shown.shape == full.shape
    difference = np.abs(shown - full).max(axis=2)
    assert (difference > 3).sum() < 30 and difference.max() < 40, (
        f"{(difference > 3).sum()} pixels differ by more than 3, by up to {difference.max()}"
    )
