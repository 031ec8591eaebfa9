"""What nbval cannot see: notebooks are committed executed, clean, and shaped alike.

nbval compares a `# NBVAL_CHECK_OUTPUT` cell's fresh output with the saved
one, so a checked cell saved without outputs would check nothing.
"""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
EXPECTED = [
    "01_multiclass_svm",
    "02_regularization",
    "03_softmax",
    "04_svm_vs_softmax",
    "05_optimization",
    "06_loss_landscape",
    "07_sgd_training",
    "08_linear_classifier_demo",
    "09_image_features",
]
MAX_BYTES = 1_000_000  # GitHub and nbviewer render smaller files reliably; keeps clones light


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code" and "".join(cell["source"]).strip()]


def source(cell):
    return "".join(cell["source"])


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_lecture_sequence_is_there():
    assert [path.stem for path in NOTEBOOKS] == EXPECTED


@pytest.fixture(params=NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def notebook(request):
    return request.param, load(request.param)


def test_every_code_cell_was_executed_in_order(notebook):
    path, nb = notebook
    counts = [cell["execution_count"] for cell in code_cells(nb)]
    assert None not in counts, f"{path.name}: cells saved without being run"
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: not run top to bottom from a fresh kernel"


def test_checked_cells_have_stored_outputs(notebook):
    path, nb = notebook
    checked = [cell for cell in code_cells(nb) if source(cell).lstrip().startswith("# NBVAL_CHECK_OUTPUT")]
    assert checked, f"{path.name} checks no lecture number"
    for cell in checked:
        assert cell["outputs"], f"{path.name}: a checked cell has no stored output:\n{source(cell)}"


def test_no_errors_warnings_or_stderr_in_outputs(notebook):
    path, nb = notebook
    for cell in code_cells(nb):
        for output in cell["outputs"]:
            assert output["output_type"] != "error", f"{path.name}: saved traceback in\n{source(cell)}"
            if output["output_type"] == "stream" and output["name"] == "stderr":
                text = "".join(output["text"])
                # tqdm's text bar is the only stderr we accept (it is not a warning).
                assert "Warning" not in text and "Traceback" not in text, f"{path.name}: {text[:200]}"


def test_top_has_title_and_goals_and_no_badges(notebook):
    path, nb = notebook
    top = source(nb["cells"][0])
    assert nb["cells"][0]["cell_type"] == "markdown"
    assert top.startswith("# ")
    assert "What you will learn" in top
    assert "Lecture 3" in top
    assert "badge" not in top.lower(), f"{path.name}: badges point at a home the project does not own"


def test_small_enough_for_github(notebook):
    path, _ = notebook
    size = path.stat().st_size
    assert size < MAX_BYTES, f"{path.name} is {size / 1e6:.2f} MB; keep each notebook under 1 MB"


def test_widget_metadata_renders_on_github(notebook):
    """GitHub's renderer rejects a notebook whose metadata.widgets lacks the 'state' key.

    Either no widget metadata at all, or the widget-state bundle with its 'state'.
    """
    path, nb = notebook
    widgets = nb["metadata"].get("widgets")
    if widgets is None:
        return
    bundle = widgets.get("application/vnd.jupyter.widget-state+json")
    assert isinstance(bundle, dict), f"{path.name}: metadata.widgets without the widget-state bundle"
    assert "state" in bundle, f"{path.name}: metadata.widgets has no 'state' key (GitHub will not render it)"


def test_first_code_cell_is_the_shared_setup(notebook):
    _, nb = notebook
    setup = source(code_cells(nb)[0])
    assert 'if (folder / "lossopt" / "__init__.py").is_file():' in setup
    assert "import lossopt as lo" in setup
    assert "%matplotlib inline" in setup


def test_bottom_has_a_summary_and_things_to_try(notebook):
    _, nb = notebook
    bottom = nb["cells"][-1]
    assert bottom["cell_type"] == "markdown"
    text = source(bottom)
    assert "Summary" in text
    assert "Try this" in text


def test_kernel_is_python3(notebook):
    _, nb = notebook
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
