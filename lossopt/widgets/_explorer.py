"""The base of every slider explorer (every notebook): controls, a picture that redraws, a readout.

An explorer draws into its own matplotlib ``Figure`` (not a pyplot one, so
nothing is shown twice or kept alive by pyplot) and shows it as an ``<img>``
with a PNG data URL in an ``ipywidgets.HTML``, the readout just below it in
the same widget. So the picture needs no binary widget buffers (Colab's
widget manager drops them), it works with ipywidgets 7 and 8, and the picture
and the readout arrive in one message: they never disagree on the page.

Three things keep an explorer live:

- **One update at a time.** Widget messages can arrive on more than one
  kernel thread (JupyterLab's comm subshells). Every change of state and every
  redraw holds the explorer's lock, so two never interleave.
- **Only what moved is drawn.** The static part of each axes (frame, ticks,
  tick labels, axis labels) is kept as a background; a frame restores it and
  draws the axes' contents (lines, bars, images, legends, titles) over it. An
  axes whose limits, scales, ticks or labels change has its static part
  redrawn in its place; the whole figure only when the axes themselves change.
  A legend in a fixed place that an explorer keeps from frame to frame is
  laid out and drawn once, then blended from its pixels (laying out its text
  cost as much as the rest of a frame).
- **A cheap encoding.** PNG at zlib level 1 of the RGB pixels: about 9 ms and
  30-45 kB for a frame here; higher levels are slower for a few per cent less,
  and JPEG, 8 ms faster, blurs the text and lines.

Tests drive an explorer headlessly: set ``explorer.controls[name].value``
and read ``explorer.figure`` (the artists' data), ``explorer.text`` and ``explorer.png``.
"""

import base64
import contextlib
import functools
import html
import io
import math
import threading
import weakref

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox, IdentityTransform
from PIL import Image

from .._validate import check_in_range


def figure_png(figure):
    """The whole figure rendered as PNG bytes (a full render: what ``savefig`` draws)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def log_slider(description, value, low, high, *, steps_per_decade=10, readout_format=".2e"):
    """A slider on a log scale from about ``low`` to ``high``, with ``value`` on its grid.

    The lower end moves by less than one step so that ``value`` is a grid
    point: otherwise the browser snaps it to a neighbour when it first shows
    the slider (0.1 became 0.0998 on a slider from 5e-4).
    """
    value = check_in_range(value, description, low, high)
    step = 1 / steps_per_decade
    exponent = math.log10(value)
    low_exponent = exponent - math.floor(round((exponent - math.log10(low)) / step, 6)) * step
    look = slider_look(description, readout_format)
    return widgets.FloatLogSlider(value=value, base=10, min=low_exponent, max=math.log10(high), step=step, **look)


def slider(description, value, low, high, step, *, readout_format=".2f"):
    """A float slider with the project's look."""
    value = check_in_range(value, description, low, high)
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

    Examples
    --------
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


def _float_noise(old, new):
    """True for a change only in the last bits, as when the browser snaps a slider to its step grid."""
    if not (isinstance(old, (int, float)) and isinstance(new, (int, float))):
        return False
    return math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12)


