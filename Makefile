# One command to set up and run the demo, one to set up and run the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test bench lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "credscope needs Python 3.11+"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install  ## refresh the demo corpus into ./credscope.db and print a summary
	$(BIN)/credscope refresh data/corpus

test: install  ## the whole test suite (PostgreSQL and browser tests skip when unavailable)
	$(BIN)/python -m pytest -q

bench: install  ## benchmark tables (see bench/README.md)
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) credscope.db credscope.db-* .pytest_cache .ruff_cache bench/out
