"""Every notebook as a student meets it: opened in JupyterLab, run, and played with, in Chromium.

nbval runs the kernel without a browser, so it cannot see a widget that does
not render, a picture that does not redraw, or a callback that raises. Here,
for each notebook: Run > Run All Cells, wait for every cell, fail on any error
the page shows or the kernel publishes; then change every slider (keyboard),
dropdown, toggle, checkbox, button and Play, and require that the picture or
the text it drives changes, without an error. Slider-to-image times go to the
summary table at the end of the run; the screenshot of a notebook that fails goes to
tests/browser/screenshots/.

Per explorer (issue 14), the kernel is instrumented (tests/browser/_kernel_probe.py)
so that each picture that reaches the page is known by the control values it
was drawn for. Each slider step is timed from the key press to the load of the
explorer's new picture; then a ten-step burst on the explorer's first slider
must end on the last value and never show an older value after a newer one
(asserted), and its settle time (last key press to the last value's picture
loaded) goes to the table. JupyterLab runs with its comms-over-subshells setting
as shipped; the summary says which it is.
"""

import collections
import contextlib
import time

import nbformat
import pytest

from tests.browser._page import SELECTORS, NotebookPage
from tests.browser.conftest import NOTEBOOKS

pytestmark = pytest.mark.browser

PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SLIDER_STEPS = 5  # key presses per slider: small and page steps, alternating


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
    """Change one control (a slider several times); return what went wrong, or None.

    ``times``: (picture index, is a slider) -> list of change to new picture milliseconds.
    """
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
        if kind != "play" and result["ms"] is not None:
            times.setdefault((result["picture"], kind == "slider"), []).append(result["ms"])
    return None


def explorer_names(stem, explorers):
    """Picture index -> a row name for the latency table: "03 SoftmaxScaleExplorer #2"."""
    names, seen = {}, collections.Counter()
    for picture, (cls, _) in sorted(explorers.items()):
        seen[cls] += 1
        names[picture] = f"{stem[:2]} {cls}" + (f" #{seen[cls]}" if seen[cls] > 1 else "")
    return names


def burst_each_explorer(lab_page, explorers, names, latency):
    """A ten-step burst on each explorer's first available slider; return what went wrong."""
    failures = []
    for picture, (_, index) in sorted(explorers.items()):
        handles = [
            h
            for h in lab_page.page.query_selector_all(f".jp-NotebookPanel .jp-OutputArea-output {SELECTORS['slider']}")
            if h.evaluate("e => __lossopt.pictureOf(e)") == picture and not lab_page.unavailable(h)
        ]
        if not handles:
            continue
        result = lab_page.burst(handles[0], index)
        latency[names[picture]]["burst"] = result
        where = f"{names[picture]}, burst on {result['control']!r}"
        if result["backwards"]:
            was, then = result["backwards"]
            failures.append(f"{where}: showed {then} after {was} (an older value after a newer one): {result['shown']}")
        elif not result["ends_on_final"] or result["settle_ms"] is None:
            failures.append(f"{where}: never showed the last value {result['final']}: {result['shown']}")
    return failures


@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
def test_notebook_runs_and_every_control_redraws(path, lab, lab_tab, timings, latency, screenshots):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    started = time.perf_counter()
    # The copy Lab serves (taken at the start of the run): the working tree's may have changed since.
    notebook = nbformat.read(lab.root / "notebooks" / path.name, as_version=4)
    page = lab_tab
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
        latency.subshells = lab_page.subshells()
        lab_page.attach_probe()
        explorers = lab_page.explorers()
        names = explorer_names(path.stem, explorers)
        for name in names.values():
            latency[name] = {"ms": [], "other": [], "burst": None}
        steps = {}

        failures, unavailable = [], []
        controls = lab_page.controls()
        for kind, element in controls:
            if lab_page.unavailable(element):
                unavailable.append((kind, element))
                continue
            failure = play_with(lab_page, kind, element, steps)
            if failure:
                failures.append(failure)
                if "raised" in failure.splitlines()[0]:  # what follows would only repeat the error
                    break
        # A control that was disabled or hidden may have been made available by another one since.
        for kind, element in [] if failures else unavailable:
            if lab_page.unavailable(element):
                timings["disabled"].append(f"{kind} {lab_page.label(element)!r}")
            elif failure := play_with(lab_page, kind, element, steps):
                failures.append(failure)
        for (picture, is_slider), ms in steps.items():
            if is_slider:
                timings["ms"] += ms
            if picture in names:
                latency[names[picture]]["ms" if is_slider else "other"] += ms
        if not failures:
            failures += burst_each_explorer(lab_page, explorers, names, latency)
        buffered = lab_page.page.evaluate("() => __lossopt.buffered")
        if buffered:
            failures.append(f"{len(buffered)} widget messages carried binary buffers, e.g. {buffered[:3]}")
        timings["controls"] = len(controls)
        timings["unplayed"] = lab_page.unplayed()
        assert not failures, f"{path.name}:\n" + "\n".join(failures)
    except BaseException:
        with contextlib.suppress(Exception):  # a failed screenshot must not hide the real failure
            lab_page.screenshot(screenshots / f"{path.stem}.png")
        page.close()  # the next test starts on a new page
        raise
    finally:
        lab_page.close()
        lab.shutdown_kernels()
        timings["seconds"] = time.perf_counter() - started
