"""CI proof of the exercises: every notebook solution passes its checker, and every exercise has its cells.

An exercise in a notebook is these cells, in this order (team CONVENTIONS):

1. a code cell with the stub ``def NAME(...): ... raise NotImplementedError``;
2. a code cell ``lo.exercises.check("NAME", NAME)``, saved showing "not attempted yet";
3. for an exercise that returns a gradient, a code cell ``lo.exercises.check_gradient("NAME", NAME)`` after the
   stub, saved showing "not attempted yet";
4. a markdown cell with the solution hidden in
   ``<details><summary>Click to see a solution (NAME)</summary> ```python ... ``` </details>``.

The solution is executed in a namespace that holds only ``np`` and ``lo`` and run through
``lossopt.exercises.check`` (and ``check_gradient``), so a solution and its checkers can never drift apart.
"""

import ast
import linecache
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import lossopt
from lossopt import exercises

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

SOLUTION = re.compile(
    r"<details>\s*<summary>\s*Click to see a solution \((?P<name>\w+)\)\s*</summary>(?P<body>.*?)</details>", re.DOTALL
)
PYTHON_BLOCK = re.compile(r"```python[ \t]*\n(?P<code>.*?)```", re.DOTALL)


def _output_text(cell):
    """Everything a code cell's saved outputs show, as text."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", "") if isinstance(output.get("text", ""), str) else "".join(output["text"]))
        for key in ("text/plain", "text/html"):
            value = output.get("data", {}).get(key, "")
            parts.append(value if isinstance(value, str) else "".join(value))
        if output.get("output_type") == "error":
            parts.append(f"ERROR {output.get('ename')}: {output.get('evalue')}")
    return "\n".join(parts)


def _is_raise_not_implemented(node):
    if not isinstance(node, ast.Raise) or node.exc is None:
        return False
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def _parse(source):
    try:
        return ast.parse(source)
    except SyntaxError:  # IPython magics: neither a stub nor a check cell
        return None


def _stub_names(source):
    """Top-level functions of a code cell whose whole body (after the docstring) is raise NotImplementedError."""
    tree = _parse(source)
    found = []
    for node in tree.body if tree else []:
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            if len(body) == 1 and _is_raise_not_implemented(body[0]):
                found.append(node.name)
    return found


def _check_names(source, function="check"):
    """Exercises checked by a top-level expression ``lo.exercises.check("NAME", NAME)`` in a code cell."""
    tree = _parse(source)
    found = []
    for node in tree.body if tree else []:
        call = node.value if isinstance(node, ast.Expr) else None
        if (
            isinstance(call, ast.Call)
            and ast.unparse(call.func).endswith(f"exercises.{function}")
            and len(call.args) == 2
            and isinstance(call.args[0], ast.Constant)
            and isinstance(call.args[1], ast.Name)
            and call.args[1].id == call.args[0].value
        ):
            found.append(call.args[0].value)
    return found


def collect(paths):
    """Exercise cells by name: {name: {"solutions"|"stubs"|"checks": [(notebook, cell index, text)]}}.

    A solution's text is its python block (None if the details block has none); a check's text is what
    its saved outputs show.
    """
    found = {}
    for path in sorted(paths):
        notebook = nbformat.read(path, as_version=4)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "markdown":
                for match in SOLUTION.finditer(cell.source):
                    block = PYTHON_BLOCK.search(match["body"])
                    entry = (path.name, index, block["code"] if block else None)
                    found.setdefault(match["name"], {}).setdefault("solutions", []).append(entry)
            elif cell.cell_type == "code":
                for name in _stub_names(cell.source):
                    found.setdefault(name, {}).setdefault("stubs", []).append((path.name, index, cell.source))
                for kind, function in (("checks", "check"), ("gradient checks", "check_gradient")):
                    for name in _check_names(cell.source, function):
                        entry = (path.name, index, _output_text(cell))
                        found.setdefault(name, {}).setdefault(kind, []).append(entry)
    return found


def run_solution(name, code, origin):
    """Execute a solution block with only ``np`` and ``lo`` in scope; return the function it defines.

    The source is registered with linecache under a made-up file name, as IPython does for a
    cell, so the checker can read it (the vectorized exercises inspect it for loops).
    """
    filename = f"<solution {name} in {origin}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    namespace = {"np": np, "lo": lossopt}
    exec(compile(code, filename, "exec"), namespace)
    return namespace.get(name)


def problems(name, cells, notebook_prefix):
    """What is missing or wrong about one exercise's three cells (empty if nothing)."""
    where = f"expected in notebooks/{notebook_prefix}_*.ipynb"
    found = []
    kinds = (
        ("stubs", "stub cells (def NAME ... raise NotImplementedError)"),
        ("checks", 'check cells (lo.exercises.check("NAME", NAME))'),
        ("solutions", "solution blocks (<details> Click to see a solution (NAME))"),
    )
    for kind, what in kinds:
        entries = cells.get(kind, [])
        if len(entries) != 1:
            places = ", ".join(f"{nb} cell {i}" for nb, i, _ in entries) or "none"
            found.append(f"{name}: {len(entries)} {what} ({places}); exactly one {where}")
        elif not entries[0][0].startswith(notebook_prefix):
            found.append(f"{name}: the {what.split(' (')[0][:-1]} is in {entries[0][0]}, {where}")
    if found:
        return found
    (stub_nb, stub_i, _), (check_nb, check_i, output), (sol_nb, sol_i, code) = (
        cells["stubs"][0],
        cells["checks"][0],
        cells["solutions"][0],
    )
    if not (stub_nb == check_nb == sol_nb and stub_i < check_i < sol_i):
        found.append(
            f"{name}: the cells must come stub, check, solution in one notebook "
            f"(found {stub_nb} cell {stub_i}, {check_nb} cell {check_i}, {sol_nb} cell {sol_i})"
        )
    if "not attempted yet" not in output:
        found.append(f"{name}: the check cell ({check_nb} cell {check_i}) was not saved showing 'not attempted yet'")
    if "ERROR" in output or "Traceback" in output:
        found.append(f"{name}: the check cell ({check_nb} cell {check_i}) was saved with an error")
    if code is None:
        found.append(f"{name}: the solution block ({sol_nb} cell {sol_i}) has no ```python code block")
    if name in exercises._GRADIENTS:
        gradient_checks = cells.get("gradient checks", [])
        if [(nb, i > stub_i) for nb, i, _ in gradient_checks] != [(stub_nb, True)]:
            places = ", ".join(f"{nb} cell {i}" for nb, i, _ in gradient_checks) or "none"
            found.append(f"{name}: {len(gradient_checks)} gradient-check cells (lo.exercises.check_gradient(\"NAME\", "
                         f"NAME)) ({places}); exactly one, after the stub in {stub_nb}")  # fmt: skip
        elif "not attempted yet" not in gradient_checks[0][2] or "Traceback" in gradient_checks[0][2]:
            found.append(f"{name}: the gradient-check cell ({stub_nb} cell {gradient_checks[0][1]}) was not saved "
                         "showing 'not attempted yet'")  # fmt: skip
    return found


