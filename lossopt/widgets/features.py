"""Notebook 09: the feature explorer, a linear classifier on raw (x, y) or on polar (r, theta), disc inside a ring."""

from numbers import Integral

import ipywidgets as widgets
import numpy as np

from .._validate import check_choice, check_scalar
from ..datasets import add_bias, disc_and_ring
from ..features import polar_features
from ..optim import LinearClassifier
from ..plots.classifier import plot_predicted_regions
from ._explorer import Explorer

FEATURES = {
    "raw": ("raw (x, y)", lambda X: X, ("x", "y")),
    "polar": ("polar (r, θ)", polar_features, ("r = distance from the origin", "θ = angle (radians)")),
}
"""Name -> (label, transform of (N, 2) points to (N, 2) features, axis labels of the feature space)."""


class FeatureExplorer(Explorer):
    """A toggle between raw (x, y) and polar (r, theta) features for a disc (class 0) inside a ring (class 1).

    A softmax classifier per choice, on standardized features. Left: its regions in the (x, y) plane; right: in
    feature space, where its boundary is straight. ``accuracy[name]`` is (training, test) accuracy.

    >>> explorer = FeatureExplorer()
    >>> explorer.controls["features"].value = "polar"
    >>> print(explorer.text.splitlines()[0])
    features: polar (r, θ): training accuracy 100.0%, test accuracy 100.0%
    """

    CLASS_NAMES = ("disc", "ring")

    def __init__(self, features="raw", *, n_per_class=100, seed=0):
        check_choice(features, "features", tuple(FEATURES))
        n_per_class = check_scalar(n_per_class, "n_per_class", Integral, low=1)
        seed = check_scalar(seed, "seed", Integral, low=0)
        self.X, self.y = disc_and_ring(n_per_class, seed=seed)
        self.X_test, self.y_test = disc_and_ring(n_per_class, seed=seed + 1)
        self.models, self.accuracy, self._scaling = {}, {}, {}
        for name, (_, transform, _) in FEATURES.items():
            F = transform(self.X)  # (N, 2) features
            mean, scale = F.mean(axis=0), F.std(axis=0)
            self._scaling[name] = (mean, scale)
            model = LinearClassifier("softmax", reg=1e-4, lr=0.5, batch_size=200, epochs=200, seed=seed, verbose=False)
            self.models[name] = model.fit(self._design(name, self.X), self.y)
            self.accuracy[name] = (
                model.score(self._design(name, self.X), self.y),
                model.score(self._design(name, self.X_test), self.y_test),
            )
        options = [(label, name) for name, (label, _, _) in FEATURES.items()]
        controls = {
            "features": widgets.ToggleButtons(options=options, value=features, description="features", style={})
        }
        super().__init__(controls, figsize=(9.0, 4.0), readout_lines=3)

    def _design(self, name, points):
        """The classifier's input for 2-D points: features, standardized with the training statistics, bias."""
        mean, scale = self._scaling[name]
        return add_bias((FEATURES[name][1](points) - mean) / scale)

    def predict(self, points, features=None):
        """The class the ``features`` classifier (default: the current one) gives 2-D points (M, 2): (M,)."""
        name = features or self.values["features"]
        return self.models[name].predict(self._design(name, points))

    def draw(self):
        name = self.values["features"]
        label, transform, (xlabel, ylabel) = FEATURES[name]
        model, (mean, scale), (train, test) = self.models[name], self._scaling[name], self.accuracy[name]
        if not self.figure.axes:
            self.figure.subplots(1, 2)
        ax_plane, ax_features = self.figure.axes
        for ax in self.figure.axes:
            ax.clear()  # the polar view has ticks of its own
        names = {"class_names": self.CLASS_NAMES}
        plot_predicted_regions(self.predict, self.X, self.y, ax=ax_plane, **names)
        ax_plane.set_aspect("equal", adjustable="box")
        ax_plane.set(xticks=[-1, 0, 1], yticks=[-1, 0, 1], xlabel="x", ylabel="y")
        ax_plane.set_title(f"In the (x, y) plane: training accuracy {train:.0%}", fontsize="medium")

        def predict_features(points):  # the linear classifier on feature-space points
            return model.predict(add_bias((points - mean) / scale))

        plot_predicted_regions(predict_features, transform(self.X), self.y, ax=ax_features, **names)
        if name == "polar":  # a distance is never negative, an angle within ±π
            ax_features.set(xlim=(0, None), ylim=(-1.1 * np.pi, 1.1 * np.pi))
            ax_features.set_yticks(np.pi * np.array([-1, -0.5, 0, 0.5, 1]), ["−π", "−π/2", "0", "π/2", "π"])
        ax_features.set(xlabel=xlabel, ylabel=ylabel)
        ax_features.set_title(f"What the classifier sees: {label}", fontsize="medium")
        ax_features.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")

        lines = [f"features: {label}: training accuracy {train:.1%}, test accuracy {test:.1%}"]
        lines += [
            f"  {FEATURES[other][0]}: training {self.accuracy[other][0]:.1%}, test {self.accuracy[other][1]:.1%}"
            for other in FEATURES
        ]
        return "\n".join(lines)
