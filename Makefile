# Two commands: `make run` serves the demo clinic on SQLite; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app clinic
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test lint format bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C stops the web server, the scheduler and the DICOM service)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(FLASK) scheduler & \
	  $(FLASK) dicom & \
	  $(FLASK) run --host $(HOST) --port $(PORT) --no-debugger --no-reload

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check clinic tests bench migrations/env.py
	$(BIN)/ruff format --check clinic tests bench

format: install
	$(BIN)/ruff format clinic tests bench
	$(BIN)/ruff check --fix clinic tests bench

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
