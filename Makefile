# Two commands: `make run` serves the demo clinic on SQLite; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app clinic
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test test-shifted lint format bench load install translations i18n-update clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Screen translations (Flask-Babel): the .po catalogues are kept in git, the compiled .mo are built here.
CATALOGUES := $(wildcard clinic/translations/*/LC_MESSAGES/messages.po)
COMPILED   := $(CATALOGUES:.po=.mo)
%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@
translations: $(COMPILED)

# After marking new strings: extract them and merge them into the catalogues, then translate.
i18n-update: install
	$(BIN)/pybabel extract --no-location -F babel.cfg -k _l -k lazy_gettext -k N_ -k Counted:1,2 -o clinic/translations/messages.pot clinic templates
	$(BIN)/pybabel update --no-fuzzy-matching -i clinic/translations/messages.pot -d clinic/translations

# Ctrl-C reaches all three (one process group); the web server stops on it, and the trap then stops the
# scheduler and the DICOM service by their process ids and waits for them. Not `kill 0`: that signals
# the recipe's shell too, whose TERM trap then runs `kill 0` again, and again, until the shell's stack
# overflows ("make: *** [run] Segmentation fault") while the three processes are flooded with signals.
run: install translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C stops the web server, the scheduler and the DICOM service)"
	@stop() { trap - INT TERM EXIT; kill $$pids 2>/dev/null; wait; }; \
	  trap 'stop; exit 0' INT TERM; trap stop EXIT; \
	  $(FLASK) scheduler & pids=$$!; \
	  $(FLASK) dicom & pids="$$pids $$!"; \
	  $(FLASK) run --host $(HOST) --port $(PORT) --no-debugger --no-reload

# Two processes (pytest-xdist): on a 2-core machine the suite's own work and PostgreSQL's overlap.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider

test: install translations
	$(PYTEST) -n $(TEST_WORKERS)

# The suite again with the machine's clock moved far from the tests' pinned clock (Debian's faketime),
# in a machine zone of Berlin: months later in summer, across the night the clocks go forward in March,
# across New Year's Eve. Nothing may depend on the machine's date. SQLite only, to keep CI short; the
# browser tests run too, Chromium on the real clock (tests/browser_fixtures.py), and
# tests/shifted_clock/sitecustomize.py says why the monotonic clock is left alone. faketime -m: the
# thread-safe libfaketime, since the browser tests' server answers in threads (the single-threaded one
# re-reads its settings every 10 s unguarded, and a thread reading the clock then may get a wrong time).
# Even the thread-safe one re-reads FAKETIME every 10 s, and a re-read that finds it changed (or gets no
# value) restarts the "@" clock at its start time. A CI run's browser login was lost at 01:59:03, one
# minute in, as a session signed a minute ahead would be; not reproduced here, that restart is the likely
# cause. So each process reads FAKETIME once (FAKETIME_CACHE_DURATION) and never restarts its clock
# (FAKETIME_DONT_RESET); the session cookie's refusals are logged with their reason.
SHIFTED_DATES ?= 2027-06-15 11:00:00|2027-03-28 01:58:00|2026-12-31 23:58:00
test-shifted: install translations
	@command -v faketime >/dev/null || { echo "faketime is not installed (Debian package faketime)"; exit 1; }
	@dates='$(SHIFTED_DATES)'; IFS='|'; for when in $$dates; do \
	  echo "== the machine's clock at $$when (Europe/Berlin)"; \
	  TZ=Europe/Berlin FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_CACHE_DURATION=1000000000 FAKETIME_DONT_RESET=1 \
	  PYTHONPATH=tests/shifted_clock faketime -m "$$when" \
	    $(PYTEST) -q -k "not postgresql" -n $(TEST_WORKERS) || exit 1; \
	done

lint: install
	$(BIN)/ruff check clinic tests bench migrations/env.py
	$(BIN)/ruff format --check clinic tests bench

format: install
	$(BIN)/ruff format clinic tests bench
	$(BIN)/ruff check --fix clinic tests bench

bench: install
	$(BIN)/python bench/run_all.py

# The load test of the production deployment (gunicorn + PostgreSQL); see bench/load.py.
load: install
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
