"""Headless latency of every explorer: from a control change to the new frame (issue 14).

Each explorer is built with its defaults, then one of its controls is stepped
through several values, the way a hand on a slider does (each step a new
value, most never seen before, so nothing is cached from an earlier step).
A step's time is that of ``control.value = v`` (or a button click), which
returns once the new picture and readout are set on the widget: drawing,
encoding and the widget update, without the browser and the network. The
table gives the median and the worst over the steps, and the size of a frame
as sent (the data URL's text).

Run: ``OPENBLAS_NUM_THREADS=1 python benchmarks/bench_explorers.py [06 ...]`` (only the named notebooks' rows).
"""

import os
import statistics
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np

import lossopt as lo


def _frame_bytes(explorer):
    """Size of the picture as sent to the browser (data URL text, or PNG bytes in older versions)."""
    picture = getattr(explorer, "picture", None)
    if picture is not None:
        return len(picture.value)
    return len(explorer.image.value)


def _slider_steps(control, count, start=None):
    """``count`` successive values of a slider, one step apart, from its current value upwards (then down)."""
    values = []
    value = control.value if start is None else start
    step = control.step
    for _ in range(count):
        if hasattr(control, "base"):  # a log slider: value = base ** exponent
            exponent = np.log10(value) + step
            if exponent > control.max + 1e-9:
                step = -step
                exponent = np.log10(value) + step
            value = float(10**exponent)
        else:
            nxt = value + step
            if nxt > control.max + 1e-9:
                step = -step
                nxt = value + step
            value = round(nxt, 10)
        values.append(value)
    return values


def _set(control, value):
    return lambda: setattr(control, "value", value)


def scenarios():
    """(explorer name, what moves, a fresh explorer's factory, a function explorer -> list of actions)."""

    def slider(name, count=8):
        return lambda e: [_set(e.controls[name], v) for v in _slider_steps(e.controls[name], count)]

    def options(name, count=8):
        def actions(e):
            control = e.controls[name]
            values = [v if not isinstance(v, tuple) else v[1] for v in control.options]
            start = values.index(control.value)
            return [_set(control, values[(start + 1 + k) % len(values)]) for k in range(count)]

        return actions

    def demo_clicks(count=8):
        return lambda e: [e.step_button.click for _ in range(count)]

    def demo_play(count=8):
        return lambda e: [_set(e.play, k + 1) for k in range(count)]

    def demo_nudges(count=8):
        return lambda e: [e.nudge_buttons["W[0,0]", 1].click for _ in range(count)]

    return [
        ("MarginExplorer (01)", "delta", lo.widgets.MarginExplorer, slider("delta")),
        ("MarginExplorer (01)", "scale", lo.widgets.MarginExplorer, slider("scale")),
        ("LambdaExplorer (02)", "reg", lo.widgets.LambdaExplorer, slider("reg")),
        ("SoftmaxScaleExplorer (03)", "scale", lo.widgets.SoftmaxScaleExplorer, slider("scale")),
        ("ScoreExplorer (04)", "s2", lo.widgets.ScoreExplorer, slider("s2")),
        ("StepSizeExplorer (05)", "lr", lo.widgets.StepSizeExplorer, slider("lr")),
        ("LandscapeExplorer (06)", "reg", lo.widgets.LandscapeExplorer, slider("reg")),
        ("LandscapeExplorer (06)", "delta", lo.widgets.LandscapeExplorer, slider("delta")),
        ("SGDExplorer (07)", "lr", lo.widgets.SGDExplorer, slider("lr")),
        ("SGDExplorer (07)", "batch_size", lo.widgets.SGDExplorer, options("batch_size")),
        ("LinearClassifierDemo (08)", "step button", lo.widgets.LinearClassifierDemo, demo_clicks()),
        ("LinearClassifierDemo (08)", "Play ticks", lo.widgets.LinearClassifierDemo, demo_play()),
        ("LinearClassifierDemo (08)", "W[0,0] + button", lo.widgets.LinearClassifierDemo, demo_nudges()),
        ("LinearClassifierDemo (08)", "reg", lo.widgets.LinearClassifierDemo, slider("reg")),
    ]


def measure(factory, make_actions):
    """Milliseconds of each action on a fresh explorer, and the size of its last frame."""
    explorer = factory()
    times = []
    for action in make_actions(explorer):
        start = time.perf_counter()
        action()
        times.append(1000 * (time.perf_counter() - start))
    return times, _frame_bytes(explorer)


def main(only=()):
    print(f"{'explorer (notebook)':<28} {'control':<17} {'steps':>5} {'median ms':>10} {'worst ms':>9} {'frame kB':>9}")
    for name, control, factory, actions in scenarios():
        if only and not any(f"({number})" in name for number in only):
            continue
        times, size = measure(factory, actions)
        print(
            f"{name:<28} {control:<17} {len(times):>5} {statistics.median(times):>10.1f} {max(times):>9.1f} "
            f"{size / 1000:>9.1f}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
