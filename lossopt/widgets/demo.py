"""The lecture's "Interactive Web Demo time": a three-class linear classifier on 2-D points.

The equivalent of the CS231n linear-classification web demo, and more: the
model ``s = x @ W + b`` (W is 2 x 3, one column per class, b has one bias per
class) starts where the web demo starts, every entry of W and b can be nudged
by 0.1 and shows its gradient, one button takes a full-batch gradient step, a
Play button takes about ten a second, and the picture shows the plane, the
zero-score lines, the weight vectors, a loss history and a loss landscape.

Regularization applies to the weights only, as in the web demo, with the
right gradient: the L2 term ``reg * sum(W**2)`` adds ``2 * reg * W`` (the web
demo adds ``0.5 * reg * W``).
"""

import io
import math
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox, IdentityTransform
from PIL import Image

from .. import datasets
from .._validate import check_choice, check_linear, check_nonnegative, check_scores
from ..landscape import slice_2d
from ..losses import SCORE_LOSSES
from ..plots.demo import ClassifierPlane, LossSlicePanel
from ..regularization import regularization
from ._explorer import Explorer, log_slider

START_W = ((1.0, 2.0, 3.0), (2.0, -4.0, -1.0))
"""The web demo's starting weights, D x C: w0 = (1, 2), w1 = (2, -4), w2 = (3, -1) are the columns."""
START_B = (0.0, 0.5, -0.5)
"""The web demo's starting biases."""

LOSS_NAMES = {
    "svm": "Weston-Watkins SVM",
    "ova_svm": "one-vs-all SVM",
    "structured_svm": "structured SVM (Crammer-Singer)",
    "softmax": "softmax",
}
"""The demo's loss choices: ``lossopt.SCORE_LOSSES`` key -> what the menu says."""

DATASETS = ("nine points", "blobs", "spiral")

PARAMETERS = tuple(f"W[{d},{k}]" for d in range(2) for k in range(3)) + tuple(f"b[{k}]" for k in range(3))
"""Names of the nine parameters; ``theta = vstack([W, b])`` (3 x 3) holds them in this order."""

NUDGE = 0.1
"""How far one click of a + or - button moves a parameter."""


class ClassifierLoss(NamedTuple):
    """Everything the demo shows about one state (W, b)."""

    scores: np.ndarray
    """(N, C) scores S = X @ W + b."""
    losses: np.ndarray
    """(N,) each point's loss (the score-level loss of its row alone), or None."""
    data_loss: float
    """Mean of ``losses``."""
    reg_loss: float
    """reg * sum(W**2), weights only."""
    total: float
    """data_loss + reg_loss."""
    dW: np.ndarray  # noqa: N815 (the lecture's name)
    """(D, C) gradient of ``total`` with respect to W."""
    db: np.ndarray
    """(C,) gradient of ``total`` with respect to b."""


