"""Widget messages on two threads at once still give one update at a time (issue 14).

JupyterLab can handle comm messages on a subshell thread: Play's ticks on one
thread, button clicks on another. Every frame the demo shows must then be the
picture of one state, the one a single-threaded render of that state gives.
"""

import threading

import numpy as np

import lossopt as lo

from ._pictures import assert_same_picture, shown_png


def snapshot(demo):
    """The demo's state as it is now (what a frame must show)."""
    return {
        "W": demo.W.copy(),
        "b": demo.b.copy(),
        "steps": demo.steps,
        "message": demo.message,
        "history": list(demo.history),
        "path": [theta.copy() for theta in demo.path],
        "text": demo.text,
        "html": demo.picture.value,
        "png": demo.png,
    }


def test_play_ticks_and_clicks_on_two_threads_give_only_whole_frames():
    demo = lo.widgets.LinearClassifierDemo(seed=1)
    frames = []
    # Called on the thread that set the picture, right when it is set: the state it must show.
    demo.picture.observe(lambda change: frames.append(snapshot(demo)), names="value")
    start = threading.Barrier(2)

    def play():
        start.wait()
        for tick in range(1, 13):
            demo.play.value = tick  # what Play's timer sends

    def click():
        start.wait()
        for k in range(6):
            (demo.randomize_button if k % 2 == 0 else demo.reset_button).click()

    threads = [threading.Thread(target=play), threading.Thread(target=click)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(frames) == 12 + 6

    # Each frame against a render of its state on one thread, in a demo of its own.
    reference = lo.widgets.LinearClassifierDemo(seed=1)
    for frame in frames[::3]:
        with reference._lock:
            reference.W, reference.b = frame["W"], frame["b"]
            reference.steps, reference.message = frame["steps"], frame["message"]
            reference.history, reference.path = list(frame["history"]), list(frame["path"])
            reference.update()
        assert reference.text == frame["text"]
        # the readout in the frame's widget value is the frame's own text
        assert frame["html"].endswith(f"{lo.widgets._explorer.html.escape(frame['text'])}</pre>")
        np.testing.assert_array_equal(reference.W, frame["W"])
        assert_same_picture(reference, shown=frame["png"])
    assert shown_png(demo) == demo.png
