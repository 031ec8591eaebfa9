"""Every notebook as a student meets it: opened in JupyterLab, run, and played with, in Chromium.

nbval runs the kernel without a browser, so it cannot see a widget that does
not render, a picture that does not redraw, or a callback that raises. Here,
for each notebook: Run > Run All Cells, wait for every cell, fail on any error
the page shows or the kernel publishes; then change every slider (keyboard),
dropdown, toggle, checkbox, button and Play, and require that the picture or
the text it drives changes, without an error. Slider-to-image times go to the
summary table at the end of the run; a screenshot of each notebook goes to
tests/browser/screenshots/.
"""

import collections
import contextlib
import time

import nbformat
import pytest

from tests.browser._page import NotebookPage
from tests.browser.conftest import NOTEBOOKS

pytestmark = pytest.mark.browser

PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SLIDER_STEPS = 3  # key presses per slider: small step, page step, small step


def code_cells_to_run(notebook):
    """Indices of the code cells Lab gives an execution count to (it skips empty ones)."""
    return [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code" and cell.source.strip()]


def saved_explorers(notebook):
    """How many explorers the committed outputs show: the page must show at least as many pictures.

    An explorer's output carries its picture as image/png beside the widget
    view; other widget outputs (tqdm's progress bars, closed when done) do not.
    """
    return sum(
        WIDGET_VIEW in output.get("data", {}) and "image/png" in output.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


def play_with(lab_page, kind, element, times):
    """Change one control (a slider several times); return what went wrong, or None."""
    label = lab_page.label(element)
    for step in range(SLIDER_STEPS if kind == "slider" else 1):
        seen = collections.Counter(lab_page.errors())
        result = lab_page.change(kind, element, step)
        new = list((collections.Counter(lab_page.errors()) - seen).elements())
        if new:
            return "\n".join([f"{kind} {label!r} (change {step + 1}) raised:", *new])
        if not result["changed"]:
            before, after = result["value"]
            moved = f"its value went {before} -> {after}" if before != after else "its value did not move"
            return f"{kind} {label!r} (change {step + 1}): {moved}, and the picture and text it drives did not change"
        if kind == "slider" and result["ms"] is not None:
            times.append(result["ms"])
    return None


@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
def test_notebook_runs_and_every_control_redraws(path, lab, chromium, timings, screenshots):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    started = time.perf_counter()
    notebook = nbformat.read(path, as_version=4)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    lab_page = NotebookPage(page, lab, path.name)
    try:
        lab_page.open(workspace=path.stem)
        must_run = code_cells_to_run(notebook)
        try:
            not_run = lab_page.run_all(must_run)
        except PlaywrightTimeout:
            not_run = "timed out; prompts: " + repr(lab_page.prompts())
        errors = lab_page.errors()
        assert not errors, "errors after Run All:\n" + "\n".join(errors)
        assert not not_run, f"cells that did not run (0-based): {not_run}"
        lab_page.wait_widgets(saved_explorers(notebook))

        failures, unavailable = [], []
        controls = lab_page.controls()
        for kind, element in controls:
            if lab_page.unavailable(element):
                unavailable.append((kind, element))
                continue
            failure = play_with(lab_page, kind, element, timings["ms"])
            if failure:
                failures.append(failure)
                if "raised" in failure.splitlines()[0]:  # what follows would only repeat the error
                    break
        # A control that was disabled or hidden may have been made available by another one since.
        for kind, element in [] if failures else unavailable:
            if lab_page.unavailable(element):
                timings["disabled"].append(f"{kind} {lab_page.label(element)!r}")
            elif failure := play_with(lab_page, kind, element, timings["ms"]):
                failures.append(failure)
        timings["controls"] = len(controls)
        timings["unplayed"] = lab_page.unplayed()
        assert not failures, f"{path.name}:\n" + "\n".join(failures)
    finally:
        with contextlib.suppress(Exception):  # a failed screenshot must not hide the real failure
            lab_page.screenshot(screenshots / f"{path.stem}.png")
        context.close()
        lab.shutdown_kernels()
        timings["seconds"] = time.perf_counter() - started
