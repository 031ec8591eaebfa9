"""Slider explorers for the notebooks, each built from lossopt.plots and the math.

Display one by leaving it as the last expression of a cell::

    lo.widgets.MarginExplorer()
"""

from ._explorer import Explorer, figure_png, log_slider, slider

__all__ = ["Explorer", "figure_png", "log_slider", "slider"]
