"""The base of every slider explorer (every notebook): controls, a picture that redraws, a readout.

The figure (no pyplot one) goes out as a PNG data URL in an ``<img>`` inside one ``ipywidgets.HTML``, the
readout below it: no binary widget buffers (Colab drops them), ipywidgets 7 and 8, and picture and readout
arrive in one message. Updates hold a lock (JupyterLab may deliver widget messages on several threads).
"""

import base64
import contextlib
import functools
import html
import io
import math
import threading

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox, IdentityTransform
from PIL import Image

from .._validate import check_scalar


def figure_png(figure):
    """An explorer's whole figure drawn anew, as PNG bytes (what :meth:`Explorer.render` must show)."""
    for ax in figure.axes:
        for artist in ax.get_children():
            artist.set_animated(False)
    figure.canvas.draw()
    return _png(figure.canvas)


def _png(canvas):
    """The canvas pixels as RGB PNG: a tenth smaller to send than RGBA; zlib level 1, a third of the default time."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def _frame_key(figure):
    """What the kept pixels of :meth:`Explorer.render` show: the figure's legends, then each axes' :func:`_axes_key`."""
    return [tuple(text.get_text() for legend in figure.legends for text in legend.get_texts())] + [
        _axes_key(ax) for ax in figure.axes
    ]


def _axes_key(ax):
    """An axes' place, limits, scales, tick rules and labels (not every tick label: a tenth of a frame)."""
    key = [ax.get_position().bounds, ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale()]
    for axis in (ax.xaxis, ax.yaxis):
        locator, formatter = axis.get_major_locator(), axis.get_major_formatter()
        key += [axis.label.get_text(), axis.get_visible(), type(locator), tuple(getattr(locator, "locs", ()))]
        key += [type(formatter), tuple(getattr(formatter, "seq", ()))]
    return key


def _region(artist, renderer):
    """The pixels an axes (ticks and labels included) or a legend covers, on whole pixels and one more."""
    box = artist.get_tightbbox(renderer)
    return Bbox.from_extents(
        math.floor(box.x0) - 1, math.floor(box.y0) - 1, math.ceil(box.x1) + 1, math.ceil(box.y1) + 1
    )


def log_slider(description, value, low, high, *, steps_per_decade=10, readout_format=".2e"):
    """A log-scale slider from about ``low`` to ``high``; ``low`` moves so that ``value`` is on the grid
    (else the browser snaps it: 0.1 became 0.0998 on a slider from 5e-4)."""
    value = check_scalar(value, description, low=low, high=high)
    step = 1 / steps_per_decade
    exponent = math.log10(value)
    low_exponent = exponent - math.floor(round((exponent - math.log10(low)) / step, 6)) * step
    look = slider_look(description, readout_format)
    return widgets.FloatLogSlider(value=value, base=10, min=low_exponent, max=math.log10(high), step=step, **look)


def slider(description, value, low, high, step, *, readout_format=".2f"):
    """A float slider with the project's look."""
    value = check_scalar(value, description, low=low, high=high)
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, **slider_look(description, readout_format))


def slider_look(description, readout_format=None):
    """What every slider shares: its value follows the drag, and its whole description shows."""
    look = {"description": description, "continuous_update": True, "style": {"description_width": "initial"}}
    return look if readout_format is None else {**look, "readout_format": readout_format}


def signed(x, fmt):
    """``format(x, fmt)`` without a minus sign on a number that rounds to zero ("-0.00" reads as a bug)."""
    text = format(x, fmt)
    return format(0.0, fmt) if "-" in text and float(text) == 0 else text


def nice_ceiling(x, steps=(1, 1.5, 2, 3, 5, 7.5)):
    """The smallest of ``steps`` times a power of ten that is >= x (x > 0): axis limits that rarely move.

    >>> nice_ceiling(4.2), nice_ceiling(12), nice_ceiling(0.07), nice_ceiling(12, steps=(1, 2, 5))
    (5.0, 15.0, 0.075, 20.0)
    """
    power = 10.0 ** math.floor(math.log10(x))
    return next(round(m * power, 12) for m in (*steps, 10) if m * power >= x)


def serialized(method):
    """Run ``method`` holding the explorer's lock: one change of state or redraw at a time, on any thread."""

    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


