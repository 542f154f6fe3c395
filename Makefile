# Two commands: `make run` (set up and serve the demo) and `make test`.
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test bench clean translations

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "CoPMatch needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# The compiled catalogs (.mo) are built from the committed .po files at every run, never committed.
COMPILE_TRANSLATIONS := $(BIN)/pybabel -q compile -d translations

# After changing user-visible strings: extract them and merge into each language's catalog.
translations: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

run: $(VENV)/.installed
	$(COMPILE_TRANSLATIONS)
	$(FLASK) db upgrade
	$(FLASK) demo-data --members 300 --seed 1
	@echo "CoPMatch is at http://$(HOST):$(PORT) (Ctrl-C to stop)"
	COPMATCH_BASE_URL="$${COPMATCH_BASE_URL:-http://$(HOST):$(PORT)}" $(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	$(COMPILE_TRANSLATIONS)
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_mentoring.py
	$(BIN)/python benchmarks/bench_peers.py
	$(BIN)/python benchmarks/bench_groups.py --quick
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_rounds.py
	$(BIN)/python benchmarks/bench_login.py

clean:
	rm -rf $(VENV) *.egg-info
