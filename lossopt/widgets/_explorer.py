"""The base of every slider explorer: controls, a picture that redraws, a readout.

An explorer draws into its own matplotlib ``Figure`` (not a pyplot one, so
nothing is shown twice or kept alive by pyplot), renders it to PNG and puts
the bytes into an ``ipywidgets.Image`` of fixed size. That works the same in
JupyterLab, Colab and VS Code, whatever the matplotlib backend, and the
picture is replaced in place, so nothing on the page jumps.

Tests drive an explorer headlessly: set ``explorer.controls[name].value``
and read ``explorer.figure`` (the artists' data) and ``explorer.text``.
"""

import base64
import contextlib
import html
import io
import math

import ipywidgets as widgets
from matplotlib.figure import Figure


def figure_png(figure):
    """The figure rendered as PNG bytes (fast compression: encoding is part of every redraw)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def log_slider(description, value, low, high, *, steps_per_decade=10, readout_format=".2e"):
    """A slider on a log scale from about ``low`` to ``high``, with ``value`` on its grid.

    The lower end moves by less than one step so that ``value`` is a grid
    point: otherwise the browser snaps it to a neighbour when it first shows
    the slider (0.1 became 0.0998 on a slider from 5e-4).
    """
    step = 1 / steps_per_decade
    exponent = math.log10(value)
    low_exponent = exponent - math.floor(round((exponent - math.log10(low)) / step, 6)) * step
    return widgets.FloatLogSlider(
        value=value,
        base=10,
        min=low_exponent,
        max=math.log10(high),
        step=step,
        description=description,
        readout_format=readout_format,
        continuous_update=True,
        style={"description_width": "initial"},
    )


def slider(description, value, low, high, step, *, readout_format=".2f"):
    """A float slider with the project's look."""
    return widgets.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        readout_format=readout_format,
        continuous_update=True,
        style={"description_width": "initial"},
    )


def _float_noise(old, new):
    """True for a change only in the last bits, as when the browser snaps a slider to its step grid."""
    numbers = (int, float)
    return isinstance(old, numbers) and isinstance(new, numbers) and math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12)


class Explorer:
    """Controls, a figure that redraws when they move, and a text readout.

    Subclasses create their controls and ``super().__init__(controls)``, and
    implement :meth:`draw`; the figure is laid out on the first render and
    that layout is kept (axes are updated in place, not re-created).

    Parameters
    ----------
    controls : dict of str -> ipywidgets control
        Every control whose ``value`` should trigger a redraw, by name.
    figsize : (float, float)
        Figure size in inches; the picture is figsize * dpi pixels, fixed.
    dpi : int
    readout_lines : int
        Height of the text readout, in lines (fixed, so nothing jumps).
    extra : list of widgets, optional
        Further widgets (buttons, ...) shown with the controls.

    Attributes
    ----------
    controls : dict
    figure : matplotlib Figure
    text : str
        The readout as plain text (what :meth:`draw` returned last).
    widget : ipywidgets.VBox
        What the notebook shows.
    """

    def __init__(self, controls, *, figsize=(8.0, 3.6), dpi=80, readout_lines=4, extra=()):
        self.controls = dict(controls)
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        width, height = round(figsize[0] * dpi), round(figsize[1] * dpi)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px", height=f"{height}px"))
        self.readout = widgets.HTML(layout=widgets.Layout(height=f"{1.3 * readout_lines + 0.5:.1f}em"))
        self.text = ""
        self._holding = False
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        control_box = widgets.HBox(
            [*self.controls.values(), *extra], layout=widgets.Layout(flex_flow="row wrap", align_items="center")
        )
        self.widget = widgets.VBox([control_box, self.image, self.readout])
        self.update()
        # Keep the layout of the first render: the axes do not move between
        # redraws. None, not "none": "none" leaves a placeholder engine, and
        # savefig then still draws the figure twice, once only to lay it out.
        self.figure.set_layout_engine(None)

    def draw(self):
        """Redraw ``self.figure`` for the current control values; return the readout text."""
        raise NotImplementedError

    @property
    def values(self):
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def render(self):
        """The picture as ``(bytes, format)``; PNG of the whole figure unless a subclass does better."""
        return figure_png(self.figure), "png"

    def update(self):
        """Redraw the figure and the readout now."""
        self.text = self.draw()
        self.readout.value = f"<pre style='margin:0; line-height:1.3'>{html.escape(self.text)}</pre>"
        data, image_format = self.render()
        with self.image.hold_sync():  # one message: bytes and format always arrive together
            self.image.format = image_format
            self.image.value = data

    @contextlib.contextmanager
    def hold(self):
        """Change several controls at once and redraw once, at the end."""
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
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        bundle["text/plain"] = self.text or repr(self)
        return bundle
