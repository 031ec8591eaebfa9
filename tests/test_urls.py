"""Nothing in the repository points at a home the project does not own.

lossopt has no public home of its own yet. Every URL in a tracked file (code,
docs, notebook sources and outputs) must be one of a short list of real,
third-party pages: the course notes and web demo, the data set's official
archive, the libraries' documentation, the services a student opens the
notebooks in, and addresses on this machine used by the tests. A badge or an
install command for an invented repository (``github.com/lossopt/...``) fails.
"""

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

ALLOWED_PREFIXES = (
    # the course: its notes, and the web demo the notes link to
    "https://cs231n.github.io/",
    "http://cs231n.github.io/",
    "http://vision.stanford.edu/teaching/cs231n-demos/linear-classify/",
    "http://vision.stanford.edu/teaching/cs231n/linear-classify-demo",
    # the data set's official archive (lossopt.datasets.cifar10)
    "https://www.cs.toronto.edu/~kriz/cifar",
    # papers
    "https://arxiv.org/abs/",
    "https://jmlr.org/papers/",
    # the libraries' documentation
    "https://numpy.org/doc/",
    "https://matplotlib.org/stable/",
    "https://scikit-learn.org/stable/",
    "https://scikit-image.org/docs/",
    "https://ipywidgets.readthedocs.io/",
    "https://voila.readthedocs.io/",
    "https://nbval.readthedocs.io/",
    "https://jupyterlab.readthedocs.io/",
    "https://playwright.dev/python/",
    "https://docs.python.org/3/",
    # where students open notebooks (the services themselves, no repository of theirs)
    "https://mybinder.org/",
    "https://colab.research.google.com/",
    # this machine, in tests
    "http://127.0.0.1",
    "http://localhost",
)

# Homes the project does not own, named in any form (not only as a URL).
FORBIDDEN = (
    re.compile(r"github\.com/lossopt", re.IGNORECASE),
    re.compile(r"gh/lossopt/", re.IGNORECASE),
    re.compile(r"git\+https?://"),
    re.compile(r"pip install[^\n]*https?://"),
)

URL = re.compile(r"""https?://[^\s"'<>)\]`\\]+""")
THIS_FILE = Path(__file__).resolve()


def tracked_text_files():
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, names):
        path = REPO / name
        if path.resolve() == THIS_FILE or not path.is_file():
            continue
        try:
            yield path, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary files hold no links


def offending_urls(text):
    return sorted({url for url in URL.findall(text) if not url.startswith(ALLOWED_PREFIXES)})


def test_the_checks_catch_an_invented_home():
    """Negative control: the patterns do flag a badge for a repository nobody here owns."""
    badge = "[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/lossopt/lossopt/main)"
    assert any(pattern.search(badge) for pattern in FORBIDDEN)
    assert offending_urls("see https://github.com/someone/else and https://cs231n.github.io/optimization-1/") == [
        "https://github.com/someone/else"
    ]


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs a git checkout")
def test_every_url_is_on_the_allow_list():
    found = {}
    for path, text in tracked_text_files():
        for url in offending_urls(text):
            found.setdefault(url, []).append(str(path.relative_to(REPO)))
    assert not found, "URLs not on the allow-list (is that home ours?):\n" + "\n".join(
        f"  {url}  in {', '.join(paths)}" for url, paths in sorted(found.items())
    )


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs a git checkout")
def test_no_file_names_a_home_we_do_not_own():
    found = [
        f"{path.relative_to(REPO)}: {match.group(0)}"
        for path, text in tracked_text_files()
        for pattern in FORBIDDEN
        for match in pattern.finditer(text)
    ]
    assert not found, "\n".join(found)
