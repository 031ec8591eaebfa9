"""Re-execute notebooks in place from a fresh kernel, keeping their outputs.

    python tools/execute_notebooks.py notebooks/*.ipynb

Each notebook runs with notebooks/ as its working folder, as in JupyterLab,
and the time it took is printed (the budget is 20 s a notebook). The kernels
save exercise checks to a throwaway progress file, not the developer's own.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

BUDGET_SECONDS = 20


def execute(path):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(notebook, path)
    return seconds


def main(paths):
    slow = []
    for path in map(Path, paths):
        seconds = execute(path)
        print(f"{path}: {seconds:5.1f} s")
        if seconds > BUDGET_SECONDS:
            slow.append(path)
    if slow:
        sys.exit(f"over the {BUDGET_SECONDS} s budget: {', '.join(map(str, slow))}")


if __name__ == "__main__":
    os.environ["LOSSOPT_PROGRESS_FILE"] = os.path.join(tempfile.mkdtemp(prefix="lossopt-progress-"), "progress.json")
    main(sys.argv[1:])
