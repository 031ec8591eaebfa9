"""No answer before its question: every answer's key phrases are absent from everything the student reads first.

A notebook asks a question in a markdown cell; the next cell folds the answer away:

    <details>
    <summary>Answer</summary>
    <!-- key: 2W; not unique -->
    ...
    </details>

The ``key`` comment lists the answer's key phrases, separated by ``;``. None of them may appear, ignoring case,
in anything above the answer cell: the intro ("What you will learn"), earlier markdown outside other
``<details>`` blocks, and earlier code (comments included). Text folded inside earlier answers and solutions is
not what the student reads on the way down, so it does not count. Every answer carries a key, so the check
cannot pass by having none.
"""

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ANSWER = re.compile(r"<details>\s*<summary>\s*Answer[^<]*</summary>", re.IGNORECASE)
KEY = re.compile(r"<!--\s*key:(?P<phrases>.*?)-->", re.DOTALL)
FOLDED = re.compile(r"<details>.*?</details>", re.DOTALL | re.IGNORECASE)


def answers(notebook):
    """(index of the answer cell, its key phrases) for every folded answer of the notebook."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown" and ANSWER.search(cell.source):
            key = KEY.search(cell.source)
            phrases = [p.strip() for p in key.group("phrases").split(";") if p.strip()] if key else []
            found.append((index, phrases))
    return found


def visible_text(cells):
    """What a student reads in these cells on the way down: markdown outside folded blocks, and code."""
    return "\n".join(FOLDED.sub(" ", cell.source) if cell.cell_type == "markdown" else cell.source for cell in cells)


def early_answers(notebook):
    """(cell index, phrase) for each key phrase that shows before its answer; and the answers without a key."""
    leaks, keyless = [], []
    for index, phrases in answers(notebook):
        if not phrases:
            keyless.append(index)
        before = visible_text(notebook.cells[:index]).lower()
        leaks += [(index, phrase) for phrase in phrases if phrase.lower() in before]
    return leaks, keyless


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_every_answer_comes_after_its_question(path):
    notebook = nbformat.read(path, as_version=4)
    leaks, keyless = early_answers(notebook)
    assert not keyless, f"answers with no <!-- key: ... --> comment, at cells {keyless}"
    assert not leaks, "key phrases shown before their answer: " + "; ".join(f"cell {i}: {p!r}" for i, p in leaks)


def test_the_scan_finds_a_leak_and_a_keyless_answer():
    """The scan itself can fail: an intro that gives the answer away, and an answer with no key."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("What you will learn: why 2W also has zero loss."),
        nbformat.v4.new_markdown_cell("<details><summary>Click to see a solution (f)</summary>2W here</details>"),
        nbformat.v4.new_markdown_cell("**Question 7.** Is a W with zero loss unique?"),
        nbformat.v4.new_markdown_cell(
            "<details>\n<summary>Answer</summary>\n<!-- key: 2W; not unique -->\nNo.</details>"
        ),
        nbformat.v4.new_markdown_cell("<details>\n<summary>Answer</summary>\nNo key here.</details>"),
    ]
    leaks, keyless = early_answers(notebook)
    assert leaks == [(3, "2W")]  # the intro leaks it; the folded solution does not count
    assert keyless == [4]
    notebook.cells[0].source = "What you will learn: whether a W with zero loss is unique."
    assert early_answers(notebook)[0] == []