class Explorer:
    """``controls`` (name -> widget), ``figure``, ``text`` (readout), ``png``, ``picture``, ``widget``; see draw."""

    BLIT = True  # keep each axes' frame, ticks and labels as pixels while unchanged (see render)

    def __init__(self, controls, *, figsize=(8.0, 3.6), readout_lines=4):
        self._lock = threading.RLock()
        self.controls = dict(controls)
        self.figure = Figure(figsize=figsize, dpi=80, layout="constrained")
        FigureCanvasAgg(self.figure)  # drawn without pyplot
        self._size = round(figsize[0] * 80), round(figsize[1] * 80)
        self._readout_height = f"{1.3 * readout_lines + 0.3:.1f}em"
        self.picture = widgets.HTML(layout=widgets.Layout(width=f"{self._size[0] + 4}px"))
        self.text, self.png = "", b""
        self._holding, self._frame_key = False, None
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        control_box = widgets.HBox(
            list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap", align_items="center")
        )
        self.widget = widgets.VBox([control_box, self.picture])
        self.update()

    def draw(self):
        """Draw ``self.figure`` for the current control values; return the readout text."""
        raise NotImplementedError

    def render(self):
        """The figure as PNG bytes, laid out once; with ``BLIT`` only the axes' contents are drawn anew."""
        figure, canvas = self.figure, self.figure.canvas
        contents = [
            sorted((a for a in ax.get_children() if a not in (ax.patch, ax.xaxis, ax.yaxis)), key=Artist.get_zorder)
            for ax in figure.axes
        ]
        for artist in (artist for artists in contents for artist in artists):
            artist.set_animated(self.BLIT)  # left out of the kept pixels
        key, kept = _frame_key(figure), self._frame_key
        full = not self.BLIT or kept is None or key[0] != kept[0] or len(key) != len(kept)
        if not full:
            canvas.restore_region(self._background)
            changed = [ax for ax, new, old in zip(figure.axes, key[1:], kept[1:], strict=True) if new != old]
            if changed:
                full = not self._redraw(changed)
                self._background, self._frame_key = canvas.copy_from_bbox(figure.bbox), key
        if full:
            canvas.draw()
            figure.set_layout_engine(None)  # laid out once: later frames keep every panel in place
            self._background, self._frame_key = canvas.copy_from_bbox(figure.bbox), _frame_key(figure)
            if self.BLIT:  # where each axes and legend is, for redrawing one in place
                self._regions = {item: _region(item, canvas.get_renderer()) for item in [*figure.axes, *figure.legends]}
        for ax, artists in zip(figure.axes, contents, strict=True):
            for artist in artists if self.BLIT else ():
                ax.draw_artist(artist)
        return _png(canvas)

    def _redraw(self, changed):
        """Redraw in place the ``changed`` axes and those they overlap; False if that cuts into the legend."""
        figure, renderer = self.figure, self.figure.canvas.get_renderer()
        for ax in changed:  # where the axes was and where it is now
            self._regions[ax] = Bbox.union([self._regions[ax], _region(ax, renderer)])
        spoilt = [self._regions[ax] for ax in changed]
        if any(self._regions[legend].overlaps(r) for legend in figure.legends for r in spoilt):
            return False
        redo = [ax for ax in figure.axes if any(self._regions[ax].overlaps(r) for r in spoilt)]
        for ax in redo:
            r = self._regions[ax]
            blank = Rectangle(r.p0, r.width, r.height, transform=IdentityTransform(), linewidth=0)
            blank.set(facecolor=figure.get_facecolor(), figure=figure)
            blank.draw(renderer)
        for ax in redo:
            ax.draw(renderer)  # what is not animated: its frame, ticks and labels
        return True

    def legend_below(self, **kwargs):
        """One legend for all the panels, below them (never over the data); ``kwargs`` go to ``Figure.legend``."""
        handles = [handle for ax in self.figure.axes for handle in ax.get_legend_handles_labels()[0]]
        options = {"loc": "outside lower center", "ncols": len(handles), "fontsize": "small", **kwargs}
        self.figure.legend(handles=handles, **options)

    @staticmethod
    def remove_drawing(*axes):
        """Remove what the last draw put on ``axes``, keeping their ticks (``Axes.clear`` redoes them: half a draw)."""
        for ax in axes:
            for artist in [*ax.lines, *ax.patches, *ax.texts, *ax.collections, *ax.images]:
                artist.remove()
            ax.containers.clear()
            if ax.get_legend() is not None:
                ax.get_legend().remove()
            ax.relim()  # forget the removed data's limits

    @property
    def values(self):
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    @serialized
    def update(self):
        """Redraw the figure and the readout now, and show both in one message."""
        with matplotlib.rc_context({"axes.titley": 1.0}):  # titles at a fixed height: no tick label is measured
            self.text = self.draw()  # to place them (a tenth of a frame)
        self.png = self.render()
        width, height = self._size
        url = "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")
        self.picture.value = (
            f'<img class="widget-image" src="{url}" width="{width}" height="{height}" '
            f'style="display:block" alt="{html.escape(self.text.splitlines()[0] if self.text else "")}">'
            f"<pre style='margin:0; line-height:1.3; height:{self._readout_height}; overflow:hidden'>"
            f"{html.escape(self.text)}</pre>"
        )

    @contextlib.contextmanager
    def hold(self):
        """Change several controls at once and redraw once, at the end."""
        with self._lock:
            self._holding = True
            try:
                yield self
            finally:
                self._holding = False
            self.update()

    def _on_change(self, change):
        old, new = change["old"], change["new"]
        # Not a real change: the browser snapping a slider to its step grid changes only the last bits.
        noise = isinstance(old, float) and isinstance(new, float) and math.isclose(old, new, abs_tol=1e-12)
        if not (self._holding or noise):
            self.update()

    def _repr_mimebundle_(self, **kwargs):
        # The live widget where a widget manager runs, the picture and text where none does (GitHub).
        # Built here: ipywidgets 7 widgets have no _repr_mimebundle_.
        view = {"version_major": 2, "version_minor": 0, "model_id": self.widget.model_id}
        return {
            "application/vnd.jupyter.widget-view+json": view,
            "image/png": base64.b64encode(self.png).decode("ascii"),
            "text/plain": self.text or repr(self),
        }
