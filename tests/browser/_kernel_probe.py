"""Instrumentation the browser tests run inside a notebook's kernel (sent as source; lossopt never imports it).

:func:`attach` wraps every live explorer's ``draw`` and
``render`` (on the instance; the class is untouched), which in lossopt both run
inside one ``update()`` holding the explorer's lock. The wrappers record:

- every frame made: which explorer, the control values it was drawn for, a
  digest of the picture as the page receives it (the ``src`` data URL), and
  the kernel thread that made it;
- overlaps: a ``draw`` or ``render`` entered while another one of the same
  explorer is still running (two updates interleaving: issue 14's race);
- a ``draw`` run without the explorer's lock held, where the explorer has one.

:func:`report` returns all of it as JSON for the test. Nothing here waits
or takes a lock of the explorer: it observes, so it cannot hide a race.
"""

import base64
import gc
import hashlib
import json
import threading
import time

import lossopt.widgets

_GUARD = threading.Lock()  # guards the probe's own counters only


def digest(png):
    """The digest the page computes of an ``<img>``'s src: SHA-1 of the data URL, 16 hex digits."""
    url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return hashlib.sha1(url.encode("ascii")).hexdigest()[:16]


class Probe:
    def __init__(self):
        self.explorers = []
        self.frames = []  # (explorer index, values, png, thread name, monotonic seconds)
        self.overlaps = []
        self.unlocked = 0
        self._busy = {}
        self._drawn_for = {}

    def attach(self):
        """Wrap every explorer alive now that is not wrapped yet; return how many are wrapped."""
        known = {id(e) for e in self.explorers}
        found = [o for o in gc.get_objects() if isinstance(o, lossopt.widgets.Explorer) and id(o) not in known]
        for explorer in found:
            self._wrap(explorer)
        return len(self.explorers)

    def _enter(self, index, what):
        with _GUARD:
            self._busy[index] = busy = self._busy.get(index, 0) + 1
            if busy > 1:
                self.overlaps.append((index, what, threading.current_thread().name, time.monotonic()))

    def _leave(self, index):
        with _GUARD:
            self._busy[index] -= 1

    def _wrap(self, explorer):
        index = len(self.explorers)
        self.explorers.append(explorer)
        draw, render = explorer.draw, explorer.render
        lock = getattr(explorer, "_lock", None)

        def drawing(*args, **kwargs):
            self._enter(index, "draw")
            try:
                if lock is not None and hasattr(lock, "_is_owned") and not lock._is_owned():
                    self.unlocked += 1
                self._drawn_for[index] = dict(explorer.values)
                return draw(*args, **kwargs)
            finally:
                self._leave(index)

        def rendering(*args, **kwargs):
            self._enter(index, "render")
            try:
                png = render(*args, **kwargs)
            finally:
                self._leave(index)
            values = self._drawn_for.get(index, {})
            self.frames.append((index, values, png, threading.current_thread().name, time.monotonic()))
            return png

        explorer.draw = drawing
        explorer.render = rendering

    def report(self, since=0):
        """Everything recorded (frames from number ``since`` on), as a JSON string."""
        return json.dumps(
            {
                "explorers": [
                    {"index": i, "class": type(e).__name__, "digest": digest(e.png), "values": e.values}
                    for i, e in enumerate(self.explorers)
                ],
                "frames": [
                    {"explorer": i, "values": values, "digest": digest(png), "thread": thread, "t": t}
                    for i, values, png, thread, t in self.frames[since:]
                ],
                "frame_count": len(self.frames),
                "threads": sorted({frame[3] for frame in self.frames}),
                "overlaps": self.overlaps,
                "unlocked": self.unlocked,
            },
            default=repr,
        )


def compare_with_full_render(index):
    """Pixels of explorer ``index``'s last frame against a full render of its figure now: (count > 2, max diff)."""
    import io

    import numpy as np
    from PIL import Image

    explorer = PROBE.explorers[index]
    with getattr(explorer, "_lock", threading.Lock()):
        shown, full = explorer.png, lossopt.widgets.figure_png(explorer.figure)

    def pixels(png):
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)

    a, b = pixels(shown), pixels(full)
    if a.shape != b.shape:
        return json.dumps({"shape": [a.shape, b.shape]})
    difference = np.abs(a - b).max(axis=2)
    return json.dumps({"differing": int((difference > 2).sum()), "max": int(difference.max())})


PROBE = globals().get("PROBE") or Probe()
