"""The first code cell of every notebook finds this repo's lossopt from notebooks/ and from the repo root.

lossopt is pip-installed (editable) in .venv, so in a plain kernel ``import
lossopt`` succeeds whatever the setup cell does, and a test of the cell would
prove nothing. Each kernel here therefore first runs :data:`HIDE_INSTALLED`:
an import hook that lets ``import lossopt`` find the package only on the
``sys.path`` entries added after it, i.e. by the setup cell's own search of the
working folder and its parent. ``%pip`` is replaced by an error, so a cell that
falls back to installing from GitHub fails at once and offline. The negative
control shows the hook does hide the installed package.
"""

import pathlib

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

REPO = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
WORKING_FOLDERS = {"notebooks": REPO / "notebooks", "repo root": REPO}

HIDE_INSTALLED = '''
import collections
import importlib.abc
import importlib.machinery
import sys

assert "lossopt" not in sys.modules, "lossopt was imported before the setup cell ran"


class OnlyAddedPaths(importlib.abc.MetaPathFinder):
    """Find lossopt only on sys.path entries added after this cell ran (not in site-packages, not via '')."""

    def __init__(self):
        self.before = collections.Counter(sys.path)

    def find_spec(self, name, path=None, target=None):
        if name != "lossopt":
            return None
        added = list(collections.Counter(sys.path) - self.before)
        spec = importlib.machinery.PathFinder.find_spec(name, added)
        if spec is None:
            raise ModuleNotFoundError("No module named 'lossopt' (installed copies hidden by the test)", name=name)
        return spec


sys.meta_path.insert(0, OnlyAddedPaths())


def no_pip(line):
    raise RuntimeError("the setup cell fell back to %pip " + line)


get_ipython().register_magic_function(no_pip, "line", "pip")
'''

WHERE_FROM = "import pathlib\nprint(pathlib.Path(lo.__file__).resolve().parent)"


def setup_cell(path):
    """The source of the notebook's first code cell."""
    notebook = nbformat.read(path, as_version=4)
    return next(cell.source for cell in notebook.cells if cell.cell_type == "code")


def search_part(path):
    """The part of the setup cell that finds lossopt: up to the end of ``import lossopt``'s except clause.

    The rest imports what that notebook uses, and nbval runs it in every notebook.
    """
    source = setup_cell(path)
    return source[: source.index(") from None") + len(") from None")]


def run_in_kernel(sources, cwd):
    """Run ``sources`` as cells in a fresh kernel whose working folder is ``cwd``; return the notebook."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    client = NotebookClient(notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return notebook


def stream_text(cell, name):
    return "".join(output.get("text", "") for output in cell.outputs if output.get("name") == name)


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=[path.stem for path in NOTEBOOKS[1:]])
def test_every_notebook_searches_for_lossopt_as_the_first_does(path):
    """So one kernel per working folder tests the search of every notebook."""
    assert search_part(path) == search_part(NOTEBOOKS[0])


@pytest.mark.parametrize("where", WORKING_FOLDERS)
def test_setup_cell_finds_this_repos_lossopt(where):
    notebook = run_in_kernel([HIDE_INSTALLED, search_part(NOTEBOOKS[0]), WHERE_FROM], WORKING_FOLDERS[where])
    _hook, setup, check = notebook.cells
    assert stream_text(setup, "stderr") == "", "the setup cell wrote to stderr"
    assert pathlib.Path(stream_text(check, "stdout").strip()) == REPO / "lossopt"


@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks yet")
def test_without_lossopt_the_cell_stops_with_how_to_get_it(tmp_path):
    """Where neither the folder nor its parent holds lossopt/, the setup cell stops with one clear message.

    It installs nothing: the ``%pip`` magic is replaced by one that raises, so
    a cell that tried to install would fail with "fell back to %pip" instead.
    This is also the negative control of the hook that hides the installed copy.
    """
    nowhere = tmp_path / "a" / "b"
    nowhere.mkdir(parents=True)
    with pytest.raises(CellExecutionError) as error:
        run_in_kernel([HIDE_INSTALLED, setup_cell(NOTEBOOKS[0])], nowhere)
    message = str(error.value)
    assert "fell back to %pip" not in message
    assert "lossopt not found" in message
    assert "notebooks/ folder" in message
    assert "git clone" in message and "%cd lossopt/notebooks" in message
