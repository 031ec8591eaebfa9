"""The demo as an app (issue 13): ``make demo``'s Voila page of notebook 08, opened in Chromium and played with.

Voila is started on a free port on a throwaway copy of the notebooks, with the
sources stripped, as ``make demo`` does. The test waits for the explorers'
pictures, then presses every control (sliders by keyboard, dropdowns, number
boxes, buttons, Play) and requires that each one brings a new picture. It
fails on any error: shown in the page (a cell error, a widget that failed to
render), published by the kernel (an ``error`` or ``stderr`` message on the
kernel websocket), logged by Voila or its kernel (a traceback), or thrown by
the page's JavaScript. Voila is stopped at the end and no process of it may
be left.
"""

import collections
import contextlib
import json
import re
import shutil
import time

import pytest

from tests.browser import _lab
from tests.browser._page import BENIGN_STDERR, HELPERS, NotebookPage
from tests.browser._report import SESSION
from tests.browser.conftest import NOTEBOOKS

pytestmark = pytest.mark.browser

NOTEBOOK = "08_linear_classifier_demo.ipynb"
# Voila replaces a failed cell's output with this sentence (tracebacks are hidden by default).
VOILA_CELL_ERROR = re.compile(r"There was an error when executing cell|Traceback \(most recent call last\)")


def kernel_messages(payload):
    """The Jupyter messages in one websocket frame: JSON text, or the binary v1 protocol."""
    if isinstance(payload, str):
        with contextlib.suppress(ValueError):
            return [json.loads(payload)]
        return []
    from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1

    with contextlib.suppress(Exception):
        _channel, parts = deserialize_msg_from_ws_v1(payload)
        return [{"header": json.loads(parts[0]), "content": json.loads(parts[3])}]
    return []


class VoilaPage(NotebookPage):
    """The Voila page: the same controls and pictures, no JupyterLab around them."""

    OUTPUTS = ".jp-OutputArea-output"

    def __init__(self, page, server, timeout=120_000):
        super().__init__(page, server, NOTEBOOK, timeout)
        self.kernel_errors = []
        benign = re.compile(BENIGN_STDERR)
        self.messages, self.kernel_state, self.last_message = 0, None, time.monotonic()

        def on_frame(payload):
            for msg in kernel_messages(payload):
                self.messages += 1
                self.last_message = time.monotonic()
                kind, content = msg.get("header", {}).get("msg_type"), msg.get("content", {})
                if kind == "status":
                    self.kernel_state = content.get("execution_state")
                elif kind == "error":
                    self.kernel_errors.append("\n".join(content.get("traceback", []))[-2000:])
                elif kind == "stream" and content.get("name") == "stderr":
                    lines = content.get("text", "").splitlines()
                    text = "\n".join(ln for ln in lines if ln.strip() and not benign.match(ln))
                    if text:
                        self.kernel_errors.append("stderr: " + text[-2000:])

        page.on("websocket", lambda ws: ws.on("framereceived", on_frame))

    def open(self):
        self.page.goto(f"{self.server.url}/", timeout=self.timeout, wait_until="domcontentloaded")
        self.page.evaluate(HELPERS)
        self.page.evaluate("() => __lossopt.watch()")

    def change(self, kind, element, step=0):
        """As in JupyterLab, then until the kernel said it is idle (its status messages on the websocket)."""
        result = super().change(kind, element, step)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.kernel_state == "idle" and time.monotonic() - self.last_message > 0.2:
                break
            self.page.wait_for_timeout(20)  # lets Playwright deliver the websocket frames
        return result

    def errors(self):
        found = [f"in the page: {text}" for text in self.page.evaluate("() => __lossopt.pageErrors()")]
        body = self.page.evaluate("() => document.body.innerText")
        found += [f"in the page: {m.group(0)}" for m in VOILA_CELL_ERROR.finditer(body)]
        found += [f"from the kernel: {text}" for text in self.kernel_errors]
        log = self.server.log_text(self.log_start)
        found += [f"in Voila's log: {block[-2000:]}" for block in log.split("\n[") if "Traceback" in block]
        found += [f"JavaScript: {text}" for text in self.js_errors]
        return found


def test_the_demo_app_runs_and_every_control_redraws(browser_context, run_id, tmp_path, screenshots, pytestconfig):
    import nbformat

    from tests.browser.test_notebooks_in_browser import saved_explorers

    try:
        import voila  # noqa: F401
    except ImportError:
        pytest.skip("Voila is not installed: `.venv/bin/pip install -e '.[lab]'`")
    root = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    server = _lab.VoilaServer(root, NOTEBOOK, tmp_path / "home", f"{run_id}-voila")
    page = None
    done = 0
    try:
        server.start()
        page = browser_context.new_page()
        page.set_default_timeout(30_000)
        app = VoilaPage(page, server)
        app.open()
        app.wait_widgets(saved_explorers(nbformat.read(root / NOTEBOOK, as_version=4)))
        app.wait_quiet(500)
        code = page.query_selector_all(".jp-CodeCell .jp-InputArea-editor, .jp-CodeCell .highlight")
        assert not code, f"{len(code)} code cells show their code (not stripped)"
        assert not app.errors(), "errors after loading:\n" + "\n".join(app.errors())

        failures = []
        for kind, element in app.controls():
            if app.unavailable(element):
                continue
            label = app.label(element)
            before = collections.Counter(app.errors())
            result = app.change(kind, element)
            done += 1
            new = list((collections.Counter(app.errors()) - before).elements())
            if new:
                failures.append(f"{kind} {label!r} raised:\n" + "\n".join(new))
                break
            if not result["image"]:
                before, after = result["value"]
                failures.append(f"{kind} {label!r}: no new picture (its value went {before} -> {after})")
        assert done >= 10, f"only {done} controls found on the page"
        assert app.messages > 0, "no kernel message seen on the websocket: is the error listener blind?"
        assert not failures, "\n".join(failures)
        assert not app.errors(), "\n".join(app.errors())
    except BaseException:
        if page is not None:
            with contextlib.suppress(Exception):
                page.screenshot(path=str(screenshots / "08_voila.png"), full_page=True)
        raise
    finally:
        if page is not None:
            page.close()
        killed = server.stop()
        pytestconfig.stash[SESSION]["voila"] = (
            f"Voila app (notebook 08): {done} controls pressed; processes killed after stopping: {killed or 'none'}"
        )
    assert not _lab.marked_processes(server.run_id), "Voila processes survived the teardown"
