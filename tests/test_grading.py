"""The instructors' tools: tools/student_release.py removes the hidden solutions, tools/grade.py grades a notebook.

Both are tried on small notebooks built here in the notebooks' form (stub, check cell, gradient-check cell,
hidden solution, a question with its folded answer): one solved, one unsolved, one with a wrong answer and one
with an infinite loop.
"""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests import test_notebook_solutions

ROOT = Path(__file__).resolve().parents[1]


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


release, grade = _tool("student_release"), _tool("grade")

STUB = '''def l2_regularization(W, reg):
    """L2 penalty and its gradient."""
    # YOUR CODE HERE
    raise NotImplementedError
'''
SOLUTION = """def l2_regularization(W, reg):
    return reg * np.sum(W * W), 2 * reg * W
"""
PREDICT_STUB = "def predict(W, X):\n    raise NotImplementedError\n"
PREDICT = "def predict(W, X):\n    return np.argmax(X @ W, axis=1)\n"
QUESTION = "**Question 1.** What is the loss at W = 0?\n\n<details><summary>Answer</summary>\n\nC - 1.\n\n</details>"


def _notebook(path, l2_code=STUB, predict_code=PREDICT_STUB):
    """A notebook in the course's form with two exercises; ``*_code`` is what the student's cells hold."""
    solution = test_notebook_solutions.SOLUTION_MARKDOWN
    cells = [
        nbformat.v4.new_code_cell("import numpy as np\nimport lossopt as lo"),
        nbformat.v4.new_markdown_cell(QUESTION),
        nbformat.v4.new_code_cell(l2_code),
        nbformat.v4.new_code_cell('lo.exercises.check("l2_regularization", l2_regularization)'),
        nbformat.v4.new_code_cell('lo.exercises.check_gradient("l2_regularization", l2_regularization)'),
        nbformat.v4.new_markdown_cell("Some text.\n\n" + solution.format(name="l2_regularization", code=SOLUTION)),
        nbformat.v4.new_code_cell(predict_code),
        nbformat.v4.new_code_cell('lo.exercises.check("predict", predict)'),
        nbformat.v4.new_markdown_cell(solution.format(name="predict", code=PREDICT)),
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_the_release_removes_every_hidden_solution_and_keeps_the_rest(tmp_path):
    source = _notebook(tmp_path / "02_demo.ipynb")
    report = release.release([source], tmp_path / "student")
    assert report == {"02_demo.ipynb": ["l2_regularization", "predict"]}
    original, copy = nbformat.read(source, as_version=4), nbformat.read(tmp_path / "student" / "02_demo.ipynb", 4)
    text = nbformat.writes(copy)
    assert "Click to see a solution" not in text and "2 * reg * W" not in text and "argmax" not in text
    assert "<summary>Answer</summary>" in text and "C - 1." in text  # the answers to questions stay
    assert [c.source for c in copy.cells if c.cell_type == "code"] == [
        c.source for c in original.cells if c.cell_type == "code"
    ]
    assert len(copy.cells) == len(original.cells) - 1  # the cell that held only a solution went
    assert "Some text." in text
    assert "Click to see a solution" in nbformat.writes(original)  # the original is untouched


def test_the_release_uses_the_same_pattern_as_the_proof_of_the_solutions():
    assert release.SOLUTION.pattern == test_notebook_solutions.SOLUTION.pattern


def test_the_release_refuses_a_solution_block_it_cannot_read(tmp_path):
    path = tmp_path / "01_odd.ipynb"
    cell = nbformat.v4.new_markdown_cell("<details><summary>Click to see a solution (x y)</summary>...</details>")
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    with pytest.raises(ValueError, match="not in the expected form"):
        release.release([path], tmp_path / "student")


def test_the_release_of_the_real_notebooks_removes_every_solution(tmp_path):
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    report = release.release(notebooks, tmp_path)
    removed = sorted(name for names in report.values() for name in names)
    expected = sorted(n for n, cells in test_notebook_solutions.ALL.items() for _ in cells.get("solutions", []))
    assert removed == expected and len(removed) >= 9
    for path in tmp_path.glob("*.ipynb"):
        assert "Click to see a solution" not in path.read_text()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The grades of a solved, an unsolved and a wrong notebook (one kernel each)."""
    folder = tmp_path_factory.mktemp("submissions")
    wrong = SOLUTION.replace("2 * reg * W", "reg * W")
    notebooks = {
        "solved": _notebook(folder / "solved.ipynb", SOLUTION, PREDICT),
        "unsolved": _notebook(folder / "unsolved.ipynb"),
        "wrong": _notebook(folder / "wrong.ipynb", wrong, PREDICT.replace("axis=1", "axis=0")),
    }
    return {key: grade.grade(path, timeout=60) for key, path in notebooks.items()}


def _states(report):
    return {(r["exercise"], r["check"]): r["state"] for r in report["results"]}


def test_a_solved_notebook_passes_every_check(graded):
    report = graded["solved"]
    assert _states(report) == {
        ("l2_regularization", "check"): "passed",
        ("l2_regularization", "gradient check"): "passed",
        ("predict", "check"): "passed",
    }
    assert report["passed"] == report["checks"] == 3 and report["cell_errors"] == []


def test_an_unsolved_notebook_is_not_attempted_yet(graded):
    assert set(_states(graded["unsolved"]).values()) == {"not attempted yet"}
    assert graded["unsolved"]["passed"] == 0 and graded["unsolved"]["cell_errors"] == []


def test_a_wrong_answer_fails_with_its_diagnosis_in_the_json_and_the_table(graded):
    report = graded["wrong"]
    states = _states(report)
    assert states[("l2_regularization", "check")] == "failed" and states[("predict", "check")] == "failed"
    diagnoses = " ".join(d for r in report["results"] for d in r["diagnoses"])
    assert "dR is reg * W; the gradient of reg * sum(W**2) is 2 * reg * W" in diagnoses
    assert "argmax over axis 0" in diagnoses
    text = grade.table(report)
    assert text.splitlines()[0].endswith(f"0 of 3 checks passed ({report['seconds']} s)")
    assert "argmax over axis 0" in text and re.search(r"predict \(check\)\s+failed", text)
    assert json.loads(json.dumps(report)) == report


def test_grading_stops_an_infinite_loop_and_reports_the_rest(tmp_path):
    looping = "def predict(W, X):\n    while True:\n        pass\n"
    path = _notebook(tmp_path / "loop.ipynb", SOLUTION, looping)
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(7, nbformat.v4.new_code_cell("predict(np.ones((2, 2)), np.ones((2, 2)))"))  # hangs on its own
    nbformat.write(nb, path)
    report = grade.grade(path, timeout=3)
    states = _states(report)
    assert states[("l2_regularization", "check")] == "passed"
    assert states[("predict", "check")] == "failed"
    assert any("did not return in" in r["message"] for r in report["results"])
    assert any("cell 7" in f"cell {e['cell']}" for e in report["cell_errors"])  # the cell stopped at the timeout


def test_the_command_line_writes_the_json_and_prints_the_table(tmp_path):
    path = _notebook(tmp_path / "solved.ipynb", SOLUTION, PREDICT)
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "grade.py"), str(path)], capture_output=True,
                         text=True, check=True, timeout=120)  # fmt: skip
    assert "3 of 3 checks passed" in out.stdout
    report = json.loads((tmp_path / "solved.grade.json").read_text())
    assert report["passed"] == 3
    student = subprocess.run([sys.executable, str(ROOT / "tools" / "student_release.py"), str(path), "--out",
                              str(tmp_path / "s")], capture_output=True, text=True, check=True)  # fmt: skip
    assert "2 solution(s) removed: l2_regularization, predict" in student.stdout