ALL = collect(NOTEBOOKS.glob("*.ipynb"))


def _problems(name):
    return problems(name, ALL.get(name, {}), exercises._EXERCISES[name][0])


@pytest.mark.parametrize("name", exercises.names())
def test_each_exercise_has_one_stub_one_check_and_one_solution_in_its_notebook(name):
    if found := _problems(name):
        pytest.fail("\n".join(found), pytrace=False)


def test_no_solution_or_check_names_an_unknown_exercise():
    unknown = sorted(set(ALL) - set(exercises.names()))
    assert not unknown, f"cells name exercises that lossopt.exercises does not know: {unknown}"


def test_summary_of_missing_exercise_cells():
    """One list of everything missing, by exercise and notebook (the per-exercise tests say the same)."""
    missing = [line for name in exercises.names() for line in _problems(name)]
    if missing:
        pytest.fail("exercise cells missing or wrong:\n" + "\n".join(missing), pytrace=False)


SOLUTIONS = [
    pytest.param(name, nb, index, code, id=f"{name}-{nb}")
    for name, cells in sorted(ALL.items())
    for nb, index, code in cells.get("solutions", [])
]


@pytest.mark.parametrize("name, notebook, index, code", SOLUTIONS)
def test_each_notebook_solution_passes_its_checker(name, notebook, index, code):
    assert code is not None, f"{notebook} cell {index}: the solution of {name} has no ```python block"
    fn = run_solution(name, code, f"{notebook} cell {index}")
    assert callable(fn), f"{notebook} cell {index}: the solution block does not define {name}"
    result = exercises.check(name, fn)
    assert result.passed, f"{notebook} cell {index}: {result!r}"
    if name in exercises._GRADIENTS:  # and the gradient-check cell after it is happy
        result = exercises.check_gradient(name, fn)
        assert result.passed and "you should be happy" in result.message, f"{notebook} cell {index}: {result!r}"


# ----------------------------------------------------------------------------
# The extraction itself, on a notebook written here in the CONVENTIONS format
# ----------------------------------------------------------------------------

STUB = '''def l2_regularization(W, reg):
    """L2 penalty R = reg * sum(W**2) and its gradient dR = 2 * reg * W, both shaped like W (D, C)."""
    # YOUR CODE HERE
    raise NotImplementedError
'''

SOLUTION_MARKDOWN = """<details>
<summary>Click to see a solution ({name})</summary>

```python
{code}```

</details>"""

L2 = """def l2_regularization(W, reg):
    R = reg * np.sum(W * W)  # a single number
    dR = 2 * reg * W  # (D, C), like W
    return R, dR
"""

