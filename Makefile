# The two front-door commands are `make run` and `make test`; everything else is for developers.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install whenever pyproject.toml changes; the stamp records that the install finished.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/congress-archive --data-dir $(DATA) ingest seeds
	$(BIN)/congress-archive --data-dir $(DATA) index
	$(BIN)/congress-archive --data-dir $(DATA) serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed lint
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed
	$(BIN)/python -m tests.bench.run

soak: $(VENV)/.installed
	$(BIN)/pytest -m soak

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache .ruff_cache .hypothesis *.egg-info