def classifier_loss(W, b, X, y, *, loss="svm", reg=0.0, delta=1.0, per_point=True):
    """Loss and gradients of the linear classifier ``S = X @ W + b``, L2 on the weights only.

    Composes a score-level loss of :data:`lossopt.SCORE_LOSSES` with the
    chain rule through ``S = X @ W + b`` and :func:`lossopt.regularization`;
    it is the bias trick of :func:`lossopt.linear_loss` with the bias row left
    out of the penalty.

    Parameters
    ----------
    W : array, shape (D, C)
    b : array, shape (C,)
    X : array, shape (N, D)
    y : array of int, shape (N,)
    loss : {"svm", "ova_svm", "structured_svm", "softmax"}
    reg : float
        L2 strength; the penalty is ``reg * sum(W**2)`` (not the biases).
    delta : float
        Margin of the SVM losses.
    per_point : bool
        Also return each point's loss (training needs only the mean and the gradients).

    Returns
    -------
    ClassifierLoss
        ``losses`` is None without ``per_point``.

    Examples
    --------
    The web demo's start, on its nine points:

    >>> X, y = datasets.toy_2d()
    >>> state = classifier_loss(START_W, START_B, X, y, reg=0.1)
    >>> round(state.reg_loss, 2)  # 0.1 * (1 + 4 + 9 + 4 + 16 + 1)
    3.5
    """
    W, X = check_linear(W, X)
    b = np.asarray(b, dtype=W.dtype)
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape ({W.shape[1]},), one bias per class, got {b.shape}")
    score_loss = SCORE_LOSSES[check_choice(loss, "loss", tuple(SCORE_LOSSES))]
    reg = check_nonnegative(reg, "reg")
    delta = check_nonnegative(delta, "delta")
    S, y = check_scores(X @ W + b, y, name="X @ W + b")  # (N, C)
    losses, dS = score_loss(S, y, delta, per_example=True)  # (N,) each point's loss
    data_loss = losses.mean()
    R, dR = regularization(W)
    return ClassifierLoss(
        scores=S,
        losses=losses if per_point else None,
        data_loss=float(data_loss),
        reg_loss=float(reg * R),
        total=float(data_loss + reg * R),
        dW=X.T @ dS + reg * dR,  # (D, C)
        db=dS.sum(axis=0),  # (C,): the bias is a weight on a constant 1
    )


def make_dataset(name="nine points", n_per_class=30, seed=0, extra=0):
    """The demo's data: a named set, with ``extra`` random points added (or ``-extra`` removed).

    Parameters
    ----------
    name : {"nine points", "blobs", "spiral"}
        The web demo's nine points (:func:`lossopt.datasets.toy_2d`), or
        :func:`lossopt.datasets.blobs` / :func:`lossopt.datasets.spiral`
        with ``n_per_class`` points per class.
    n_per_class : int
    seed : int
        Seeds the blobs and the spiral, and which points are added or removed.
    extra : int
        Points added (uniformly in the data's box, random labels) when > 0,
        removed (at random) when < 0; at least three points are kept.

    Returns
    -------
    X : array, shape (N, 2)
    y : array of int, shape (N,)
    """
    check_choice(name, "name", DATASETS)
    if name == "nine points":
        X, y = datasets.toy_2d()
    elif name == "blobs":
        X, y = datasets.blobs(n_per_class, 3, seed=seed)
    else:
        X, y = datasets.spiral(n_per_class, 3, seed=seed)
    if extra > 0:
        # Separate streams for positions and labels: the k-th added point is
        # the same whatever the count, so +1 adds one point and keeps the rest.
        low, high = X.min(axis=0), X.max(axis=0)
        new_X = np.random.default_rng([seed, 1]).uniform(low, high, size=(extra, 2))
        new_y = np.random.default_rng([seed, 2]).integers(0, 3, size=extra)
        X, y = np.vstack([X, new_X]), np.concatenate([y, new_y])
    elif extra < 0:
        removed = np.random.default_rng([seed, 3]).permutation(len(y))[: min(-extra, len(y) - 3)]
        keep = np.setdiff1d(np.arange(len(y)), removed)
        X, y = X[keep], y[keep]
    return X, y


def nice_ceiling(x, steps=(1, 1.5, 2, 3, 5, 7.5)):
    """The smallest of ``steps`` times a power of ten that is >= x (x > 0): axis limits that rarely move.

    Examples
    --------
    >>> nice_ceiling(4.2), nice_ceiling(12), nice_ceiling(0.07), nice_ceiling(12, steps=(1, 2, 5))
    (5.0, 15.0, 0.075, 20.0)
    """
    power = 10.0 ** math.floor(math.log10(x))
    return next(round(m * power, 12) for m in (*steps, 10) if m * power >= x)


