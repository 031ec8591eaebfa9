"""Notebook 07: the SGD explorer, minibatch SGD on the digits set as the learning rate, batch size and loss move."""

import contextlib
import math
import threading
import time

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import NullFormatter

from .._validate import check_choice, check_in_range, check_int, check_nonnegative, check_positive_int
from ..datasets import digits
from ..optim import LinearClassifier, sgd
from ..plots import class_colors, plot_loss_history
from ..plots.training import moving_average
from ._explorer import Explorer, log_slider, slider_look


class _GaveWayError(Exception):
    """A background run stopped so that a run the student waits for has the CPU to itself."""


class SGDExplorer(Explorer):
    """Sliders for the learning rate (log scale), the batch size (powers of two) and the loss.

    Every setting trains a :class:`lossopt.LinearClassifier` for the same
    number of steps from the same seeded start, with :func:`lossopt.sgd`, and
    is cached, so moving back to a setting only redraws it. After each change
    of a control, the settings a hand reaches next (see :meth:`_neighbours`)
    are trained on a background thread, so that a slider step finds its run ready
    instead of training it (a drag faster than that training still waits,
    and the background run then stops, to be done again later, so as not to
    share the CPU with it).

    Left: the minibatch loss of every step (faint) and its moving average,
    with the full training loss (all examples) along the way, dashed: small
    batches give a noisy estimate of it, large ones a smooth one. Right: the
    training and validation accuracy along the way. The readout gives the
    examples seen, the final losses, the accuracies and the time a run took.

    Parameters
    ----------
    data : lossopt.datasets.Split, optional
        Default ``lossopt.datasets.digits(seed=0)`` (bias column included).
    steps : int, default 200
        SGD steps of every run (the same for every batch size, so a step
        costs more with larger batches, and small batches see fewer examples).
    reg : float, default 1e-4
        L2 regularization strength lambda.
    lr : float, default 0.1
        Starting learning rate (slider from 1e-3 to 10).
    batch_size : int, default 32
        Starting batch size (slider over 1, 2, 4, ..., 1024 and the whole set).
    loss : {"softmax", "svm"}, default "softmax"
    seed : int, default 0
        Seeds the initial W and the batches: the run of a setting equals
        ``LinearClassifier(loss, lr=lr, reg=reg, batch_size=b, num_iters=steps, seed=seed).fit(...)``.

    Examples
    --------
    >>> explorer = SGDExplorer()
    >>> print(explorer.text.splitlines()[0])
    softmax, lr 1.00e-01, batch 32: 200 steps × 32 = 6400 examples seen (5.35 epochs)
    """

    LOSSES = ("softmax", "svm")
    CHECKPOINTS = 40  # full training loss and accuracies are measured about this often per run
    CACHE_SIZE = 256  # runs kept (each is a few KB)
    LOSS_FLOOR = 3e-3  # bottom of the log loss axis

    def __init__(self, data=None, *, steps=200, reg=1e-4, lr=0.1, batch_size=32, loss="softmax", seed=0):
        self.data = digits(seed=0) if data is None else data
        if not all(hasattr(self.data, name) for name in ("X_train", "y_train", "X_val", "y_val")):
            raise TypeError(f"data must be a lossopt.datasets.Split, got {type(data).__name__}")
        self.steps = check_positive_int(steps, "steps")
        self.reg = check_nonnegative(reg, "reg")
        self.seed = check_int(seed, "seed")
        lr = check_in_range(lr, "lr", 1e-3, 10.0)
        loss = check_choice(loss, "loss", self.LOSSES)
        self.every = max(1, self.steps // self.CHECKPOINTS)
        self._cache, self._pending, self._wanted = {}, {}, []
        self._cache_lock = threading.Condition()  # the cache is shared with the background trainer
        self._foreground_runs = 0  # runs a draw is waiting for: a background run gives way to them
        self._worker = None
        self._drawn_lr, self._lr_direction = None, 1  # the last learning rate drawn, and which way it moved last
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

    def model(self, loss, lr, batch_size):
        """The unfitted :class:`lossopt.LinearClassifier` of a setting (what a run trains)."""
        return LinearClassifier(
            loss, lr=lr, reg=self.reg, batch_size=batch_size, num_iters=self.steps, seed=self.seed, verbose=False
        )

    def run(self, loss, lr, batch_size):
        """Train one setting (or take it from the cache).

        Returns
        -------
        dict
            ``W`` (D, C) final weights; ``history`` (steps,) minibatch losses;
            ``diverged``; ``checkpoints`` (K,) steps at which ``full_loss``,
            ``train_acc`` and ``val_acc`` (each (K,)) were measured, step 0
            being the initial W; ``seconds`` the run took.
        """
        key = self._key(loss, lr, batch_size)
        background = threading.current_thread() is self._worker
        while True:
            with self._cache_lock:
                if key in self._cache:
                    return self._cache[key]
                result = self._pending.get(key)
                if result is None:  # nobody trains it: this thread does
                    result = self._pending[key] = [threading.Event(), None]
                    self._foreground_runs += not background
                    break
            result[0].wait()  # another thread trains it: wait for its run
            if result[1] is not None:
                return result[1]  # (None: it was a background run that gave way; train it here)
        try:
            result[1] = run = self._train(*key)
        finally:
            with self._cache_lock:
                if result[1] is not None:
                    if len(self._cache) >= self.CACHE_SIZE:
                        self._cache.pop(next(iter(self._cache)))  # the oldest run
                    self._cache[key] = run
                del self._pending[key]
                self._foreground_runs -= not background
                self._cache_lock.notify_all()
            result[0].set()
        return run

    @staticmethod
    def _key(loss, lr, batch_size):
        return loss, float(f"{lr:.10g}"), int(batch_size)  # slider values carry rounding noise

    def _train(self, loss, lr, batch_size):
        """One run of :meth:`run`, uncached."""
        data = self.data
        model = self.model(loss, lr, batch_size)
        checkpoints, full_loss, train_acc, val_acc = [], [], [], []

        background = threading.current_thread() is self._worker

        def measure(step, W):
            if background and self._foreground_runs:  # the student waits for a run: the CPU is theirs
                raise _GaveWayError
            if step % self.every == 0 or step == self.steps:
                checkpoints.append(step)
                full_loss.append(float(model.loss_and_gradient(W, data.X_train, data.y_train)[0]))
                train_acc.append(float(np.mean((data.X_train @ W).argmax(axis=1) == data.y_train)))
                val_acc.append(float(np.mean((data.X_val @ W).argmax(axis=1) == data.y_val)))

        start = time.perf_counter()
        # LinearClassifier.fit's two lines (a seeded W0, then sgd with the same generator), repeated:
        # fit warns when training diverges, where the explorer says so in its readout (and a warning
        # would come from the background thread). The widget test checks that the run equals fit's exactly.
        rng = np.random.default_rng(self.seed)
        W0 = model.init_scale * rng.standard_normal((data.X_train.shape[1], int(data.y_train.max()) + 1))
        measure(0, W0)
        result = sgd(
            model.loss_and_gradient,
            W0,
            data.X_train,
            data.y_train,
            lr=lr,
            batch_size=batch_size,
            num_iters=self.steps,
            seed=rng,
            callback=lambda step, W, _: measure(step + 1, W),  # W after step + 1 updates
        )
        run = {
            "W": result.W,
            "history": result.loss_history,
            "diverged": result.diverged,
            "checkpoints": np.array(checkpoints),
            "full_loss": np.array(full_loss),
            "train_acc": np.array(train_acc),
            "val_acc": np.array(val_acc),
            "seconds": time.perf_counter() - start,
        }
        return run

    PAGE = 5  # slider steps of one Page Up / Page Down key press (the sliders' default)

    def _neighbours(self, loss, lr, batch_size):
        """The settings a hand reaches next from this one, most likely first.

        The learning rate moves most (the notebook's questions are about it),
        and a hand that moved it one way tends to keep going: first the five
        learning rates ahead (a page key jumps five steps), then one and five
        steps back, the other loss, the batch sizes one key press away (an
        arrow moves one size, a page key five, stopping at the end), and the
        learning rates two to four steps back.
        """
        control = self.controls["lr"]  # its values are 10 ** (min + i * step), i = 0 ... last
        last = round((control.max - control.min) / control.step)
        at_lr = round((math.log10(lr) - control.min) / control.step)
        sizes = [size for _, size in self.controls["batch_size"].options]
        at = sizes.index(batch_size)
        ahead = self._lr_direction

        def learning_rates(*moves):  # a move past either end stops there, as the slider does
            return [
                (loss, 10 ** (control.min + min(max(at_lr + k, 0), last) * control.step), batch_size) for k in moves
            ]

        settings = learning_rates(*(ahead * k for k in range(1, self.PAGE + 1)))
        settings += learning_rates(-ahead, -ahead * self.PAGE)
        settings += [(other, lr, batch_size) for other in self.LOSSES if other != loss]
        settings += [(loss, lr, sizes[min(max(at + k, 0), len(sizes) - 1)]) for k in (1, -1, self.PAGE, -self.PAGE)]
        settings += learning_rates(*(-ahead * k for k in range(2, self.PAGE)))
        here = self._key(loss, lr, batch_size)
        return [key for key in dict.fromkeys(self._key(*setting) for setting in settings) if key != here]

    def _prefetch(self, loss, lr, batch_size):
        """Train the neighbours of this setting on a background thread, so that a slider step finds its run ready."""
        with self._cache_lock:
            self._wanted = self._neighbours(loss, lr, batch_size)  # replaces what the last setting wanted
            if self._worker is None:
                self._worker = threading.Thread(target=self._train_wanted, daemon=True)
                self._worker.start()

    def _train_wanted(self):
        while True:
            with self._cache_lock:
                self._cache_lock.wait_for(lambda: not self._foreground_runs)  # never beside a foreground run
                todo = [key for key in self._wanted if key not in self._cache and key not in self._pending]
                if not todo:
                    self._worker = None
                    return
            with contextlib.suppress(_GaveWayError):  # stopped for a foreground run; tried again after it
                self.run(*todo[0])

    def wait_for_background(self):
        """Wait until the background trainer has trained every neighbour of the current setting."""
        while (worker := self._worker) is not None:
            worker.join()

    def _build(self, smooth):
        """The two panels and their lines (moved by every draw: cheaper than drawing them anew)."""
        self._ax_loss, ax_acc = self.figure.subplots(1, 2)
        blue, orange, green, purple = class_colors(4)
        placeholder = np.ones(max(self.steps, smooth))  # every draw sets the data; this makes both lines
        ax = plot_loss_history(
            placeholder,
            ax=self._ax_loss,
            smooth=smooth,
            log=True,
            color=blue,
            label=f"minibatch loss ({smooth}-step mean)",
        )
        ax.plot([], [], "--", color=orange, label="full training loss")
        self._loss_lines = list(ax.lines)  # raw, average, full
        ax.set_xlim(0, self.steps)
        ax.yaxis.set_minor_formatter(NullFormatter())  # no labels between powers of ten: less to lay out
        ax.set_ylabel("loss (log scale)")
        self._accuracy_lines = [
            ax_acc.plot([], [], color=purple, label="training")[0],
            ax_acc.plot([], [], color=green, linestyle="--", label="validation")[0],
        ]
        ax_acc.set_xlim(0, self.steps)
        ax_acc.set_ylim(0, 1)
        ax_acc.set_xlabel("step")
        ax_acc.set_ylabel("accuracy")
        ax_acc.set_title("Accuracy during training")
        self.legend_below()

    def draw(self):
        loss, lr, batch_size = self.values["loss"], self.values["lr"], self.values["batch_size"]
        run = self.run(loss, lr, batch_size)
        if self.text:  # not the first draw: a student is moving the controls
            if lr != self._drawn_lr:
                self._lr_direction = 1 if lr > self._drawn_lr else -1
            self._prefetch(loss, lr, batch_size)
        self._drawn_lr = lr
        smooth = min(20, max(2, self.steps // 10))
        if not self.figure.axes:  # the first draw: the axes and lines, made once and then moved
            self._build(smooth)
        raw, average, full = self._loss_lines
        raw.set_data(np.arange(run["history"].size), run["history"])
        average.set_data(*moving_average(run["history"], smooth) if run["history"].size >= smooth else ([], []))
        full.set_data(run["checkpoints"], run["full_loss"])
        # Fixed per loss (from the loss at W0 up), so that settings compare; a log axis shows the
        # noise at every size (a minibatch SVM loss of exactly 0 is left out: log 0 is not drawn).
        self._ax_loss.set_ylim(self.LOSS_FLOOR, 1.5 * float(run["full_loss"][0]))
        self._ax_loss.set_title(f"{loss} loss, batch size {batch_size}")
        for line, key in zip(self._accuracy_lines, ("train_acc", "val_acc"), strict=True):
            line.set_data(run["checkpoints"], run[key])

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
