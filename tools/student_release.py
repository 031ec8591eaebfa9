"""Write student copies of the notebooks: every hidden solution removed, everything else kept.

    python tools/student_release.py notebooks/*.ipynb --out build/student

A solution is a ``<details><summary>Click to see a solution (NAME)</summary> ... </details>`` block in a
markdown cell (the form tests/test_notebook_solutions.py proves); it goes, and a markdown cell left empty goes
with it. The answers to the lecture's questions (other ``<details>`` blocks), the stubs, the check cells and the
saved outputs (which show "not attempted yet") stay. The copies go to ``--out``; the originals are not touched.
"""

import argparse
import re
import sys
from pathlib import Path

import nbformat

SOLUTION = re.compile(
    r"<details>\s*<summary>\s*Click to see a solution \((?P<name>\w+)\)\s*</summary>(?P<body>.*?)</details>", re.DOTALL
)


def strip_solutions(notebook):
    """Remove the hidden solutions from a notebook (in place); return the names of the exercises removed."""
    removed, cells = [], []
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and SOLUTION.search(cell.source):
            removed += [match["name"] for match in SOLUTION.finditer(cell.source)]
            cell.source = re.sub(r"\n{3,}", "\n\n", SOLUTION.sub("", cell.source)).strip()
            if not cell.source:
                continue  # the cell held only the solution
        cells.append(cell)
    notebook.cells = cells
    return removed


def release(paths, out):
    """Write the student copy of each notebook into the folder ``out``; return {notebook name: exercises removed}."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    report = {}
    for path in map(Path, paths):
        notebook = nbformat.read(path, as_version=4)
        report[path.name] = strip_solutions(notebook)
        if "Click to see a solution" in nbformat.writes(notebook):  # a block the pattern did not match
            raise ValueError(f"{path}: a solution block is not in the expected form; nothing was written for it")
        nbformat.write(notebook, out / path.name)
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", help="the notebooks (.ipynb) to copy")
    parser.add_argument("--out", default="build/student", help="folder for the copies (default build/student)")
    args = parser.parse_args(argv)
    for name, removed in release(args.notebooks, args.out).items():
        print(f"{args.out}/{name}: {len(removed)} solution(s) removed{': ' + ', '.join(removed) if removed else ''}")


if __name__ == "__main__":
    sys.exit(main())
