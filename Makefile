# Two commands set everything up: `make lab` opens the course, `make test` runs every test.
# Both create the virtual environment .venv on first use (or reuse an active conda env:
# `make test VENV=$CONDA_PREFIX`).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.nnkit-installed
# Notebooks run two at a time, one notebook per worker.
PYTEST_NOTEBOOKS := --nbval-lax --nbval-current-env -n 2 --dist loadfile

.PHONY: lab test test-unit test-notebooks test-browser site bench release clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab README.md

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_NOTEBOOKS) -q

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests -q

test-notebooks: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_NOTEBOOKS) -q lectures solutions exercises

release: $(STAMP)
	$(BIN)/nnkit-course release

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build _build