class Explorer:
    """Controls, a figure that redraws when they move, and a text readout.

    Subclasses create their controls and ``super().__init__(controls)``, and
    implement :meth:`draw`, which updates ``self.figure`` and returns the
    readout. The figure is laid out on the first render and that layout is
    kept. A subclass method that changes the explorer's state and redraws
    (a button's action) is decorated with :func:`serialized`.

    Parameters
    ----------
    controls : dict of str -> ipywidgets control
        Every control whose ``value`` should trigger a redraw, by name.
    figsize : (float, float)
        Figure size in inches; the picture is figsize * 80 pixels (80 dpi), fixed.
    readout_lines : int
        Height of the text readout, in lines (fixed, so nothing jumps).

    Attributes
    ----------
    controls : dict
    figure : matplotlib Figure
    text : str
        The readout as plain text (what :meth:`draw` returned last).
    png : bytes
        The picture shown, as PNG.
    picture : ipywidgets.HTML
        The picture (an ``<img>`` with a data URL) and the readout below it.
    widget : ipywidgets.VBox
        What the notebook shows: the controls, then :attr:`picture`.
    """

    def __init__(self, controls, *, figsize=(8.0, 3.6), readout_lines=4):
        self._lock = threading.RLock()
        self.controls = dict(controls)
        self.figure = Figure(figsize=figsize, dpi=80, layout="constrained")
        self._frames = _FrameRenderer(self.figure)
        self._size = round(figsize[0] * 80), round(figsize[1] * 80)
        self._readout_height = f"{1.3 * readout_lines + 0.3:.1f}em"
        self.picture = widgets.HTML(layout=widgets.Layout(width=f"{self._size[0] + 4}px"))
        self.text, self.png = "", b""
        self._holding = False
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        control_box = widgets.HBox(
            list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap", align_items="center")
        )
        self.widget = widgets.VBox([control_box, self.picture])
        self.update()

    def draw(self):
        """Redraw ``self.figure`` for the current control values; return the readout text."""
        raise NotImplementedError

    def legend_below(self, **kwargs):
        """One legend for all the panels, below them: never over the data, and static (drawn once).

        Takes the labelled artists of every axes (and removes any legend they had); ``kwargs`` go to
        ``Figure.legend``.
        """
        handles = []
        for ax in self.figure.axes:
            handles += ax.get_legend_handles_labels()[0]
            if ax.get_legend() is not None:
                ax.get_legend().remove()
        options = {"loc": "outside lower center", "ncols": len(handles), "fontsize": "small", **kwargs}
        self.figure.legend(handles=handles, **options)

    @staticmethod
    def remove_drawing(*axes):
        """Remove what the last draw put on ``axes`` (lines, bars, images, texts, legend), keeping the axes.

        ``Axes.clear`` would also rebuild the axes' ticks and labels, a fifth of a redraw.
        """
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
        self.text = self.draw()
        self.png = self._frames.render()
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
        if self._holding or _float_noise(change["old"], change["new"]):
            return
        self.update()

    def _repr_mimebundle_(self, **kwargs):
        # The live widget where a widget manager runs (JupyterLab, Colab, VS
        # Code), and the current picture and text where none does (GitHub).
        # Built here rather than by the widget: ipywidgets 7 widgets have no _repr_mimebundle_.
        return {
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2,
                "version_minor": 0,
                "model_id": self.widget.model_id,
            },
            "image/png": base64.b64encode(self.png).decode("ascii"),
            "text/plain": self.text or repr(self),
        }


