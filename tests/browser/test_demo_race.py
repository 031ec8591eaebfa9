"""Notebook 08 with Play running and randomize/reset clicked meanwhile: one update at a time, whole frames (issue 14).

In JupyterLab (comms over subshells as shipped), widget messages may be
handled on more than one kernel thread; before the explorers were serialized,
a click during Play overlapped a Play tick's redraw and left a corrupted
picture. Here the kernel is instrumented (tests/browser/_kernel_probe.py):
every explorer's ``draw`` and frame ``render`` count how many run at once.
Then Play runs while randomize and reset are clicked at seeded random
moments. Asserted: no draw or render of the demo ever overlapped another,
every draw ran holding the explorer's lock, the page shows the kernel's last
frame, and that frame equals a full render of the same state.
"""

import contextlib
import random
import time

import pytest

from tests.browser._page import NotebookPage
from tests.browser.conftest import NOTEBOOKS

pytestmark = pytest.mark.browser

NOTEBOOK = NOTEBOOKS / "08_linear_classifier_demo.ipynb"
CLICKS = 40  # randomize and reset, alternating, at random moments while Play runs
SEED = 14


def test_play_and_clicks_never_overlap(lab, lab_tab, screenshots, pytestconfig):
    import nbformat

    from tests.browser._report import SESSION
    from tests.browser.test_notebooks_in_browser import code_cells_to_run, saved_explorers

    notebook = nbformat.read(lab.root / "notebooks" / NOTEBOOK.name, as_version=4)  # the copy Lab serves
    page = lab_tab
    lab_page = NotebookPage(page, lab, NOTEBOOK.name)
    try:
        lab_page.open(workspace="race")
        assert not lab_page.run_all(code_cells_to_run(notebook)), "cells did not run"
        assert not lab_page.errors(), "errors after Run All:\n" + "\n".join(lab_page.errors())
        lab_page.wait_widgets(saved_explorers(notebook))
        lab_page.attach_probe()
        explorers = lab_page.explorers()
        demos = sorted(p for p, (cls, _) in explorers.items() if cls == "LinearClassifierDemo")
        assert demos, f"no LinearClassifierDemo on the page: {explorers}"
        picture, index = demos[0], explorers[demos[0]][1]

        def control(selector, text=None):
            for element in page.query_selector_all(f".jp-NotebookPanel .jp-OutputArea-output {selector}"):
                if element.evaluate("e => __lossopt.pictureOf(e)") == picture and (
                    text is None or element.inner_text().strip() == text
                ):
                    return element
            raise AssertionError(f"no {selector} {text or ''} in the demo")

        play = control(".widget-play")
        randomize, reset = control("button.widget-button", "randomize"), control("button.widget-button", "reset")
        import os

        if os.environ.get("LOSSOPT_BREAK_LOCK"):  # to watch this test fail: explorers without their lock
            lab_page.run_in_kernel(
                "import lossopt.widgets as _w, lossopt.widgets.demo as _d\n"
                "_w.Explorer.update = _w.Explorer.update.__wrapped__\n"
                "for _n in ('step', 'randomize', 'reset', 'nudge'):\n"
                "    setattr(_d.LinearClassifierDemo, _n, getattr(_d.LinearClassifierDemo, _n).__wrapped__)\n"
            )
        before = lab_page.probe()["frame_count"]
        play.scroll_into_view_if_needed()
        play.query_selector("button:has(.fa-play)").click()
        rng = random.Random(SEED)
        for k in range(CLICKS):
            time.sleep(rng.uniform(0.02, 0.25))
            died = page.query_selector(".jp-Dialog[aria-label*='appears to have died']")
            assert died is None, f"the kernel died during Play and clicks (after {k} clicks)"
            (randomize if k % 2 == 0 else reset).click(timeout=10_000)
        pause = play.query_selector("button:has(.fa-pause)")
        if pause:
            pause.click()
        lab_page.wait_quiet(500)

        report = lab_page.probe(since=before)
        frames = [f for f in report["frames"] if f["explorer"] == index]
        threads = sorted({f["thread"] for f in frames})
        pytestconfig.stash[SESSION]["race"] = (
            f"notebook 08, Play + {CLICKS} clicks: {len(frames)} demo frames on threads {threads}, "
            f"{len(report['overlaps'])} overlapping draws/renders, {report['unlocked']} draws without the lock"
        )
        assert len(frames) > CLICKS, f"only {len(frames)} frames: did Play and the clicks reach the kernel?"
        assert not report["overlaps"], f"draw/render overlapped another update: {report['overlaps'][:5]}"
        assert report["unlocked"] == 0, f"{report['unlocked']} draws ran without the explorer's lock"
        errors = lab_page.errors()
        assert not errors, "errors during Play and clicks:\n" + "\n".join(errors)

        shown = lab_page.page.evaluate("() => __lossopt.shown()")
        assert shown[str(picture)] == report["explorers"][index]["digest"], "the page does not show the last frame"
        comparison = lab_page.run_in_kernel(f"print(__import__('_lossopt_probe').compare_with_full_render({index}))")
        import json

        difference = json.loads(comparison)
        assert "shape" not in difference, f"frame and full render differ in size: {difference}"
        # The tolerance of tests/widgets/_pictures.py: antialiasing where a tick meets a spine.
        assert difference["differing"] < 50 and difference["max"] < 40, (
            f"the last frame is not a full render of the same state: {difference}"
        )
    except BaseException:
        with contextlib.suppress(Exception):
            lab_page.screenshot(screenshots / "08_race.png")
        page.close()  # the next test starts on a new page
        raise
    finally:
        lab_page.close()
        lab.shutdown_kernels()
