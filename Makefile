# The two front-door commands are `make run` and `make test`; everything else is for developers.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench soak clean clean-data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install whenever pyproject.toml changes; each stamp records that its install finished.
# `run` needs only the app; the test extras (Playwright, reportlab, ...) are for `test` and friends.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/congress-archive --data-dir $(DATA) ingest seeds
	$(BIN)/congress-archive --data-dir $(DATA) index
	$(BIN)/congress-archive --data-dir $(DATA) serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test lint
	$(BIN)/pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed-test
	$(BIN)/python -m tests.bench.run

soak: $(VENV)/.installed-test
	$(BIN)/pytest -m soak

# Never the data dir: it holds the archive (see README "Where the data lives").
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info

# Deletes the archive itself; back it up first (congress-archive backup FILE).
clean-data:
	@echo "deleting the data dir $(abspath $(DATA)): records, deleted records, sources, registry, index"
	rm -rf $(DATA)