class LinearClassifierDemo(Explorer):
    """The CS231n linear-classification web demo, as an explorer.

    Three panels: the plane (coloured by the predicted class, each class's
    zero-score line dashed, an arrow along each weight vector, the points,
    ringed where their loss is above zero); the total loss over two chosen
    parameters with the others fixed at their current values, with the path
    the parameters took; and the loss history. The readout gives the data
    loss, the regularization loss and the total, and a table of each point's
    x[0], x[1], y, scores and loss.

    Parameters
    ----------
    loss : {"svm", "ova_svm", "structured_svm", "softmax"}
        The starting loss.
    reg : float
        The starting L2 strength (weights only).
    lr : float
        The starting step size.
    dataset : {"nine points", "blobs", "spiral"}
    seed : int
        Seeds "randomize" (each click draws the next parameters from one
        generator, so two demos with the same seed agree).
    resolution : int
        Grid points per side of the coloured plane.
    landscape_resolution : int
        Grid points per side of the loss landscape (its cost grows with the square).

    Attributes
    ----------
    W : array, shape (2, 3)
    b : array, shape (3,)
    X, y : arrays, shapes (N, 2) and (N,): the current data
    state : ClassifierLoss
        Losses and gradients of the current (W, b), as last drawn.
    steps : int
        Gradient steps taken since the start (or the last reset).
    history : list of (float, float)
        (total, data) loss after every change of the parameters.
    path : list of array, shape (3, 3)
        Every (W, b) visited, stacked as :attr:`theta`.
    step_button, play, randomize_button, reset_button : ipywidgets
    nudge_buttons : dict
        ``(parameter name, +1 or -1) -> Button``, e.g. ``("W[0,1]", 1)``.
    """

    def __init__(
        self,
        *,
        loss="svm",
        reg=0.1,
        lr=0.1,
        dataset="nine points",
        seed=0,
        resolution=100,
        landscape_resolution=13,
    ):
        controls = {
            "loss": widgets.Dropdown(
                options=[(label, key) for key, label in LOSS_NAMES.items()],
                value=check_choice(loss, "loss", tuple(LOSS_NAMES)),
                description="loss",
            ),
            "reg": log_slider("L2 strength", reg, 1e-2, 1e2, readout_format=".3g"),
            "lr": log_slider("step size", lr, 5e-4, 5.0, readout_format=".3g"),
            "dataset": widgets.Dropdown(
                options=DATASETS, value=check_choice(dataset, "dataset", DATASETS), description="data"
            ),
            "n_per_class": widgets.IntSlider(value=30, min=3, max=100, description="points/class"),
            "data_seed": widgets.BoundedIntText(value=0, min=0, max=9999, description="data seed"),
            "extra": widgets.IntSlider(value=0, min=-6, max=30, description="points ±"),
            "p1": widgets.Dropdown(options=PARAMETERS, value="W[0,0]", description="landscape x"),
            "p2": widgets.Dropdown(options=PARAMETERS, value="W[1,0]", description="landscape y"),
        }
        for control in controls.values():
            control.style = {"description_width": "initial"}
        self.W, self.b = np.array(START_W), np.array(START_B)
        self.steps = 0
        self.message = ""
        self.history, self.path = [], []
        self._rng = np.random.default_rng(seed)
        self._resolution = resolution
        self._landscape_resolution = landscape_resolution
        self._data_key = self._loss_key = self._landscape_axes = self._panels = None

        self.step_button = widgets.Button(description="step", tooltip="one full-batch gradient step")
        self.play = widgets.Play(value=0, min=0, max=10**6, step=1, interval=100, description="train")
        self.randomize_button = widgets.Button(description="randomize", tooltip="random W and b (seeded)")
        self.reset_button = widgets.Button(description="reset", tooltip="back to the web demo's W and b")
        self.step_button.on_click(lambda _: self.step())
        self.play.observe(self._on_tick, names="value")
        self.play.observe(lambda _: self.update(), names="playing")  # a crisp PNG again when it stops
        self.randomize_button.on_click(lambda _: self.randomize())
        self.reset_button.on_click(lambda _: self.reset())
        self.nudge_buttons, self._entry_labels = {}, {}
        layouts = widgets.Layout(width="2.4em"), widgets.Layout(width="15em")  # shared: fewer widget models to save
        cells = [self._parameter_cell(name, layouts) for name in PARAMETERS]

        super().__init__(controls, figsize=(11.0, 3.8), dpi=80, readout_lines=14)
        c = self.controls
        row = widgets.Layout(flex_flow="row wrap", align_items="center")
        self.widget = widgets.VBox(
            [
                widgets.HBox([c["loss"], c["reg"], c["lr"]], layout=row),
                widgets.HBox(
                    [widgets.Label("train:"), self.step_button, self.play, self.randomize_button, self.reset_button],
                    layout=row,
                ),
                # Columns are the classes, as the web demo lists them: w_k = (W[0,k], W[1,k]) and b_k.
                widgets.GridBox(cells, layout=widgets.Layout(grid_template_columns="repeat(3, max-content)")),
                self.image,
                widgets.HBox([c["dataset"], c["n_per_class"], c["data_seed"], c["extra"]], layout=row),
                widgets.HBox([c["p1"], c["p2"]], layout=row),
                self.readout,
            ]
        )

    # ------------------------------------------------------------------ actions

    def step(self, steps=1):
        """Take full-batch gradient steps, W -= lr * dW and b -= lr * db, then redraw once.

        A step that would make the parameters diverge is refused, and stops Play.

        Parameters
        ----------
        steps : int
            How many steps (the button and Play take one; code may take many).
        """
        lr = self.controls["lr"].value
        for _ in range(steps):
            state = self.evaluate(per_point=False)
            self._record(state)
            W, b = self.W - lr * state.dW, self.b - lr * state.db
            if not np.isfinite(W).all() or not np.isfinite(b).all() or np.abs(W).max() > 1e6:
                self.message = "step refused: it would diverge (lower the step size or the L2 strength)"
                self.play.playing = False
                break
            self.W, self.b = W, b
            self.steps += 1
            self.message = ""
        self.update()

    def nudge(self, name, sign):
        """Move the parameter ``name`` (one of :data:`PARAMETERS`) by ``sign * 0.1``."""
        theta = self.theta
        theta[self._index(name)] += sign * NUDGE
        self.W, self.b = theta[:2], theta[2]
        self.update()

    def randomize(self):
        """Random W (uniform in [-3, 3]) and b (uniform in [-1, 1]): the next draw of the seeded generator."""
        self.W = self._rng.uniform(-3, 3, size=(2, 3))
        self.b = self._rng.uniform(-1, 1, size=3)
        self._restart()

    def reset(self):
        """Back to the web demo's starting W and b."""
        self.W, self.b = np.array(START_W), np.array(START_B)
        self._restart()

    @property
    def theta(self):
        """All nine parameters as one (3, 3) array, W's two rows then b (a copy; the bias trick's W)."""
        return np.vstack([self.W, self.b])

    def evaluate(self, W=None, b=None, *, per_point=True):
        """:class:`ClassifierLoss` of (W, b) (default: the current ones) under the current controls."""
        v = self.values
        W = self.W if W is None else W
        b = self.b if b is None else b
        return classifier_loss(W, b, self.X, self.y, loss=v["loss"], reg=v["reg"], per_point=per_point)

    # ------------------------------------------------------------------ drawing

    def draw(self):
        v = self.values
        data_key = (v["dataset"], v["n_per_class"], v["data_seed"], v["extra"])
        if data_key != self._data_key:
            self._data_key = data_key
            # Points per class mean nothing for the nine points: hidden (its space kept, nothing jumps).
            nine = v["dataset"] == "nine points"
            self.controls["n_per_class"].disabled = nine
            self.controls["n_per_class"].layout.visibility = "hidden" if nine else "visible"
            self.X, self.y = make_dataset(*data_key)
            self._X_ones = datasets.add_bias(self.X)  # (N, 3) for the landscape's bias trick
            if self._panels is None:
                self._layout_figure()
            else:  # only the plane depends on the data: redrawn in its place, the layout kept
                plane_ax = self.plane.ax
                plane_ax.clear()
                self.plane = ClassifierPlane(plane_ax, self.X, self.y, 3, resolution=self._resolution, legend=False)
            self.history, self.path = [], []
        if v["loss"] != self._loss_key:
            self._loss_key = v["loss"]
            self.history, self.path = [], []
        self.state = state = self.evaluate()
        self._record(state)

        self.plane.update(self.W, self.b, state.losses)
        self._draw_landscape(v)
        self._draw_history()
        theta, grads = self.theta, np.vstack([state.dW, state.db])
        for name, label in self._entry_labels.items():
            index = self._index(name)
            label.value = f"{name} = {theta[index]:+.2f}   grad {grads[index]:+.3f}"
        return self._table(state, v)

    def _layout_figure(self):
        """Build the three panels: the plane, the landscape, the history."""
        figure = self.figure
        figure.clear()
        # Laid out once, then frozen (see _render); the extra space lets tick labels grow without overlapping.
        figure.set_layout_engine("constrained", wspace=0.06)
        plane_ax, landscape_ax, self._history_ax = figure.subplots(1, 3, width_ratios=[1.0, 1.2, 1.0])
        self.plane = ClassifierPlane(plane_ax, self.X, self.y, 3, resolution=self._resolution, legend=False)
        self.landscape = LossSlicePanel(landscape_ax, legend=False)
        ax = self._history_ax
        self.history_lines = [
            # a dot on the latest value, so that a history of one point shows too
            ax.plot([], [], color="#0072B2", marker="o", markersize=4, clip_on=False, label="total loss")[0],
            ax.plot(
                [], [], color="#E69F00", marker="o", markersize=4, linestyle="--", clip_on=False, label="data loss"
            )[0],
        ]
        ax.set_xlabel("parameter update (step or nudge)")
        ax.set_ylabel("loss")
        ax.set_title("Loss history")
        # One legend for the three panels, below them: it is drawn once, not every frame.
        handles, labels = [], []
        for a in figure.axes:
            more_handles, more_labels = a.get_legend_handles_labels()
            handles += more_handles
            labels += more_labels
        figure.legend(handles, labels, loc="outside lower center", ncols=len(labels), fontsize="small")
        # Each panel: its axes (the landscape's colour bar too); its static part is redrawn alone when it changes.
        self._panels = ((plane_ax,), (landscape_ax, self.landscape.colorbar.ax), (ax,))
        self._background = None

    def _draw_landscape(self, v):
        """Total loss over parameters p1 and p2, the other seven at their current values."""
        index1, index2 = self._index(v["p1"]), self._index(v["p2"])
        theta = self.theta
        path = np.array([[point[index1], point[index2]] for point in self.path])  # (T, 2)
        # A box around where the path began, wide enough for all of it, growing in nice steps.
        half = nice_ceiling(max(2.0, 1.1 * np.abs(path - path[0]).max()))
        values1, values2 = (np.linspace(c - half, c + half, self._landscape_resolution) for c in path[0])
        d1, d2 = np.zeros((3, 3)), np.zeros((3, 3))
        d1[index1], d2[index2] = 1.0, 1.0
        alphas, betas = values1 - theta[index1], values2 - theta[index2]
        # Data loss from lossopt.landscape with the bias trick (b is theta's last row, X gets a ones column) ...
        Z = slice_2d(theta, self._X_ones, self.y, d1, d2, alphas, betas, loss=v["loss"])  # (A, B)
        # ... plus the weights-only L2 term: ||M(theta + a d1 + b d2)||^2 from the Gram matrix of the masked three.
        M = np.stack([theta, d1, d2])[:, :2].reshape(3, -1)  # (3, 6): row 2 (the biases) left out
        G = M @ M.T
        a, b = alphas[:, np.newaxis], betas[np.newaxis, :]
        R = G[0, 0] + 2 * a * G[0, 1] + 2 * b * G[0, 2] + a * a * G[1, 1] + 2 * a * b * G[1, 2] + b * b * G[2, 2]
        total = Z + v["reg"] * R
        # A colour range that only grows along a path, so the colour bar is rarely redrawn.
        top = nice_ceiling(max(float(total.max()), 1e-3))
        if len(self.path) > 1 and (index1, index2) == self._landscape_axes:
            top = max(top, self.landscape.image.get_clim()[1])
        self._landscape_axes = (index1, index2)
        clim = (0.0, top)
        self.landscape.update(total.T, values1, values2, path, names=(v["p1"], v["p2"]), clim=clim)

    def _draw_history(self):
        history = np.array(self.history)  # (T, 2)
        steps = np.arange(len(history))
        for line, column in zip(self.history_lines, history.T, strict=True):
            line.set_data(steps, column)
            line.set_markevery([len(steps) - 1])
        self._history_ax.set_xlim(0, nice_ceiling(max(len(history) - 1, 20), steps=(1, 2, 5)))
        self._history_ax.set_ylim(0, nice_ceiling(max(history.max(), 1e-3)) * 1.05)

    def _table(self, state, v):
        """The readout: the losses, then x[0], x[1], y, the scores and the loss of (up to) nine points."""
        lines = [
            f"{LOSS_NAMES[v['loss']]}: data loss {state.data_loss:.4f} + reg loss {state.reg_loss:.4f} "
            f"({v['reg']:.3g} * sum W**2, weights only) = total {state.total:.4f}",
            f"steps {self.steps}   step size {v['lr']:.3g}   {len(self.y)} points, "
            f"{int((state.losses > 0).sum())} with loss > 0   {self.message}",
            f"{'x[0]':>7} {'x[1]':>7} {'y':>2} {'s[0]':>8} {'s[1]':>8} {'s[2]':>8} {'L':>8}",
        ]
        rows = np.arange(len(self.y))
        if len(rows) > 9:  # the nine worst, in data order
            rows = np.sort(np.argsort(-state.losses, kind="stable")[:9])
        for i in rows:
            s = state.scores[i]
            mark = "  <- loss > 0" if state.losses[i] > 0 else ""
            lines.append(
                f"{self.X[i, 0]:7.2f} {self.X[i, 1]:7.2f} {self.y[i]:2d} "
                f"{s[0]:8.3f} {s[1]:8.3f} {s[2]:8.3f} {state.losses[i]:8.3f}{mark}"
            )
        if len(self.y) > 9:
            lines.append(f"(the nine of {len(self.y)} points with the largest loss)")
        return "\n".join(lines)

    # ------------------------------------------------------------------ rendering

    def render(self):
        """The picture: the figure's static parts (axes, ticks, labels) are rendered only when they change.

        A full render of this figure costs a few hundred ms; between changes
        of limits or labels only the moving artists are drawn over a saved
        background (blitting), which keeps Play's ten steps a second smooth.
        While Play runs, frames are JPEG (a third of PNG's encoding time; its
        blur does not show in motion); every other picture is PNG.
        """
        image_format = "jpeg" if self.play.playing else "png"
        return self._render(image_format), image_format

    def _render(self, image_format="png"):
        """The figure as PNG or JPEG bytes.

        The static part of each panel (frame, ticks, labels, the colour bar) is
        kept as a background and redrawn only when that panel's limits or labels
        change; the moving artists are drawn over it every time.
        """
        canvas = self.figure.canvas
        if not isinstance(canvas, FigureCanvasAgg):
            canvas = FigureCanvasAgg(self.figure)
        dynamic = [
            # spines too: they are drawn over the images, as in a full render
            sorted([*a.images, *a.lines, *a.collections, *a.texts, *a.spines.values()], key=lambda a: a.get_zorder())
            for a in (axes[0] for axes in self._panels)
        ]
        for artist in (artist for artists in dynamic for artist in artists):
            artist.set_animated(True)  # left out of every static draw, drawn below
        keys = [self._panel_key(axes) for axes in self._panels]
        if self._background is None:
            canvas.draw()  # static parts of the whole figure, laid out
            self.figure.set_layout_engine("none")  # keep that layout: no panel moves later
            renderer = canvas.get_renderer()
            self._regions = [self._panel_region(axes, renderer) for axes in self._panels]
        else:
            canvas.restore_region(self._background)
            renderer = canvas.get_renderer()
            changed = [i for i, key in enumerate(keys) if key != self._keys[i]]
            if changed:
                self._redraw_panels(changed, renderer)
        if self._background is None or keys != self._keys:
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            self._keys = keys
        for artists in dynamic:
            for artist in artists:
                artist.axes.draw_artist(artist)
        width, height = canvas.get_width_height()
        picture = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        if image_format == "jpeg":
            picture.convert("RGB").save(buffer, format="jpeg", quality=90)
        else:
            picture.save(buffer, format="png", compress_level=1)  # fast; the PNG is 70 kB instead of 60
        return buffer.getvalue()

    def _redraw_panels(self, changed, renderer):
        """Paint the regions of the changed panels blank and draw their static parts there (not their animated artists).

        A neighbour whose region overlaps (a long title, say) is redrawn too, or its text would be cut.
        """
        for i in changed:
            self._regions[i] = Bbox.union([self._regions[i], self._panel_region(self._panels[i], renderer)])
        changed = [
            j for j, region in enumerate(self._regions) if any(region.overlaps(self._regions[i]) for i in changed)
        ]
        for j in changed:
            region = self._regions[j]
            blank = Rectangle(region.p0, region.width, region.height, transform=IdentityTransform(), linewidth=0)
            blank.set_facecolor(self.figure.get_facecolor())
            blank.set_figure(self.figure)
            blank.draw(renderer)
        for j in changed:
            for ax in self._panels[j]:
                ax.draw(renderer)

    def _panel_region(self, axes, renderer):
        """The pixels a panel covers, ticks and labels included, on whole pixels."""
        box = Bbox.union([ax.get_tightbbox(renderer) for ax in axes])
        return Bbox.from_extents(
            math.floor(box.x0) - 1, math.floor(box.y0) - 1, math.ceil(box.x1) + 1, math.ceil(box.y1) + 1
        )

    @staticmethod
    def _panel_key(axes):
        """What a panel's static part shows: its limits and labels (and the colour bar's range)."""
        return tuple((ax.get_xlim(), ax.get_ylim(), ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) for ax in axes)

    # ------------------------------------------------------------------ helpers

    def _parameter_cell(self, name, layouts):
        label = widgets.Label(layout=layouts[1])
        buttons = []
        for sign, text in ((-1, "−"), (1, "+")):
            button = widgets.Button(description=text, tooltip=f"{name} {text} 0.1", layout=layouts[0])
            button.on_click(lambda _, name=name, sign=sign: self.nudge(name, sign))
            self.nudge_buttons[name, sign] = button
            buttons.append(button)
        self._entry_labels[name] = label
        return widgets.HBox([*buttons, label])

    @staticmethod
    def _index(name):
        """``"W[1,2]"`` -> (1, 2); ``"b[2]"`` -> (2, 2): the entry of :attr:`theta`."""
        numbers = [int(part) for part in name[2:-1].split(",")]
        return (numbers[0], numbers[1]) if name[0] == "W" else (2, numbers[0])

    def _record(self, state):
        """Add the current parameters and their losses to the path and the history, unless they are there last."""
        if not self.path or not np.array_equal(self.path[-1], self.theta):
            self.path.append(self.theta)
            self.history.append((state.total, state.data_loss))

    def _restart(self):
        self.steps = 0
        self.message = ""
        self.history, self.path = [], []
        self.update()

    def _on_tick(self, change):
        if change["new"] > change["old"]:  # Play ticks forward; its stop button sets the value back to 0
            self.step()
