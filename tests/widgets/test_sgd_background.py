"""Notebook 07's SGD explorer: a slider step finds its run trained in the background (issue 14: no retraining)."""

import threading

import numpy as np

import lossopt as lo


def test_a_slider_step_after_a_rest_trains_nothing():
    explorer = lo.widgets.SGDExplorer()
    trained = {"foreground": [], "background": []}
    train = explorer._train

    def counted(*key):
        where = "foreground" if threading.current_thread() is threading.main_thread() else "background"
        trained[where].append(key)
        return train(*key)

    explorer._train = counted
    lr = explorer.controls["lr"]
    lr.value = 10 ** (np.log10(lr.value) + lr.step)  # the student's first step: trains it, then its neighbours
    explorer.wait_for_background()
    assert len(trained["foreground"]) == 1 and len(trained["background"]) > 5
    for move in (
        lambda: setattr(lr, "value", 10 ** (np.log10(lr.value) + lr.step)),  # one more step right
        lambda: setattr(explorer.controls["batch_size"], "value", 64),  # the next batch size
        lambda: setattr(lr, "value", 10 ** (np.log10(lr.value) + 5 * lr.step)),  # Page Up: five steps
        lambda: setattr(explorer.controls["batch_size"], "value", 2),  # Page Down from 64: five sizes down
        lambda: setattr(explorer.controls["batch_size"], "value", 1),  # Page Down again: stops at the end
    ):
        move()
        assert len(trained["foreground"]) == 1  # drawn from the cache: nothing trained while the student waits
        explorer.wait_for_background()
    assert "batch 1:" in explorer.text


def test_a_run_from_the_background_is_the_run_itself():
    explorer = lo.widgets.SGDExplorer(steps=20)
    explorer.controls["batch_size"].value = 64
    explorer.wait_for_background()
    neighbour = explorer.run("softmax", 0.1, 128)  # trained in the background
    again = explorer._train("softmax", 0.1, 128)
    np.testing.assert_array_equal(neighbour["W"], again["W"])
    np.testing.assert_array_equal(neighbour["history"], again["history"])


def test_the_learning_rates_ahead_of_a_moving_hand_are_trained_first():
    explorer = lo.widgets.SGDExplorer(steps=20)
    lr = explorer.controls["lr"]
    for direction in (-1, 1):
        start = float(lr.value)
        lr.value = 10 ** (np.log10(start) + direction * lr.step)
        exponents = [np.log10(key[1]) for key in explorer._wanted[:5]]
        expected = np.log10(lr.value) + direction * lr.step * np.arange(1, 6)  # the next five, a page key's jump
        np.testing.assert_allclose(exponents, expected, atol=1e-6)
        explorer.wait_for_background()


def test_a_background_run_gives_way_to_the_run_a_student_waits_for():
    explorer = lo.widgets.SGDExplorer(steps=1000)  # long runs: the background is busy when the student moves
    outcomes = []
    train = explorer._train

    def recorded(*key):
        where = "foreground" if threading.current_thread() is threading.main_thread() else "background"
        try:
            run = train(*key)
        except Exception as error:
            outcomes.append((where, key, type(error).__name__))
            raise
        outcomes.append((where, key, "done"))
        return run

    explorer._train = recorded
    lr = explorer.controls["lr"]
    lr.value = 10 ** (np.log10(lr.value) + lr.step)  # trained here; its neighbours then in the background
    explorer.controls["batch_size"].value = 8  # no neighbour of that: trained here while the background works
    explorer.wait_for_background()
    stopped = [key for where, key, outcome in outcomes if where == "background" and outcome == "_GaveWayError"]
    assert stopped, f"no background run gave way: {outcomes}"
    assert ("foreground", ("softmax", float(f"{lr.value:.10g}"), 8), "done") in outcomes
    again = explorer.run(*stopped[0])  # tried again after the student's run: the run itself
    np.testing.assert_array_equal(again["W"], train(*stopped[0])["W"])
