# Two commands set everything up: `make lab` opens the course, `make test` runs every test.
# Both create the virtual environment .venv on first use (or reuse an active conda env:
# `make test VENV=$CONDA_PREFIX`).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.nnkit-installed
# Notebooks run two at a time, one notebook per worker. Every cell and every kernel start has
# a bound: a stuck cell fails with the notebook's name and the cell's number, never hangs.
NBVAL := --nbval-lax --nbval-current-env --nbval-cell-timeout=300 --nbval-kernel-startup-timeout=120
PYTEST_NOTEBOOKS := $(NBVAL) -n 2 --dist loadfile
# `make lab PORT=8899` chooses the port; without it JupyterLab takes 8888, or the next free one.
PORT ?=

# One BLAS thread per process: the tests run two notebooks at once on two cores, and
# OpenBLAS's own threads on top of that made training up to 15x slower.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: lab test test-unit test-notebooks test-seeds test-lowest test-browser test-nbgrader site bench bench-grading release clean mutants

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[course,test]"
	touch $(STAMP)

# Root (a container, a cloud notebook) needs --allow-root; a machine without a display gets
# no browser, only the address to open; both say so in one line.
lab: $(STAMP)
	@flags="$(if $(PORT),--port=$(PORT) --ServerApp.port_retries=0)"; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "make lab: running as root, as containers do (unusual on a laptop): passing --allow-root"; \
	  flags="$$flags --allow-root"; fi; \
	if [ "$$(uname)" = Linux ] && [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  echo "make lab: no display here, so no browser opens: open the http://127.0.0.1:... address printed below"; \
	  flags="$$flags --no-browser"; fi; \
	exec $(BIN)/jupyter lab $$flags --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/lectures/01_forward_pass.ipynb

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_NOTEBOOKS) -q

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests -q

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_NOTEBOOKS) -q lectures solutions exercises

# The claims each lecture makes about a random experiment (a training run, a random
# initialisation, random data), repeated at ten other seeds: tests/test_seeds_lecture*.py, all of
# them (-m "" lifts the default deselection). Those of lectures 01-04 take about 15 s and are not
# marked `seeds`, so `make test` runs them too; the slower ones of 05-08 are marked and run here.
test-seeds: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 -m "" tests/test_seeds_lecture*.py

# Mutation testing of the exercise checks: every small wrong edit of a solution (a sign, a
# transpose, an axis, a float32 cast, an off-by-one slice, ...) must lose its mark, or be
# listed as equivalent in tests/mutants.py. About 20 seconds.
mutants: $(STAMP)
	$(BIN)/python tests/mutants.py

# The unit tests and the notebooks with the lowest versions pyproject.toml allows: a fresh
# .venv-lowest, every direct dependency pinned to its lower bound (.ci/lowest_constraints.py).
LOWEST := .venv-lowest
test-lowest:
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python .ci/lowest_constraints.py course test > $(LOWEST)/constraints.txt
	$(LOWEST)/bin/python -m pip install --quiet -c $(LOWEST)/constraints.txt -e ".[course,test]"
	touch $(LOWEST)/.nnkit-installed  # `make lab VENV=$(LOWEST)` (tests/test_lab.py) uses it as it is
	$(LOWEST)/bin/python -m pip list --format=freeze | grep -i -E "^($$(cut -d= -f1 $(LOWEST)/constraints.txt | paste -sd'|'))==" || true
	$(LOWEST)/bin/python -m pytest $(PYTEST_NOTEBOOKS) -q -p no:cacheprovider

# Timings of the library (against PyTorch and a hand-fused numpy step) and of the course;
# the results go to benchmarks/README.md. PyTorch is optional: without it, its column is skipped.
$(VENV)/.nnkit-bench-installed: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]" || $(BIN)/python -m pip install --quiet threadpoolctl || true
	touch $@

bench: $(VENV)/.nnkit-bench-installed
	$(BIN)/python -m benchmarks.run --write benchmarks/README.md

# Grading a class: 300 correct submissions at --jobs 2; appends to benchmarks/GRADING.md.
bench-grading: $(STAMP)
	$(BIN)/python -m benchmarks.grading --n 300 --jobs 2 --write benchmarks/GRADING.md

# nbgrader as a peer (slow, minutes): in its own environment, nbgrader 0.9 generates, fills and
# autogrades the course, and must agree with `nnkit-course grade` (peers/test_nbgrader.py).
NBGRADER_VENV ?= .venv-nbgrader
$(NBGRADER_VENV)/.nnkit-installed: pyproject.toml
	test -x $(NBGRADER_VENV)/bin/python || $(PYTHON) -m venv $(NBGRADER_VENV)
	$(NBGRADER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(NBGRADER_VENV)/bin/python -m pip install --quiet "nbgrader>=0.9,<0.10" "pytest>=7.4" -e .
	touch $@

test-nbgrader: $(NBGRADER_VENV)/.nnkit-installed
	PATH="$(CURDIR)/$(NBGRADER_VENV)/bin:$$PATH" $(NBGRADER_VENV)/bin/python -m pytest -q -s peers/test_nbgrader.py

# The browser test and the website install their own extras on first use.
$(VENV)/.nnkit-browser-installed: $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,browser]"
	touch $@

$(VENV)/.nnkit-site-installed: $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,site]"
	touch $@

# Every lecture in JupyterLab in headless Chromium (Debian's chromium package; `playwright
# install` is never used): Run All without errors, sliders redraw, the playground trains.
# Failures leave screenshots in screenshots/browser/. Other notebooks:
# make test-browser BROWSER_ARGS='--notebooks "exercises/*.ipynb"'
test-browser: $(VENV)/.nnkit-browser-installed
	$(BIN)/python -m pytest browser -q $(BROWSER_ARGS)

# The course as a static website in site/_build/html, every notebook executed afresh (-E),
# then checked by tests/test_site.py. Open site/_build/html/index.html in a browser.
site: $(VENV)/.nnkit-site-installed
	$(BIN)/python -m sphinx -E -q -b html site site/_build/html
	NNKIT_SITE_BUILT=1 $(BIN)/python -m pytest -q -m site tests/test_site.py

release: $(STAMP)
	$(BIN)/nnkit-course release

clean:
	rm -rf $(VENV) $(NBGRADER_VENV) .pytest_cache .hypothesis build _build site/_build screenshots
