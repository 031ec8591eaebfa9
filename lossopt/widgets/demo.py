"""Notebook 08: the lecture's "Interactive Web Demo time", the CS231n demo's ``s = x @ W + b`` on 2-D points.

W (2 x 3) and b start at the web demo's values; each entry can be nudged; "step" and Play (ten a second)
take full-batch gradient steps. As in the web demo, ``reg * sum(W**2)`` penalizes the weights only.
"""

from numbers import Integral

import ipywidgets as widgets
import numpy as np

from .._validate import check_choice, check_scalar, check_seed
from ..datasets import TOY_DATASETS, add_bias, make_dataset
from ..landscape import plane_penalty, slice_2d
from ..losses import classifier_loss
from ..plots import class_colors
from ..plots.demo import ClassifierPlane, LossSlicePanel
from ._explorer import Explorer, log_slider, nice_ceiling, serialized, signed

START_W, START_B = ((1.0, 2.0, 3.0), (2.0, -4.0, -1.0)), (0.0, 0.5, -0.5)  # the web demo's start; columns w_k
LOSS_NAMES = {  # lossopt.SCORE_LOSSES key -> the menu's name
    "svm": "Weston-Watkins SVM",
    "ova_svm": "one-vs-all SVM",
    "structured_svm": "structured SVM (Crammer-Singer)",
    "softmax": "softmax",
}
PARAMETERS = tuple(f"W[{d},{k}]" for d in range(2) for k in range(3)) + tuple(f"b[{k}]" for k in range(3))
NUDGE = 0.1  # how far one click of a + or - button moves a parameter


