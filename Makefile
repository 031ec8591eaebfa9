# The two commands a user needs: `make lab` and `make test`. Everything runs in .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Rebuilt whenever the project's dependencies change.
STAMP  := $(VENV)/.installed
# A second environment, the same project with ipywidgets 7.7 (what Colab ships):
# the headless widget tests run in both (issue 13).
VENV7  := .venv-ipyw7
STAMP7 := $(VENV7)/.installed

# Tests and notebook runs use one BLAS thread: the matrices here are small, and
# on a 2-core machine shared with a browser and a kernel, BLAS threads spinning
# for a busy core made a full-batch SGD step 10x slower (17.7 ms vs 1.6 ms).
test test-unit test-browser test-widgets7 bench notebooks: export OPENBLAS_NUM_THREADS = 1
test test-unit test-browser test-widgets7 bench notebooks: export OMP_NUM_THREADS = 1

# Python keeps each module it compiles (numpy, scikit-learn, lossopt, the tests pytest rewrites) in
# __pycache__ and reuses it in the next process, unless PYTHONDONTWRITEBYTECODE is set (some
# machines set it): then every kernel and test process compiled them anew (import lossopt 5.3 s, not 2).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: lab demo test test-unit test-browser test-widgets7 lint format bench notebooks clean help

help:
	@echo "make lab        open JupyterLab on notebooks/ (creates .venv the first time)"
	@echo "make demo       the linear-classifier demo (notebook 08) as a web page, code hidden (Voila)"
	@echo "make test       lint, unit/property tests, notebooks (nbval), browser tests, widget tests on ipywidgets 7.7"
	@echo "make bench      speed of the losses against the matrix-product floor"
	@echo "make notebooks  re-execute every notebook in place, keeping outputs"
	@echo "make lint       ruff check and format check; make format fixes"

# pip installs uv, and uv installs the project: 10 s on a warm cache, where pip took 37 s. uv reads
# no pip.conf: behind a package mirror, set UV_DEFAULT_INDEX.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("lossopt needs Python 3.10 or newer, found " + sys.version.split()[0]) if sys.version_info < (3, 10) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[test,lab]"
	touch $(STAMP)

# The runtime from pyproject.toml and pytest (with xdist), with ipywidgets pinned to 7.7.x;
# lossopt itself is the working tree (editable), as in .venv.
$(STAMP7): pyproject.toml $(STAMP)
	test -x $(VENV7)/bin/python || $(BIN)/uv venv --quiet --python $(PYTHON) $(VENV7)
	$(BIN)/uv pip install --quiet --python $(VENV7)/bin/python -e . "pytest>=7.4" "pytest-xdist>=3.5" "ipywidgets>=7.7,<7.8"
	$(VENV7)/bin/python -c 'import ipywidgets, sys; v = ipywidgets.__version__; sys.exit(None if v.startswith("7.7.") else "expected ipywidgets 7.7.x, got " + v)'
	touch $(STAMP7)

# JupyterLab refuses to run as root unless told to (containers, CI machines).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ALLOW_ROOT)

# The demo as an app, like the course's web demo: notebook 08 served by Voila
# with its code cells hidden, the explanation and the controls kept.
demo: $(STAMP)
	cd notebooks && ../$(BIN)/voila 08_linear_classifier_demo.ipynb --strip_sources=True

# On both cores (pytest-xdist): first everything but the browser tests, a file's tests on one
# worker (module fixtures and a notebook's kernel are shared), while .venv-ipyw7 is built; then the
# browser tests, two JupyterLab sessions side by side, with the ipywidgets 7.7 run beside them in the
# CPU time the browser waits. Each run's output is printed when it ends (-O). The latency table the
# browser tests print is only reported; `make bench` measures it one session at a time.
test: lint
	@$(MAKE) --no-print-directory -j2 -O test-unit $(STAMP7)
	@$(MAKE) --no-print-directory -j2 -O test-browser test-widgets7

test-unit: $(STAMP)
	$(BIN)/python -m pytest -m "not browser" -n 2 --dist loadfile

test-browser: $(STAMP)
	$(BIN)/python -m pytest tests/browser -m browser -n 2 --dist load

# The headless widget tests (tests/widgets) under ipywidgets 7.7.
test-widgets7: $(STAMP7)
	$(VENV7)/bin/python -m pytest tests/widgets -q -p no:cacheprovider -o addopts="" -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py notebooks/*.ipynb

clean:
	rm -rf $(VENV) $(VENV7) .pytest_cache .ruff_cache build *.egg-info

# ---- For instructors (issue 19) ----------------------------------------------
# make student             student copies of the notebooks, hidden solutions removed, in build/student/
# make grade NB=file.ipynb  run a submitted notebook in a fresh kernel and grade its exercises (table + JSON)
.PHONY: student grade

student: $(STAMP)
	$(BIN)/python tools/student_release.py notebooks/*.ipynb --out build/student

grade: $(STAMP)
	@test -n "$(NB)" || { echo "usage: make grade NB=path/to/submission.ipynb"; exit 2; }
	$(BIN)/python tools/grade.py "$(NB)"
