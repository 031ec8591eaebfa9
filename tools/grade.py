"""Grade a submitted notebook: run it in a fresh kernel, then check every exercise it holds.

    python tools/grade.py submission.ipynb [--timeout 120] [--json report.json]

The notebook runs top to bottom with nbclient (each cell stopped after ``--timeout`` seconds; errors are
recorded, the run goes on). Then one more cell calls ``lossopt.exercises.check`` (and ``check_gradient`` for the
exercises that return a gradient) on the student's functions as the kernel holds them, so a deleted or edited
check cell changes nothing. The report, per exercise passed / failed / not attempted yet with every diagnosis,
is printed as a table and written as JSON. The kernel saves no progress in anyone's data folder.
"""

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

MARKER = "LOSSOPT-GRADE-REPORT "
CHECKED = re.compile(r"exercises\.check(?:_gradient)?\(\s*[\"'](\w+)[\"']")

GRADING_CELL = """
import json as _json
from lossopt import exercises as _exercises

_report = []
for _name in {names!r}:
    _fn = globals().get(_name)
    for _what, _check in (("check", _exercises.check), ("gradient check", _exercises.check_gradient)):
        if _what == "gradient check" and _name not in _exercises._GRADIENTS:
            continue
        if _fn is None:
            _report.append(dict(exercise=_name, check=_what, state="missing",
                                message=f"{{_name}} is not defined in the notebook", diagnoses=[]))
            continue
        _result = _check(_name, _fn, time_limit={limit})
        _report.append(dict(exercise=_name, check=_what, state=_result.state, message=_result.message,
                            diagnoses=_result.diagnoses, seconds=round(_result.seconds, 3)))
print({marker!r} + _json.dumps(_report))
"""


def exercises_in(notebook):
    """The exercises a notebook checks, in order of appearance (from its check cells)."""
    names = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            names += [name for name in CHECKED.findall(cell.source) if name not in names]
    return names


def grade(path, timeout=120):
    """Run the notebook at ``path`` in a fresh kernel and check its exercises; return the report (a dict)."""
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    names = exercises_in(notebook)
    limit = min(10.0, timeout)  # a call of the student's function; the grading cell has time for all its checks
    grading = nbformat.v4.new_code_cell(GRADING_CELL.format(names=names, marker=MARKER, limit=limit))
    notebook.cells.append(grading)
    with tempfile.TemporaryDirectory() as scratch:
        environment = {"LOSSOPT_PROGRESS_FILE": str(Path(scratch) / "progress.json"), "MPLBACKEND": "Agg"}
        saved = {key: os.environ.get(key) for key in environment}
        os.environ.update(environment)  # the kernel inherits them
        seconds_for = lambda cell: 60 + 20 * limit * len(names) if cell is grading else timeout  # noqa: E731
        client = NotebookClient(notebook, timeout=timeout, timeout_func=seconds_for, kernel_name="python3",
                                allow_errors=True, interrupt_on_timeout=True,
                                resources={"metadata": {"path": str(path.parent)}})  # fmt: skip
        start = time.perf_counter()
        try:
            client.execute()
        finally:
            for key, value in saved.items():  # the grader's own environment, as it was
                if value is None:
                    del os.environ[key]
                else:
                    os.environ[key] = value
    seconds = time.perf_counter() - start
    errors = [
        {"cell": index, "error": f"{output.ename}: {output.evalue}"[:300]}
        for index, cell in enumerate(notebook.cells[:-1])
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    text = "".join(o.get("text", "") for o in notebook.cells[-1].get("outputs", []) if o.output_type == "stream")
    found = [line[len(MARKER) :] for line in text.splitlines() if line.startswith(MARKER)]
    results = json.loads(found[-1]) if found else []
    if not found:
        errors.append({"cell": len(notebook.cells) - 1, "error": "the grading cell did not run to its end"})
    passed = sum(r["state"] == "passed" for r in results)
    return {"notebook": str(path), "seconds": round(seconds, 1), "passed": passed, "checks": len(results),
            "results": results, "cell_errors": errors}  # fmt: skip


def table(report):
    """The report as a plain-text table, one line per check, each diagnosis below its line."""
    lines = [f"{report['notebook']}: {report['passed']} of {report['checks']} checks passed ({report['seconds']} s)"]
    width = max([len(f"{r['exercise']} ({r['check']})") for r in report["results"]] + [8])
    lines.append(f"{'exercise':<{width}}  state")
    for r in report["results"]:
        lines.append(f"{r['exercise'] + ' (' + r['check'] + ')':<{width}}  {r['state']}")
        lines += [
            f"{'':<{width}}    {d}" for d in (r["diagnoses"] or ([r["message"]] if r["state"] != "passed" else []))
        ]
    lines += [f"cell {e['cell']} raised {e['error']}" for e in report["cell_errors"]]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", help="the submitted notebook (.ipynb)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds a cell may run (default 120)")
    parser.add_argument("--json", help="write the report here as JSON (default: NOTEBOOK.grade.json beside it)")
    args = parser.parse_args(argv)
    report = grade(args.notebook, args.timeout)
    out = Path(args.json or Path(args.notebook).with_suffix(".grade.json"))
    out.write_text(json.dumps(report, indent=1))
    print(table(report))
    print(f"JSON report: {out}")


if __name__ == "__main__":
    sys.exit(main())
