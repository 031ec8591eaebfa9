"""Binder and conda get the runtime only, and all of it.

A Binder launch builds ``environment.yml``; every package there is
installed on every launch, so the developer tools stay out of it. The
runtime there must match ``pyproject.toml``'s dependencies (plus JupyterLab
and Voila to open the notebooks and the demo), or a launch would lack one.
"""

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "environment.yml"


def requirement_name(spec):
    """'scikit-learn>=1.2' -> 'scikit-learn' (conda and pip spell these alike)."""
    return re.split(r"[<>=!;\[ ]", spec.strip(), maxsplit=1)[0].lower()


def conda_dependencies():
    """The names under ``dependencies:`` (this file is plain enough to read without a YAML parser)."""
    names, inside = [], False
    for line in BINDER.read_text(encoding="utf-8").splitlines():
        if line.startswith("dependencies:"):
            inside = True
        elif inside and line.startswith("  - "):
            names.append(requirement_name(line[4:]))
        elif inside and line and not line.startswith(" "):
            inside = False
    return names


def pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_binder_has_every_runtime_dependency():
    runtime = {requirement_name(spec) for spec in pyproject()["project"]["dependencies"]}
    missing = runtime - set(conda_dependencies())
    assert not missing, f"environment.yml lacks runtime dependencies: {sorted(missing)}"
    assert {"jupyterlab", "voila"} <= set(conda_dependencies())


def test_binder_has_no_developer_tools():
    tools = {requirement_name(spec) for spec in pyproject()["project"]["optional-dependencies"]["test"]}
    extra = tools & set(conda_dependencies())
    assert not extra, f"environment.yml installs developer tools on every launch: {sorted(extra)}"


def test_binder_installs_this_package_without_its_dependencies_again():
    post_build = (REPO / "postBuild").read_text(encoding="utf-8")
    assert "pip install --no-deps -e ." in post_build
    assert "http" not in post_build, "postBuild must install from this repository, nothing from the internet"
