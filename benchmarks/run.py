"""`make bench`: every benchmark, one table each; then the explorers' latency measured in a browser.

The tables, in one run: bench_explorers (headless explorer frames), bench_fit (LinearClassifier.fit
against a plain assignment-style SGD loop, target <= 1.15), bench_landscape (a 201 x 201 slice against
the loss at each point) and bench_losses (loss + gradient against the two-GEMM floor, targets 1.10 in
float64 and 1.15 in float32). The machine may be shared: each table interleaves its rounds and keeps the
best, so the ratios (not the absolute times) are what repeat.

The browser part runs the notebook browser tests (tests/browser, JupyterLab
in headless Chromium), whose summary is the per-explorer table of issue 14:
slider step to new picture (median, worst) and a ten-step burst's settle
time. Without a browser (or Playwright, or JupyterLab) it says why and skips.
"""

import importlib
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))


def browser_missing():
    """Why the browser measurement cannot run here, or None."""
    sys.path.insert(0, str(REPO))
    try:
        import jupyterlab  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed (`make` installs it in .venv)"
    from tests.browser import _lab

    try:
        if _lab.find_chromium() is None:
            return _lab.HOW_TO_GET_ONE
    except FileNotFoundError as error:
        return str(error)
    return None


def browser_latency():
    print("== browser: per-explorer latency in JupyterLab (tests/browser/test_notebooks_in_browser.py) ==")
    reason = browser_missing()
    if reason:
        print(f"skipped: {reason}")
        return 0
    command = [sys.executable, "-m", "pytest", "-m", "browser", "-q", "-p", "no:cacheprovider"]
    command.append("tests/browser/test_notebooks_in_browser.py")
    sys.stdout.flush()
    return subprocess.call(command, cwd=REPO, env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})


def main():
    for path in sorted(HERE.glob("bench_*.py")):
        print(f"== {path.stem} ==")
        importlib.import_module(path.stem).main()
        print()
    sys.exit(browser_latency())


if __name__ == "__main__":
    main()
