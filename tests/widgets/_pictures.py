"""Helpers of the widget tests: compare what an explorer shows with a full render of its figure."""

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
    """The picture the explorer shows is the picture a full render of its figure gives.

    The same up to antialiasing where a tick meets a spine (a few pixels, slightly
    different), and up to 3 levels of 255 at the soft edges of a legend the frame
    blends from its kept pixels (rounded twice: drawn on transparent, then blended).
    """
    assert_pictures_match(shown_png(explorer) if shown is None else shown, lo.widgets.figure_png(explorer.figure))


def assert_pictures_match(png, expected_png):
    """Two PNGs show the same picture, up to the differences :func:`assert_same_picture` allows."""
    shown, full = pixels(png), pixels(expected_png)
    assert shown.shape == full.shape
    difference = np.abs(shown - full).max(axis=2)
    assert (difference > 3).sum() < 50 and difference.max() < 40, (
        f"{(difference > 3).sum()} pixels differ by more than 3, by up to {difference.max()}"
    )
