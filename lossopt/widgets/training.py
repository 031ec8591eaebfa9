"""Notebook 07: the SGD explorer, minibatch SGD on the digits set as the learning rate, batch size and loss move."""

import time
from numbers import Integral

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import NullFormatter

from .._validate import check_choice, check_scalar
from ..datasets import digits
from ..optim import LinearClassifier, check_training_data, sgd
from ..plots import class_colors, plot_loss_history
from ._explorer import Explorer, log_slider, slider_look


class SGDExplorer(Explorer):
    """Sliders for the learning rate (log scale), the batch size (powers of two) and the loss.

    A setting's run, trained when first shown and kept, equals ``LinearClassifier(loss, lr=lr, reg=reg,
    batch_size=b, num_iters=steps, seed=seed).fit(data)``. Left: minibatch loss, its moving average, the full
    training loss (dashed); right: training and validation accuracy.

    >>> explorer = SGDExplorer()
    >>> print(explorer.text.splitlines()[0])
    softmax, lr 1.00e-01, batch 32: 200 steps × 32 = 6400 examples seen (5.35 epochs)
    """

    LOSSES = ("softmax", "svm")
    CHECKPOINTS = 20  # how often per run the full training loss and accuracies are measured (40 took half a run)
    LOSS_FLOOR = 3e-3  # bottom of the log loss axis

    def __init__(self, data=None, *, steps=200, reg=1e-4, lr=0.1, batch_size=32, loss="softmax", seed=0):
        self.data = digits(seed=0) if data is None else data
        if not all(hasattr(self.data, name) for name in ("X_train", "y_train", "X_val", "y_val")):
            raise TypeError(f"data must be a lossopt.datasets.Split, got {type(data).__name__}")
        check_training_data(self.data.X_train, self.data.y_train)  # once: every run calls the unchecked kernel
        self.steps = check_scalar(steps, "steps", Integral, low=1)
        self.reg = check_scalar(reg, "reg", low=0)
        self.seed = check_scalar(seed, "seed", Integral, low=0)
        lr = check_scalar(lr, "lr", low=1e-3, high=10.0)
        loss = check_choice(loss, "loss", self.LOSSES)
        self.every = max(1, self.steps // self.CHECKPOINTS)
        self._runs = {}  # (loss, lr, batch_size) -> run (a few KB each; a slider has a few hundred settings)
        num_train = len(self.data.y_train)
        sizes = [2**k for k in range(11) if 2**k < num_train]
        options = [(str(size), size) for size in sizes] + [(f"all {num_train}", num_train)]
        batch_size = check_choice(batch_size, "batch_size", tuple(dict(options).values()))
        controls = {
            "lr": log_slider("learning rate", lr, 1e-3, 10.0),
            "batch_size": widgets.SelectionSlider(options=options, value=batch_size, **slider_look("batch size")),
            "loss": widgets.ToggleButtons(options=self.LOSSES, value=loss, description="loss"),
        }
        super().__init__(controls, figsize=(9.0, 3.6), readout_lines=3)

    def run(self, loss, lr, batch_size):
        """Train one setting (cached): a dict of ``W`` (D, C), ``history`` (steps,), ``diverged``, ``seconds``,
        ``checkpoints`` (K,) steps (0: W0) where ``full_loss``, ``train_acc``, ``val_acc`` (K,) were measured."""
        key = loss, float(f"{lr:.10g}"), int(batch_size)  # slider values carry rounding noise
        if key in self._runs:
            return self._runs[key]
        data, (loss, lr, batch_size) = self.data, key
        model = LinearClassifier(loss, lr=lr, reg=self.reg, batch_size=batch_size, num_iters=self.steps, seed=self.seed)
        checkpoints, full_loss, train_acc, val_acc = [], [], [], []

        def measure(step, W):
            if step % self.every == 0 or step == self.steps:
                checkpoints.append(step)
                full_loss.append(float(model.loss_and_gradient(W, data.X_train, data.y_train)[0]))
                train_acc.append(float(np.mean((data.X_train @ W).argmax(axis=1) == data.y_train)))
                val_acc.append(float(np.mean((data.X_val @ W).argmax(axis=1) == data.y_val)))

        start = time.perf_counter()
        # LinearClassifier.fit's two lines (seeded W0, then sgd with the same generator; a test checks they agree):
        # fit warns when training diverges, where the explorer says so in its readout.
        rng = np.random.default_rng(self.seed)
        W0 = model.init_scale * rng.standard_normal((data.X_train.shape[1], int(data.y_train.max()) + 1))
        measure(0, W0)
        result = sgd(
            model.loss_and_gradient, W0, data.X_train, data.y_train, lr=lr, batch_size=batch_size,
            num_iters=self.steps, seed=rng, callback=lambda step, W, _: measure(step + 1, W),  # W after step + 1
        )  # fmt: skip
        self._runs[key] = run = {"W": result.W, "history": result.loss_history, "diverged": result.diverged}
        run.update(checkpoints=np.array(checkpoints), full_loss=np.array(full_loss), train_acc=np.array(train_acc))
        run.update(val_acc=np.array(val_acc), seconds=time.perf_counter() - start)
        return run

    def draw(self):
        loss, lr, batch_size = self.values["loss"], self.values["lr"], self.values["batch_size"]
        run = self.run(loss, lr, batch_size)
        smooth = min(20, max(2, self.steps // 10))
        if not self.figure.axes:
            self.figure.subplots(1, 2)
        ax_loss, ax_acc = self.figure.axes
        self.remove_drawing(ax_loss, ax_acc)
        blue, orange, green, purple = class_colors(4)
        label = f"minibatch loss ({smooth}-step mean)"
        plot_loss_history(run["history"], ax=ax_loss, smooth=smooth, log=True, color=blue, label=label)
        ax_loss.get_legend().remove()  # one legend for both panels, below them
        ax_loss.plot(run["checkpoints"], run["full_loss"], "--", color=orange, label="full training loss")
        # Fixed per loss (from the loss at W0 up), so that settings compare; a log axis shows the
        # noise at every size (a minibatch SVM loss of exactly 0 is left out: log 0 is not drawn).
        ax_loss.set(ylim=(self.LOSS_FLOOR, 1.5 * float(run["full_loss"][0])), xlim=(0, self.steps))
        ax_loss.yaxis.set_minor_formatter(NullFormatter())  # no labels between powers of ten: less to lay out
        ax_loss.set(ylabel="loss (log scale)", title=f"{loss} loss, batch size {batch_size}")
        ax_acc.plot(run["checkpoints"], run["train_acc"], color=purple, label="training")
        ax_acc.plot(run["checkpoints"], run["val_acc"], "--", color=green, label="validation")
        ax_acc.set(xlim=(0, self.steps), ylim=(0, 1))
        ax_acc.set(xlabel="step", ylabel="accuracy", title="Accuracy during training")
        if not self.figure.legends:
            self.legend_below()

        examples = self.steps * batch_size
        tail = run["history"][-smooth:]
        lines = [
            f"{loss}, lr {lr:.2e}, batch {batch_size}: {self.steps} steps × {batch_size} = {examples} examples seen "
            f"({examples / len(self.data.y_train):.2f} epochs)",
            f"minibatch loss (mean of the last {smooth} steps) {tail.mean():.3f} ± {tail.std():.3f} · "
            f"full training loss {run['full_loss'][-1]:.3f}" + (" · DIVERGED: lr too large" if run["diverged"] else ""),
            f"training accuracy {run['train_acc'][-1]:.3f} · validation accuracy {run['val_acc'][-1]:.3f} · "
            f"run {1000 * run['seconds']:.0f} ms (λ = {self.reg:g})",
        ]
        return "\n".join(lines)
