"""The two ways to install name the same packages; the README gives the two commands."""

import inspect
import re
import sys
from pathlib import Path

import pytest

import lossopt as lo

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def requirement_name(requirement):
    return re.split(r"[<>=!~;:\[ ]", requirement.strip(), maxsplit=1)[0].lower()


def pyproject_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    # Backports needed only by old Pythons (markers) are not in the pinned conda env.
    return {requirement_name(r) for r in requirements if ";" not in r}


def environment_packages():
    """Conda packages of environment.yml (its own small YAML: one `- name` per line)."""
    names, section = set(), None
    for line in (ROOT / "environment.yml").read_text().splitlines():
        stripped = line.split("#")[0].rstrip()
        if re.match(r"^\w+:", stripped):
            section = stripped.split(":")[0]  # name, channels, dependencies
            continue
        match = re.match(r"^  - (\S+)$", stripped)
        if section == "dependencies" and match:
            names.add(requirement_name(match.group(1)))
        elif section == "dependencies" and stripped and not stripped.startswith("      - "):
            pytest.fail(f"unexpected line in environment.yml: {line!r}")
    return names - {"python", "pip"}


def test_environment_yml_and_pyproject_name_the_same_packages():
    assert environment_packages() == pyproject_packages()


def test_environment_yml_installs_the_package_itself_and_pins_python():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s+- pip:\n\s+- -e \.\s*$", text, re.MULTILINE)
    assert re.search(r"^  - python=3\.\d+$", text, re.MULTILINE)
    assert "conda-forge" in text


def test_runtime_dependencies_are_the_agreed_five():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert {requirement_name(r) for r in project["dependencies"]} == {
        "numpy",
        "matplotlib",
        "ipywidgets",
        "scikit-learn",
        "tqdm",
    }


def test_readme_first_screen_has_the_two_commands():
    first_screen = "\n".join((ROOT / "README.md").read_text().splitlines()[:25])
    assert "make lab" in first_screen
    assert "make test" in first_screen


def test_makefile_targets_and_ci_call_make_test():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab", "test", "lint", "bench", "notebooks"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_public_name_is_defined_and_documented():
    for module in (lo, lo.datasets, lo.landscape):
        for name in getattr(module, "__all__", [n for n in vars(module) if not n.startswith("_")]):
            assert name in vars(module), f"{module.__name__}.__all__ lists {name!r}, which it does not define"
            obj = vars(module)[name]
            if callable(obj) and getattr(obj, "__module__", "").startswith("lossopt"):
                assert inspect.getdoc(obj), f"{module.__name__}.{name} has no docstring"