SVM_VECTORIZED = """def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    S = X @ W  # (N, C)
    correct = S[np.arange(N), y][:, np.newaxis]  # (N, 1)
    margins = np.maximum(0, S - correct + 1)
    margins[np.arange(N), y] = 0  # skip j = y_i
    loss = margins.sum() / N + reg * np.sum(W * W)
    dS = (margins > 0).astype(S.dtype)
    dS[np.arange(N), y] = -dS.sum(axis=1)
    dW = X.T @ dS / N + 2 * reg * W
    return loss, dW
"""

SVM_WITH_LOOP = SVM_VECTORIZED.replace(
    "    return loss, dW", "    for _ in range(1):\n        pass\n    return loss, dW"
)


@pytest.fixture(autouse=True)
def _progress_file(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSOPT_PROGRESS_FILE", str(tmp_path / "progress.json"))  # never the user's data folder


def _executed(source, result):
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": repr(result)}, execution_count=1)]
    return cell


def _write_notebook(path, name, stub, code, gradient_check=True):
    """A notebook with one exercise: stub, executed check cell (and gradient-check cell), solution."""
    cells = [
        nbformat.v4.new_code_cell("import numpy as np\nimport lossopt as lo"),
        nbformat.v4.new_code_cell(stub),
        _executed(f'lo.exercises.check("{name}", {name})', exercises.check(name, _raises)),
    ]
    if gradient_check and name in exercises._GRADIENTS:
        source = f'lo.exercises.check_gradient("{name}", {name})'
        cells.append(_executed(source, exercises.check_gradient(name, _raises) if gradient_check is True else "ok"))
    cells.append(nbformat.v4.new_markdown_cell(SOLUTION_MARKDOWN.format(name=name, code=code)))
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)


def _raises(*args):
    raise NotImplementedError


def test_extraction_finds_the_three_cells_and_the_solution_passes(tmp_path):
    _write_notebook(tmp_path / "02_demo.ipynb", "l2_regularization", STUB, L2)
    _write_notebook(
        tmp_path / "01_demo.ipynb",
        "svm_loss_vectorized",
        STUB.replace("l2_regularization(W, reg)", "svm_loss_vectorized(W, X, y, reg)"),
        SVM_VECTORIZED,
    )
    found = collect(tmp_path.glob("*.ipynb"))
    assert problems("l2_regularization", found["l2_regularization"], "02") == []
    assert problems("svm_loss_vectorized", found["svm_loss_vectorized"], "01") == []
    for name in ("l2_regularization", "svm_loss_vectorized"):
        ((_, _, code),) = found[name]["solutions"]
        assert exercises.check(name, run_solution(name, code, "test")).passed
        assert exercises.check_gradient(name, run_solution(name, code, "test")).passed


@pytest.mark.parametrize("saved", [False, "ok"], ids=["missing", "saved without 'not attempted yet'"])
def test_a_missing_or_unsaved_gradient_check_cell_is_listed(tmp_path, saved):
    _write_notebook(tmp_path / "02_demo.ipynb", "l2_regularization", STUB, L2, gradient_check=saved)
    (line,) = problems("l2_regularization", collect(tmp_path.glob("*.ipynb"))["l2_regularization"], "02")
    expected = (
        "0 gradient-check cells" if saved is False else "the gradient-check cell (02_demo.ipynb cell 3) was not saved"
    )
    assert line.startswith(f"l2_regularization: {expected}")


def test_a_solution_may_use_lossopt_as_lo(tmp_path):
    code = "def polar_features(X):\n    return np.column_stack([np.hypot(*X.T), np.arctan2(X[:, 1], X[:, 0])])\n"
    fn = run_solution("polar_features", code.replace("np.hypot(*X.T)", "lo.rel_error(0, 0) + np.hypot(*X.T)"), "t")
    assert exercises.check("polar_features", fn).passed


def test_a_solution_with_a_loop_fails_its_vectorized_check_through_the_extraction(tmp_path):
    """The registered source lets the checker read the solution, as it reads a Jupyter cell."""
    _write_notebook(tmp_path / "01_demo.ipynb", "svm_loss_vectorized", STUB, SVM_WITH_LOOP)
    ((_, _, code),) = collect(tmp_path.glob("*.ipynb"))["svm_loss_vectorized"]["solutions"]
    result = exercises.check("svm_loss_vectorized", run_solution("svm_loss_vectorized", code, "test"))
    assert "for _ in range(1):" in result.message


def test_missing_cells_are_listed_by_exercise_and_notebook(tmp_path):
    _write_notebook(tmp_path / "03_demo.ipynb", "l2_regularization", STUB, L2)
    found = collect(tmp_path.glob("*.ipynb"))
    assert any(
        "expected in notebooks/02_*.ipynb" in line
        for line in problems("l2_regularization", found["l2_regularization"], "02")
    )
    assert problems("sgd", found.get("sgd", {}), "07") == [
        f"sgd: 0 {what} (none); exactly one expected in notebooks/07_*.ipynb"
        for what in (
            "stub cells (def NAME ... raise NotImplementedError)",
            'check cells (lo.exercises.check("NAME", NAME))',
            "solution blocks (<details> Click to see a solution (NAME))",
        )
    ]