class _FrameRenderer:
    """Renders a figure to PNG, drawing only what changed since the last frame (blitting).

    The static part of every axes (its background patch, ticks, tick labels
    and axis labels) is kept in a saved background; everything else in the
    axes (lines, images, bars, texts, legend, titles, spines) is drawn over it
    every frame, in z-order. An axes whose static part changed (limits,
    scales, fixed ticks or labels) is painted blank in its region and drawn
    again there, with any axes whose region overlaps it; a new set of axes or
    of figure-level texts redraws everything.
    """

    def __init__(self, figure):
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self._background = None
        self._sprites = weakref.WeakKeyDictionary()  # legend -> (texts and place, None or (rows, columns, RGBA))

    def render(self):
        figure, canvas = self.figure, self.canvas
        axes = list(figure.axes)
        moving = [_moving_artists(ax) for ax in axes]
        for artist in (artist for artists in moving for artist in artists):
            artist.set_animated(True)  # left out of every static draw, drawn below
        layout = (tuple(id(ax) for ax in axes), _figure_key(figure))
        keys = [_static_key(ax) for ax in axes]
        if self._background is None or layout != self._layout:
            canvas.draw()  # the static parts of the whole figure, laid out
            figure.set_layout_engine(None)  # then keep that layout: no axes moves later
            renderer = canvas.get_renderer()
            self._regions = [_region(ax, renderer) for ax in axes]
            self._layout, self._keys = layout, [_static_key(ax) for ax in axes]  # as laid out
            self._background = canvas.copy_from_bbox(figure.bbox)
        else:
            canvas.restore_region(self._background)
            changed = [i for i, key in enumerate(keys) if key != self._keys[i]]
            if changed:
                self._redraw_static(axes, changed, canvas.get_renderer())
                self._keys = keys
                self._background = canvas.copy_from_bbox(figure.bbox)
        for ax, artists in zip(axes, moving, strict=True):
            for artist in artists:
                if isinstance(artist, Legend) and artist._loc != 0:  # 0: "best", a place that follows the data
                    self._draw_legend(artist)
                else:
                    ax.draw_artist(artist)
        width, height = canvas.get_width_height()
        picture = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        picture.convert("RGB").save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def _draw_legend(self, legend):
        """Blend the legend's pixels, drawn once while its texts and place stay the same, over the frame.

        A legend is text laid out in boxes: drawing it costs as much as the rest of a frame.
        """
        key = (tuple(t.get_text() for t in [legend.get_title(), *legend.texts]), legend.axes.bbox.bounds)
        if self._sprites.get(legend, (None,))[0] != key:  # a new legend, or new texts: drawn as it is
            self._sprites[legend] = key, None
            legend.axes.draw_artist(legend)
            return
        if self._sprites[legend][1] is None:  # the same twice: likely to stay, kept as pixels
            width, height = self.canvas.get_width_height()
            renderer = RendererAgg(width, height, self.figure.dpi)  # transparent
            legend.draw(renderer)
            box = Bbox.intersection(_region(legend, renderer), self.figure.bbox)  # rows count from the top
            if box is None:  # wholly off the picture
                box = Bbox.from_extents(0, 0, 0, 0)
            rows, columns = slice(height - int(box.y1), height - int(box.y0)), slice(int(box.x0), int(box.x1))
            self._sprites[legend] = key, (rows, columns, np.asarray(renderer.buffer_rgba())[rows, columns].copy())
        rows, columns, sprite = self._sprites[legend][1]
        frame = np.asarray(self.canvas.buffer_rgba())[rows, columns, :3]  # a view: written in place
        alpha = sprite[..., 3:] / 255
        frame[...] = (sprite[..., :3] * alpha + frame * (1 - alpha) + 0.5).astype(np.uint8)

    def _redraw_static(self, axes, changed, renderer):
        """Paint the regions of the changed axes blank and draw their static parts there.

        An axes whose region overlaps a changed one (a long title, a colour bar) is redrawn too, or it would be cut.
        """
        for i in changed:
            self._regions[i] = Bbox.union([self._regions[i], _region(axes[i], renderer)])
        redo = [j for j, region in enumerate(self._regions) if any(region.overlaps(self._regions[i]) for i in changed)]
        for j in redo:
            region = self._regions[j]
            blank = Rectangle(region.p0, region.width, region.height, transform=IdentityTransform(), linewidth=0)
            blank.set_facecolor(self.figure.get_facecolor())
            blank.set_figure(self.figure)
            blank.draw(renderer)
        for j in redo:
            axes[j].draw(renderer)


def _moving_artists(ax):
    """Everything an explorer may change in ``ax`` between frames, in drawing order."""
    static = {ax.patch, ax.xaxis, ax.yaxis}
    return sorted((a for a in ax.get_children() if a not in static), key=lambda a: a.get_zorder())


def _static_key(ax):
    """What the static part of ``ax`` shows: when this changes, that part is drawn again."""
    key = [ax.get_position().bounds, ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), ax.axison]
    for axis in (ax.xaxis, ax.yaxis):
        key.append(axis.label.get_text())
        for ticker in (axis.major, axis.minor):
            locator, formatter = ticker.locator, ticker.formatter
            key.append((type(locator), tuple(getattr(locator, "locs", ())), type(formatter)))
            key.append(tuple(getattr(formatter, "seq", ())))
    return key


def _figure_key(figure):
    """The figure-level texts and legends (static): when they change, the whole figure is drawn again."""
    return (
        tuple(text.get_text() for text in figure.texts),
        tuple(tuple(t.get_text() for t in legend.get_texts()) for legend in figure.legends),
    )


def _region(artist, renderer):
    """The pixels an axes (ticks and labels included) or a legend covers, on whole pixels."""
    box = artist.get_tightbbox(renderer)
    x0, y0, x1, y1 = math.floor(box.x0) - 1, math.floor(box.y0) - 1, math.ceil(box.x1) + 1, math.ceil(box.y1) + 1
    return Bbox.from_extents(x0, y0, x1, y1)
