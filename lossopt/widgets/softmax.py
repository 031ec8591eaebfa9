"""Notebooks 03 and 04: the scale (temperature) of softmax scores, and softmax against the SVM on one image."""

import ipywidgets as widgets
import numpy as np

from .._validate import check_array, check_choice, check_scalar
from ..losses import score_kernel
from ..plots import softmax as plots
from ._explorer import Explorer, nice_ceiling, signed, slider


def _image(scores, label, class_names):
    """Check one image's scores (C,), its correct class and its C class names; return them."""
    scores = check_array(scores, "scores", 1, finite=True)
    if scores.size < 2:
        raise ValueError(f"scores must hold at least two classes, got {scores.size}")
    label = int(check_choice(label, "label", tuple(range(scores.size))))
    if class_names is not None:
        if len(class_names) != scores.size:  # a string is a sequence of one-letter names
            raise ValueError(f"class_names must be a sequence of {scores.size} names, one per score")
        class_names = tuple(str(name) for name in class_names)
    return scores, label, class_names


def _row(values):
    return "[" + ", ".join(f"{v:6.2f}" for v in values) + "]"


class SoftmaxScaleExplorer(Explorer):
    """Multiply one image's ``scores`` (C,) by a ``scale`` (1 / temperature) from 0 to ``max_scale``.

    The notes' example: [1, -2, 0] gives [0.70, 0.04, 0.26]; halved, [0.55, 0.12, 0.33].
    """

    MAX_SCORE = 1e6  # larger scores make bars that matplotlib cannot lay out (and mean nothing for a lesson)

    def __init__(self, scores=(1.0, -2.0, 0.0), label=0, *, class_names=None, max_scale=5.0):
        self.scores, self.label, self.class_names = _image(scores, label, class_names)  # (C,), int, names
        max_scale = check_scalar(max_scale, "max_scale", low=0, low_open=True)
        if np.abs(self.scores).max() * max_scale > self.MAX_SCORE:
            raise ValueError(
                f"scores times max_scale must stay within ±{self.MAX_SCORE:g}, "
                f"got a largest |score| of {np.abs(self.scores).max():g} and max_scale {max_scale:g}"
            )
        self.curve_scales = np.linspace(0, max_scale, 101)  # the loss at every scale, once
        S = self.curve_scales[:, np.newaxis] * self.scores
        self.curve_losses, _ = score_kernel("softmax", S, np.full(101, self.label))
        self.bound = 1.25 * max(np.abs(self.scores).max() * max_scale, 1.0)  # fixed, so the bars visibly grow
        controls = {"scale": slider("scale (1 / temperature)", 1.0, 0.0, max_scale, 0.05)}
        super().__init__(controls, figsize=(9.0, 3.4), readout_lines=4)

    def draw(self):
        scale = self.controls["scale"].value
        scores = scale * self.scores  # (C,)
        probabilities, loss = plots.probabilities_and_loss(scores, self.label)
        if not self.figure.axes:
            self.figure.subplots(1, 3)
        score_ax, probability_ax, loss_ax = self.figure.axes
        self.remove_drawing(*self.figure.axes)
        plots.plot_class_bars(
            scores, self.label, class_names=self.class_names, ax=score_ax, title=f"scores x {scale:.2f}"
        )
        score_ax.set_ylim(-self.bound, self.bound)
        plots.plot_probabilities(probabilities, self.label, class_names=self.class_names, ax=probability_ax)
        loss_ax.plot(self.curve_scales, self.curve_losses, color="black", label="-ln p[correct]")
        loss_ax.axhline(np.log(self.scores.size), color="gray", linestyle=":", label="ln C (scale 0)")
        loss_ax.plot([scale], [loss], "o", color="black", label="now")
        loss_ax.set(title="Loss against the scale", xlabel="scale (1 / temperature)", ylabel="loss")
        if not self.figure.legends:  # one legend, below the panels: never over the data, and the same every frame
            self.legend_below()
        temperature = "infinite" if scale == 0 else f"{1 / scale:.2f}"
        return (
            f"scale {scale:.2f}  (temperature T = 1/scale = {temperature})\n"
            f"scores         {_row(scores)}\n"
            f"probabilities  {_row(probabilities)}\n"
            f"loss  -ln p[correct] = {loss:.4f}"
        )


