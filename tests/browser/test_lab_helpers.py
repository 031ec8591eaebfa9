"""The browser tests' own machinery, without a browser: which Chromium, skip or fail, no process left behind."""

import os
import subprocess
import sys

import pytest

from tests.browser import _lab
from tests.browser._page import first_backwards
from tests.browser.conftest import missing


def test_the_environment_variable_names_the_browser(monkeypatch):
    monkeypatch.setenv(_lab.CHROMIUM_ENV, sys.executable)  # any executable will do
    assert _lab.find_chromium() == sys.executable


def test_an_environment_variable_naming_nothing_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv(_lab.CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    with pytest.raises(FileNotFoundError, match=_lab.CHROMIUM_ENV):
        _lab.find_chromium()


def test_no_browser_anywhere_is_none(tmp_path):
    # In a process of its own: Playwright's sync API refuses to start twice in one thread, and the
    # browser tests' session may already be running it here.
    env = {k: v for k, v in os.environ.items() if k != _lab.CHROMIUM_ENV}
    env.update(PATH=str(tmp_path), PLAYWRIGHT_BROWSERS_PATH=str(tmp_path))  # no chromium on PATH, none downloaded
    code = "from tests.browser import _lab; print(_lab.find_chromium())"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "None"


@pytest.mark.parametrize(("require", "outcome"), [("", pytest.skip.Exception), ("1", pytest.fail.Exception)])
def test_a_missing_browser_skips_unless_required(monkeypatch, require, outcome):
    monkeypatch.setenv(_lab.REQUIRE_ENV, require)
    with pytest.raises(outcome, match="apt-get install chromium"):
        missing(_lab.HOW_TO_GET_ONE)


@pytest.mark.skipif(not os.path.exists("/proc/self/environ"), reason="needs /proc")
def test_kill_marked_kills_this_runs_processes_only():
    def start(run_id):  # a process in a session of its own, like a kernel
        env = {**os.environ, _lab.MARKER: run_id}
        code = "import time; print('ready', flush=True); time.sleep(60)"
        process = subprocess.Popen(
            [sys.executable, "-c", code], env=env, start_new_session=True, stdout=subprocess.PIPE
        )
        # Popen returns when exec begins, before the kernel has set up the new environment:
        # /proc/<pid>/environ can still read empty (CI failed on that once). A line from the child
        # means its exec is complete.
        assert process.stdout.readline() == b"ready\n"
        return process

    ours, theirs = start("test-ours"), start("test-theirs")
    try:
        assert _lab.marked_processes("test-ours") == [ours.pid]
        assert _lab.kill_marked("test-ours") == [ours.pid]
        assert ours.wait(timeout=5) == -9
        assert theirs.poll() is None
    finally:
        for process in (ours, theirs):
            process.kill()
            process.wait()
            process.stdout.close()


@pytest.mark.parametrize(
    ("start", "end", "shown", "expected"),
    [
        (0, 10, [{2}, {5}, {10}], None),  # in order
        (0, 10, [{2}, None, {10}], None),  # a picture not from the burst is skipped
        (0, 10, [{5}, {3}, {10}], (5, [3])),  # an older value after a newer one
        (10, 0, [{8}, {9}], (8, [9])),  # going down: 9 is older than 8
        (0, 10, [{4}, {3, 6}, {10}], None),  # one picture for two values: the one that keeps the order
        (0, 10, [{4}, {1, 3}], (4, [1, 3])),
    ],
)
def test_a_burst_showing_an_older_value_after_a_newer_one_is_found(start, end, shown, expected):
    assert first_backwards(start, end, shown) == expected