class LinearClassifierDemo(Explorer):
    """Panels: the plane (regions, zero-score lines, weight arrows, points with loss > 0 ringed), the total loss
    over two chosen parameters with the path, the loss history; the readout tabulates up to nine points.
    ``seed`` seeds "randomize". Attributes: ``W``, ``b``, ``X``, ``y``, ``state`` (the ClassifierLoss drawn),
    ``steps``, ``history``, ``path``, and the buttons."""

    def __init__(
        self, *, loss="svm", reg=0.1, lr=0.1, dataset="nine points", seed=0, resolution=100, landscape_resolution=13
    ):
        reg, lr = check_scalar(reg, "reg", low=1e-2, high=1e2), check_scalar(lr, "lr", low=5e-4, high=5.0)
        loss, dataset = check_choice(loss, "loss", tuple(LOSS_NAMES)), check_choice(dataset, "dataset", TOY_DATASETS)
        W = widgets
        controls = {
            "loss": W.Dropdown(options=[(v, k) for k, v in LOSS_NAMES.items()], value=loss, description="loss"),
            "reg": log_slider("L2 strength", reg, 1e-2, 1e2, readout_format=".3g"),
            "lr": log_slider("step size", lr, 5e-4, 5.0, readout_format=".3g"),
            "dataset": W.Dropdown(options=TOY_DATASETS, value=dataset, description="data"),
            "n_per_class": W.IntSlider(value=30, min=3, max=100, description="points/class"),
            "data_seed": W.BoundedIntText(value=0, min=0, max=9999, description="data seed"),
            "extra": W.IntSlider(value=0, min=-6, max=30, description="points ±"),
            "p1": W.Dropdown(options=PARAMETERS, value="W[0,0]", description="landscape x"),
            "p2": W.Dropdown(options=PARAMETERS, value="W[1,0]", description="landscape y"),
        }
        for control in controls.values():
            control.style = {"description_width": "initial"}
        self.W, self.b = np.array(START_W), np.array(START_B)
        self.steps, self.message, self.history, self.path = 0, "", [], []
        self._rng = check_seed(seed)
        self._resolution = check_scalar(resolution, "resolution", Integral, low=1)
        self._landscape_resolution = check_scalar(landscape_resolution, "landscape_resolution", Integral, low=1)
        self._data_key = self._loss_key = None

        self.step_button = W.Button(description="step", tooltip="one full-batch gradient step")
        self.play = W.Play(value=0, min=0, max=10**6, step=1, interval=100, description="train")
        self.randomize_button = W.Button(description="randomize", tooltip="random W and b (seeded)")
        self.reset_button = W.Button(description="reset", tooltip="back to the starting W and b")
        self.step_button.on_click(lambda _: self.step())
        self.play.observe(self._on_tick, names="value")
        self.randomize_button.on_click(lambda _: self.randomize())
        self.reset_button.on_click(lambda _: self.reset())
        self.nudge_buttons, self._entry_labels = {}, {}
        layouts = W.Layout(width="2.4em"), W.Layout(width="15em")  # shared: fewer widget models to save
        cells = [self._parameter_cell(name, layouts) for name in PARAMETERS]

        super().__init__(controls, figsize=(11.0, 3.8), readout_lines=14)
        c, wrap = self.controls, W.Layout(flex_flow="row wrap", align_items="center")
        buttons = [W.Label("train:"), self.step_button, self.play, self.randomize_button, self.reset_button]
        grid = W.GridBox(cells, layout=W.Layout(grid_template_columns="repeat(3, max-content)"))  # a column a class
        data = [c["dataset"], c["n_per_class"], c["data_seed"], c["extra"]]
        rows = [
            W.HBox(items, layout=wrap) for items in ([c["loss"], c["reg"], c["lr"]], buttons, data, [c["p1"], c["p2"]])
        ]
        self.widget = W.VBox([*rows[:2], grid, *rows[2:], self.picture])  # the readout is below the picture

    @serialized
    def step(self, steps=1):
        """Take ``steps`` full-batch gradient steps (W -= lr * dW, b -= lr * db); one that diverges stops Play."""
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

    @serialized
    def nudge(self, name, sign):
        """Move the parameter ``name`` (one of :data:`PARAMETERS`) by ``sign * 0.1``."""
        theta = self.theta
        theta[self._index(name)] += sign * NUDGE
        self.W, self.b = theta[:2], theta[2]
        self.update()

    @serialized
    def randomize(self):
        """Random W (uniform in [-3, 3]) and b (uniform in [-1, 1]): the next draw of the seeded generator."""
        self.W, self.b = self._rng.uniform(-3, 3, size=(2, 3)), self._rng.uniform(-1, 1, size=3)
        self.steps, self.message, self.history, self.path = 0, "", [], []
        self.update()

    @serialized
    def reset(self):
        """Back to the starting W and b."""
        self.W, self.b = np.array(START_W), np.array(START_B)
        self.steps, self.message, self.history, self.path = 0, "", [], []
        self.update()

    @property
    def theta(self):
        """All nine parameters as one (3, 3) array, W's two rows then b (a copy; the bias trick's W)."""
        return np.vstack([self.W, self.b])

    def evaluate(self, *, per_point=True):
        """:class:`ClassifierLoss` of the current (W, b) under the current controls."""
        v = self.values
        return classifier_loss(self.W, self.b, self.X, self.y, loss=v["loss"], reg=v["reg"], per_point=per_point)

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
            self._X_ones = add_bias(self.X)  # (N, 3) for the landscape's bias trick
            if not self.figure.axes:  # the three panels: the plane, the landscape, the history
                # Laid out once, then kept; the extra space lets tick labels grow without overlapping.
                self.figure.set_layout_engine("constrained", wspace=0.06)
                _, landscape_ax, self._history_ax = self.figure.subplots(1, 3, width_ratios=[1.0, 1.2, 1.0])
                self.landscape = LossSlicePanel(landscape_ax)
            self.figure.axes[0].clear()  # only the plane depends on the data
            self.plane = ClassifierPlane(
                self.figure.axes[0], self.X, self.y, 3, resolution=self._resolution, legend=False
            )
            self.history, self.path = [], []
        if v["loss"] != self._loss_key:
            self._loss_key = v["loss"]
            self.history, self.path = [], []
        self.state = state = self.evaluate()
        self._record(state)

        self.plane.update(self.W, self.b, state.losses)
        self._draw_landscape(v)
        ax, history = self._history_ax, np.array(self.history)  # (T, 2): total and data loss
        self.remove_drawing(ax)
        blue, orange = class_colors(2)
        style = {"marker": "o", "markersize": 4, "markevery": [len(history) - 1], "clip_on": False}  # a dot at the end
        ax.plot(history[:, 0], color=blue, label="total loss", **style)
        ax.plot(history[:, 1], "--", color=orange, label="data loss", **style)
        ax.set_xlim(0, nice_ceiling(max(len(history) - 1, 20), steps=(1, 2, 5)))
        ax.set_ylim(0, nice_ceiling(max(history.max(), 1e-3)) * 1.05)
        ax.set(xlabel="parameter update (step or nudge)", ylabel="loss", title="Loss history")
        if not self.figure.legends:
            self.legend_below()
        theta, grads = self.theta, np.vstack([state.dW, state.db])
        for name, label in self._entry_labels.items():
            index = self._index(name)
            label.value = f"{name} = {signed(theta[index], '+.2f')}   grad {signed(grads[index], '+.3f')}"
        return self._table(state, v)

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
        # ... plus the L2 penalty of the weights only: rows 0 and 1 of theta (row 2 holds the biases).
        total = Z + v["reg"] * plane_penalty(theta[:2], d1[:2], d2[:2], alphas, betas)
        clim = (0.0, nice_ceiling(max(float(total.max()), 1e-3)))  # round ends: the colour bar's ticks rarely move
        self.landscape.update(total.T, values1, values2, path, names=(v["p1"], v["p2"]), clim=clim)

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
                + " ".join(signed(score, "8.3f") for score in s)  # no "-0.000": a zero score prints as 0.000
                + f" {state.losses[i]:8.3f}{mark}"
            )
        if len(self.y) > 9:
            lines.append(f"(the nine of {len(self.y)} points with the largest loss)")
        return "\n".join(lines)

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

    def _on_tick(self, change):
        if change["new"] > change["old"]:  # Play ticks forward; its stop button sets the value back to 0
            self.step()