class ScoreExplorer(Explorer):
    """Move one image's scores (controls ``s0`` ... ``s{C-1}``, ``label``): the SVM goes flat once the margin
    is met, softmax keeps pushing. Left: hinge terms; middle: probabilities; right: both losses."""

    def __init__(self, scores=(-2.85, 0.86, 0.28), label=2, *, class_names=None, delta=1.0, score_range=10.0):
        score_range = check_scalar(score_range, "score_range", low=0, low_open=True)
        scores, label, class_names = _image(scores, label, class_names)
        for k, score in enumerate(scores):  # each starts on its slider
            check_scalar(score, f"scores[{k}]", low=-score_range, high=score_range)
        self.class_names = class_names or tuple(f"class {k}" for k in range(scores.size))
        self.delta = check_scalar(delta, "delta", low=0)
        self.sweep = np.linspace(-score_range, score_range, 61)  # x axis of the loss curves
        controls = {
            f"s{k}": slider(f"score of {name}", value, -score_range, score_range, 0.01)
            for k, (name, value) in enumerate(zip(self.class_names, scores, strict=True))
        }
        controls["label"] = widgets.Dropdown(
            options=[(name, k) for k, name in enumerate(self.class_names)], value=label, description="correct class"
        )
        super().__init__(controls, figsize=(9.0, 3.4), readout_lines=3)

    @property
    def scores(self):
        """The scores set by the sliders, shape (C,)."""
        return np.array([self.controls[f"s{k}"].value for k in range(len(self.class_names))])

    def draw(self):
        scores, label = self.scores, self.controls["label"].value
        S = scores[np.newaxis]  # (1, C): one image
        (svm,), svm_dS = score_kernel("svm", S, np.array([label]), self.delta)  # checked once, in __init__
        probabilities, softmax = plots.probabilities_and_loss(scores, label)
        softmax_push = probabilities[label] - 1  # dL/ds_correct of softmax, for one image
        if not self.figure.axes:
            self.figure.subplots(1, 3)
        hinge_ax, probability_ax, curve_ax = self.figure.axes
        self.remove_drawing(*self.figure.axes)
        plots.plot_svm_vs_softmax(
            scores, label, delta=self.delta, class_names=self.class_names, axes=(hinge_ax, probability_ax)
        )
        hinge_ax.set_title(f"SVM hinge terms: L = {svm:.2f}")  # shorter: three panels share the width
        for text in hinge_ax.texts:  # the L_i label: for one image it is the title's L
            text.remove()
        plots.plot_losses_vs_score(
            scores, label, label, self.sweep, deltas=(self.delta,), class_names=self.class_names, ax=curve_ax,
            mark=scores[label], title="Losses vs the correct score",
        )  # fmt: skip
        curve_ax.legend(fontsize="small", loc="upper right")
        # Fixed unless the bars or curves outgrow them, then in round steps, so the axes rarely change.
        # Room above the bars for the legend; the curves' range where the margin is decided.
        hinge_ax.set_ylim(0, max(3.0, nice_ceiling(max(1.8 * svm, 1e-3))))
        curve_ax.set_ylim(-0.3, max(6.0, nice_ceiling(max(1.2 * svm, 1.2 * softmax, 1e-3))))
        name = self.class_names[label]
        return (
            f"SVM (delta {self.delta:g}): L = {svm:.4f}   dL/ds_{name} = {signed(svm_dS[0, label], '+.4f')}"
            "   (exactly 0 once every margin is met)\n"
            f"softmax:         L = {softmax:.4f}   dL/ds_{name} = {softmax_push:+.4f}"
            "   (p - 1: never 0, softmax keeps pushing)\n"
            f"probabilities {_row(probabilities)}"
        )
