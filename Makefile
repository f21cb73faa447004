# The two commands of the README:
#   make run   installs levelscope, builds the demo workspace and opens the dashboard
#   make test  installs levelscope with its test tools and runs the whole suite (and builds the docs)
# Both start from a fresh clone: they create .venv and install into it.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The publishers' files for the demo: $LEVELSCOPE_MIRROR, else a data folder beside the checkout.
MIRROR ?= $(firstword $(wildcard $(LEVELSCOPE_MIRROR)) $(wildcard ../shared/data))

.PHONY: run test install install-test lint docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(BIN)/levelscope demo $(if $(MIRROR),--mirror $(MIRROR),)
	$(BIN)/levelscope overview
	$(BIN)/levelscope serve

lint: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# The user guide and the API reference, built from the docstrings into site/ (warnings fail it).
docs: install-test
	$(BIN)/mkdocs build --strict --quiet

test: install-test
	bash scripts/install-system-deps.sh
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory docs
	$(BIN)/python -m pytest
