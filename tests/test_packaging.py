"""The runtime dependencies, the README's two commands, the Makefile's targets, the public names.

(Binder's and conda's environment: tests/test_binder.py.)
"""

import inspect
import re
import sys
from pathlib import Path

import lossopt as lo

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def requirement_name(requirement):
    return re.split(r"[<>=!~;:\[ ]", requirement.strip(), maxsplit=1)[0].lower()


def test_runtime_dependencies_are_the_agreed_seven():
    """A new runtime dependency is a decision (every student and every Binder launch installs it).

    filelock (issue 20) lets processes loading CIFAR-10 take turns, in place of our own process tracking."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {requirement_name(r) for r in project["dependencies"]} == {
        "numpy",
        "matplotlib",
        "ipywidgets",
        "scikit-learn",
        "scikit-image",
        "tqdm",
        "filelock",
    }


def test_readme_first_screen_has_the_two_commands():
    first_screen = "\n".join((ROOT / "README.md").read_text().splitlines()[:25])
    assert "make lab" in first_screen
    assert "make test" in first_screen


def test_makefile_targets_and_ci_call_make_test():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab", "demo", "test", "lint", "bench", "notebooks"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_public_name_is_defined_and_documented():
    for module in (lo, lo.datasets, lo.landscape):
        for name in getattr(module, "__all__", [n for n in vars(module) if not n.startswith("_")]):
            assert name in vars(module), f"{module.__name__}.__all__ lists {name!r}, which it does not define"
            obj = vars(module)[name]
            if callable(obj) and getattr(obj, "__module__", "").startswith("lossopt"):
                assert inspect.getdoc(obj), f"{module.__name__}.{name} has no docstring"


def test_test_runs_save_exercise_progress_outside_the_users_folder():
    """conftest.py points the progress file at a throwaway folder, so no test or test kernel edits a student's."""
    path = Path(lo.exercises.progress_file()).resolve()
    assert not path.is_relative_to(Path.home().resolve())
    assert path.name == "progress.json" and "lossopt-progress-" in path.parent.name
