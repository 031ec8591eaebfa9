"""Fixtures for the browser tests: one JupyterLab server and one Chromium per session.

The server's root is a throwaway copy of ``notebooks/`` (under
``<tmp>/lab/notebooks``), so a run never touches the committed notebooks. The
copy's parent has no ``lossopt/`` folder: the setup cell then finds nothing to
add to ``sys.path`` and the kernel imports the package installed in .venv (an
editable install of this working tree). The setup cell's own path logic is
tested apart, in tests/test_notebook_setup_cell.py.

``LOSSOPT_REQUIRE_BROWSER=1`` (set by CI) turns "no browser" skips into failures.
"""

import atexit
import os
import secrets
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.browser import _lab
from tests.browser._report import LATENCY, SESSION, TIMINGS

REPO = Path(__file__).resolve().parents[2]
# Another folder of notebooks may be named, to try these tests on broken notebooks.
NOTEBOOKS = Path(os.environ.get("LOSSOPT_BROWSER_NOTEBOOKS", REPO / "notebooks"))
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def missing(reason):
    """Skip, or fail when ``$LOSSOPT_REQUIRE_BROWSER`` says the browser tests must run."""
    if os.environ.get(_lab.REQUIRE_ENV, "") not in ("", "0"):
        pytest.fail(f"{reason} ({_lab.REQUIRE_ENV} is set)", pytrace=False)
    pytest.skip(reason)


# The longest browser tests (each plays notebook 08's 61 controls or races its Play) go first: with
# `--dist load` each worker takes the next test when it is free, so both end on short tests, together.
LONGEST_FIRST = ("[08_linear_classifier_demo]", "test_voila_demo.py", "test_demo_race.py")


def pytest_collection_modifyitems(items):
    def longest(item):  # other tests (test_notebook_files' [08_linear_classifier_demo], say) keep their place
        return item.get_closest_marker("browser") and any(name in item.nodeid for name in LONGEST_FIRST)

    items.sort(key=lambda item: not longest(item))


@pytest.fixture(scope="session")
def run_id():
    """Tags every process of this run (see ``_lab.kill_marked``)."""
    return secrets.token_hex(8)


@pytest.fixture(scope="session")
def stop_on_sigterm():
    """Turn SIGTERM (a CI timeout) into KeyboardInterrupt, so the teardowns below still run."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) not in (
        signal.SIG_DFL,
        None,
    ):
        yield
        return

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt("SIGTERM")

    signal.signal(signal.SIGTERM, interrupt)
    yield
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.fixture(scope="session")
def chromium_executable(stop_on_sigterm):
    """The browser to drive; skips (or fails under CI) before anything is started."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("Playwright is not installed: `.venv/bin/pip install playwright`")
    try:
        executable = _lab.find_chromium()
    except FileNotFoundError as error:
        pytest.fail(str(error), pytrace=False)
    if executable is None:
        missing(_lab.HOW_TO_GET_ONE)
    return executable


@pytest.fixture(scope="session")
def lab(chromium_executable, run_id, tmp_path_factory, pytestconfig):
    """A running JupyterLab whose root holds a copy of the notebooks; stopped at the end."""
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        missing("JupyterLab is not installed: `.venv/bin/pip install -e '.[lab]'`")
    base = tmp_path_factory.mktemp("browser")
    root = base / "lab"
    shutil.copytree(NOTEBOOKS, root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    server = _lab.LabServer(root, base / "home", f"{run_id}-lab")
    atexit.register(server.stop)
    session = pytestconfig.stash[SESSION]
    started = time.perf_counter()
    try:
        server.start()
        session["lab"] = f"{server.url}, root {root}"
        yield server
    finally:
        session["killed"] = session.get("killed", []) + server.stop()
        atexit.unregister(server.stop)
        session["server seconds"] = [time.perf_counter() - started]
    assert not _lab.marked_processes(server.run_id), "JupyterLab processes survived the teardown"


@pytest.fixture(scope="session")
def chromium(lab, chromium_executable, run_id, pytestconfig):
    """A headless Chromium driven by Playwright; closed before the server stops, even after failures."""
    from playwright.sync_api import sync_playwright

    marker = f"{run_id}-chromium"
    playwright = sync_playwright().start()
    atexit.register(playwright.stop)  # also when the session is interrupted
    try:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable,
            headless=True,
            args=_lab.CHROMIUM_ARGS,
            env={**os.environ, _lab.MARKER: marker},
        )
        pytestconfig.stash[SESSION]["chromium"] = f"{chromium_executable} ({browser.version})"
        yield browser
        browser.close()
    finally:
        playwright.stop()
        atexit.unregister(playwright.stop)
        session = pytestconfig.stash[SESSION]
        session["killed"] = session.get("killed", []) + _lab.kill_marked(marker)
    assert not _lab.marked_processes(marker), "Chromium processes survived the teardown"


@pytest.fixture(scope="session")
def browser_context(chromium):
    """One browser context for all pages of the session: after the first page, JupyterLab's scripts come
    from its cache, already compiled (about a CPU-second less per page on a 2-core machine)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture(scope="session")
def lab_tabs(browser_context):
    """The JupyterLab pages of the session (see ``lab_tab``); closed at the end."""
    pages = []
    yield pages
    for page in pages:
        if not page.is_closed():
            page.close()


@pytest.fixture
def lab_tab(lab_tabs, browser_context):
    """The page for a notebook test: the one the last test left, Lab running in it, so that Lab starts
    once per session, not once per notebook (9 CPU-seconds less over the 10 tests, measured). A test
    that fails closes it, and the next test gets a new page."""
    if not lab_tabs or lab_tabs[-1].is_closed():
        page = browser_context.new_page()
        page.set_default_timeout(30_000)
        lab_tabs.append(page)
    return lab_tabs[-1]


@pytest.fixture
def timings(request):
    """What a notebook test measured, for the summary table: slider-to-image ms, controls, seconds."""
    record = {"ms": [], "controls": 0, "disabled": [], "unplayed": 0, "seconds": 0.0}
    yield record
    name = request.node.callspec.id if hasattr(request.node, "callspec") else request.node.name
    request.config.stash[TIMINGS][name] = record


@pytest.fixture
def latency(request):
    """The per-explorer latency table of the run (filled by the notebook tests, printed at the end)."""
    return request.config.stash[LATENCY]


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
