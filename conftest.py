"""Test runs never touch the user's exercise progress: checks made by tests, nbval's kernels and the browser's
kernels (which inherit this environment) save to a throwaway file instead of ~/.local/share/lossopt."""

import os
import tempfile

# The browser tests' summary tables: a plugin, so that pytest-xdist's controller (which prints them) has it too.
pytest_plugins = ["tests.browser._report"]

os.environ.setdefault(
    "LOSSOPT_PROGRESS_FILE", os.path.join(tempfile.mkdtemp(prefix="lossopt-progress-"), "progress.json")
)
